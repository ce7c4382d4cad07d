"""iis_lab: a simulated Windows 2000/2003 IIS cluster that speaks WinRM.

``Lab.from_topology(path, state_dir)`` builds the simulated hosts (:mod:`iis_lab.lab`);
:mod:`iis_lab.wsman` serves them over WinRM; ``iis-lab`` (:mod:`iis_lab.cli`) is the command
line. See ``tests/lab/README.md``.
"""
