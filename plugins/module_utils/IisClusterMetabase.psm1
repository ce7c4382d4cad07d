# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors

# The IIS 5/6 metabase through the ADSI IIS provider: keys, their properties and the schema,
# and the metabase_get, metabase_set, metabase_delete and metabase_secret_matches ops.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# HRESULTs as Exception.HResult holds them: PowerShell reads a 0x8... literal as a negative Int32.
$MD_ERROR_DATA_NOT_FOUND = 0x800CC801
$E_ADS_PROPERTY_NOT_SUPPORTED = 0x80005006
$E_ADS_CANT_CONVERT_DATATYPE = 0x8000500C
# ADSI PutEx control codes (ADS_PROPERTY_OPERATION_ENUM).
$ADS_PROPERTY_CLEAR = 1
$ADS_PROPERTY_UPDATE = 2
# The metabase types whose values this module converts, named as adsutil.vbs names them.
$METABASE_VALUE_TYPES = @('STRING', 'EXPANDSZ', 'INTEGER', 'BOOLEAN', 'LIST', 'BINARY')

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

Export-ModuleMember -Function Get-MetabaseKey, Get-CanonicalAdsiPath, Get-MetabaseClassProperty,
    Resolve-MetabasePropertyName, Get-MetabasePropertySchema, Get-MetabasePropertySource,
    ConvertFrom-MetabaseValue, Get-ListedPropertySource, Get-MetabaseKeyReport,
    Set-MetabaseProperty, Clear-MetabaseProperty, Test-MetabaseSecret
