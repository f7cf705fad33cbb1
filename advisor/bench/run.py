"""The bench job: probe, plan, both suites side by side per phase, parity check, one record.

What else the machine did is read at every slot boundary (machine/load.py) and kept in
the record, so every ratio can say whether it was measured on a busy machine.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal

from advisor.base.errors import DeviceError, UnknownFrameworkError, quoted
from advisor.base.resources_path import probes_folder
from advisor.base.serde import SchemaError, from_jsonable
from advisor.base.step_times import last_corrections, remember
from advisor.bench.compiler_setup import compiler_setup_folder, set_up_compiler
from advisor.bench.estimate import PARITY_STEP, SETUP_STEP, BenchProgress
from advisor.bench.events import BenchEvent, BenchListener
from advisor.bench.lockstep import (
    PhaseRun,
    Plans,
    SideBySide,
    StartedSuites,
    run_side_by_side,
    slots,
    suite_threads,
)
from advisor.bench.peaks import cpu_peak, gpu_peak
from advisor.bench.spec import Preset, WorkloadSpec, suite
from advisor.bench.stats import NOISE_THRESHOLD_CV
from advisor.catalog import FrameworkSpec, frameworks
from advisor.machine.load import SlotMeter
from advisor.probing.inventory import take_inventory
from advisor.probing.runner import run_process
from advisor.record import (
    BenchmarkRun,
    FrameworkProbe,
    Interpreter,
    MachineInventory,
    ParityCheck,
    PeakEstimate,
    Record,
    SuiteResult,
    SuiteStatus,
)

DEFAULT_SEED = 20251126
Phase = Literal["eager", "compiled"]
PHASES: tuple[Phase, ...] = ("eager", "compiled")
_PARITY_TIMEOUT_S = 120.0
_PARITY_CANCELLED = "parity check cancelled by the user"


@dataclass(frozen=True)
class BenchOptions:
    """What the user asked to run."""

    preset: str = "quick"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    frameworks: tuple[str, ...] = ("torch", "tensorflow")
    threads: int | None = None  # default: physical cores
    seed: int = DEFAULT_SEED


@dataclass(frozen=True)
class ParityDocument:
    """What the parity script prints on stdout."""

    schema_version: int
    probe: str
    checks: tuple[ParityCheck, ...]


def _nothing_between() -> bool:
    return False


@dataclass(frozen=True)
class SuiteRun:
    """A run's settings, shared by its phases (the suites, their Python, passes, time each
    phase has, listener, cancel), what runs before and between the phases, the slot meter
    and whether the suites start one after the other (see SideBySide).

    ``before_eager`` runs once every suite is ready, before anything is timed;
    ``after_eager`` (the parity check, which reads the eager phase's outputs, and any
    one-time set-up) runs as the suites move on to the compiled phase, before anything
    of it is timed. Each returns True when the user cancelled it, which stops the run.
    ``meter`` reads the machine's CPU use at every slot boundary. ``started``: the suites
    already running as their frameworks' probes (see SideBySide).
    """

    specs: Sequence[FrameworkSpec]
    interpreter: Interpreter
    passes: int
    timeout_s: float
    listen: BenchProgress
    cancel: threading.Event | None = None
    after_eager: Callable[[], bool] = _nothing_between
    meter: SlotMeter = field(default_factory=SlotMeter)
    before_eager: Callable[[], bool] = _nothing_between
    stagger: bool = True
    started: StartedSuites | None = None


def run_benchmarks(
    options: BenchOptions,
    python: str | None = None,
    on_event: BenchListener | None = None,
    cancel: threading.Event | None = None,
    command: str = "framework-advisor bench",
) -> Record:
    """Probe the environment, then run each framework's suite and the parity check.

    Each framework's suite process is its probe too (StartedSuites): its one import is the
    probe's, timed alone, and the first phase's plan moves it on once the probes are read.
    """
    listen = BenchProgress(on_event or (lambda _event: None))
    specs = _selected(options.frameworks)
    with (
        tempfile.TemporaryDirectory(prefix="framework-advisor-") as run_dir,
        StartedSuites(Path(run_dir), listen, options.threads, options.seed) as started,
    ):
        record = take_inventory(
            python,
            specs=specs,
            on_progress=lambda m: listen(BenchEvent("", "message", m)),
            cancel=cancel,
            start_suites=started.launcher,
        )
        benchmarks = _benchmark(record, options, specs, listen, cancel, started)
    return replace(record, command=command, benchmarks=benchmarks)


def _benchmark(
    record: Record,
    options: BenchOptions,
    specs: Sequence[FrameworkSpec],
    listen: BenchProgress,
    cancel: threading.Event | None,
    started_suites: StartedSuites,
) -> BenchmarkRun:
    """Both phases of the suites the probes started, and the parity check, for the record."""
    preset = suite().presets[options.preset]
    device = resolve_device(options.device, record.frameworks)
    threads = suite_threads(options.threads, record.machine)
    workloads = suite().workloads
    plans = (
        build_plan(preset, workloads, record.machine, device, threads, options.seed, phase)
        for phase in PHASES
    )
    planned: dict[str, dict[str, Any]] = {p["phase"]: p for p in plans if p["workloads"]}
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    results = _not_runnable(specs, record)
    parity: list[ParityCheck] = []
    run = SuiteRun(
        specs,
        record.interpreter,
        preset.passes,
        preset.suite_timeout_s,
        listen,
        cancel,
        started=started_suites,
    )
    cancelled = _measure(record, device, planned, run, results, parity, started_suites.run_dir)
    return BenchmarkRun(
        preset=preset.name,
        device=device,
        device_name=_device_name(record.machine, device),
        threads=threads,
        seed=options.seed,
        started_at=started_at,
        wall_time_s=time.monotonic() - started,
        cancelled=cancelled,
        workloads=tuple(w.info(preset.name) for w in workloads),
        suites=tuple(results[s.id] for s in specs if s.id in results),
        parity=tuple(parity),
        peaks=peaks(record.machine, device, plan_dtypes(record.machine, device)),
        noise_threshold_cv=NOISE_THRESHOLD_CV,
        cpu_use=tuple(run.meter.slots),
    )


def _measure(
    record: Record,
    device: str,
    planned: dict[str, dict[str, Any]],
    run: SuiteRun,
    results: dict[str, SuiteResult],
    parity: list[ParityCheck],
    run_dir: Path,
) -> bool:
    """Both phases of ``planned`` in the run's folder, the parity check and any compiler
    set-up between them; True when the run was cancelled."""
    setup = compiler_setup_folder(record, device)
    where = {"run_dir": str(run_dir), "compiler_setup": str(setup) if setup else None}
    plans = {phase: run_dir / f"plan_{phase}.json" for phase in PHASES if phase in planned}
    for phase, path in plans.items():
        path.write_text(json.dumps(dict(planned[phase], **where)), encoding="utf-8")
    needs_setup = setup is not None and not setup.exists() and "compiled" in plans
    compiler = (setup, plans["compiled"]) if needs_setup and setup is not None else None
    running = sum(p.status == "ok" for p in record.frameworks)
    run.listen.plan(planned, running, needs_setup, last_corrections(f"bench {device}"))
    eager = plans.get("eager")
    between = partial(
        between_phases, run.interpreter, eager, compiler, run.listen, run.cancel, parity
    )
    interrupted = run_phases(replace(run, after_eager=between), plans, results)
    cancelled = (
        interrupted
        or any(s.status == "cancelled" for s in results.values())
        or check_parity_cancelled(parity)
    )
    run.listen.end("cancelled" if cancelled else "done")
    remember(f"bench {device}", run.listen.tracker)
    return cancelled


def _selected(names: Sequence[str]) -> list[FrameworkSpec]:
    known = {spec.id: spec for spec in frameworks()}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        named = quoted(", ".join(unknown))
        what = f"{named}: unknown framework" if unknown else "no framework given"
        raise UnknownFrameworkError(f"{what}; choose from {', '.join(known)}")
    return [known[name] for name in names]


def _sees_cuda(probe: FrameworkProbe) -> bool:
    return probe.report is not None and any(
        d.kind == "cuda" and d.op_ok for d in probe.report.devices
    )


def resolve_device(
    requested: Literal["auto", "cpu", "cuda"], probes: Sequence[FrameworkProbe]
) -> Literal["cpu", "cuda"]:
    """'auto' picks CUDA only when every installed framework can run on it (a fair race)."""
    installed = [p for p in probes if p.status == "ok"]
    if requested == "cpu":
        return "cpu"
    if requested == "cuda":
        if not any(_sees_cuda(p) for p in installed):
            raise DeviceError("cuda: no installed framework can run on a CUDA GPU here")
        return "cuda"
    return "cuda" if installed and all(_sees_cuda(p) for p in installed) else "cpu"


def plan_dtypes(machine: MachineInventory | None, device: str) -> list[str]:
    """Matmul dtypes the device supports natively (float32 alone on a machine not probed)."""
    if machine is None:
        return ["float32"]
    if device == "cuda":
        capability = machine.gpu.gpus[0].compute_capability if machine.gpu.gpus else None
        major = int(capability.split(".")[0]) if capability else 0
        return ["float32", "float16"] + (["bfloat16"] if major >= 8 else [])
    features = machine.cpu.features
    native_bf16 = any(features.get(f) for f in ("AVX512_BF16", "AMX-BF16", "BF16"))
    return ["float32", "bfloat16"] if native_bf16 else ["float32"]


def build_plan(
    preset: Preset,
    workloads: Sequence[WorkloadSpec],
    machine: MachineInventory | None,
    device: str,
    threads: int,
    seed: int,
    phase: Phase = "eager",
) -> dict[str, Any]:
    """The JSON plan both bench scripts follow in one phase (run_dir is added when it exists).

    The compiled phase holds only the compiled variants, and runs after the eager one
    (see run_phases).
    """
    if phase == "compiled":
        workloads = [w for w in workloads if w.id in preset.compile]
    return {
        "phase": phase,
        "device": device,
        "threads": threads,
        "seed": seed,
        "budget": preset.pass_budget(),
        "passes": preset.passes,
        "workloads": [
            {
                "id": w.id,
                "metric": w.metric,
                "params": w.sizes[preset.name],
                "compile": w.id in preset.compile,
                "graph": w.graph,
                "dtypes": plan_dtypes(machine, device) if w.id == "matmul" else ["float32"],
                "parity_rtol": w.parity_rtol,
                "parity_atol": w.parity_atol,
            }
            for w in workloads
        ],
    }


def peaks(
    machine: MachineInventory, device: str, dtypes: Sequence[str]
) -> tuple[PeakEstimate, ...]:
    """Theoretical peak of the benchmarked device for each matmul dtype."""
    if device == "cuda":
        gpu = machine.gpu.gpus[0] if machine.gpu.gpus else None
        if gpu is None:
            return tuple(PeakEstimate(d, None, "unknown: NVML lists no GPU") for d in dtypes)
        return tuple(gpu_peak(gpu, d) for d in dtypes)
    return tuple(cpu_peak(machine.cpu, d) for d in dtypes)


def _device_name(machine: MachineInventory, device: str) -> str:
    if device == "cuda" and machine.gpu.gpus:
        return machine.gpu.gpus[0].name
    return machine.cpu.model or "CPU"


def _not_runnable(specs: Sequence[FrameworkSpec], record: Record) -> dict[str, SuiteResult]:
    """The suites of frameworks the probe found missing or broken, with why."""
    probes = {p.framework: p for p in record.frameworks}
    results: dict[str, SuiteResult] = {}
    for spec in specs:
        probe = probes[spec.id]
        if probe.status != "ok":
            status: SuiteStatus = "not_installed" if probe.status == "not_installed" else "failed"
            results[spec.id] = SuiteResult(
                spec.id, spec.display_name, status, 0.0, reason=probe.reason, processes=0
            )
    return results


def run_phases(
    run: SuiteRun, plans: Mapping[Phase, Plans], results: dict[str, SuiteResult]
) -> bool:
    """Every suite not already in ``results``: the eager phase side by side, then the
    compiled one in the same processes, ``run.after_eager`` between them (or after the
    eager phase when there is no compiled one). True when Ctrl-C came between processes
    (what finished is kept).

    The compiled phase comes after every eager case is timed: in PyTorch, running compiled
    code slowed every eager op after it in the same process by about 40 % on a 2-core
    machine (an extra spinning thread pool). Each compiled case builds its own model, and
    torch.compile and XLA keep their state per model and function object, so nothing
    compiled reaches an eager figure. Finished cases land in ``results`` whatever happens.
    """
    runnable = [s for s in run.specs if s.id not in results]
    phases = [_phase_run(run, phase, plan_files) for phase, plan_files in plans.items()]
    sides = SideBySide(
        runnable,
        run.interpreter,
        run.timeout_s,
        run.listen,
        run.cancel,
        phases,
        run.stagger,
        run.started,
    )
    try:
        outcomes = run_side_by_side(sides)
        results.update((outcome.framework, outcome) for outcome in outcomes)
        if "compiled" not in plans and not any(o.status == "cancelled" for o in outcomes):
            run.after_eager()
    except KeyboardInterrupt:  # between processes: keep what finished
        return True
    return False


def _phase_run(run: SuiteRun, phase: Phase, plan_files: Plans) -> PhaseRun:
    """One phase of ``run``: its slots and its hooks."""
    workloads = [w["id"] for w in _phase_plan(plan_files)["workloads"]]
    return PhaseRun(
        phase,
        plan_files,
        slots(len(workloads), run.passes),
        # The parity check reads the eager phase's outputs, which each suite saved once it
        # had prepared its last workload; it runs as the suites move on to the compiled phase.
        before=run.after_eager if phase == "compiled" else run.before_eager,
        step_done=run.meter.hearing(phase, workloads, run.listen.step_done(phase)),
    )


def _phase_plan(plan_files: Plans) -> dict[str, Any]:
    """A phase's plan (with a plan per suite, the first: they share their workloads)."""
    path = plan_files if isinstance(plan_files, Path) else next(iter(plan_files.values()))
    plan: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return plan


def between_phases(
    interpreter: Interpreter,
    parity_plan: Path | None,
    compiler: tuple[Path, Path] | None,
    listen: BenchProgress,
    cancel: threading.Event | None,
    parity: list[ParityCheck],
) -> bool:
    """Untimed work before the compiled phase: the parity check of ``parity_plan``
    (its checks join ``parity``), then torch.compile's one-time set-up where ``compiler``
    names it (the folder to build, a compiled-phase plan); True when the user cancelled."""
    if parity_plan is not None:
        parity.extend(run_parity(interpreter, parity_plan, listen, cancel))
        listen.finished(PARITY_STEP)
        if check_parity_cancelled(parity):
            return True
    if compiler is None:
        return False
    folder, plan = compiler
    cancelled = set_up_compiler(interpreter, plan, folder, listen, cancel)
    listen.finished(SETUP_STEP)
    return cancelled


def check_parity_cancelled(checks: Sequence[ParityCheck]) -> bool:
    """Whether the user cancelled the parity check."""
    return any(p.reason == _PARITY_CANCELLED for p in checks)


def run_parity(
    interpreter: Interpreter,
    plan_path: Path,
    listen: BenchListener,
    cancel: threading.Event | None,
) -> tuple[ParityCheck, ...]:
    """The parity checks of probes/parity_check.py on the outputs the bench scripts saved,
    or one check per workload saying why there are none."""
    listen(BenchEvent("", "message", "comparing the outputs of both frameworks"))
    script = probes_folder() / "parity_check.py"
    try:
        result = run_process(
            [interpreter.executable, str(script), "--plan", str(plan_path)],
            _PARITY_TIMEOUT_S,
            cancel=cancel,
        )
        cancelled = result.cancelled
    except KeyboardInterrupt:  # between processes: keep the suites' results
        cancelled = True
    try:
        if cancelled:
            raise ValueError(_PARITY_CANCELLED)
        failure = result.failure_reason(_PARITY_TIMEOUT_S)
        if failure:
            raise ValueError(failure)
        return from_jsonable(ParityDocument, json.loads(result.stdout)).checks
    except (ValueError, SchemaError) as exc:
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
        return tuple(
            ParityCheck(
                w["id"],
                None,
                None,
                None,
                w["parity_rtol"],
                w["parity_atol"],
                reason=str(exc) if cancelled else f"parity check failed: {exc}",
            )
            for w in plan["workloads"]
        )
