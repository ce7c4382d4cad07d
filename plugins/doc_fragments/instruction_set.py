# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The documentation the modules of the instruction set share (node_ops and its area modules)."""

from __future__ import annotations


class ModuleDocFragment:
    # Every node_ops* module runs the same op table (plugins/module_utils/IisClusterInstructionSet.psm1)
    # with the same options; they differ only in the module_utils they load. What they share is in
    # notes, not description: ansible-doc sorts a description merged from a fragment.
    DOCUMENTATION = r"""
options:
  instructions:
    description:
      - The instructions, run in order. Each is a dict with C(op), the operation's name, and
        C(args), a dict of its arguments.
      - The module fails without running any instruction when one names an unknown operation,
        an operation whose module_util this module does not load, lacks a required argument,
        names a secret not in O(secrets), or, in check mode, is a write operation. The message
        names the instruction's index and the field.
      - V(host_facts) (read) takes no arguments and returns the host's C(name),
        C(dns_host_name), NetBIOS C(domain) and C(dns_domain) (both null outside a domain),
        C(domain_role) (Win32_ComputerSystem.DomainRole, 0 to 5), C(os_version),
        C(iis_version) (C(major.minor), null without IIS) and C(ip_addresses), its IPv4
        addresses, each a dict of C(address) and C(prefix_length).
      - V(metabase_get) (read) takes C(path) (an ADSI path below C(IIS://localhost), such as
        V(W3SVC/1/ROOT)), C(properties) (a list of names; by default every property set at the
        key) and C(children) (a bool). It returns C(path), C(key_type), C(properties), a dict of
        name to C(type), C(secure), C(source) (V(here), V(inherited) or V(unset)) and C(value)
        (never for a secure or unset property, nor for a type other than STRING, EXPANDSZ,
        INTEGER, BOOLEAN, LIST or BINARY), and C(children) when asked for.
      - V(metabase_set) (write) takes C(path), C(property) and either C(value) (of the
        property's type; BINARY as a hex string) or C(secret) (a name in O(secrets)). It sets the
        value at the key and commits it.
      - V(metabase_delete) (write) takes C(path) and C(property) and removes the value set at
        the key, so that the key inherits again.
      - V(metabase_secret_matches) (read) takes C(path), C(property) and C(secret), and returns
        whether the key's effective value equals the secret (ordinal comparison, false when
        unset). The value itself never leaves the host.
      - V(metabase_digest_tree) (read) takes C(salt) (a name in O(secrets)), C(exclude) (property
        names) and optionally C(against) (another node's summary), or C(keys) and C(subtrees)
        (metabase paths) with C(values). It digests the metabase on the host as a tree of salted
        HMAC-SHA256 digests (every property, key and subtree, secure values included) and returns
        the summary of the tree's top, where the node differs from another node's summary, or
        the digests (and the values that are not secure) of the keys asked for.
      - V(metabase_backup_create) (write) takes C(name) and backs the metabase up under it with
        the next free version; V(metabase_backup_list) (read) lists every backup with its
        C(name), C(version) and C(date) (UTC); V(metabase_backup_restore) (write) takes C(name)
        and C(version) and restores that backup; V(metabase_backup_delete) (write) takes C(name)
        and C(version) and deletes that backup.
      - V(dcom_protocols), V(file_shares) and V(cluster_addresses) (read) return the DCOM
        protocol sequences in order, the shares with the system drive, and the addresses of the
        cluster groups' IP Address resources.
      - V(rpc_probe) (read) takes C(computer), resolves it and connects to its RPC endpoint
        mapper (TCP 135); V(complus_catalog) (read) takes an optional C(account) and returns the
        COM+ catalog's MTS replication share, its applications and their components, and whether
        the account passes the System Application's Administrator role check.
      - V(iissync_run) (write) takes C(targets), computer names, and runs
        C(%SystemRoot%\system32\inetsrv\iissync.exe) with one argument per target, returning its
        C(exit_code) and C(output).
      - Accounts and rights - V(domain_user_get), V(domain_user_add), V(domain_user_set),
        V(domain_user_set_password), V(domain_user_password_matches), V(domain_user_delete),
        V(domain_group_add_member), V(domain_password_policy_get) (NetAPI on a domain
        controller), V(account_lookup), V(account_token_get), V(local_group_members_get),
        V(local_group_member_add), V(local_group_member_remove), V(user_rights_get),
        V(user_right_grant) - and IIS identities - V(metabase_data_paths),
        V(metabase_applications_get), V(metabase_sites_get), V(anonymous_logon_check),
        V(comadmin_application_set_identity); V(complus_catalog) also reports each application's
        C(server) and C(identity). Their arguments and
        results are in the contract named below.
    type: list
    elements: dict
    required: true
  secrets:
    description:
      - Secret values by name, for the instructions that name them in C(args.secret).
    type: dict
    default: {}
  stop_on_error:
    description:
      - Whether the instructions after a failed one are skipped and reported with
        C(status=not_run).
    type: bool
    default: true
attributes:
  check_mode:
    support: partial
    details: Read operations run in check mode; a batch with a write operation is refused.
  diff_mode:
    support: none
  platform:
    platforms: windows
notes:
  - The collection's action plugins (such as M(webfarm.iis_cluster.metabase)) decide what a node
    needs and send one of the instruction set's modules a list of instructions; it runs them in
    order and returns one result each. Use those modules in playbooks, not this one. The
    instructions are a contract between the collection's own parts and may change in any
    release.
  - Every module of the instruction set (M(webfarm.iis_cluster.node_ops),
    M(webfarm.iis_cluster.node_ops_facts), M(webfarm.iis_cluster.node_ops_accounts),
    M(webfarm.iis_cluster.node_ops_metabase), M(webfarm.iis_cluster.node_ops_apphost)) knows
    every operation, but runs only those whose
    module_util it loads, so that Ansible sends each execution only the PowerShell it needs.
    The controller sends each batch to the smallest module that runs all of its operations.
  - Each instruction names one operation from a fixed set, each a small wrapper around one
    Windows API. No operation takes a command line or a script.
  - A Windows error does not fail the module. The instruction that hit it gets C(status=failed)
    with the Windows error code and text, so that the calling action plugin can name the cause
    and the fix. The module fails only for a malformed call. See O(instructions).
  - C(changed) is true when at least one write operation succeeded.
  - Secrets travel only in O(secrets), which is C(no_log), and instructions name them. No
    operation returns a secret, and none puts one in an error message or on a command line. The
    module writes nothing to the Windows event log, because Ansible would log the secrets there
    with its arguments.
  - The metabase operations use the IIS ADSI provider (C(IIS://localhost/...)), so they need
    IIS 5 or 6, or IIS 7 and later with the IIS 6 Metabase Compatibility feature.
  - The full contract, with the result of every operation, is C(docs/instruction-set.md) in the
    collection's source.
  - Which module loads which module_util is listed under C(modules) in C(docs/instruction-set.yml)
    in the collection, and each operation's module_util there under C(util).
"""
