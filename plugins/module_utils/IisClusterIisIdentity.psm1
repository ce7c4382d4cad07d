# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.AccessToken
#AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterHostFacts
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabase
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabaseSearch
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterComPlus

# The identities IIS uses: anonymous logons at metabase keys, account logons, and the COM+
# applications synciwam.vbs sets.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

$Principals = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity.Principals]

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

# anonymous_logon_check: the anonymous identity in effect at a key and what LogonUser answers
# for it, with the logon type IIS uses there. ADSI's Get gives the effective values (inherited or
# the schema's default), the password included for an administrator; it never leaves the host.
# With -User and -Password, the logon IIS would make once they are stored at the key with
# password sync off: the proof made before they are written.
Function Test-AnonymousLogon {
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
    $principal = $Principals::FromName($user)
    @{
        path = Get-CanonicalAdsiPath -Path $Path
        user = $user
        account = if ($null -eq $principal) { $null } else { $principal.Name }
        password_sync = $sync
        logon_method = $method
        exists = $null -ne $principal
        logon_error = Test-AccountLogon -Name $user -Password $password -LogonType $LOGON_TYPE_OF_METHOD[$method]
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

# isolated application's).
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
    $anonymous = @(foreach ($service in $services) {
            foreach ($path in @(Get-RequestKeyPath -Key $service.key -Path $service.path)) {
                Test-AnonymousLogon -Path $path
            }
        })
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

Export-ModuleMember -Function Test-AnonymousLogon, Test-AccountLogonOfType, Test-IisIdentity
