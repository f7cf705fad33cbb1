"""Side-by-side view of a benchmark run: the rows every front-end and report shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from advisor.bench.stats import figure, speed_ratio
from advisor.record import BenchmarkRun, CaseResult, ParityCheck, SuiteResult, WorkloadInfo

VARIANT_LABELS = {
    "eager": "eager",
    "compile": "torch.compile",
    "function": "tf.function",
    "xla": "tf.function + XLA",
}
COMPILED = ("compile", "function", "xla")


@dataclass(frozen=True)
class Figure:
    """One framework's measured figure for a comparison row."""

    case: CaseResult
    value: float
    low: float
    high: float
    percent_of_peak: float | None


@dataclass(frozen=True)
class Side:
    """A framework's cell in a row: a figure, or why there is none."""

    figure: Figure | None
    reason: str | None


@dataclass(frozen=True)
class ComparisonRow:
    """Both frameworks on one workload, dtype and mode (eager, or each one's best compiled)."""

    workload: WorkloadInfo
    dtype: str
    mode: Literal["eager", "compiled"]
    torch: Side
    tensorflow: Side
    ratio: float | None  # PyTorch speed / TensorFlow speed; >1: PyTorch is faster
    parity: ParityCheck | None


@dataclass(frozen=True)
class CompileRow:
    """A compiled variant against its own framework's eager run."""

    framework: str
    workload: WorkloadInfo
    variant: str
    speedup: float | None  # steady-state, compiled speed / eager speed
    first_call_s: float | None  # including tracing and compiling
    reason: str | None


def _suite(run: BenchmarkRun, framework: str) -> SuiteResult | None:
    return next((s for s in run.suites if s.framework == framework), None)


def _cases(suite: SuiteResult | None, workload: str, dtype: str) -> list[CaseResult]:
    if suite is None:
        return []
    return [c for c in suite.cases if c.workload == workload and c.dtype == dtype]


def _peak(run: BenchmarkRun, workload: WorkloadInfo, dtype: str, value: float) -> float | None:
    if workload.work != "flops":
        return None
    peak = next((p for p in run.peaks if p.dtype == dtype), None)
    return 100.0 * value / peak.gflops if peak and peak.gflops else None


def _side(
    run: BenchmarkRun, suite: SuiteResult | None, workload: WorkloadInfo, cases: list[CaseResult]
) -> Side:
    ok = [c for c in cases if c.status == "ok"]
    if ok:
        best = max(ok, key=lambda c: c.work_per_iteration / (c.stats.median_s if c.stats else 1))
        value, low, high = figure(best, workload)
        return Side(Figure(best, value, low, high, _peak(run, workload, best.dtype, value)), None)
    if cases:
        return Side(None, "; ".join(c.reason or "failed" for c in cases))
    if suite is None:
        return Side(None, "not run")
    return Side(None, suite.reason or f"suite {suite.status.replace('_', ' ')}")


def _row(
    run: BenchmarkRun, workload: WorkloadInfo, dtype: str, mode: Literal["eager", "compiled"]
) -> ComparisonRow:
    variants = ("eager",) if mode == "eager" else COMPILED
    sides = {}
    for framework in ("torch", "tensorflow"):
        suite = _suite(run, framework)
        cases = [c for c in _cases(suite, workload.id, dtype) if c.variant in variants]
        sides[framework] = _side(run, suite, workload, cases)
    torch_fig, tf_fig = sides["torch"].figure, sides["tensorflow"].figure
    ratio = speed_ratio(torch_fig.case, tf_fig.case) if torch_fig and tf_fig else None
    parity = next((p for p in run.parity if p.workload == workload.id), None)
    return ComparisonRow(
        workload,
        dtype,
        mode,
        sides["torch"],
        sides["tensorflow"],
        ratio,
        parity if mode == "eager" and dtype == "float32" else None,
    )


def _dtypes(run: BenchmarkRun, workload: str) -> list[str]:
    seen = [c.dtype for s in run.suites for c in s.cases if c.workload == workload]
    return sorted(set(seen), key=seen.index) or ["float32"]


def _modes(run: BenchmarkRun, workload: str, dtype: str) -> Sequence[Literal["eager", "compiled"]]:
    compiled = any(
        (c.workload, c.dtype) == (workload, dtype) and c.variant in COMPILED
        for s in run.suites
        for c in s.cases
    )
    return ("eager", "compiled") if compiled else ("eager",)


def comparison_rows(run: BenchmarkRun) -> list[ComparisonRow]:
    """One row per workload and dtype for eager, plus one for compiled where it ran."""
    rows = []
    for workload in run.workloads:
        for dtype in _dtypes(run, workload.id):
            rows += [_row(run, workload, dtype, mode) for mode in _modes(run, workload.id, dtype)]
    return rows


def compile_rows(run: BenchmarkRun) -> list[CompileRow]:
    """Each compiled variant's steady-state speed-up over eager and its first-call cost."""
    rows = []
    for suite in run.suites:
        for workload in run.workloads:
            cases = {c.variant: c for c in suite.cases if c.workload == workload.id}
            eager = cases.get("eager")
            for variant in COMPILED:
                case = cases.get(variant)
                if case is None:
                    continue
                rows.append(_compile_row(suite.framework, workload, case, eager))
    return rows


def _compile_row(
    framework: str, workload: WorkloadInfo, case: CaseResult, eager: CaseResult | None
) -> CompileRow:
    if case.status != "ok":
        return CompileRow(framework, workload, case.variant, None, None, case.reason)
    if eager is None or eager.status != "ok":
        return CompileRow(
            framework, workload, case.variant, None, case.first_call_s, "no eager figure"
        )
    return CompileRow(
        framework, workload, case.variant, speed_ratio(case, eager), case.first_call_s, None
    )
