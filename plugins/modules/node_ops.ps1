#!powershell

# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil Ansible.AccessToken
#AnsibleRequires -CSharpUtil Ansible.Process
#AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetAccounts
#AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity
#AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetApiErrors
#AnsibleRequires -PowerShell Ansible.ModuleUtils.AddType
#AnsibleRequires -PowerShell Ansible.ModuleUtils.ArgvParser

# The instruction set of webfarm.iis_cluster (docs/instruction-set.md). The controller decides;
# this module runs a list of named operations, each a small wrapper around one Windows API, and
# reports every Windows error as its code and Windows' text so that the controller can decode it.
# No operation takes a command line or a script: what this module can do is the table
# $operations below.

$spec = @{
    options = @{
        instructions = @{ type = 'list'; elements = 'dict'; required = $true }
        secrets = @{ type = 'dict'; default = @{}; no_log = $true }
        stop_on_error = @{ type = 'bool'; default = $true }
    }
    supports_check_mode = $true
    # Ansible.Basic registers a no_log dict by its type name, not by its values, so it would
    # write the secrets to the Application event log with the invocation. Keep this module out of
    # the event log altogether.
    no_log = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$instructions = $module.Params.instructions
$secrets = if ($null -eq $module.Params.secrets) { @{} } else { $module.Params.secrets }

# For the same reason the invocation echoed in the result still holds the secret values: keep
# their names and hide the values, as the controller does for a no_log dict.
$shownSecrets = @{}
foreach ($secretName in $secrets.Keys) {
    $shownSecrets[$secretName] = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
}
$module.Result.invocation.module_args.secrets = $shownSecrets

# HRESULTs as Exception.HResult holds them: PowerShell reads a 0x8... literal as a negative Int32.
$MD_ERROR_DATA_NOT_FOUND = 0x800CC801
$E_ADS_PROPERTY_NOT_SUPPORTED = 0x80005006
# HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND): binding a metabase key (or schema object) that does not exist.
$PATH_NOT_FOUND_HRESULT = 0x80070003
$E_ADS_CANT_CONVERT_DATATYPE = 0x8000500C
# ADSI PutEx control codes (ADS_PROPERTY_OPERATION_ENUM).
$ADS_PROPERTY_CLEAR = 1
$ADS_PROPERTY_UPDATE = 2
# The metabase types whose values this module converts, named as adsutil.vbs names them.
$METABASE_VALUE_TYPES = @('STRING', 'EXPANDSZ', 'INTEGER', 'BOOLEAN', 'LIST', 'BINARY')
# IIsComputer.Backup (mddefw.h): the next free version, and save the metabase to disk first.
# PowerShell reads 0xFFFFFFFF as the Int32 -1, the LONG the method takes.
$MD_BACKUP_NEXT_VERSION = 0xFFFFFFFF
$MD_BACKUP_SAVE_FIRST = 2
# EnumBackups past the last backup: HRESULT_FROM_WIN32(ERROR_NO_MORE_ITEMS), or
# MD_ERROR_DATA_NOT_FOUND as IIS's ADSI documentation names it; both end the list.
$END_OF_BACKUPS = @(0x80070103, $MD_ERROR_DATA_NOT_FOUND)
# A NetBIOS computer name, or a DNS name of such labels: nothing a command line could split or
# read as a switch.
$COMPUTER_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9-]{0,62}(\.[A-Za-z0-9][A-Za-z0-9-]{0,62})*\z'
# How long rpc_probe waits for the RPC endpoint mapper to accept a connection.
$RPC_PROBE_TIMEOUT_MS = 5000

# ---- Errors ----------------------------------------------------------------------------------

# The exception that carries Windows' own code and text. PowerShell wraps it: MethodInvocationException
# around a .NET call, TargetInvocationException around an ADSI method, ActionPreferenceStopException
# around a cmdlet's error record.
Function Get-InnermostException {
    param([System.Exception]$Exception)

    while ($true) {
        $inner = if ($Exception -is [System.Management.Automation.ActionPreferenceStopException]) {
            $Exception.ErrorRecord.Exception
        }
        else {
            $Exception.InnerException
        }
        if ($null -eq $inner -or [Object]::ReferenceEquals($inner, $Exception)) {
            return $Exception
        }
        $Exception = $inner
    }
}

# The same 32 bits read as unsigned: .NET and ADSI hand HRESULTs and metabase DWORDs over as Int32.
Function ConvertTo-UInt32 {
    param([int]$Value)

    [BitConverter]::ToUInt32([BitConverter]::GetBytes($Value), 0)
}

# The error of a failed instruction: Windows' code, unsigned, and Windows' text.
Function ConvertTo-WindowsError {
    param([System.Exception]$Exception)

    $windows = Get-InnermostException -Exception $Exception
    $code = if ($windows -is [System.ComponentModel.Win32Exception]) {
        # Its HResult is always E_FAIL; the Win32 error code is NativeErrorCode.
        [uint32]$windows.NativeErrorCode
    }
    else {
        ConvertTo-UInt32 -Value $windows.HResult
    }
    @{ code = $code; message = $windows.Message.Trim() }
}

# ---- host_facts ------------------------------------------------------------------------------

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

# The NetBIOS name of the domain this host is joined to, $null in a workgroup.
# NetGetJoinInformation answers from the local security authority: unlike Win32_NTDomain it asks
# no domain controller, and unlike %USERDOMAIN% it does not depend on the account the module runs as.
Function Get-JoinedDomainName {
    if (-not ('WebfarmIisCluster.DomainJoin' -as [type])) {
        Add-CSharpType -AnsibleModule $module -References @'
using System;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace WebfarmIisCluster
{
    public static class DomainJoin
    {
        private const int NetSetupDomainName = 3;

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetGetJoinInformation(string server, out IntPtr nameBuffer,
            out int bufferType);

        [DllImport("netapi32.dll")]
        private static extern int NetApiBufferFree(IntPtr buffer);

        public static string GetDomainName()
        {
            IntPtr nameBuffer;
            int joinStatus;
            int status = NetGetJoinInformation(null, out nameBuffer, out joinStatus);
            if (status != 0)
                throw new Win32Exception(status);
            try
            {
                return joinStatus == NetSetupDomainName ? Marshal.PtrToStringUni(nameBuffer) : null;
            }
            finally
            {
                NetApiBufferFree(nameBuffer);
            }
        }
    }
}
'@
    }
    [WebfarmIisCluster.DomainJoin]::GetDomainName()
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

# ---- The IIS 5/6 metabase, through the ADSI IIS provider ---------------------------------------

# The key at an ADSI path below IIS://localhost, bound.
Function Get-MetabaseKey {
    param([string]$Path)

    # The empty path is the machine key /LM itself, IIS://localhost.
    $key = if ($Path) { [ADSI]"IIS://localhost/$Path" } else { [ADSI]'IIS://localhost' }
    # [ADSI] binds on first use; binding now makes a missing key fail here, with 0x80070003.
    $key.psbase.RefreshCache()
    $key
}

# The ADSI path of a key as the metabase spells it. A path binds in any case; results echo the
# metabase's own spelling (as GetDataPaths reports paths), which a key's enumerated children
# carry, not the caller's.
Function Get-CanonicalAdsiPath {
    param([string]$Path)

    $key = Get-MetabaseKey -Path ''
    $names = foreach ($segment in @($Path.Split('/') | Where-Object { $_ })) {
        $key = @($key.psbase.Children | Where-Object { $_.psbase.Name -eq $segment })[0]
        $key.psbase.Name
    }
    @($names) -join '/'
}

# The properties the key's class allows, spelled as the schema spells them: the mandatory and
# optional properties of its schema class, the list adsutil.vbs ENUM walks.
Function Get-MetabaseClassProperty {
    param([System.DirectoryServices.DirectoryEntry]$Key)

    $class = $Key.psbase.SchemaEntry
    foreach ($list in 'MandatoryProperties', 'OptionalProperties') {
        foreach ($name in $class.psbase.InvokeGet($list)) {
            [string]$name
        }
    }
}

# The schema's spelling of a property name (metabase names are case-insensitive). A name the
# key's class does not list, unknown names included, fails as ADSI's Get and Put fail for it,
# with E_ADS_PROPERTY_NOT_SUPPORTED.
Function Resolve-MetabasePropertyName {
    param([string[]]$Known, [string]$Name)

    foreach ($candidate in $Known) {
        if ($candidate -eq $Name) {
            return $candidate
        }
    }
    $message = 'The specified directory property is not supported'
    throw [System.Runtime.InteropServices.COMException]::new($message, $E_ADS_PROPERTY_NOT_SUPPORTED)
}

# A property's type and whether it is secure, from its schema object, as adsutil.vbs reads them.
# Syntax is String, ExpandSz, Integer, Boolean, List (MultiSz) or Binary for the types this module
# converts; its upper-case form is the adsutil name.
Function Get-MetabasePropertySchema {
    param([string]$Name)

    $property = [ADSI]"IIS://localhost/Schema/$Name"
    @{
        type = ([string]$property.psbase.InvokeGet('Syntax')).ToUpperInvariant()
        secure = [bool]$property.psbase.InvokeGet('Secure')
    }
}

# The schema of each property metabase_digest_tree met, by name: the schema is the machine's, so one
# bind per property name serves every key (a bind per key and property is a COM round trip each).
$PropertySchemas = @{}

Function Get-CachedPropertySchema {
    param([string]$Name)

    if (-not $PropertySchemas.ContainsKey($Name)) {
        $PropertySchemas[$Name] = Get-MetabasePropertySchema -Name $Name
    }
    $PropertySchemas[$Name]
}

# Where the key's value of a property comes from: 'here', 'inherited' or 'unset'.
# The property attribute object reads the metabase record with inheritance: Isinherit says the
# value comes from a key above, and no record at all (MD_ERROR_DATA_NOT_FOUND) means no value.
# Get cannot tell: it returns inherited values, and newer providers return the schema's default
# for a property that has no value.
Function Get-MetabasePropertySource {
    param([System.DirectoryServices.DirectoryEntry]$Key, [string]$Name)

    try {
        $attributes = $Key.GetPropertyAttribObj($Name)
    }
    catch {
        if ((Get-InnermostException -Exception $_.Exception).HResult -eq $MD_ERROR_DATA_NOT_FOUND) {
            return 'unset'
        }
        throw
    }
    if ($attributes.Isinherit) { 'inherited' } else { 'here' }
}

# One property of a key as metabase_get reports it. A secure value is never read. A type this
# module does not convert (an ACL, an IP restriction list, a MIME map) is reported without value.
Function Get-MetabasePropertyReport {
    param([System.DirectoryServices.DirectoryEntry]$Key, [string]$Name, [string]$Source)

    $schema = Get-MetabasePropertySchema -Name $Name
    $report = @{ type = $schema.type; secure = $schema.secure; source = $Source }
    if (-not $schema.secure -and $Source -ne 'unset' -and $schema.type -in $METABASE_VALUE_TYPES) {
        $report.value = ConvertFrom-MetabaseValue -Type $schema.type -Value $Key.Get($Name)
    }
    $report
}

# A value as ADSI returns it, in its JSON form: a DWORD unsigned, a list of strings, binary data
# as lower-case hex.
Function ConvertFrom-MetabaseValue {
    param([string]$Type, [Object]$Value)

    switch ($Type) {
        'INTEGER' { ConvertTo-UInt32 -Value $Value }
        'BOOLEAN' { [bool]$Value }
        'LIST' { , [string[]]@(foreach ($item in $Value) { [string]$item }) }
        'BINARY' { -join @(foreach ($byte in $Value) { '{0:x2}' -f [byte]$byte }) }
        default { [string]$Value }
    }
}

# Whether a JSON value is a list of strings.
Function Test-StringList {
    param([Object]$Value)

    $Value -is [System.Collections.IList] -and @($Value | Where-Object { $_ -isnot [string] }).Count -eq 0
}

# A JSON value as the VARIANT ADSI expects for the property's type. A value of another JSON type
# fails as ADSI reports it, E_ADS_CANT_CONVERT_DATATYPE, with a text that never repeats the value.
Function ConvertTo-MetabaseValue {
    param([string]$Type, [Object]$Value)

    $fits = switch ($Type) {
        'STRING' { $Value -is [string] }
        'EXPANDSZ' { $Value -is [string] }
        'BOOLEAN' { $Value -is [bool] }
        # ADSI takes a script's signed VT_I4 as the same 32 bits, so -1 is 4294967295.
        'INTEGER' {
            ($Value -is [int] -or $Value -is [long]) -and $Value -ge [int]::MinValue -and $Value -le [uint32]::MaxValue
        }
        'LIST' { Test-StringList -Value $Value }
        'BINARY' { $Value -is [string] -and $Value -match '^(?:[0-9a-f]{2})*\z' }
        default { $false }
    }
    if (-not $fits) {
        $message = 'The directory datatype cannot be converted to/from a native DS datatype'
        throw [System.Runtime.InteropServices.COMException]::new($message, $E_ADS_CANT_CONVERT_DATATYPE)
    }
    switch ($Type) {
        # The provider stores a DWORD as a signed VT_I4.
        'INTEGER' { [BitConverter]::ToInt32([BitConverter]::GetBytes([int64]$Value), 0) }
        'LIST' { , [Object[]]@($Value) }
        'BINARY' {
            $bytes = [System.Collections.Generic.List[byte]]::new()
            for ($index = 0; $index -lt $Value.Length; $index += 2) {
                $bytes.Add([Convert]::ToByte($Value.Substring($index, 2), 16))
            }
            , $bytes.ToArray()
        }
        default { $Value }
    }
}

# A property's source as metabase_get and metabase_digest_tree list properties, $null when its attributes
# cannot be read: adsutil.vbs ENUM skips such a property (On Error Resume Next), so a COM failure
# leaves it out; any other failure is a defect here and reaches the error path.
Function Get-ListedPropertySource {
    param([System.DirectoryServices.DirectoryEntry]$Key, [string]$Name)

    try {
        Get-MetabasePropertySource -Key $Key -Name $Name
    }
    catch {
        if ((Get-InnermostException -Exception $_.Exception) -isnot [System.Runtime.InteropServices.COMException]) {
            throw
        }
        $null
    }
}

# metabase_get: the key's class, the named properties (by default those set at the key, what
# adsutil.vbs ENUM lists) and, when asked, the names of its child keys.
Function Get-MetabaseKeyReport {
    param([string]$Path, [string[]]$Property, [bool]$Children)

    $key = Get-MetabaseKey -Path $Path
    $known = @(Get-MetabaseClassProperty -Key $key)
    $properties = [ordered]@{}
    if ($null -eq $Property) {
        foreach ($name in $known) {
            $source = Get-ListedPropertySource -Key $key -Name $name
            if ($source -eq 'here') {
                $properties[$name] = Get-MetabasePropertyReport -Key $key -Name $name -Source $source
            }
        }
    }
    else {
        foreach ($requested in $Property) {
            $name = Resolve-MetabasePropertyName -Known $known -Name $requested
            $source = Get-MetabasePropertySource -Key $key -Name $name
            $properties[$name] = Get-MetabasePropertyReport -Key $key -Name $name -Source $source
        }
    }
    $report = @{ path = Get-CanonicalAdsiPath -Path $Path; key_type = $key.psbase.SchemaClassName; properties = $properties }
    if ($Children) {
        $report.children = @(foreach ($child in $key.psbase.Children) { $child.psbase.Name })
    }
    $report
}

# metabase_set: sets a property at the key and commits it. A secret is looked up by name here,
# where it is used, so that its value is never a parameter of a command.
Function Set-MetabaseProperty {
    param(
        [string]$Path,
        [string]$Property,
        [Object]$Value,
        [string]$SecretName,
        [System.Collections.IDictionary]$Secrets
    )

    $key = Get-MetabaseKey -Path $Path
    $name = Resolve-MetabasePropertyName -Known @(Get-MetabaseClassProperty -Key $key) -Name $Property
    $type = (Get-MetabasePropertySchema -Name $name).type
    if ($SecretName) {
        $null = $key.Put($name, [string]$Secrets[$SecretName])
    }
    elseif ($type -eq 'LIST') {
        # Put takes a single value; a MultiSz list is written whole with ADS_PROPERTY_UPDATE.
        $null = $key.PutEx($ADS_PROPERTY_UPDATE, $name, (ConvertTo-MetabaseValue -Type $type -Value $Value))
    }
    else {
        $null = $key.Put($name, (ConvertTo-MetabaseValue -Type $type -Value $Value))
    }
    $null = $key.SetInfo()
}

# metabase_delete: removes the value set at the key, so that the key inherits again.
# ADS_PROPERTY_CLEAR deletes the key's own record, and the provider counts "no record here" as
# success: clearing a property that is not set here is not an error.
Function Clear-MetabaseProperty {
    param([string]$Path, [string]$Property)

    $key = Get-MetabaseKey -Path $Path
    $name = Resolve-MetabasePropertyName -Known @(Get-MetabaseClassProperty -Key $key) -Name $Property
    $null = $key.PutEx($ADS_PROPERTY_CLEAR, $name, $null)
    $null = $key.SetInfo()
}

# metabase_secret_matches: whether the key's effective value (set here or inherited) is a string
# equal to a secret, ordinal and case-sensitive. Only the answer leaves this function.
Function Test-MetabaseSecret {
    param(
        [string]$Path,
        [string]$Property,
        [string]$SecretName,
        [System.Collections.IDictionary]$Secrets
    )

    $key = Get-MetabaseKey -Path $Path
    $name = Resolve-MetabasePropertyName -Known @(Get-MetabaseClassProperty -Key $key) -Name $Property
    if ((Get-MetabasePropertySource -Key $key -Name $name) -eq 'unset') {
        return $false
    }
    $value = $key.Get($name)
    $secret = [string]$Secrets[$SecretName]
    $value -is [string] -and [string]::Equals($value, $secret, [StringComparison]::Ordinal)
}

# ---- Metabase digests (docs/instruction-set.md, metabase_digest_tree) --------------------------

# The hex characters of a digest metabase_digest_tree returns (64 bits), the properties a subtree
# must hold beyond for the summary to open its key, and the most keys a summary lists.
$METABASE_DIGEST_CHARS = 16
$METABASE_SUMMARY_LIMIT = 256
$METABASE_SUMMARY_ENTRIES = 512

# Lower-case hex HMAC-SHA256 of a text's UTF-8 bytes.
Function Get-HmacHex {
    param([System.Security.Cryptography.HMAC]$Hmac, [string]$Text)

    $hash = $Hmac.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($Text))
    -join @(foreach ($byte in $hash) { '{0:x2}' -f $byte })
}

# What a property's digest is made of: name, type and value on three lines. A secure value is
# read here only to be digested.
Function Get-MetabasePropertyText {
    param([System.DirectoryServices.DirectoryEntry]$Key, [string]$Name, [string]$Type)

    $value = ConvertFrom-MetabaseValue -Type $Type -Value $Key.Get($Name)
    $text = switch ($Type) {
        'LIST' { $value -join [char]0 }
        'BOOLEAN' { if ($value) { 'True' } else { 'False' } }
        default { [string]$value }
    }
    "$Name`n$Type`n$text"
}

# The digest tree of the key at $Path and every key below it: each property's HMAC (but the
# excluded ones and the types this module does not convert), the key's, of its properties' lines
# sorted by ordinal lower-case name, and the subtree's, of the key's HMAC and a line per child
# (lower-case name and subtree HMAC) sorted ordinally; Size is the properties in the subtree.
Function Get-MetabaseDigestNode {
    param(
        [System.DirectoryServices.DirectoryEntry]$Key,
        [string]$Path,
        [System.Security.Cryptography.HMAC]$Hmac,
        [string[]]$Exclude
    )

    $properties = [ordered]@{}
    foreach ($name in @(Get-MetabaseClassProperty -Key $Key)) {
        if ($Exclude -contains $name) {
            continue
        }
        # As metabase_get does: a property whose attributes cannot be read is not listed.
        if ((Get-ListedPropertySource -Key $Key -Name $name) -ne 'here') {
            continue
        }
        $type = (Get-CachedPropertySchema -Name $name).type
        if ($type -in $METABASE_VALUE_TYPES) {
            $properties[$name] = Get-HmacHex -Hmac $Hmac -Text (Get-MetabasePropertyText -Key $Key -Name $name -Type $type)
        }
    }
    [string[]]$names = @($properties.Keys)
    [string[]]$sortKeys = @(foreach ($name in $names) { $name.ToLowerInvariant() })
    [Array]::Sort($sortKeys, $names, [StringComparer]::Ordinal)
    $lines = @(foreach ($name in $names) { "$($name):$($properties[$name])" })
    $digest = Get-HmacHex -Hmac $Hmac -Text ($lines -join "`n")

    $children = [System.Collections.Generic.List[Object]]::new()
    foreach ($child in @($Key.psbase.Children)) {
        $children.Add((Get-MetabaseDigestNode -Key $child -Path "$Path/$($child.psbase.Name)" -Hmac $Hmac -Exclude $Exclude))
    }
    [string[]]$childLines = @(foreach ($child in $children) { "$($child.Name.ToLowerInvariant()):$($child.Subtree)" })
    [Array]::Sort($childLines, [StringComparer]::Ordinal)
    $size = $properties.Count
    foreach ($child in $children) {
        $size += $child.Size
    }
    @{
        Key = $Key; Path = $Path; Name = $Key.psbase.Name; Properties = $properties; Digest = $digest
        Subtree = Get-HmacHex -Hmac $Hmac -Text ((@($digest) + $childLines) -join "`n")
        Size = $size; Children = $children
    }
}

# A digest as the op returns it: the first 64 bits of the HMAC.
Function Get-ShortDigest {
    param([string]$Digest)

    $Digest.Substring(0, $METABASE_DIGEST_CHARS)
}

# The summary, the top of the tree: the keys opened, largest subtree first (ties in tree order),
# each while its subtree holds more than $METABASE_SUMMARY_LIMIT properties and its children fit
# within $METABASE_SUMMARY_ENTRIES keys listed. By path, parents before children: an opened key
# as [subtree, key] followed by its children, any other listed key as [subtree].
Function Get-MetabaseDigestSummary {
    param([hashtable]$Root)

    $opened = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::Ordinal)
    $listed = 1
    $candidates = [System.Collections.Generic.List[Object]]::new()
    $candidates.Add($Root)
    while ($candidates.Count -gt 0) {
        $largest = 0
        for ($index = 1; $index -lt $candidates.Count; $index++) {
            if ($candidates[$index].Size -gt $candidates[$largest].Size) {
                $largest = $index
            }
        }
        $node = $candidates[$largest]
        if ($node.Size -le $METABASE_SUMMARY_LIMIT) {
            break
        }
        $candidates.RemoveAt($largest)
        if ($listed + $node.Children.Count -le $METABASE_SUMMARY_ENTRIES) {
            [void]$opened.Add($node.Path)
            $listed += $node.Children.Count
            $candidates.AddRange($node.Children)
        }
    }
    $summary = [ordered]@{}
    $pending = [System.Collections.Generic.Stack[Object]]::new()
    $pending.Push($Root)
    while ($pending.Count -gt 0) {
        $node = $pending.Pop()
        if ($opened.Contains($node.Path)) {
            $summary[$node.Path] = @((Get-ShortDigest $node.Subtree), (Get-ShortDigest $node.Digest))
            for ($index = $node.Children.Count - 1; $index -ge 0; $index--) {
                $pending.Push($node.Children[$index])
            }
        }
        else {
            $summary[$node.Path] = @(, (Get-ShortDigest $node.Subtree))
        }
    }
    $summary
}

# Where the tree differs from another node's summary, top-down: the keys opened there whose own
# digest differs, and the subtrees to list in full (not opened there, or only on one node).
Function Compare-MetabaseDigestSummary {
    param([hashtable]$Root, [System.Collections.IDictionary]$Against)

    $theirs = [hashtable]::new([StringComparer]::OrdinalIgnoreCase)
    $children = [hashtable]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($path in @($Against.Keys)) {
        $theirs[$path] = @($Against[$path])
        $parent = $path.Substring(0, [Math]::Max(0, $path.LastIndexOf('/')))
        if (-not $children.ContainsKey($parent)) {
            $children[$parent] = [System.Collections.Generic.List[string]]::new()
        }
        $children[$parent].Add($path)
    }
    $keys = [System.Collections.Generic.List[string]]::new()
    $subtrees = [System.Collections.Generic.List[string]]::new()
    if (-not $theirs.ContainsKey($Root.Path)) {
        $subtrees.Add($Root.Path)
    }
    $pending = [System.Collections.Generic.Stack[Object]]::new()
    $pending.Push($Root)
    while ($theirs.ContainsKey($Root.Path) -and $pending.Count -gt 0) {
        $node = $pending.Pop()
        $digests = $theirs[$node.Path]
        if ($digests[0] -eq (Get-ShortDigest $node.Subtree)) {
            continue
        }
        if ($digests.Count -lt 2) {
            $subtrees.Add($node.Path)
            continue
        }
        if ($digests[1] -ne (Get-ShortDigest $node.Digest)) {
            $keys.Add($node.Path)
        }
        $mine = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
        for ($index = $node.Children.Count - 1; $index -ge 0; $index--) {
            $child = $node.Children[$index]
            [void]$mine.Add($child.Path)
            if ($theirs.ContainsKey($child.Path)) {
                $pending.Push($child)
            }
            else {
                $subtrees.Add($child.Path)
            }
        }
        if ($children.ContainsKey($node.Path)) {
            foreach ($other in $children[$node.Path]) {
                if (-not $mine.Contains($other)) {
                    $subtrees.Add($other)
                }
            }
        }
    }
    , @([string[]]$keys.ToArray(), [string[]]$subtrees.ToArray())
}

# Each key named in $Keys and each key at or below a path in $Subtrees, parents before children:
# its digest and its properties', and with $Values each value that is not secure.
Function Get-MetabaseDigestListing {
    param([hashtable]$Root, [string[]]$Keys, [string[]]$Subtrees, [bool]$Values)

    $single = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
    $tops = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($path in $Keys) {
        [void]$single.Add($path)
    }
    foreach ($path in $Subtrees) {
        [void]$tops.Add($path)
    }
    $listing = [ordered]@{}
    $pending = [System.Collections.Generic.Stack[Object]]::new()
    $pending.Push(@($Root, $false))
    while ($pending.Count -gt 0) {
        $node, $inside = $pending.Pop()
        $inside = $inside -or $tops.Contains($node.Path)
        if ($inside -or $single.Contains($node.Path)) {
            $properties = [ordered]@{}
            foreach ($name in @($node.Properties.Keys)) {
                $properties[$name] = Get-ShortDigest $node.Properties[$name]
            }
            $entry = [ordered]@{ digest = Get-ShortDigest $node.Digest; properties = $properties }
            if ($Values) {
                $shown = [ordered]@{}
                foreach ($name in @($node.Properties.Keys)) {
                    $schema = Get-CachedPropertySchema -Name $name
                    if (-not $schema.secure) {
                        $shown[$name] = ConvertFrom-MetabaseValue -Type $schema.type -Value $node.Key.Get($name)
                    }
                }
                $entry['values'] = $shown
            }
            $listing[$node.Path] = $entry
        }
        for ($index = $node.Children.Count - 1; $index -ge 0; $index--) {
            $pending.Push(@($node.Children[$index], $inside))
        }
    }
    $listing
}

# metabase_digest_tree: the root's digest and the summary, the differences from another node's
# summary, or the listing of the keys and subtrees asked for.
Function Get-MetabaseDigestTree {
    param(
        [string]$Salt,
        [string[]]$Exclude,
        [System.Collections.IDictionary]$Against,
        [string[]]$Keys,
        [string[]]$Subtrees,
        [bool]$Values
    )

    $hmac = [System.Security.Cryptography.HMACSHA256]::new([System.Text.Encoding]::UTF8.GetBytes($Salt))
    try {
        $root = Get-MetabaseDigestNode -Key (Get-MetabaseKey -Path '') -Path '/LM' -Hmac $hmac -Exclude $Exclude
        $result = [ordered]@{ root = Get-ShortDigest $root.Subtree }
        if ($null -ne $Against) {
            $Keys, $Subtrees = Compare-MetabaseDigestSummary -Root $root -Against $Against
            $result['differing_keys'] = $Keys
            $result['differing_subtrees'] = $Subtrees
        }
        elseif ($null -eq $Keys -and $null -eq $Subtrees) {
            $result['subtrees'] = Get-MetabaseDigestSummary -Root $root
            return $result
        }
        $result['keys'] = Get-MetabaseDigestListing -Root $root -Keys $Keys -Subtrees $Subtrees -Values $Values
        $result
    }
    finally {
        $hmac.Dispose()
    }
}

# ---- Metabase backups (IIsComputer Backup, EnumBackups, Restore) -------------------------------

# Every backup of the machine, as EnumBackups lists them: its out parameters are VARIANT
# references, which late binding only fills when told through a ParameterModifier.
Function Get-MetabaseBackup {
    $machine = ([ADSI]'IIS://localhost').psbase.NativeObject
    $modifier = [System.Reflection.ParameterModifier]::new(5)
    foreach ($out in 2, 3, 4) {
        $modifier[$out] = $true
    }
    for ($index = 0; ; $index++) {
        $arguments = [Object[]]@('', $index, $null, $null, $null)
        try {
            $null = $machine.GetType().InvokeMember('EnumBackups', [System.Reflection.BindingFlags]::InvokeMethod,
                $null, $machine, $arguments, [System.Reflection.ParameterModifier[]]@($modifier), $null, $null)
        }
        catch {
            if ($END_OF_BACKUPS -contains (Get-InnermostException -Exception $_.Exception).HResult) {
                break
            }
            throw
        }
        @{
            name = [string]$arguments[3]
            version = [int]$arguments[2]
            # EnumBackups gives the backup's time in UTC already (a VARIANT DATE has no kind).
            date = ([datetime]$arguments[4]).ToString('yyyy-MM-ddTHH:mm:ssZ', [cultureinfo]::InvariantCulture)
        }
    }
}

# metabase_backup_create: a new version of the named backup, saved to disk first.
Function New-MetabaseBackup {
    param([string]$Name)

    $machine = [ADSI]'IIS://localhost'
    $null = $machine.psbase.Invoke('Backup', $Name, $MD_BACKUP_NEXT_VERSION, $MD_BACKUP_SAVE_FIRST)
    Get-MetabaseBackup | Where-Object { $_.name -eq $Name } | Sort-Object { $_.version } | Select-Object -Last 1
}

# metabase_backup_restore: the whole metabase becomes the backup's (the IIS services restart).
Function Restore-MetabaseBackup {
    param([string]$Name, [int]$Version)

    $machine = [ADSI]'IIS://localhost'
    $null = $machine.psbase.Invoke('Restore', $Name, $Version, 0)
}

# metabase_backup_delete: one version of the named backup (both of its files) is deleted.
Function Remove-MetabaseBackup {
    param([string]$Name, [int]$Version)

    $machine = [ADSI]'IIS://localhost'
    $null = $machine.psbase.Invoke('DeleteBackup', $Name, $Version)
}

# ---- What IISSync depends on: DCOM, shares, the cluster, RPC reachability, COM+ ---------------

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

# NameTranslate (ADS_NAME_INITTYPE_GC; ADS_NAME_TYPE_CANONICAL and ADS_NAME_TYPE_NT4).
$ADS_NAME_INITTYPE_GC = 3
$ADS_NAME_TYPE_CANONICAL = 2
$ADS_NAME_TYPE_NT4 = 3
$ERROR_NOT_SUPPORTED = 50

# An S4U logon token for a domain account (Kerberos protocol transition: it needs no password,
# and no credential of the caller travels, so no second hop). WindowsIdentity takes the user's
# principal name; sAMAccountName@dns.domain is its implicit form, with the DNS name of the
# account's own domain (NameTranslate's canonical name starts with it), not this host's: a trusted
# domain's user keeps its domain. Kerberos cannot log on a local account, and the host's domain
# would answer for a namesake instead, so a local account is refused.
Function New-S4uIdentity {
    param([string]$Account)

    $user = $Account
    if ($Account.Contains('\')) {
        $authority, $name = $Account.Split('\', 2)
        if ($authority -eq $env:COMPUTERNAME) {
            throw [System.ComponentModel.Win32Exception]::new($ERROR_NOT_SUPPORTED,
                "$Account is a local account: an S4U logon (Kerberos) can only build a domain account's token")
        }
        $translate = New-Object -ComObject NameTranslate
        $invoke = [System.Reflection.BindingFlags]::InvokeMethod
        $null = $translate.GetType().InvokeMember('Init', $invoke, $null, $translate, @($ADS_NAME_INITTYPE_GC, ''))
        $null = $translate.GetType().InvokeMember('Set', $invoke, $null, $translate, @($ADS_NAME_TYPE_NT4, $Account))
        $canonical = [string]$translate.GetType().InvokeMember('Get', $invoke, $null, $translate, @($ADS_NAME_TYPE_CANONICAL))
        $user = '{0}@{1}' -f $name, $canonical.Split('/')[0]
    }
    [System.Security.Principal.WindowsIdentity]::new($user)
}

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

# ---- Domain accounts, through the NetAPI of a domain controller ---------------------------------

# The account database these calls reach is the domain's only on a domain controller; the
# controller writes with the domain_* operations on domain controllers only.
$NetUser = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetAccounts.NetUser]
$UserFlags = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetAccounts.UserFlags]
$NERR_UserNotFound = 2221
$ERROR_LOGON_FAILURE = 1326
# LogonUser reports these only once it has accepted the password: account restriction, logon
# hours, workstation, password expired, account disabled, logon type not granted, must change.
$LOGON_ERRORS_AFTER_PASSWORD = @(1327, 1328, 1329, 1330, 1331, 1385, 1907)
# The USER_INFO flag each boolean argument stands for; 'enabled' is the inverse of its flag.
$USER_FLAG_ARGUMENTS = [ordered]@{
    enabled = 'AccountDisable'
    password_never_expires = 'DontExpirePassword'
    user_cannot_change_password = 'PasswordCannotChange'
}

# What the USER_INFO flags and the objectClass say the account is: a person's or a service's
# user, or a machine's (computer, managed service account, interdomain trust).
Function Get-DomainAccountKind {
    param([uint32]$Flags, [string[]]$Classes)

    if ($Classes -contains 'msDS-GroupManagedServiceAccount' -or $Classes -contains 'msDS-ManagedServiceAccount') {
        return 'managed_service_account'
    }
    if ($Flags -band ([uint32]$UserFlags::WorkstationTrustAccount -bor [uint32]$UserFlags::ServerTrustAccount)) {
        return 'computer'
    }
    if ($Flags -band [uint32]$UserFlags::InterdomainTrustAccount) {
        return 'trust'
    }
    'user'
}

# domain_user_get: the user's USER_INFO_23 and 10, global groups, and from the directory every
# group it is in, nested ones and BUILTIN aliases included (tokenGroups), its adminCount and
# objectClass; $null when there is no such user.
Function Get-DomainUserReport {
    param([string]$Name)

    $user = $NetUser::GetUser($Name)
    if ($null -eq $user) {
        return $null
    }
    $entry = [ADSI]('LDAP://<SID=' + $user.Sid + '>')
    # tokenGroups is constructed: only an explicit RefreshCache computes it.
    $entry.RefreshCache([string[]]@('tokenGroups', 'adminCount', 'objectClass'))
    $groupSids = @(foreach ($bytes in $entry.Properties['tokenGroups']) {
            ([System.Security.Principal.SecurityIdentifier]::new([byte[]]$bytes, 0)).Value
        })
    $flags = [uint32]$user.Flags
    @{
        name = $user.Name
        sid = $user.Sid
        description = [string]$user.Comment
        user_comment = [string]$user.UserComment
        enabled = -not ($flags -band [uint32]$UserFlags::AccountDisable)
        password_never_expires = [bool]($flags -band [uint32]$UserFlags::DontExpirePassword)
        user_cannot_change_password = [bool]($flags -band [uint32]$UserFlags::PasswordCannotChange)
        groups = @($NetUser::GetGroups($Name))
        kind = Get-DomainAccountKind -Flags $flags -Classes @($entry.Properties['objectClass'])
        group_sids = $groupSids
        admin_count = ([int]$entry.Properties['adminCount'].Value) -eq 1
    }
}

# The user flags with the bits that the instruction's boolean arguments name set or cleared.
Function Get-UserFlag {
    param([uint32]$Flags, [System.Collections.IDictionary]$Arguments)

    foreach ($name in $USER_FLAG_ARGUMENTS.Keys) {
        if (-not $Arguments.Contains($name)) {
            continue
        }
        $bit = [uint32]$UserFlags::($USER_FLAG_ARGUMENTS[$name])
        $set = if ($name -eq 'enabled') { -not $Arguments[$name] } else { [bool]$Arguments[$name] }
        $Flags = if ($set) { $Flags -bor $bit } else { $Flags -band ([uint32]::MaxValue -bxor $bit) }
    }
    $Flags
}

# domain_user_set: the description (level 1007) and the flags (level 1008) the arguments give.
Function Set-DomainUser {
    param([System.Collections.IDictionary]$Arguments)

    $name = $Arguments['name']
    $user = $NetUser::GetUser($name)
    if ($null -eq $user) {
        throw [System.ComponentModel.Win32Exception]::new($NERR_UserNotFound)
    }
    if ($Arguments.Contains('description')) {
        $NetUser::SetComment($name, $Arguments['description'])
    }
    if ($Arguments.Contains('user_comment')) {
        $NetUser::SetUserComment($name, $Arguments['user_comment'])
    }
    $flags = Get-UserFlag -Flags ([uint32]$user.Flags) -Arguments $Arguments
    if ($flags -ne [uint32]$user.Flags) {
        $NetUser::SetFlags($name, $flags)
    }
}

# domain_user_password_matches: a network logon, which needs no "Log on locally". Only the answer
# leaves this function; the token is closed at once.
Function Test-DomainUserPassword {
    param([string]$Name, [string]$Password)

    try {
        $token = [Ansible.AccessToken.TokenUtil]::LogonUser($Name, (Get-JoinedDomainName), $Password,
            [Ansible.AccessToken.LogonType]::Network, [Ansible.AccessToken.LogonProvider]::Default)
        $token.Dispose()
        return $true
    }
    catch {
        $windows = Get-InnermostException -Exception $_.Exception
        if ($windows -isnot [System.ComponentModel.Win32Exception]) {
            throw
        }
        if ($windows.NativeErrorCode -eq $ERROR_LOGON_FAILURE) {
            return $false
        }
        if ($windows.NativeErrorCode -in $LOGON_ERRORS_AFTER_PASSWORD) {
            return $true
        }
        throw
    }
}

# domain_password_policy_get: the domain object's password settings, read over LDAP from this
# domain controller.
Function Get-DomainPasswordPolicy {
    $rootDse = [ADSI]'LDAP://RootDSE'
    $domain = [ADSI]('LDAP://' + [string]$rootDse.Properties['defaultNamingContext'][0])
    @{
        min_length = [int]$domain.Properties['minPwdLength'][0]
        # DOMAIN_PASSWORD_COMPLEX is bit 0 of pwdProperties.
        complexity = [bool]([int]$domain.Properties['pwdProperties'][0] -band 1)
    }
}

# ---- The host's own security: names, tokens, local groups, user rights ------------------------

$Principals = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity.Principals]
$LocalGroups = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity.LocalGroups]
$UserRights = [ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity.UserRights]
$ERROR_NO_SUCH_USER = 1317
$NERR_GroupNotFound = 2220
$SID_TYPE_USER = 1
# SID_NAME_USE as the contract names it; a computer account (9) is a user.
$PRINCIPAL_KINDS = @{ 1 = 'user'; 2 = 'group'; 4 = 'alias'; 5 = 'well_known'; 9 = 'user' }

Function ConvertTo-PrincipalReport {
    param([Object]$Principal)

    $kind = $PRINCIPAL_KINDS[[int]$Principal.Use]
    @{ sid = $Principal.Sid; name = $Principal.Name; kind = if ($kind) { $kind } else { 'unknown' } }
}

# account_lookup: the principal a name maps to here, $null when none.
Function Get-AccountReport {
    param([string]$Name)

    $principal = $Principals::FromName($Name)
    if ($null -eq $principal) { $null } else { ConvertTo-PrincipalReport -Principal $principal }
}

# account_token_get: the groups of an S4U logon token for a user.
Function Get-AccountTokenReport {
    param([string]$Name)

    $principal = $Principals::FromName($Name)
    if ($null -eq $principal) {
        return $null
    }
    if ($principal.Use -ne $SID_TYPE_USER) {
        throw [System.ComponentModel.Win32Exception]::new($ERROR_NO_SUCH_USER)
    }
    $identity = New-S4uIdentity -Account $principal.Name
    try {
        $report = ConvertTo-PrincipalReport -Principal $principal
        $report.groups = @(foreach ($group in $identity.Groups) {
                ConvertTo-PrincipalReport -Principal ($Principals::FromSid($group.Value))
            })
        $report
    }
    finally {
        $identity.Dispose()
    }
}

# The members of a local group, each as a principal.
Function Get-LocalGroupMemberReport {
    param([string]$Group)

    foreach ($member in $LocalGroups::GetMembers($Group)) {
        ConvertTo-PrincipalReport -Principal $member
    }
}

# local_group_members_get: the group and its members. NetLocalGroupGetMembers fails first for a
# group that does not exist (NERR_GroupNotFound).
Function Get-LocalGroupReport {
    param([string]$Group)

    $members = @(Get-LocalGroupMemberReport -Group $Group)
    $report = ConvertTo-PrincipalReport -Principal ($Principals::FromName($Group))
    $report.members = $members
    $report
}

# user_rights_get: the holders of a right, and the members of each holder that is a local group
# of this host (a domain local group seen from a member server is an alias too, but not one
# NetLocalGroupGetMembers knows here: it keeps no members).
Function Get-UserRightReport {
    param([string]$Right)

    $holders = foreach ($sid in $UserRights::GetHolders($Right)) {
        $holder = ConvertTo-PrincipalReport -Principal ($Principals::FromSid($sid))
        if ($holder.kind -eq 'alias') {
            try {
                $holder.members = @(Get-LocalGroupMemberReport -Group ($holder.name.Split('\')[-1]))
            }
            catch {
                $windows = Get-InnermostException -Exception $_.Exception
                if ($windows -isnot [System.ComponentModel.Win32Exception] -or
                    $windows.NativeErrorCode -ne $NERR_GroupNotFound) {
                    throw
                }
            }
        }
        $holder
    }
    @{ right = $Right; holders = @($holders) }
}

# ---- IIS identities: metabase searches, anonymous logons, the COM+ catalog -----------------------

# GetDataPaths' attribute argument: every key that sets the property, inheritable or not.
$IIS_ANY_PROPERTY = 0
$COMADMIN_E_OBJECT_DOES_NOT_EXIST = 0x80110809
$COMADMIN_E_OBJECTERRORS = 0x80110401
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
$LOGON_TYPE_OF_NAME = @{
    interactive = [Ansible.AccessToken.LogonType]::Interactive
    batch = [Ansible.AccessToken.LogonType]::Batch
    network = [Ansible.AccessToken.LogonType]::Network
}

Function Test-AccountLogonOfType {
    param([string]$Name, [string]$Password, [string]$LogonType)

    if (-not $LOGON_TYPE_OF_NAME.ContainsKey($LogonType)) {
        throw [System.ArgumentException]::new("logon_type must be interactive, batch or network")
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

# iis_identities_check: whether every identity IIS uses on this host logs on, the anonymous users
# of every request key and the COM+ packages synciwam.vbs sets (the pooled one and every
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

# ---- The instruction set ---------------------------------------------------------------------

# Write: the op changes the host, so it is refused in check mode and its success means `changed`.
# Args: every argument it takes, with its type (see $ARGUMENT_TYPES). Required: the args it cannot
# run without. OneOf: args of which exactly one must be given.
# Run: called with the instruction's args and the module's secrets; returns the op's value.
$operations = @{
    'host_facts' = @{
        Write = $false
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-HostFact }
    }
    'metabase_get' = @{
        Write = $false
        Args = @{ path = 'str'; properties = 'str_list'; children = 'bool' }
        Required = @('path')
        Run = {
            param($Arguments, $Secrets)
            Get-MetabaseKeyReport -Path $Arguments['path'] -Property $Arguments['properties'] `
                -Children ([bool]$Arguments['children'])
        }
    }
    'metabase_set' = @{
        Write = $true
        Args = @{ path = 'str'; property = 'str'; value = 'any'; secret = 'secret' }
        Required = @('path', 'property')
        OneOf = @('value', 'secret')
        Run = {
            param($Arguments, $Secrets)
            Set-MetabaseProperty -Path $Arguments['path'] -Property $Arguments['property'] `
                -Value $Arguments['value'] -SecretName $Arguments['secret'] -Secrets $Secrets
        }
    }
    'metabase_delete' = @{
        Write = $true
        Args = @{ path = 'str'; property = 'str' }
        Required = @('path', 'property')
        Run = {
            param($Arguments, $Secrets)
            Clear-MetabaseProperty -Path $Arguments['path'] -Property $Arguments['property']
        }
    }
    'metabase_secret_matches' = @{
        Write = $false
        Args = @{ path = 'str'; property = 'str'; secret = 'secret' }
        Required = @('path', 'property', 'secret')
        Run = {
            param($Arguments, $Secrets)
            Test-MetabaseSecret -Path $Arguments['path'] -Property $Arguments['property'] `
                -SecretName $Arguments['secret'] -Secrets $Secrets
        }
    }
    'metabase_digest_tree' = @{
        Write = $false
        Args = @{ salt = 'secret'; exclude = 'str_list'; against = 'any'; keys = 'str_list'; subtrees = 'str_list'; values = 'bool' }
        Required = @('salt')
        Run = {
            param($Arguments, $Secrets)
            Get-MetabaseDigestTree -Salt ([string]$Secrets[$Arguments['salt']]) -Exclude @($Arguments['exclude']) `
                -Against $Arguments['against'] -Keys $Arguments['keys'] -Subtrees $Arguments['subtrees'] `
                -Values ([bool]$Arguments['values'])
        }
    }
    'metabase_backup_create' = @{
        Write = $true
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) New-MetabaseBackup -Name $Arguments['name'] }
    }
    'metabase_backup_list' = @{
        Write = $false
        Args = @{}
        Required = @()
        Run = {
            param($Arguments, $Secrets)
            # The contract's order: by name (as IIS compares them, ignoring case), then version.
            , @(Get-MetabaseBackup | Sort-Object -Property @{ Expression = { $_.name.ToLowerInvariant() } },
                @{ Expression = { $_.version } })
        }
    }
    'metabase_backup_restore' = @{
        Write = $true
        Args = @{ name = 'str'; version = 'int' }
        Required = @('name', 'version')
        Run = { param($Arguments, $Secrets) Restore-MetabaseBackup -Name $Arguments['name'] -Version $Arguments['version'] }
    }
    'metabase_backup_delete' = @{
        Write = $true
        Args = @{ name = 'str'; version = 'int' }
        Required = @('name', 'version')
        Run = { param($Arguments, $Secrets) Remove-MetabaseBackup -Name $Arguments['name'] -Version $Arguments['version'] }
    }
    'dcom_protocols' = @{
        Write = $false
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-DcomProtocol }
    }
    'file_shares' = @{
        Write = $false
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-FileShare }
    }
    'cluster_addresses' = @{
        Write = $false
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-ClusterAddress }
    }
    'rpc_probe' = @{
        Write = $false
        Args = @{ computer = 'str' }
        Required = @('computer')
        Run = { param($Arguments, $Secrets) Test-RpcEndpoint -Computer $Arguments['computer'] }
    }
    'complus_catalog' = @{
        Write = $false
        Args = @{ account = 'str' }
        Required = @()
        Run = { param($Arguments, $Secrets) Get-ComPlusCatalog -Account $Arguments['account'] }
    }
    'iissync_run' = @{
        Write = $true
        Args = @{ targets = 'str_list' }
        Required = @('targets')
        Run = { param($Arguments, $Secrets) Invoke-IisSync -Targets @($Arguments['targets']) }
    }
    'domain_user_get' = @{
        Write = $false
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Get-DomainUserReport -Name $Arguments['name'] }
    }
    'domain_user_add' = @{
        Write = $true
        Args = @{
            name = 'str'; secret = 'secret'; description = 'str'; user_comment = 'str'
            enabled = 'bool'; password_never_expires = 'bool'; user_cannot_change_password = 'bool'
        }
        Required = @('name', 'secret')
        Run = {
            param($Arguments, $Secrets)
            $flags = Get-UserFlag -Flags 0 -Arguments $Arguments
            $NetUser::AddUser($Arguments['name'], [string]$Secrets[$Arguments['secret']],
                [string]$Arguments['description'], [string]$Arguments['user_comment'], $flags)
        }
    }
    'domain_user_set' = @{
        Write = $true
        Args = @{
            name = 'str'; description = 'str'; user_comment = 'str'
            enabled = 'bool'; password_never_expires = 'bool'; user_cannot_change_password = 'bool'
        }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Set-DomainUser -Arguments $Arguments }
    }
    'domain_user_set_password' = @{
        Write = $true
        Args = @{ name = 'str'; secret = 'secret' }
        Required = @('name', 'secret')
        Run = {
            param($Arguments, $Secrets)
            $NetUser::SetPassword($Arguments['name'], [string]$Secrets[$Arguments['secret']])
        }
    }
    'domain_user_password_matches' = @{
        Write = $false
        Args = @{ name = 'str'; secret = 'secret' }
        Required = @('name', 'secret')
        Run = {
            param($Arguments, $Secrets)
            Test-DomainUserPassword -Name $Arguments['name'] -Password ([string]$Secrets[$Arguments['secret']])
        }
    }
    'domain_user_delete' = @{
        Write = $true
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) $NetUser::DeleteUser($Arguments['name']) }
    }
    'domain_group_add_member' = @{
        Write = $true
        Args = @{ group = 'str'; name = 'str' }
        Required = @('group', 'name')
        Run = { param($Arguments, $Secrets) $NetUser::AddGroupMember($Arguments['group'], $Arguments['name']) }
    }
    'domain_password_policy_get' = @{
        Write = $false
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-DomainPasswordPolicy }
    }
    'account_lookup' = @{
        Write = $false
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Get-AccountReport -Name $Arguments['name'] }
    }
    'account_token_get' = @{
        Write = $false
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Get-AccountTokenReport -Name $Arguments['name'] }
    }
    'local_group_members_get' = @{
        Write = $false
        Args = @{ group = 'str' }
        Required = @('group')
        Run = { param($Arguments, $Secrets) Get-LocalGroupReport -Group $Arguments['group'] }
    }
    'local_group_member_add' = @{
        Write = $true
        Args = @{ group = 'str'; sid = 'str' }
        Required = @('group', 'sid')
        Run = { param($Arguments, $Secrets) $LocalGroups::AddMember($Arguments['group'], $Arguments['sid']) }
    }
    'local_group_member_remove' = @{
        Write = $true
        Args = @{ group = 'str'; sid = 'str' }
        Required = @('group', 'sid')
        Run = { param($Arguments, $Secrets) $LocalGroups::RemoveMember($Arguments['group'], $Arguments['sid']) }
    }
    'user_rights_get' = @{
        Write = $false
        Args = @{ right = 'str' }
        Required = @('right')
        Run = { param($Arguments, $Secrets) Get-UserRightReport -Right $Arguments['right'] }
    }
    'user_right_grant' = @{
        Write = $true
        Args = @{ right = 'str'; sid = 'str' }
        Required = @('right', 'sid')
        Run = { param($Arguments, $Secrets) $UserRights::Grant($Arguments['right'], $Arguments['sid']) }
    }
    'metabase_data_paths' = @{
        Write = $false
        Args = @{ path = 'str'; property = 'str' }
        Required = @('path', 'property')
        Run = {
            param($Arguments, $Secrets)
            , @(Get-MetabaseDataPath -Path $Arguments['path'] -Property $Arguments['property'])
        }
    }
    'metabase_applications_get' = @{
        Write = $false
        Args = @{ path = 'str' }
        Required = @('path')
        Run = { param($Arguments, $Secrets) , @(Get-MetabaseApplication -Path $Arguments['path']) }
    }
    'metabase_sites_get' = @{
        Write = $false
        Args = @{ service = 'str' }
        Required = @('service')
        Run = { param($Arguments, $Secrets) , @(Get-MetabaseSite -Service $Arguments['service']) }
    }
    'account_logon_check' = @{
        Write = $false
        Args = @{ name = 'str'; secret = 'secret'; logon_type = 'str' }
        Required = @('name', 'secret', 'logon_type')
        Run = {
            param($Arguments, $Secrets)
            Test-AccountLogonOfType -Name $Arguments['name'] -Password ([string]$Secrets[$Arguments['secret']]) `
                -LogonType $Arguments['logon_type']
        }
    }
    'iis_identities_check' = @{
        Write = $false
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Test-IisIdentity }
    }
    'anonymous_logon_check' = @{
        Write = $false
        Args = @{ path = 'str'; user = 'str'; secret = 'secret' }
        Required = @('path')
        Run = {
            param($Arguments, $Secrets)
            if ($Arguments.ContainsKey('user') -ne $Arguments.ContainsKey('secret')) {
                throw [System.ArgumentException]::new('user and secret go together')
            }
            $password = if ($Arguments.ContainsKey('secret')) { [string]$Secrets[$Arguments['secret']] } else { $null }
            Test-AnonymousLogon -Path $Arguments['path'] -User $Arguments['user'] -Password $password
        }
    }
    'comadmin_application_set_identity' = @{
        Write = $true
        Args = @{ id = 'str'; identity = 'str'; secret = 'secret' }
        Required = @('id', 'identity', 'secret')
        Run = {
            param($Arguments, $Secrets)
            Set-ComApplicationIdentity -Id $Arguments['id'] -Identity $Arguments['identity'] `
                -Password ([string]$Secrets[$Arguments['secret']])
        }
    }
}

# The argument types of the table, as the messages name them. A 'secret' is the name of a secret.
$ARGUMENT_TYPES = @{
    str = 'a string'
    bool = 'a boolean'
    int = 'an integer'
    str_list = 'a list of strings'
    secret = 'the name of a secret in secrets'
    any = 'any value'
}

Function Test-ArgumentType {
    param([string]$Type, [Object]$Value)

    switch ($Type) {
        'bool' { $Value -is [bool] }
        'int' { $Value -is [int] -or $Value -is [long] }
        'str_list' { Test-StringList -Value $Value }
        'any' { $true }
        default { $Value -is [string] }
    }
}

# An op's result as plain values that ConvertTo-Json (Ansible.Basic's ToJson) writes as they are.
# InvokeReturnAsIs hands back PSObject-wrapped values, and Windows PowerShell 5.1 writes a wrapped
# array as {"value":[...],"Count":n} (its ETS Count alias on System.Array, PowerShell/PowerShell#3222).
# So every value is unwrapped, a dictionary becomes an ordered hashtable and any other collection
# a List (no ETS members), built through method calls, which pass base objects, not wrappers.
Function ConvertTo-PlainResult {
    param([Object]$Value)

    if ($null -eq $Value) {
        return $null
    }
    $Value = $Value.psobject.BaseObject
    if ($Value -is [string] -or $Value -is [ValueType]) {
        return $Value
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $entries = [ordered]@{}
        foreach ($key in $Value.Keys) {
            $entries.Add([string]$key, (ConvertTo-PlainResult -Value $Value[$key]))
        }
        return $entries
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $plain = [System.Collections.Generic.List[Object]]::new()
        foreach ($item in $Value) {
            $plain.Add((ConvertTo-PlainResult -Value $item))
        }
        # The pipeline would enumerate the list: an empty one would become $null, one item the item.
        return , $plain
    }
    $Value
}

# An instruction's args; an instruction without args has none.
Function Get-InstructionArgument {
    param([System.Collections.IDictionary]$Instruction)

    if ($null -eq $Instruction['args']) { @{} } else { $Instruction['args'] }
}

# Why an instruction cannot be run at all, or nothing. The message names the instruction and the
# field, never a secret's value.
Function Get-InstructionProblem {
    param(
        [int]$Index,
        [Object]$Instruction,
        [System.Collections.IDictionary]$Secrets,
        [bool]$CheckMode
    )

    $where = "instructions[$Index]"
    if ($Instruction -isnot [System.Collections.IDictionary] -or $Instruction['op'] -isnot [string]) {
        return "$($where): must be a dict with a string op and a dict args"
    }
    $unknownKeys = @($Instruction.Keys | Where-Object { @('op', 'args') -cnotcontains $_ })
    if ($unknownKeys) {
        return "$($where): unknown keys $($unknownKeys -join ', '); an instruction has op and args"
    }
    $op = $Instruction['op']
    if ($operations.Keys -cnotcontains $op) {
        return "$where.op: unknown op '$op'; the ops are $(($operations.Keys | Sort-Object) -join ', ')"
    }
    $arguments = Get-InstructionArgument -Instruction $Instruction
    if ($arguments -isnot [System.Collections.IDictionary]) {
        return "$where.args: must be a dict of arguments for $op"
    }
    $operation = $operations[$op]
    foreach ($name in $arguments.Keys) {
        if ($operation.Args.Keys -cnotcontains $name) {
            return "$where.args.$($name): $op has no such argument"
        }
        $type = $operation.Args[$name]
        if (-not (Test-ArgumentType -Type $type -Value $arguments[$name])) {
            return "$where.args.$($name): must be $($ARGUMENT_TYPES[$type])"
        }
        if ($type -eq 'secret' -and -not $Secrets.ContainsKey($arguments[$name])) {
            return "$where.args.$($name): '$($arguments[$name])' is not a name in secrets"
        }
    }
    foreach ($name in $operation.Required) {
        if (-not $arguments.ContainsKey($name)) {
            return "$where.args.$($name): missing, $op requires it"
        }
    }
    if ($operation.ContainsKey('OneOf')) {
        $given = @($operation.OneOf | Where-Object { $arguments.ContainsKey($_) })
        if ($given.Count -ne 1) {
            return "$where.args: $op takes exactly one of $($operation.OneOf -join ', ')"
        }
    }
    if ($CheckMode -and $operation.Write) {
        return "$($where): $op changes the host and is refused in check mode"
    }
}

# Why the call cannot be run at all, or nothing. Such a call is a bug in the caller, so the module
# fails before any instruction runs.
Function Get-CallProblem {
    param(
        [System.Collections.IList]$Instructions,
        [System.Collections.IDictionary]$Secrets,
        [bool]$CheckMode
    )

    foreach ($name in $Secrets.Keys) {
        if ($Secrets[$name] -isnot [string]) {
            return "secrets.$($name): must be a string"
        }
    }
    for ($index = 0; $index -lt $Instructions.Count; $index++) {
        $problem = Get-InstructionProblem -Index $index -Instruction $Instructions[$index] -Secrets $Secrets `
            -CheckMode $CheckMode
        if ($problem) {
            return $problem
        }
    }
}

$problem = Get-CallProblem -Instructions $instructions -Secrets $secrets -CheckMode $module.CheckMode
if ($problem) {
    $module.FailJson($problem)
}

$results = [System.Collections.Generic.List[Object]]::new()
$failed = $false
foreach ($instruction in $instructions) {
    $op = $instruction['op']
    if ($failed -and $module.Params.stop_on_error) {
        $results.Add(@{ op = $op; status = 'not_run' })
        continue
    }
    $operation = $operations[$op]
    try {
        $arguments = Get-InstructionArgument -Instruction $instruction
        $result = @{ op = $op; status = 'ok' }
        $result['value'] = ConvertTo-PlainResult -Value ($operation.Run.InvokeReturnAsIs($arguments, $secrets))
        $results.Add($result)
        if ($operation.Write) {
            $module.Result.changed = $true
        }
    }
    catch {
        $failed = $true
        $results.Add(@{ op = $op; status = 'failed'; error = ConvertTo-WindowsError -Exception $_.Exception })
    }
}

$module.Result.results = $results
$module.ExitJson()
