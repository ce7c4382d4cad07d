"""The lab's emulation of the node_ops instruction set (``docs/instruction-set.md``).

:data:`OPS` is the registry: every op by name, with whether it writes (a contract test checks
it against ``plugins/modules/node_ops.ps1``). Each op family lives in its own module and
contributes its ``OPS`` tuple here.
"""

from __future__ import annotations

import types
import typing as t

from . import (
    apphost_backup,
    complus,
    domain_accounts,
    gmsa,
    host_facts,
    iis_identity,
    iissync,
    local_security,
    metabase,
    metabase_backup,
    metabase_digest_tree,
    network,
    shared_config,
    shares,
    web_config,
    web_deploy,
)
from .module import run_module
from .spec import Become, Network, OpSpec

OPS: t.Mapping[str, OpSpec] = types.MappingProxyType(
    {
        spec.name: spec
        for family in (
            host_facts,
            metabase,
            metabase_digest_tree,
            metabase_backup,
            network,
            complus,
            iissync,
            domain_accounts,
            local_security,
            iis_identity,
            web_config,
            apphost_backup,
            web_deploy,
            gmsa,
            shares,
            shared_config,
        )
        for spec in family.OPS
    }
)

__all__ = ["OPS", "Become", "Network", "OpSpec", "run_module"]
