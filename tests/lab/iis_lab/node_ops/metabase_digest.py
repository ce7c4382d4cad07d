"""``metabase_digest``: a salted digest of every metabase key and of every property set at it,
computed on the host so that secure values are compared without leaving it
(``docs/instruction-set.md`` defines the digests).

One difference from Windows, which digests a secure value's text: the lab digests the secret's
token (:data:`~.spec.SecretToken`), the PBKDF2 digest the lab records for that secret in
``state.json`` (:class:`iis_lab.state.SecretDigests`). A lab resumed from that file knows the
secret only by that digest, and a digest computed there cannot be made to equal an HMAC of the
text. The token can: the lab gives a secret one digest for its whole lifetime, hands a text it
meets again the digest it loaded for it, and keeps that digest as the stored form. So two nodes
holding the same secret digest equal and different secrets differ, before and after a resume,
and a node digests the same before and after one. The controller only compares nodes' digests
made with one salt, so it cannot tell the difference; a digest still says nothing of the
secret (it is an HMAC of a salted PBKDF2 digest, whose salt never leaves the lab).
"""

from __future__ import annotations

import hashlib
import hmac
import typing as t

from ..windows.metabase_schema import find_property
from ..windows.metabase_types import PropertyType, StoredValue
from ..windows.stored_secret import Secret
from .spec import Arg, ArgType, OpContext, OpSpec


def metabase_digest(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    salt = context.secret(args["salt"]).encode("utf-8")
    excluded = {name.lower() for name in args.get("exclude") or []}
    keys: dict[str, t.Any] = {}
    for key in context.host.open_metabase().keys():
        properties = {}
        for name, value in key.values.items():
            schema = find_property(name)
            assert schema is not None  # the metabase stores only properties of its schema
            if schema.name.lower() not in excluded:
                text = context.secret_token(t.cast(Secret, value)) if schema.secure else value
                properties[schema.name] = _hmac(salt, property_text(schema.name, schema.type, text))
        keys[key.metabase_path] = {"digest": key_digest(salt, properties), "properties": properties}
    return {"keys": keys}


def property_text(name: str, kind: PropertyType, value: StoredValue) -> str:
    """What a property's digest is made of: ``name``, type and value on three lines; a LIST's
    items separated by NUL, a BINARY in lower-case hex, an INTEGER in unsigned decimal, a
    BOOLEAN as True or False."""
    if kind is PropertyType.LIST:
        text = "\0".join(t.cast(tuple[str, ...], value))
    elif kind is PropertyType.BINARY:
        text = t.cast(bytes, value).hex()
    else:
        text = str(value)
    return f"{name}\n{kind.value}\n{text}"


def key_digest(salt: bytes, properties: t.Mapping[str, str]) -> str:
    """A key's digest: of its properties' ``name:digest`` lines, sorted by lower-case name."""
    lines = sorted((name.lower(), f"{name}:{digest}") for name, digest in properties.items())
    return _hmac(salt, "\n".join(line for _, line in lines))


def _hmac(salt: bytes, text: str) -> str:
    return hmac.new(salt, text.encode("utf-8"), hashlib.sha256).hexdigest()


OPS = (
    OpSpec(
        "metabase_digest",
        write=False,
        args=(Arg("salt", ArgType.SECRET, required=True), Arg("exclude", ArgType.STR_LIST)),
        run=metabase_digest,
    ),
)
