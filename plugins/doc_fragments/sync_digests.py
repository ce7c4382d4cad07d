# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of the modules that digest metabases for one sync run."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  salt:
    description:
      - The secret salt of this run's metabase digests, at least 16 characters. Give every module
        of a run the same one, and draw a new random one for every run (the
        P(webfarm.iis_cluster.metabase_sync#role) role does). Digests made with another salt cannot
        be compared, and without the salt a digest says nothing about the value it was made of.
    type: str
    required: true
  exclude:
    description:
      - Metabase properties left out of the digests and of the comparison, because they differ
        between healthy nodes. Give every module of a run the same list.
      - The default is the machine-specific ones, C(ServerState) (a site's run state, stopped on
        the nodes that do not own its cluster group), C(Win32Error) (a site's last error on that
        node) and C(AdminACL) (a security descriptor holding the node's own SIDs).
    type: list
    elements: str
    default: [ServerState, Win32Error, AdminACL]
"""

    TARGETS = r"""
options:
  targets:
    description:
      - The registered results of M(webfarm.iis_cluster.sync_node_info) on every target node, made
        with the same O(salt) and O(exclude) and C(against) the source node's report (taken after
        the source's metabase last changed); the C(extract) filter gathers them from C(hostvars).
    type: list
    elements: raw
    required: true
"""

    ACCOUNT = r"""
options:
  account:
    description:
      - The account IISSync runs as (C(DOMAIN\user)), for the COM+ System Application's role
        check. By default the task's become user, else its connection user.
    type: str
"""

    ACCOUNTS = r"""
options:
  accounts:
    description:
      - Account names to resolve on the node (LookupAccountName), reported in the node's
        C(accounts), the identities the sync source would replicate, which its own
        M(webfarm.iis_cluster.sync_node_info) returns as C(replicated_identities). The preflight
        needs every node's answer for each of them.
    type: list
    elements: str
    default: []
"""
