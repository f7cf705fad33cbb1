"""The terminal view of a benchmark run: comparison table, compilation, framework cost, parity."""

from __future__ import annotations

from advisor.comparison import (
    PAIR_LABELS,
    VARIANT_LABELS,
    Comparison,
    ComparisonRow,
    CompileRow,
    Side,
)
from advisor.record import (
    CaseResult,
    PeakEstimate,
    SuiteResult,
    WorkloadInfo,
)
from advisor.scoring.engine import NAMES
from advisor.wording.formatting import (
    busy_note,
    case_text,
    format_bytes,
    format_case,
    format_number,
    parity_text,
    ratio_text,
    ratio_words,
)


def _side(side: Side, unit: str) -> str:
    shown = side.figure
    if shown is None:
        return f"- ({side.reason})"
    text = format_case(shown.case, shown.value, shown.low, shown.high, unit)
    if shown.case.variant != "eager":
        text = f"{VARIANT_LABELS[shown.case.variant]}: {text}"
    if shown.percent_of_peak is not None:
        text += f", {format_number(shown.percent_of_peak)}% of peak"
    return text


def _row_lines(row: ComparisonRow) -> list[str]:
    unit = row.workload.unit
    lines = [
        f"  {row.workload.id} {row.dtype}, {PAIR_LABELS[row.pair]}: "
        f"{ratio_words(row.ratio, row.interval, row.busy)}",
        f"      PyTorch     {_side(row.torch, unit)}",
        f"      TensorFlow  {_side(row.tensorflow, unit)}",
    ]
    parity = parity_text(row.parity)
    return lines + ([f"      {parity}"] if parity else [])


def _compile_line(row: CompileRow) -> str:
    label = f"  {row.workload.id:<16}{NAMES.get(row.framework, row.framework):<12}"
    label += f"{VARIANT_LABELS[row.variant]:<19}"
    if row.speedup is None:
        first = f", first call {row.first_call_s:.2f} s" if row.first_call_s is not None else ""
        return f"{label}- ({row.reason}){first}"
    return f"{label}{ratio_text(row.speedup)}x eager, first call {row.first_call_s or 0:.2f} s"


def _cost_lines(suites: tuple[SuiteResult, ...]) -> list[str]:
    lines = ["Framework cost"]
    for suite in suites:
        if suite.import_time_s is None:
            lines.append(f"  {suite.display_name:<12}- ({suite.reason or suite.status})")
            continue
        lines.append(
            f"  {suite.display_name:<12}import {suite.import_time_s:.2f} s, "
            f"{format_bytes(suite.rss_after_import_bytes)} after import, "
            f"peak {format_bytes(suite.peak_rss_bytes)} during the suite"
        )
    return lines


def format_benchmarks(comparison: Comparison) -> str:
    """The whole benchmark run as text."""
    run = comparison.run
    threads = f"{run.threads} thread{'s' if run.threads != 1 else ''}"
    lines = [
        f"Benchmarks: {run.preset} preset on {run.device} ({run.device_name}), {threads}, "
        f"{run.wall_time_s:.1f} s" + (" - CANCELLED, partial results" if run.cancelled else ""),
        "  figures: median [p10-p90] of per-iteration timings; NOISY = cv above "
        f"{run.noise_threshold_cv:.0%}; ratios with their 95% bootstrap interval",
        f"  pairs: {PAIR_LABELS['as_written']} = PyTorch eager vs TensorFlow as Keras runs "
        f"it here ({comparison.keras_default_label}); {PAIR_LABELS['compiled']} = "
        f"torch.compile vs XLA; {PAIR_LABELS['eager']}",
    ]
    busy = busy_note(comparison)
    lines += [f"  ! {busy}"] if busy else []
    for row in comparison.rows:
        lines += _row_lines(row)
    compiled = comparison.compile_rows
    if compiled:
        lines.append(
            "Compilation (steady-state speed-up over eager; first call includes compiling)"
        )
        lines += [_compile_line(row) for row in compiled]
    lines += _cost_lines(run.suites)
    lines.append("Theoretical peak")
    lines += [_peak_line(peak) for peak in run.peaks]
    return "\n".join(lines) + "\n"


def _peak_line(peak: PeakEstimate) -> str:
    if peak.gflops is None:
        return f"  {peak.dtype:<10}{peak.basis}"
    return f"  {peak.dtype:<10}{format_number(peak.gflops)} GFLOP/s = {peak.basis}"


def format_live_case(framework: str, case: CaseResult, workload: WorkloadInfo) -> str:
    """One progress line for a case that just finished."""
    label = f"{NAMES.get(framework, framework)} {case.workload} {case.variant} {case.dtype}"
    return f"{label}: {case_text(case, workload)}"
