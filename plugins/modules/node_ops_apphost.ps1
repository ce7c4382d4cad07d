#!powershell

# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterInstructionSet
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterHostFacts
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterLocalSecurity
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterServiceAccounts
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterWebConfig
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterConfigDigest
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterAppPools
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterConfigBackup
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterWebDeploy
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterSharedConfig
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterShares

# The instruction set of webfarm.iis_cluster (docs/instruction-set.md) with the utils of IIS 7-10
# nodes: host facts, local security and password logons, gMSAs (a node retrieving one), and
# applicationHost.config, its digest and backups, sites and application pools, Web Deploy, Shared
# Configuration, configuration keys and file shares. No domain account util: those ops run on a
# domain controller (node_ops_accounts). The op table and
# the dispatcher are IisClusterInstructionSet's; this module only chooses what Ansible sends with
# it (its #AnsibleRequires lines, listed under modules in docs/instruction-set.yml), and refuses
# an op whose util it does not load.
Invoke-InstructionSet -ModuleName 'webfarm.iis_cluster.node_ops_apphost' -Arguments $args
