# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterWebConfig
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterWebConfigValues

# IIS 7-10 sites and application pools through Microsoft.Web.Administration, and what the Windows
# Process Activation Service (WAS) makes of a pool's identity when its worker starts.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), 0x80070002: no pool of that name.
$ERROR_FILE_NOT_FOUND_HRESULT = -2147024894
# The processModel attributes that make a pool's identity, written and restored together.
$IDENTITY_ATTRIBUTES = @('identityType', 'userName', 'password', 'logonType')
# WAS checks a pool's identity (LogonUser with its logonType) when the pool starts or its
# configuration changes and logs 5021 when it cannot log on; 5057 and 5059 when it disables the
# pool because no worker could start. WAS starts workers on demand, so the pool's state alone may
# stay Started with an identity that cannot log on: the events are the verdict.
$WAS_PROVIDER = 'Microsoft-Windows-WAS'
$WAS_FAILURE_EVENTS = @(5021, 5057, 5059)
# How long WAS is given to log a failure after a start or recycle, and at most to reach Started.
$SETTLE_MILLISECONDS = 5000
$DEADLINE_MILLISECONDS = 30000
$POLL_MILLISECONDS = 500
# A pool that stopped without a WAS event naming it, or WAS's 5059 without an error number:
# ERROR_PROCESS_ABORTED, "The process terminated unexpectedly."; a logon event without one:
# ERROR_SERVICE_LOGON_FAILED, "The service did not start due to a logon failure."
$ERROR_PROCESS_ABORTED = 1067
$ERROR_SERVICE_LOGON_FAILED = 1069
$EVENT_NAMESPACE = 'http://schemas.microsoft.com/win/2004/08/events/event'
# WAS logs the Win32 error as event data; some builds log it as HRESULT_FROM_WIN32 (0x8007xxxx).
$FACILITY_WIN32_HRESULT = 0x80070000L

# A site's or pool's state as WAS reports it now; Unknown when WAS cannot say (the service is
# stopped, or the site has no protocol WAS manages): MWA's State getter then fails with a
# COMException.
Function Get-ObjectState {
    param([Object]$Object)

    try {
        [string]$Object.State
    }
    catch {
        if ((Get-InnermostException -Exception $_.Exception) -isnot [System.Runtime.InteropServices.COMException]) {
            throw
        }
        'Unknown'
    }
}

# The pool of that name, or the contract's failure for a missing one (0x80070002).
Function Get-AppPool {
    param([Object]$Manager, [string]$Name)

    $pool = $Manager.ApplicationPools[$Name]
    if ($null -eq $pool) {
        throw [System.Runtime.InteropServices.COMException]::new("There is no application pool named '$Name'.",
            $ERROR_FILE_NOT_FOUND_HRESULT)
    }
    $pool
}

# iis_sites_get: every site with its id, its state and each application's path and pool.
Function Get-IisSiteReport {
    $manager = Get-IisServerManager
    foreach ($site in $manager.Sites) {
        @{
            name = $site.Name
            id = [long]$site.Id
            state = Get-ObjectState -Object $site
            applications = @(foreach ($application in $site.Applications) {
                    @{ path = $application.Path; pool = $application.ApplicationPoolName }
                })
        }
    }
}

# app_pools_get: the pools (all, or those named) with their identity. The password never leaves
# this function: only whether one is set (reading it decrypts it with this host's keys, so a
# configuration whose keys are missing fails here with Windows' 0x80090005).
Function Get-AppPoolReport {
    param([string[]]$Names)

    $manager = Get-IisServerManager
    foreach ($pool in $manager.ApplicationPools) {
        if ($Names -and $Names -notcontains $pool.Name) {
            continue
        }
        $model = $pool.GetChildElement('processModel')
        $user = [string]$model.GetAttributeValue('userName')
        @{
            name = $pool.Name
            state = Get-ObjectState -Object $pool
            identity_type = ConvertTo-ConfigText -Attribute ($model.GetAttribute('identityType'))
            user_name = if ($user) { $user } else { $null }
            logon_type = ConvertTo-ConfigText -Attribute ($model.GetAttribute('logonType'))
            manual_group_membership = [bool]$model.GetAttributeValue('manualGroupMembership')
            password_set = [bool][string]$model.GetAttributeValue('password')
        }
    }
}

# The identity attributes as the pool sets them itself: name -> @{ set; value }, the password
# decrypted in memory so that it can be put back.
Function Get-IdentitySetting {
    param([Object]$Model)

    $settings = [ordered]@{}
    foreach ($name in $IDENTITY_ATTRIBUTES) {
        $attribute = $Model.GetAttribute($name)
        $set = -not $attribute.IsInheritedFromDefaultValue
        $settings[$name] = @{ set = $set; value = if ($set) { $attribute.Value } else { $null } }
    }
    $settings
}

# Writes identity settings (name -> @{ set; value }): a value where set, else the attribute is
# removed from the pool so that it inherits. The caller commits.
Function Set-IdentitySetting {
    param([Object]$Model, [System.Collections.IDictionary]$Settings)

    foreach ($name in $Settings.Keys) {
        $attribute = $Model.GetAttribute($name)
        if ($Settings[$name].set) {
            $attribute.Value = $Settings[$name].value
        }
        else {
            $attribute.Delete()
        }
    }
}

# The identity settings an app_pool_identity_set asks for, checked against the schema's enums.
# A gMSA is SpecificUser with DOMAIN\name$ and no password; any other SpecificUser needs one; a
# built-in identity takes neither (both are removed, so no stale password stays in the file).
Function Get-WantedIdentity {
    param([Object]$Model, [string]$IdentityType, [string]$User, [Object]$Password, [string]$LogonType)

    $typeSchema = $Model.GetAttribute('identityType').Schema
    $typeValue = ConvertFrom-ConfigText -Schema $typeSchema -Text $IdentityType
    $logonValue = ConvertFrom-ConfigText -Schema ($Model.GetAttribute('logonType').Schema) -Text $LogonType
    $specific = ConvertFrom-ConfigText -Schema $typeSchema -Text 'SpecificUser'
    if ($typeValue -eq $specific) {
        if (-not $User) {
            throw [System.ArgumentException]::new('identity_type SpecificUser needs user')
        }
        if ($null -eq $Password -and -not $User.EndsWith('$')) {
            throw [System.ArgumentException]::new(
                "user '$User' is not a group managed service account (DOMAIN\name`$): give its password as secret")
        }
    }
    elseif ($User -or $null -ne $Password) {
        throw [System.ArgumentException]::new("user and secret go with identity_type SpecificUser only, not $IdentityType")
    }
    [ordered]@{
        identityType = @{ set = $true; value = $typeValue }
        userName = @{ set = [bool]$User; value = $User }
        password = @{ set = $null -ne $Password; value = [string]$Password }
        logonType = @{ set = $true; value = $logonValue }
    }
}

# WAS's failure for the pool logged since the time given, as @{ code; message }, or $null. The
# pool's name is the event's first data item; the Win32 code is its binary data ("The data field
# contains the error number"), which EventRecord's Properties leave out: it is read from the
# event's XML. Without binary data, a logon event (5021, 5057) is ERROR_SERVICE_LOGON_FAILED with
# WAS's own text.
Function Get-WasFailure {
    param([string]$Name, [DateTime]$Since)

    $ids = ($WAS_FAILURE_EVENTS | ForEach-Object { "EventID=$_" }) -join ' or '
    $xpath = "*[System[Provider[@Name='$WAS_PROVIDER'] and ($ids) and TimeCreated[@SystemTime>='$($Since.ToString('o'))']]]"
    $query = [System.Diagnostics.Eventing.Reader.EventLogQuery]::new('System',
        [System.Diagnostics.Eventing.Reader.PathType]::LogName, $xpath)
    $reader = [System.Diagnostics.Eventing.Reader.EventLogReader]::new($query)
    try {
        for ($record = $reader.ReadEvent(); $null -ne $record; $record = $reader.ReadEvent()) {
            $eventXml = [System.Xml.XmlDocument]::new()
            $eventXml.LoadXml($record.ToXml())
            $namespaces = [System.Xml.XmlNamespaceManager]::new($eventXml.NameTable)
            $namespaces.AddNamespace('e', $EVENT_NAMESPACE)
            $pool = $eventXml.SelectSingleNode('//e:EventData/e:Data', $namespaces)
            if ($null -eq $pool -or $pool.InnerText -ne $Name) {
                continue
            }
            $binary = $eventXml.SelectSingleNode('//e:EventData/e:Binary', $namespaces)
            if ($null -eq $binary -or $binary.InnerText.Length -lt 8) {
                $code = if ($record.Id -eq 5059) { $ERROR_PROCESS_ABORTED } else { $ERROR_SERVICE_LOGON_FAILED }
                return @{ code = $code; message = [string]$record.FormatDescription() }
            }
            $bytes = [byte[]]@(for ($index = 0; $index -lt 4; $index++) {
                    [System.Convert]::ToByte($binary.InnerText.Substring($index * 2, 2), 16)
                })
            $code = [long][BitConverter]::ToUInt32($bytes, 0)
            if (($code -band 0xFFFF0000L) -eq $FACILITY_WIN32_HRESULT) {
                $code = $code -band 0xFFFF
            }
            $message = if ($code -le [int]::MaxValue) {
                [System.ComponentModel.Win32Exception]::new([int]$code).Message
            }
            else { 'WAS logged the error 0x{0:X8}' -f $code }
            return @{ code = $code; message = $message }
        }
    }
    finally {
        $reader.Dispose()
    }
    $null
}

# Starts a stopped pool or recycles a started one (one starting or stopping already is left to
# WAS), then waits a bounded time for WAS's verdict on what happened since $Since:
# @{ state; start_error; restored = $false }. A failure event or a stopped pool ends the wait at
# once; success needs the pool Started and no failure for the settle time.
Function Start-AppPoolWorker {
    param([string]$Name, [DateTime]$Since)

    $pool = Get-AppPool -Manager (Get-IisServerManager) -Name $Name
    $state = Get-ObjectState -Object $pool
    try {
        if ($state -eq 'Stopped') {
            $null = $pool.Start()
        }
        elseif ($state -eq 'Started') {
            $null = $pool.Recycle()
        }
    }
    catch {
        # WAS refused the start or recycle itself: that is the pool's start error.
        return @{ state = Get-ObjectState -Object $pool; start_error = ConvertTo-WindowsError -Exception $_.Exception; restored = $false }
    }
    $failure = $null
    do {
        [System.Threading.Thread]::Sleep($POLL_MILLISECONDS)
        $elapsed = ([DateTime]::UtcNow - $Since).TotalMilliseconds
        $state = Get-ObjectState -Object $pool
        $failure = Get-WasFailure -Name $Name -Since $Since
        $settled = $state -eq 'Started' -and $elapsed -ge $SETTLE_MILLISECONDS
    } until ($null -ne $failure -or $state -eq 'Stopped' -or $settled -or $elapsed -ge $DEADLINE_MILLISECONDS)
    if ($null -eq $failure -and $state -eq 'Stopped') {
        $failure = @{ code = $ERROR_PROCESS_ABORTED
            message = "The pool stopped and WAS logged no reason for it: $([System.ComponentModel.Win32Exception]::new($ERROR_PROCESS_ABORTED).Message)" }
    }
    @{ state = $state; start_error = $failure; restored = $false }
}

# app_pool_identity_set: the identity in one commit; with -Recycle, the pool started or recycled
# and, when its worker cannot start, the previous identity put back (one commit) and the pool
# started again.
Function Set-AppPoolIdentity {
    param([string]$Name, [string]$IdentityType, [string]$User, [Object]$Password, [string]$LogonType, [bool]$Recycle)

    $manager = Get-IisServerManager
    $model = (Get-AppPool -Manager $manager -Name $Name).GetChildElement('processModel')
    $wanted = Get-WantedIdentity -Model $model -IdentityType $IdentityType -User $User -Password $Password -LogonType $LogonType
    $previous = Get-IdentitySetting -Model $model
    Set-IdentitySetting -Model $model -Settings $wanted
    # WAS checks the identity as soon as it sees the change: its verdict counts from here.
    $changed = [DateTime]::UtcNow
    $manager.CommitChanges()
    if (-not $Recycle) {
        return @{ state = Get-ObjectState -Object (Get-AppPool -Manager $manager -Name $Name); start_error = $null; restored = $false }
    }
    $outcome = Start-AppPoolWorker -Name $Name -Since $changed
    if ($null -eq $outcome.start_error) {
        return $outcome
    }
    $manager = Get-IisServerManager
    $model = (Get-AppPool -Manager $manager -Name $Name).GetChildElement('processModel')
    Set-IdentitySetting -Model $model -Settings $previous
    $putBack = [DateTime]::UtcNow
    $manager.CommitChanges()
    $restarted = Start-AppPoolWorker -Name $Name -Since $putBack
    @{ state = $restarted.state; start_error = $outcome.start_error; restored = $true }
}

# app_pool_recycle
Function Restart-AppPool {
    param([string]$Name)

    Start-AppPoolWorker -Name $Name -Since ([DateTime]::UtcNow)
}

Export-ModuleMember -Function Get-IisSiteReport, Get-AppPoolReport, Set-AppPoolIdentity, Restart-AppPool
