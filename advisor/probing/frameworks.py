"""Probe one framework through its script under a chosen interpreter; failure is data."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from advisor.base.errors import CancelledError, quoted
from advisor.base.serde import SchemaError, from_jsonable
from advisor.catalog import FrameworkSpec
from advisor.probing.runner import Ending, ManagedProcess, ProcessResult, ProgressCallback
from advisor.record import FrameworkProbe, FrameworkReport, Interpreter, PackageVersion

PROBE_PROTOCOL_VERSION = 1
_POLL_S = 0.05


@dataclass(frozen=True)
class ProbeDocument:
    """The one JSON document a framework probe prints on stdout."""

    schema_version: int
    probe: str
    status: Literal["ok", "not_installed", "import_error"]
    reason: str | None
    ecosystem: tuple[PackageVersion, ...]
    report: FrameworkReport | None


# Starts a bench script as its framework's probe (see probes/_bench_common.run_suite),
# handing its events to the given handler; the process stays for the run's suite.
Launch = Callable[[FrameworkSpec, Interpreter, ProgressCallback], ManagedProcess]


@dataclass
class _Probing:
    """One framework's probe under way: its process, its deadline, whether its import is
    over, and (a bench script started as the probe) the document it sent as an event."""

    spec: FrameworkSpec
    deadline: float
    process: ManagedProcess = field(init=False)  # started once its events have a home
    imported: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)
    document: dict[str, Any] | None = None
    duration_s: float = 0.0


def probe_frameworks(
    specs: Sequence[FrameworkSpec],
    interpreter: Interpreter,
    timeout_s: float,
    on_event: Callable[[str, dict[str, Any]], None] | None = None,
    on_finished: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    launch: Launch | None = None,
) -> list[FrameworkProbe]:
    """Run each framework's probe script in its own process; the outcomes in the given order.

    A probe starts as soon as the one before it has imported its framework (or ended),
    so every import is still timed alone while the inspections overlap the next import.
    Each probe has ``timeout_s`` from its own start. Every way a probe can go wrong
    becomes a 'failed' outcome; a cancel (the event, or Ctrl-C) stops them all and raises
    ProbesCancelled with the outcomes of those that had ended.
    ``on_finished`` hears each framework's id as its probe has ended (for the time left).
    With ``launch`` (the bench job), each probe is a bench script that sends its document
    as a "probed" event and stays running for the suite: the outcome is that document.
    """
    started: list[_Probing] = []
    endings: list[Ending] = []
    try:
        for spec in specs:
            started.append(_start_probe(spec, interpreter, timeout_s, on_event, launch))
            _until_imported(started[-1], cancel)
        for probing in started:
            endings.append(_until_answered(probing, cancel, launch is not None))
            if endings[-1] == "cancelled":
                raise _cancelled(probing.spec)
            if on_finished is not None:
                on_finished(probing.spec.id)
    except CancelledError as exc:
        killed = started[len(endings) - 1] if endings and endings[-1] == "cancelled" else None
        finished = {
            p.spec.id: p
            for p in started
            if p is not killed and (p.document is not None or not p.process.alive())
        }
        outcomes = [
            _outcome(finished[s.id], "exited", interpreter, timeout_s)
            if s.id in finished
            else _cancelled_probe(s)
            for s in specs
        ]
        raise ProbesCancelled(str(exc), outcomes) from None
    finally:
        for probing in started[len(endings) :]:
            probing.process.kill()
    return [
        _outcome(probing, ending, interpreter, timeout_s)
        for probing, ending in zip(started, endings, strict=True)
    ]


def _start_probe(
    spec: FrameworkSpec,
    interpreter: Interpreter,
    timeout_s: float,
    on_event: Callable[[str, dict[str, Any]], None] | None,
    launch: Launch | None,
) -> _Probing:
    probing = _Probing(spec, time.monotonic() + timeout_s)
    began = time.monotonic()

    def forward(event: dict[str, Any]) -> None:
        stage = event.get("stage")
        if stage in ("inspect", "probed"):  # the import is over
            probing.imported.set()
        if stage == "probed" and isinstance(event.get("document"), dict):
            probing.document = event["document"]
            probing.duration_s = time.monotonic() - began
            probing.answered.set()
        if on_event is not None and stage != "probed":
            on_event(spec.id, event)

    if launch is None:
        probing.process = ManagedProcess(_argv(spec, interpreter), forward)
    else:
        probing.process = launch(spec, interpreter, forward)
    return probing


def _until_answered(probing: _Probing, cancel: threading.Event | None, stays: bool) -> Ending:
    """Wait for the probe's outcome: its exit, or (a bench script that ``stays``) its
    document, its exit or its deadline, on which it is killed."""
    if not stays:
        return probing.process.wait(max(probing.deadline - time.monotonic(), 0.0), cancel)
    try:
        while not probing.answered.wait(_POLL_S):
            if not probing.process.alive():
                return probing.process.wait(0)
            if cancel is not None and cancel.is_set():
                probing.process.kill()
                return "cancelled"
            if time.monotonic() >= probing.deadline:
                probing.process.kill()
                return "timed_out"
    except KeyboardInterrupt:
        probing.process.kill()
        return "cancelled"
    return "exited"


def _outcome(
    probing: _Probing, ending: Ending, interpreter: Interpreter, timeout_s: float
) -> FrameworkProbe:
    """The probe's outcome: the document it sent as an event, else how its process ended."""
    if probing.document is None:  # it has ended: once its output is read, an event it sent
        ended = probing.process.result(ending)  # last (then exited) has been heard too
        if probing.document is None:
            return outcome_from_result(probing.spec, interpreter, ended, timeout_s)
    return outcome_from_output(
        probing.spec, interpreter, json.dumps(probing.document), probing.duration_s
    )


class ProbesCancelled(CancelledError):
    """The user stopped the probes: the outcome of each that had ended, the others cancelled."""

    def __init__(self, message: str, probes: list[FrameworkProbe]) -> None:
        super().__init__(message)
        self.probes = probes


def _cancelled_probe(spec: FrameworkSpec) -> FrameworkProbe:
    return FrameworkProbe(
        spec.id, spec.display_name, "failed", 0.0, reason="probe cancelled by the user"
    )


def _until_imported(probing: _Probing, cancel: threading.Event | None) -> None:
    """Wait until the probe has imported its framework, has ended, or has run out of time."""
    try:
        while (
            not probing.imported.wait(_POLL_S)
            and probing.process.alive()
            and time.monotonic() < probing.deadline
        ):
            if cancel is not None and cancel.is_set():
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        raise _cancelled(probing.spec) from None


def _cancelled(spec: FrameworkSpec) -> CancelledError:
    return CancelledError("cancelled by the user while probing " + spec.display_name)


def _argv(spec: FrameworkSpec, interpreter: Interpreter) -> list[str]:
    return [interpreter.executable, str(spec.probe_script), "--packages", ",".join(spec.ecosystem)]


def outcome_from_result(
    spec: FrameworkSpec, interpreter: Interpreter, result: ProcessResult, timeout_s: float
) -> FrameworkProbe:
    """Turn a finished probe process into a typed outcome."""
    failure = result.failure_reason(timeout_s)
    if failure:
        failed = FrameworkProbe(spec.id, spec.display_name, "failed", result.duration_s)
        return replace(failed, reason=f"probe {failure}")
    return outcome_from_output(spec, interpreter, result.stdout, result.duration_s)


def outcome_from_output(
    spec: FrameworkSpec, interpreter: Interpreter, output: str, duration_s: float
) -> FrameworkProbe:
    """A probe's document (what a probe script prints, or a bench script started as the
    probe sends as its "probed" event) as a typed outcome."""
    try:
        document = parse_document(output, spec.id)
    except ValueError as exc:
        failed = FrameworkProbe(spec.id, spec.display_name, "failed", duration_s)
        return replace(failed, reason=f"probe output unusable: {exc}")
    hint = None
    if document.status == "not_installed":
        hint = f"{interpreter.executable} -m pip install {spec.pip_package}"
    return FrameworkProbe(
        spec.id,
        spec.display_name,
        document.status,
        duration_s,
        report=document.report,
        reason=document.reason,
        install_hint=hint,
        ecosystem=document.ecosystem,
    )


def parse_document(stdout: str, expected_probe: str) -> ProbeDocument:
    """Validate a probe's stdout; ValueError says what is wrong with it."""
    text = stdout.strip()
    if not text:
        raise ValueError("it printed nothing")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError(f"not one JSON document (starts {quoted(text, 60)})") from None
    if not isinstance(data, dict) or data.get("schema_version") != PROBE_PROTOCOL_VERSION:
        raise ValueError(f"protocol version is not {PROBE_PROTOCOL_VERSION}")
    try:
        document = from_jsonable(ProbeDocument, data)
    except SchemaError as exc:
        raise ValueError(str(exc)) from exc
    if document.probe != expected_probe:
        raise ValueError(f"it answered for {quoted(document.probe)}, not {quoted(expected_probe)}")
    if (document.status == "ok") != (document.report is not None):
        raise ValueError(f"status {quoted(document.status)} does not match its report")
    return document
