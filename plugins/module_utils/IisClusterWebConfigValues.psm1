# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Values of applicationHost.config attributes (IIS 7-10) as the contract carries them: in the
# configuration file's own spelling, converted to and from the type the attribute's schema
# (IIS_schema.xml, as Microsoft.Web.Administration exposes it) declares.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# An enum's or flags' names and values, as the schema declares them.
Function Get-EnumEntry {
    param([Object]$Schema)

    foreach ($entry in $Schema.GetEnumValues()) {
        @{ name = [string]$entry.Name; value = [long]$entry.Value }
    }
}

# An attribute's value in the configuration file's own spelling: enum names, flags as
# "Name, Name", 'true'/'false', invariant numbers, timespans as 00:20:00. Callers never pass an
# encrypted attribute: reading its Value decrypts it.
Function ConvertTo-ConfigText {
    param([Object]$Attribute)

    $value = $Attribute.Value
    if ($null -eq $value -or $value -is [string]) {
        return $value
    }
    $entries = @(if ($Attribute.Schema.Type -in @('enum', 'flags')) { Get-EnumEntry -Schema $Attribute.Schema })
    switch ($Attribute.Schema.Type) {
        'bool' { if ($value) { 'true' } else { 'false' } }
        'enum' {
            $named = @($entries | Where-Object { $_.value -eq [long]$value })
            if ($named) { $named[0].name } else { [string][long]$value }
        }
        'flags' {
            $bits = [long]$value
            $named = @($entries | Where-Object { ($_.value -eq 0 -and $bits -eq 0) -or ($_.value -ne 0 -and ($bits -band $_.value) -eq $_.value) })
            ($named | ForEach-Object { $_.name }) -join ', '
        }
        'timeSpan' { ([TimeSpan]$value).ToString() }
        default { [System.Convert]::ToString($value, [System.Globalization.CultureInfo]::InvariantCulture) }
    }
}

# A value in the file's spelling as the schema's type. A value that does not fit fails with
# E_INVALIDARG naming the attribute and what it takes, never the value (it may be a secret).
Function ConvertFrom-ConfigText {
    param([Object]$Schema, [string]$Text)

    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    $expected = $null
    switch ($Schema.Type) {
        'bool' {
            if ($Text -in @('true', 'false')) { return $Text -eq 'true' }
            $expected = "'true' or 'false'"
        }
        { $_ -in @('enum', 'flags') } {
            $entries = @(Get-EnumEntry -Schema $Schema)
            $bits = [long]0
            $names = if ($Schema.Type -eq 'flags') { $Text.Split(',') } else { @($Text) }
            $known = $true
            foreach ($name in $names) {
                $entry = @($entries | Where-Object { $_.name -eq $name.Trim() })
                if ($entry) { $bits = $bits -bor $entry[0].value } else { $known = $false }
            }
            if ($known) { return [int]$bits }
            $expected = "one of $(($entries | ForEach-Object { $_.name }) -join ', ')"
        }
        'uint' {
            $number = [uint32]0
            if ([uint32]::TryParse($Text, [System.Globalization.NumberStyles]::None, $invariant, [ref]$number)) { return $number }
            $expected = 'an integer from 0 to 4294967295'
        }
        'int' {
            $number = [int]0
            if ([int]::TryParse($Text, [System.Globalization.NumberStyles]::AllowLeadingSign, $invariant, [ref]$number)) { return $number }
            $expected = 'a 32-bit integer'
        }
        'int64' {
            $number = [long]0
            if ([long]::TryParse($Text, [System.Globalization.NumberStyles]::AllowLeadingSign, $invariant, [ref]$number)) { return $number }
            $expected = 'a 64-bit integer'
        }
        'timeSpan' {
            $span = [TimeSpan]::Zero
            if ([TimeSpan]::TryParse($Text, $invariant, [ref]$span)) { return $span }
            $expected = 'a timespan such as 00:20:00 or 1.05:00:00'
        }
        default { return $Text }
    }
    throw [System.ArgumentException]::new("attribute '$($Schema.Name)' takes $($expected); the value given does not fit")
}

Export-ModuleMember -Function ConvertTo-ConfigText, ConvertFrom-ConfigText
