# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors

# File shares on the host serving Shared Configuration: Win32_Share names a share and its folder,
# the SmbShare cmdlets (Server 2012 and later) read and set its permissions, and the folder's
# access list is the .NET one. What an account may do through a share is the lesser of its share
# permission and its right on the folder, so both are read and both are set alike.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# NERR_DuplicateShare: the share's name is taken by a share of another folder.
$NERR_DUPLICATE_SHARE = 2118
$ERROR_NONE_MAPPED = 1332
$ADMINISTRATORS = 'BUILTIN\Administrators'
# Rights as the contract names them, weakest first; the share permission and the folder right of each.
$RIGHTS = @('read', 'change', 'full')
$SHARE_RIGHTS = @{ Read = 'read'; Change = 'change'; Full = 'full' }
$FOLDER_RIGHTS = @{
    read = [System.Security.AccessControl.FileSystemRights]::ReadAndExecute
    change = [System.Security.AccessControl.FileSystemRights]::Modify
    full = [System.Security.AccessControl.FileSystemRights]::FullControl
}
$SID_TYPE = [System.Security.Principal.SecurityIdentifier]

Function Get-ShareEntry {
    param([string]$Name)

    Get-CimInstance -ClassName Win32_Share -Filter ("Name = '{0}'" -f $Name.Replace("'", "\'"))
}

# An account's SID; ERROR_NONE_MAPPED for a name no account has, as LookupAccountName answers.
Function Get-AccountSid {
    param([string]$Account)

    try {
        [System.Security.Principal.NTAccount]::new($Account).Translate($SID_TYPE).Value
    }
    catch [System.Security.Principal.IdentityNotMappedException] {
        throw [System.ComponentModel.Win32Exception]::new($ERROR_NONE_MAPPED, "no account is named $Account")
    }
}

# The strongest right the folder's allow rules give each SID.
Function Get-FolderRight {
    param([string]$Path)

    $rights = @{}
    $acl = [System.IO.DirectoryInfo]::new($Path).GetAccessControl()
    foreach ($rule in $acl.GetAccessRules($true, $true, $SID_TYPE)) {
        if ($rule.AccessControlType -ne [System.Security.AccessControl.AccessControlType]::Allow) {
            continue
        }
        $index = -1
        for ($candidate = 0; $candidate -lt $RIGHTS.Count; $candidate++) {
            $needed = $FOLDER_RIGHTS[$RIGHTS[$candidate]]
            if (($rule.FileSystemRights -band $needed) -eq $needed) {
                $index = $candidate
            }
        }
        $sid = $rule.IdentityReference.Value
        if ($index -ge 0 -and (-not $rights.ContainsKey($sid) -or $rights[$sid] -lt $index)) {
            $rights[$sid] = $index
        }
    }
    $rights
}

# share_get: the share, its folder, and each account of its permissions with the lesser of its
# share permission and its folder right (an account the folder does not grant is left out), or
# $null when there is no such share.
Function Get-ShareReport {
    param([string]$Name)

    $share = Get-ShareEntry -Name $Name
    if ($null -eq $share) {
        return $null
    }
    $folderRights = Get-FolderRight -Path ([string]$share.Path)
    $access = [System.Collections.Generic.List[Object]]::new()
    foreach ($entry in Get-SmbShareAccess -Name $share.Name) {
        if ([string]$entry.AccessControlType -ne 'Allow') {
            continue
        }
        $sid = Get-AccountSid -Account ([string]$entry.AccountName)
        if (-not $folderRights.ContainsKey($sid)) {
            continue
        }
        $index = [Math]::Min($RIGHTS.IndexOf($SHARE_RIGHTS[[string]$entry.AccessRight]), $folderRights[$sid])
        $access.Add(@{ account = [string]$entry.AccountName; right = $RIGHTS[$index] })
    }
    @{ name = [string]$share.Name; path = [string]$share.Path; access = , $access }
}

# The folder's access list made exactly `Grants` (account -> right), inherited by what it holds,
# nothing inherited from above.
Function Set-FolderAccess {
    param([string]$Path, [System.Collections.IDictionary]$Grants)

    $folder = [System.IO.DirectoryInfo]::new($Path)
    $acl = [System.Security.AccessControl.DirectorySecurity]::new()
    $acl.SetAccessRuleProtection($true, $false)
    $inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
    foreach ($account in $Grants.Keys) {
        $rule = [System.Security.AccessControl.FileSystemAccessRule]::new($account, $FOLDER_RIGHTS[$Grants[$account]], $inherit,
            [System.Security.AccessControl.PropagationFlags]::None, [System.Security.AccessControl.AccessControlType]::Allow)
        $acl.AddAccessRule($rule)
    }
    $folder.SetAccessControl($acl)
}

# share_set: the share and its folder made when missing; then the share's permissions and the
# folder's access list become exactly `Read` and `Change` (an account in both gets change).
Function Set-Share {
    param([string]$Name, [string]$Path, [string[]]$Read, [string[]]$Change)

    $share = Get-ShareEntry -Name $Name
    if ($null -ne $share -and ([string]$share.Path).TrimEnd('\') -ne $Path.TrimEnd('\')) {
        throw [System.ComponentModel.Win32Exception]::new($NERR_DUPLICATE_SHARE,
            "the share name $Name is taken by $($share.Path)")
    }
    $grants = [ordered]@{}
    foreach ($account in @($Read | Where-Object { $_ })) { $grants[$account] = 'read' }
    foreach ($account in @($Change | Where-Object { $_ })) { $grants[$account] = 'change' }
    $wanted = @{}
    foreach ($account in $grants.Keys) { $wanted[(Get-AccountSid -Account $account)] = $account }

    $null = [System.IO.Directory]::CreateDirectory($Path)
    if ($null -eq $share) {
        # Without an access list New-SmbShare lets Everyone read: the administrators, then set below.
        $null = New-SmbShare -Name $Name -Path $Path -FullAccess @($ADMINISTRATORS)
    }
    foreach ($entry in Get-SmbShareAccess -Name $Name) {
        if (-not $wanted.ContainsKey((Get-AccountSid -Account ([string]$entry.AccountName)))) {
            $null = Revoke-SmbShareAccess -Name $Name -AccountName $entry.AccountName -Force
        }
    }
    foreach ($account in $grants.Keys) {
        $right = if ($grants[$account] -eq 'change') { 'Change' } else { 'Read' }
        $null = Grant-SmbShareAccess -Name $Name -AccountName $account -AccessRight $right -Force
    }
    Set-FolderAccess -Path $Path -Grants $grants
}

Export-ModuleMember -Function Get-ShareReport, Set-Share
