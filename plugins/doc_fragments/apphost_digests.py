# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of the modules that digest IIS 7-10 configurations for one verification."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  salt:
    description:
      - The secret salt of this run's configuration digests, at least 16 characters. Give every
        module of a run the same one, and draw a new random one for every run (the
        P(webfarm.iis_cluster.metabase_sync#role) role does). Digests made with another salt cannot
        be compared, and without the salt a digest says nothing about the value it was made of.
    type: str
    required: true
  exclude:
    description:
      - The applicationHost.config attributes that legitimately differ between nodes, never
        compared, as paths from the configuration's root
        (C(system.applicationHost/sites/site/logFile@directory)); a step without keys matches
        every item of that name, a step with keys (C(site[@name='Shop'])) that item only, C(*)
        any characters within one step. Give every module of a run the same list (the role gives
        C(metabase_sync_node_settings)).
    type: list
    elements: str
    default: []
"""
