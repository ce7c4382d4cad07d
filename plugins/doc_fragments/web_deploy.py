# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of a Web Deploy sync from the source node to its targets."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  targets:
    description:
      - The targets, as a mapping of inventory host to the computer name the source node reaches
        it by (the C(name) the playbook's pre-flight learned with M(webfarm.iis_cluster.node_info)).
        Web Deploy reaches each through its remote agent service (MsDepSvc,
        C(http://<computer>/MSDEPLOYAGENTSERVICE)) with the credentials of the task's user, so run
        with become, or a connection that delegates credentials.
    type: dict
    required: true
  provider:
    description:
      - V(webServer) syncs the server's whole IIS configuration; V(appHostConfig) one site's
        (O(site)) configuration, with its application pools.
    type: str
    choices: [webServer, appHostConfig]
    default: webServer
  site:
    description:
      - The site O(provider=appHostConfig) syncs; only with it.
    type: str
  node_settings:
    description:
      - The applicationHost.config attributes that legitimately differ per node, never synced,
        each a path from the configuration's root to an attribute (or, without C(@attribute), a
        whole element),
        C(system.applicationHost/sites/site/logFile@directory) (a step C(name),
        C(name[@key='value']) or C(*), no comma). Each becomes one Web Deploy skip rule,
        C(xPath=/system.applicationHost/sites/site/logFile/@directory), on
        both ends (the C(skip) of the result lists them).
    type: list
    elements: str
    default: []
  encrypt_password:
    description:
      - The password Web Deploy protects encrypted attributes (pool and anonymous passwords) with
        between source and target (C(DeploymentBaseOptions.EncryptPassword), on both ends). It only
        has to be the same at both ends of one sync, and the P(webfarm.iis_cluster.metabase_sync#role)
        role draws a random one per run. It travels to the source node only in the module's
        C(no_log) secrets, never on a command line.
    type: str
"""
