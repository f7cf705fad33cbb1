"""The benchmark half of the report's view-model: tables per workload, ratio and compile charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from advisor.comparison import (
    PAIR_LABELS,
    VARIANT_LABELS,
    Comparison,
    ComparisonRow,
    CompileRow,
    Side,
    busy_note,
    ratio_text,
    ratio_words,
)
from advisor.record import BenchmarkRun, ParityCheck, PeakEstimate, SuiteResult, WorkloadInfo
from advisor.scoring.engine import NAMES
from advisor.wording.charts import (
    Bar,
    BarInput,
    diverging_bars,
    framework_tone,
    log_interval,
    log_ratio,
    ratio_tone,
)


@dataclass(frozen=True)
class Cell:
    """One framework's figure in a table row, or why there is none."""

    value: float | None
    low: float | None
    high: float | None
    cv: float | None
    samples: int | None
    noisy: bool
    variant: str | None  # the compiled form that gave the figure; None for eager
    percent_of_peak: float | None
    reason: str | None


@dataclass(frozen=True)
class TableRow:
    """Both frameworks on one dtype of a workload, in one named pair of execution modes."""

    dtype: str
    pair: str  # the pair's label, e.g. "as you would write it"
    torch: Cell
    tensorflow: Cell
    ratio_text: str  # the one wording of a ratio, as every front-end shows it
    parity: ParityCheck | None


@dataclass(frozen=True)
class WorkloadTable:
    """A workload, what it measures and its rows."""

    id: str
    title: str
    unit: str
    metric: str
    params: str
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class CompileLine:
    """A compiled variant next to its framework's eager speed, with its first-call cost."""

    framework: str
    workload: str
    variant: str
    speedup: float | None
    first_call_s: float | None
    reason: str | None


@dataclass(frozen=True)
class CostLine:
    """What loading a framework costs: import time and memory."""

    framework: str
    version: str | None
    import_time_s: float | None
    rss_after_import_bytes: int | None
    peak_rss_bytes: int | None
    reason: str | None


@dataclass(frozen=True)
class BenchView:
    """The benchmark run as the report shows it."""

    run: BenchmarkRun
    keras_default: str  # what Keras runs a model as on this run's device
    tables: tuple[WorkloadTable, ...]
    ratio_bars: tuple[Bar, ...]
    compile_lines: tuple[CompileLine, ...]
    compile_bars: tuple[Bar, ...]
    costs: tuple[CostLine, ...]
    peaks: tuple[PeakEstimate, ...]
    busy: str | None  # what a busy machine did to the run (comparison.busy_note)


def _cell(side: Side) -> Cell:
    shown = side.figure
    if shown is None or shown.case.stats is None:
        return Cell(None, None, None, None, None, False, None, None, side.reason)
    stats = shown.case.stats
    variant = None if shown.case.variant == "eager" else VARIANT_LABELS[shown.case.variant]
    return Cell(
        shown.value,
        shown.low,
        shown.high,
        stats.cv,
        stats.samples,
        stats.noisy,
        variant,
        shown.percent_of_peak,
        None,
    )


def _params(workload: WorkloadInfo) -> str:
    return ", ".join(f"{key} {value}" for key, value in workload.params.items())


def _table_row(row: ComparisonRow) -> TableRow:
    return TableRow(
        row.dtype,
        PAIR_LABELS[row.pair],
        _cell(row.torch),
        _cell(row.tensorflow),
        ratio_words(row.ratio, row.interval, row.busy),
        row.parity,
    )


def _tables(rows: list[ComparisonRow], run: BenchmarkRun) -> tuple[WorkloadTable, ...]:
    return tuple(
        WorkloadTable(
            workload.id,
            workload.title,
            workload.unit,
            workload.metric,
            _params(workload),
            tuple(_table_row(row) for row in rows if row.workload.id == workload.id),
        )
        for workload in run.workloads
    )


def ratio_inputs(rows: Sequence[ComparisonRow]) -> list[BarInput]:
    """The ratio chart's rows, with their 95 % intervals: the pairs that speak to speed
    (eager vs eager is evidence about debugging only)."""
    return [
        BarInput(
            f"{row.workload.title} ({row.dtype}, {PAIR_LABELS[row.pair]})",
            log_ratio(row.ratio),
            ratio_words(row.ratio, row.interval, row.busy),
            ratio_tone(row.ratio, row.interval, row.busy),
            log_interval(row.interval),
        )
        for row in rows
        if row.ratio is not None and row.pair != "eager"
    ]


def ratio_bars(rows: Sequence[ComparisonRow]) -> tuple[Bar, ...]:
    """The ratio chart of these rows, drawn to one scale (the app draws it too)."""
    return diverging_bars(ratio_inputs(rows))


def _compile_line(row: CompileRow) -> CompileLine:
    return CompileLine(
        NAMES[row.framework],
        row.workload.title,
        VARIANT_LABELS[row.variant],
        row.speedup,
        row.first_call_s,
        row.reason,
    )


def _compile_bars(rows: list[CompileRow]) -> tuple[Bar, ...]:
    items = []
    for row in rows:
        if row.speedup is None:
            continue
        label = f"{NAMES[row.framework]} {VARIANT_LABELS[row.variant]}, {row.workload.title}"
        first = f", first call {row.first_call_s:.2f} s" if row.first_call_s is not None else ""
        text = f"{ratio_text(row.speedup)}x eager{first}"
        items.append(BarInput(label, log_ratio(row.speedup), text, framework_tone(row.framework)))
    return diverging_bars(items)


def _cost(suite: SuiteResult) -> CostLine:
    reason = None if suite.import_time_s is not None else (suite.reason or suite.status)
    return CostLine(
        suite.display_name,
        suite.version,
        suite.import_time_s,
        suite.rss_after_import_bytes,
        suite.peak_rss_bytes,
        reason,
    )


def bench_view(comparison: Comparison) -> BenchView:
    """The run's tables and charts."""
    run = comparison.run
    rows = list(comparison.rows)
    compiled = list(comparison.compile_rows)
    return BenchView(
        run=run,
        keras_default=comparison.keras_default_label,
        tables=_tables(rows, run),
        ratio_bars=ratio_bars(rows),
        compile_lines=tuple(_compile_line(row) for row in compiled),
        compile_bars=_compile_bars(compiled),
        costs=tuple(_cost(suite) for suite in run.suites),
        peaks=run.peaks,
        busy=busy_note(comparison),
    )
