"""``metabase_digest_tree``: salted digests of the metabase as a tree (every property, every key,
every subtree), computed on the host so that secure values are compared without leaving it; a
summary of the tree's top, what differs from another node's summary, or the keys of chosen
subtrees (``docs/instruction-set.md`` defines the digests and the three forms).

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

import dataclasses
import hashlib
import hmac
import typing as t

from ..windows.metabase import MetabaseKey
from ..windows.metabase_schema import find_property
from ..windows.metabase_types import PropertyType, StoredValue, to_json
from ..windows.stored_secret import Secret
from .spec import Arg, ArgType, OpContext, OpSpec

DIGEST_CHARS = 16
"""The hex characters of a digest the op returns: the first 64 bits of the HMAC."""
SUMMARY_LIMIT = 256
"""A key whose subtree holds this many properties or fewer is never opened in the summary."""
SUMMARY_ENTRIES = 512
"""The most keys a summary lists."""
WIDE_KEY_CHILDREN = SUMMARY_ENTRIES - 1
"""A key with more children than this, which could never be opened with all of them listed, is
opened by buckets of its children instead (:func:`bucket_of`)."""
BUCKET_SEPARATOR = "//"
"""Between a key's path and a bucket's name: no key name is empty, so no key's path holds it."""


@dataclasses.dataclass
class _Node:
    """One key's digests: its properties' (full HMACs), its own and its subtree's; or a bucket
    of a wide key's children (no ``key``, no properties)."""

    path: str
    key: MetabaseKey | None
    properties: dict[str, str]
    digest: str
    subtree: str
    count: int
    """The properties digested in the subtree."""
    children: list[_Node]

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def bucket_of(name: str) -> str:
    """The bucket of a wide key's child named ``name``: the first two hex characters of the
    SHA-256 of its lower-case name's UTF-8 bytes, so each node puts a child in the same one of
    256 buckets whatever other children it has. Names are not secret (the summary lists paths),
    so the bucket needs no salt; its digest does (:func:`_buckets`)."""
    return hashlib.sha256(name.lower().encode("utf-8")).hexdigest()[:2]


def bucket_path(parent: str, bucket: str) -> str:
    return f"{parent}{BUCKET_SEPARATOR}{bucket}"


def metabase_digest_tree(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    salt = context.secret(args["salt"]).encode("utf-8")
    excluded = {name.lower() for name in args.get("exclude") or []}
    root = _digest(context, context.host.open_metabase().key(""), salt, excluded)
    result: dict[str, t.Any] = {"root": short_digest(root.subtree)}
    if args.get("against") is not None:
        keys, subtrees = _differing(root, args["against"], salt)
        result["differing_keys"], result["differing_subtrees"] = keys, subtrees
    elif args.get("keys") is None and args.get("subtrees") is None:
        result["subtrees"] = _summary(root, salt)
        return result
    else:
        keys, subtrees = args.get("keys") or [], args.get("subtrees") or []
    result["keys"] = _listing(context, root, keys, subtrees, bool(args.get("values")))
    return result


def _digest(context: OpContext, key: MetabaseKey, salt: bytes, excluded: t.AbstractSet[str]) -> _Node:
    properties = {}
    for name, value in key.values.items():
        schema = find_property(name)
        assert schema is not None  # the metabase stores only properties of its schema
        if schema.name.lower() not in excluded:
            text = context.secret_token(t.cast(Secret, value)) if schema.secure else value
            properties[schema.name] = salted_digest(salt, property_text(schema.name, schema.type, text))
    children = [_digest(context, child, salt, excluded) for child in key.children.values()]
    digest = key_digest(salt, properties)
    subtree = subtree_digest(salt, digest, {child.key.name: child.subtree for child in children})
    count = len(properties) + sum(child.count for child in children)
    return _Node(key.metabase_path, key, properties, digest, subtree, count, children)


def _buckets(salt: bytes, node: _Node) -> list[_Node]:
    """The buckets of ``node``'s children (:func:`bucket_of`), the ones holding any, by name:
    each a node with no properties (the digest of a key without any) whose children are its
    children in tree order, and whose subtree digest chains them as a key's does."""
    members: dict[str, list[_Node]] = {}
    for child in node.children:
        members.setdefault(bucket_of(child.name), []).append(child)
    empty = key_digest(salt, {})
    return [
        _Node(
            bucket_path(node.path, bucket),
            None,
            {},
            empty,
            subtree_digest(salt, empty, {child.name: child.subtree for child in children}),
            sum(child.count for child in children),
            children,
        )
        for bucket, children in sorted(members.items())
    ]


def _opened_children(salt: bytes, node: _Node, bucketed: bool) -> list[_Node]:
    """What opening ``node`` lists: its children, or their buckets when ``bucketed``."""
    return _buckets(salt, node) if bucketed else node.children


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
    return salted_digest(salt, "\n".join(line for _, line in lines))


def subtree_digest(salt: bytes, digest: str, children: t.Mapping[str, str]) -> str:
    """A subtree's digest: of its key's digest, then a ``name:subtree`` line per child key,
    lower-case name, sorted by it."""
    lines = sorted(f"{name.lower()}:{subtree}" for name, subtree in children.items())
    return salted_digest(salt, "\n".join([digest, *lines]))


def _summary(root: _Node, salt: bytes) -> dict[str, list[str]]:
    """The top of the tree: the keys opened, largest subtree first (ties in tree order), each
    while its subtree holds more than SUMMARY_LIMIT properties and its children fit within
    SUMMARY_ENTRIES keys listed; a key with more than WIDE_KEY_CHILDREN children lists their
    buckets instead (``path//bucket``), which open the same way. By path, parents before
    children: an opened key or bucket with its subtree's and its own digest, any other listed
    one with its subtree's only."""
    opened: dict[int, list[_Node]] = {}
    listed = 1
    candidates = [root]
    while candidates:
        node = max(candidates, key=lambda candidate: candidate.count)
        if node.count <= SUMMARY_LIMIT:
            break
        candidates.remove(node)
        # A bucket is never bucketed again: one holds more than WIDE_KEY_CHILDREN children only
        # under a key of some 130,000, and is then listed whole, not opened.
        children = _opened_children(salt, node, node.key is not None and len(node.children) > WIDE_KEY_CHILDREN)
        if listed + len(children) <= SUMMARY_ENTRIES:
            opened[id(node)] = children
            listed += len(children)
            candidates.extend(children)
    summary: dict[str, list[str]] = {}
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in opened:
            summary[node.path] = [short_digest(node.subtree), short_digest(node.digest)]
            pending.extend(reversed(opened[id(node)]))
        else:
            summary[node.path] = [short_digest(node.subtree)]
    return summary


def _differing(root: _Node, against: t.Mapping[str, t.Sequence[str]], salt: bytes) -> tuple[list[str], list[str]]:
    """Where this tree differs from another node's summary, top-down: the keys opened there
    whose own digest differs, and the subtrees to list in full (not opened there, only on one
    of the nodes, or the whole tree when the summary has no root). A key whose buckets the
    summary lists is compared by buckets here too, whatever its number of children here; a
    bucket differing there that was not opened is listed whole (``path//bucket``)."""
    theirs = {path.lower(): (path, digests) for path, digests in against.items()}
    bucketed = {path.split(BUCKET_SEPARATOR, 1)[0].lower() for path in against if BUCKET_SEPARATOR in path}
    children: dict[str, list[str]] = {}
    for path in against:
        children.setdefault(_summary_parent(path, bucketed), []).append(path)
    keys: list[str] = []
    subtrees: list[str] = []

    def walk(node: _Node) -> None:
        path = node.path
        digests = theirs[path.lower()][1]
        if digests[0] == short_digest(node.subtree):
            return
        if len(digests) < 2:
            subtrees.append(path)
            return
        if digests[1] != short_digest(node.digest):
            keys.append(path)
        opened = _opened_children(salt, node, path.lower() in bucketed)
        mine = {child.path.lower() for child in opened}
        for child in opened:
            if child.path.lower() in theirs:
                walk(child)
            else:
                subtrees.append(child.path)
        subtrees.extend(other for other in children.get(path.lower(), []) if other.lower() not in mine)

    if root.path.lower() in theirs:
        walk(root)
    else:
        subtrees.append(root.path)
    return keys, subtrees


def _summary_parent(path: str, bucketed: t.AbstractSet[str]) -> str:
    """What lists ``path`` in a summary, lower-case: its key, the key of a bucket, or the
    bucket of a child of a key listed by buckets."""
    if BUCKET_SEPARATOR in path:
        return path.split(BUCKET_SEPARATOR, 1)[0].lower()
    parent, _, name = path.rpartition("/")
    if parent.lower() in bucketed:
        return bucket_path(parent, bucket_of(name)).lower()
    return parent.lower()


def _listing(
    context: OpContext, root: _Node, keys: t.Sequence[str], subtrees: t.Sequence[str], values: bool
) -> dict[str, t.Any]:
    """Each key named in ``keys`` and each key of the subtrees in ``subtrees`` (a bucket's,
    ``path//bucket``: those of its children) that this node has, parents before children: its
    digest and its properties', and with ``values`` the value of each property that is not
    secure."""
    single = {path.lower() for path in keys}
    tops = {path.lower() for path in subtrees}
    bucketed = {path.split(BUCKET_SEPARATOR, 1)[0] for path in tops if BUCKET_SEPARATOR in path}
    listing: dict[str, t.Any] = {}
    pending = [(root, False)]
    while pending:
        node, inside = pending.pop()
        path = node.path
        inside = inside or path.lower() in tops
        if not inside and path.lower().rpartition("/")[0] in bucketed:
            inside = bucket_path(path.rpartition("/")[0], bucket_of(node.name)).lower() in tops
        if inside or path.lower() in single:
            entry: dict[str, t.Any] = {
                "digest": short_digest(node.digest),
                "properties": {name: short_digest(digest) for name, digest in node.properties.items()},
            }
            if values:
                entry["values"] = _values(node)
            listing[path] = entry
        pending.extend((child, inside) for child in reversed(node.children))
    return listing


def _values(node: _Node) -> dict[str, t.Any]:
    shown = {}
    for name in node.properties:
        schema = find_property(name)
        assert schema is not None
        if not schema.secure:
            shown[name] = to_json(schema.type, t.cast(MetabaseKey, node.key).values[schema.name])
    return shown


def short_digest(digest: str) -> str:
    """A digest as the ops return it: its first DIGEST_CHARS hex digits."""
    return digest[:DIGEST_CHARS]


def salted_digest(salt: bytes, text: str) -> str:
    """HMAC-SHA256 of ``text`` keyed by the run's salt, in hex: every digest tree's form."""
    return hmac.new(salt, text.encode("utf-8"), hashlib.sha256).hexdigest()


OPS = (
    OpSpec(
        "metabase_digest_tree",
        write=False,
        args=(
            Arg("salt", ArgType.SECRET, required=True),
            Arg("exclude", ArgType.STR_LIST),
            Arg("against", ArgType.ANY),
            Arg("keys", ArgType.STR_LIST),
            Arg("subtrees", ArgType.STR_LIST),
            Arg("values", ArgType.BOOL),
        ),
        run=metabase_digest_tree,
    ),
)
