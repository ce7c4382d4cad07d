"""The lab's model of Windows 2000/2003 servers: hosts, their domain, the IIS metabase, and the
Windows error codes the emulated APIs return."""
