# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors

# Metabase backups: IIsComputer Backup, EnumBackups, Restore and DeleteBackup.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# HRESULTs as Exception.HResult holds them: PowerShell reads a 0x8... literal as a negative Int32.
$MD_ERROR_DATA_NOT_FOUND = 0x800CC801
# IIsComputer.Backup (mddefw.h): the next free version, and save the metabase to disk first.
# PowerShell reads 0xFFFFFFFF as the Int32 -1, the LONG the method takes.
$MD_BACKUP_NEXT_VERSION = 0xFFFFFFFF
$MD_BACKUP_SAVE_FIRST = 2
# EnumBackups past the last backup: HRESULT_FROM_WIN32(ERROR_NO_MORE_ITEMS), or
# MD_ERROR_DATA_NOT_FOUND as IIS's ADSI documentation names it; both end the list.
$END_OF_BACKUPS = @(0x80070103, $MD_ERROR_DATA_NOT_FOUND)

# Every backup of the machine, as EnumBackups lists them: its out parameters are VARIANT
# references, which late binding only fills when told through a ParameterModifier.
Function Get-MetabaseBackup {
    $machine = ([ADSI]'IIS://localhost').psbase.NativeObject
    $modifier = [System.Reflection.ParameterModifier]::new(5)
    foreach ($out in 2, 3, 4) {
        $modifier[$out] = $true
    }
    for ($index = 0; ; $index++) {
        $arguments = [Object[]]@('', $index, $null, $null, $null)
        try {
            $null = $machine.GetType().InvokeMember('EnumBackups', [System.Reflection.BindingFlags]::InvokeMethod,
                $null, $machine, $arguments, [System.Reflection.ParameterModifier[]]@($modifier), $null, $null)
        }
        catch {
            if ($END_OF_BACKUPS -contains (Get-InnermostException -Exception $_.Exception).HResult) {
                break
            }
            throw
        }
        @{
            name = [string]$arguments[3]
            version = [int]$arguments[2]
            # EnumBackups gives the backup's time in UTC already (a VARIANT DATE has no kind).
            date = ([datetime]$arguments[4]).ToString('yyyy-MM-ddTHH:mm:ssZ', [cultureinfo]::InvariantCulture)
        }
    }
}

# metabase_backup_create: a new version of the named backup, saved to disk first.
Function New-MetabaseBackup {
    param([string]$Name)

    $machine = [ADSI]'IIS://localhost'
    $null = $machine.psbase.Invoke('Backup', $Name, $MD_BACKUP_NEXT_VERSION, $MD_BACKUP_SAVE_FIRST)
    Get-MetabaseBackup | Where-Object { $_.name -eq $Name } | Sort-Object { $_.version } | Select-Object -Last 1
}

# metabase_backup_restore: the whole metabase becomes the backup's (the IIS services restart).
Function Restore-MetabaseBackup {
    param([string]$Name, [int]$Version)

    $machine = [ADSI]'IIS://localhost'
    $null = $machine.psbase.Invoke('Restore', $Name, $Version, 0)
}

# metabase_backup_delete: one version of the named backup (both of its files) is deleted.
Function Remove-MetabaseBackup {
    param([string]$Name, [int]$Version)

    $machine = [ADSI]'IIS://localhost'
    $null = $machine.psbase.Invoke('DeleteBackup', $Name, $Version)
}

Export-ModuleMember -Function Get-MetabaseBackup, New-MetabaseBackup, Restore-MetabaseBackup,
    Remove-MetabaseBackup
