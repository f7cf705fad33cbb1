"""Probe one framework through its script under a chosen interpreter; failure is data."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Literal

from advisor.catalog import FrameworkSpec
from advisor.errors import CancelledError
from advisor.probing.runner import ProcessResult, ProgressCallback, run_process
from advisor.record import FrameworkProbe, FrameworkReport, Interpreter, PackageVersion
from advisor.serde import SchemaError, from_jsonable

PROBE_PROTOCOL_VERSION = 1


@dataclass(frozen=True)
class ProbeDocument:
    """The one JSON document a framework probe prints on stdout."""

    schema_version: int
    probe: str
    status: Literal["ok", "not_installed", "import_error"]
    reason: str | None
    ecosystem: tuple[PackageVersion, ...]
    report: FrameworkReport | None


def probe_framework(
    spec: FrameworkSpec,
    interpreter: Interpreter,
    timeout_s: float,
    on_event: ProgressCallback | None = None,
) -> FrameworkProbe:
    """Run the framework's probe script; every way it can go wrong becomes a 'failed' outcome."""
    argv = [interpreter.executable, str(spec.probe_script), "--packages", ",".join(spec.ecosystem)]
    result = run_process(argv, timeout_s, on_event)
    if result.cancelled:
        raise CancelledError("cancelled by the user while probing " + spec.display_name)
    return outcome_from_result(spec, interpreter, result, timeout_s)


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
        raise ValueError(f"not one JSON document (starts {text[:60]!r})") from None
    if not isinstance(data, dict) or data.get("schema_version") != PROBE_PROTOCOL_VERSION:
        raise ValueError(f"protocol version is not {PROBE_PROTOCOL_VERSION}")
    try:
        document = from_jsonable(ProbeDocument, data)
    except SchemaError as exc:
        raise ValueError(str(exc)) from exc
    if document.probe != expected_probe:
        raise ValueError(f"it answered for {document.probe!r}, not {expected_probe!r}")
    if (document.status == "ok") != (document.report is not None):
        raise ValueError(f"status {document.status!r} does not match its report")
    return document
