# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabase

# metabase_digest (docs/instruction-set.md): salted digests of every key of the metabase.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# The metabase types whose values this module converts, named as adsutil.vbs names them.
$METABASE_VALUE_TYPES = @('STRING', 'EXPANDSZ', 'INTEGER', 'BOOLEAN', 'LIST', 'BINARY')

# The schema of each property metabase_digest met, by name: the schema is the machine's, so one
# bind per property name serves every key (a bind per key and property is a COM round trip each).
$PropertySchemas = @{}

Function Get-CachedPropertySchema {
    param([string]$Name)

    if (-not $PropertySchemas.ContainsKey($Name)) {
        $PropertySchemas[$Name] = Get-MetabasePropertySchema -Name $Name
    }
    $PropertySchemas[$Name]
}

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

# The digests of one key: each property set at it (but the excluded ones and the types this
# module does not convert), and the key's own, of its properties' lines sorted by ordinal
# lower-case name.
Function Get-MetabaseKeyDigest {
    param(
        [System.DirectoryServices.DirectoryEntry]$Key,
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
    @{ digest = Get-HmacHex -Hmac $Hmac -Text ($lines -join "`n"); properties = $properties }
}

# metabase_digest: every key of the metabase by metabase path, parents before children.
Function Get-MetabaseDigest {
    param([string]$Salt, [string[]]$Exclude)

    $hmac = [System.Security.Cryptography.HMACSHA256]::new([System.Text.Encoding]::UTF8.GetBytes($Salt))
    try {
        $keys = [ordered]@{}
        $pending = [System.Collections.Generic.Stack[Object]]::new()
        $pending.Push(@((Get-MetabaseKey -Path ''), '/LM'))
        while ($pending.Count -gt 0) {
            $key, $path = $pending.Pop()
            $keys[$path] = Get-MetabaseKeyDigest -Key $key -Hmac $hmac -Exclude $Exclude
            $children = @($key.psbase.Children)
            [Array]::Reverse($children)
            foreach ($child in $children) {
                $pending.Push(@($child, "$path/$($child.psbase.Name)"))
            }
        }
        @{ keys = $keys }
    }
    finally {
        $hmac.Dispose()
    }
}

Export-ModuleMember -Function Get-MetabaseDigest
