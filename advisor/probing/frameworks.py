"""Probe one framework through its script under a chosen interpreter; failure is data."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from advisor.base.errors import CancelledError, quoted
from advisor.base.serde import SchemaError, from_jsonable
from advisor.catalog import FrameworkSpec
from advisor.probing.runner import Ending, ManagedProcess, ProcessResult
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


def probe_frameworks(
    specs: Sequence[FrameworkSpec],
    interpreter: Interpreter,
    timeout_s: float,
    on_event: Callable[[str, dict[str, Any]], None] | None = None,
    on_finished: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> list[FrameworkProbe]:
    """Run each framework's probe script in its own process; the outcomes in the given order.

    A probe starts as soon as the one before it has imported its framework (or ended),
    so every import is still timed alone while the inspections overlap the next import.
    Each probe has ``timeout_s`` from its own start. Every way a probe can go wrong
    becomes a 'failed' outcome; a cancel (the event, or Ctrl-C) stops them all and raises
    ProbesCancelled with the outcomes of those that had ended.
    ``on_finished`` hears each framework's id as its probe has ended (for the time left).
    """
    started: list[tuple[FrameworkSpec, ManagedProcess, float]] = []
    endings: list[Ending] = []
    try:
        for spec in specs:
            imported = threading.Event()
            process = ManagedProcess(_argv(spec, interpreter), _watch(spec.id, on_event, imported))
            started.append((spec, process, time.monotonic() + timeout_s))
            _until_imported(spec, process, imported, started[-1][2], cancel)
        for spec, process, deadline in started:
            endings.append(process.wait(max(deadline - time.monotonic(), 0.0), cancel))
            if endings[-1] == "cancelled":
                raise _cancelled(spec)
            if on_finished is not None:
                on_finished(spec.id)
    except CancelledError as exc:
        killed = started[len(endings) - 1][1] if endings and endings[-1] == "cancelled" else None
        ended = {s.id: p for s, p, _d in started if p is not killed and not p.alive()}
        finished = [
            _finished_or_cancelled(s, ended.get(s.id), interpreter, timeout_s) for s in specs
        ]
        raise ProbesCancelled(str(exc), finished) from None
    finally:
        for _spec, process, _deadline in started[len(endings) :]:
            process.kill()
    return [
        outcome_from_result(spec, interpreter, process.result(ending), timeout_s)
        for (spec, process, _deadline), ending in zip(started, endings, strict=True)
    ]


class ProbesCancelled(CancelledError):
    """The user stopped the probes: the outcome of each that had ended, the others cancelled."""

    def __init__(self, message: str, probes: list[FrameworkProbe]) -> None:
        super().__init__(message)
        self.probes = probes


def _finished_or_cancelled(
    spec: FrameworkSpec,
    ended: ManagedProcess | None,
    interpreter: Interpreter,
    timeout_s: float,
) -> FrameworkProbe:
    if ended is None:
        return FrameworkProbe(
            spec.id, spec.display_name, "failed", 0.0, reason="probe cancelled by the user"
        )
    return outcome_from_result(spec, interpreter, ended.result("exited"), timeout_s)


def _watch(
    framework: str,
    on_event: Callable[[str, dict[str, Any]], None] | None,
    imported: threading.Event,
) -> Callable[[dict[str, Any]], None]:
    def forward(event: dict[str, Any]) -> None:
        if event.get("stage") == "inspect":  # the import is over
            imported.set()
        if on_event is not None:
            on_event(framework, event)

    return forward


def _until_imported(
    spec: FrameworkSpec,
    process: ManagedProcess,
    imported: threading.Event,
    deadline: float,
    cancel: threading.Event | None,
) -> None:
    """Wait until the probe has imported its framework, has ended, or has run out of time."""
    try:
        while not imported.wait(_POLL_S) and process.alive() and time.monotonic() < deadline:
            if cancel is not None and cancel.is_set():
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        raise _cancelled(spec) from None


def _cancelled(spec: FrameworkSpec) -> CancelledError:
    return CancelledError("cancelled by the user while probing " + spec.display_name)


def _argv(spec: FrameworkSpec, interpreter: Interpreter) -> list[str]:
    return [interpreter.executable, str(spec.probe_script), "--packages", ",".join(spec.ecosystem)]


def outcome_from_result(
    spec: FrameworkSpec, interpreter: Interpreter, result: ProcessResult, timeout_s: float
) -> FrameworkProbe:
    """Turn a finished probe process into a typed outcome."""
    failed = FrameworkProbe(spec.id, spec.display_name, "failed", result.duration_s)
    failure = result.failure_reason(timeout_s)
    if failure:
        return replace(failed, reason=f"probe {failure}")
    try:
        document = parse_document(result.stdout, spec.id)
    except ValueError as exc:
        return replace(failed, reason=f"probe output unusable: {exc}")
    hint = None
    if document.status == "not_installed":
        hint = f"{interpreter.executable} -m pip install {spec.pip_package}"
    return FrameworkProbe(
        spec.id,
        spec.display_name,
        document.status,
        result.duration_s,
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
