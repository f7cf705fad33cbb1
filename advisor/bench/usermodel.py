"""`bench --model`: the user's own model timed eager against compiled, on each back-end it runs on.

A PyTorch model runs eager and under torch.compile; a tf.Module eager, as a tf.function
and with XLA; a Keras 3 model all of these, on TensorFlow, on PyTorch and, where JAX is
installed, on JAX (eager and jax.jit). A Keras model is literally the same model on each
back-end: the first back-end saves its weights in the first slot, and the others load
them. The back-ends take turns slot by slot, as the suite's frameworks do (`run_phases`:
an eager phase, then a compiled one in the same processes), each case timed with the
suite's statistics at the example inputs' own batch and at batch 1. The back-ends start
at once and build the model before anything is timed, while torch.compile's one-time
set-up, started before the model is described, runs; the first timed slot waits for it.
Between the phases every back-end's outputs on the example inputs (all of them) are
compared with the first back-end's (probes/parity_check.py).
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from advisor.base.errors import CancelledError
from advisor.base.resources_path import probes_folder
from advisor.bench.compiler_setup import (
    compiler_setup_folder,
    finish_compiler_setup,
    start_compiler_setup,
    stop_compiler_setup,
)
from advisor.bench.estimate import BenchProgress
from advisor.bench.events import BenchEvent
from advisor.bench.lockstep import suite_threads
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
from advisor.probing.runner import ManagedProcess
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


@dataclass(frozen=True)
class _Job:
    """What every step of one run reads."""

    record: Record
    ref: ModelRef
    preset: Preset
    threads: int
    run_dir: Path
    tell: Callable[[str], None]
    cancel: threading.Event | None

    @property
    def timeout_s(self) -> float:
        """One back-end's share of a phase, and the model description's limit."""
        return _TIMEOUT_S.get(self.preset.name, 600.0)


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
    record = take_inventory(python, specs=torch, on_progress=tell, command=command, cancel=cancel)
    threads = suite_threads(threads, record.machine)
    with tempfile.TemporaryDirectory(prefix="framework-advisor-model-bench-") as folder:
        job = _Job(record, ref, suite().presets[preset], threads, Path(folder), tell, cancel)
        with _CompilerSetup(job) as setup:
            tell(f"building your model {ref.text}")
            executable = record.interpreter.executable
            model = inspect_model(ref, executable, job.timeout_s, threads, cancel)
            run = _timed(job, model, setup)
    if run.cancelled and not any(s.cases for s in run.suites):
        raise CancelledError("cancelled: nothing was measured")
    return replace(record, benchmarks=run)


class _CompilerSetup:
    """torch.compile's one-time set-up (bench/compiler_setup.py), started before the model
    is described, so it runs while nothing is timed (the description, the back-ends'
    imports and builds); the first timed slot waits for it. Stopped, not left running,
    where no PyTorch back-end runs and when the run ends early (a bad model, a cancel)."""

    def __init__(self, job: _Job) -> None:
        self.folder = compiler_setup_folder(job.record, "cpu")
        self.cancel = job.cancel
        self.process: ManagedProcess | None = None
        if self.folder is not None and not self.folder.exists():
            plan = job.run_dir / "plan_compiler_setup.json"
            plan.write_text(json.dumps({"threads": job.threads, "device": "cpu"}), "utf-8")
            self.process = start_compiler_setup(
                job.record.interpreter, plan, self.folder, lambda event: job.tell(event.message)
            )

    def wait(self) -> bool:
        """Wait for it to finish; True when the user cancelled it."""
        process, self.process = self.process, None
        if self.folder is None or process is None:
            return False
        return finish_compiler_setup(process, self.folder, self.cancel)

    def stop(self) -> None:
        """Stop it where it still runs: no PyTorch back-end needs it, or the run ended."""
        process, self.process = self.process, None
        if self.folder is not None and process is not None:
            stop_compiler_setup(process, self.folder)

    def __enter__(self) -> _CompilerSetup:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _timed(job: _Job, model: UserModel, setup: _CompilerSetup) -> BenchmarkRun:
    """The model timed on each of its back-ends, both phases, the parity check between."""
    specs, results = model_backends(model)
    runnable = [s for s in specs if s.id not in results]
    uses_torch = any(s.id == "torch" for s in runnable)
    if not uses_torch:
        setup.stop()
    folder = setup.folder if uses_torch else None
    plans = {phase: _plan_files(job, phase, model, runnable, folder) for phase in PHASES}
    compared = _parity_plan(job.run_dir, model, runnable)
    listen = BenchProgress(_telling(job.tell, {s.id: s.display_name for s in specs}))
    parity: list[ParityCheck] = []
    phases = SuiteRun(
        specs,
        job.record.interpreter,
        job.preset.passes,
        job.timeout_s * len(runnable),
        listen,
        job.cancel,
        # the set-up is done (or stopped) by now: between the phases only the parity check
        lambda: between_phases(job.record.interpreter, compared, None, listen, job.cancel, parity),
        before_eager=setup.wait,
        stagger=False,  # nothing reads a user model's import times: all import at once
    )
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    interrupted = run_phases(phases, plans, results)
    suites = tuple(results[s.id] for s in specs if s.id in results)
    cancelled = interrupted or any(s.status == "cancelled" for s in suites)
    return BenchmarkRun(
        preset=job.preset.name,
        device="cpu",
        device_name=job.record.machine.cpu.model or "CPU",
        threads=job.threads,
        seed=DEFAULT_SEED,
        started_at=started_at,
        wall_time_s=time.monotonic() - started,
        cancelled=cancelled or check_parity_cancelled(parity),
        workloads=model_workloads(model),
        suites=suites,
        parity=tuple(parity),
        peaks=(),
        noise_threshold_cv=NOISE_THRESHOLD_CV,
        model=model,
        cpu_use=tuple(phases.meter.slots),
    )


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


def _plan_files(
    job: _Job,
    phase: Phase,
    model: UserModel,
    backends: Sequence[FrameworkSpec],
    compiler_setup: Path | None,
) -> dict[str, Path]:
    """Each back-end's plan for one phase: a phase plan like the suite's.

    A Keras model's first back-end saves its weights in the eager phase; every other
    back-end loads them, so all run the same model.
    """
    common = {
        "phase": phase,
        "device": "cpu",
        "threads": job.threads,
        "seed": DEFAULT_SEED,
        "budget": job.preset.pass_budget(),
        "passes": job.preset.passes,
        "run_dir": str(job.run_dir),
        "compiler_setup": str(compiler_setup) if compiler_setup else None,
        "workloads": [_planned(w) for w in model_workloads(model)],
        "user_model": job.ref.plan(),
    }
    files = {}
    for index, spec in enumerate(backends):
        plan = dict(common, backend=spec.id)
        if model.kind == "keras":
            saves = index == 0 and phase == "eager"
            plan["weights_out" if saves else "weights_in"] = str(job.run_dir / "weights.npz")
        files[spec.id] = job.run_dir / f"plan_{phase}_{spec.id}.json"
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
