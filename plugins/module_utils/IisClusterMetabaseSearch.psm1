# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabase

# Metabase searches (GetDataPaths): the keys that set a property, the application roots and
# the sites of a service.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# HRESULTs as Exception.HResult holds them: PowerShell reads a 0x8... literal as a negative Int32.
$MD_ERROR_DATA_NOT_FOUND = 0x800CC801
$E_ADS_PROPERTY_NOT_SUPPORTED = 0x80005006
# HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND): binding a metabase key (or schema object) that does not exist.
$PATH_NOT_FOUND_HRESULT = 0x80070003

# GetDataPaths' attribute argument: every key that sets the property, inheritable or not.
$IIS_ANY_PROPERTY = 0

# An ADSI path as GetDataPaths returns it (IIS://localhost/W3SVC/1/ROOT/) in the contract's form.
Function ConvertTo-AdsiPath {
    param([string]$Path)

    ($Path -replace '^IIS://[^/]*/', '' -replace '^/LM/', '').Trim('/')
}

# The schema's spelling of a property name. GetDataPaths searches the keys below as well, so the
# name need only be in the metabase schema, not in the class of the key the search starts at.
Function Resolve-SchemaPropertyName {
    param([string]$Name)

    if ($Name -match '^\w+\z') {
        try {
            return [string](Get-MetabaseKey -Path "Schema/$Name").psbase.Name
        }
        catch {
            if ((Get-InnermostException -Exception $_.Exception).HResult -ne $PATH_NOT_FOUND_HRESULT) {
                throw
            }
        }
    }
    $message = 'The specified directory property is not supported'
    throw [System.Runtime.InteropServices.COMException]::new($message, $E_ADS_PROPERTY_NOT_SUPPORTED)
}

# metabase_data_paths: the keys at or below a path that set the property themselves.
Function Get-MetabaseDataPath {
    param([string]$Path, [string]$Property)

    $key = Get-MetabaseKey -Path $Path
    $name = Resolve-SchemaPropertyName -Name $Property
    try {
        $paths = $key.GetDataPaths($name, $IIS_ANY_PROPERTY)
    }
    catch {
        if ((Get-InnermostException -Exception $_.Exception).HResult -eq $MD_ERROR_DATA_NOT_FOUND) {
            return
        }
        throw
    }
    foreach ($found in $paths) {
        ConvertTo-AdsiPath -Path $found
    }
}

# metabase_applications_get: each application root (a key that sets AppIsolated) with its COM+
# package when it sets one.
Function Get-MetabaseApplication {
    param([string]$Path)

    foreach ($root in @(Get-MetabaseDataPath -Path $Path -Property 'AppIsolated')) {
        $key = Get-MetabaseKey -Path $root
        $packageSet = (Get-MetabasePropertySource -Key $key -Name 'AppPackageID') -eq 'here'
        @{
            path = $root
            app_isolated = ConvertTo-UInt32 -Value $key.Get('AppIsolated')
            app_package_id = if ($packageSet) { [string]$key.Get('AppPackageID') } else { $null }
        }
    }
}

# metabase_sites_get: the service's sites and their ServerComment.
Function Get-MetabaseSite {
    param([string]$Service)

    $serviceKey = Get-MetabaseKey -Path $Service
    foreach ($child in $serviceKey.psbase.Children) {
        if ($child.psbase.SchemaClassName -notin @('IIsWebServer', 'IIsFtpServer')) {
            continue
        }
        $comment = if ((Get-MetabasePropertySource -Key $child -Name 'ServerComment') -eq 'unset') {
            $null
        }
        else {
            [string]$child.Get('ServerComment')
        }
        @{ path = "$Service/$($child.psbase.Name)"; server_comment = $comment }
    }
}

Export-ModuleMember -Function Get-MetabaseDataPath, Get-MetabaseApplication, Get-MetabaseSite
