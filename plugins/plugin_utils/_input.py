# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Operator input that breaks a rule.

This is for internal collection use only; the API may change at any time.
"""

from __future__ import annotations


class InvalidInput(ValueError):
    """An argument breaks a rule. The message starts with the field's name, then the rule.

    Plans raise it from pure code; the action plugin base turns it into a task failure.
    """
