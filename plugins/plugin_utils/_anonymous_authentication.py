# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""KB Q249603 step 6 on IIS 7-10: the site's anonymous user at its location in
applicationHost.config (``anonymousAuthentication`` ``userName``/``password``/``logonMethod``),
and the locations of its applications that override it, planned with :mod:`._web_config`.

This is for internal collection use only; the API may change at any time.

An empty ``userName`` runs anonymous requests as the application pool's identity (IIS's
"Application pool identity" choice); the password then means nothing and is cleared.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._changes import Change
from ._iis_identity import OVERRIDES_INHERIT, logon_error_problem
from ._input import InvalidInput
from ._node_session import Instruction
from ._web_config import SECRET_REF, DesiredAttribute, ElementState, Where, check_location, plan_attribute

SECTION = "system.webServer/security/authentication/anonymousAuthentication"
ATTRIBUTES = ("userName", "password", "logonMethod")
LOGON_METHODS = ("ClearText", "Interactive", "Batch", "Network")
"""anonymousAuthentication's logonMethod enum; ClearText is IIS's default."""
LOGON_CHECK_TYPE = {"ClearText": "network_cleartext", "Interactive": "interactive", "Batch": "batch", "Network": "network"}
"""The ``account_logon_check`` logon type an anonymous request makes for each logonMethod."""


@dataclasses.dataclass(frozen=True)
class AnonymousUser:
    """What the operator asked for the site: ``user`` '' is the pool identity; a password, when
    given, travels in the ``secrets`` argument under :data:`SECRET_REF`."""

    site: str
    user: str
    password: bool
    logon_method: str = "ClearText"

    @property
    def where(self) -> Where:
        return Where(SECTION, self.site, ())

    @property
    def shown_user(self) -> str:
        return self.user or "the application pool's identity"


def anonymous_user(site: str, user: str, password: bool, logon_method: str) -> AnonymousUser:
    """The request, checked: each rule names the option it breaks."""
    location = check_location(site)
    if not location or "/" in location:
        raise InvalidInput(f"site: {site!r} is not a site's name (its location path, such as Shop)")
    if logon_method not in LOGON_METHODS:
        raise InvalidInput(f"logon_method: {logon_method!r} is not one of {', '.join(LOGON_METHODS)}")
    if user and not password:
        raise InvalidInput(f"password: {user} is an account: give its password (or user '' for the pool identity)")
    if not user and password:
        raise InvalidInput("password: user '' runs anonymous requests as the pool identity, which takes no password")
    return AnonymousUser(location, user.strip(), password, logon_method)


def locations_below(site: str, applications: t.Sequence[str]) -> list[str]:
    """The location paths of the site's applications below its root (``/checkout`` of Shop is
    ``Shop/checkout``), each once."""
    return list(dict.fromkeys(f"{site}/{path.strip('/')}" for path in applications if path.strip("/")))


def queries(asked: AnonymousUser, below: t.Sequence[str]) -> list[Instruction]:
    """The read-only batch: the site's attributes, whether its password is the one given, the
    attributes at each location below, then the proof (the logon an anonymous request makes)."""
    batch = [asked.where.get(ATTRIBUTES)]
    if asked.password:
        batch.append(Instruction("web_config_secret_matches", {**asked.where.args(), "attribute": "password", "secret": SECRET_REF}))
    batch += [asked.where.at(location).get(ATTRIBUTES) for location in below]
    if asked.password:
        batch.append(
            Instruction(
                "account_logon_check",
                {"name": asked.user, "secret": SECRET_REF, "logon_type": LOGON_CHECK_TYPE[asked.logon_method]},
            )
        )
    return batch


def proof_problem(asked: AnonymousUser, error: t.Mapping[str, t.Any] | None) -> str | None:
    """Why the account would not log anonymous requests on, or None."""
    return logon_error_problem(
        asked.user,
        error,
        LOGON_CHECK_TYPE[asked.logon_method],
        "the password given",
        f"anonymous requests to {asked.site} (logonMethod {asked.logon_method})",
    )


def plan_site(asked: AnonymousUser, element: ElementState | None, password_matches: bool | None) -> list[Change]:
    """The site's own attributes as asked, set at its location."""
    if element is None:
        raise InvalidInput(f"site: {asked.site} has no anonymousAuthentication section at its location")
    where = asked.where
    changes = plan_attribute(DesiredAttribute(where, "userName", value=asked.user), element)
    if asked.password:
        changes += plan_attribute(DesiredAttribute(where, "password", secret=True), element, secret_matches=password_matches)
    else:
        changes += plan_attribute(DesiredAttribute(where, "password", state="absent"), element)
    changes += plan_attribute(DesiredAttribute(where, "logonMethod", value=asked.logon_method), element)
    return changes


def overrides(below: t.Mapping[str, ElementState | None]) -> list[dict[str, t.Any]]:
    """The locations below the site that set an anonymous attribute themselves."""
    found = []
    for location, element in below.items():
        names = [attribute.name for attribute in (element.attributes if element else ()) if attribute.origin == "set"]
        if names:
            found.append({"location": location, "attributes": names})
    return found


def plan_overrides(
    asked: AnonymousUser,
    found: t.Sequence[t.Mapping[str, t.Any]],
    below: t.Mapping[str, ElementState | None],
    mode: str,
) -> list[Change]:
    """With ``inherit``, every overriding attribute cleared so that its location inherits the site's."""
    if mode != OVERRIDES_INHERIT:
        return []
    return [
        change
        for entry in found
        for name in entry["attributes"]
        for change in plan_attribute(
            DesiredAttribute(asked.where.at(entry["location"]), name, state="absent"), below[entry["location"]]
        )
    ]
