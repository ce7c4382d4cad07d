"""WinRM for the lab: a WS-Management shell server and the decoding of Ansible's PowerShell payloads.

``start(lab, port)`` serves every lab address in background threads; ``serve_forever`` does
so in the foreground until SIGINT/SIGTERM. Commands reach ``executor.execute``, which emulates
``webfarm.iis_cluster.node_ops`` through the lab and refuses anything else.
"""

from .server import RunningLab, serve_forever, start

__all__ = ["RunningLab", "serve_forever", "start"]
