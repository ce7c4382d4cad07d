# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The attribute support the collection's modules share."""

from __future__ import annotations


class ModuleDocFragment:
    # A module that only reads the node: it runs the same way in check mode and changes nothing
    # to show a diff of.
    READ_ONLY = r"""
attributes:
  check_mode:
    support: full
    details: It only reads, so it runs the same way in check mode.
  diff_mode:
    support: none
  platform:
    platforms: windows
"""

    # A module that changes the node: check mode predicts, diff mode shows the changes.
    CHANGES = r"""
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: windows
"""
