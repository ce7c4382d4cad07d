# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterLocalSecurity

# The COM+ catalog: what COM+ replication depends on, starting an application and setting the
# identity an application runs as.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

$COMADMIN_E_OBJECT_DOES_NOT_EXIST = 0x80110809
$COMADMIN_E_OBJECTERRORS = 0x80110401

# Whether an account passes a COM+ role check: its own logon token (an S4U logon, which needs no
# password and holds its domain and local groups) holds one of the role's members.
Function Test-RoleMembership {
    param([string]$Account, [string[]]$Members)

    $identity = New-S4uIdentity -Account $Account
    try {
        $principal = [System.Security.Principal.WindowsPrincipal]::new($identity)
        foreach ($member in $Members) {
            $sid = ([System.Security.Principal.NTAccount]$member).Translate([System.Security.Principal.SecurityIdentifier])
            if ($principal.IsInRole($sid)) {
                return $true
            }
        }
        $false
    }
    finally {
        $identity.Dispose()
    }
}

# The names in a COM+ collection reached from a parent object (Populate reads it from the catalog).
Function Get-ComPlusCollection {
    param([Object]$Catalog, [Object]$Parent, [string]$Name, [Object]$Key)

    $collection = if ($null -eq $Parent) { $Catalog.GetCollection($Name) } else { $Parent.GetCollection($Name, $Key) }
    $collection.Populate()
    # ICatalogCollection is enumerable: without the comma the caller would get its items.
    , $collection
}

# Whether a COM class is registered. On x64, HKEY_CLASSES_ROOT of a 64-bit process is the 64-bit
# view; a 32-bit component registers under Wow6432Node, so both views count.
Function Test-ComClassRegistered {
    param([string]$Clsid)

    (Test-Path -LiteralPath "Registry::HKEY_CLASSES_ROOT\CLSID\$Clsid") -or
        (Test-Path -LiteralPath "Registry::HKEY_CLASSES_ROOT\Wow6432Node\CLSID\$Clsid")
}

# COMAdminActivation: 0 library (in the caller's process), 1 server (a dllhost of its own).
$COMADMIN_ACTIVATION_SERVER = 1

# complus_catalog: what COM+ replication depends on. Creating the catalog object fails with
# REGDB_E_CLASSNOTREG when COM+ is damaged. "System" applications are those COM+ and IIS protect
# from deletion (Deleteable is False), which COM+ replication leaves alone. A server application
# runs as its Identity (what synciwam.vbs sets); the password cannot be read back.
Function Get-ComPlusCatalog {
    param([string]$Account)

    $catalog = New-Object -ComObject COMAdmin.COMAdminCatalog
    $applications = Get-ComPlusCollection -Catalog $catalog -Name 'Applications'
    $report = @{
        # MTS 2.0 kept a ReplicationShare on LocalComputer; COM+ has no such property (its
        # LocalComputer collection documents none), so the setting cannot be read on any Windows
        # Ansible manages: the controller reports that preflight check as unknown.
        replication_share = $null
        applications = @(
            foreach ($application in $applications) {
                $components = Get-ComPlusCollection -Parent $applications -Name 'Components' -Key $application.Key
                $server = [int]$application.Value('Activation') -eq $COMADMIN_ACTIVATION_SERVER
                @{
                    id = [string]$application.Key
                    name = [string]$application.Name
                    system = -not [bool]$application.Value('Deleteable')
                    server = $server
                    identity = if ($server) { [string]$application.Value('Identity') } else { $null }
                    components = @(
                        foreach ($component in $components) {
                            $clsid = [string]$component.Key
                            @{
                                clsid = $clsid
                                prog_id = [string]$component.Name
                                registered = Test-ComClassRegistered -Clsid $clsid
                            }
                        }
                    )
                }
            }
        )
    }
    if ($Account) {
        $system = $applications | Where-Object { $_.Name -eq 'System Application' } | Select-Object -First 1
        $roles = Get-ComPlusCollection -Parent $applications -Name 'Roles' -Key $system.Key
        $administrator = $roles | Where-Object { $_.Name -eq 'Administrator' } | Select-Object -First 1
        $members = @(foreach ($user in Get-ComPlusCollection -Parent $roles -Name 'UsersInRole' -Key $administrator.Key) {
                [string]$user.Name
            })
        $report.administrator = Test-RoleMembership -Account $Account -Members $members
    }
    $report
}

# StartApplication's answer for a server application: COM logs its identity on with the
# password the catalog holds before the process starts (CO_E_RUNAS_LOGON_FAILURE, or the
# logon's own error). An application already running is not started again.
Function Test-ComApplicationStart {
    param([Object]$Catalog, [string]$Id)

    try {
        $Catalog.StartApplication($Id)
        $null
    }
    catch {
        ConvertTo-WindowsError -Exception $_.Exception
    }
}

# comadmin_application_set_identity: what synciwam.vbs does for one application. COM+ checks the
# account and password when it saves them.
Function Set-ComApplicationIdentity {
    param([string]$Id, [string]$Identity, [string]$Password)

    $catalog = New-Object -ComObject COMAdmin.COMAdminCatalog
    $applications = Get-ComPlusCollection -Catalog $catalog -Name 'Applications'
    $application = $null
    foreach ($candidate in $applications) {
        if ([string]$candidate.Key -eq $Id) {
            $application = $candidate
        }
    }
    if ($null -eq $application) {
        $message = 'The object you are attempting to access does not exist'
        throw [System.Runtime.InteropServices.COMException]::new($message, $COMADMIN_E_OBJECT_DOES_NOT_EXIST)
    }
    $application.Value('Identity') = $Identity
    $application.Value('Password') = $Password
    try {
        $null = $applications.SaveChanges()
    }
    catch {
        if ((Get-InnermostException -Exception $_.Exception).HResult -ne $COMADMIN_E_OBJECTERRORS) {
            throw
        }
        throw (Get-ComPlusObjectError -Collection $applications)
    }
}

# The error of the first object SaveChanges could not save. COMADMIN_E_OBJECTERRORS says only that
# some object failed; each one's own code (COMADMIN_E_USERPASSWDNOTVALID for a wrong identity
# password, ...) is in the collection's ErrorInfo collection, which must be read at once
# (COM+ SDK, "Handling COM+ Administration Errors"). Its ErrorCode is documented as a string; the
# text is Windows' own for that code, as for any other error.
Function Get-ComPlusObjectError {
    param([Object]$Collection)

    $errors = $Collection.GetCollection('ErrorInfo', '')
    $errors.Populate()
    foreach ($entry in $errors) {
        # The low 32 bits, whether the HRESULT comes signed, unsigned or as text.
        $hresult = [BitConverter]::ToInt32([BitConverter]::GetBytes([int64]$entry.Value('ErrorCode')), 0)
        $message = [System.ComponentModel.Win32Exception]::new($hresult).Message
        return [System.Runtime.InteropServices.COMException]::new($message, $hresult)
    }
    $message = 'Errors occurred accessing one or more objects - the ErrorInfo collection may have more detail'
    [System.Runtime.InteropServices.COMException]::new($message, $COMADMIN_E_OBJECTERRORS)
}

Export-ModuleMember -Function Get-ComPlusCollection, Get-ComPlusCatalog, Test-ComApplicationStart,
    Set-ComApplicationIdentity
