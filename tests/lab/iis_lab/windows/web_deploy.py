r"""Web Deploy's ``sync`` of IIS configuration from one IIS 7+ server (the source, where the API
runs) to another (the target, reached through its Web Deployment Agent Service), and its what-if
(the preview). Facts and sources (tests/lab/README.md, "Web Deploy", cites each):

* **Providers**: ``webServer`` is the whole server's configuration, ``appHostConfig`` one site (its
  ``<site>`` element and the ``<location>`` tags of its paths) (the sync verb, technet dd569005;
  the appHostConfig provider, dd569080). The lab carries applicationHost.config
  only: no content, certificates, modules or registry (``bytes_copied`` is 0); every section, the
  ones the lab's schema slice models and the ones it does not, is compared.
* **Objects**: each XML element is an object, its attributes the object's attributes
  (blogs.iis.net/msdeploy "How to write skip and replace rules": the dump of appHostConfig).
  Source and target are compared logically, never by bytes: an element is matched by its name
  and key attributes (``name``, ``path``, ``protocol`` + ``bindingInformation``, ``value``, ...),
  an attribute by its value, an encrypted attribute (``[enc:...:enc]``) by its clear text, the
  source's decrypted with the source's keys, the target's with the target's. A source object the
  target lacks is added, one the target has and the source not is deleted (a sync makes the
  target equal to the source), an attribute that differs is updated; the target's encrypted
  attributes are written with the target's keys.
* **Skip directives** (``-skip:``, DeploymentSkipDirective; rules, technet dd568992): comma-separated ``key=value`` pairs
  of ``objectName`` (a regular expression the element's name must match), ``absolutePath`` (one
  its path must match, the path the changes name), ``keyAttribute`` (one its first key value must
  match), ``attributes.<name>`` (one that attribute's value must match) and ``xPath``. Any other
  key fails as Web Deploy fails it ("Unrecognized skip directive"). A directive skips the elements
  all its conditions match, with everything below them, on both sides: a skipped object is neither
  added, updated nor deleted. ``xPath`` here is the subset the collection needs: an absolute path
  of ``/``-separated steps from the configuration root, each a name or ``*``, with
  ``[@key='value']`` predicates (values compared without case, as IIS compares keys), optionally
  ending in ``/@attribute``: then only that attribute of the matched elements is skipped
  *(Microsoft's pages say an xPath "locates the object"; an attribute step is the lab's reading of
  XPath itself)*.
* **Connection** (the page "Web Deploy error codes", learn.microsoft.com/iis/publish/troubleshooting-web-deploy/web-deploy-error-codes,
  and the messages msdeploy prints for them): a name that resolves to no host,
  ERROR_DESTINATION_INVALID; a target without Web Deploy or whose agent service is not running,
  ERROR_DESTINATION_NOT_REACHABLE; a caller whose logon holds no network credentials reaches the
  agent as an anonymous logon, refused with 401, ERROR_USER_UNAUTHORIZED (the double hop); a caller
  who is not an administrator of the target, ERROR_USER_NOT_ADMIN.
* **Encrypted attributes** need the encryption password (``encrypt_secret``, EncryptPassword) to
  travel; without it Web Deploy reports "The property '<name>' located at '<path>' is marked as
  secure. You must specify an encryption password to archive this property." without an
  ``ERROR_*`` code *(the wording is msdeploy's as users report it; no code is documented for it)*.
* **appHostConfig of a site the source lacks**: ERROR_SITE_DOES_NOT_EXIST ("Specified IIS site
  does not exist"); without a site, ERROR_INVALID_PATH ("The provider path is invalid").
* **Writing**: a sync writes the target's applicationHost.config in one commit, the file's
  untouched parts byte for byte (:mod:`.xml_document`); a file another process holds fails with
  ERROR_FILE_IN_USE, which the what-if does not see: Microsoft calls what-if optimistic
  (msdeploy's -whatif "will not show every change ... an optimistic view"). Then the
  target's WAS follows the change (:func:`.was.apply_configuration`: pools whose configuration
  changed recycle).

Secrets: clear text of encrypted attributes is compared and re-encrypted in memory only; changes,
errors and the target's record name paths, never values.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import typing as t

from .config_encryption import decrypt, encrypt, is_encrypted
from .errors import WindowsApiError
from .security import is_administrator, lookup_name
from .was import apply_configuration
from .xml_document import Element, indentation_of, parse

if t.TYPE_CHECKING:
    from .host import Host
    from .was import IisServer

WEB_SERVER, APP_HOST_CONFIG = "webServer", "appHostConfig"
PROVIDERS = (WEB_SERVER, APP_HOST_CONFIG)
AGENT = "Web Deployment Agent Service"

# The key attributes that identify a collection item, in the order they are tried: the first
# group an element has all of is its key. They agree with the schema's isUniqueKey/isCombinedKey
# for the sections the lab models (site name, application and virtualDirectory path, binding
# protocol + bindingInformation, pool name) and cover the common collections of the others
# (defaultDocument's value, mimeMap's fileExtension, httpErrors' statusCode, ...).
_KEY_GROUPS = (
    ("protocol", "bindingInformation"),
    ("name",),
    ("statusCode", "subStatusCode"),
    ("statusCode",),
    ("path",),
    ("value",),
    ("fileExtension",),
    ("segment",),
    ("mimeType",),
    ("verb",),
    ("url",),
    ("ipAddress",),
)
# A comma starts the next pair only where a key and '=' follow (a regular expression may hold commas).
_DIRECTIVE_KEY = re.compile(r",(?=\s*[A-Za-z_][\w.]*\s*=)")
_XPATH_STEP = re.compile(r"(\*|[A-Za-z_][\w.-]*)((?:\[@[A-Za-z_][\w.-]*='(?:[^']|'')*'\])*)")
_PREDICATE = re.compile(r"\[@([A-Za-z_][\w.-]*)='((?:[^']|'')*)'\]")


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who calls the API on the source: the account, and whether its logon holds network
    credentials (a become with a password; not a WinRM network logon)."""

    account: str
    network_credentials: bool


@dataclasses.dataclass(frozen=True)
class SyncError:
    code: str | None
    message: str


@dataclasses.dataclass
class Summary:
    """Web Deploy's DeploymentChangeSummary as the contract's value."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    changes: list[dict[str, str]] = dataclasses.field(default_factory=list)
    errors: list[SyncError] = dataclasses.field(default_factory=list)

    def as_value(self) -> dict[str, t.Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "bytes_copied": 0,
            "changes": list(self.changes),
            "errors": [{"code": error.code, "message": error.message} for error in self.errors],
        }


class _Failure(Exception):
    """A Web Deploy error that ends the operation: it becomes the summary's only error."""

    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(message)
        self.error = SyncError(code, message)


# Skip directives ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _XPathStep:
    name: str
    predicates: tuple[tuple[str, str], ...]

    def matches(self, element: Element) -> bool:
        return (self.name == "*" or self.name == element.name) and all(
            (element.get(key) or "").casefold() == value.casefold() for key, value in self.predicates
        )


@dataclasses.dataclass(frozen=True)
class SkipDirective:
    """One ``-skip:`` directive: every condition given must hold for an element."""

    text: str
    object_name: re.Pattern[str] | None = None
    absolute_path: re.Pattern[str] | None = None
    key_attribute: re.Pattern[str] | None = None
    attributes: tuple[tuple[str, re.Pattern[str]], ...] = ()
    xpath: tuple[_XPathStep, ...] | None = None
    xpath_attribute: str | None = None

    def _element_matches(self, node: _Node) -> bool:
        if self.object_name is not None and not self.object_name.search(node.element.name):
            return False
        if self.absolute_path is not None and not self.absolute_path.search(node.path):
            return False
        if self.key_attribute is not None and not (node.keys and self.key_attribute.search(node.keys[0][1])):
            return False
        for name, pattern in self.attributes:
            value = node.element.get(name)
            if value is None or not pattern.search(value):
                return False
        if self.xpath is not None:
            chain = node.chain
            if len(chain) != len(self.xpath) or not all(step.matches(el) for step, el in zip(self.xpath, chain)):
                return False
        return True

    def skips_element(self, node: _Node) -> bool:
        return self.xpath_attribute is None and self._element_matches(node)

    def skips_attribute(self, node: _Node, attribute: str) -> bool:
        return self.xpath_attribute is not None and self.xpath_attribute == attribute and self._element_matches(node)


def parse_skip(text: str) -> SkipDirective:
    """A directive in msdeploy's ``-skip:`` spelling; :class:`_Failure` for one Web Deploy refuses."""
    fields: dict[str, t.Any] = {}
    attributes: list[tuple[str, re.Pattern[str]]] = []
    for part in _DIRECTIVE_KEY.split(text):
        key, equals, value = part.partition("=")
        key = key.strip()
        if not equals:
            raise _Failure(None, f"The skip directive {text!r} is not a list of key=value pairs.")
        lowered = key.lower()
        if lowered == "xpath":
            fields["xpath"], fields["xpath_attribute"] = _parse_xpath(value, text)
        elif lowered in ("objectname", "absolutepath", "keyattribute"):
            name = {"objectname": "object_name", "absolutepath": "absolute_path", "keyattribute": "key_attribute"}
            fields[name[lowered]] = _regex(value, key, text)
        elif lowered.startswith("attributes."):
            attributes.append((key[len("attributes.") :], _regex(value, key, text)))
        else:
            raise _Failure(
                None,
                f"Unrecognized skip directive '{key}'. Must be one of the following: "
                '"objectName," "keyAttribute," "absolutePath," "xPath," "attributes.<name>."',
            )
    return SkipDirective(text, attributes=tuple(attributes), **fields)


def _regex(value: str, key: str, text: str) -> re.Pattern[str]:
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as error:
        raise _Failure(None, f"The skip directive {text!r}: {key} is not a valid regular expression ({error}).")


def _parse_xpath(value: str, text: str) -> tuple[tuple[_XPathStep, ...], str | None]:
    path = value.strip()
    attribute = None
    match = re.search(r"/@([A-Za-z_][\w.-]*)$", path)
    if match:
        attribute, path = match.group(1), path[: match.start()]
    steps = []
    position = 1 if path.startswith("/") else -1
    while 0 < position <= len(path):
        step = _XPATH_STEP.match(path, position)
        if step is None or (step.end() < len(path) and path[step.end()] != "/"):
            break
        predicates = tuple((key, val.replace("''", "'")) for key, val in _PREDICATE.findall(step.group(2)))
        steps.append(_XPathStep(step.group(1), predicates))
        position = step.end() + 1
    if position != len(path) + 1 or not steps:
        raise _Failure(None, f"The skip directive {text!r}: xPath {value!r} is not an absolute path the lab reads.")
    return tuple(steps), attribute


# The logical view --------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Node:
    """An element with where it is: the elements from the configuration root to it."""

    element: Element
    chain: tuple[Element, ...]
    steps: tuple[str, ...]
    keys: tuple[tuple[str, str], ...]

    @property
    def path(self) -> str:
        return "/".join(self.steps)

    def child(self, element: Element) -> _Node:
        keys = element_keys(element)
        return _Node(element, (*self.chain, element), (*self.steps, _step_text(element.name, keys)), keys)


def element_keys(element: Element) -> tuple[tuple[str, str], ...]:
    """The key attributes and values that identify ``element`` among its siblings (none for an
    element that is not a collection item)."""
    for group in _KEY_GROUPS:
        values = [element.get(name) for name in group]
        if all(value is not None for value in values):
            return tuple(zip(group, t.cast(list, values)))
    return ()


def _step_text(name: str, keys: t.Sequence[tuple[str, str]]) -> str:
    return name + "".join(f"[@{key}='{value.replace(chr(39), chr(39) * 2)}']" for key, value in keys)


def _identities(children: t.Sequence[Element]) -> dict[tuple[t.Any, ...], Element]:
    """Children by identity: name and key values (without case), unkeyed ones by their
    occurrence among same-named unkeyed siblings."""
    seen: dict[str, int] = {}
    result: dict[tuple[t.Any, ...], Element] = {}
    for child in children:
        keys = element_keys(child)
        if keys:
            identity: tuple[t.Any, ...] = (child.name, tuple((key, value.casefold()) for key, value in keys))
        else:
            identity = (child.name, (), seen.get(child.name, 0))
            seen[child.name] = seen.get(child.name, 0) + 1
        result.setdefault(identity, child)
    return result


# Comparison ----------------------------------------------------------------------------------
@dataclasses.dataclass
class _Edit:
    """One change to apply to the target's document."""

    action: str
    parent: Element | None
    element: Element | None
    source: _Node | None = None
    attribute: str | None = None
    value: str | None = None
    parent_indent: str = ""


class _Comparison:
    def __init__(
        self, source: IisServer, target: IisServer, skips: t.Sequence[SkipDirective], secret: bool
    ) -> None:
        self.source = source
        self.target = target
        self.skips = skips
        self.secret = secret
        self.summary = Summary()
        self.edits: list[_Edit] = []

    def skipped(self, node: _Node) -> bool:
        return any(skip.skips_element(node) for skip in self.skips)

    def attribute_skipped(self, node: _Node, attribute: str) -> bool:
        return any(skip.skips_attribute(node, attribute) for skip in self.skips)

    def source_value(self, node: _Node, attribute: str) -> str | None:
        raw = node.element.get(attribute)
        if raw is None or not is_encrypted(raw):
            return raw
        if not self.secret:
            raise _Failure(
                None,
                f"The property '{attribute}' located at '/{node.path}' is marked as secure. "
                "You must specify an encryption password to archive this property.",
            )
        try:
            return decrypt(self.source.config.keys, raw)
        except WindowsApiError as error:
            raise _Failure(None, f"Failed to decrypt attribute '{attribute}' at '/{node.path}': {error.error.message}")

    def target_value(self, raw: str | None) -> str | None:
        if raw is None or not is_encrypted(raw):
            return raw
        try:
            return decrypt(self.target.config.keys, raw)
        except WindowsApiError:
            return None  # unreadable here: never equal to the source's

    def compare(self, source: _Node, target: _Node, target_indent: str) -> None:
        """Two matched elements: their attributes, then their children."""
        names = [name for name, _ in source.element.attributes]
        names += [name for name, _ in target.element.attributes if name not in names]
        before = len(self.summary.changes)
        for name in names:
            if self.attribute_skipped(source, name):
                continue
            wanted = self.source_value(source, name)
            held = target.element.get(name)
            if (wanted is None) != (held is None) or (wanted is not None and wanted != self.target_value(held)):
                self.summary.changes.append({"action": "update", "path": f"{source.path}@{name}"})
                self.edits.append(_Edit("set", None, target.element, attribute=name, value=source.element.get(name)))
        if len(self.summary.changes) > before:
            self.summary.updated += 1
        self.compare_children(source, target, target_indent)

    def compare_children(
        self,
        source: _Node,
        target: _Node,
        target_indent: str,
        include: t.Callable[[Element], bool] = lambda element: True,
    ) -> None:
        wanted = _identities([child for child in source.element.children if include(child)])
        held = _identities([child for child in target.element.children if include(child)])
        for identity, element in wanted.items():
            node = source.child(element)
            if self.skipped(node):
                continue
            if identity in held:
                other = held[identity]
                self.compare(node, target.child(other), indentation_of(target.element, other, target_indent))
            else:
                self.add(node, target.element, target_indent)
        for identity, element in held.items():
            node = target.child(element)
            if identity not in wanted and not self.skipped(node):
                self.summary.changes.append({"action": "delete", "path": node.path})
                self.summary.deleted += _count(node, self.skipped)
                self.edits.append(_Edit("delete", target.element, element))

    def add(self, node: _Node, parent: Element, parent_indent: str) -> None:
        # Reading the subtree checks its encrypted attributes as the sync would send them.
        self._check_secure(node)
        self.summary.changes.append({"action": "add", "path": node.path})
        self.summary.added += _count(node, self.skipped)
        self.edits.append(_Edit("add", parent, None, source=node, parent_indent=parent_indent))

    def _check_secure(self, node: _Node) -> None:
        for name, _ in node.element.attributes:
            if not self.attribute_skipped(node, name):
                self.source_value(node, name)
        for child in node.element.children:
            below = node.child(child)
            if not self.skipped(below):
                self._check_secure(below)

    # Writing ---------------------------------------------------------------------------------
    def apply(self) -> None:
        for edit in self.edits:
            if edit.action == "set":
                element = t.cast(Element, edit.element)
                if edit.value is None:
                    element.remove_attribute(t.cast(str, edit.attribute))
                else:
                    element.set(t.cast(str, edit.attribute), self._for_target(edit.value))
            elif edit.action == "delete":
                t.cast(Element, edit.parent).remove(t.cast(Element, edit.element))
            else:
                parent = t.cast(Element, edit.parent)
                source = t.cast(_Node, edit.source)
                copy = parse(source.element.render()).root
                self._prepare_copy(source, copy)
                same_name = [child for child in parent.children if child.name == copy.name]
                parent.append(copy, edit.parent_indent, after=same_name[-1] if same_name else None)

    def _prepare_copy(self, source: _Node, copy: Element) -> None:
        """The source's subtree as the target gets it: skipped parts left out, encrypted
        attributes with the target's keys."""
        for name, raw in list(copy.attributes):
            if self.attribute_skipped(source, name):
                copy.remove_attribute(name)
            elif is_encrypted(raw):
                copy.set(name, self._for_target(raw))
        for original, copied in zip(source.element.children, copy.children):
            below = source.child(original)
            if self.skipped(below):
                copy.remove(copied)
            else:
                self._prepare_copy(below, copied)

    def _for_target(self, raw: str) -> str:
        if not is_encrypted(raw):
            return raw
        provider = raw.split(":", 2)[1]
        return encrypt(self.target.config.keys, provider, decrypt(self.source.config.keys, raw))


def _count(node: _Node, skipped: t.Callable[[_Node], bool]) -> int:
    """Web Deploy's objects in a subtree: every element not skipped."""
    return 1 + sum(_count(node.child(child), skipped) for child in node.element.children if not skipped(node.child(child)))


# The operation -------------------------------------------------------------------------------
def connect(source: Host, computer: str, target: Host | None, caller: Caller) -> Host:
    """The target reached through its agent, or :class:`_Failure` with the code Web Deploy gives."""
    if target is None:
        raise _Failure(
            "ERROR_DESTINATION_INVALID",
            f'Could not connect to the destination computer ("{computer}"): the computer name is mistyped or the '
            "computer is not reachable.",
        )
    iis = target.iis
    if iis is None or not iis.web_deploy.installed or iis.web_deploy.agent_service != "running":
        raise _Failure(
            "ERROR_DESTINATION_NOT_REACHABLE",
            f'Could not connect to the remote computer ("{computer}"). On the remote computer, make sure that Web '
            f'Deploy is installed and that the required process ("{AGENT}") is started.',
        )
    if not caller.network_credentials:
        raise _Failure(
            "ERROR_USER_UNAUTHORIZED",
            f'Connected to the remote computer ("{computer}") using the {AGENT}, but could not authorize: the '
            "request reached it as an anonymous logon (no network credentials on the source, the double hop). "
            "The remote server returned an error: (401) Unauthorized.",
        )
    account = lookup_name(target, caller.account)
    if account is None or not is_administrator(target, account):
        raise _Failure(
            "ERROR_USER_NOT_ADMIN",
            f"Connected to '{computer}' using the {AGENT}, but could not authorize. Make sure you are an "
            f"administrator on '{computer}'. The remote server returned an error: (401) Unauthorized.",
        )
    return target


def synchronize(
    source: Host,
    computer: str,
    target: Host | None,
    caller: Caller,
    provider: str,
    site: str | None,
    skip: t.Sequence[str],
    encrypt_secret: bool,
    *,
    write: bool,
    now: datetime.datetime,
) -> Summary:
    """Preview (``write`` False) or sync from ``source`` to ``target``: the change summary, with
    Web Deploy's error when it fails. The source must have IIS 7+ and Web Deploy (the op checks)."""
    assert source.iis is not None
    try:
        skips = [parse_skip(text) for text in skip]
        reached = connect(source, computer, target, caller)
    except _Failure as failure:
        return Summary(errors=[failure.error])
    iis = t.cast("IisServer", reached.iis)
    comparison = _Comparison(source.iis, iis, skips, encrypt_secret)
    try:
        _compare(comparison, source.iis, iis, provider, site)
        if write and comparison.edits:
            if iis.apphost_in_use:
                raise _Failure(
                    "ERROR_FILE_IN_USE",
                    f"Web Deploy cannot modify the file 'applicationHost.config' on the destination because it is "
                    "locked by an external process.",
                )
            comparison.apply()
            apply_configuration(reached, iis)
    except _Failure as failure:
        comparison.summary.errors.append(failure.error)
    summary = comparison.summary
    if summary.errors:
        summary.added = summary.updated = summary.deleted = 0
        summary.changes = []
    if write:
        iis.web_deploy_syncs.append(
            {
                "source": source.name,
                "provider": provider,
                "site": site,
                "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "added": summary.added,
                "updated": summary.updated,
                "deleted": summary.deleted,
                "errors": [error.code for error in summary.errors],
            }
        )
    return summary


def _compare(comparison: _Comparison, source: IisServer, target: IisServer, provider: str, site: str | None) -> None:
    source_root = source.config.document.root
    target_root = target.config.document.root
    root = _Node(source_root, (), (), ())
    other = _Node(target_root, (), (), ())
    if provider == WEB_SERVER:
        comparison.compare_children(root, other, "")
        return
    if not site:
        raise _Failure("ERROR_INVALID_PATH", "The provider path is invalid: appHostConfig needs the site's name.")
    source_sites = _sites_element(source_root)
    chosen = _site(source_sites, site)
    if chosen is None:
        raise _Failure("ERROR_SITE_DOES_NOT_EXIST", f"Site '{site}' does not exist.")
    target_sites = _sites_element(target_root)
    if target_sites is None:
        raise _Failure("ERROR_EXCEPTION_WHILE_CREATING_OBJECT", "The destination has no sites section.")
    sites_node = root.child(t.cast(Element, source_root.child("system.applicationHost"))).child(t.cast(Element, source_sites))
    target_node = other.child(t.cast(Element, target_root.child("system.applicationHost"))).child(target_sites)
    indent = indentation_of(target_root, t.cast(Element, target_root.child("system.applicationHost")), "")
    indent = indentation_of(t.cast(Element, target_root.child("system.applicationHost")), target_sites, indent)
    # The site's own element: the sites section's children reduced to this site.
    comparison.compare_children(sites_node, target_node, indent, lambda element: _is_site(element, site))
    comparison.compare_children(root, other, "", lambda element: _location_of(element, site))


def _sites_element(root: Element) -> Element | None:
    host = root.child("system.applicationHost")
    return None if host is None else host.child("sites")


def _site(sites: Element | None, name: str) -> Element | None:
    return None if sites is None else next((child for child in sites.children if _is_site(child, name)), None)


def _is_site(element: Element, name: str) -> bool:
    return element.name == "site" and (element.get("name") or "").casefold() == name.casefold()


def _location_of(element: Element, site: str) -> bool:
    path = (element.get("path") or "").strip("/").casefold()
    return element.name == "location" and (path == site.casefold() or path.startswith(site.casefold() + "/"))
