"""Recorded probe outputs and every way a probe process can fail become typed outcomes."""

from __future__ import annotations

import json

import pytest

from advisor.probing.frameworks import outcome_from_result
from advisor.probing.runner import ProcessResult, parse_event
from tests.helpers import INTERPRETER, fixture_text, recorded_probe, spec


def test_recorded_torch_output_becomes_a_full_report() -> None:
    probe = recorded_probe("torch_ok_cpu.json", "torch")
    assert probe.status == "ok"
    assert probe.report is not None
    assert probe.report.version == "2.13.0+cpu"
    assert probe.report.build.onednn == "3.12.0"
    assert probe.report.build.mkl is True
    assert [d.kind for d in probe.report.devices] == ["cpu"]
    assert probe.report.devices[0].op_ok
    assert probe.report.rss_after_import_bytes is not None
    assert probe.report.rss_after_import_bytes > 50 * 1024**2
    assert {p.name for p in probe.ecosystem} == {"torchvision", "onnx"}


def test_recorded_tensorflow_output_keeps_build_details() -> None:
    probe = recorded_probe("tensorflow_ok_cpu.json", "tensorflow")
    assert probe.report is not None
    assert probe.report.version == "2.21.0"
    assert probe.report.build.cuda_version == "12.5.1"
    assert probe.report.build.details["is_cuda_build"] == "True"
    keras = next(p for p in probe.ecosystem if p.name == "keras")
    assert keras.version == "3.15.1"


def test_not_installed_carries_the_install_command() -> None:
    probe = recorded_probe("torch_not_installed.json", "torch")
    assert probe.status == "not_installed"
    assert probe.report is None
    assert probe.install_hint == f"{INTERPRETER.executable} -m pip install torch"
    assert "no module named 'torch'" in (probe.reason or "")


def test_import_error_keeps_the_error_line() -> None:
    stdout = json.dumps(
        {
            "schema_version": 1,
            "probe": "tensorflow",
            "status": "import_error",
            "reason": "ImportError: libcudart.so.12: cannot open shared object file",
            "ecosystem": [],
            "report": None,
        }
    )
    probe = outcome_from_result(
        spec("tensorflow"), INTERPRETER, ProcessResult(0, stdout, (), 1.0), 60
    )
    assert probe.status == "import_error"
    assert probe.reason == "ImportError: libcudart.so.12: cannot open shared object file"
    assert probe.install_hint is None


OK_STDOUT = fixture_text("probe_outputs", "torch_ok_cpu.json")


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (
            ProcessResult(None, "", (), 60.0, timed_out=True),
            "probe timed out after 60 s and was killed",
        ),
        (
            ProcessResult(-6, "", ("Fatal Python error: Aborted",), 0.3),
            "probe killed by signal SIGABRT: Fatal Python error: Aborted",
        ),
        (
            ProcessResult(1, "", ("Traceback ...", "RuntimeError: boom", ""), 0.3),
            "probe exited with status 1: RuntimeError: boom",
        ),
        (
            ProcessResult(None, "", (), 0.0, start_error="Permission denied"),
            "probe could not start: Permission denied",
        ),
        (ProcessResult(0, "", (), 0.1), "probe output unusable: it printed nothing"),
        (
            ProcessResult(0, "hello world\n", (), 0.1),
            "probe output unusable: not one JSON document (starts 'hello world')",
        ),
        (
            ProcessResult(0, OK_STDOUT + OK_STDOUT, (), 0.1),
            "probe output unusable: not one JSON document",
        ),
        (
            ProcessResult(
                0, OK_STDOUT.replace('"schema_version": 1', '"schema_version": 7'), (), 0.1
            ),
            "probe output unusable: protocol version is not 1",
        ),
        (
            ProcessResult(
                0, OK_STDOUT.replace('"status": "ok"', '"status": "not_installed"'), (), 1
            ),
            "probe output unusable: status 'not_installed' does not match its report",
        ),
        (
            ProcessResult(0, OK_STDOUT.replace('"op_ok": true', '"op_ok": "yes"'), (), 0.1),
            "probe output unusable: $.report.devices[0].op_ok: expected bool, got str",
        ),
    ],
)
def test_every_failure_becomes_one_failed_outcome(result: ProcessResult, reason: str) -> None:
    probe = outcome_from_result(spec("torch"), INTERPRETER, result, 60)
    assert probe.status == "failed"
    assert probe.report is None
    assert (probe.reason or "").startswith(reason)


def test_an_answer_for_another_framework_is_rejected() -> None:
    probe = outcome_from_result(
        spec("tensorflow"), INTERPRETER, ProcessResult(0, OK_STDOUT, (), 1), 60
    )
    assert probe.status == "failed"
    assert probe.reason == "probe output unusable: it answered for 'torch', not 'tensorflow'"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"event": "progress", "message": "importing torch"}\n', "importing torch"),
        ('I0000 cuda_platform.cc:52] failed{"event": "progress", "message": "m"}', "m"),
        ("W0000 an ordinary log line\n", None),
        ('{"event": broken\n', None),
    ],
)
def test_progress_events_are_found_even_after_native_log_text(
    line: str, expected: str | None
) -> None:
    event = parse_event(line)
    assert (event or {}).get("message") == expected
