# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors

# File shares on the host serving Shared Configuration: Win32_Share names a share and its folder,
# the SmbShare cmdlets (Server 2012 and later) read and grant its access, and the folder's access
# list is the .NET one. Granting only adds: an account given access elsewhere keeps it.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS): the share's name is taken by a share of another folder.
$ERROR_ALREADY_EXISTS_HRESULT = -2147024713
$ADMINISTRATORS = 'BUILTIN\Administrators'
# The share rights as the contract names them, and the folder right each grants.
$SHARE_RIGHTS = @{ Read = 'read'; Change = 'change'; Full = 'full' }
$FOLDER_RIGHTS = @{
    read = [System.Security.AccessControl.FileSystemRights]::ReadAndExecute
    change = [System.Security.AccessControl.FileSystemRights]::Modify
}

Function Get-ShareEntry {
    param([string]$Name)

    Get-CimInstance -ClassName Win32_Share -Filter ("Name = '{0}'" -f $Name.Replace("'", "\'"))
}

# share_get: the share, its folder and the accounts it allows, or $null when there is none.
Function Get-ShareReport {
    param([string]$Name)

    $share = Get-ShareEntry -Name $Name
    if ($null -eq $share) {
        return $null
    }
    $access = [System.Collections.Generic.List[Object]]::new()
    foreach ($entry in Get-SmbShareAccess -Name $share.Name) {
        if ([string]$entry.AccessControlType -eq 'Allow') {
            $access.Add(@{ account = [string]$entry.AccountName; right = $SHARE_RIGHTS[[string]$entry.AccessRight] })
        }
    }
    @{ name = [string]$share.Name; path = [string]$share.Path; access = , $access }
}

# The folder's access list with the right granted to each account (inherited by what it holds).
Function Grant-FolderAccess {
    param([string]$Path, [string[]]$Accounts, [string]$Right)

    if (-not $Accounts) {
        return
    }
    $folder = [System.IO.DirectoryInfo]::new($Path)
    $acl = $folder.GetAccessControl()
    $inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
    foreach ($account in $Accounts) {
        $rule = [System.Security.AccessControl.FileSystemAccessRule]::new($account, $FOLDER_RIGHTS[$Right], $inherit,
            [System.Security.AccessControl.PropagationFlags]::None, [System.Security.AccessControl.AccessControlType]::Allow)
        $acl.AddAccessRule($rule)
    }
    $folder.SetAccessControl($acl)
}

# share_set: the folder and the share made when missing, then `Read` and `Change` granted on both.
Function Set-Share {
    param([string]$Name, [string]$Path, [string[]]$Read, [string[]]$Change)

    $share = Get-ShareEntry -Name $Name
    if ($null -ne $share -and [string]$share.Path -ne $Path) {
        throw [System.Runtime.InteropServices.COMException]::new(
            "the share $Name exists and serves $($share.Path), not $Path", $ERROR_ALREADY_EXISTS_HRESULT)
    }
    $null = [System.IO.Directory]::CreateDirectory($Path)
    Grant-FolderAccess -Path $Path -Accounts $Read -Right 'read'
    Grant-FolderAccess -Path $Path -Accounts $Change -Right 'change'
    if ($null -eq $share) {
        # New-SmbShare without an access list lets Everyone read: the share starts with the host's
        # administrators only, as the folder does, and the accounts below are granted one by one.
        $null = New-SmbShare -Name $Name -Path $Path -FullAccess @($ADMINISTRATORS)
    }
    foreach ($account in @($Read | Where-Object { $_ })) {
        $null = Grant-SmbShareAccess -Name $Name -AccountName $account -AccessRight Read -Force
    }
    foreach ($account in @($Change | Where-Object { $_ })) {
        $null = Grant-SmbShareAccess -Name $Name -AccountName $account -AccessRight Change -Force
    }
}

Export-ModuleMember -Function Get-ShareReport, Set-Share
