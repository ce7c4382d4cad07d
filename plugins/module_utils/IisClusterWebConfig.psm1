# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterWebConfigValues

# applicationHost.config (IIS 7-10) through Microsoft.Web.Administration (MWA) in process: a
# section at a location path, the element an element path names inside it, and its attributes in
# the configuration file's own spelling. Every write is one CommitChanges(), so a failed write
# leaves the file as it was. Windows' errors (COMException HRESULTs) pass through unchanged.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

$MWA_PATH = Join-Path -Path $env:windir -ChildPath 'system32\inetsrv\Microsoft.Web.Administration.dll'
$APPHOST_FILE = 'applicationHost.config'
$APPHOST_DIRECTORY = Join-Path -Path $env:windir -ChildPath 'system32\inetsrv\config'
# HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), 0x80070002: the element path names an item that does not exist.
$ERROR_FILE_NOT_FOUND_HRESULT = -2147024894
# One step of an element path: a name, any [@key='value'] (a quote in a value doubled), then '/'
# or the end. \G makes the steps contiguous: whatever the steps do not consume is malformed.
$ELEMENT_STEP = [regex]"\G(?<name>[^/\[\]@'=]+)(?<keys>(?:\[@[^=\]/]+='(?:[^']|'')*'\])*)(?:/(?!$)|$)"
$ELEMENT_KEY = [regex]"\[@(?<key>[^=\]/]+)='(?<value>(?:[^']|'')*)'\]"
# Levels a location path can be (site, application, directory) are below the web root: sections
# defined only at the machine, web root or applicationHost.config level cannot be set there.
$SERVER_ONLY_DEFINITIONS = @('AppHostOnly', 'MachineOnly', 'MachineToWebRoot')

# A ServerManager over this host's configuration. MWA is loaded on first use, not on import:
# every util loads on every host, and a domain controller has no IIS (MWA's absence then fails the
# op with FileNotFoundException, 0x80070002).
Function Get-IisServerManager {
    if ($null -eq ('Microsoft.Web.Administration.ServerManager' -as [type])) {
        $null = [System.Reflection.Assembly]::LoadFrom($MWA_PATH)
    }
    New-Object -TypeName Microsoft.Web.Administration.ServerManager
}

# A section as MWA merges it at a location path ('' is the server level).
Function Get-ConfigSection {
    param([Object]$Manager, [string]$Section, [string]$Location)

    $configuration = $Manager.GetApplicationHostConfiguration()
    if ($Location) { $configuration.GetSection($Section, $Location) } else { $configuration.GetSection($Section) }
}

# The steps of an element path: each @{ name; keyValues (ordered: key attribute -> value) }.
Function ConvertFrom-ElementPath {
    param([string]$Element)

    $steps = [System.Collections.Generic.List[Object]]::new()
    $consumed = 0
    foreach ($match in $ELEMENT_STEP.Matches($Element)) {
        $keys = [ordered]@{}
        foreach ($key in $ELEMENT_KEY.Matches($match.Groups['keys'].Value)) {
            $keys[$key.Groups['key'].Value] = $key.Groups['value'].Value.Replace("''", "'")
        }
        $steps.Add(@{ name = $match.Groups['name'].Value; keyValues = $keys })
        $consumed += $match.Length
    }
    if ($consumed -ne $Element.Length) {
        throw [System.ArgumentException]::new(
            "element '$Element' is not a path of steps name or name[@key='value'] separated by '/'")
    }
    , $steps
}

# The item of a collection with this element name and these key values, or $null. IIS compares
# collection keys without case.
Function Find-CollectionItem {
    param([Object]$Collection, [string]$Name, [System.Collections.IDictionary]$Keys)

    foreach ($item in $Collection) {
        if ($item.ElementTagName -ne $Name) {
            continue
        }
        $same = $true
        foreach ($key in $Keys.Keys) {
            if ((ConvertTo-ConfigText -Attribute (Get-ElementAttribute -Element $item -Name $key)) -ne $Keys[$key]) {
                $same = $false
            }
        }
        if ($same) {
            return $item
        }
    }
    $null
}

# The element that the steps name below a section, or $null when an item they name does not
# exist. A child element the schema does not know fails as MWA fails it.
Function Resolve-ConfigElement {
    param([Object]$Section, [System.Collections.IList]$Steps)

    $current = $Section
    foreach ($step in $Steps) {
        if ($step.keyValues.Count -gt 0) {
            $collection = $current.GetCollection()
            $current = Find-CollectionItem -Collection $collection -Name $step.name -Keys $step.keyValues
        }
        else {
            $current = $current.GetChildElement($step.name)
        }
        if ($null -eq $current) {
            return $null
        }
    }
    $current
}

# The failure the contract gives an element path naming a missing item (0x80070002).
Function New-MissingElementException {
    param([string]$Element)

    [System.Runtime.InteropServices.COMException]::new(
        "The element '$Element' does not exist in this section at this location.", $ERROR_FILE_NOT_FOUND_HRESULT)
}

# The element the path names, which must exist.
Function Get-ExistingConfigElement {
    param([Object]$Section, [System.Collections.IList]$Steps, [string]$Element)

    $found = Resolve-ConfigElement -Section $Section -Steps $Steps
    if ($null -eq $found) {
        throw (New-MissingElementException -Element $Element)
    }
    $found
}

# An attribute the element's schema declares; another name fails with E_INVALIDARG.
Function Get-ElementAttribute {
    param([Object]$Element, [string]$Name)

    $attribute = $Element.Attributes[$Name]
    if ($null -eq $attribute) {
        throw [System.ArgumentException]::new("element '$($Element.ElementTagName)' has no attribute '$Name'")
    }
    $attribute
}

# The section's definition (allowDefinition, overrideModeDefault) from configSections.
Function Get-SectionDefinition {
    param([Object]$Manager, [string]$Section)

    $group = $Manager.GetApplicationHostConfiguration().RootSectionGroup
    $parts = $Section.Split('/')
    for ($index = 0; $index -lt $parts.Count - 1; $index++) {
        $group = $group.SectionGroups[$parts[$index]]
    }
    $group.Sections[$parts[$parts.Count - 1]]
}

# Whether applicationHost.config may hold the section at this location. Locks (overrideMode,
# overrideModeDefault, lockAttributes...) bind only the lower configuration levels, the web.config
# files: a <location path> tag of applicationHost.config itself is never locked (the IIS team's
# "More config locking", blogs.msdn.com/b/andrewbi/archive/2008/02/15/more-config-locking.aspx;
# IIS Manager writes overrideModeDefault="Deny" sections such as anonymousAuthentication there).
# What forbids it is the section's allowDefinition: a location path is a site or below, so not
# for a section defined only at the machine, web root or server level, nor below an application
# for MachineToApplication.
Function Test-SectionWritable {
    param([Object]$Manager, [string]$Section, [string]$Location)

    if (-not $Location) {
        return $true
    }
    $definition = [string](Get-SectionDefinition -Manager $Manager -Section $Section).AllowDefinition
    if ($definition -in $SERVER_ONLY_DEFINITIONS) {
        return $false
    }
    if ($definition -ne 'MachineToApplication') {
        return $true
    }
    $siteName, $below = $Location.Split('/', 2)
    $site = $Manager.Sites[$siteName]
    -not $below -or ($null -ne $site -and $null -ne $site.Applications['/' + $below])
}

# The applicationHost.config that MWA reads: the shared configuration's when redirection.config
# enables it, else the host's own.
Function Get-AppHostConfigPath {
    param([Object]$Manager)

    $redirection = $Manager.GetRedirectionConfiguration().GetSection('configurationRedirection')
    $directory = if ($redirection.GetAttributeValue('enabled')) { [string]$redirection.GetAttributeValue('path') } else { $APPHOST_DIRECTORY }
    Join-Path -Path $directory -ChildPath $APPHOST_FILE
}

# The attribute names applicationHost.config itself writes on the element at this location: in
# the file's root (server level) and <location path=""> or ".", or in <location path="X">. MWA
# only shows merged values (IsInheritedFromDefaultValue tells the schema's default apart, not
# where a value was set), so this reads the file MWA reads, following a section's configSource.
Function Get-AttributeSetHere {
    param([Object]$Manager, [string]$Section, [string]$Location, [System.Collections.IList]$Steps)

    $path = Get-AppHostConfigPath -Manager $Manager
    $document = [System.Xml.XmlDocument]::new()
    $document.Load($path)
    $wanted = $Location.Trim('/')
    $locations = @($document.DocumentElement.ChildNodes | Where-Object { $_.LocalName -eq 'location' } | Where-Object {
            $tagPath = $_.GetAttribute('path').Trim('/')
            $tagPath -eq $wanted -or (-not $wanted -and $tagPath -eq '.')
        })
    $roots = @(if (-not $wanted) { $document.DocumentElement }) + $locations
    $names = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($root in $roots) {
        $nodes = @($root)
        foreach ($part in $Section.Split('/')) {
            $nodes = @($nodes | ForEach-Object { $_.ChildNodes } | Where-Object { $_.LocalName -ceq $part })
        }
        $nodes = @(foreach ($node in $nodes) {
                $source = $node.GetAttribute('configSource')
                if ($source) {
                    $external = [System.Xml.XmlDocument]::new()
                    $external.Load((Join-Path -Path ([System.IO.Path]::GetDirectoryName($path)) -ChildPath $source))
                    $external.DocumentElement
                }
                else { $node }
            })
        foreach ($step in $Steps) {
            $nodes = @($nodes | ForEach-Object { $_.ChildNodes } | Where-Object {
                    $candidate = $_
                    $candidate.LocalName -ceq $step.name -and @($step.keyValues.Keys | Where-Object {
                            $candidate.GetAttribute($_) -ne $step.keyValues[$_]
                        }).Count -eq 0
                })
        }
        foreach ($node in $nodes) {
            foreach ($attribute in $node.Attributes) { $null = $names.Add($attribute.LocalName) }
        }
    }
    , $names
}

# web_config_get
Function Get-WebConfigReport {
    param([string]$Section, [string]$Location, [string]$Element, [string[]]$Attributes)

    $manager = Get-IisServerManager
    $steps = ConvertFrom-ElementPath -Element $Element
    $configSection = Get-ConfigSection -Manager $manager -Section $Section -Location $Location
    $found = Resolve-ConfigElement -Section $configSection -Steps $steps
    if ($null -eq $found) {
        return $null
    }
    $wanted = if ($Attributes) {
        @(foreach ($name in $Attributes) { Get-ElementAttribute -Element $found -Name $name })
    }
    else { @($found.Attributes) }
    $setHere = Get-AttributeSetHere -Manager $manager -Section $Section -Location $Location -Steps $steps
    @{
        section = $Section
        location = $Location
        element = $Element
        override_allowed = Test-SectionWritable -Manager $manager -Section $Section -Location $Location
        attributes = @(foreach ($attribute in $wanted) {
                $encrypted = [bool]$attribute.Schema.IsEncrypted
                @{
                    name = $attribute.Name
                    value = if ($encrypted) { $null } else { ConvertTo-ConfigText -Attribute $attribute }
                    origin = if ($attribute.IsInheritedFromDefaultValue) { 'default' } elseif ($setHere.Contains($attribute.Name)) { 'set' } else { 'inherited' }
                    encrypted = $encrypted
                }
            })
    }
}

# web_config_set: one attribute at this location, from the file's spelling or a secret's value
# (MWA encrypts an encrypted attribute with the section's provider on commit).
Function Set-WebConfigAttribute {
    param([string]$Section, [string]$Location, [string]$Element, [string]$Attribute, [string]$Text)

    $manager = Get-IisServerManager
    $configSection = Get-ConfigSection -Manager $manager -Section $Section -Location $Location
    $found = Get-ExistingConfigElement -Section $configSection -Steps (ConvertFrom-ElementPath -Element $Element) -Element $Element
    $target = Get-ElementAttribute -Element $found -Name $Attribute
    $target.Value = ConvertFrom-ConfigText -Schema $target.Schema -Text $Text
    $manager.CommitChanges()
}

# web_config_clear: the attribute no longer set at this location, so it inherits.
Function Clear-WebConfigAttribute {
    param([string]$Section, [string]$Location, [string]$Element, [string]$Attribute)

    $manager = Get-IisServerManager
    $configSection = Get-ConfigSection -Manager $manager -Section $Section -Location $Location
    $found = Get-ExistingConfigElement -Section $configSection -Steps (ConvertFrom-ElementPath -Element $Element) -Element $Element
    (Get-ElementAttribute -Element $found -Name $Attribute).Delete()
    $manager.CommitChanges()
}

# web_config_secret_matches: the effective value (MWA decrypts it in this process) against the
# secret, exactly; neither leaves the host.
Function Test-WebConfigSecret {
    param([string]$Section, [string]$Location, [string]$Element, [string]$Attribute, [string]$Secret)

    $manager = Get-IisServerManager
    $configSection = Get-ConfigSection -Manager $manager -Section $Section -Location $Location
    $found = Get-ExistingConfigElement -Section $configSection -Steps (ConvertFrom-ElementPath -Element $Element) -Element $Element
    $stored = [string](Get-ElementAttribute -Element $found -Name $Attribute).Value
    $stored -ceq $Secret
}

# web_config_element_add: a collection item with its attributes (name -> value in the file's
# spelling). A duplicate key fails in MWA with 0x800700B7.
Function Add-WebConfigElement {
    param([string]$Section, [string]$Location, [string]$Element, [string]$Item, [Object]$Attributes)

    if ($Attributes -isnot [System.Collections.IDictionary]) {
        throw [System.ArgumentException]::new('attributes must be a dict of attribute name to value')
    }
    $manager = Get-IisServerManager
    $configSection = Get-ConfigSection -Manager $manager -Section $Section -Location $Location
    $container = Get-ExistingConfigElement -Section $configSection -Steps (ConvertFrom-ElementPath -Element $Element) -Element $Element
    $collection = $container.GetCollection()
    $new = $collection.CreateElement($Item)
    foreach ($name in $Attributes.Keys) {
        $given = $Attributes[$name]
        if ($null -eq $given -or ($given -isnot [string] -and $given -isnot [ValueType])) {
            throw [System.ArgumentException]::new("attributes.$($name): must be a value in the file's spelling")
        }
        $target = Get-ElementAttribute -Element $new -Name $name
        $target.Value = ConvertFrom-ConfigText -Schema $target.Schema -Text ([string]$given)
    }
    $null = $collection.Add($new)
    $manager.CommitChanges()
}

# web_config_element_remove: the collection item the path ends in. MWA writes <remove> for an
# item inherited from above, as IIS Manager does.
Function Remove-WebConfigElement {
    param([string]$Section, [string]$Location, [string]$Element)

    $steps = ConvertFrom-ElementPath -Element $Element
    if ($steps.Count -eq 0 -or $steps[$steps.Count - 1].keyValues.Count -eq 0) {
        throw [System.ArgumentException]::new("element '$Element' must end in a collection item: name[@key='value']")
    }
    $manager = Get-IisServerManager
    $configSection = Get-ConfigSection -Manager $manager -Section $Section -Location $Location
    $last = $steps[$steps.Count - 1]
    $container = Resolve-ConfigElement -Section $configSection -Steps ($steps.GetRange(0, $steps.Count - 1))
    # The item is looked up in the very collection object it is removed from.
    $collection = if ($null -eq $container) { $null } else { $container.GetCollection() }
    $item = if ($null -eq $collection) { $null } else { Find-CollectionItem -Collection $collection -Name $last.name -Keys $last.keyValues }
    if ($null -eq $item) {
        throw (New-MissingElementException -Element $Element)
    }
    $collection.Remove($item)
    $manager.CommitChanges()
}

# The section, element path and definition helpers serve IisClusterConfigDigest too.
Export-ModuleMember -Function Get-IisServerManager, Get-WebConfigReport, Set-WebConfigAttribute,
    Clear-WebConfigAttribute, Test-WebConfigSecret, Add-WebConfigElement, Remove-WebConfigElement,
    Get-ConfigSection, ConvertFrom-ElementPath, Resolve-ConfigElement, Get-SectionDefinition
