# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity
#AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.ServiceAccounts
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterLocalSecurity

# Group managed service accounts (gMSA): on a node, whether it may use one (what
# Test-ADServiceAccount asks); on a domain controller, the KDS root key and the accounts
# themselves, over System.DirectoryServices (LDAP) as New-ADServiceAccount and
# Set-ADServiceAccount write them.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

$ServiceAccount = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.ServiceAccounts.ServiceAccount]
$MsaState = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.ServiceAccounts.MsaState]
$Principals = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity.Principals]

$GMSA_CLASS = 'msDS-GroupManagedServiceAccount'
# A gMSA's sAMAccountName is a computer's: up to 15 characters before the '$'.
$GMSA_NAME = [regex]'^[A-Za-z0-9_-]{1,15}$'
$ERROR_ACCESS_DENIED = 5
$ERROR_NO_SUCH_USER = 1317
$ERROR_NONE_MAPPED = 1332
$UF_ACCOUNTDISABLE = 0x2
# New-ADServiceAccount creates a gMSA as a workstation trust account with a 30-day password.
$UF_WORKSTATION_TRUST_ACCOUNT = 0x1000
$MANAGED_PASSWORD_INTERVAL_DAYS = 30
# msDS-GroupMSAMembership as New-ADServiceAccount -PrincipalsAllowedToRetrieveManagedPassword
# writes it: owner BUILTIN\Administrators, one allow ACE with this mask for each principal.
$RETRIEVE_PASSWORD_MASK = '0x1f01ff'
# NTE_NO_KEY 0x8009000D ("Key does not exist", what New-ADServiceAccount reports without a usable
# KDS root key); ERROR_OBJECT_ALREADY_EXISTS as an HRESULT 0x80071392 (5010, the directory's
# answer for a name taken); ERROR_DS_NO_SUCH_OBJECT as an HRESULT 0x80072030 ("There is no such
# object on the server.").
$NTE_NO_KEY = -2146893811
$ERROR_OBJECT_ALREADY_EXISTS_HRESULT = -2147019886
$ERROR_DS_NO_SUCH_OBJECT_HRESULT = -2147016656
$KDS_ROOT_KEYS = 'CN=Master Root Keys,CN=Group Key Distribution Service,CN=Services,'

# The sAMAccountName without its '$' (the contract accepts both); E_INVALIDARG for another shape.
Function Get-GmsaBaseName {
    param([string]$Name)

    $base = if ($Name.EndsWith('$')) { $Name.Substring(0, $Name.Length - 1) } else { $Name }
    if (-not $GMSA_NAME.IsMatch($base)) {
        throw [System.ArgumentException]::new(
            "gMSA name '$Name' must be 1 to 15 letters, digits, '-' or '_', with or without a final '$'")
    }
    $base
}

# gmsa_check: whether the gMSA exists and this computer may retrieve its managed password, and if
# not, why: 1317 ERROR_NO_SUCH_USER when the domain has no such managed service account, 5
# ERROR_ACCESS_DENIED when this computer is not among its PrincipalsAllowedToRetrieveManagedPassword
# (directly or through a group its Kerberos ticket already carries).
Function Test-GmsaRetrieval {
    param([string]$Name)

    $account = (Get-GmsaBaseName -Name $Name) + '$'
    $state = $ServiceAccount::QueryState($account)
    $exists = $state -notin @($MsaState::NotExist, $MsaState::NotService)
    $canRetrieve = $exists -and $state -ne $MsaState::CannotInstall -and $ServiceAccount::CanUse($account)
    $reason = if (-not $exists) {
        @{ code = $ERROR_NO_SUCH_USER
            message = "$([System.ComponentModel.Win32Exception]::new($ERROR_NO_SUCH_USER).Message) ($account`: MSA_INFO_STATE $state)" }
    }
    elseif (-not $canRetrieve) {
        @{ code = $ERROR_ACCESS_DENIED
            message = "$([System.ComponentModel.Win32Exception]::new($ERROR_ACCESS_DENIED).Message) This computer may not retrieve the managed password of $account (MSA_INFO_STATE $state)." }
    }
    @{ exists = $exists; can_retrieve = $canRetrieve; error = $reason }
}

Function Get-NamingContext {
    param([string]$Name)

    [string]([ADSI]'LDAP://RootDSE').Properties[$Name][0]
}

# kds_root_key_get: the forest's KDS root keys (msKds-ProvRootKey in the configuration partition);
# one is usable once its msKds-UseStartTime has passed (Add-KdsRootKey's keys: 10 hours after
# creation unless back-dated). A forest that never had one may lack the container (0x80072030).
Function Get-KdsRootKeyReport {
    $container = [ADSI]('LDAP://' + $KDS_ROOT_KEYS + (Get-NamingContext -Name 'configurationNamingContext'))
    $searcher = [System.DirectoryServices.DirectorySearcher]::new($container, '(objectClass=msKds-ProvRootKey)',
        [string[]]@('msKds-UseStartTime'), [System.DirectoryServices.SearchScope]::OneLevel)
    $starts = @(try {
            foreach ($result in $searcher.FindAll()) { [long]$result.Properties['msKds-UseStartTime'][0] }
        }
        catch {
            if ((ConvertTo-WindowsError -Exception $_.Exception).code -ne (ConvertTo-UInt32 -Value $ERROR_DS_NO_SUCH_OBJECT_HRESULT)) {
                throw
            }
        })
    $now = [DateTime]::UtcNow.ToFileTimeUtc()
    @{ exists = $starts.Count -gt 0; usable = @($starts | Where-Object { $_ -le $now }).Count -gt 0 }
}

# The directory entry of the account with this sAMAccountName (of the gMSA class when asked), or $null.
Function Find-AccountEntry {
    param([string]$SamAccountName, [string]$Class)

    $filter = "(sAMAccountName=$SamAccountName)"
    if ($Class) {
        $filter = "(&(objectClass=$Class)$filter)"
    }
    $domain = [ADSI]('LDAP://' + (Get-NamingContext -Name 'defaultNamingContext'))
    $result = [System.DirectoryServices.DirectorySearcher]::new($domain, $filter).FindOne()
    if ($null -eq $result) { $null } else { $result.GetDirectoryEntry() }
}

# The principals allowed to retrieve the password, from msDS-GroupMSAMembership's allow ACEs.
Function Get-GmsaPrincipal {
    param([Object]$Entry)

    $bytes = $Entry.psbase.Properties['msDS-GroupMSAMembership'].Value
    if ($null -eq $bytes) {
        return
    }
    $descriptor = [System.Security.AccessControl.RawSecurityDescriptor]::new([byte[]]$bytes, 0)
    foreach ($ace in $descriptor.DiscretionaryAcl) {
        if ($ace.AceType -eq [System.Security.AccessControl.AceType]::AccessAllowed) {
            ConvertTo-PrincipalReport -Principal ($Principals::FromSid($ace.SecurityIdentifier.Value))
        }
    }
}

# gmsa_get: the gMSA, or $null when there is none of that name.
Function Get-GmsaReport {
    param([string]$Name)

    $entry = Find-AccountEntry -SamAccountName ((Get-GmsaBaseName -Name $Name) + '$') -Class $GMSA_CLASS
    if ($null -eq $entry) {
        return $null
    }
    $properties = $entry.psbase.Properties
    @{
        name = ([string]$properties['sAMAccountName'].Value).TrimEnd('$')
        sid = [System.Security.Principal.SecurityIdentifier]::new([byte[]]$properties['objectSid'].Value, 0).Value
        dns_host_name = [string]$properties['dNSHostName'].Value
        enabled = -not ([int]$properties['userAccountControl'].Value -band $UF_ACCOUNTDISABLE)
        principals = @(Get-GmsaPrincipal -Entry $entry)
    }
}

# msDS-GroupMSAMembership granting these principals (SIDs, or names LookupAccountName knows:
# computers as NAME$, groups) the right to retrieve the password. An unknown name fails with 1332.
Function ConvertTo-GmsaMembership {
    param([string[]]$Members)

    $aces = foreach ($member in $Members) {
        $sid = if ($member -match '^S-1-') {
            [System.Security.Principal.SecurityIdentifier]::new($member).Value
        }
        else {
            $principal = $Principals::FromName($member)
            if ($null -eq $principal) {
                throw [System.ComponentModel.Win32Exception]::new($ERROR_NONE_MAPPED,
                    "$([System.ComponentModel.Win32Exception]::new($ERROR_NONE_MAPPED).Message) ($member)")
            }
            $principal.Sid
        }
        "(A;;$RETRIEVE_PASSWORD_MASK;;;$sid)"
    }
    $descriptor = [System.Security.AccessControl.RawSecurityDescriptor]::new('O:BAD:' + ($aces -join ''))
    $bytes = [byte[]]::new($descriptor.BinaryLength)
    $descriptor.GetBinaryForm($bytes, 0)
    , $bytes
}

# gmsa_add: a gMSA in CN=Managed Service Accounts, as New-ADServiceAccount makes it. Refused with
# NTE_NO_KEY when the domain has no usable KDS root key (no managed password could be derived),
# with ERROR_OBJECT_ALREADY_EXISTS when an account has the name.
Function New-Gmsa {
    param([string]$Name, [string]$DnsHostName, [string[]]$Members)

    $base = Get-GmsaBaseName -Name $Name
    if (-not (Get-KdsRootKeyReport).usable) {
        throw [System.Runtime.InteropServices.COMException]::new(
            'Key does not exist. The domain has no usable KDS root key (Add-KdsRootKey; usable 10 hours later).', $NTE_NO_KEY)
    }
    if ($null -ne (Find-AccountEntry -SamAccountName ($base + '$'))) {
        throw [System.Runtime.InteropServices.COMException]::new("The object already exists. ($base`$)",
            $ERROR_OBJECT_ALREADY_EXISTS_HRESULT)
    }
    $membership = ConvertTo-GmsaMembership -Members $Members
    $container = [ADSI]('LDAP://CN=Managed Service Accounts,' + (Get-NamingContext -Name 'defaultNamingContext'))
    $entry = $container.psbase.Children.Add("CN=$base", $GMSA_CLASS)
    $properties = $entry.psbase.Properties
    $properties['sAMAccountName'].Value = $base + '$'
    $properties['dNSHostName'].Value = $DnsHostName
    $properties['userAccountControl'].Value = $UF_WORKSTATION_TRUST_ACCOUNT
    $properties['msDS-ManagedPasswordInterval'].Value = $MANAGED_PASSWORD_INTERVAL_DAYS
    $properties['msDS-GroupMSAMembership'].Value = $membership
    $entry.psbase.CommitChanges()
}

# gmsa_set_principals: msDS-GroupMSAMembership replaced by one granting exactly these principals.
Function Set-GmsaPrincipal {
    param([string]$Name, [string[]]$Members)

    $entry = Find-AccountEntry -SamAccountName ((Get-GmsaBaseName -Name $Name) + '$') -Class $GMSA_CLASS
    if ($null -eq $entry) {
        throw [System.Runtime.InteropServices.COMException]::new('There is no such object on the server.',
            $ERROR_DS_NO_SUCH_OBJECT_HRESULT)
    }
    $entry.psbase.Properties['msDS-GroupMSAMembership'].Value = ConvertTo-GmsaMembership -Members $Members
    $entry.psbase.CommitChanges()
}

Export-ModuleMember -Function Test-GmsaRetrieval, Get-KdsRootKeyReport, Get-GmsaReport, New-Gmsa, Set-GmsaPrincipal
