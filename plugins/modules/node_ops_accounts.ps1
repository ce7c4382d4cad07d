#!powershell

# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterInstructionSet
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterHostFacts
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterLocalSecurity
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterDomainAccounts
#AnsibleRequires -PowerShell ansible_collections.webfarm.iis_cluster.plugins.module_utils.IisClusterServiceAccounts

# The instruction set of webfarm.iis_cluster (docs/instruction-set.md) with the utils of the
# accounts and the host's own security: host facts, local security, password logons, domain
# accounts and group managed service accounts. The op table and the dispatcher are
# IisClusterInstructionSet's; this module only chooses what Ansible sends with it (its
# #AnsibleRequires lines, listed under modules in docs/instruction-set.yml), and refuses an op
# whose util it does not load.
Invoke-InstructionSet -ModuleName 'webfarm.iis_cluster.node_ops_accounts' -Arguments $args
