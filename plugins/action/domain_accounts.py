# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.domain_accounts: KB Q249603 steps 1-3, the IUSR and IWAM
domain users (or the IWAM identity as a group managed service account), in one query and (when
something changes) one apply on a domain controller."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleActionFail

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._account_names import USER_NAME_MAX_LENGTH, parse_account_name
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._domain_account import (
    PASSWORD_REF,
    UPDATE_PASSWORD_MODES,
    UPDATE_WHEN_CHANGED,
    DesiredAccount,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._domain_account_run import (
    AccountRequest,
    GmsaRequest,
    converge_accounts,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._kb_accounts import GMSA_NAME_MAX_LENGTH
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import not_text, secret_not_text
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession


class ActionModule(NodeAction):
    argument_spec = {
        "accounts": {
            "type": "list",
            "elements": "dict",
            "required": True,
            "options": {
                "name": {"type": "str", "required": True},
                "password": {"type": "str", "no_log": True},
                "description": {"type": "str"},
            },
        },
        "update_password": {"type": "str", "choices": list(UPDATE_PASSWORD_MODES), "default": UPDATE_WHEN_CHANGED},
        "adopt": {"type": "bool", "default": False},
        "gmsa": {
            "type": "dict",
            "options": {
                "name": {"type": "str", "required": True},
                "principals": {"type": "list", "elements": "str", "required": True},
            },
        },
    }

    def _validated_args(self) -> dict[str, t.Any]:
        # A password is an option of each account, below the level the base class guards: refuse
        # one that is not text before Ansible's validator could print it in its error.
        given = self._task.args.get("accounts")
        for index, entry in enumerate(given if isinstance(given, list) else []):
            if isinstance(entry, dict) and not_text(entry.get("password")):
                raise AnsibleActionFail(f"{self._task.action}: accounts[{index}].password: {secret_not_text(entry['password'])}")
        return super()._validated_args()

    def _secret_values(self) -> set[str]:
        given = self._task.args.get("accounts")
        return {
            str(entry["password"])
            for entry in (given if isinstance(given, list) else [])
            if isinstance(entry, dict) and entry.get("password") is not None
        }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        gmsa = self._gmsa_request(args["gmsa"])
        if not args["accounts"] and gmsa is None:
            raise AnsibleActionFail(f"{self._task.action}: accounts: give at least one account")
        requests: list[AccountRequest] = []
        for index, entry in enumerate(args["accounts"]):
            field = f"accounts[{index}]."
            name = parse_account_name(entry["name"], f"{field}name", USER_NAME_MAX_LENGTH)
            twin = next((request for request in requests if request.name.account.lower() == name.account.lower()), None)
            if twin is not None:
                raise AnsibleActionFail(
                    f"{self._task.action}: {twin.field}name, {field}name: both name the account {name.account!r}; each "
                    "account is given once (the anonymous user and the out-of-process identity are two accounts)"
                )
            desired = DesiredAccount(
                name=name.account,
                password_given=entry["password"] is not None,
                update_password=args["update_password"],
                description=entry["description"],
                adopt=args["adopt"],
                # Each account's password travels under a name of its own in the one execution.
                secret_ref=f"{PASSWORD_REF}_{index}",
            )
            requests.append(AccountRequest(name, desired, entry["password"], field))
        if gmsa is not None:
            twin = next((request for request in requests if request.name.account.lower() == gmsa.name.lower()), None)
            if twin is not None:
                raise AnsibleActionFail(
                    f"{self._task.action}: {twin.field}name, gmsa.name: both name {gmsa.name!r}; the IWAM identity is "
                    "either a domain user or a group managed service account, give it in one of them"
                )
        results, diffs, gmsa_outcome = converge_accounts(
            session, requests, module=self._task.action, check_mode=self.check_mode, diff_mode=self.diff_mode, gmsa=gmsa
        )
        result: dict[str, t.Any] = {"changed": any(entry["changed"] for entry in results), "accounts": results}
        if gmsa_outcome is not None:
            result["gmsa"] = gmsa_outcome.result
            result["changed"] = result["changed"] or gmsa_outcome.result["changed"]
            if gmsa_outcome.diff is not None:
                diffs.append(gmsa_outcome.diff)
        if self.diff_mode:
            result["diff"] = diffs
        return result

    def _gmsa_request(self, given: dict[str, t.Any] | None) -> GmsaRequest | None:
        """The gMSA asked for, its name checked as New-ADServiceAccount would (at most 15
        characters before the "$") and at least one principal, before any remote call."""
        if given is None:
            return None
        name = parse_account_name(given["name"].strip().rstrip("$"), "gmsa.name")
        if len(name.account) > GMSA_NAME_MAX_LENGTH:
            raise AnsibleActionFail(
                f"{self._task.action}: gmsa.name: {name.account!r} has {len(name.account)} characters; a group managed "
                f"service account's name has at most {GMSA_NAME_MAX_LENGTH} (before the $)"
            )
        principals = tuple(str(principal).strip() for principal in given["principals"] if str(principal).strip())
        if not principals:
            raise AnsibleActionFail(
                f"{self._task.action}: gmsa.principals: give at least one computer (or group) allowed to retrieve the "
                "gMSA's password, such as NODE1$; no one could use it otherwise"
            )
        return GmsaRequest(name.account, principals)
