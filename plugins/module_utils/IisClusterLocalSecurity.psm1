# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.AccessToken
#AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors

# The host's own security: names, S4U logon tokens, password logons, local groups and user rights.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# NameTranslate (ADS_NAME_INITTYPE_GC; ADS_NAME_TYPE_CANONICAL and ADS_NAME_TYPE_NT4).
$ADS_NAME_INITTYPE_GC = 3
$ADS_NAME_TYPE_CANONICAL = 2
$ADS_NAME_TYPE_NT4 = 3
$ERROR_NOT_SUPPORTED = 50

# An S4U logon token for a domain account (Kerberos protocol transition: it needs no password,
# and no credential of the caller travels, so no second hop). WindowsIdentity takes the user's
# principal name; sAMAccountName@dns.domain is its implicit form, with the DNS name of the
# account's own domain (NameTranslate's canonical name starts with it), not this host's: a trusted
# domain's user keeps its domain. Kerberos cannot log on a local account, and the host's domain
# would answer for a namesake instead, so a local account is refused.
Function New-S4uIdentity {
    param([string]$Account)

    $user = $Account
    if ($Account.Contains('\')) {
        $authority, $name = $Account.Split('\', 2)
        if ($authority -eq $env:COMPUTERNAME) {
            throw [System.ComponentModel.Win32Exception]::new($ERROR_NOT_SUPPORTED,
                "$Account is a local account: an S4U logon (Kerberos) can only build a domain account's token")
        }
        $translate = New-Object -ComObject NameTranslate
        $invoke = [System.Reflection.BindingFlags]::InvokeMethod
        $null = $translate.GetType().InvokeMember('Init', $invoke, $null, $translate, @($ADS_NAME_INITTYPE_GC, ''))
        $null = $translate.GetType().InvokeMember('Set', $invoke, $null, $translate, @($ADS_NAME_TYPE_NT4, $Account))
        $canonical = [string]$translate.GetType().InvokeMember('Get', $invoke, $null, $translate, @($ADS_NAME_TYPE_CANONICAL))
        $user = '{0}@{1}' -f $name, $canonical.Split('/')[0]
    }
    [System.Security.Principal.WindowsIdentity]::new($user)
}

$Principals = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity.Principals]
$LocalGroups = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity.LocalGroups]
$UserRights = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity.UserRights]
$ERROR_NO_SUCH_USER = 1317
$NERR_GroupNotFound = 2220
$SID_TYPE_USER = 1
# SID_NAME_USE as the contract names it; a computer account (9) is a user.
$PRINCIPAL_KINDS = @{ 1 = 'user'; 2 = 'group'; 4 = 'alias'; 5 = 'well_known'; 9 = 'user' }

Function ConvertTo-PrincipalReport {
    param([Object]$Principal)

    $kind = $PRINCIPAL_KINDS[[int]$Principal.Use]
    @{ sid = $Principal.Sid; name = $Principal.Name; kind = if ($kind) { $kind } else { 'unknown' } }
}

# account_lookup: the principal a name maps to here, $null when none.
Function Get-AccountReport {
    param([string]$Name)

    $principal = $Principals::FromName($Name)
    if ($null -eq $principal) { $null } else { ConvertTo-PrincipalReport -Principal $principal }
}

# account_token_get: the groups of an S4U logon token for a user.
Function Get-AccountTokenReport {
    param([string]$Name)

    $principal = $Principals::FromName($Name)
    if ($null -eq $principal) {
        return $null
    }
    if ($principal.Use -ne $SID_TYPE_USER) {
        throw [System.ComponentModel.Win32Exception]::new($ERROR_NO_SUCH_USER)
    }
    $identity = New-S4uIdentity -Account $principal.Name
    try {
        $report = ConvertTo-PrincipalReport -Principal $principal
        $report.groups = @(foreach ($group in $identity.Groups) {
                ConvertTo-PrincipalReport -Principal ($Principals::FromSid($group.Value))
            })
        $report
    }
    finally {
        $identity.Dispose()
    }
}

# The members of a local group, each as a principal.
Function Get-LocalGroupMemberReport {
    param([string]$Group)

    foreach ($member in $LocalGroups::GetMembers($Group)) {
        ConvertTo-PrincipalReport -Principal $member
    }
}

# local_group_members_get: the group and its members. NetLocalGroupGetMembers fails first for a
# group that does not exist (NERR_GroupNotFound).
Function Get-LocalGroupReport {
    param([string]$Group)

    $members = @(Get-LocalGroupMemberReport -Group $Group)
    $report = ConvertTo-PrincipalReport -Principal ($Principals::FromName($Group))
    $report.members = $members
    $report
}

# local_group_member_add: a principal, by SID, joins a local group.
Function Add-LocalGroupMemberBySid {
    param([string]$Group, [string]$Sid)

    $LocalGroups::AddMember($Group, $Sid)
}

# local_group_member_remove: a principal, by SID, leaves a local group.
Function Remove-LocalGroupMemberBySid {
    param([string]$Group, [string]$Sid)

    $LocalGroups::RemoveMember($Group, $Sid)
}

# user_rights_get: the holders of a right, and the members of each holder that is a local group
# of this host (a domain local group seen from a member server is an alias too, but not one
# NetLocalGroupGetMembers knows here: it keeps no members).
Function Get-UserRightReport {
    param([string]$Right)

    $holders = foreach ($sid in $UserRights::GetHolders($Right)) {
        $holder = ConvertTo-PrincipalReport -Principal ($Principals::FromSid($sid))
        if ($holder.kind -eq 'alias') {
            try {
                $holder.members = @(Get-LocalGroupMemberReport -Group ($holder.name.Split('\')[-1]))
            }
            catch {
                $windows = Get-InnermostException -Exception $_.Exception
                if ($windows -isnot [System.ComponentModel.Win32Exception] -or
                    $windows.NativeErrorCode -ne $NERR_GroupNotFound) {
                    throw
                }
            }
        }
        $holder
    }
    @{ right = $Right; holders = @($holders) }
}

# user_right_grant: a principal, by SID, is granted a user right.
Function Grant-UserRight {
    param([string]$Right, [string]$Sid)

    $UserRights::Grant($Right, $Sid)
}

# LogonUser's answer for an account and password with a logon type: $null when the logon
# succeeds, else the Windows error. The token is closed at once.
Function Test-AccountLogon {
    param([string]$Name, [string]$Password, [Ansible.AccessToken.LogonType]$LogonType)

    $domain, $account = if ($Name.Contains('\')) { $Name.Split('\', 2) } else { $null, $Name }
    if ($null -eq $domain -and -not $Name.Contains('@')) {
        $domain = '.'
    }
    try {
        $token = [Ansible.AccessToken.TokenUtil]::LogonUser($account, $domain, $Password, $LogonType,
            [Ansible.AccessToken.LogonProvider]::Default)
        $token.Dispose()
        $null
    }
    catch {
        $windows = Get-InnermostException -Exception $_.Exception
        if ($windows -isnot [System.ComponentModel.Win32Exception]) {
            throw
        }
        @{ code = [uint32]$windows.NativeErrorCode; message = $windows.Message.Trim() }
    }
}

# account_logon_check: LogonUser for an account and password with a named logon type, so that a
# password is proven on the host before anything stores it.
# network_cleartext is IIS 7+'s logon for anonymousAuthentication logonMethod ClearText
# (LOGON32_LOGON_NETWORK_CLEARTEXT: "Access this computer from the network"); service is WAS's for a
# pool with processModel logonType LogonService (LOGON32_LOGON_SERVICE: "Log on as a service").
$LOGON_TYPE_OF_NAME = @{
    interactive = [Ansible.AccessToken.LogonType]::Interactive
    batch = [Ansible.AccessToken.LogonType]::Batch
    network = [Ansible.AccessToken.LogonType]::Network
    network_cleartext = [Ansible.AccessToken.LogonType]::NetworkCleartext
    service = [Ansible.AccessToken.LogonType]::Service
}

Function Test-AccountLogonOfType {
    param([string]$Name, [string]$Password, [string]$LogonType)

    if (-not $LOGON_TYPE_OF_NAME.ContainsKey($LogonType)) {
        throw [System.ArgumentException]::new("logon_type must be interactive, batch, network, network_cleartext or service")
    }
    Test-AccountLogon -Name $Name -Password $Password -LogonType $LOGON_TYPE_OF_NAME[$LogonType]
}

Export-ModuleMember -Function New-S4uIdentity, ConvertTo-PrincipalReport, Get-AccountReport, Get-AccountTokenReport,
    Test-AccountLogon, Test-AccountLogonOfType,
    Get-LocalGroupReport, Add-LocalGroupMemberBySid, Remove-LocalGroupMemberBySid,
    Get-UserRightReport, Grant-UserRight
