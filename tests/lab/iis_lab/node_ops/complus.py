"""``complus_catalog``: the COM+ catalog as IISSync's COM+ replication depends on it
(``COMAdmin.COMAdminCatalog``)."""

from __future__ import annotations

import typing as t

from .spec import Arg, ArgType, OpContext, OpSpec


def complus_catalog(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    host = context.host
    catalog = host.complus.open()
    value: dict[str, t.Any] = {
        # COM+ has no ReplicationShare on LocalComputer (windows/complus.py): Windows cannot say.
        "replication_share": None,
        "applications": [
            {
                "id": application.id,
                "name": application.name,
                "system": application.system,
                "server": application.server,
                "identity": application.identity if application.server else None,
                "components": [
                    {
                        "clsid": component.clsid,
                        "prog_id": component.prog_id,
                        "registered": component.clsid.upper() in catalog.registered_classes,
                    }
                    for component in application.components
                ],
            }
            for application in catalog.applications
        ],
    }
    if "account" in args:
        account = args["account"]
        value["administrator"] = catalog.admits_administrator(account, host.domain.is_administrator(account))
    return value


OPS = (OpSpec("complus_catalog", write=False, args=(Arg("account", ArgType.STR),), run=complus_catalog),)
