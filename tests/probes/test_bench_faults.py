"""The side-by-side driver with fake bench scripts: turn-taking, crashes, cancel, timeout."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from advisor.base.errors import DeviceError
from advisor.bench.events import BenchEvent
from advisor.bench.lockstep import PhaseRun, SideBySide, StartedSuites, run_side_by_side, slots
from advisor.probing.inventory import InventoryCancelled, take_inventory
from advisor.record import Record, SuiteResult
from tests.helpers import INTERPRETER, fixture_text, spec

CASE = {
    "workload": "matmul",
    "variant": "eager",
    "dtype": "float32",
    "status": "ok",
    "reason": None,
    "samples_s": [0.01, 0.011, 0.012],
    "inner_iterations": 1,
    "warmup_iterations": 1,
    "work_per_iteration": 2e6,
    "first_call_s": None,
}
PROBE_DOC = {
    **json.loads(fixture_text("probe_outputs", "torch_ok_cpu.json")),
    "ecosystem": [],
}
DOC = {
    "schema_version": 1,
    "probe": "fake_bench",
    "version": "1.0",
    "import_time_s": 0.1,
    "rss_after_import_bytes": 1,
    "peak_rss_bytes": 2,
    "settings": {},
}


def _fake(
    tmp_path: Path,
    name: str,
    on_measure: str = "",
    on_prepare: str = "",
    on_probe: str = "",
    probed: str = "ok",
) -> Path:
    """A bench script that speaks the protocol and logs each command it obeys. Started with
    --probe it is its framework's probe first: ``on_probe`` runs after its import, then it
    sends a document with status ``probed`` and, where that is "ok", waits to be moved on."""
    log = tmp_path / "order.log"
    path = tmp_path / f"{name}_bench.py"
    document = dict(PROBE_DOC, probe=name, status=probed)
    if probed != "ok":
        document.update(report=None, reason=f"no module named {name!r}")
    path.write_text(
        "import json, os, sys, time\n"
        "def emit(stage, **extra):\n"
        "    event = dict(event='progress', stage=stage, message=stage, **extra)\n"
        "    sys.stderr.write(json.dumps(event) + '\\n')\n"
        "    sys.stderr.flush()\n"
        "if '--probe' in sys.argv:\n"
        f"    open({str(log)!r}, 'a').write({name!r} + ' probe ' + sys.argv[4] + '\\n')\n"
        "    emit('import')\n"
        f"    {on_probe or 'pass'}\n"
        "    emit('inspect')\n"
        f"    emit('probed', document={document!r})\n"
        f"    if {probed!r} != 'ok':\n"
        "        sys.exit(0)\n"
        "else:\n"
        "    emit('ready')\n"
        "for line in sys.stdin:\n"
        "    command = line.strip()\n"
        "    if command == 'finish':\n"
        "        break\n"
        f"    open({str(log)!r}, 'a').write({name!r} + ' ' + command + '\\n')\n"
        "    if command.startswith('phase'):\n"
        "        emit('ready')\n"
        "        continue\n"
        "    if command.startswith('prepare'):\n"
        f"        {on_prepare or 'pass'}\n"
        "    if command.startswith('measure'):\n"
        f"        emit('case_finished', result={CASE!r})\n"
        f"        {on_measure or 'pass'}\n"
        "    emit('slot_done')\n"
        f"print(json.dumps({DOC!r}))\n"
    )
    return path


def _run(
    tmp_path: Path,
    scripts: list[Path],
    timeout_s: float = 30,
    listen: Callable[[BenchEvent], None] = lambda _event: None,
    cancel: threading.Event | None = None,
    phases: int = 1,
    before: Callable[[], bool] | None = None,
) -> list[SuiteResult]:
    """The fakes side by side through ``phases`` phases, ``before`` ahead of the last."""
    specs = [spec(path.stem.removesuffix("_bench"), bench=path) for path in scripts]
    run = [PhaseRun(f"phase{n}", tmp_path / f"plan{n}.json", slots(2, 2)) for n in range(phases)]
    run[-1] = replace(run[-1], before=before)
    return run_side_by_side(SideBySide(specs, INTERPRETER, timeout_s, listen, cancel, run))


def test_the_frameworks_take_turns_and_the_first_mover_alternates(tmp_path: Path) -> None:
    results = _run(tmp_path, [_fake(tmp_path, "a"), _fake(tmp_path, "b")])
    assert [r.status for r in results] == ["ok", "ok"]
    assert all(r.version == "1.0" and len(r.cases) == 1 for r in results)
    order = (tmp_path / "order.log").read_text().splitlines()
    assert order == [
        "a prepare 0",
        "b prepare 0",
        "b prepare 1",
        "a prepare 1",
        "a measure 0",
        "b measure 0",
        "b measure 1",
        "a measure 1",
        "b measure 0",
        "a measure 0",
        "a measure 1",
        "b measure 1",
    ]


def test_a_crash_fails_that_suite_keeps_its_case_and_the_other_goes_on(tmp_path: Path) -> None:
    crashing = _fake(tmp_path, "a", on_measure="os.abort()")
    results = _run(tmp_path, [crashing, _fake(tmp_path, "b")])
    crashed, survivor = results
    assert crashed.status == "failed"
    assert crashed.reason == "suite killed by signal SIGABRT"
    assert len(crashed.cases) == 1
    assert survivor.status == "ok"
    assert (tmp_path / "order.log").read_text().count("b measure") == 4


def test_a_script_that_never_gets_ready_is_recorded_and_the_other_runs(tmp_path: Path) -> None:
    broken = tmp_path / "a_bench.py"
    broken.write_text("import sys\nsys.stderr.write('ImportError: no framework\\n')\nsys.exit(1)\n")
    broken_result, other = _run(tmp_path, [broken, _fake(tmp_path, "b")])
    assert broken_result.status == "failed"
    assert broken_result.reason == "suite exited with status 1: ImportError: no framework"
    assert other.status == "ok"


def test_cancel_stops_both_promptly_and_keeps_finished_cases(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancelled_at: list[float] = []

    def listen(event: BenchEvent) -> None:
        if event.kind == "case_finished" and not cancelled_at:
            cancelled_at.append(time.monotonic())
            cancel.set()

    hanging = _fake(tmp_path, "a", on_measure="time.sleep(600)")
    results = _run(tmp_path, [hanging, _fake(tmp_path, "b")], listen=listen, cancel=cancel)
    stopped_after = time.monotonic() - cancelled_at[0]
    assert [r.status for r in results] == ["cancelled", "cancelled"]
    assert len(results[0].cases) == 1
    assert stopped_after < 10, stopped_after  # the requirement is 2 s; loose on shared CI


def test_a_hang_past_the_suite_timeout_kills_both(tmp_path: Path) -> None:
    hanging = _fake(tmp_path, "a", on_prepare="time.sleep(600)")
    started = time.monotonic()
    results = _run(tmp_path, [hanging, _fake(tmp_path, "b")], timeout_s=2)
    assert time.monotonic() - started < 10
    assert [r.reason for r in results] == ["suite timed out after 2 s and was killed"] * 2


def test_every_suite_moves_on_to_the_next_phase_in_its_process_as_the_work_between_runs(
    tmp_path: Path,
) -> None:
    log = tmp_path / "order.log"

    def meanwhile(cancelled: bool) -> Callable[[], bool]:
        def work() -> bool:
            with log.open("a") as stream:
                stream.write("meanwhile\n")
            return cancelled

        return work

    scripts = [_fake(tmp_path, "a"), _fake(tmp_path, "b")]
    results = _run(tmp_path, scripts, phases=2, before=meanwhile(False))
    assert [r.status for r in results] == ["ok", "ok"]
    assert [r.processes for r in results] == [1, 1]
    lines = log.read_text().splitlines()
    # both move on at once while the work between runs (nothing is timed), in any order
    switch = {f"a phase {tmp_path / 'plan1.json'}", f"b phase {tmp_path / 'plan1.json'}"}
    assert set(lines[12:15]) == {*switch, "meanwhile"}
    assert lines[15] == "a prepare 0"
    assert len(lines) == 2 * 12 + 3
    log.unlink()
    started = time.monotonic()
    results = _run(tmp_path, scripts, phases=2, before=meanwhile(True))
    assert [r.status for r in results] == ["cancelled", "cancelled"]
    lines = log.read_text().splitlines()
    assert "meanwhile" in lines[12:]
    assert not [line for line in lines[12:] if "prepare" in line or "measure" in line]
    assert time.monotonic() - started < 10


def _probe_and_run(
    tmp_path: Path, scripts: list[Path], cancel: threading.Event | None = None
) -> tuple[Record, list[SuiteResult], StartedSuites]:
    """The fakes started as their frameworks' probes, then the runnable ones through a phase."""
    specs = [spec(path.stem.removesuffix("_bench"), bench=path) for path in scripts]
    phase = PhaseRun("phase0", tmp_path / "plan0.json", slots(2, 2))
    with StartedSuites(tmp_path, lambda _event: None, None, 7) as started:
        record = take_inventory(
            specs=specs, timeout_s=20, cancel=cancel, start_suites=started.launcher
        )
        runnable = [s for s, p in zip(specs, record.frameworks, strict=True) if p.status == "ok"]
        run = SideBySide(
            runnable, INTERPRETER, 30, lambda _event: None, None, [phase], started=started
        )
        results = run_side_by_side(run)
    return record, results, started


def test_suites_started_as_their_probes_import_once_and_move_on_to_the_first_phase(
    tmp_path: Path,
) -> None:
    record, results, _started = _probe_and_run(
        tmp_path, [_fake(tmp_path, "a"), _fake(tmp_path, "b")]
    )
    assert [p.status for p in record.frameworks] == ["ok", "ok"]
    assert all(p.report is not None for p in record.frameworks)
    assert [r.status for r in results] == ["ok", "ok"]
    assert [r.processes for r in results] == [1, 1]  # the probe's process ran the suite
    lines = (tmp_path / "order.log").read_text().splitlines()
    plan = tmp_path / "plan0.json"
    assert lines[:2] == ["a probe onnx", "b probe onnx"]  # the second once the first imported
    assert set(lines[2:4]) == {f"a phase {plan}", f"b phase {plan}"}  # moved on at once
    assert lines[4:6] == ["a prepare 0", "b prepare 0"]
    start = json.loads((tmp_path / "plan_start.json").read_text())
    assert start["seed"] == 7 and start["run_dir"] == str(tmp_path) and start["threads"] >= 1


def test_a_framework_the_probe_did_not_find_runs_no_suite_and_its_process_ends(
    tmp_path: Path,
) -> None:
    missing = _fake(tmp_path, "a", probed="not_installed")
    record, results, started = _probe_and_run(tmp_path, [missing, _fake(tmp_path, "b")])
    assert [p.status for p in record.frameworks] == ["not_installed", "ok"]
    assert [r.framework for r in results] == ["b"] and results[0].status == "ok"
    assert not any(item.process.alive() for item in started.driven)


def test_a_probe_that_dies_before_its_document_is_a_failed_probe(tmp_path: Path) -> None:
    crashing = _fake(tmp_path, "a", on_probe="os.abort()")
    record, results, started = _probe_and_run(tmp_path, [crashing, _fake(tmp_path, "b")])
    assert record.frameworks[0].status == "failed"
    assert record.frameworks[0].reason == "probe killed by signal SIGABRT"
    assert [r.framework for r in results] == ["b"] and results[0].status == "ok"
    assert not any(item.process.alive() for item in started.driven)


def test_a_cancel_while_probing_leaves_no_suite_running(tmp_path: Path) -> None:
    cancel = threading.Event()
    scripts = [_fake(tmp_path, "a"), _fake(tmp_path, "b", on_probe="time.sleep(600)")]
    specs = [spec(path.stem.removesuffix("_bench"), bench=path) for path in scripts]
    threading.Timer(1.0, cancel.set).start()
    began = time.monotonic()
    with (
        pytest.raises(InventoryCancelled) as cancelled,
        StartedSuites(tmp_path, lambda _event: None, None, 7) as started,
    ):
        take_inventory(specs=specs, timeout_s=20, cancel=cancel, start_suites=started.launcher)
    assert time.monotonic() - began < 10
    probes = cancelled.value.record.frameworks
    assert [p.status for p in probes] == ["ok", "failed"]  # a had answered; b was cut short
    assert probes[1].reason == "probe cancelled by the user"
    assert [item.process.alive() for item in started.driven] == [False, False]


def test_suites_the_run_does_not_reach_are_killed_with_it(tmp_path: Path) -> None:
    # The probes answered, then the run stopped before its first phase (as for a device
    # no framework here can use): the suites waiting for their plan do not outlive it.
    specs = [spec(name, bench=_fake(tmp_path, name)) for name in ("a", "b")]
    with (
        pytest.raises(DeviceError),
        StartedSuites(tmp_path, lambda _event: None, None, 7) as started,
    ):
        take_inventory(specs=specs, timeout_s=20, start_suites=started.launcher)
        assert [item.process.alive() for item in started.driven] == [True, True]
        raise DeviceError("cuda: no installed framework can run on a CUDA GPU here")
    assert [item.process.alive() for item in started.driven] == [False, False]
