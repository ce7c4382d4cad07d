# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base of this collection's action plugins.

This is for internal collection use only; the API may change at any time.

A module of this collection is an action plugin that validates its arguments on the controller,
queries the node, plans, and applies the plan. This class does the parts every module shares;
a subclass gives its argument spec and :meth:`NodeAction.converge`.
"""

from __future__ import annotations

import abc
import typing as t

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ._input import InvalidInput, not_text, secret_not_text
from ._node_session import NodeOpError, NodeSession
from ._windows_errors import lookup


class ValidatedAction(ActionBase):
    """An action whose task arguments are checked against ``argument_spec`` without ever
    printing a ``no_log`` value."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    argument_spec: t.ClassVar[dict[str, t.Any]]
    mutually_exclusive: t.ClassVar[list[list[str]]] = []
    required_if: t.ClassVar[list[t.Any]] = []

    def _validated_args(self) -> dict[str, t.Any]:
        """The task's arguments checked against the spec, before anything touches the node.

        Ansible's own helper attaches the task's arguments to its error; a message here must
        never carry a ``no_log`` value, so validation is done and reported here. A ``no_log``
        string given a list, mapping, number or boolean is refused, naming the option and the
        type only: Ansible would convert it to its Python text and that would become a password.
        """
        for name, spec in self.argument_spec.items():
            value = self._task.args.get(name)
            if spec.get("no_log") and spec.get("type") == "str" and not_text(value):
                raise AnsibleActionFail(f"{self._task.action}: {name}: {secret_not_text(value)}")
        validator = ArgumentSpecValidator(
            self.argument_spec,
            mutually_exclusive=self.mutually_exclusive,
            required_if=self.required_if,
        )
        validation = validator.validate(self._task.args)
        if validation.error_messages:
            secrets = {
                str(self._task.args[name])
                for name, spec in self.argument_spec.items()
                if spec.get("no_log") and self._task.args.get(name) is not None
            }
            secrets |= self._secret_values()
            raise AnsibleActionFail(f"{self._task.action}: " + remove_values("; ".join(validation.error_messages), secrets))
        return validation.validated_parameters

    def _secret_values(self) -> set[str]:
        """The ``no_log`` values below the top level of the arguments (an option of a list's
        elements), which an action with such options names: none by default."""
        return set()


class NodeAction(ValidatedAction, metaclass=abc.ABCMeta):
    """Validate the task's arguments, then converge the node through a :class:`NodeSession`."""

    @abc.abstractmethod
    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        """Query, plan and (unless in check mode) apply; return the module's result."""

    @property
    def check_mode(self) -> bool:
        return bool(self._task.check_mode)

    @property
    def diff_mode(self) -> bool:
        return bool(self._task.diff)

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        args = self._validated_args()
        try:
            result.update(self.converge(args, NodeSession(self, task_vars or {})))
        except InvalidInput as error:
            raise AnsibleActionFail(str(error)) from None
        except NodeOpError as error:
            known = lookup(error.code)
            result.update(
                failed=True,
                msg=str(error),
                windows_error={
                    "code": error.code,
                    "hex": f"0x{error.code:08X}",
                    "symbol": known.symbol if known else None,
                    "message": error.outcome.error_message,
                },
            )
        return result
