# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.AccessToken
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterWebConfig
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterConfigKeys

# IIS 7-10 Shared Configuration, done the way that works on every IIS from 7.5 (Server 2008 R2) to
# 10: IISAdministration's Export-IISConfiguration / Enable-IISSharedConfig exist only on Server
# 2016 and later. redirection.config's <configurationRedirection> is read and written through
# Microsoft.Web.Administration (ServerManager.GetRedirectionConfiguration(); MWA encrypts the
# reader's password with redirection.config's provider, as IIS Manager does); the keys travel as
# IisClusterConfigKeys.psm1 moves them. The share is read as the reader, logged on with a batch
# logon as IIS logs it on: its network credentials reach the share, so the caller's never have to
# (no second hop); the export writes as the caller.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

$CONFIG_DIRECTORY = Join-Path -Path $env:windir -ChildPath 'system32\inetsrv\config'
# What Export-IISConfiguration writes, and what a node reads from the share.
$EXPORTED_FILES = @('applicationHost.config', 'administration.config')
$KEY_FILE = 'configEncKey.key'
$ERROR_BAD_PATHNAME = 161

# redirection.config's <configurationRedirection> section.
Function Get-RedirectionSection {
    param([Object]$Manager)

    $Manager.GetRedirectionConfiguration().GetSection('configurationRedirection')
}

# The folder this node reads its configuration from: the share while redirection is enabled.
Function Get-ConfigurationFolder {
    param([Object]$Section)

    if ([bool]$Section.GetAttributeValue('enabled')) { [string]$Section.GetAttributeValue('path') } else { $CONFIG_DIRECTORY }
}

# $null when this node decrypts every encrypted attribute IIS needs of the configuration it reads
# (the pools' passwords, the anonymous users' at every location), else Windows' error: 0x80090005
# when the keys were not imported.
Function Test-ConfigurationDecrypt {
    param([Object]$Manager)

    try {
        $configuration = $Manager.GetApplicationHostConfiguration()
        foreach ($pool in $configuration.GetSection('system.applicationHost/applicationPools').GetCollection()) {
            $null = $pool.GetChildElement('processModel').GetAttributeValue('password')
        }
        $locations = @('') + @($configuration.GetLocationPaths())
        foreach ($location in $locations) {
            $section = if ($location) {
                $configuration.GetSection('system.webServer/security/authentication/anonymousAuthentication', $location)
            }
            else {
                $configuration.GetSection('system.webServer/security/authentication/anonymousAuthentication')
            }
            $null = $section.GetAttributeValue('password')
        }
        $null
    }
    catch {
        $windows = Get-InnermostException -Exception $_.Exception
        if ($windows -isnot [System.Runtime.InteropServices.COMException]) {
            throw
        }
        ConvertTo-WindowsError -Exception $windows
    }
}

# Whether Offline Files is on and caches the path (Microsoft's advice for a share WAS must read
# after a restart while the share is down).
Function Test-OfflineFilesCache {
    param([AllowNull()][string]$Path)

    if (-not $Path) {
        return $false
    }
    try {
        $cache = Get-CimInstance -ClassName Win32_OfflineFilesCache
    }
    catch [Microsoft.Management.Infrastructure.CimException] {
        # A server without the Offline Files feature (Server Core, most servers) has no such class.
        if ($_.Exception.NativeErrorCode -eq [Microsoft.Management.Infrastructure.NativeErrorCode]::InvalidClass) {
            return $false
        }
        throw
    }
    if ($null -eq $cache -or -not $cache.Enabled) {
        return $false
    }
    $escaped = $Path.Replace('\', '\\').Replace("'", "\'")
    $null -ne (Get-CimInstance -ClassName Win32_OfflineFilesItem -Filter "ItemPath = '$escaped'")
}

# shared_config_get.
Function Get-SharedConfigReport {
    param([AllowNull()][string]$Secret)

    $manager = Get-IisServerManager
    $section = Get-RedirectionSection -Manager $manager
    $enabled = [bool]$section.GetAttributeValue('enabled')
    $path = [string]$section.GetAttributeValue('path')
    $user = [string]$section.GetAttributeValue('userName')
    $passwordMatches = $null
    if ($null -ne $Secret -and $user) {
        # MWA decrypts the stored password; it is compared here and never leaves the host.
        $passwordMatches = [string]$section.GetAttributeValue('password') -ceq $Secret
    }
    @{
        enabled = $enabled
        path = if ($path) { $path } else { $null }
        user_name = if ($user) { $user } else { $null }
        password_matches = $passwordMatches
        decrypt_error = Test-ConfigurationDecrypt -Manager $manager
        offline_files = $enabled -and (Test-OfflineFilesCache -Path $path)
    }
}

# A Win32 code for an exception of a file API: the low word of an HRESULT_FROM_WIN32, so that
# "network path not found" is 53 and "access denied" 5, as the contract names them.
Function ConvertTo-FileError {
    param([System.Exception]$Exception)

    $reported = ConvertTo-WindowsError -Exception $Exception
    if (($reported.code -band 0xFFFF0000) -eq 0x80070000) {
        $reported.code = [uint32]($reported.code -band 0xFFFF)
    }
    $reported
}

# A batch logon of `User`, impersonated on this thread until Exit-Reader: the share is read as
# IIS reads it.
Function Enter-Reader {
    param([string]$User, [string]$Password)

    $domain, $account = if ($User.Contains('\')) { $User.Split('\', 2) } else { $null, $User }
    if ($null -eq $domain -and -not $User.Contains('@')) {
        $domain = '.'
    }
    $token = [Ansible.AccessToken.TokenUtil]::LogonUser($account, $domain, $Password,
        [Ansible.AccessToken.LogonType]::Batch, [Ansible.AccessToken.LogonProvider]::Default)
    try {
        $identity = [System.Security.Principal.WindowsIdentity]::new($token.DangerousGetHandle())
    }
    finally {
        # WindowsIdentity holds a duplicate of the token.
        $token.Dispose()
    }
    @{ identity = $identity; context = $identity.Impersonate() }
}

Function Exit-Reader {
    param([hashtable]$Reader)

    $Reader.context.Undo()
    $Reader.identity.Dispose()
}

# unc_read_check: whether `User` reads `Path` from this node as IIS does, and the files there.
Function Test-UncRead {
    param([string]$Path, [string]$User, [string]$Password)

    if (-not $Path.StartsWith('\\')) {
        # IIS reads a shared configuration from a UNC path only.
        return @{ error = ConvertTo-WindowsError -Exception ([System.ComponentModel.Win32Exception]::new($ERROR_BAD_PATHNAME)); files = @() }
    }
    try {
        $reader = Enter-Reader -User $User -Password $Password
        try {
            $files = @([System.IO.Directory]::GetFiles($Path) | ForEach-Object { [System.IO.Path]::GetFileName($_) })
        }
        finally {
            Exit-Reader -Reader $reader
        }
        @{ error = $null; files = $files }
    }
    catch {
        $windows = Get-InnermostException -Exception $_.Exception
        if ($windows -isnot [System.ComponentModel.Win32Exception] -and $windows -isnot [System.IO.IOException] -and
            $windows -isnot [System.UnauthorizedAccessException]) {
            throw
        }
        @{ error = ConvertTo-FileError -Exception $windows; files = @() }
    }
}

# shared_config_export: the configuration files this node reads and its keys into `Path`, as the caller.
Function Export-SharedConfig {
    param([string]$Path, [string]$KeyPassword)

    $manager = Get-IisServerManager
    $folder = Get-ConfigurationFolder -Section (Get-RedirectionSection -Manager $manager)
    # The keys first: a key that cannot be exported fails the op before the share changes.
    $protected = Export-ConfigurationKey -Manager $manager -Folder $folder -Password $KeyPassword
    foreach ($name in $EXPORTED_FILES) {
        [System.IO.File]::Copy((Join-Path -Path $folder -ChildPath $name), (Join-Path -Path $Path -ChildPath $name), $true)
    }
    [System.IO.File]::WriteAllBytes((Join-Path -Path $Path -ChildPath $KEY_FILE), $protected)
}

# shared_config_enable: the shared keys imported (this node's own saved first, once), then
# redirection.config pointing at `Path` with the reader, in one commit.
Function Enable-SharedConfig {
    param([string]$Path, [string]$User, [string]$Password, [string]$KeyPassword)

    # Read as the reader, as IIS will; a wrong key-encryption password fails here, before any change.
    $reader = Enter-Reader -User $User -Password $Password
    try {
        $stored = [System.IO.File]::ReadAllBytes((Join-Path -Path $Path -ChildPath $KEY_FILE))
    }
    finally {
        Exit-Reader -Reader $reader
    }
    Import-ConfigurationKey -Bytes $stored -Password $KeyPassword
    $manager = Get-IisServerManager
    $section = Get-RedirectionSection -Manager $manager
    $section.SetAttributeValue('enabled', $true)
    $section.SetAttributeValue('path', $Path)
    $section.SetAttributeValue('userName', $User)
    $section.SetAttributeValue('password', $Password)
    $manager.CommitChanges()
}

# shared_config_disable: the shared files copied into this node's own folder (read as the
# reader), redirection off, and this node's saved keys back unless -KeepKeys (maintenance keeps
# the shared ones, which the copied files need).
Function Disable-SharedConfig {
    param([bool]$KeepKeys)

    $manager = Get-IisServerManager
    $section = Get-RedirectionSection -Manager $manager
    if ([bool]$section.GetAttributeValue('enabled')) {
        $path = [string]$section.GetAttributeValue('path')
        $copies = @{}
        $reader = Enter-Reader -User ([string]$section.GetAttributeValue('userName')) `
            -Password ([string]$section.GetAttributeValue('password'))
        try {
            foreach ($name in $EXPORTED_FILES) {
                $copies[$name] = [System.IO.File]::ReadAllBytes((Join-Path -Path $path -ChildPath $name))
            }
        }
        finally {
            Exit-Reader -Reader $reader
        }
        foreach ($name in $EXPORTED_FILES) {
            [System.IO.File]::WriteAllBytes((Join-Path -Path $CONFIG_DIRECTORY -ChildPath $name), [byte[]]$copies[$name])
        }
        $section.SetAttributeValue('enabled', $false)
        $manager.CommitChanges()
    }
    if (-not $KeepKeys) {
        Restore-OwnConfigurationKey
    }
}

Export-ModuleMember -Function Get-SharedConfigReport, Test-UncRead, Export-SharedConfig, Enable-SharedConfig,
    Disable-SharedConfig
