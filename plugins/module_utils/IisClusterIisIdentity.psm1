# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.AccessToken
#AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterHostFacts
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterLocalSecurity
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabase
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabaseSearch
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterComPlus

# The identities IIS uses: anonymous logons at metabase keys, account logons, and the COM+
# applications synciwam.vbs sets.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

$Principals = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity.Principals]

# LogonUser's answer for a disabled account.
$ERROR_ACCOUNT_DISABLED = 1331
# HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND): a metabase key that does not exist.
$ERROR_PATH_NOT_FOUND_HRESULT = 0x80070003
# COM+ "IIS Out-Of-Process Pooled Applications", where every pooled application runs.
$POOLED_PACKAGE_ID = '{3D14228D-FBE1-11D0-995D-00C04FD919C1}'
# LogonUser's logon type for each LogonMethod (MD_LOGON_INTERACTIVE, _BATCH, _NETWORK,
# _NETWORK_CLEARTEXT).
$LOGON_TYPE_OF_METHOD = @{
    0 = [Ansible.AccessToken.LogonType]::Interactive
    1 = [Ansible.AccessToken.LogonType]::Batch
    2 = [Ansible.AccessToken.LogonType]::Network
    3 = [Ansible.AccessToken.LogonType]::NetworkCleartext
}

# The anonymous identity in effect at a key: ADSI's Get gives the effective values (inherited or
# the schema's default), the password included for an administrator; it never leaves the host.
# With -User and -Password, the identity once they are stored at the key with password sync off.
Function Get-AnonymousIdentity {
    param([string]$Path, [string]$User, [AllowNull()][string]$Password)

    $key = Get-MetabaseKey -Path $Path
    $known = @(Get-MetabaseClassProperty -Key $key)
    $userProperty = Resolve-MetabasePropertyName -Known $known -Name 'AnonymousUserName'
    if ($User) {
        $sync = $false
    }
    else {
        $User = [string]$key.Get($userProperty)
        $Password = [string]$key.Get('AnonymousUserPass')
        # Only IIS 5 registers the password sync sub-authenticator: IIS 6 and later never sync.
        $iisVersion = Get-IisVersion
        $sync = [bool]$key.Get('AnonymousPasswordSync') -and $null -ne $iisVersion -and
            [version]$iisVersion -lt [version]'6.0'
    }
    # PowerShell's names ignore case: $user and $password below are these parameters.
    # The FTP service logs users on interactively; its keys have no LogonMethod.
    $method = if ($known -contains 'LogonMethod') { [int]$key.Get('LogonMethod') } else { 0 }
    @{
        path = Get-CanonicalAdsiPath -Path $Path
        user = $user
        password = $password
        password_sync = $sync
        logon_method = $method
    }
}

# What LogonUser answers for an anonymous identity, with the logon type IIS uses for it; the
# password is not in the answer.
Function Get-AnonymousLogonOutcome {
    param([hashtable]$Identity)

    $principal = $Principals::FromName($Identity.user)
    @{
        user = $Identity.user
        account = if ($null -eq $principal) { $null } else { $principal.Name }
        password_sync = $Identity.password_sync
        logon_method = $Identity.logon_method
        exists = $null -ne $principal
        logon_error = Test-AccountLogon -Name $Identity.user -Password $Identity.password `
            -LogonType $LOGON_TYPE_OF_METHOD[$Identity.logon_method]
    }
}

# anonymous_logon_check: the anonymous identity in effect at a key and what LogonUser answers
# for it, with the logon type IIS uses there. With -User and -Password, the logon IIS would make
# once they are stored at the key with password sync off: the proof made before they are written.
Function Test-AnonymousLogon {
    param([string]$Path, [string]$User, [AllowNull()][string]$Password)

    $identity = Get-AnonymousIdentity -Path $Path -User $User -Password $Password
    $outcome = Get-AnonymousLogonOutcome -Identity $identity
    $outcome['path'] = $identity.path
    $outcome
}

# Whose accounts this host's own database holds: the domain's on a domain controller (it has no
# other), the computer's on any other host. IIS's password sync sub-authenticator knows the
# passwords of these accounts only.
Function Get-OwnAccountAuthority {
    $computer = Get-CimInstance -ClassName Win32_ComputerSystem
    if ([int]$computer.DomainRole -in @(4, 5)) {
        Get-JoinedDomainName
    }
    else {
        $computer.Name
    }
}

# Whether IIS's anonymous logon works for an outcome of Get-AnonymousLogonOutcome: with password
# sync, IIS logs on the enabled accounts of the host's own database without the stored password;
# otherwise LogonUser with the stored password must succeed.
Function Test-AnonymousLogonWork {
    param([hashtable]$Outcome, [string]$OwnAuthority)

    if (-not $Outcome.password_sync) {
        return $null -eq $Outcome.logon_error
    }
    $authority = if ($Outcome.account) { $Outcome.account.Split('\')[0] } else { $null }
    $authority -eq $OwnAuthority -and ($null -eq $Outcome.logon_error -or
        $Outcome.logon_error.code -ne $ERROR_ACCOUNT_DISABLED)
}

# The keys where IIS logs an anonymous user on: every content key of a web site and every FTP site.
$REQUEST_KEY_CLASSES = @('IIsWebVirtualDir', 'IIsWebDirectory', 'IIsFtpServer')

Function Get-RequestKeyPath {
    param([Object]$Key, [string]$Path)

    foreach ($child in @($Key.psbase.Children)) {
        $childPath = "$Path/$($child.psbase.Name)"
        if ($REQUEST_KEY_CLASSES -contains $child.psbase.SchemaClassName) {
            $childPath
        }
        Get-RequestKeyPath -Key $child -Path $childPath
    }
}

# The anonymous identities of every key a request reaches, each distinct one (same user, stored
# password, LogonMethod and password sync) logged on once, so that a node with thousands of keys
# makes as many logons as it has identities (and a wrong password counts once toward a lockout):
# the identities with their outcome, the keys where a logon fails (identity: an index into
# identities) and how many keys log on. The passwords are compared here and never leave the host.
Function Get-AnonymousIdentityReport {
    param([Object[]]$Services)

    $own = Get-OwnAccountAuthority
    $identities = [System.Collections.Generic.List[hashtable]]::new()
    # Ordinal: passwords that differ only in case are different passwords.
    $indexOf = [System.Collections.Generic.Dictionary[string, int]]::new([StringComparer]::Ordinal)
    $failing = [System.Collections.Generic.List[hashtable]]::new()
    $passing = 0
    foreach ($service in $Services) {
        foreach ($path in @(Get-RequestKeyPath -Key $service.key -Path $service.path)) {
            $identity = Get-AnonymousIdentity -Path $path
            # NUL separates the parts: no account name holds one, and the password comes last.
            $id = '{0}{1}{2}{1}{3}{1}{4}' -f $identity.logon_method, [char]0, $identity.password_sync,
                ([string]$identity.user).ToLowerInvariant(), $identity.password
            if (-not $indexOf.ContainsKey($id)) {
                $outcome = Get-AnonymousLogonOutcome -Identity $identity
                $outcome['works'] = Test-AnonymousLogonWork -Outcome $outcome -OwnAuthority $own
                $outcome['keys'] = 0
                $outcome['at'] = [System.Collections.Generic.List[string]]::new()
                $indexOf[$id] = $identities.Count
                $identities.Add($outcome)
            }
            $index = $indexOf[$id]
            $entry = $identities[$index]
            $entry['keys'] += 1
            # Request keys come parents first: a key below none listed yet is a topmost one.
            $below = $false
            foreach ($top in $entry.at) {
                if ($identity.path.StartsWith("$top/", [StringComparison]::OrdinalIgnoreCase)) {
                    $below = $true
                }
            }
            if (-not $below) {
                $entry.at.Add($identity.path)
            }
            if ($entry.works) {
                $passing += 1
            }
            else {
                $failing.Add(@{ path = $identity.path; user = $identity.user; identity = $index })
            }
        }
    }
    foreach ($entry in $identities) {
        $entry['at'] = $entry.at.ToArray()
    }
    @{ identities = $identities.ToArray(); failing = $failing.ToArray(); passing = $passing }
}

# iis_identities_check: whether every identity IIS uses on this host logs on, the anonymous users
# of its request keys and the COM+ identities of its out-of-process applications (the pooled
# package and every isolated application's).
Function Test-IisIdentity {
    # IIS 6 installs the FTP service only when chosen: a service without its key has no sites.
    $services = @(foreach ($service in @('W3SVC', 'MSFTPSVC')) {
            try {
                @{ path = $service; key = Get-MetabaseKey -Path $service }
            }
            catch {
                if ((ConvertTo-WindowsError -Exception $_.Exception).code -ne $ERROR_PATH_NOT_FOUND_HRESULT) {
                    throw
                }
            }
        })
    $anonymous = Get-AnonymousIdentityReport -Services $services
    $packages = @($POOLED_PACKAGE_ID) + @(Get-MetabaseApplication -Path 'W3SVC' | Where-Object {
            $_.app_isolated -eq 1 -and $_.app_package_id
        } | ForEach-Object { $_.app_package_id })
    $catalog = New-Object -ComObject COMAdmin.COMAdminCatalog
    $applications = Get-ComPlusCollection -Catalog $catalog -Name 'Applications'
    $report = @(foreach ($application in $applications) {
            $id = [string]$application.Key
            if (@($packages | Where-Object { $_ -eq $id }).Count -eq 0) {
                continue
            }
            @{
                id = $id
                name = [string]$application.Name
                identity = [string]$application.Value('Identity')
                start_error = Test-ComApplicationStart -Catalog $catalog -Id $id
            }
        })
    @{
        wam_user = [string](Get-MetabaseKey -Path 'W3SVC').Get('WAMUserName')
        anonymous = $anonymous
        applications = $report
    }
}

Export-ModuleMember -Function Test-AnonymousLogon, Test-IisIdentity
