#!powershell

# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterInstructionSet
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterHostFacts
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterLocalSecurity
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabase
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabaseDigest
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabaseBackup
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabaseSearch
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterIisSync
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterComPlus
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterIisIdentity

# The instruction set of webfarm.iis_cluster (docs/instruction-set.md) with the utils of IIS 5/6
# nodes: host facts, local security and password logons, and the metabase, its digest, backups and
# search, IISSync and what it depends on, COM+ and the identities IIS logs on. No domain account
# or gMSA util: those ops run on a domain controller (node_ops_accounts). The op table and the dispatcher are
# IisClusterInstructionSet's; this module only chooses what Ansible sends with it (its
# #AnsibleRequires lines, listed under modules in docs/instruction-set.yml), and refuses an op
# whose util it does not load.
Invoke-InstructionSet -ModuleName 'webfarm.iis_cluster.node_ops_metabase' -Arguments $args
