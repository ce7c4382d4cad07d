# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.DomainJoin

# host_facts: what the controller needs to know about a host before it plans anything.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

Function Get-HostFact {
    $computer = Get-CimInstance -ClassName Win32_ComputerSystem
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    @{
        name = $computer.Name
        dns_host_name = $computer.DNSHostName
        domain = Get-JoinedDomainName
        # Outside a domain, Win32_ComputerSystem.Domain holds the workgroup's name.
        dns_domain = if ($computer.PartOfDomain) { $computer.Domain } else { $null }
        domain_role = [int]$computer.DomainRole
        os_version = $os.Version
        iis_version = Get-IisVersion
        ip_addresses = @(Get-Ipv4Address)
    }
}

# The NetBIOS name of the domain this host is joined to, $null in a workgroup (DomainJoin.cs).
Function Get-JoinedDomainName {
    [ansible_collections.webfarm.iis_cluster.plugins.module_utils.DomainJoin.DomainJoin]::GetDomainName()
}

# "major.minor" as IIS setup records it, $null when IIS is not installed.
Function Get-IisVersion {
    $inetStp = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\InetStp' -ErrorAction SilentlyContinue
    if ($null -eq $inetStp -or $null -eq $inetStp.MajorVersion) {
        return $null
    }
    '{0}.{1}' -f [int]$inetStp.MajorVersion, [int]$inetStp.MinorVersion
}

# The IPv4 addresses of the enabled adapters, each with the prefix length of its mask.
# IPAddress and IPSubnet are parallel arrays; an IPv6 entry has a prefix length, not a mask.
Function Get-Ipv4Address {
    $adapters = Get-CimInstance -ClassName Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = TRUE'
    foreach ($adapter in $adapters) {
        $addresses = $adapter.IPAddress
        if ($null -eq $addresses) {
            continue
        }
        for ($index = 0; $index -lt $addresses.Count; $index++) {
            $address = [System.Net.IPAddress]::Parse($addresses[$index])
            if ($address.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetwork) {
                @{
                    address = $address.ToString()
                    prefix_length = ConvertTo-PrefixLength -Mask $adapter.IPSubnet[$index]
                }
            }
        }
    }
}

# The number of one bits in a dotted IPv4 mask: 255.255.255.0 is 24.
Function ConvertTo-PrefixLength {
    param([string]$Mask)

    $length = 0
    foreach ($byte in [System.Net.IPAddress]::Parse($Mask).GetAddressBytes()) {
        $length += [Convert]::ToString($byte, 2).Replace('0', '').Length
    }
    $length
}

Export-ModuleMember -Function Get-HostFact, Get-JoinedDomainName, Get-IisVersion,
    ConvertTo-PrefixLength
