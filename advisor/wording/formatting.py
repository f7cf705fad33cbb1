"""Formatting all front-ends share: numbers, bytes, timed cases, ratios, inventory, headline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from advisor.base.progress import Progress
from advisor.bench.stats import figure

# The one ratio wording lives beside ratio_text, where scoring reaches it too; the app
# reaches it here, with the rest of the shared wording.
from advisor.comparison import busy_note as busy_note  # noqa: PLC0414 (re-exported)
from advisor.comparison import ratio_text as ratio_text  # noqa: PLC0414 (re-exported)
from advisor.comparison import ratio_words as ratio_words  # noqa: PLC0414 (re-exported)
from advisor.record import (
    BuildInfo,
    CacheLevel,
    CaseResult,
    CpuInfo,
    FrameworkProbe,
    GpuInfo,
    GpuInventory,
    MachineInventory,
    PackageVersion,
    ParityCheck,
    Record,
    WorkloadInfo,
)
from advisor.scoring.engine import NAMES, Recommendation

Row = tuple[str, str]
Section = tuple[str, list[Row]]


def format_bytes(count: int | None) -> str:
    """Binary units, one decimal: 1536 -> '1.5 KiB'."""
    if count is None:
        return "unknown"
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _mhz(value: float | None) -> str:
    return f"{value:.0f} MHz" if value else "unknown"


def _cache(cache: CacheLevel) -> str:
    kind = {"Data": "d", "Instruction": "i"}.get(cache.kind, "")
    return f"L{cache.level}{kind} {format_bytes(cache.size_bytes)}"


def _features(cpu: CpuInfo) -> str:
    if not cpu.features:
        return f"unknown ({cpu.features_unknown_reason})"
    present = [name for name, ok in cpu.features.items() if ok]
    absent = [name for name, ok in cpu.features.items() if not ok]
    return f"{', '.join(present) or 'none'}  (absent: {', '.join(absent) or 'none'})"


def _cpu_rows(cpu: CpuInfo) -> list[Row]:
    identity = ", ".join(filter(None, [cpu.vendor, cpu.architecture]))
    return [
        ("Model", f"{cpu.model or 'unknown'} ({identity})"),
        ("Cores", f"{cpu.physical_cores or '?'} physical, {cpu.logical_cores or '?'} logical"),
        (
            "Clock",
            f"base {_mhz(cpu.base_mhz)}, max {_mhz(cpu.max_mhz)}, now {_mhz(cpu.current_mhz)}",
        ),
        ("Caches", ", ".join(_cache(c) for c in cpu.caches) or "unknown"),
        ("DL features", _features(cpu)),
    ]


def _gpu_row(gpu: GpuInfo) -> Row:
    parts = [
        f"{format_bytes(gpu.memory_free_bytes)} free of {format_bytes(gpu.memory_total_bytes)}",
        f"compute {gpu.compute_capability or '?'}",
        f"SM max {_mhz(gpu.max_sm_clock_mhz)}",
        f"power limit {gpu.power_limit_w:.0f} W" if gpu.power_limit_w else "power limit unknown",
        f"PCIe gen {gpu.pcie_generation or '?'} x{gpu.pcie_width or '?'}",
    ]
    return (f"GPU {gpu.index}", f"{gpu.name}: " + ", ".join(parts))


def _gpu_rows(inventory: GpuInventory) -> list[Row]:
    if not inventory.gpus:
        return [("None", f"no NVIDIA GPU: {inventory.unavailable_reason}")]
    driver = f"{inventory.driver_version or '?'} (CUDA {inventory.cuda_driver_version or '?'})"
    return [("Driver", driver), *(_gpu_row(gpu) for gpu in inventory.gpus)]


def _machine_sections(machine: MachineInventory) -> list[Section]:
    system, memory = machine.system, machine.memory
    swap = (
        f"{format_bytes(memory.swap_used_bytes)} used of {format_bytes(memory.swap_total_bytes)}"
        if memory.swap_total_bytes
        else "none"
    )
    return [
        (
            "System",
            [
                ("OS", f"{system.os} {system.kernel} ({system.distribution or 'unknown'})"),
                ("Hostname", system.hostname),
                ("Python", f"{system.python_version} {system.python_executable}"),
            ],
        ),
        ("CPU", _cpu_rows(machine.cpu)),
        (
            "Memory",
            [
                (
                    "RAM",
                    f"{format_bytes(memory.total_bytes)} total, "
                    f"{format_bytes(memory.available_bytes)} available",
                ),
                ("Swap", swap),
            ],
        ),
        ("NVIDIA GPUs", _gpu_rows(machine.gpu)),
    ]


def _build(build: BuildInfo) -> str:
    def show(value: str | None) -> str:
        return value or "none"

    mkl = "unknown" if build.mkl is None else ("yes" if build.mkl else "no")
    return (
        f"CUDA {show(build.cuda_version)}, cuDNN {show(build.cudnn_version)}, "
        f"ROCm {show(build.rocm_version)}, oneDNN {build.onednn or 'unknown'}, MKL {mkl}"
    )


def _ecosystem(packages: Sequence[PackageVersion]) -> str:
    installed = [f"{p.name} {p.version}" for p in packages if p.version]
    return ", ".join(installed) or "none of the listed packages"


def _framework_rows(probe: FrameworkProbe) -> list[Row]:
    report = probe.report
    if report is None:
        rows = [(probe.display_name, f"{probe.status.replace('_', ' ')}: {probe.reason}")]
        if probe.install_hint:
            rows.append(("  install", probe.install_hint))
        return rows
    devices = ", ".join(
        f"{d.name} ({'op ok' if d.op_ok else 'op FAILED: ' + (d.op_error or '?')})"
        for d in report.devices
    )
    return [
        (probe.display_name, report.version),
        ("  location", f"{report.location} ({format_bytes(report.size_on_disk_bytes)})"),
        ("  build", _build(report.build)),
        ("  devices", devices),
        (
            "  import",
            f"{report.import_time_s:.2f} s, "
            f"{format_bytes(report.rss_after_import_bytes)} resident after import",
        ),
        ("  ecosystem", _ecosystem(probe.ecosystem)),
    ]


def inventory_sections(record: Record) -> list[Section]:
    """The machine and the probed frameworks as titled (label, value) rows: terminal and report."""
    interpreter = record.interpreter
    framework_rows = [row for probe in record.frameworks for row in _framework_rows(probe)]
    return [
        *_machine_sections(record.machine),
        (f"Frameworks in Python {interpreter.version} ({interpreter.executable})", framework_rows),
    ]


def format_number(value: float) -> str:
    """Three significant figures, thousands separated: 12345.6 -> '12,346', 0.01234 -> '0.0123'.

    From a billion on, in exponent form ('1.23e+12'): no figure runs to dozens of digits.
    """
    if abs(value) >= 1e9:
        return f"{value:.3g}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def format_case(case: CaseResult, value: float, low: float, high: float, unit: str) -> str:
    """'12,345 samples/s [12,001-12,600] cv 1.2% n=25' with a noisy marker when needed."""
    assert case.stats is not None
    noisy = " NOISY" if case.stats.noisy else ""
    return (
        f"{format_number(value)} {unit} [{format_number(low)}-{format_number(high)}] "
        f"cv {case.stats.cv:.1%} n={case.stats.samples}{noisy}"
    )


ALMOST_DONE_S = 5.0
ALMOST_DONE_SHARE = 0.9


def progress_text(progress: Progress) -> str:
    """'eager phase: timing matmul, pass 2 of 5 · about 30 s left'; 'cancelled' or 'done'
    alone once the run has ended."""
    left = time_left(progress)
    return f"{progress.step} · {left}" if left else progress.step


def parity_text(check: ParityCheck | None) -> str:
    """A parity check in words: 'numerics agree (max abs diff 1e-07, ...)', or why not checked."""
    if check is None:
        return ""
    if check.agree is None:
        return f"numerics not checked: {check.reason}"
    verdict = "numerics agree" if check.agree else "NUMERICS DISAGREE"
    return (
        f"{verdict} (max abs diff {check.max_abs_diff:.2g}, rel {check.max_rel_diff:.2g}; "
        f"tolerance rtol {check.rtol:g}, atol {check.atol:g})"
    )


ON_DEFAULTS = "resting on defaults: no question answered yet"


def headline(rec: Recommendation) -> str:
    """One line: the winner, the confidence, the margin, both totals; whether it rests on
    the defaults alone."""
    return (
        f"Recommendation: {NAMES[rec.winner]} ({rec.confidence}), by {rec.margin:.2f} points "
        f"out of 10 (PyTorch {rec.totals['torch']:.2f}, "
        f"TensorFlow {rec.totals['tensorflow']:.2f})"
    ) + (f", {ON_DEFAULTS}" if rec.rests_on_defaults else "")


def answers_basis(rec: Recommendation) -> str:
    """Where the answers came from, and how many questions are still at their defaults."""
    left = len(rec.unanswered)
    if rec.rests_on_defaults:
        return f"{rec.answers_source}: no question answered yet"
    if left:
        plural = "s" if left > 1 else ""
        return f"{rec.answers_source}; {left} question{plural} still at the default"
    return rec.answers_source


def local_time(iso: str) -> str:
    """An ISO 8601 UTC timestamp as the user's local time: '2026-11-26 22:41 UTC+01:00'."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone()
    offset = local.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("+0000", "") else "UTC"
    return local.strftime("%Y-%m-%d %H:%M ") + zone


def framework_name(framework: str) -> str:
    """The name people know a framework by ('torch' -> 'PyTorch'), from frameworks.toml."""
    return NAMES.get(framework, framework)


def case_median(case: CaseResult, workload: WorkloadInfo) -> str:
    """'44,800 samples/s' (with ', noisy' when dispersed), or why the case failed."""
    if case.stats is None:
        return f"failed ({case.reason})"
    value, _low, _high = figure(case, workload)
    noisy = ", noisy" if case.stats.noisy else ""
    return f"{format_number(value)} {workload.unit}{noisy}"


def case_text(case: CaseResult, workload: WorkloadInfo) -> str:
    """A timed case in the workload's unit with its spread, or why it failed."""
    if case.stats is None:
        return f"failed ({case.reason})"
    return format_case(case, *figure(case, workload), workload.unit)


def time_left(progress: Progress | None) -> str:
    """'estimating time left', 'about 8 s left', 'about 1 min 25 s left' (to 5 s above 20 s);
    'taking longer than estimated' once the estimate has run out; 'almost done' only under
    ALMOST_DONE_S left and past ALMOST_DONE_SHARE of the run; '' once the run ended
    (its step then says "done" or "cancelled")."""
    if progress is not None and progress.ended:
        return ""
    seconds = None if progress is None else progress.left_s
    if progress is None or seconds is None:
        return "estimating time left"
    if seconds < 0.5:  # the estimate ran out and the run goes on: it cannot say how long
        return "taking longer than estimated"
    if seconds < ALMOST_DONE_S and progress.fraction > ALMOST_DONE_SHARE:
        return "almost done"
    whole = round(seconds) if seconds < 20 else 5 * round(seconds / 5)
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return f"about {rest} s left"
    return f"about {minutes} min {rest} s left" if rest else f"about {minutes} min left"


def duration_words(low_s: float, high_s: float) -> str:
    """What a run should take: 'about 10 s', 'about 2 min', or where it is not known better
    than a range, '1.5-3 min' or '40 s-1.5 min' (seconds to 5 s, minutes to the half)."""
    low, high = _duration(low_s), _duration(high_s)
    if low == high:
        return f"about {low}"
    if low.endswith(" min") and high.endswith(" min"):
        return f"{low.removesuffix(' min')}-{high}"
    return f"{low}-{high}"


def _duration(seconds: float) -> str:
    if seconds < 57.5:
        return f"{max(5, 5 * round(seconds / 5))} s"
    return f"{round(seconds / 30) / 2:g} min"
