# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Process
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterHostFacts
#AnsibleRequires -PowerShell Ansible.ModuleUtils.ArgvParser

# What IISSync depends on (DCOM protocols, shares, the cluster's addresses, RPC reachability)
# and iissync.exe itself.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# A NetBIOS computer name, or a DNS name of such labels: nothing a command line could split or
# read as a switch.
$COMPUTER_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9-]{0,62}(\.[A-Za-z0-9][A-Za-z0-9-]{0,62})*\z'
# How long rpc_probe waits for the RPC endpoint mapper to accept a connection.
$RPC_PROBE_TIMEOUT_MS = 5000

# dcom_protocols: the protocol sequences in the order DCOM tries them.
Function Get-DcomProtocol {
    $rpc = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Rpc' -Name 'DCOM Protocols' -ErrorAction SilentlyContinue
    , [string[]]@(if ($null -ne $rpc) { $rpc.'DCOM Protocols' })
}

# file_shares: the shares and the drive Windows (and so COM+) is installed on.
Function Get-FileShare {
    @{
        system_drive = $env:SystemDrive
        shares = @(
            foreach ($share in Get-CimInstance -ClassName Win32_Share) {
                @{ name = $share.Name; path = [string]$share.Path }
            }
        )
    }
}

# cluster_addresses: the cluster groups' IP Address resources; none outside a cluster, where the
# cluster's WMI namespace does not exist.
Function Get-ClusterAddress {
    try {
        $resources = Get-CimInstance -Namespace 'root/MSCluster' -ClassName MSCluster_Resource -Filter "Type = 'IP Address'"
    }
    catch [Microsoft.Management.Infrastructure.CimException] {
        if ($_.Exception.NativeErrorCode -eq [Microsoft.Management.Infrastructure.NativeErrorCode]::InvalidNamespace) {
            return , @()
        }
        throw
    }
    , @(
        foreach ($resource in $resources) {
            @{
                address = $resource.PrivateProperties.Address
                prefix_length = ConvertTo-PrefixLength -Mask $resource.PrivateProperties.SubnetMask
            }
        }
    )
}

# rpc_probe: resolve a computer name and connect to its RPC endpoint mapper, what DCOM does
# first. Failures are the Windows Sockets errors (a SocketException is a Win32Exception).
Function Test-RpcEndpoint {
    param([string]$Computer)

    $addresses = @([System.Net.Dns]::GetHostAddresses($Computer) |
            Where-Object { $_.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetwork })
    if ($addresses.Count -eq 0) {
        throw [System.Net.Sockets.SocketException]::new(11001)
    }
    $client = [System.Net.Sockets.TcpClient]::new()
    try {
        if (-not $client.ConnectAsync($addresses[0], 135).Wait($RPC_PROBE_TIMEOUT_MS)) {
            throw [System.Net.Sockets.SocketException]::new(10060)
        }
    }
    finally {
        $client.Dispose()
    }
    @{ computer = $Computer; addresses = @(foreach ($address in $addresses) { $address.ToString() }) }
}

# iissync_run: iissync.exe with one argument per target. Windows hands a process one command
# line; it is built from the argument list with the C runtime's quoting rules (Argv-ToString),
# after every target was checked to be a computer name, and the executable is named by its path,
# so nothing is searched for or reinterpreted.
Function Invoke-IisSync {
    param([string[]]$Targets)

    if ($Targets.Count -eq 0 -or @($Targets | Where-Object { $_ -notmatch $COMPUTER_NAME_PATTERN }).Count -gt 0) {
        throw [System.ArgumentException]::new('targets must be computer names')
    }
    $executable = Join-Path -Path $env:SystemRoot -ChildPath 'system32\inetsrv\iissync.exe'
    $commandLine = Argv-ToString -arguments (@($executable) + $Targets)
    $run = [Ansible.Process.ProcessUtil]::CreateProcess($executable, $commandLine, $null, $null, '',
        (Get-OemEncodingName))
    @{ exit_code = $run.ExitCode; output = $run.StandardOut + $run.StandardError }
}

# The encoding a console program such as iissync.exe writes to a pipe: the system's OEM code page
# (what GetOEMCP answers, kept under Nls\CodePage), not UTF-8, Ansible.Process' default.
Function Get-OemEncodingName {
    $codePage = (Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' -Name 'OEMCP').OEMCP
    [System.Text.Encoding]::GetEncoding([int]$codePage).WebName
}

Export-ModuleMember -Function Get-DcomProtocol, Get-FileShare, Get-ClusterAddress, Test-RpcEndpoint,
    Invoke-IisSync
