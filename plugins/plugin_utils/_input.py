# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Operator input that breaks a rule.

This is for internal collection use only; the API may change at any time.
"""

from __future__ import annotations

import collections.abc
import typing as t

# What Ansible's ``type: str`` would turn into its Python text ("['a', 'b']", "{'a': 1}", "True",
# "12345678"): such a secret is refused rather than set as that text.
_NOT_TEXT = (bool, int, float, bytes, list, tuple, set, frozenset, collections.abc.Mapping)


class InvalidInput(ValueError):
    """An argument breaks a rule. The message starts with the field's name, then the rule.

    Plans raise it from pure code; the action plugin base turns it into a task failure.
    """


def not_text(value: t.Any) -> bool:
    """Whether ``value`` is something Ansible's ``str`` type would convert to its Python text."""
    return isinstance(value, _NOT_TEXT)


def secret_not_text(value: t.Any) -> str:
    """The rule a secret that is :func:`not_text` breaks, naming its type, never the value."""
    if isinstance(value, bool):
        kind = "boolean"
    elif isinstance(value, (int, float)):
        kind = "number"
    elif isinstance(value, collections.abc.Mapping):
        kind = "mapping"
    else:
        kind = "list" if isinstance(value, (list, tuple, set, frozenset)) else "byte string"
    return f"a secret must be a string, but it is a {kind}; quote it, or pass the one value it holds"
