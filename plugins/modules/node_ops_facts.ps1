#!powershell

# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterInstructionSet
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterHostFacts
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterMetabaseSearch
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterAppPools

# The instruction set of webfarm.iis_cluster (docs/instruction-set.md) with the utils a node's
# first answer needs before its IIS version is known: host facts and the site listings of both
# backends (the metabase's, IIS 5/6, and applicationHost.config's, IIS 7-10), which node_info asks
# for in one execution. The op table and the dispatcher are IisClusterInstructionSet's; this
# module only chooses what Ansible sends with it (its #AnsibleRequires lines, listed under modules
# in docs/instruction-set.yml), and refuses an op whose util it does not load.
Invoke-InstructionSet -ModuleName 'webfarm.iis_cluster.node_ops_facts' -Arguments $args
