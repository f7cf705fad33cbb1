"""The one versioned record: everything measured about the machine and its frameworks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from advisor.base.errors import RecordFormatError, quoted
from advisor.base.fileio import atomic_write_text
from advisor.base.serde import Bounds, SchemaError, dumps, from_jsonable

# Measured quantities, checked when a record is read, each within what a machine can
# plausibly measure. The ranges keep every figure derived from them finite: a throughput
# (work / time) stays below 1e30, a ratio of two below 1e36, a time in ms below 1e9.
MAX_SECONDS = 1e6  # eleven days: no run, import or iteration takes longer
Seconds = Annotated[float, Bounds(at_least=1e-12, at_most=MAX_SECONDS, what="seconds per run")]
Duration = Annotated[float, Bounds(at_least=0, at_most=MAX_SECONDS, what="seconds")]
Count = Annotated[int, Bounds(at_least=0, at_most=10**9, what="a count")]
Threads = Annotated[int, Bounds(at_least=1, at_most=10**9, what="a count")]
Bytes = Annotated[int, Bounds(at_least=0, at_most=2**53, what="bytes")]  # 8 PiB
Work = Annotated[float, Bounds(at_least=0, at_most=1e18, what="FLOPs or items per iteration")]
Spread = Annotated[float, Bounds(at_least=0, at_most=1e6, what="a relative spread")]
Difference = Annotated[float, Bounds(at_least=0, at_most=1e18, what="an output difference")]
Megahertz = Annotated[float, Bounds(at_least=0, at_most=1e6, what="MHz")]
Watts = Annotated[float, Bounds(at_least=0, at_most=1e6, what="watts")]
Gflops = Annotated[float, Bounds(at_least=1e-3, at_most=1e12, what="GFLOP/s")]
# A case's timed samples: five times what the full preset takes. Every comparison
# resamples them a thousand times, so a record with millions would take hours to show.
MAX_SAMPLES = 1000
Samples = Annotated[tuple[Seconds, ...], Bounds(at_most=MAX_SAMPLES, what="timed samples")]

# 2 added the user's own model, where each answer came from and the code the scan read;
# a version-1 record has none of them and reads as it did. 3: the machine's CPU use during
# each slot of a bench run and each deployment route's timing (what else the machine did),
# and answers' origins that name every value nobody gave (before, a value equal to its
# default read as one); an older record has no CPU use and its origins read as they showed.
SCHEMA_VERSION = 3
READABLE_SCHEMA_VERSIONS = (1, 2, SCHEMA_VERSION)
DERIVED_KEYS = ("verdict", "compared")  # what a JSON report adds to its record


@dataclass(frozen=True)
class CacheLevel:
    """One CPU cache, as the kernel describes it."""

    level: Count
    kind: str  # "Data", "Instruction" or "Unified"
    size_bytes: Bytes
    shared_by_cpus: Count


@dataclass(frozen=True)
class CpuInfo:
    """The processor: identity, topology, clocks, caches and deep-learning ISA features."""

    model: str | None
    vendor: str | None
    architecture: str
    physical_cores: Count | None
    logical_cores: Count | None
    base_mhz: Megahertz | None
    max_mhz: Megahertz | None
    current_mhz: Megahertz | None  # the kernel's figure now; in a VM often the only clock known
    caches: tuple[CacheLevel, ...]
    features: dict[str, bool]  # feature label -> present; empty when unknown
    features_unknown_reason: str | None = None
    family: Count | None = None  # x86 "cpu family", identifies the microarchitecture with model
    model_number: Count | None = None


@dataclass(frozen=True)
class MemoryInfo:
    """RAM and swap, in bytes."""

    total_bytes: Bytes
    available_bytes: Bytes
    swap_total_bytes: Bytes
    swap_used_bytes: Bytes


@dataclass(frozen=True)
class GpuInfo:
    """One NVIDIA GPU as NVML reports it; fields NVML cannot answer are None."""

    index: Count
    name: str
    memory_total_bytes: Bytes | None
    memory_free_bytes: Bytes | None
    compute_capability: str | None
    power_limit_w: Watts | None
    max_sm_clock_mhz: Count | None
    pcie_generation: Count | None
    pcie_width: Count | None
    cuda_cores: Count | None = None


@dataclass(frozen=True)
class GpuInventory:
    """NVIDIA GPUs through NVML, or the reason none could be listed."""

    gpus: tuple[GpuInfo, ...]
    driver_version: str | None = None
    cuda_driver_version: str | None = None
    unavailable_reason: str | None = None


@dataclass(frozen=True)
class SystemInfo:
    """Operating system and the advisor's own Python."""

    os: str
    distribution: str | None
    kernel: str
    hostname: str
    python_version: str
    python_executable: str


@dataclass(frozen=True)
class MachineInventory:
    """The hardware and operating system, read in the advisor's own process."""

    system: SystemInfo
    cpu: CpuInfo
    memory: MemoryInfo
    gpu: GpuInventory


@dataclass(frozen=True)
class Interpreter:
    """The Python environment whose frameworks were probed."""

    executable: str  # the path the probes were run through
    version: str
    implementation: str
    prefix: str


@dataclass(frozen=True)
class BuildInfo:
    """How a framework binary was built; None where the framework does not say."""

    cuda_version: str | None
    cudnn_version: str | None
    rocm_version: str | None
    onednn: str | None  # version, "enabled", "disabled" or None
    mkl: bool | None
    details: dict[str, str]


@dataclass(frozen=True)
class DeviceCheck:
    """A device the framework sees, and whether a tiny op really ran on it."""

    kind: Literal["cpu", "cuda", "rocm", "mps", "other"]
    name: str
    op_ok: bool
    op_error: str | None = None


@dataclass(frozen=True)
class PackageVersion:
    """An ecosystem package of the environment; version None when not installed."""

    name: str
    version: str | None


@dataclass(frozen=True)
class FrameworkReport:
    """What a successful probe found about an importable framework."""

    version: str
    location: str
    size_on_disk_bytes: Bytes
    import_time_s: Duration
    rss_after_import_bytes: Bytes | None
    build: BuildInfo
    devices: tuple[DeviceCheck, ...]


ProbeStatus = Literal["ok", "not_installed", "import_error", "failed"]


@dataclass(frozen=True)
class FrameworkProbe:
    """The outcome of probing one framework: a report, or the reason there is none."""

    framework: str
    display_name: str
    status: ProbeStatus
    duration_s: Duration
    report: FrameworkReport | None = None
    reason: str | None = None
    install_hint: str | None = None
    ecosystem: tuple[PackageVersion, ...] = ()


@dataclass(frozen=True)
class Statistics:
    """Summary of per-iteration times; the raw samples stay beside it."""

    median_s: Seconds
    p10_s: Seconds
    p90_s: Seconds
    cv: Spread  # standard deviation / mean
    samples: Count
    noisy: bool  # cv above the noise threshold


@dataclass(frozen=True)
class CaseResult:
    """One timed case: a workload in one dtype and one execution variant of one framework."""

    workload: str
    variant: str  # eager, compile (torch.compile), function (tf.function), xla
    dtype: str
    status: Literal["ok", "failed"]
    reason: str | None = None
    samples_s: Samples = ()  # seconds per iteration, one per timed block
    inner_iterations: Count = 0
    warmup_iterations: Count = 0
    work_per_iteration: Work = 0.0  # FLOPs or items, per the workload's `work`
    first_call_s: Duration | None = None  # first call, including tracing/compiling
    stats: Statistics | None = None

    def __post_init__(self) -> None:
        # Every figure is work over time, and a ratio divides one by another: a case that
        # ran did at least one FLOP or item per iteration, so no ratio overflows.
        if self.status == "ok" and not self.work_per_iteration >= 1:
            raise ValueError("a case that ran must do at least one FLOP or item per iteration")


SuiteStatus = Literal["ok", "failed", "not_installed", "cancelled"]


@dataclass(frozen=True)
class SuiteResult:
    """One framework's suite, run in its own subprocess; finished cases survive a failure."""

    framework: str
    display_name: str
    status: SuiteStatus
    wall_time_s: Duration
    cases: tuple[CaseResult, ...] = ()
    reason: str | None = None
    version: str | None = None
    import_time_s: Duration | None = None
    rss_after_import_bytes: Bytes | None = None
    peak_rss_bytes: Bytes | None = None
    settings: dict[str, str] = field(default_factory=dict)
    processes: Count = 1  # suite processes (eager and compiled phases) pooled here


@dataclass(frozen=True)
class ParityCheck:
    """Whether both frameworks computed the same float32 outputs (every one) for one workload."""

    workload: str
    agree: bool | None  # None: could not be checked (see reason)
    max_abs_diff: Difference | None
    max_rel_diff: Difference | None  # max |a - b| / max |b|
    rtol: Difference
    atol: Difference
    reason: str | None = None
    # bench --model: the Keras back-end whose outputs were checked, with the same weights,
    # against the first back-end's (TensorFlow's where installed); None in the suite
    # (PyTorch against TensorFlow)
    backend: str | None = None


@dataclass(frozen=True)
class PeakEstimate:
    """Theoretical peak of the benchmarked device for one dtype, or why it is unknown."""

    dtype: str
    gflops: Gflops | None
    basis: str


@dataclass(frozen=True)
class WorkloadInfo:
    """What a workload measured, copied from the spec so a saved run renders on its own."""

    id: str
    title: str
    metric: Literal["throughput", "latency"]
    unit: str
    work: Literal["flops", "items"]
    params: dict[str, Any]


UserModelKind = Literal["torch", "keras", "tensorflow"]


@dataclass(frozen=True)
class UserModel:
    """The user's own model, as far as the record keeps it: where it came from, never itself."""

    source: str  # the file (relative to the working folder where possible) or package.module
    function: str
    sha256: str | None  # of the file; None for a module that has no file
    parameters: Count
    kind: UserModelKind
    backend: str | None  # Keras's back-end when the factory ran (kind "keras" only)
    input_shapes: tuple[tuple[int, ...], ...]
    # kind "keras": the back-ends it can run on that are installed where it ran
    # (tensorflow, torch, jax; bench --model times it on each of them)
    backends: tuple[str, ...] = ()


@dataclass(frozen=True)
class CpuUse:
    """The machine's CPU time over one stretch of a run, read from Linux's /proc: other
    work's share of the cores is (busy_s - own_s) / (elapsed_s x cores) (machine/load.py)."""

    elapsed_s: Duration
    cores: Threads  # those the run may use
    busy_s: Duration  # their user, nice, system, irq, softirq and steal time
    own_s: Duration  # the run's own processes': the advisor and its descendants
    steal_s: Duration  # taken by the hypervisor for other virtual machines (0 on bare metal)


@dataclass(frozen=True)
class SlotUse:
    """The machine's CPU use during one slot of the suite: one workload's turn in a phase."""

    phase: str  # "eager" or "compiled": the processes whose variants it timed
    command: str  # "prepare" (set-up, first calls) or "measure" (one timing pass)
    workload: str
    use: CpuUse


MAX_SLOTS = 10_000  # the full preset has a few hundred
SlotUses = Annotated[tuple[SlotUse, ...], Bounds(at_most=MAX_SLOTS, what="slots")]


@dataclass(frozen=True)
class BenchmarkRun:
    """One run of the micro-benchmark suite for both frameworks on one device."""

    preset: str
    device: Literal["cpu", "cuda"]
    device_name: str
    threads: Threads
    seed: int
    started_at: str
    wall_time_s: Duration
    cancelled: bool
    workloads: tuple[WorkloadInfo, ...]
    suites: tuple[SuiteResult, ...]
    parity: tuple[ParityCheck, ...]
    peaks: tuple[PeakEstimate, ...]
    noise_threshold_cv: Spread
    model: UserModel | None = None  # the user's own model (bench --model), not the suite
    cpu_use: SlotUses = ()  # per slot; none before schema 3, off Linux, or for --model


ModelDeployStatus = Literal[
    "ok", "exported", "frozen", "mismatch", "failed", "timed_out", "cancelled"
]


@dataclass(frozen=True)
class ModelDeployment:
    """One model through one route: exported, loaded in the route's runtime, compared, timed.

    "exported": the artifact was written but its runtime is not Python (TensorFlow.js).
    "frozen": it reproduced the example input, but the export traced one branch of
    data-dependent code (a tracer warned, or a second input gave a different output).
    """

    model: str
    status: ModelDeployStatus
    reason: str | None = None
    export_s: Duration | None = None
    artifact_bytes: Bytes | None = None
    load_first_s: Duration | None = None  # load + first inference, in a fresh process
    max_abs_diff: Difference | None = None  # against the framework's own output
    max_rel_diff: Difference | None = None  # max |a - b| / max |b|
    samples_s: Samples = ()  # batch-1 seconds per inference, one per timed block
    inner_iterations: Count = 0
    stats: Statistics | None = None


RouteStatus = Literal[
    "ok",
    "exported",
    "frozen",
    "mismatch",
    "failed",
    "timed_out",
    "not_installed",
    "skipped",
    "cancelled",
]


@dataclass(frozen=True)
class RouteResult:
    """One deployment route tried on this machine, for every model; copied from the spec too."""

    route: str
    title: str
    framework: str  # whose model: torch, tensorflow, or keras_torch (Keras 3 on PyTorch)
    targets: tuple[str, ...]
    status: RouteStatus
    reason: str | None = None
    install_hint: str | None = None
    deprecated: bool = False
    note: str | None = None
    runtime: str | None = None  # the runtime that loaded the artifacts, with its version
    runtime_import_s: Duration | None = None
    frameworks_loaded: tuple[str, ...] = ()  # frameworks the loading process ended up importing
    models: tuple[ModelDeployment, ...] = ()
    cpu_use: CpuUse | None = None  # while its loading process ran (and timed the latencies)


@dataclass(frozen=True)
class DeploymentRun:
    """Each chosen route's export, reload and timing, for the benchmark's seeded models."""

    preset: str
    targets: tuple[str, ...]
    threads: Threads
    seed: int
    started_at: str
    wall_time_s: Duration
    cancelled: bool
    rtol: Difference
    atol: Difference
    exporters: dict[str, str]  # framework -> the version that exported
    routes: tuple[RouteResult, ...]
    model: UserModel | None = None  # the user's own model, in place of the seeded ones


@dataclass(frozen=True)
class CodeFinding:
    """An answer a scan proposed, with its evidence; `kept` is False where the user's won."""

    question: str
    value: str  # as the questionnaire words it
    evidence: tuple[str, ...]
    kept: bool


@dataclass(frozen=True)
class CodeReading:
    """What a scan of the user's code read (paths relative to the scanned folder)."""

    roots: tuple[str, ...]
    findings: tuple[CodeFinding, ...]
    suggestions: tuple[str, ...]  # must-haves to consider, with their evidence
    read: tuple[str, ...]  # what was read and left out, one line each


@dataclass(frozen=True)
class SavedAnswers:
    """The questionnaire answers a report was weighed with, as given (checked again on load)."""

    source: str
    values: dict[str, Any]
    origins: dict[str, str] = field(default_factory=dict)  # see Answers.origins
    code: CodeReading | None = None  # what a scan of the user's code read, if one did


@dataclass(frozen=True)
class Record:
    """The versioned document every command reads and writes."""

    schema_version: int
    advisor_version: str
    created_at: str  # ISO 8601, UTC
    command: str
    machine: MachineInventory
    interpreter: Interpreter
    frameworks: tuple[FrameworkProbe, ...]
    benchmarks: BenchmarkRun | None = None
    answers: SavedAnswers | None = None  # set by `report`, so a saved report re-renders as is
    deployment: DeploymentRun | None = None


def record_to_json(record: Record) -> str:
    """The record as indented, strict JSON text."""
    return dumps(record) + "\n"


def _not_a_number(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(text: str, source: str) -> Any:
    """Strict JSON text of a file the user named; anything else is one RecordFormatError."""
    try:
        return json.loads(text, parse_constant=_not_a_number)
    except json.JSONDecodeError as exc:
        raise RecordFormatError(
            f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from exc
    except ValueError as exc:  # NaN, Infinity
        raise RecordFormatError(f"{source}: not valid JSON ({exc})") from exc
    except RecursionError:
        raise RecordFormatError(f"{source}: not valid JSON (nested too deeply)") from None


def record_from_json(text: str, source: str = "record") -> Record:
    """Parse and validate a record, naming the source and the field on failure."""
    data = parse_json(text, source)
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version not in READABLE_SCHEMA_VERSIONS:
        raise RecordFormatError(
            f"{source}: schema_version {quoted(version)} is not supported "
            f"(expected 1 to {SCHEMA_VERSION})"
        )
    # A JSON report carries its verdict (and a comparison of machines) beside the record;
    # both are derived, and re-computed.
    data = {key: value for key, value in data.items() if key not in DERIVED_KEYS}
    try:
        return from_jsonable(Record, data)
    except SchemaError as exc:
        raise RecordFormatError(f"{source}: {exc}") from exc


def save_record(record: Record, path: Path) -> None:
    """Write the record atomically."""
    atomic_write_text(path, record_to_json(record))
