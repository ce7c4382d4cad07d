"""Changing a running lab behind the collection's back: ``iis-lab edit``, ``iis-lab fault``,
``iis-lab edit-config`` and ``iis-lab condition``.

Tests that need drift (a node changed by hand after a sync) ask the running lab to edit one
host's metabase; tests of recovery ask it to take a fault on or drop it. The request travels
through the lab's state directory, which only the user running the lab can write and which
nothing reaches over WinRM: the command writes ``edits/<id>.json``; the lab's
:class:`EditInbox` applies it (:meth:`iis_lab.lab.Lab.edit_metabase`, as an administrator at
that host's console would, or :meth:`iis_lab.lab.Lab.change_fault`), rewrites ``state.json``
and answers in ``edits/<id>.done.json``, which the command reads and removes. A lab resumed
from that ``state.json`` starts with the faults it then had.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
import typing as t
import uuid

from .windows.errors import WindowsApiError

if t.TYPE_CHECKING:
    from .lab import Lab

EDITS_FOLDER = "edits"
_POLL_SECONDS = 0.05
_REQUEST_SUFFIX = ".json"
_ANSWER_SUFFIX = ".done.json"


@dataclasses.dataclass(frozen=True)
class MetabaseEdit:
    """Set ``value`` (a JSON value of the property's type) at ``path`` on ``host``, or with
    ``clear`` remove the value set there."""

    host: str
    path: str
    property: str
    value: t.Any = None
    clear: bool = False


@dataclasses.dataclass(frozen=True)
class FaultChange:
    """Take the fault ``kind`` (:data:`iis_lab.faults.FAULT_KINDS`) on at ``host``, or with
    ``clear`` drop it."""

    host: str
    kind: str
    clear: bool = False


@dataclasses.dataclass(frozen=True)
class WebConfigEdit:
    """Set ``value`` of ``attribute`` in one IIS 7+ host's applicationHost.config, or with
    ``clear`` remove it there."""

    host: str
    section: str
    attribute: str
    value: str | None = None
    location: str = ""
    element: str = ""
    clear: bool = False


@dataclasses.dataclass(frozen=True)
class ConditionChange:
    """Put ``host`` in the condition ``kind`` (:data:`iis_lab.conditions.CONDITION_KINDS`) for
    the account, group or gMSA ``name``, or with ``clear`` take it out."""

    host: str
    kind: str
    name: str
    clear: bool = False


Request = t.Union[MetabaseEdit, FaultChange, WebConfigEdit, ConditionChange]
_REQUEST_TYPES: t.Mapping[str, type[Request]] = {
    "metabase": MetabaseEdit,
    "fault": FaultChange,
    "web_config": WebConfigEdit,
    "condition": ConditionChange,
}


class EditRefused(Exception):
    """The lab could not apply an edit; the message says why."""


def submit(state_dir: str, edit: Request, timeout: float = 10.0) -> None:
    """Hand ``edit`` to the lab serving ``state_dir`` and wait until it is applied.

    Raises :class:`EditRefused` when the lab refuses it or no lab answers within ``timeout``.
    """
    folder = os.path.join(state_dir, EDITS_FOLDER)
    os.makedirs(folder, exist_ok=True)
    request_id = uuid.uuid4().hex
    request_type = next(name for name, kind in _REQUEST_TYPES.items() if isinstance(edit, kind))
    document = {"type": request_type, **dataclasses.asdict(edit)}
    _write_atomically(os.path.join(folder, request_id + _REQUEST_SUFFIX), document)
    answer_path = os.path.join(folder, request_id + _ANSWER_SUFFIX)
    deadline = time.monotonic() + timeout
    while not os.path.exists(answer_path):
        if time.monotonic() > deadline:
            os.unlink(os.path.join(folder, request_id + _REQUEST_SUFFIX))
            raise EditRefused(f"no lab serving {state_dir} answered within {timeout:g} s")
        time.sleep(_POLL_SECONDS)
    with open(answer_path, encoding="utf-8") as stream:
        answer = json.load(stream)
    os.unlink(answer_path)
    if answer["error"]:
        raise EditRefused(answer["error"])


class EditInbox:
    """Applies the edits written to a state directory while the lab runs."""

    def __init__(self, lab: Lab, state_dir: str) -> None:
        self._lab = lab
        self._folder = os.path.join(state_dir, EDITS_FOLDER)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="iis-lab edits", daemon=True)

    def start(self) -> EditInbox:
        os.makedirs(self._folder, exist_ok=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stopping.wait(_POLL_SECONDS):
            for entry in sorted(os.listdir(self._folder)):
                if entry.endswith(_REQUEST_SUFFIX) and not entry.endswith(_ANSWER_SUFFIX):
                    self._answer(entry[: -len(_REQUEST_SUFFIX)])

    def _answer(self, request_id: str) -> None:
        request_path = os.path.join(self._folder, request_id + _REQUEST_SUFFIX)
        with open(request_path, encoding="utf-8") as stream:
            document = json.load(stream)
        edit = _REQUEST_TYPES[document.pop("type")](**document)
        try:
            if isinstance(edit, FaultChange):
                self._lab.change_fault(edit.host, edit.kind, clear=edit.clear)
            elif isinstance(edit, WebConfigEdit):
                self._lab.edit_web_config(
                    edit.host, edit.section, edit.attribute, edit.value, location=edit.location, element=edit.element, clear=edit.clear
                )
            elif isinstance(edit, ConditionChange):
                self._lab.change_condition(edit.host, edit.kind, edit.name, clear=edit.clear)
            else:
                self._lab.edit_metabase(edit.host, edit.path, edit.property, edit.value, clear=edit.clear)
            error = None
        except (LookupError, WindowsApiError) as refused:
            error = str(refused)
        try:
            os.unlink(request_path)
        except FileNotFoundError:
            # The submitter stopped waiting (its timeout) and withdrew the request: an answer
            # would be read by no one, and this thread must go on serving the next requests.
            return
        _write_atomically(os.path.join(self._folder, request_id + _ANSWER_SUFFIX), {"error": error})


def _write_atomically(path: str, document: t.Mapping[str, t.Any]) -> None:
    temporary = f"{path}.partial"
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(document, stream)
    os.replace(temporary, path)
