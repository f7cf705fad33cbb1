"""The bench job: probe, plan, one subprocess per framework suite, parity check, one record."""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from advisor.bench.peaks import cpu_peak, gpu_peak
from advisor.bench.rounds import merge_processes
from advisor.bench.spec import Preset, WorkloadSpec, suite
from advisor.bench.stats import NOISE_THRESHOLD_CV, summarise
from advisor.catalog import FrameworkSpec, frameworks
from advisor.errors import UsageError
from advisor.inventory import take_inventory
from advisor.probing.runner import ProcessResult, run_process
from advisor.record import (
    BenchmarkRun,
    CaseResult,
    FrameworkProbe,
    Interpreter,
    MachineInventory,
    ParityCheck,
    PeakEstimate,
    Record,
    SuiteResult,
    SuiteStatus,
)
from advisor.resources_path import probes_folder
from advisor.serde import SchemaError, from_jsonable

DEFAULT_SEED = 20251126
Phase = Literal["eager", "compiled"]
PHASES: tuple[Phase, ...] = ("eager", "compiled")
_PARITY_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class BenchOptions:
    """What the user asked to run."""

    preset: str = "quick"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    frameworks: tuple[str, ...] = ("torch", "tensorflow")
    threads: int | None = None  # default: physical cores
    seed: int = DEFAULT_SEED


@dataclass(frozen=True)
class BenchEvent:
    """Live progress: a case started or finished, or a plain message."""

    framework: str
    kind: Literal["message", "case_started", "case_updated", "case_finished"]
    message: str
    case: CaseResult | None = None


BenchListener = Callable[[BenchEvent], None]


@dataclass(frozen=True)
class SuiteDocument:
    """The summary a bench script prints on stdout once its suite is done."""

    schema_version: int
    probe: str
    version: str
    import_time_s: float
    rss_after_import_bytes: int | None
    peak_rss_bytes: int | None
    settings: dict[str, str]


@dataclass(frozen=True)
class ParityDocument:
    """What the parity script prints on stdout."""

    schema_version: int
    probe: str
    checks: tuple[ParityCheck, ...]


def run_benchmarks(
    options: BenchOptions,
    python: str | None = None,
    on_event: BenchListener | None = None,
    cancel: threading.Event | None = None,
    command: str = "framework-advisor bench",
) -> Record:
    """Probe the environment, then run each framework's suite and the parity check."""
    listen = on_event or (lambda _event: None)
    specs = _selected(options.frameworks)
    preset = suite().presets[options.preset]
    record = take_inventory(
        python, specs=specs, on_progress=lambda m: listen(BenchEvent("", "message", m))
    )
    device = resolve_device(options.device, record.frameworks)
    threads = options.threads or record.machine.cpu.physical_cores or 1
    workloads = suite().workloads
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="framework-advisor-") as run_dir:
        plans = {}
        for phase in PHASES:
            plan = build_plan(
                preset, workloads, record.machine, device, threads, options.seed, phase
            )
            if plan["workloads"]:
                plans[phase] = Path(run_dir) / f"plan_{phase}.json"
                plans[phase].write_text(json.dumps(dict(plan, run_dir=run_dir)), encoding="utf-8")
        suites = _run_suites(specs, record, preset, plans, listen, cancel)
        cancelled = any(s.status == "cancelled" for s in suites)
        parity = () if cancelled else _run_parity(record.interpreter, plans["eager"], listen)
    run = BenchmarkRun(
        preset=preset.name,
        device=device,
        device_name=_device_name(record.machine, device),
        threads=threads,
        seed=options.seed,
        started_at=started_at,
        wall_time_s=time.monotonic() - started,
        cancelled=cancelled,
        workloads=tuple(w.info(preset.name) for w in workloads),
        suites=tuple(suites),
        parity=parity,
        peaks=peaks(record.machine, device, plan_dtypes(record.machine, device)),
        noise_threshold_cv=NOISE_THRESHOLD_CV,
    )
    return replace(record, command=command, benchmarks=run)


def _selected(names: Sequence[str]) -> list[FrameworkSpec]:
    known = {spec.id: spec for spec in frameworks()}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise UsageError(
            f"--frameworks: unknown {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(known)}"
        )
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
            raise UsageError("--device cuda: no installed framework can run on a CUDA GPU here")
        return "cuda"
    return "cuda" if installed and all(_sees_cuda(p) for p in installed) else "cpu"


def plan_dtypes(machine: MachineInventory, device: str) -> list[str]:
    """Matmul dtypes the device supports natively."""
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
    machine: MachineInventory,
    device: str,
    threads: int,
    seed: int,
    phase: Phase = "eager",
) -> dict[str, Any]:
    """The JSON plan both bench scripts follow in one phase (run_dir is added when it exists).

    Compiled variants run in processes of their own: in PyTorch, running compiled code
    slowed every eager op after it in the same process by about 40 % on a 2-core machine
    (an extra spinning thread pool), which would have made the eager figures unfair.
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


def _run_suites(
    specs: Sequence[FrameworkSpec],
    record: Record,
    preset: Preset,
    plans: dict[Phase, Path],
    listen: BenchListener,
    cancel: threading.Event | None,
) -> list[SuiteResult]:
    """Each installed framework's suite: per round, every framework's eager process, then
    every framework's compiled process, so the frameworks take turns on the machine."""
    probes = {p.framework: p for p in record.frameworks}
    results: dict[str, SuiteResult] = {}
    for spec in specs:
        probe = probes[spec.id]
        if probe.status != "ok":
            status: SuiteStatus = "not_installed" if probe.status == "not_installed" else "failed"
            results[spec.id] = SuiteResult(
                spec.id, spec.display_name, status, 0.0, reason=probe.reason, processes=0
            )
    steps = [(n, phase) for n in range(1, preset.rounds + 1) for phase in PHASES if phase in plans]
    for number, phase in steps:
        for spec in specs:
            previous = results.get(spec.id)
            if previous is not None and previous.status != "ok":
                continue
            label = f"round {number} of {preset.rounds}, {phase}"
            listen(BenchEvent(spec.id, "message", f"{spec.display_name} suite, {label}"))
            outcome = run_suite(
                spec, record.interpreter, plans[phase], preset.suite_timeout_s, listen, cancel
            )
            results[spec.id] = (
                outcome if previous is None else merge_processes(previous, outcome, label)
            )
            if outcome.status == "cancelled":
                return [results[s.id] for s in specs if s.id in results]
    return [results[s.id] for s in specs]


def run_suite(
    spec: FrameworkSpec,
    interpreter: Interpreter,
    plan_path: Path,
    timeout_s: float,
    listen: BenchListener,
    cancel: threading.Event | None = None,
) -> SuiteResult:
    """One framework's suite in its own subprocess; finished cases are kept whatever happens."""
    cases: dict[tuple[str, str, str], CaseResult] = {}

    def on_raw_event(event: dict[str, Any]) -> None:
        _relay(spec.id, event, cases, listen)

    argv = [interpreter.executable, str(spec.bench_script), "--plan", str(plan_path)]
    result = run_process(argv, timeout_s, on_raw_event, cancel=cancel)
    return suite_from_result(spec, result, timeout_s, list(cases.values()))


def _relay(
    framework: str,
    event: dict[str, Any],
    cases: dict[tuple[str, str, str], CaseResult],
    listen: BenchListener,
) -> None:
    """Forward a bench event; each case's latest result replaces its earlier ones."""
    stage = event.get("stage")
    message = str(event.get("message", ""))
    if stage in {"case_updated", "case_finished"}:
        case = parse_case(event.get("result"))
        cases[case.workload, case.variant, case.dtype] = case
        kind: Literal["case_updated", "case_finished"] = (
            "case_finished" if stage == "case_finished" else "case_updated"
        )
        listen(BenchEvent(framework, kind, message, case))
    elif stage == "case_started":
        listen(BenchEvent(framework, "case_started", message))
    else:
        listen(BenchEvent(framework, "message", message))


def parse_case(data: Any) -> CaseResult:
    """A case result from a bench event, with statistics; malformed data is a failed case."""
    try:
        case = from_jsonable(CaseResult, data)
    except SchemaError as exc:
        label = data.get("workload", "?") if isinstance(data, dict) else "?"
        return CaseResult(str(label), "?", "?", "failed", reason=f"malformed result: {exc}")
    if case.status != "ok":
        return case
    if len(case.samples_s) < 2:
        return replace(case, status="failed", reason="fewer than two timed samples")
    return replace(case, stats=summarise(case.samples_s))


def suite_from_result(
    spec: FrameworkSpec, result: ProcessResult, timeout_s: float, cases: list[CaseResult]
) -> SuiteResult:
    """The suite's outcome: its summary document, or why it has none, plus the finished cases."""
    partial = SuiteResult(spec.id, spec.display_name, "failed", result.duration_s, tuple(cases))
    if result.cancelled:
        return replace(partial, status="cancelled", reason="cancelled by the user")
    failure = result.failure_reason(timeout_s)
    if failure:
        return replace(partial, reason=f"suite {failure}")
    try:
        document = from_jsonable(SuiteDocument, json.loads(result.stdout))
    except (json.JSONDecodeError, SchemaError) as exc:
        return replace(partial, reason=f"suite output unusable: {exc}")
    return replace(
        partial,
        status="ok",
        version=document.version,
        import_time_s=document.import_time_s,
        rss_after_import_bytes=document.rss_after_import_bytes,
        peak_rss_bytes=document.peak_rss_bytes,
        settings=document.settings,
    )


def _run_parity(
    interpreter: Interpreter, plan_path: Path, listen: BenchListener
) -> tuple[ParityCheck, ...]:
    listen(BenchEvent("", "message", "comparing the outputs of both frameworks"))
    script = probes_folder() / "parity_check.py"
    result = run_process(
        [interpreter.executable, str(script), "--plan", str(plan_path)], _PARITY_TIMEOUT_S
    )
    failure = result.failure_reason(_PARITY_TIMEOUT_S)
    try:
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
                reason=f"parity check failed: {exc}",
            )
            for w in plan["workloads"]
        )
