# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterWebConfig
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterWebConfigValues

# apphost_digest_tree (docs/instruction-set.md): the salted digests of this node's logical IIS 7-10
# configuration through Microsoft.Web.Administration, a digest per section per location path; its
# summary, its differences from another node's summary, or the elements of chosen sections.
# Logical: MWA's view (values by the attribute's schema, encrypted ones as MWA decrypts them);
# an attribute counts at the server level when it is not the schema's default, at a location path
# when it differs from the value in effect one level up. The digests' canonical form is the
# instruction set's; the lab computes the same (tests/lab/iis_lab/node_ops/apphost_digest_tree.py).

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

$APPHOST_DIGEST_CHARS = 16
# A section with more elements than this is also summarised by 256 buckets of its elements.
$APPHOST_WIDE_SECTION = 511
$APPHOST_BUCKETS = 256
$APPHOST_BUCKET_SEPARATOR = '//'
$APPHOST_LOCATION_SEPARATOR = '|'
# Sections no location path can hold: at a location they only repeat the server level.
$APPHOST_SERVER_ONLY = @('AppHostOnly', 'MachineOnly', 'MachineToWebRoot')
# An element's bucket: the first two hex characters of the SHA-256 of its lower-case path's UTF-8
# bytes (paths are not secret; the buckets' digests are salted).
$PathHash = [System.Security.Cryptography.SHA256]::Create()

# Lower-case hex HMAC-SHA256 of a text's UTF-8 bytes.
Function Get-ConfigHmacHex {
    param([System.Security.Cryptography.HMAC]$Hmac, [string]$Text)

    $hash = $Hmac.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($Text))
    -join @(foreach ($byte in $hash) { '{0:x2}' -f $byte })
}

Function Get-ConfigShortDigest {
    param([string]$Digest)

    $Digest.Substring(0, $APPHOST_DIGEST_CHARS)
}

Function Get-ConfigBucketName {
    param([string]$Path)

    $hash = $PathHash.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($Path.ToLowerInvariant()))
    '{0:x2}' -f $hash[0]
}

# The HMAC of lines sorted ordinally (by $Keys when given, else by the lines), joined with "`n".
Function Get-ConfigSortedHmac {
    param([System.Security.Cryptography.HMAC]$Hmac, [string[]]$Lines, [string[]]$Keys)

    $sorted = [string[]]@($Lines)
    $order = if ($Keys) { [string[]]@($Keys) } else { [string[]]@($Lines) }
    [System.Array]::Sort($order, $sorted, [System.StringComparer]::Ordinal)
    Get-ConfigHmacHex -Hmac $Hmac -Text ($sorted -join "`n")
}

# An element's HMAC: its attributes' "name:HMAC" lines, sorted by lower-case name.
Function Get-ConfigElementHmac {
    param([System.Security.Cryptography.HMAC]$Hmac, [System.Collections.IDictionary]$Attributes)

    $names = @($Attributes.Keys)
    $lines = @(foreach ($name in $names) { "${name}:$($Attributes[$name])" })
    Get-ConfigSortedHmac -Hmac $Hmac -Lines $lines -Keys @(foreach ($name in $names) { $name.ToLowerInvariant() })
}

# A section's (or a bucket's) HMAC: its elements' "<lower-case path>:HMAC" lines, sorted.
Function Get-ConfigSectionHmac {
    param([System.Security.Cryptography.HMAC]$Hmac, [Object[]]$Elements)

    $lines = @(foreach ($element in $Elements) { "$($element.path.ToLowerInvariant()):$($element.digest)" })
    Get-ConfigSortedHmac -Hmac $Hmac -Lines $lines
}

# Every section path configSections declares.
Function Get-DeclaredSectionPath {
    param([Object]$Group, [string]$Prefix)

    foreach ($section in $Group.Sections) { "$Prefix$($section.Name)" }
    foreach ($child in $Group.SectionGroups) { Get-DeclaredSectionPath -Group $child -Prefix "$Prefix$($child.Name)/" }
}

# The text of an element path: name[@key='value'] steps (a quote doubled) separated by '/'.
Function Get-ConfigElementPathText {
    param([System.Collections.IList]$Steps)

    $texts = foreach ($step in $Steps) {
        $step.name + (-join @(foreach ($key in $step.keyValues.Keys) { "[@$key='$(([string]$step.keyValues[$key]).Replace("'", "''"))']" }))
    }
    @($texts) -join '/'
}

# An exclude pattern: the steps from the configuration's root and the attribute.
Function ConvertFrom-ConfigExcludePattern {
    param([string]$Pattern)

    $at = $Pattern.LastIndexOf('@')
    if ($at -le 0 -or $at -eq $Pattern.Length - 1) {
        throw [System.ArgumentException]::new("exclude '$Pattern': not a path 'section/element@attribute'")
    }
    @{ steps = ConvertFrom-ElementPath -Element $Pattern.Substring(0, $at); attribute = $Pattern.Substring($at + 1) }
}

# Whether an attribute matches an exclude pattern: as many steps, each name alike ('*' any
# characters, without case), the pattern's keys those of the step, the attribute's name alike.
Function Test-ConfigExcluded {
    param([string]$Section, [System.Collections.IList]$Steps, [string]$Attribute, [Object[]]$Patterns)

    $full = @(foreach ($part in $Section.Split('/')) { @{ name = $part; keyValues = @{} } }) + @($Steps)
    foreach ($pattern in $Patterns) {
        if ($pattern.steps.Count -ne $full.Count -or -not ($Attribute -like $pattern.attribute)) {
            continue
        }
        $matched = $true
        for ($index = 0; $index -lt $full.Count; $index++) {
            $wanted = $pattern.steps[$index]
            $step = $full[$index]
            if (-not ($step.name -like $wanted.name)) {
                $matched = $false
            }
            foreach ($key in $wanted.keyValues.Keys) {
                $own = @($step.keyValues.Keys | Where-Object { $_ -eq $key })
                if ($own.Count -eq 0 -or [string]$step.keyValues[$own[0]] -ne [string]$wanted.keyValues[$key]) {
                    $matched = $false
                }
            }
        }
        if ($matched) {
            return $true
        }
    }
    $false
}

# A schema default in the file's spelling ($null when the schema gives none).
Function Get-ConfigDefaultText {
    param([Object]$Schema)

    if ($null -eq $Schema.DefaultValue) {
        return $null
    }
    ConvertTo-ConfigText -Attribute ([pscustomobject]@{ Value = $Schema.DefaultValue; Schema = $Schema })
}

# The element's attributes that count, then its child elements' and collection items', each
# added to $Into as @{ path; attributes (name: HMAC); values (name: text, $null if encrypted) }.
# $Above is the section as the level one up gives it ($null at the server level).
Function Add-ConfigDigestElement {
    param(
        [Object]$Element,
        [string]$Section,
        [System.Collections.IList]$Steps,
        [Object]$Above,
        [Object[]]$Patterns,
        [System.Security.Cryptography.HMAC]$Hmac,
        [System.Collections.IList]$Into
    )

    $inherited = if ($null -ne $Above) { Resolve-ConfigElement -Section $Above -Steps $Steps } else { $null }
    $attributes = [ordered]@{}
    $values = [ordered]@{}
    foreach ($attribute in $Element.Attributes) {
        if ($null -eq $Above -and $attribute.IsInheritedFromDefaultValue) {
            continue
        }
        # An encrypted attribute's Value is its clear text, decrypted here only to be digested.
        $text = ConvertTo-ConfigText -Attribute $attribute
        $upper = if ($null -ne $inherited) {
            ConvertTo-ConfigText -Attribute $inherited.Attributes[$attribute.Name]
        }
        else { Get-ConfigDefaultText -Schema $attribute.Schema }
        if ($null -eq $text -or $text -ceq $upper -or (Test-ConfigExcluded -Section $Section -Steps $Steps -Attribute $attribute.Name -Patterns $Patterns)) {
            continue
        }
        $attributes[$attribute.Name] = Get-ConfigHmacHex -Hmac $Hmac -Text "$($attribute.Name)`n$text"
        $values[$attribute.Name] = if ($attribute.Schema.IsEncrypted) { $null } else { $text }
    }
    if ($attributes.Count -gt 0) {
        $path = Get-ConfigElementPathText -Steps $Steps
        $Into.Add(@{ path = $path; attributes = $attributes; values = $values; digest = Get-ConfigElementHmac -Hmac $Hmac -Attributes $attributes })
    }
    foreach ($child in $Element.ChildElements) {
        $step = @{ name = $child.ElementTagName; keyValues = [ordered]@{} }
        Add-ConfigDigestElement -Element $child -Section $Section -Steps (@($Steps) + @($step)) -Above $Above `
            -Patterns $Patterns -Hmac $Hmac -Into $Into
    }
    if ($null -ne $Element.Schema.CollectionSchema) {
        foreach ($item in $Element.GetCollection()) {
            $keys = [ordered]@{}
            foreach ($schema in $item.Schema.AttributeSchemas) {
                if ($schema.IsUniqueKey -or $schema.IsCombinedKey) {
                    $keys[$schema.Name] = ConvertTo-ConfigText -Attribute $item.Attributes[$schema.Name]
                }
            }
            $step = @{ name = $item.ElementTagName; keyValues = $keys }
            Add-ConfigDigestElement -Element $item -Section $Section -Steps (@($Steps) + @($step)) -Above $Above `
                -Patterns $Patterns -Hmac $Hmac -Into $Into
        }
    }
}

# Every section id holding an attribute that counts, with its elements and HMAC: the server level
# first, then each location path of the configuration.
Function Get-ConfigDigestSection {
    param([Object[]]$Patterns, [System.Security.Cryptography.HMAC]$Hmac)

    $manager = Get-IisServerManager
    $configuration = $manager.GetApplicationHostConfiguration()
    $declared = @(Get-DeclaredSectionPath -Group $configuration.RootSectionGroup -Prefix '')
    $locations = [System.Collections.Generic.List[string]]::new()
    $locations.Add('')
    foreach ($path in $configuration.GetLocationPaths()) {
        $normal = ([string]$path).Trim('/')
        if ($normal -eq '.') { $normal = '' }
        if (@($locations | Where-Object { $_ -eq $normal }).Count -eq 0) { $locations.Add($normal) }
    }
    $sections = [System.Collections.Generic.List[Object]]::new()
    foreach ($location in $locations) {
        $parts = $location.Split('/')
        $parent = if ($parts.Count -gt 1) { ($parts[0..($parts.Count - 2)]) -join '/' } else { '' }
        foreach ($name in $declared) {
            if ($location -and [string](Get-SectionDefinition -Manager $manager -Section $name).AllowDefinition -in $APPHOST_SERVER_ONLY) {
                continue
            }
            $view = Get-ConfigSection -Manager $manager -Section $name -Location $location
            $above = if ($location) { Get-ConfigSection -Manager $manager -Section $name -Location $parent } else { $null }
            $elements = [System.Collections.Generic.List[Object]]::new()
            Add-ConfigDigestElement -Element $view -Section $name -Steps @() -Above $above -Patterns $Patterns -Hmac $Hmac -Into $elements
            if ($elements.Count -gt 0) {
                $sections.Add(@{
                        id = "$location$APPHOST_LOCATION_SEPARATOR$name"
                        elements = $elements
                        digest = Get-ConfigSectionHmac -Hmac $Hmac -Elements $elements.ToArray()
                    })
            }
        }
    }
    , $sections
}

# The HMACs of a section's 256 buckets, by number.
Function Get-ConfigBucketHmac {
    param([Object]$Section, [System.Security.Cryptography.HMAC]$Hmac)

    $members = @(for ($index = 0; $index -lt $APPHOST_BUCKETS; $index++) { , [System.Collections.Generic.List[Object]]::new() })
    foreach ($element in $Section.elements) {
        $members[[System.Convert]::ToInt32((Get-ConfigBucketName -Path $element.path), 16)].Add($element)
    }
    , @(foreach ($bucket in $members) { Get-ConfigSectionHmac -Hmac $Hmac -Elements @($bucket) })
}

# The section ids (and buckets of those the summary lists by buckets) whose digests differ from
# another node's summary: this node's in order, then the summary's others.
Function Compare-ConfigDigestSummary {
    param([Object[]]$Sections, [System.Collections.IDictionary]$Against, [System.Security.Cryptography.HMAC]$Hmac)

    $theirs = @{}
    foreach ($id in $Against['sections'].Keys) { $theirs[$id.ToLowerInvariant()] = [string]$Against['sections'][$id] }
    $theirBuckets = @{}
    if ($null -ne $Against['buckets']) {
        foreach ($id in $Against['buckets'].Keys) { $theirBuckets[$id.ToLowerInvariant()] = @($Against['buckets'][$id]) }
    }
    $empty = Get-ConfigShortDigest (Get-ConfigSectionHmac -Hmac $Hmac -Elements @())
    $differing = [System.Collections.Generic.List[string]]::new()
    $mine = @{}
    foreach ($section in $Sections) {
        $lowered = $section.id.ToLowerInvariant()
        $mine[$lowered] = $true
        if ($theirs[$lowered] -ceq (Get-ConfigShortDigest $section.digest)) {
            continue
        }
        if ($theirBuckets.ContainsKey($lowered)) {
            $buckets = Get-ConfigBucketHmac -Section $section -Hmac $Hmac
            for ($index = 0; $index -lt $APPHOST_BUCKETS; $index++) {
                if ((Get-ConfigShortDigest $buckets[$index]) -cne [string]$theirBuckets[$lowered][$index]) {
                    $differing.Add("$($section.id)$APPHOST_BUCKET_SEPARATOR$('{0:x2}' -f $index)")
                }
            }
        }
        else { $differing.Add($section.id) }
    }
    foreach ($id in $Against['sections'].Keys) {
        $lowered = $id.ToLowerInvariant()
        if ($mine.ContainsKey($lowered)) {
            continue
        }
        if ($theirBuckets.ContainsKey($lowered)) {
            for ($index = 0; $index -lt $APPHOST_BUCKETS; $index++) {
                if ([string]$theirBuckets[$lowered][$index] -cne $empty) {
                    $differing.Add("$id$APPHOST_BUCKET_SEPARATOR$('{0:x2}' -f $index)")
                }
            }
        }
        else { $differing.Add($id) }
    }
    , $differing
}

# This node's elements in each section (or bucket) id asked for ({} when it has none).
Function Get-ConfigDigestDetail {
    param([Object[]]$Sections, [string[]]$Wanted, [bool]$Values)

    $byId = @{}
    foreach ($section in $Sections) { $byId[$section.id.ToLowerInvariant()] = $section }
    $details = [ordered]@{}
    foreach ($id in $Wanted) {
        $separator = $id.IndexOf($APPHOST_BUCKET_SEPARATOR)
        $base = if ($separator -ge 0) { $id.Substring(0, $separator) } else { $id }
        $section = $byId[$base.ToLowerInvariant()]
        $elements = @(if ($null -ne $section) { $section.elements })
        if ($separator -ge 0) {
            $bucket = $id.Substring($separator + $APPHOST_BUCKET_SEPARATOR.Length).ToLowerInvariant()
            $elements = @($elements | Where-Object { (Get-ConfigBucketName -Path $_.path) -eq $bucket })
        }
        $listing = [ordered]@{}
        foreach ($element in $elements) {
            $entry = [ordered]@{ digest = Get-ConfigShortDigest $element.digest; attributes = [ordered]@{} }
            foreach ($name in $element.attributes.Keys) { $entry.attributes[$name] = Get-ConfigShortDigest $element.attributes[$name] }
            if ($Values) { $entry['values'] = $element.values }
            $listing[$element.path] = $entry
        }
        $details[$id] = $listing
    }
    $details
}

# apphost_digest_tree: the root's digest and the summary, the differences from another node's
# summary with this node's elements there, or the elements of the sections asked for.
Function Get-AppHostDigestTree {
    param(
        [string]$Salt,
        [string[]]$Exclude,
        [System.Collections.IDictionary]$Against,
        [string[]]$Sections,
        [bool]$Values
    )

    $patterns = @(foreach ($pattern in $Exclude) { if ($pattern) { ConvertFrom-ConfigExcludePattern -Pattern $pattern } })
    $hmac = [System.Security.Cryptography.HMACSHA256]::new([System.Text.Encoding]::UTF8.GetBytes($Salt))
    try {
        $found = @(Get-ConfigDigestSection -Patterns $patterns -Hmac $hmac)
        $lines = @(foreach ($section in $found) { "$($section.id.ToLowerInvariant()):$($section.digest)" })
        $result = [ordered]@{ root = Get-ConfigShortDigest (Get-ConfigSortedHmac -Hmac $hmac -Lines $lines) }
        $wanted = @(if ($null -ne $Sections) { $Sections })
        if ($null -ne $Against) {
            $differing = @()
            if ([string]$Against['root'] -cne $result.root) {
                $differing = @(Compare-ConfigDigestSummary -Sections $found -Against $Against -Hmac $hmac)
            }
            $result['differing_sections'] = $differing
            $wanted = @($differing) + @($wanted | Where-Object { $_ -notin $differing })
        }
        elseif ($null -eq $Sections) {
            $summary = [ordered]@{}
            $buckets = [ordered]@{}
            foreach ($section in $found) {
                $summary[$section.id] = Get-ConfigShortDigest $section.digest
                if ($section.elements.Count -gt $APPHOST_WIDE_SECTION) {
                    $buckets[$section.id] = @(foreach ($digest in (Get-ConfigBucketHmac -Section $section -Hmac $hmac)) { Get-ConfigShortDigest $digest })
                }
            }
            $result['sections'] = $summary
            if ($buckets.Count -gt 0) { $result['buckets'] = $buckets }
            return $result
        }
        $result['details'] = Get-ConfigDigestDetail -Sections $found -Wanted $wanted -Values $Values
        $result
    }
    finally {
        $hmac.Dispose()
    }
}

Export-ModuleMember -Function Get-AppHostDigestTree
