# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.AccessToken
#AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetAccounts
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterHostFacts

# Domain accounts, through the NetAPI of a domain controller.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# The account database these calls reach is the domain's only on a domain controller; the
# controller writes with the domain_* operations on domain controllers only.
$NetUser = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetAccounts.NetUser]
$UserFlags = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetAccounts.UserFlags]
$NERR_UserNotFound = 2221
$ERROR_LOGON_FAILURE = 1326
# LogonUser reports these only once it has accepted the password: account restriction, logon
# hours, workstation, password expired, account disabled, logon type not granted, must change.
$LOGON_ERRORS_AFTER_PASSWORD = @(1327, 1328, 1329, 1330, 1331, 1385, 1907)
# The USER_INFO flag each boolean argument stands for; 'enabled' is the inverse of its flag.
$USER_FLAG_ARGUMENTS = [ordered]@{
    enabled = 'AccountDisable'
    password_never_expires = 'DontExpirePassword'
    user_cannot_change_password = 'PasswordCannotChange'
}

# What the USER_INFO flags and the objectClass say the account is: a person's or a service's
# user, or a machine's (computer, managed service account, interdomain trust).
Function Get-DomainAccountKind {
    param([uint32]$Flags, [string[]]$Classes)

    if ($Classes -contains 'msDS-GroupManagedServiceAccount' -or $Classes -contains 'msDS-ManagedServiceAccount') {
        return 'managed_service_account'
    }
    if ($Flags -band ([uint32]$UserFlags::WorkstationTrustAccount -bor [uint32]$UserFlags::ServerTrustAccount)) {
        return 'computer'
    }
    if ($Flags -band [uint32]$UserFlags::InterdomainTrustAccount) {
        return 'trust'
    }
    'user'
}

# domain_user_get: the user's USER_INFO_23 and 10, global groups, and from the directory every
# group it is in, nested ones and BUILTIN aliases included (tokenGroups), its adminCount and
# objectClass; $null when there is no such user.
Function Get-DomainUserReport {
    param([string]$Name)

    $user = $NetUser::GetUser($Name)
    if ($null -eq $user) {
        return $null
    }
    $entry = [ADSI]('LDAP://<SID=' + $user.Sid + '>')
    # tokenGroups is constructed: only an explicit RefreshCache computes it.
    $entry.RefreshCache([string[]]@('tokenGroups', 'adminCount', 'objectClass'))
    $groupSids = @(foreach ($bytes in $entry.Properties['tokenGroups']) {
            ([System.Security.Principal.SecurityIdentifier]::new([byte[]]$bytes, 0)).Value
        })
    $flags = [uint32]$user.Flags
    @{
        name = $user.Name
        sid = $user.Sid
        description = [string]$user.Comment
        user_comment = [string]$user.UserComment
        enabled = -not ($flags -band [uint32]$UserFlags::AccountDisable)
        password_never_expires = [bool]($flags -band [uint32]$UserFlags::DontExpirePassword)
        user_cannot_change_password = [bool]($flags -band [uint32]$UserFlags::PasswordCannotChange)
        groups = @($NetUser::GetGroups($Name))
        kind = Get-DomainAccountKind -Flags $flags -Classes @($entry.Properties['objectClass'])
        group_sids = $groupSids
        admin_count = ([int]$entry.Properties['adminCount'].Value) -eq 1
    }
}

# The user flags with the bits that the instruction's boolean arguments name set or cleared.
Function Get-UserFlag {
    param([uint32]$Flags, [System.Collections.IDictionary]$Arguments)

    foreach ($name in $USER_FLAG_ARGUMENTS.Keys) {
        if (-not $Arguments.Contains($name)) {
            continue
        }
        $bit = [uint32]$UserFlags::($USER_FLAG_ARGUMENTS[$name])
        $set = if ($name -eq 'enabled') { -not $Arguments[$name] } else { [bool]$Arguments[$name] }
        $Flags = if ($set) { $Flags -bor $bit } else { $Flags -band ([uint32]::MaxValue -bxor $bit) }
    }
    $Flags
}

# domain_user_set: the description (level 1007) and the flags (level 1008) the arguments give.
Function Set-DomainUser {
    param([System.Collections.IDictionary]$Arguments)

    $name = $Arguments['name']
    $user = $NetUser::GetUser($name)
    if ($null -eq $user) {
        throw [System.ComponentModel.Win32Exception]::new($NERR_UserNotFound)
    }
    if ($Arguments.Contains('description')) {
        $NetUser::SetComment($name, $Arguments['description'])
    }
    if ($Arguments.Contains('user_comment')) {
        $NetUser::SetUserComment($name, $Arguments['user_comment'])
    }
    $flags = Get-UserFlag -Flags ([uint32]$user.Flags) -Arguments $Arguments
    if ($flags -ne [uint32]$user.Flags) {
        $NetUser::SetFlags($name, $flags)
    }
}

# domain_user_add: a new user with the password, the description, the comment and the flags the
# arguments give.
Function New-DomainUser {
    param([System.Collections.IDictionary]$Arguments, [string]$Password)

    $flags = Get-UserFlag -Flags 0 -Arguments $Arguments
    $NetUser::AddUser($Arguments['name'], $Password, [string]$Arguments['description'],
        [string]$Arguments['user_comment'], $flags)
}

# domain_user_set_password: the user's password (level 1003).
Function Set-DomainUserPassword {
    param([string]$Name, [string]$Password)

    $NetUser::SetPassword($Name, $Password)
}

# domain_user_delete
Function Remove-DomainUser {
    param([string]$Name)

    $NetUser::DeleteUser($Name)
}

# domain_group_add_member: a user joins a global group.
Function Add-DomainGroupMember {
    param([string]$Group, [string]$Name)

    $NetUser::AddGroupMember($Group, $Name)
}

# domain_user_password_matches: a network logon, which needs no "Log on locally". Only the answer
# leaves this function; the token is closed at once.
Function Test-DomainUserPassword {
    param([string]$Name, [string]$Password)

    try {
        $token = [Ansible.AccessToken.TokenUtil]::LogonUser($Name, (Get-JoinedDomainName), $Password,
            [Ansible.AccessToken.LogonType]::Network, [Ansible.AccessToken.LogonProvider]::Default)
        $token.Dispose()
        return $true
    }
    catch {
        $windows = Get-InnermostException -Exception $_.Exception
        if ($windows -isnot [System.ComponentModel.Win32Exception]) {
            throw
        }
        if ($windows.NativeErrorCode -eq $ERROR_LOGON_FAILURE) {
            return $false
        }
        if ($windows.NativeErrorCode -in $LOGON_ERRORS_AFTER_PASSWORD) {
            return $true
        }
        throw
    }
}

# domain_password_policy_get: the domain object's password settings, read over LDAP from this
# domain controller.
Function Get-DomainPasswordPolicy {
    $rootDse = [ADSI]'LDAP://RootDSE'
    $domain = [ADSI]('LDAP://' + [string]$rootDse.Properties['defaultNamingContext'][0])
    @{
        min_length = [int]$domain.Properties['minPwdLength'][0]
        # DOMAIN_PASSWORD_COMPLEX is bit 0 of pwdProperties.
        complexity = [bool]([int]$domain.Properties['pwdProperties'][0] -band 1)
    }
}

Export-ModuleMember -Function Get-DomainUserReport, Set-DomainUser, New-DomainUser,
    Set-DomainUserPassword, Remove-DomainUser, Add-DomainGroupMember, Test-DomainUserPassword,
    Get-DomainPasswordPolicy
