# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# IIS 7-10 configuration backups: the configuration files copied into
# %windir%\system32\inetsrv\backup\<name>, the folder and layout Backup-WebConfiguration and
# `appcmd add backup` use (so `appcmd restore backup <name>` restores one). Plain file operations:
# no WebAdministration cmdlet, no appcmd.

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

$CONFIG_DIRECTORY = Join-Path -Path $env:windir -ChildPath 'system32\inetsrv\config'
$BACKUP_DIRECTORY = Join-Path -Path $env:windir -ChildPath 'system32\inetsrv\backup'
# What a backup holds; redirection.config exists only once shared configuration was set up.
$BACKUP_FILES = @('applicationHost.config', 'administration.config', 'redirection.config')
# HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS) and ERROR_INVALID_NAME, as Exception.HResult holds them.
$ERROR_ALREADY_EXISTS_HRESULT = -2147024713
$ERROR_INVALID_NAME_HRESULT = -2147024773
$ERROR_FILE_NOT_FOUND_HRESULT = -2147024894

# A backup's folder; a name that is not one folder name (a separator, '..', a device name' path)
# fails with ERROR_INVALID_NAME rather than reach another folder.
Function Get-ConfigBackupPath {
    param([string]$Name)

    if (-not $Name -or $Name.IndexOfAny([System.IO.Path]::GetInvalidFileNameChars()) -ge 0 -or
        $Name -eq '.' -or $Name -eq '..') {
        $problem = [System.ArgumentException]::new("'$Name' is not a folder name")
        $problem.HResult = $ERROR_INVALID_NAME_HRESULT
        throw $problem
    }
    Join-Path -Path $BACKUP_DIRECTORY -ChildPath $Name
}

# One backup as the contract gives it: its name and the folder's creation time in UTC.
Function ConvertTo-ConfigBackupReport {
    param([System.IO.DirectoryInfo]$Folder)

    @{
        name = $Folder.Name
        date = $Folder.CreationTimeUtc.ToString('yyyy-MM-ddTHH:mm:ssZ', [cultureinfo]::InvariantCulture)
    }
}

# apphost_backup_list: every backup folder, by name.
Function Get-ConfigBackup {
    if (-not [System.IO.Directory]::Exists($BACKUP_DIRECTORY)) {
        return , @()
    }
    , @(
        foreach ($folder in ([System.IO.DirectoryInfo]::new($BACKUP_DIRECTORY).GetDirectories() | Sort-Object -Property Name)) {
            ConvertTo-ConfigBackupReport -Folder $folder
        }
    )
}

# apphost_backup_create: a new folder with a copy of each configuration file present. A name
# already taken fails with ERROR_ALREADY_EXISTS: a backup is never overwritten. A failed copy
# removes the half-made folder.
Function New-ConfigBackup {
    param([string]$Name)

    $path = Get-ConfigBackupPath -Name $Name
    if ([System.IO.Directory]::Exists($path)) {
        $problem = [System.IO.IOException]::new("The backup '$Name' already exists.")
        $problem.HResult = $ERROR_ALREADY_EXISTS_HRESULT
        throw $problem
    }
    $folder = [System.IO.Directory]::CreateDirectory($path)
    try {
        foreach ($file in $BACKUP_FILES) {
            $source = Join-Path -Path $CONFIG_DIRECTORY -ChildPath $file
            if ([System.IO.File]::Exists($source)) {
                [System.IO.File]::Copy($source, (Join-Path -Path $path -ChildPath $file), $false)
            }
        }
    }
    catch {
        [System.IO.Directory]::Delete($path, $true)
        throw
    }
    ConvertTo-ConfigBackupReport -Folder $folder
}

# apphost_backup_delete: the backup's folder and its files. A backup that does not exist fails
# with ERROR_FILE_NOT_FOUND (the controller deletes only what it listed).
Function Remove-ConfigBackup {
    param([string]$Name)

    $path = Get-ConfigBackupPath -Name $Name
    if (-not [System.IO.Directory]::Exists($path)) {
        $problem = [System.IO.DirectoryNotFoundException]::new("The backup '$Name' does not exist.")
        $problem.HResult = $ERROR_FILE_NOT_FOUND_HRESULT
        throw $problem
    }
    [System.IO.Directory]::Delete($path, $true)
}

Export-ModuleMember -Function Get-ConfigBackup, New-ConfigBackup, Remove-ConfigBackup
