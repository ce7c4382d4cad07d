# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Windows errors as an instruction reports them: the exception that carries Windows' own code
# and text, and that code read as unsigned; and the one check of a JSON value every area makes.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# The exception that carries Windows' own code and text. PowerShell wraps it: MethodInvocationException
# around a .NET call, TargetInvocationException around an ADSI method, ActionPreferenceStopException
# around a cmdlet's error record.
Function Get-InnermostException {
    param([System.Exception]$Exception)

    while ($true) {
        $inner = if ($Exception -is [System.Management.Automation.ActionPreferenceStopException]) {
            $Exception.ErrorRecord.Exception
        }
        else {
            $Exception.InnerException
        }
        if ($null -eq $inner -or [Object]::ReferenceEquals($inner, $Exception)) {
            return $Exception
        }
        $Exception = $inner
    }
}

# The same 32 bits read as unsigned: .NET and ADSI hand HRESULTs and metabase DWORDs over as Int32.
Function ConvertTo-UInt32 {
    param([int]$Value)

    [BitConverter]::ToUInt32([BitConverter]::GetBytes($Value), 0)
}

# The error of a failed instruction: Windows' code, unsigned, and Windows' text.
Function ConvertTo-WindowsError {
    param([System.Exception]$Exception)

    $windows = Get-InnermostException -Exception $Exception
    $code = if ($windows -is [System.ComponentModel.Win32Exception]) {
        # Its HResult is always E_FAIL; the Win32 error code is NativeErrorCode.
        [uint32]$windows.NativeErrorCode
    }
    else {
        ConvertTo-UInt32 -Value $windows.HResult
    }
    @{ code = $code; message = $windows.Message.Trim() }
}

# Whether a JSON value is a list of strings.
Function Test-StringList {
    param([Object]$Value)

    $Value -is [System.Collections.IList] -and @($Value | Where-Object { $_ -isnot [string] }).Count -eq 0
}

Export-ModuleMember -Function Get-InnermostException, ConvertTo-UInt32, ConvertTo-WindowsError, Test-StringList
