"""What IISSync needs of a node's network: reaching another node over RPC (``rpc_probe``), the
DCOM protocols (``dcom_protocols``), the shares (``file_shares``) and the cluster groups'
addresses (``cluster_addresses``)."""

from __future__ import annotations

import dataclasses
import ntpath
import typing as t

from ..windows.errors import WSAETIMEDOUT, WSAHOST_NOT_FOUND, WindowsApiError
from .spec import Arg, ArgType, OpContext, OpSpec


def rpc_probe(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Resolve a computer name and connect to its RPC endpoint mapper (TCP 135), as DCOM does
    before anything else. A name nobody answers to fails with WSAHOST_NOT_FOUND; an endpoint
    mapper that does not answer (a firewall dropping TCP 135) with WSAETIMEDOUT."""
    name = args["computer"]
    remote = context.network.resolve(name)
    if remote is None:
        raise WindowsApiError(WSAHOST_NOT_FOUND, name)
    if not remote.rpc_listening:
        raise WindowsApiError(WSAETIMEDOUT, f"{name}:135")
    return {"computer": name, "addresses": [ip.address for ip in remote.ip_addresses]}


def dcom_protocols(context: OpContext, args: t.Mapping[str, t.Any]) -> list[str]:
    """``HKLM\\SOFTWARE\\Microsoft\\Rpc\\DCOM Protocols`` (REG_MULTI_SZ), in the order DCOM
    tries them."""
    return list(context.host.dcom_protocols)


def file_shares(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The shares (Win32_Share) and the system drive (``%SystemDrive%``)."""
    return {
        "system_drive": ntpath.splitdrive(context.host.os.system_root)[0],
        "shares": [{"name": name, "path": path} for name, path in context.host.shares.items()],
    }


def cluster_addresses(context: OpContext, args: t.Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    """The addresses of the cluster groups' IP Address resources (MSCluster_Resource), empty on
    a host outside a cluster."""
    return [dataclasses.asdict(ip) for ip in context.host.cluster_addresses]


OPS = (
    OpSpec(
        "rpc_probe",
        write=False,
        args=(Arg("computer", ArgType.STR, required=True),),
        run=rpc_probe,
        reaches_other_hosts=True,
    ),
    OpSpec("dcom_protocols", write=False, args=(), run=dcom_protocols),
    OpSpec("file_shares", write=False, args=(), run=file_shares),
    OpSpec("cluster_addresses", write=False, args=(), run=cluster_addresses),
)
