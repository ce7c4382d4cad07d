"""Whether every IIS node of a lab works, read from the lab's recorded state (``state.json``).

A green playbook run proves only what the collection checked; this is the lab's own answer, for
tests to assert after every green run: on every host with IIS, an anonymous request to every
content key and FTP site logs on, and the COM+ package of every out-of-process application (the
pooled package and the package of every isolated application) runs as the metabase's
WAMUserName and logs that identity on (``windows/iis_logons.py``). On an IIS 7+ host
(``windows/was.py``): every application pool is started and its worker logs its identity on,
and every site's anonymous user logs on.
"""

from __future__ import annotations

import typing as t

from .windows.complus import IIS_POOLED_APPLICATION_ID

_APP_ISOLATED = 1


def problems(state: t.Mapping[str, t.Any]) -> list[str]:
    """What does not work on each host of ``state``, one sentence each; empty when every node works."""
    found: list[str] = []
    for name, host in state["hosts"].items():
        found += _modern_problems(name, host.get("iis"))
        metabase = host.get("metabase")
        if metabase is None:
            continue
        for path, logon in (host.get("anonymous_logons") or {}).items():
            if not logon["logs_on"]:
                found.append(f"{name}: anonymous requests to {path} do not log {logon['user']} on: {logon['why_not']}")
        found += _application_problems(name, metabase, host["complus"])
    return found


def _modern_problems(host: str, iis: t.Mapping[str, t.Any] | None) -> list[str]:
    if iis is None:
        return []
    found = []
    for pool, entry in iis["pools"].items():
        if entry["state"] != "Started":
            found.append(f"{host}: application pool {pool!r} is {entry['state']}")
        if entry["logon_error"] is not None:
            found.append(f"{host}: the worker of application pool {pool!r} cannot log its identity on: {entry['logon_error']}")
    for site, entry in iis["sites"].items():
        if entry["anonymous_logon_error"] is not None:
            user = entry["anonymous_user"]
            found.append(f"{host}: anonymous requests to site {site!r} do not log {user} on: {entry['anonymous_logon_error']}")
    return found


def _application_problems(host: str, metabase: t.Mapping[str, t.Any], complus: t.Mapping[str, t.Any]) -> list[str]:
    wam_user = _value(metabase, "/LM/W3SVC", "WAMUserName")
    packages = [IIS_POOLED_APPLICATION_ID.upper()] + [
        str(_value(metabase, path, "AppPackageID")).upper()
        for path in metabase
        if _value(metabase, path, "AppIsolated") == _APP_ISOLATED and _value(metabase, path, "AppPackageID")
    ]
    found = []
    for application in complus["applications"]:
        if application["id"].upper() not in packages:
            continue
        label = f"{host}: COM+ application {application['name']!r}"
        if application["logon_error"] is not None:
            found.append(f"{label} cannot log its identity {application['identity']} on: {application['logon_error']}")
        if wam_user is not None and str(application["identity"]).lower() != str(wam_user).lower():
            found.append(f"{label} runs as {application['identity']}, not as WAMUserName {wam_user}")
    return found


def _value(metabase: t.Mapping[str, t.Any], path: str, name: str) -> t.Any:
    entry = metabase.get(path, {}).get("properties", {}).get(name)
    return None if entry is None else entry.get("value")
