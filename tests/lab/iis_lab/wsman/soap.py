"""SOAP envelopes of WS-Management: read a request, write a response or a fault.

Responses are written with the namespace prefixes the Windows WinRM service uses, all
declared on the envelope, because fault subcodes are QNames in text (``w:TimedOut``)
whose prefixes must be in scope.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .faults import WsmanFault, invalid_soap_body

NAMESPACES = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
ANONYMOUS_ROLE = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"

# Windows' default MaxTimeoutms is 60 s; a request without OperationTimeout gets that.
DEFAULT_OPERATION_TIMEOUT = 60.0
_DURATION = re.compile(
    r"^PT(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?$"
)


@dataclass(frozen=True)
class WsmanRequest:
    """The parts of a WS-Management request the shell service acts on."""

    action: str
    message_id: str
    shell_id: str | None
    operation_timeout: float
    body: ET.Element | None


def parse_request(data: bytes) -> WsmanRequest:
    """Read a request envelope; raise an InvalidBody fault when it is not one."""
    try:
        envelope = ET.fromstring(data)
    except ET.ParseError as error:
        raise invalid_soap_body(f"The request is not well-formed XML: {error}.") from None
    header = envelope.find("s:Header", NAMESPACES)
    body = envelope.find("s:Body", NAMESPACES)
    if header is None or body is None:
        raise invalid_soap_body("The request is not a SOAP envelope with a Header and a Body.")
    action = header.findtext("a:Action", default="", namespaces=NAMESPACES).strip()
    message_id = header.findtext("a:MessageID", default="", namespaces=NAMESPACES).strip()
    timeout = header.findtext("w:OperationTimeout", default="", namespaces=NAMESPACES).strip()
    shell_id = None
    for selector in header.iterfind("w:SelectorSet/w:Selector", NAMESPACES):
        if selector.get("Name") == "ShellId":
            shell_id = (selector.text or "").strip()
    return WsmanRequest(
        action=action,
        message_id=message_id,
        shell_id=shell_id,
        operation_timeout=parse_duration(timeout),
        body=next(iter(body), None),
    )


def parse_duration(text: str) -> float:
    """Seconds in an xs:duration such as ``PT20S`` or ``PT1M30.500S``; the service default when absent or odd."""
    match = _DURATION.match(text)
    if not text or match is None:
        return DEFAULT_OPERATION_TIMEOUT
    hours, minutes, seconds = (float(match.group(name) or 0) for name in ("hours", "minutes", "seconds"))
    return hours * 3600 + minutes * 60 + seconds


def element(tag: str, *children: ET.Element, attributes: dict[str, str] | None = None) -> ET.Element:
    """A response element named with its prefix (``rsp:Shell``); prefixes are declared on the envelope."""
    node = ET.Element(tag, attributes or {})
    node.extend(children)
    return node


def leaf(tag: str, text: str, attributes: dict[str, str] | None = None) -> ET.Element:
    """A response element holding text."""
    node = element(tag, attributes=attributes)
    node.text = text
    return node


def response(request: WsmanRequest, *body: ET.Element) -> bytes:
    """The response envelope to ``request``: its action plus ``Response``, related to its MessageID."""
    return _envelope(f"{request.action}Response", request.message_id, body)


def fault(failure: WsmanFault, relates_to: str | None) -> bytes:
    """The fault envelope for ``failure``, related to the failed request when it could be read."""
    soap_fault = element(
        "s:Fault",
        element("s:Code", leaf("s:Value", failure.code), element("s:Subcode", leaf("s:Value", failure.subcode))),
        element("s:Reason", leaf("s:Text", failure.reason, {"xml:lang": "en-US"})),
        element(
            "s:Detail",
            element(
                "f:WSManFault",
                leaf("f:Message", failure.message),
                attributes={"Code": str(failure.wsman_code), "Machine": "localhost"},
            ),
        ),
    )
    return _envelope(FAULT_ACTION, relates_to, (soap_fault,))


def _envelope(action: str, relates_to: str | None, body: tuple[ET.Element, ...]) -> bytes:
    header = element(
        "s:Header",
        leaf("a:Action", action),
        leaf("a:MessageID", f"uuid:{str(uuid.uuid4()).upper()}"),
        leaf("a:To", ANONYMOUS_ROLE),
    )
    if relates_to:
        header.append(leaf("a:RelatesTo", relates_to))
    namespaces = {f"xmlns:{prefix}": uri for prefix, uri in NAMESPACES.items()}
    envelope = element("s:Envelope", header, element("s:Body", *body), attributes={"xml:lang": "en-US"} | namespaces)
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=False)
