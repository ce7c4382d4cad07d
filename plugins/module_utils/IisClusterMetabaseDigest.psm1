# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabase

# metabase_digest_tree (docs/instruction-set.md): the salted digest tree of the metabase, its
# summary, its differences from another node's summary, and the listing of chosen keys.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# The metabase types whose values this module converts, named as adsutil.vbs names them.
$METABASE_VALUE_TYPES = @('STRING', 'EXPANDSZ', 'INTEGER', 'BOOLEAN', 'LIST', 'BINARY')

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

# The hex characters of a digest metabase_digest_tree returns (64 bits), the properties a subtree
# must hold beyond for the summary to open its key, and the most keys a summary lists.
$METABASE_DIGEST_CHARS = 16
$METABASE_SUMMARY_LIMIT = 256
$METABASE_SUMMARY_ENTRIES = 512
# A key with more children than this could never be opened with all of them listed: it is opened
# by buckets of its children instead, named "<key's path>//<bucket>" (no key name is empty).
$METABASE_WIDE_KEY_CHILDREN = $METABASE_SUMMARY_ENTRIES - 1
$METABASE_BUCKET_SEPARATOR = '//'

# The bucket of a wide key's child: the first two hex characters of the SHA-256 of its lower-case
# name's UTF-8 bytes, so every node puts a child in the same one of 256 buckets whatever other
# children it has. Names are not secret (a summary lists paths); the buckets' digests are salted.
$NameHash = [System.Security.Cryptography.SHA256]::Create()

Function Get-MetabaseBucketName {
    param([string]$Name)

    $hash = $NameHash.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($Name.ToLowerInvariant()))
    '{0:x2}' -f $hash[0]
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

# The buckets of a key's children that hold any, by name: each a node without a key or
# properties (its digest is a key's without any) whose children are its members in tree order,
# and whose subtree digest chains them as a key's does.
Function Get-MetabaseDigestBucket {
    param([hashtable]$Node, [System.Security.Cryptography.HMAC]$Hmac)

    $members = [System.Collections.Generic.SortedDictionary[string, Object]]::new([StringComparer]::Ordinal)
    foreach ($child in $Node.Children) {
        $bucket = Get-MetabaseBucketName -Name $child.Name
        if (-not $members.ContainsKey($bucket)) {
            $members[$bucket] = [System.Collections.Generic.List[Object]]::new()
        }
        $members[$bucket].Add($child)
    }
    $empty = Get-HmacHex -Hmac $Hmac -Text ''
    $buckets = [System.Collections.Generic.List[Object]]::new()
    foreach ($bucket in $members.Keys) {
        $children = $members[$bucket]
        [string[]]$childLines = @(foreach ($child in $children) { "$($child.Name.ToLowerInvariant()):$($child.Subtree)" })
        [Array]::Sort($childLines, [StringComparer]::Ordinal)
        $size = 0
        foreach ($child in $children) {
            $size += $child.Size
        }
        $buckets.Add(@{
                Key = $null; Path = "$($Node.Path)$METABASE_BUCKET_SEPARATOR$bucket"; Name = $bucket
                Properties = [ordered]@{}; Digest = $empty
                Subtree = Get-HmacHex -Hmac $Hmac -Text ((@($empty) + $childLines) -join "`n")
                Size = $size; Children = $children
            })
    }
    , $buckets
}

# What opening a node lists: its children, or their buckets with -Bucketed.
Function Get-MetabaseOpenedChild {
    param([hashtable]$Node, [System.Security.Cryptography.HMAC]$Hmac, [bool]$Bucketed)

    if ($Bucketed) {
        return , (Get-MetabaseDigestBucket -Node $Node -Hmac $Hmac)
    }
    , $Node.Children
}

# A digest as the op returns it: the first 64 bits of the HMAC.
Function Get-ShortDigest {
    param([string]$Digest)

    $Digest.Substring(0, $METABASE_DIGEST_CHARS)
}

# The summary, the top of the tree: the keys opened, largest subtree first (ties in tree order),
# each while its subtree holds more than $METABASE_SUMMARY_LIMIT properties and its children fit
# within $METABASE_SUMMARY_ENTRIES keys listed; a key with more than $METABASE_WIDE_KEY_CHILDREN
# children lists their buckets instead, which open the same way. By path, parents before children:
# an opened key or bucket as [subtree, key] followed by what it lists, any other as [subtree].
Function Get-MetabaseDigestSummary {
    param([hashtable]$Root, [System.Security.Cryptography.HMAC]$Hmac)

    $opened = [System.Collections.Generic.Dictionary[string, Object]]::new([StringComparer]::Ordinal)
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
        # A bucket is never bucketed again: one holds more than $METABASE_WIDE_KEY_CHILDREN children
        # only under a key of some 130,000, and is then listed whole, not opened.
        $bucketed = $null -ne $node.Key -and $node.Children.Count -gt $METABASE_WIDE_KEY_CHILDREN
        $children = Get-MetabaseOpenedChild -Node $node -Hmac $Hmac -Bucketed $bucketed
        if ($listed + $children.Count -le $METABASE_SUMMARY_ENTRIES) {
            $opened[$node.Path] = $children
            $listed += $children.Count
            $candidates.AddRange($children)
        }
    }
    $summary = [ordered]@{}
    $pending = [System.Collections.Generic.Stack[Object]]::new()
    $pending.Push($Root)
    while ($pending.Count -gt 0) {
        $node = $pending.Pop()
        if ($opened.ContainsKey($node.Path)) {
            $summary[$node.Path] = @((Get-ShortDigest $node.Subtree), (Get-ShortDigest $node.Digest))
            $children = $opened[$node.Path]
            for ($index = $children.Count - 1; $index -ge 0; $index--) {
                $pending.Push($children[$index])
            }
        }
        else {
            $summary[$node.Path] = @(, (Get-ShortDigest $node.Subtree))
        }
    }
    $summary
}

# The key of a wide key's bucket path ("<key>//<bucket>"); nothing for a key's path.
Function Get-MetabaseBucketParent {
    param([string]$Path)

    $at = $Path.IndexOf($METABASE_BUCKET_SEPARATOR)
    if ($at -ge 0) {
        $Path.Substring(0, $at)
    }
}

# Where the tree differs from another node's summary, top-down: the keys opened there whose own
# digest differs, and the subtrees to list in full (not opened there, or only on one node). A key
# whose buckets the summary lists is compared by buckets here too, whatever its number of
# children here; a differing bucket the summary did not open is listed whole ("<key>//<bucket>").
Function Compare-MetabaseDigestSummary {
    param([hashtable]$Root, [System.Collections.IDictionary]$Against, [System.Security.Cryptography.HMAC]$Hmac)

    $theirs = [hashtable]::new([StringComparer]::OrdinalIgnoreCase)
    $bucketed = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($path in @($Against.Keys)) {
        $theirs[$path] = @($Against[$path])
        $parent = Get-MetabaseBucketParent -Path $path
        if ($null -ne $parent) {
            [void]$bucketed.Add($parent)
        }
    }
    # What lists each path in the summary: its key, the key of a bucket, or the bucket of a child
    # of a key listed by buckets.
    $children = [hashtable]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($path in @($Against.Keys)) {
        $parent = Get-MetabaseBucketParent -Path $path
        if ($null -eq $parent) {
            $slash = $path.LastIndexOf('/')
            $parent = $path.Substring(0, [Math]::Max(0, $slash))
            if ($bucketed.Contains($parent)) {
                $parent += $METABASE_BUCKET_SEPARATOR + (Get-MetabaseBucketName -Name $path.Substring($slash + 1))
            }
        }
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
        $opened = Get-MetabaseOpenedChild -Node $node -Hmac $Hmac -Bucketed ($bucketed.Contains($node.Path))
        $mine = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
        for ($index = $opened.Count - 1; $index -ge 0; $index--) {
            $child = $opened[$index]
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

# Each key named in $Keys and each key at or below a path in $Subtrees (a bucket's: at or below
# its key's children in it), parents before children:
# its digest and its properties', and with $Values each value that is not secure.
Function Get-MetabaseDigestListing {
    param([hashtable]$Root, [string[]]$Keys, [string[]]$Subtrees, [bool]$Values)

    $single = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
    $tops = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($path in $Keys) {
        [void]$single.Add($path)
    }
    # A bucket's subtree ("<key>//<bucket>") is the subtrees of the key's children in it.
    $bucketed = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($path in $Subtrees) {
        [void]$tops.Add($path)
        $parent = Get-MetabaseBucketParent -Path $path
        if ($null -ne $parent) {
            [void]$bucketed.Add($parent)
        }
    }
    $listing = [ordered]@{}
    $pending = [System.Collections.Generic.Stack[Object]]::new()
    $pending.Push(@($Root, $false))
    while ($pending.Count -gt 0) {
        $node, $inside = $pending.Pop()
        $inside = $inside -or $tops.Contains($node.Path)
        $parent = $node.Path.Substring(0, [Math]::Max(0, $node.Path.LastIndexOf('/')))
        if (-not $inside -and $bucketed.Contains($parent)) {
            $inside = $tops.Contains($parent + $METABASE_BUCKET_SEPARATOR + (Get-MetabaseBucketName -Name $node.Name))
        }
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
            $Keys, $Subtrees = Compare-MetabaseDigestSummary -Root $root -Against $Against -Hmac $hmac
            $result['differing_keys'] = $Keys
            $result['differing_subtrees'] = $Subtrees
        }
        elseif ($null -eq $Keys -and $null -eq $Subtrees) {
            $result['subtrees'] = Get-MetabaseDigestSummary -Root $root -Hmac $hmac
            return $result
        }
        $result['keys'] = Get-MetabaseDigestListing -Root $root -Keys $Keys -Subtrees $Subtrees -Values $Values
        $result
    }
    finally {
        $hmac.Dispose()
    }
}

Export-ModuleMember -Function Get-MetabaseDigestTree
