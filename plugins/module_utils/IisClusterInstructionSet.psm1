# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterErrors

# The instruction set of webfarm.iis_cluster (docs/instruction-set.md): the op table and the one
# dispatcher that every node_ops* module runs. The controller decides; a module runs a list of
# named operations, each a small wrapper around one Windows API, and reports every Windows error as
# its code and Windows' text so that the controller can decode it. No operation takes a command
# line or a script: what a module can do is the table $operations below, less the ops whose util
# it does not load (Invoke-InstructionSet refuses those before any instruction runs).

# module_wrapper.ps1 runs a module with Stop as the global preference; a module util's functions
# read their own module's first, so it says the same here rather than depend on the global.
$ErrorActionPreference = 'Stop'

# module_wrapper.ps1 imports each PowerShell util as a module named after it, without .psm1.
$UTIL_PREFIX = 'ansible_collections.webfarm.iis_cluster.plugins.module_utils.'

# The options of every node_ops* module (node_ops.py and the doc fragment
# webfarm.iis_cluster.instruction_set document them).
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

# Write: the op changes the host, so it is refused in check mode and its success means `changed`.
# Args: every argument it takes, with its type (see $ARGUMENT_TYPES). Required: the args it cannot
# run without. OneOf: args of which exactly one must be given.
# Util: the module_util of the op's area (docs/instruction-set.yml gives the same), which the
# module running the call must load.
# Run: called with the instruction's args and the module's secrets; returns the op's value. It
# calls one function exported by Util (docs/instruction-set.md, "Where the Windows side lives"),
# passing what it needs as parameters: a util sees none of this util's variables, and a secret's
# value reaches it only as an argument, never as a global.
$operations = @{
    'host_facts' = @{
        Write = $false
        Util = 'IisClusterHostFacts'
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-HostFact }
    }
    'metabase_get' = @{
        Write = $false
        Util = 'IisClusterMetabase'
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
        Util = 'IisClusterMetabase'
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
        Util = 'IisClusterMetabase'
        Args = @{ path = 'str'; property = 'str' }
        Required = @('path', 'property')
        Run = {
            param($Arguments, $Secrets)
            Clear-MetabaseProperty -Path $Arguments['path'] -Property $Arguments['property']
        }
    }
    'metabase_secret_matches' = @{
        Write = $false
        Util = 'IisClusterMetabase'
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
        Util = 'IisClusterMetabaseDigest'
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
        Util = 'IisClusterMetabaseBackup'
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) New-MetabaseBackup -Name $Arguments['name'] }
    }
    'metabase_backup_list' = @{
        Write = $false
        Util = 'IisClusterMetabaseBackup'
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
        Util = 'IisClusterMetabaseBackup'
        Args = @{ name = 'str'; version = 'int' }
        Required = @('name', 'version')
        Run = { param($Arguments, $Secrets) Restore-MetabaseBackup -Name $Arguments['name'] -Version $Arguments['version'] }
    }
    'metabase_backup_delete' = @{
        Write = $true
        Util = 'IisClusterMetabaseBackup'
        Args = @{ name = 'str'; version = 'int' }
        Required = @('name', 'version')
        Run = { param($Arguments, $Secrets) Remove-MetabaseBackup -Name $Arguments['name'] -Version $Arguments['version'] }
    }
    'dcom_protocols' = @{
        Write = $false
        Util = 'IisClusterIisSync'
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-DcomProtocol }
    }
    'file_shares' = @{
        Write = $false
        Util = 'IisClusterIisSync'
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-FileShare }
    }
    'cluster_addresses' = @{
        Write = $false
        Util = 'IisClusterIisSync'
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-ClusterAddress }
    }
    'rpc_probe' = @{
        Write = $false
        Util = 'IisClusterIisSync'
        Args = @{ computer = 'str' }
        Required = @('computer')
        Run = { param($Arguments, $Secrets) Test-RpcEndpoint -Computer $Arguments['computer'] }
    }
    'complus_catalog' = @{
        Write = $false
        Util = 'IisClusterComPlus'
        Args = @{ account = 'str' }
        Required = @()
        Run = { param($Arguments, $Secrets) Get-ComPlusCatalog -Account $Arguments['account'] }
    }
    'iissync_run' = @{
        Write = $true
        Util = 'IisClusterIisSync'
        Args = @{ targets = 'str_list' }
        Required = @('targets')
        Run = { param($Arguments, $Secrets) Invoke-IisSync -Targets @($Arguments['targets']) }
    }
    'domain_user_get' = @{
        Write = $false
        Util = 'IisClusterDomainAccounts'
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Get-DomainUserReport -Name $Arguments['name'] }
    }
    'domain_user_add' = @{
        Write = $true
        Util = 'IisClusterDomainAccounts'
        Args = @{
            name = 'str'; secret = 'secret'; description = 'str'; user_comment = 'str'
            enabled = 'bool'; password_never_expires = 'bool'; user_cannot_change_password = 'bool'
        }
        Required = @('name', 'secret')
        Run = {
            param($Arguments, $Secrets)
            New-DomainUser -Arguments $Arguments -Password ([string]$Secrets[$Arguments['secret']])
        }
    }
    'domain_user_set' = @{
        Write = $true
        Util = 'IisClusterDomainAccounts'
        Args = @{
            name = 'str'; description = 'str'; user_comment = 'str'
            enabled = 'bool'; password_never_expires = 'bool'; user_cannot_change_password = 'bool'
        }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Set-DomainUser -Arguments $Arguments }
    }
    'domain_user_set_password' = @{
        Write = $true
        Util = 'IisClusterDomainAccounts'
        Args = @{ name = 'str'; secret = 'secret' }
        Required = @('name', 'secret')
        Run = {
            param($Arguments, $Secrets)
            Set-DomainUserPassword -Name $Arguments['name'] -Password ([string]$Secrets[$Arguments['secret']])
        }
    }
    'domain_user_password_matches' = @{
        Write = $false
        Util = 'IisClusterDomainAccounts'
        Args = @{ name = 'str'; secret = 'secret' }
        Required = @('name', 'secret')
        Run = {
            param($Arguments, $Secrets)
            Test-DomainUserPassword -Name $Arguments['name'] -Password ([string]$Secrets[$Arguments['secret']])
        }
    }
    'domain_user_delete' = @{
        Write = $true
        Util = 'IisClusterDomainAccounts'
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Remove-DomainUser -Name $Arguments['name'] }
    }
    'domain_group_add_member' = @{
        Write = $true
        Util = 'IisClusterDomainAccounts'
        Args = @{ group = 'str'; name = 'str' }
        Required = @('group', 'name')
        Run = { param($Arguments, $Secrets) Add-DomainGroupMember -Group $Arguments['group'] -Name $Arguments['name'] }
    }
    'domain_password_policy_get' = @{
        Write = $false
        Util = 'IisClusterDomainAccounts'
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-DomainPasswordPolicy }
    }
    'account_lookup' = @{
        Write = $false
        Util = 'IisClusterLocalSecurity'
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Get-AccountReport -Name $Arguments['name'] }
    }
    'account_token_get' = @{
        Write = $false
        Util = 'IisClusterLocalSecurity'
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Get-AccountTokenReport -Name $Arguments['name'] }
    }
    'local_group_members_get' = @{
        Write = $false
        Util = 'IisClusterLocalSecurity'
        Args = @{ group = 'str' }
        Required = @('group')
        Run = { param($Arguments, $Secrets) Get-LocalGroupReport -Group $Arguments['group'] }
    }
    'local_group_member_add' = @{
        Write = $true
        Util = 'IisClusterLocalSecurity'
        Args = @{ group = 'str'; sid = 'str' }
        Required = @('group', 'sid')
        Run = { param($Arguments, $Secrets) Add-LocalGroupMemberBySid -Group $Arguments['group'] -Sid $Arguments['sid'] }
    }
    'local_group_member_remove' = @{
        Write = $true
        Util = 'IisClusterLocalSecurity'
        Args = @{ group = 'str'; sid = 'str' }
        Required = @('group', 'sid')
        Run = { param($Arguments, $Secrets) Remove-LocalGroupMemberBySid -Group $Arguments['group'] -Sid $Arguments['sid'] }
    }
    'user_rights_get' = @{
        Write = $false
        Util = 'IisClusterLocalSecurity'
        Args = @{ right = 'str' }
        Required = @('right')
        Run = { param($Arguments, $Secrets) Get-UserRightReport -Right $Arguments['right'] }
    }
    'user_right_grant' = @{
        Write = $true
        Util = 'IisClusterLocalSecurity'
        Args = @{ right = 'str'; sid = 'str' }
        Required = @('right', 'sid')
        Run = { param($Arguments, $Secrets) Grant-UserRight -Right $Arguments['right'] -Sid $Arguments['sid'] }
    }
    'metabase_data_paths' = @{
        Write = $false
        Util = 'IisClusterMetabaseSearch'
        Args = @{ path = 'str'; property = 'str' }
        Required = @('path', 'property')
        Run = {
            param($Arguments, $Secrets)
            , @(Get-MetabaseDataPath -Path $Arguments['path'] -Property $Arguments['property'])
        }
    }
    'metabase_applications_get' = @{
        Write = $false
        Util = 'IisClusterMetabaseSearch'
        Args = @{ path = 'str' }
        Required = @('path')
        Run = { param($Arguments, $Secrets) , @(Get-MetabaseApplication -Path $Arguments['path']) }
    }
    'metabase_sites_get' = @{
        Write = $false
        Util = 'IisClusterMetabaseSearch'
        Args = @{ service = 'str' }
        Required = @('service')
        Run = { param($Arguments, $Secrets) , @(Get-MetabaseSite -Service $Arguments['service']) }
    }
    'account_logon_check' = @{
        Write = $false
        Util = 'IisClusterLocalSecurity'
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
        Util = 'IisClusterIisIdentity'
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Test-IisIdentity }
    }
    'anonymous_logon_check' = @{
        Write = $false
        Util = 'IisClusterIisIdentity'
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
        Util = 'IisClusterComPlus'
        Args = @{ id = 'str'; identity = 'str'; secret = 'secret' }
        Required = @('id', 'identity', 'secret')
        Run = {
            param($Arguments, $Secrets)
            Set-ComApplicationIdentity -Id $Arguments['id'] -Identity $Arguments['identity'] `
                -Password ([string]$Secrets[$Arguments['secret']])
        }
    }
    # IIS 7-10: applicationHost.config, sites and pools through Microsoft.Web.Administration.
    'apphost_digest_tree' = @{
        Write = $false
        Util = 'IisClusterConfigDigest'
        Args = @{ salt = 'secret'; exclude = 'str_list'; against = 'any'; sections = 'str_list'; values = 'bool' }
        Required = @('salt')
        Run = {
            param($Arguments, $Secrets)
            Get-AppHostDigestTree -Salt ([string]$Secrets[$Arguments['salt']]) -Exclude @($Arguments['exclude']) `
                -Against $Arguments['against'] -Sections $Arguments['sections'] -Values ([bool]$Arguments['values'])
        }
    }
    'web_config_get' = @{
        Write = $false
        Util = 'IisClusterWebConfig'
        Args = @{ section = 'str'; location = 'str'; element = 'str'; attributes = 'str_list' }
        Required = @('section')
        Run = {
            param($Arguments, $Secrets)
            Get-WebConfigReport -Section $Arguments['section'] -Location $Arguments['location'] `
                -Element $Arguments['element'] -Attributes $Arguments['attributes']
        }
    }
    'web_config_set' = @{
        Write = $true
        Util = 'IisClusterWebConfig'
        Args = @{ section = 'str'; location = 'str'; element = 'str'; attribute = 'str'; value = 'str'; secret = 'secret' }
        Required = @('section', 'attribute')
        OneOf = @('value', 'secret')
        Run = {
            param($Arguments, $Secrets)
            $text = if ($Arguments.ContainsKey('secret')) { [string]$Secrets[$Arguments['secret']] } else { $Arguments['value'] }
            Set-WebConfigAttribute -Section $Arguments['section'] -Location $Arguments['location'] `
                -Element $Arguments['element'] -Attribute $Arguments['attribute'] -Text $text
        }
    }
    'web_config_clear' = @{
        Write = $true
        Util = 'IisClusterWebConfig'
        Args = @{ section = 'str'; location = 'str'; element = 'str'; attribute = 'str' }
        Required = @('section', 'attribute')
        Run = {
            param($Arguments, $Secrets)
            Clear-WebConfigAttribute -Section $Arguments['section'] -Location $Arguments['location'] `
                -Element $Arguments['element'] -Attribute $Arguments['attribute']
        }
    }
    'web_config_secret_matches' = @{
        Write = $false
        Util = 'IisClusterWebConfig'
        Args = @{ section = 'str'; location = 'str'; element = 'str'; attribute = 'str'; secret = 'secret' }
        Required = @('section', 'attribute', 'secret')
        Run = {
            param($Arguments, $Secrets)
            Test-WebConfigSecret -Section $Arguments['section'] -Location $Arguments['location'] `
                -Element $Arguments['element'] -Attribute $Arguments['attribute'] `
                -Secret ([string]$Secrets[$Arguments['secret']])
        }
    }
    'web_config_element_add' = @{
        Write = $true
        Util = 'IisClusterWebConfig'
        Args = @{ section = 'str'; location = 'str'; element = 'str'; item = 'str'; attributes = 'any' }
        Required = @('section', 'item', 'attributes')
        Run = {
            param($Arguments, $Secrets)
            Add-WebConfigElement -Section $Arguments['section'] -Location $Arguments['location'] `
                -Element $Arguments['element'] -Item $Arguments['item'] -Attributes $Arguments['attributes']
        }
    }
    'web_config_element_remove' = @{
        Write = $true
        Util = 'IisClusterWebConfig'
        Args = @{ section = 'str'; location = 'str'; element = 'str' }
        Required = @('section', 'element')
        Run = {
            param($Arguments, $Secrets)
            Remove-WebConfigElement -Section $Arguments['section'] -Location $Arguments['location'] `
                -Element $Arguments['element']
        }
    }
    'iis_sites_get' = @{
        Write = $false
        Util = 'IisClusterAppPools'
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) , @(Get-IisSiteReport) }
    }
    'app_pools_get' = @{
        Write = $false
        Util = 'IisClusterAppPools'
        Args = @{ names = 'str_list' }
        Required = @()
        Run = { param($Arguments, $Secrets) , @(Get-AppPoolReport -Names $Arguments['names']) }
    }
    'app_pool_identity_set' = @{
        Write = $true
        Util = 'IisClusterAppPools'
        Args = @{ name = 'str'; identity_type = 'str'; user = 'str'; secret = 'secret'; logon_type = 'str'; recycle = 'bool' }
        Required = @('name', 'identity_type')
        Run = {
            param($Arguments, $Secrets)
            # A gMSA has no password: no secret, and the pool's password attribute is removed.
            $password = if ($Arguments.ContainsKey('secret')) { [string]$Secrets[$Arguments['secret']] } else { $null }
            $logonType = if ($Arguments.ContainsKey('logon_type')) { $Arguments['logon_type'] } else { 'LogonBatch' }
            $recycle = if ($Arguments.ContainsKey('recycle')) { $Arguments['recycle'] } else { $true }
            Set-AppPoolIdentity -Name $Arguments['name'] -IdentityType $Arguments['identity_type'] `
                -User $Arguments['user'] -Password $password -LogonType $logonType -Recycle $recycle
        }
    }
    'app_pool_recycle' = @{
        Write = $true
        Util = 'IisClusterAppPools'
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Restart-AppPool -Name $Arguments['name'] }
    }
    # Group managed service accounts: gmsa_check on a node, the others on a domain controller.
    'gmsa_check' = @{
        Write = $false
        Util = 'IisClusterServiceAccounts'
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Test-GmsaRetrieval -Name $Arguments['name'] }
    }
    'kds_root_key_get' = @{
        Write = $false
        Util = 'IisClusterServiceAccounts'
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-KdsRootKeyReport }
    }
    'gmsa_get' = @{
        Write = $false
        Util = 'IisClusterServiceAccounts'
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Get-GmsaReport -Name $Arguments['name'] }
    }
    'gmsa_add' = @{
        Write = $true
        Util = 'IisClusterServiceAccounts'
        Args = @{ name = 'str'; dns_host_name = 'str'; principals = 'str_list' }
        Required = @('name', 'dns_host_name', 'principals')
        Run = {
            param($Arguments, $Secrets)
            New-Gmsa -Name $Arguments['name'] -DnsHostName $Arguments['dns_host_name'] -Members @($Arguments['principals'])
        }
    }
    'gmsa_set_principals' = @{
        Write = $true
        Util = 'IisClusterServiceAccounts'
        Args = @{ name = 'str'; principals = 'str_list' }
        Required = @('name', 'principals')
        Run = {
            param($Arguments, $Secrets)
            Set-GmsaPrincipal -Name $Arguments['name'] -Members @($Arguments['principals'])
        }
    }
    # IIS 7-10 configuration backups (inetsrv\backup\<name>, as Backup-WebConfiguration keeps them).
    'apphost_backup_create' = @{
        Write = $true
        Util = 'IisClusterConfigBackup'
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) New-ConfigBackup -Name $Arguments['name'] }
    }
    'apphost_backup_list' = @{
        Write = $false
        Util = 'IisClusterConfigBackup'
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) , @(Get-ConfigBackup) }
    }
    'apphost_backup_delete' = @{
        Write = $true
        Util = 'IisClusterConfigBackup'
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Remove-ConfigBackup -Name $Arguments['name'] }
    }
    # Web Deploy in process, from this node (the source) to `computer`.
    'web_deploy_info' = @{
        Write = $false
        Util = 'IisClusterWebDeploy'
        Args = @{}
        Required = @()
        Run = { param($Arguments, $Secrets) Get-WebDeployInfo }
    }
    'web_deploy_preview' = @{
        Write = $false
        Util = 'IisClusterWebDeploy'
        Args = @{ computer = 'str'; provider = 'str'; site = 'str'; skip = 'str_list'; encrypt_secret = 'secret' }
        Required = @('computer', 'provider')
        Run = {
            param($Arguments, $Secrets)
            $encrypt = if ($Arguments.ContainsKey('encrypt_secret')) { [string]$Secrets[$Arguments['encrypt_secret']] } else { $null }
            Invoke-WebDeploySync -Computer $Arguments['computer'] -Provider $Arguments['provider'] -Site $Arguments['site'] `
                -Skip @($Arguments['skip']) -EncryptPassword $encrypt -WhatIf $true
        }
    }
    'web_deploy_sync' = @{
        Write = $true
        Util = 'IisClusterWebDeploy'
        Args = @{ computer = 'str'; provider = 'str'; site = 'str'; skip = 'str_list'; encrypt_secret = 'secret' }
        Required = @('computer', 'provider')
        Run = {
            param($Arguments, $Secrets)
            $encrypt = if ($Arguments.ContainsKey('encrypt_secret')) { [string]$Secrets[$Arguments['encrypt_secret']] } else { $null }
            Invoke-WebDeploySync -Computer $Arguments['computer'] -Provider $Arguments['provider'] -Site $Arguments['site'] `
                -Skip @($Arguments['skip']) -EncryptPassword $encrypt -WhatIf $false
        }
    }
    # IIS 7-10 Shared Configuration: redirection.config and the configuration keys on a node; the
    # share on the host serving it.
    'shared_config_get' = @{
        Write = $false
        Util = 'IisClusterSharedConfig'
        Args = @{ secret = 'secret' }
        Required = @()
        Run = {
            param($Arguments, $Secrets)
            $secret = if ($Arguments.ContainsKey('secret')) { [string]$Secrets[$Arguments['secret']] } else { $null }
            Get-SharedConfigReport -Secret $secret
        }
    }
    'unc_read_check' = @{
        Write = $false
        Util = 'IisClusterSharedConfig'
        Args = @{ path = 'str'; user = 'str'; secret = 'secret' }
        Required = @('path', 'user', 'secret')
        Run = {
            param($Arguments, $Secrets)
            Test-UncRead -Path $Arguments['path'] -User $Arguments['user'] -Password ([string]$Secrets[$Arguments['secret']])
        }
    }
    'shared_config_export' = @{
        Write = $true
        Util = 'IisClusterSharedConfig'
        Args = @{ path = 'str'; key_secret = 'secret' }
        Required = @('path', 'key_secret')
        Run = {
            param($Arguments, $Secrets)
            Export-SharedConfig -Path $Arguments['path'] -KeyPassword ([string]$Secrets[$Arguments['key_secret']])
        }
    }
    'shared_config_enable' = @{
        Write = $true
        Util = 'IisClusterSharedConfig'
        Args = @{ path = 'str'; user = 'str'; secret = 'secret'; key_secret = 'secret' }
        Required = @('path', 'user', 'secret', 'key_secret')
        Run = {
            param($Arguments, $Secrets)
            Enable-SharedConfig -Path $Arguments['path'] -User $Arguments['user'] `
                -Password ([string]$Secrets[$Arguments['secret']]) -KeyPassword ([string]$Secrets[$Arguments['key_secret']])
        }
    }
    'shared_config_disable' = @{
        Write = $true
        Util = 'IisClusterSharedConfig'
        Args = @{ keep_keys = 'bool' }
        Required = @()
        Run = { param($Arguments, $Secrets) Disable-SharedConfig -KeepKeys ([bool]$Arguments['keep_keys']) }
    }
    'share_get' = @{
        Write = $false
        Util = 'IisClusterShares'
        Args = @{ name = 'str' }
        Required = @('name')
        Run = { param($Arguments, $Secrets) Get-ShareReport -Name $Arguments['name'] }
    }
    'share_set' = @{
        Write = $true
        Util = 'IisClusterShares'
        Args = @{ name = 'str'; path = 'str'; read = 'str_list'; change = 'str_list' }
        Required = @('name', 'path')
        Run = {
            param($Arguments, $Secrets)
            Set-Share -Name $Arguments['name'] -Path $Arguments['path'] -Read $Arguments['read'] -Change $Arguments['change']
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
        [bool]$CheckMode,
        [string]$ModuleName,
        [string[]]$LoadedUtils
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
    $util = $operations[$op].Util
    if ($LoadedUtils -cnotcontains $util) {
        return "$where.op: $op runs in the module_util $util, which $ModuleName does not load"
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
        [bool]$CheckMode,
        [string]$ModuleName,
        [string[]]$LoadedUtils
    )

    foreach ($name in $Secrets.Keys) {
        if ($Secrets[$name] -isnot [string]) {
            return "secrets.$($name): must be a string"
        }
    }
    for ($index = 0; $index -lt $Instructions.Count; $index++) {
        $problem = Get-InstructionProblem -Index $index -Instruction $Instructions[$index] -Secrets $Secrets `
            -CheckMode $CheckMode -ModuleName $ModuleName -LoadedUtils $LoadedUtils
        if ($problem) {
            return $problem
        }
    }
}

# The collection's utils this run loaded (module_wrapper.ps1 imported each into the global scope):
# the module's #AnsibleRequires lines and theirs, followed.
Function Get-LoadedUtil {
    $names = @(Get-Module -All | Where-Object { $_.Name.StartsWith($UTIL_PREFIX) } |
            ForEach-Object { $_.Name.Substring($UTIL_PREFIX.Length) })
    , [string[]]$names
}

# Runs a node_ops* module: $ModuleName is its name as the controller calls it, for the messages;
# $Arguments is the module's $args, which Ansible.Basic reads its arguments from.
Function Invoke-InstructionSet {
    param([string]$ModuleName, [Object[]]$Arguments)

    $module = [Ansible.Basic.AnsibleModule]::Create($Arguments, $spec)
    $instructions = $module.Params.instructions
    $secrets = if ($null -eq $module.Params.secrets) { @{} } else { $module.Params.secrets }

    # Ansible.Basic masks a no_log dict by its type name only, so the invocation echoed in the
    # result would hold the secret values: keep their names and hide the values, as the controller
    # does for a no_log dict.
    $shownSecrets = @{}
    foreach ($secretName in $secrets.Keys) {
        $shownSecrets[$secretName] = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    }
    $module.Result.invocation.module_args.secrets = $shownSecrets

    $problem = Get-CallProblem -Instructions $instructions -Secrets $secrets -CheckMode $module.CheckMode `
        -ModuleName $ModuleName -LoadedUtils (Get-LoadedUtil)
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
}

Export-ModuleMember -Function Invoke-InstructionSet
