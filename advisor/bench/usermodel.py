"""`bench --model`: the user's own model timed eager against compiled, on each back-end it runs on.

A PyTorch model runs eager and under torch.compile; a tf.Module eager, as a tf.function
and with XLA; a Keras 3 model all of these, on TensorFlow, on PyTorch and, where JAX is
installed, on JAX (eager and jax.jit). A Keras model is literally the same model on each
back-end: the first back-end saves its weights when it builds the model, in the first
slot, and the others load them. The back-ends take turns slot by slot, as the suite's
frameworks do (`run_phases`: an eager phase, then a compiled one in the same processes),
each case timed with the suite's statistics at the example inputs' own batch and at
batch 1. Between the phases every back-end's outputs on the example inputs (all of them)
are compared with the first back-end's (probes/parity_check.py).
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from advisor.base.errors import CancelledError
from advisor.base.resources_path import probes_folder
from advisor.bench.compiler_setup import compiler_setup_folder
from advisor.bench.estimate import BenchProgress
from advisor.bench.events import BenchEvent
from advisor.bench.run import (
    DEFAULT_SEED,
    PHASES,
    Phase,
    SuiteRun,
    between_phases,
    check_parity_cancelled,
    run_phases,
)
from advisor.bench.spec import Preset, suite
from advisor.bench.stats import NOISE_THRESHOLD_CV
from advisor.catalog import FrameworkSpec, display_names, frameworks
from advisor.probing.inventory import take_inventory
from advisor.record import (
    BenchmarkRun,
    ParityCheck,
    Record,
    SuiteResult,
    UserModel,
    WorkloadInfo,
)
from advisor.usermodel import KERAS_BACKENDS, ModelRef, inspect_model

# The back-ends' outputs, with the same weights, agree within ATOL + RTOL x |expected|.
RTOL, ATOL = 1e-4, 1e-5
# A cold torch.compile of a small model takes about 20 s on 2 cores, per batch size. One
# back-end's share of a phase: the back-ends take turns, so a phase lasts their sum.
_TIMEOUT_S = {"tiny": 300.0, "quick": 600.0, "full": 1200.0}
_NAMES = {**display_names(), "jax": "JAX"}


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
    # PyTorch's probe names its build, which keys torch.compile's one-time set-up
    torch = [spec for spec in frameworks() if spec.id == "torch"]
    record = take_inventory(python, specs=torch, on_progress=tell, command=command)
    chosen = suite().presets[preset]
    timeout = _TIMEOUT_S.get(preset, 600.0)
    threads = threads or record.machine.cpu.physical_cores or 1
    tell(f"building your model {ref.text}")
    model = inspect_model(ref, record.interpreter.executable, timeout, threads, cancel)
    specs, results = model_backends(model)
    runnable = [s for s in specs if s.id not in results]
    workloads = model_workloads(model)
    listen = BenchProgress(_telling(tell, {s.id: s.display_name for s in specs}))
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    parity: list[ParityCheck] = []
    setup = compiler_setup_folder(record, "cpu") if "torch" in {s.id for s in runnable} else None
    with tempfile.TemporaryDirectory(prefix="framework-advisor-model-bench-") as folder:
        run_dir = Path(folder)
        common = _common_plan(run_dir, ref, chosen, threads, workloads, setup)
        plans: dict[Phase, dict[str, Path]] = {
            phase: _plan_files(run_dir, phase, common, model, runnable) for phase in PHASES
        }
        compared = _parity_plan(run_dir, model, runnable)
        needs_setup = setup is not None and not setup.exists()
        compiler = (setup, plans["compiled"]["torch"]) if needs_setup and setup else None

        def compare_outputs() -> bool:
            """The back-ends' outputs, then torch.compile's set-up; True on cancel."""
            return between_phases(record.interpreter, compared, compiler, listen, cancel, parity)

        phases = SuiteRun(
            specs,
            record.interpreter,
            chosen.passes,
            timeout * len(runnable),
            listen,
            cancel,
            compare_outputs,
        )
        try:
            run_phases(phases, plans, results)
            interrupted = False
        except KeyboardInterrupt:  # between processes: keep what finished
            interrupted = True
    suites = tuple(results[s.id] for s in specs if s.id in results)
    cancelled = (
        interrupted
        or any(s.status == "cancelled" for s in suites)
        or check_parity_cancelled(parity)
    )
    run = BenchmarkRun(
        preset=preset,
        device="cpu",
        device_name=record.machine.cpu.model or "CPU",
        threads=threads,
        seed=DEFAULT_SEED,
        started_at=started_at,
        wall_time_s=time.monotonic() - started,
        cancelled=cancelled,
        workloads=workloads,
        suites=suites,
        parity=tuple(parity),
        peaks=(),
        noise_threshold_cv=NOISE_THRESHOLD_CV,
        model=model,
        cpu_use=tuple(phases.meter.slots),
    )
    if run.cancelled and not any(s.cases for s in suites):
        raise CancelledError("cancelled: nothing was measured")
    return replace(record, benchmarks=run)


def model_backends(model: UserModel) -> tuple[list[FrameworkSpec], dict[str, SuiteResult]]:
    """The back-ends to time the model on, in order, and the suites of those not installed.

    A plain model runs on its own framework; a Keras 3 model on each of KERAS_BACKENDS.
    """
    script = probes_folder() / "user_model_bench.py"
    if model.kind == "keras":
        named = [(b, f"Keras 3 on {_NAMES[b]}") for b in KERAS_BACKENDS]
    else:
        named = [(model.kind, _NAMES[model.kind])]
    # The lockstep reads a spec's id, name and bench script; the script is the same for all.
    specs = [FrameworkSpec(b, name, b, script, script, ()) for b, name in named]
    missing = {
        s.id: SuiteResult(
            s.id,
            s.display_name,
            "not_installed",
            0.0,
            reason=f"{_NAMES[s.id]} is not installed in this environment",
            processes=0,
        )
        for s in specs
        if model.kind == "keras" and s.id not in model.backends
    }
    return specs, missing


def model_workloads(model: UserModel) -> tuple[WorkloadInfo, ...]:
    """The model at its example inputs' batch, and at batch 1 when that differs."""
    batch = model.input_shapes[0][0] if model.input_shapes and model.input_shapes[0] else 1
    found = [_workload("model_batch", f"Your model, batch {batch}", batch)]
    if batch > 1 and all(shape and shape[0] > 1 for shape in model.input_shapes):
        found.append(_workload("model_batch1", "Your model, batch 1", 1))
    return tuple(found)


def _workload(workload_id: str, title: str, batch: int) -> WorkloadInfo:
    return WorkloadInfo(workload_id, title, "latency", "ms", "items", {"batch": batch})


def _common_plan(
    run_dir: Path,
    ref: ModelRef,
    preset: Preset,
    threads: int,
    workloads: Sequence[WorkloadInfo],
    compiler_setup: Path | None,
) -> dict[str, Any]:
    """What every back-end's plan holds, in both phases: a phase plan like the suite's."""
    return {
        "device": "cpu",
        "threads": threads,
        "seed": DEFAULT_SEED,
        "budget": preset.pass_budget(),
        "passes": preset.passes,
        "run_dir": str(run_dir),
        "compiler_setup": str(compiler_setup) if compiler_setup else None,
        "workloads": [_planned(w) for w in workloads],
        "user_model": ref.plan(),
    }


def _plan_files(
    run_dir: Path,
    phase: Phase,
    common: dict[str, Any],
    model: UserModel,
    backends: Sequence[FrameworkSpec],
) -> dict[str, Path]:
    """Each back-end's plan for one phase.

    A Keras model's first back-end saves its weights in the eager phase; every other
    process loads them, so all run the same model.
    """
    files = {}
    for index, spec in enumerate(backends):
        plan = dict(common, phase=phase, backend=spec.id)
        if model.kind == "keras":
            saves = index == 0 and phase == "eager"
            plan["weights_out" if saves else "weights_in"] = str(run_dir / "weights.npz")
        files[spec.id] = run_dir / f"plan_{phase}_{spec.id}.json"
        files[spec.id].write_text(json.dumps(plan), encoding="utf-8")
    return files


def _planned(workload: WorkloadInfo) -> dict[str, Any]:
    """A workload as the bench scripts read it: a model has a graph form and compiles."""
    return {
        "id": workload.id,
        "metric": workload.metric,
        "params": workload.params,
        "compile": True,
        "graph": True,
        "parity_rtol": RTOL,
        "parity_atol": ATOL,
    }


def _parity_plan(run_dir: Path, model: UserModel, backends: Sequence[FrameworkSpec]) -> Path | None:
    """What parity_check.py compares: each back-end's outputs with the first one's, on the
    example inputs; None when there is nothing to compare."""
    if model.kind != "keras" or len(backends) < 2:
        return None
    reference, *others = (spec.id for spec in backends)
    plan = {
        "run_dir": str(run_dir),
        "workloads": [{"id": "model_batch", "parity_rtol": RTOL, "parity_atol": ATOL}],
        "parity": {"reference": reference, "backends": others},
    }
    path = run_dir / "plan_parity.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def _telling(tell: Callable[[str], None], names: dict[str, str]) -> Callable[[BenchEvent], None]:
    """The run's messages and each finished case, as lines for `say`."""

    def listen(event: BenchEvent) -> None:
        if event.kind == "message":
            named = f"{names[event.framework]}: " if event.framework in names else ""
            tell(named + event.message)
        elif event.kind == "case_finished":
            tell(f"{names.get(event.framework, event.framework)}: {event.message}")

    return listen
