# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Web Deploy in process: Microsoft.Web.Deployment's DeploymentManager, loaded by its strong name
# from the GAC. Never msdeploy.exe, which takes credentials and encryptPassword on its command
# line. The node running the op is the source; the target is reached through its remote agent
# service with the caller's own credentials. A Web Deploy failure is a result (`errors`), never
# an exception out of the op, so that a sync reporting errors fails whatever else it says.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# Web Deploy 3.x installs this assembly version (9.0.0.0) into the GAC.
$WEB_DEPLOY_ASSEMBLY = 'Microsoft.Web.Deployment, Version=9.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35'
$WEB_DEPLOY_KEY = 'HKLM:\SOFTWARE\Microsoft\IIS Extensions\MSDeploy\3'
# The remote agent service (http://<computer>/MSDEPLOYAGENTSERVICE) and the management service.
$AGENT_SERVICE = 'MsDepSvc'
$MANAGEMENT_SERVICE = 'WMSvc'
$ERROR_CODE_PATTERN = [regex]'\bERROR_[A-Z0-9_]+\b'

# The assembly, or $null when Web Deploy is not installed (web_deploy_info's question).
Function Import-WebDeployAssembly {
    try {
        [System.Reflection.Assembly]::Load($WEB_DEPLOY_ASSEMBLY)
    }
    catch [System.IO.FileNotFoundException] {
        $null
    }
}

Function Get-ServiceState {
    param([string]$Name)

    $service = [System.ServiceProcess.ServiceController]::GetServices() | Where-Object { $_.ServiceName -eq $Name }
    if ($null -eq $service) { 'absent' }
    elseif ($service.Status -eq [System.ServiceProcess.ServiceControllerStatus]::Running) { 'running' }
    else { 'stopped' }
}

# web_deploy_info: whether the API loads, the installed version, and both services' states.
Function Get-WebDeployInfo {
    $key = Get-ItemProperty -LiteralPath $WEB_DEPLOY_KEY -Name 'Version' -ErrorAction SilentlyContinue
    $version = if ($null -ne $key) { $key.Version } else { $null }
    @{
        installed = $null -ne (Import-WebDeployAssembly)
        version = if ($null -ne $version) { [string]$version } else { $null }
        agent_service = Get-ServiceState -Name $AGENT_SERVICE
        management_service = Get-ServiceState -Name $MANAGEMENT_SERVICE
    }
}

# Web Deploy's ERROR_* code of an exception (DeploymentDetailedException.ErrorCode, else the code
# its message names), or $null when it gives none.
Function Get-WebDeployErrorCode {
    param([System.Exception]$Exception, [string]$Message)

    $code = if ($Exception -and $Exception.PSObject.Properties['ErrorCode']) { [string]$Exception.ErrorCode } else { '' }
    if ($code -cmatch '^ERROR_[A-Z0-9_]+$') {
        return $code
    }
    $match = $ERROR_CODE_PATTERN.Match([string]$Message)
    if ($match.Success) { $match.Value } else { $null }
}

# A per-object change as the Trace event reports it (DeploymentObjectChangedEventArgs), or $null
# for any other trace.
Function ConvertTo-WebDeployChange {
    param([Object]$TraceEvent)

    if ($TraceEvent -isnot [Microsoft.Web.Deployment.DeploymentObjectChangedEventArgs]) {
        return $null
    }
    $action = switch -Regex ([string]$TraceEvent.OperationType) {
        '^Add' { 'add' }
        '^Update' { 'update' }
        '^Delete' { 'delete' }
        default { $null }
    }
    if ($null -eq $action) {
        return $null
    }
    @{ action = $action; path = [string]$TraceEvent.Path }
}

# web_deploy_preview and web_deploy_sync: the source's `provider` (webServer, or appHostConfig of
# `Site`) synced to `Computer`, with the skip rules on both ends and the encryption password on
# both ends. -WhatIf: Web Deploy's what-if, which reports what it would change without writing.
Function Invoke-WebDeploySync {
    param(
        [string]$Computer,
        [string]$Provider,
        [string]$Site,
        [string[]]$Skip,
        [string]$EncryptPassword,
        [bool]$WhatIf
    )

    # Without Web Deploy on this node the op fails: FileNotFoundException, 0x80070002.
    $null = [System.Reflection.Assembly]::Load($WEB_DEPLOY_ASSEMBLY)
    $changes = [System.Collections.Generic.List[Object]]::new()
    $errors = [System.Collections.Generic.List[Object]]::new()
    $result = @{ added = 0; updated = 0; deleted = 0; bytes_copied = 0; changes = $changes; errors = $errors }
    $path = if ($Provider -eq 'appHostConfig') { $Site } else { '' }
    $sourceOptions = New-Object -TypeName Microsoft.Web.Deployment.DeploymentBaseOptions
    $destinationOptions = New-Object -TypeName Microsoft.Web.Deployment.DeploymentBaseOptions
    $destinationOptions.ComputerName = $Computer
    if ($EncryptPassword) {
        $sourceOptions.EncryptPassword = $EncryptPassword
        $destinationOptions.EncryptPassword = $EncryptPassword
    }
    $index = 0
    foreach ($rule in @($Skip)) {
        if (-not $rule) { continue }
        $index++
        $directive = New-Object -TypeName Microsoft.Web.Deployment.DeploymentSkipDirective -ArgumentList "skip$index", $rule
        $sourceOptions.SkipDirectives.Add($directive)
        $destinationOptions.SkipDirectives.Add($directive)
    }
    # The changes and the errors Web Deploy traces while it syncs (it raises the events on this
    $destinationOptions.TraceLevel = [System.Diagnostics.TraceLevel]::Verbose
    # thread, during SyncTo, so the handler runs in a scope below this function's and sees its lists).
    $destinationOptions.add_Trace({
            param($Sender, $TraceEvent)
            $change = ConvertTo-WebDeployChange -TraceEvent $TraceEvent
            if ($null -ne $change) {
                $changes.Add($change)
            }
            elseif ($TraceEvent.EventLevel -eq [System.Diagnostics.TraceLevel]::Error) {
                $message = [string]$TraceEvent.Message
                $errors.Add(@{ code = Get-WebDeployErrorCode -Exception $null -Message $message; message = $message.Trim() })
            }
        })
    $syncOptions = New-Object -TypeName Microsoft.Web.Deployment.DeploymentSyncOptions
    $syncOptions.WhatIf = $WhatIf
    try {
        $source = [Microsoft.Web.Deployment.DeploymentManager]::CreateObject($Provider, $path, $sourceOptions)
        try {
            $summary = $source.SyncTo($Provider, $path, $destinationOptions, $syncOptions)
        }
        finally {
            $source.Dispose()
        }
        $result.added = [int]$summary.ObjectsAdded
        $result.updated = [int]$summary.ObjectsUpdated
        $result.deleted = [int]$summary.ObjectsDeleted
        $result.bytes_copied = [long]$summary.BytesCopied
        # Errors the summary counts that no trace named.
        if ($summary.Errors -gt $errors.Count) {
            $errors.Add(@{ code = $null; message = "Web Deploy counted $($summary.Errors) errors." })
        }
    }
    catch [System.Management.Automation.MethodInvocationException] {
        # DeploymentException and DeploymentDetailedException, as PowerShell wraps a .NET method's.
        $exception = Get-InnermostDeploymentException -Exception $_.Exception
        $message = $exception.Message.Trim()
        # The trace may have named the same failure already.
        if (-not ($errors | Where-Object { $_.message -eq $message })) {
            $errors.Add(@{ code = Get-WebDeployErrorCode -Exception $exception -Message $message; message = $message })
        }
    }
    $result
}

# The Web Deploy exception PowerShell wrapped (the outermost one of Web Deploy's own types: its
# ErrorCode and message name the failure; its inner exceptions are the transport's).
Function Get-InnermostDeploymentException {
    param([System.Exception]$Exception)

    $current = $Exception
    while ($null -ne $current) {
        if ($current -is [Microsoft.Web.Deployment.DeploymentException]) {
            return $current
        }
        $current = $current.InnerException
    }
    $Exception
}

Export-ModuleMember -Function Get-WebDeployInfo, Invoke-WebDeploySync
