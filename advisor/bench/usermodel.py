"""`bench --model`: the user's own model timed eager against compiled, on each back-end it runs on.

A PyTorch model runs eager and under torch.compile; a tf.Module eager, as a tf.function
and with XLA; a Keras 3 model all of these, on TensorFlow and on PyTorch (JAX is not
tried yet): the TensorFlow process saves its weights and output, the PyTorch process
loads those weights, so both back-ends run literally the same model, and the largest
difference is the parity check. One process per back-end, one after the other (not
interleaved slot by slot as the suite's are), each timed with the suite's statistics at
the example inputs' own batch and at batch 1.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from advisor.bench.events import parse_case
from advisor.bench.spec import suite
from advisor.bench.stats import NOISE_THRESHOLD_CV
from advisor.errors import CancelledError
from advisor.probing.inventory import take_inventory
from advisor.probing.runner import ProcessResult, run_process
from advisor.record import (
    BenchmarkRun,
    CaseResult,
    ParityCheck,
    Record,
    SuiteResult,
    SuiteStatus,
    UserModel,
    WorkloadInfo,
)
from advisor.resources_path import probes_folder
from advisor.usermodel import ModelRef, inspect_model

# (suite id, back-end, display name) per kind of model, in running order.
_BACKENDS = {
    "torch": (("torch", "torch", "PyTorch"),),
    "tensorflow": (("tensorflow", "tensorflow", "TensorFlow"),),
    "keras": (
        ("tensorflow", "tensorflow", "Keras 3 on TensorFlow"),
        ("torch", "torch", "Keras 3 on PyTorch"),
    ),
}
# Both back-ends' outputs, with the same weights, agree within ATOL + RTOL x the largest.
RTOL, ATOL = 1e-4, 1e-5
# A cold torch.compile of a small model takes about 20 s on 2 cores, per batch size.
_TIMEOUT_S = {"tiny": 300.0, "quick": 600.0, "full": 1200.0}


def run_model_bench(
    ref: ModelRef,
    preset: str = "quick",
    threads: int | None = None,  # default: physical cores, as the suite
    python: str | None = None,
    say: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    command: str = "framework-advisor bench --model",
) -> Record:
    """Build the model once (its description), then time it on each back-end; one record."""
    tell = say or (lambda _message: None)
    record = take_inventory(python, specs=(), on_progress=tell, command=command)
    timeout = _TIMEOUT_S.get(preset, 600.0)
    executable = record.interpreter.executable
    threads = threads or record.machine.cpu.physical_cores or 1
    tell(f"building your model {ref.text}")
    model = inspect_model(ref, executable, timeout, threads, cancel)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    suites: list[SuiteResult] = []
    parity: list[ParityCheck] = []
    with tempfile.TemporaryDirectory(prefix="framework-advisor-model-bench-") as run_dir:
        weights = str(Path(run_dir) / "weights.npz")
        for index, (suite_id, backend, name) in enumerate(_BACKENDS[model.kind]):
            plan = {
                "user_model": ref.plan(),
                "backend": backend,
                "threads": threads,
                "run_dir": run_dir,
                "budget": _budget(preset),
                # Keras: the first back-end hands its weights to the next one
                ("weights_out" if index == 0 else "weights_in"): weights,
            }
            tell(f"timing your model on {name}")
            document, suite = _run_suite(executable, plan, suite_id, name, timeout, cancel)
            suites.append(suite)
            check = _parity_check(document, model)
            parity += [check] if check is not None else []
            if suite.status == "cancelled":
                break
    run = BenchmarkRun(
        preset=preset,
        device="cpu",
        device_name=record.machine.cpu.model or "CPU",
        threads=threads,
        seed=0,
        started_at=started_at,
        wall_time_s=time.monotonic() - started,
        cancelled=any(s.status == "cancelled" for s in suites),
        workloads=model_workloads(model),
        suites=tuple(suites),
        parity=tuple(parity),
        peaks=(),
        noise_threshold_cv=NOISE_THRESHOLD_CV,
        model=model,
    )
    if run.cancelled and not any(s.cases for s in suites):
        raise CancelledError("cancelled: nothing was measured")
    return replace(record, benchmarks=run)


def _budget(preset: str) -> dict[str, float]:
    """The suite's timing budget of one case, all in one pass."""
    budget = suite().presets[preset].budget
    return dict(budget, cv_min_repeats=budget["min_repeats"])


def model_workloads(model: UserModel) -> tuple[WorkloadInfo, ...]:
    """The model at its example inputs' batch, and at batch 1 when that differs."""
    batch = model.input_shapes[0][0] if model.input_shapes and model.input_shapes[0] else 1
    found = [_workload("model_batch", f"Your model, batch {batch}", batch)]
    if batch > 1 and all(shape and shape[0] > 1 for shape in model.input_shapes):
        found.append(_workload("model_batch1", "Your model, batch 1", 1))
    return tuple(found)


def _workload(workload_id: str, title: str, batch: int) -> WorkloadInfo:
    return WorkloadInfo(workload_id, title, "latency", "ms", "items", {"batch": batch})


def _run_suite(
    python: str,
    plan: dict[str, Any],
    suite_id: str,
    name: str,
    timeout_s: float,
    cancel: threading.Event | None,
) -> tuple[dict[str, Any], SuiteResult]:
    path = Path(plan["run_dir"]) / f"plan_{plan['backend']}.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    cases: list[CaseResult] = []

    def on_event(event: dict[str, Any]) -> None:
        if event.get("stage") == "case_finished" and isinstance(event.get("result"), dict):
            cases.append(parse_case(event["result"]))  # the suite's checks and bounds

    argv = [python, str(probes_folder() / "user_model_bench.py"), "--plan", str(path)]
    process = run_process(argv, timeout_s, on_event, cancel=cancel)
    document = process.json_object() or {}
    return document, _suite(suite_id, name, process, document, cases, timeout_s, plan)


def _suite(
    suite_id: str,
    name: str,
    process: ProcessResult,
    document: dict[str, Any],
    cases: list[CaseResult],
    timeout_s: float,
    plan: dict[str, Any],
) -> SuiteResult:
    failure = process.failure_reason(timeout_s)
    status: SuiteStatus = "cancelled" if process.cancelled else "failed" if failure else "ok"
    if not failure and document.get("status") != "ok":
        status, failure = "failed", str(document.get("reason") or "no result")
    peak = document.get("peak_rss_bytes")
    version = document.get("version")
    return SuiteResult(
        framework=suite_id,
        display_name=name,
        status=status,
        wall_time_s=process.duration_s,
        cases=tuple(cases),
        reason=failure,
        version=version if isinstance(version, str) else None,
        peak_rss_bytes=peak if isinstance(peak, int) else None,
        settings={"backend": plan["backend"], "threads": str(plan["threads"])},
    )


def _parity_check(document: dict[str, Any], model: UserModel) -> ParityCheck | None:
    """Keras on PyTorch, with TensorFlow's weights, against TensorFlow's output."""
    found = document.get("parity")
    if model.kind != "keras" or not isinstance(found, dict):
        return None
    largest, scale = found.get("max_abs_diff"), found.get("scale")
    if not isinstance(largest, int | float) or not isinstance(scale, int | float):
        reason = f"output shape {found.get('shape')} differs from TensorFlow's"
        return ParityCheck("model_batch", False, None, None, RTOL, ATOL, reason)
    relative = largest / scale if scale > 0 else largest
    agree = largest <= ATOL + RTOL * scale
    return ParityCheck("model_batch", agree, largest, relative, RTOL, ATOL)
