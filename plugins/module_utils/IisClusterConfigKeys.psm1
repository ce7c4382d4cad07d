# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors

# IIS 7-10's configuration keys, moved for Shared Configuration as `aspnet_regiis -px/-pi` moves
# them, without its command line: the machine RSA key containers that the configuration's
# providers name (iisConfigurationKey for AesProvider, iisWasKey for IISWASOnlyAesProvider; the
# AES session keys in applicationHost.config's configProtectedData are encrypted with them).
# RSACryptoServiceProvider exports them as CSP blobs (IIS setup makes them exportable, as -px
# needs); the blobs go into the share's configEncKey.key protected by the key-encryption password
# (PBKDF2-SHA1, 200,000 rounds; AES-256-CBC; HMAC-SHA256 over the whole): this collection's own
# format, which IIS Manager's import does not read, and the password never leaves memory. A CNG
# provider's key (IISCngProvider, newer IIS 10 builds) cannot be moved so by .NET Framework: the
# export refuses it with NTE_NOT_SUPPORTED, naming the provider. A node's own keys are saved once
# before the shared ones replace them (DPAPI, machine scope, next to its configuration), as
# Enable-IISSharedConfig backs them up, and put back when shared configuration is disabled.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

$CONFIG_DIRECTORY = Join-Path -Path $env:windir -ChildPath 'system32\inetsrv\config'
# The files whose encrypted values name the providers whose keys travel.
$CONFIG_FILES = @('applicationHost.config', 'administration.config')
$KEY_BACKUP_FILE = Join-Path -Path $CONFIG_DIRECTORY -ChildPath 'webfarm.iis_cluster.keys.bak'
$KEY_FILE_MAGIC = [System.Text.Encoding]::ASCII.GetBytes('WFIISKEYS1')
$PBKDF2_ITERATIONS = 200000
$SALT_BYTES = 16
$IV_BYTES = 16
$MAC_BYTES = 32
$PROV_RSA_FULL = 1
$NTE_BAD_DATA = -2146893819          # 0x80090005: another key-encryption password, or an altered file
$NTE_NOT_SUPPORTED = -2146893783     # 0x80090029
$ERROR_NOT_FOUND_HRESULT = -2147023728  # 0x80070490: no backup of the node's own keys
$SYSTEM_SECURITY = 'System.Security, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a'
$ENCRYPTED_VALUE = [regex]'\[enc:(?<provider>[A-Za-z0-9]+):'

# The machine RSA key containers of the providers whose values the configuration holds, by
# provider name; a CNG provider's key is refused.
Function Get-ConfigurationKeyContainer {
    param([Object]$Manager, [string]$Folder)

    $used = @{}
    foreach ($name in $CONFIG_FILES) {
        $text = [System.IO.File]::ReadAllText((Join-Path -Path $Folder -ChildPath $name))
        foreach ($match in $ENCRYPTED_VALUE.Matches($text)) {
            $used[$match.Groups['provider'].Value] = $true
        }
    }
    $containers = [System.Collections.Generic.List[string]]::new()
    $providers = $Manager.GetApplicationHostConfiguration().GetSection('configProtectedData').GetCollection('providers')
    foreach ($provider in $providers) {
        $name = [string]$provider.GetAttributeValue('name')
        if (-not $used.ContainsKey($name)) {
            continue
        }
        $type = [string]$provider.GetAttributeValue('type')
        if ($type -match 'Cng') {
            throw [System.Runtime.InteropServices.COMException]::new(
                "the provider $name ($type) keeps its key in CNG, which this export cannot move: on Server 2016 or later " +
                "export with IIS Manager or Export-IISConfiguration, or encrypt with the AES providers", $NTE_NOT_SUPPORTED)
        }
        $container = [string]$provider.GetAttributeValue('keyContainerName')
        if ($container -and -not $containers.Contains($container)) {
            $containers.Add($container)
        }
    }
    , $containers
}

Function New-KeyContainerParameter {
    param([string]$Name)

    $parameters = [System.Security.Cryptography.CspParameters]::new($PROV_RSA_FULL, $null, $Name)
    # Machine containers, and only existing ones: an import goes into IIS's own container, so its
    # access list (the worker processes read iisConfigurationKey) stays as IIS setup made it.
    $parameters.Flags = [System.Security.Cryptography.CspProviderFlags]'UseMachineKeyStore, UseExistingKey'
    $parameters
}

# The key containers' private keys as CSP blobs, by container name.
Function Export-KeyContainer {
    param([System.Collections.Generic.List[string]]$Containers)

    $blobs = [ordered]@{}
    foreach ($container in $Containers) {
        $rsa = [System.Security.Cryptography.RSACryptoServiceProvider]::new((New-KeyContainerParameter -Name $container))
        try {
            $blobs[$container] = $rsa.ExportCspBlob($true)
        }
        finally {
            $rsa.Dispose()
        }
    }
    $blobs
}

Function Import-KeyContainer {
    param([System.Collections.IDictionary]$Blobs)

    foreach ($container in $Blobs.Keys) {
        $rsa = [System.Security.Cryptography.RSACryptoServiceProvider]::new((New-KeyContainerParameter -Name $container))
        try {
            $rsa.PersistKeyInCsp = $true
            $rsa.ImportCspBlob([byte[]]$Blobs[$container])
        }
        finally {
            $rsa.Dispose()
        }
    }
}

# Blobs by container name as bytes: for each, its name and its blob, each with its length.
Function ConvertTo-KeyBytes {
    param([System.Collections.IDictionary]$Blobs)

    $stream = [System.IO.MemoryStream]::new()
    $writer = [System.IO.BinaryWriter]::new($stream)
    $writer.Write([int]$Blobs.Count)
    foreach ($container in $Blobs.Keys) {
        $writer.Write([string]$container)
        $writer.Write([int]$Blobs[$container].Length)
        $writer.Write([byte[]]$Blobs[$container])
    }
    $writer.Flush()
    , $stream.ToArray()
}

Function ConvertFrom-KeyBytes {
    param([byte[]]$Bytes)

    $reader = [System.IO.BinaryReader]::new([System.IO.MemoryStream]::new($Bytes))
    $blobs = [ordered]@{}
    $count = $reader.ReadInt32()
    for ($index = 0; $index -lt $count; $index++) {
        $container = $reader.ReadString()
        $blobs[$container] = $reader.ReadBytes($reader.ReadInt32())
    }
    $blobs
}

# The AES and HMAC keys that a key-encryption password and a salt give.
Function Get-PasswordKey {
    param([string]$Password, [byte[]]$Salt)

    $derive = [System.Security.Cryptography.Rfc2898DeriveBytes]::new($Password, $Salt, $PBKDF2_ITERATIONS)
    try {
        @{ aes = $derive.GetBytes(32); mac = $derive.GetBytes(32) }
    }
    finally {
        $derive.Dispose()
    }
}

# configEncKey.key's bytes: magic, salt, IV, AES-256-CBC of the key bytes, HMAC-SHA256 of all before it.
Function Protect-KeyBytes {
    param([byte[]]$Clear, [string]$Password)

    $random = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    $salt = [byte[]]::new($SALT_BYTES)
    $iv = [byte[]]::new($IV_BYTES)
    $random.GetBytes($salt)
    $random.GetBytes($iv)
    $keys = Get-PasswordKey -Password $Password -Salt $salt
    $aes = [System.Security.Cryptography.Aes]::Create()
    try {
        $cipher = $aes.CreateEncryptor($keys.aes, $iv).TransformFinalBlock($Clear, 0, $Clear.Length)
    }
    finally {
        $aes.Dispose()
    }
    $body = [byte[]]($KEY_FILE_MAGIC + $salt + $iv + $cipher)
    $mac = [System.Security.Cryptography.HMACSHA256]::new($keys.mac).ComputeHash($body)
    , [byte[]]($body + $mac)
}

# The key bytes of configEncKey.key; NTE_BAD_DATA for another password or an altered file.
Function Unprotect-KeyBytes {
    param([byte[]]$Bytes, [string]$Password)

    $head = $KEY_FILE_MAGIC.Length
    if ($Bytes.Length -lt $head + $SALT_BYTES + $IV_BYTES + $MAC_BYTES -or
        [System.Text.Encoding]::ASCII.GetString($Bytes, 0, $head) -cne [System.Text.Encoding]::ASCII.GetString($KEY_FILE_MAGIC)) {
        throw [System.Security.Cryptography.CryptographicException]::new($NTE_BAD_DATA)
    }
    $salt = [byte[]]$Bytes[$head..($head + $SALT_BYTES - 1)]
    $iv = [byte[]]$Bytes[($head + $SALT_BYTES)..($head + $SALT_BYTES + $IV_BYTES - 1)]
    $bodyLength = $Bytes.Length - $MAC_BYTES
    $keys = Get-PasswordKey -Password $Password -Salt $salt
    $expected = [System.Security.Cryptography.HMACSHA256]::new($keys.mac).ComputeHash($Bytes, 0, $bodyLength)
    $different = 0
    for ($index = 0; $index -lt $MAC_BYTES; $index++) {
        $different = $different -bor ($expected[$index] -bxor $Bytes[$bodyLength + $index])
    }
    if ($different -ne 0) {
        throw [System.Security.Cryptography.CryptographicException]::new($NTE_BAD_DATA)
    }
    $start = $head + $SALT_BYTES + $IV_BYTES
    $aes = [System.Security.Cryptography.Aes]::Create()
    try {
        , $aes.CreateDecryptor($keys.aes, $iv).TransformFinalBlock($Bytes, $start, $bodyLength - $start)
    }
    finally {
        $aes.Dispose()
    }
}

# ProtectedData (DPAPI) lives in System.Security, which Windows PowerShell does not load itself.
Function Import-DataProtection {
    if ($null -eq ('System.Security.Cryptography.ProtectedData' -as [type])) {
        $null = [System.Reflection.Assembly]::Load($SYSTEM_SECURITY)
    }
}

# The keys of the configuration in `Folder` as configEncKey.key's bytes, protected by `Password`.
Function Export-ConfigurationKey {
    param([Object]$Manager, [string]$Folder, [string]$Password)

    $containers = Get-ConfigurationKeyContainer -Manager $Manager -Folder $Folder
    , (Protect-KeyBytes -Clear (ConvertTo-KeyBytes -Blobs (Export-KeyContainer -Containers $containers)) -Password $Password)
}

# configEncKey.key's keys imported into this node's containers, once this node's own are saved.
# The file is read first: another password (NTE_BAD_DATA) fails before any key changes.
Function Import-ConfigurationKey {
    param([byte[]]$Bytes, [string]$Password)

    $shared = ConvertFrom-KeyBytes -Bytes (Unprotect-KeyBytes -Bytes $Bytes -Password $Password)
    if (-not [System.IO.File]::Exists($KEY_BACKUP_FILE)) {
        Import-DataProtection
        $own = ConvertTo-KeyBytes -Blobs (Export-KeyContainer -Containers ([System.Collections.Generic.List[string]]$shared.Keys))
        $sealed = [System.Security.Cryptography.ProtectedData]::Protect($own, $null,
            [System.Security.Cryptography.DataProtectionScope]::LocalMachine)
        [System.IO.File]::WriteAllBytes($KEY_BACKUP_FILE, $sealed)
    }
    Import-KeyContainer -Blobs $shared
}

# This node's own keys back in its containers, and their backup gone.
Function Restore-OwnConfigurationKey {
    if (-not [System.IO.File]::Exists($KEY_BACKUP_FILE)) {
        throw [System.Runtime.InteropServices.COMException]::new(
            "this node holds no backup of its own configuration keys ($KEY_BACKUP_FILE)", $ERROR_NOT_FOUND_HRESULT)
    }
    Import-DataProtection
    $own = [System.Security.Cryptography.ProtectedData]::Unprotect([System.IO.File]::ReadAllBytes($KEY_BACKUP_FILE), $null,
        [System.Security.Cryptography.DataProtectionScope]::LocalMachine)
    Import-KeyContainer -Blobs (ConvertFrom-KeyBytes -Bytes $own)
    [System.IO.File]::Delete($KEY_BACKUP_FILE)
}

Export-ModuleMember -Function Export-ConfigurationKey, Import-ConfigurationKey, Restore-OwnConfigurationKey
