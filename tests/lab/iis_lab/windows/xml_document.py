"""An XML document kept as its text: every element remembers the exact characters of its tags,
and only an element the model changed is written anew, so that a configuration file
(applicationHost.config) round-trips byte for byte outside what was changed, as IIS's own
configuration system leaves unrelated text alone.

Only what configuration files use is read: the XML declaration, comments, CDATA, elements with
attributes in double or single quotes, character and entity references. No DTD.
"""

from __future__ import annotations

import html
import re
import typing as t

_TOKEN = re.compile(r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<!DOCTYPE[^>]*>|</[^>]+>|<[^>]+>|[^<]+", re.DOTALL)
_START = re.compile(r"^<([A-Za-z_][\w.:-]*)(.*?)(/?)>$", re.DOTALL)
_ATTRIBUTE = re.compile(r"([A-Za-z_][\w.:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_DEFAULT_INDENT = "    "


class XmlError(ValueError):
    """The text is not a configuration document the lab can read."""


class Element:
    """One element: its name, its attributes in document order (values unescaped), and its
    content (child elements and the raw text between them)."""

    def __init__(self, name: str, attributes: list[tuple[str, str]] | None = None) -> None:
        self.name = name
        self.attributes: list[tuple[str, str]] = list(attributes or [])
        self.content: list[Element | str] = []
        self._start_tag: str | None = None  # None: written anew
        self._end_tag: str | None = None  # None: self-closing when it has no content
        self.document_crlf = False

    # Attributes ----------------------------------------------------------------------------
    def get(self, name: str) -> str | None:
        return next((value for key, value in self.attributes if key == name), None)

    def set(self, name: str, value: str) -> None:
        for index, (key, _) in enumerate(self.attributes):
            if key == name:
                self.attributes[index] = (name, value)
                break
        else:
            self.attributes.append((name, value))
        self._start_tag = None

    def remove_attribute(self, name: str) -> bool:
        kept = [(key, value) for key, value in self.attributes if key != name]
        if len(kept) == len(self.attributes):
            return False
        self.attributes = kept
        self._start_tag = None
        return True

    # Children ------------------------------------------------------------------------------
    @property
    def children(self) -> list[Element]:
        return [node for node in self.content if isinstance(node, Element)]

    def child(self, name: str) -> Element | None:
        return next((node for node in self.children if node.name == name), None)

    def append(self, element: Element, indent: str, after: Element | None = None) -> None:
        """Add ``element`` as IIS writes a new element: on a line of its own, indented one step
        deeper than this element (``indent`` is this element's own indentation); after
        ``after`` when given, else after the last child."""
        children = self.children
        newline = _newline(self)
        element.document_crlf = newline == "\r\n"
        separator = newline + indent + _indent_step(self, indent)
        if not children:
            self.content = [separator, element, newline + indent]
            if self._end_tag is None and self._start_tag is not None:
                self._start_tag = None  # a self-closing tag opens now
            self._end_tag = None
            return
        anchor = after if after is not None else children[-1]
        position = self.content.index(anchor) + 1
        self.content[position:position] = [separator, element]

    def insert_first(self, element: Element, indent: str) -> None:
        """Add ``element`` before the first child (or as the only one)."""
        children = self.children
        if not children:
            self.append(element, indent)
            return
        position = self.content.index(children[0])
        element.document_crlf = _newline(self) == "\r\n"
        self.content[position:position] = [element, _newline(self) + indent + _indent_step(self, indent)]

    def remove(self, element: Element) -> None:
        """Remove a child and the blank text before it."""
        position = self.content.index(element)
        del self.content[position]
        if position > 0 and isinstance(self.content[position - 1], str) and not self.content[position - 1].strip():
            del self.content[position - 1]
        if not self.children:
            self.content = []
            self._start_tag = None
            self._end_tag = None

    # Text ----------------------------------------------------------------------------------
    def render(self) -> str:
        start = self._start_tag
        if start is None:
            attributes = "".join(f' {key}="{_escape(value)}"' for key, value in self.attributes)
            start = f"<{self.name}{attributes}{' />' if not self.content else '>'}"
        if not self.content and self._end_tag is None:
            return start
        end = self._end_tag if self._end_tag is not None else f"</{self.name}>"
        return start + "".join(node if isinstance(node, str) else node.render() for node in self.content) + end


class Document:
    """A whole document: the text before and after the root element, and the root."""

    def __init__(self, prolog: str, root: Element, epilog: str) -> None:
        self.prolog = prolog
        self.root = root
        self.epilog = epilog

    def render(self) -> str:
        return self.prolog + self.root.render() + self.epilog


def parse(text: str) -> Document:
    """Read ``text``; raises :class:`XmlError` for a document the lab cannot read."""
    prolog: list[str] = []
    epilog: list[str] = []
    root: Element | None = None
    stack: list[Element] = []
    crlf = "\r\n" in text
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token.startswith("</"):
            if not stack or token[2:-1].strip() != stack[-1].name:
                raise XmlError(f"unexpected {token} at offset {match.start()}")
            element = stack.pop()
            element._end_tag = token
            continue
        if token.startswith("<") and not token.startswith(("<!--", "<?", "<![CDATA[", "<!DOCTYPE")):
            start = _START.match(token)
            if start is None:
                raise XmlError(f"malformed tag {token!r} at offset {match.start()}")
            attributes = [
                (found.group(1), html.unescape(found.group(2) if found.group(2) is not None else found.group(3)))
                for found in _ATTRIBUTE.finditer(start.group(2))
            ]
            element = Element(start.group(1), attributes)
            element._start_tag = token
            element.document_crlf = crlf
            if stack:
                stack[-1].content.append(element)
            elif root is None:
                root = element
            else:
                raise XmlError("more than one root element")
            if not start.group(3):
                stack.append(element)
            continue
        if stack:
            stack[-1].content.append(token)
        elif root is None:
            prolog.append(token)
        else:
            epilog.append(token)
    if root is None or stack:
        raise XmlError("no root element, or an element is not closed")
    return Document("".join(prolog), root, "".join(epilog))


def indentation_of(parent: Element, element: Element, parent_indent: str) -> str:
    """The indentation of ``element``, a child of ``parent``: the blank text's last line before
    it, or one step deeper than ``parent_indent``."""
    position = parent.content.index(element)
    if position > 0 and isinstance(parent.content[position - 1], str):
        before = parent.content[position - 1]
        if not before.strip() and "\n" in before:
            return before.rsplit("\n", 1)[1]
    return parent_indent + _DEFAULT_INDENT


def _indent_step(element: Element, indent: str) -> str:
    """One indentation step, as the document already uses it below ``element`` (else four
    spaces, as IIS writes)."""
    for position, node in enumerate(element.content):
        if isinstance(node, Element) and position > 0 and isinstance(element.content[position - 1], str):
            before = t.cast(str, element.content[position - 1])
            if "\n" in before and not before.strip():
                child_indent = before.rsplit("\n", 1)[1]
                if child_indent.startswith(indent) and len(child_indent) > len(indent):
                    return child_indent[len(indent) :]
    return _DEFAULT_INDENT


def _newline(element: Element) -> str:
    """The line break the document uses around ``element`` (IIS writes CRLF)."""
    texts = [node for node in element.content if isinstance(node, str)]
    if any("\r\n" in text for text in texts) or (not texts and element.document_crlf):
        return "\r\n"
    return "\n"


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
