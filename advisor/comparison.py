"""PyTorch against TensorFlow in a benchmark run: named pairs, ratios and their intervals.

Built once per record (`compare`) and handed to scoring, the report, the terminal and
the app. Three pairs, each meaning one thing:

- "as_written": PyTorch eager against TensorFlow as Keras runs a model by default
  (fit(), predict() and SavedModel serving run a tf.function graph, with XLA where
  Keras's jit_compile="auto" resolves to it); single-kernel workloads and tf.data run
  the same way either way, so their pair is the plain one;
- "compiled": torch.compile against tf.function(jit_compile=True) (XLA);
- "eager": eager against eager, what stepping through a model in a debugger costs.

Each row also says how busy the machine was while its samples were taken (other work's
share of the cores, machine/load.py); a busy row's words say so, and the advice leaves
it out (scoring/evidence.py).

A `bench --model` run compares the same way the user's Keras 3 model on the PyTorch and
the TensorFlow back-ends: a model has a graph form, so its "as written" pair is PyTorch
eager against the form Keras runs it as on TensorFlow.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from advisor.bench.spec import suite
from advisor.bench.stats import figure, speed_ratio
from advisor.catalog import display_names
from advisor.machine.load import busy_words, is_busy, others_share, steal_share
from advisor.record import BenchmarkRun, CaseResult, ParityCheck, SuiteResult, WorkloadInfo

_NAMES = display_names()

Pair = Literal["as_written", "compiled", "eager"]
PAIRS: tuple[Pair, ...] = ("as_written", "compiled", "eager")
PAIR_LABELS: dict[Pair, str] = {
    "as_written": "as you would write it",
    "compiled": "fully compiled",
    "eager": "step-through (eager vs eager)",
}
VARIANT_LABELS = {
    "eager": "eager",
    "compile": "torch.compile",
    "function": "tf.function",
    "xla": "tf.function + XLA",
    "jit": "jax.jit",
}
COMPILED = ("compile", "function", "xla", "jit")
# The phase of the suite processes (probes/*_bench.py) that times each variant: the fully
# compiled forms run in the compiled phase, after every eager one.
_PHASES = {
    "eager": "eager",
    "function": "eager",
    "compile": "compiled",
    "xla": "compiled",
    "jit": "compiled",
}
BOOTSTRAP_RESAMPLES = 1000
INTERVAL = 0.95


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
    """Both frameworks on one workload and dtype, in one named pair of execution modes."""

    workload: WorkloadInfo
    dtype: str
    pair: Pair
    torch: Side
    tensorflow: Side
    ratio: float | None  # PyTorch speed / TensorFlow speed; >1: PyTorch is faster
    interval: tuple[float, float] | None  # 95 % bootstrap interval of the ratio
    parity: ParityCheck | None
    # other work's share of the cores while the pair's samples were taken (0-1); None where
    # it was not measured (a record before schema 3, a machine without /proc)
    busy: float | None = None

    @property
    def is_tie(self) -> bool:
        """The interval holds 1.0: the data cannot tell which framework is faster."""
        return self.interval is not None and self.interval[0] <= 1.0 <= self.interval[1]


@dataclass(frozen=True)
class CompileRow:
    """A compiled variant against its own framework's eager run."""

    framework: str
    workload: WorkloadInfo
    variant: str
    speedup: float | None  # steady-state, compiled speed / eager speed
    first_call_s: float | None  # including tracing and compiling
    reason: str | None


@dataclass(frozen=True)
class Comparison:
    """Everything derived from one run's cases, computed once."""

    run: BenchmarkRun
    rows: tuple[ComparisonRow, ...]
    compile_rows: tuple[CompileRow, ...]
    keras_setting: str  # what the TensorFlow suite recorded ("" when it did not run)

    @property
    def keras_default(self) -> str:
        """The TensorFlow variant Keras runs models as here ("function" unless XLA was recorded)."""
        return _keras_variant(self.keras_setting)

    @property
    def keras_default_label(self) -> str:
        """What Keras runs a model as on this run's device, or why that is not known."""
        if not self.keras_setting:
            return "not recorded: TensorFlow did not run"
        return VARIANT_LABELS[self.keras_default]

    def row(self, workload: str, pair: Pair, dtype: str = "float32") -> ComparisonRow | None:
        """The row for one workload and pair, if the run has one."""
        return next(
            (r for r in self.rows if (r.workload.id, r.pair, r.dtype) == (workload, pair, dtype)),
            None,
        )


def compare(run: BenchmarkRun) -> Comparison:
    """The run's rows for every pair it measured, and its compile rows."""
    setting = _keras_setting(run)
    keras_default = _keras_variant(setting)
    rows = []
    for workload in run.workloads:
        for dtype in _dtypes(run, workload.id):
            for pair in _pairs(run, workload.id, dtype):
                rows.append(_row(run, workload, dtype, pair, keras_default))
    return Comparison(run, tuple(rows), tuple(_compile_rows(run)), setting)


def _keras_setting(run: BenchmarkRun) -> str:
    """What the TensorFlow suite found Keras's jit_compile="auto" resolving to ("" if unknown)."""
    suite_result = _suite(run, "tensorflow")
    return suite_result.settings.get("keras_jit_compile_auto", "") if suite_result else ""


def _keras_variant(setting: str) -> str:
    return "xla" if setting == "XLA" else "function"


def _graph_workloads(run: BenchmarkRun) -> set[str]:
    """The workloads that run a model Keras would run as a graph (a user's model is one)."""
    if run.model is not None:
        return {w.id for w in run.workloads}
    return {w.id for w in suite().workloads if w.graph}


def _variants(pair: Pair, framework: str, graph: bool, keras_default: str) -> tuple[str, ...]:
    if pair == "eager":
        return ("eager",)
    if pair == "compiled":
        return ("compile",) if framework == "torch" else ("xla",)
    if framework == "torch" or not graph:
        return ("eager",)
    return (keras_default,)


def _pairs(run: BenchmarkRun, workload: str, dtype: str) -> list[Pair]:
    pairs: list[Pair] = ["as_written"]
    if any(
        (c.workload, c.dtype) == (workload, dtype) and c.variant in ("compile", "xla")
        for s in run.suites
        for c in s.cases
    ):
        pairs.append("compiled")
    if workload in _graph_workloads(run):
        pairs.append("eager")
    return pairs


def _suite(run: BenchmarkRun, framework: str) -> SuiteResult | None:
    return next((s for s in run.suites if s.framework == framework), None)


def _peak(run: BenchmarkRun, workload: WorkloadInfo, dtype: str, value: float) -> float | None:
    if workload.work != "flops":
        return None
    peak = next((p for p in run.peaks if p.dtype == dtype), None)
    return 100.0 * value / peak.gflops if peak and peak.gflops else None


def _side(
    run: BenchmarkRun,
    framework: str,
    workload: WorkloadInfo,
    dtype: str,
    variants: tuple[str, ...],
) -> Side:
    suite_result = _suite(run, framework)
    if suite_result is None:
        return Side(None, "not run")
    cases = [
        c
        for c in suite_result.cases
        if (c.workload, c.dtype) == (workload.id, dtype) and c.variant in variants
    ]
    ok = [c for c in cases if c.status == "ok" and c.stats is not None]
    if ok:
        value, low, high = figure(ok[0], workload)
        return Side(Figure(ok[0], value, low, high, _peak(run, workload, dtype, value)), None)
    if cases:
        return Side(None, "; ".join(c.reason or "failed" for c in cases))
    if suite_result.status != "ok":
        return Side(None, suite_result.reason or f"suite {suite_result.status.replace('_', ' ')}")
    names = " or ".join(VARIANT_LABELS.get(v, v) for v in variants)
    return Side(None, f"{names} was not measured in this run")


def _row(
    run: BenchmarkRun, workload: WorkloadInfo, dtype: str, pair: Pair, keras_default: str
) -> ComparisonRow:
    graph = workload.id in _graph_workloads(run)
    torch = _side(run, "torch", workload, dtype, _variants(pair, "torch", graph, ""))
    tensorflow_variants = _variants(pair, "tensorflow", graph, keras_default)
    tensorflow = _side(run, "tensorflow", workload, dtype, tensorflow_variants)
    ratio, interval = None, None
    if torch.figure and tensorflow.figure:
        ratio = speed_ratio(torch.figure.case, tensorflow.figure.case)
        seed = f"{workload.id}/{dtype}/{pair}"
        interval = ratio_interval(torch.figure.case, tensorflow.figure.case, seed)
    both_eager = tensorflow_variants == ("eager",)
    # the suite's check, or (bench --model) Keras on PyTorch against Keras on TensorFlow
    parity = next(
        (p for p in run.parity if p.workload == workload.id and p.backend in (None, "torch")),
        None,
    )
    return ComparisonRow(
        workload,
        dtype,
        pair,
        torch,
        tensorflow,
        ratio,
        interval,
        parity if both_eager and pair != "compiled" and dtype == "float32" else None,
        _busy(run, workload, (torch, tensorflow)) if ratio is not None else None,
    )


def _busy(run: BenchmarkRun, workload: WorkloadInfo, sides: tuple[Side, Side]) -> float | None:
    """Other work's share of the cores during the timing passes of the pair's two cases."""
    variants = [s.figure.case.variant for s in sides if s.figure is not None]
    return busy_share(run, "measure", [workload.id], variants)


def busy_share(
    run: BenchmarkRun, command: str, workloads: Sequence[str], variants: Sequence[str]
) -> float | None:
    """Other work's share of the cores during the run's slots of one kind ("prepare": set-up
    and first calls; "measure": timing passes) for these workloads and variants."""
    phases = {_PHASES.get(variant) for variant in variants}
    return others_share(
        [
            slot.use
            for slot in run.cpu_use
            if slot.command == command and slot.workload in workloads and slot.phase in phases
        ]
    )


def busy_note(comparison: Comparison) -> str | None:
    """What a busy machine did to the run, in one paragraph; None when no pair was busy."""
    rows = [r for r in comparison.rows if r.ratio is not None]
    busy = [r.busy for r in rows if is_busy(r.busy)]
    if not busy:
        return None
    uses = [slot.use for slot in comparison.run.cpu_use if slot.command == "measure"]
    steal = steal_share(uses) or 0.0
    by_vms = f" ({steal:.0%} of the cores went to other virtual machines)" if steal >= 0.01 else ""
    return (
        f"{len(busy)} of {len(rows)} PyTorch/TensorFlow pairs were measured on a busy machine: "
        f"other work took up to {max(busy):.0%} of the cores while their samples were taken, "
        f"{others_share(uses) or 0.0:.0%} over all its timing passes{by_vms}. PyTorch's eager CPU "
        "path slows several-fold when other work takes cores, TensorFlow's much less, so "
        "these ratios are marked and left out of the advice. Close other programs and run "
        "the benchmark again for figures that count."
    )


def ratio_text(ratio: float) -> str:
    """A ratio as every front-end writes it before its 'x': '1.35', '1,234', '1.2e+15'."""
    if ratio >= 1e9:  # possible only for an absurd record: no run of dozens of digits
        return f"{ratio:.2g}"
    return f"{ratio:,.0f}" if ratio >= 100 else f"{ratio:.2f}"


def _figure(ratio: float) -> str:
    """A speed-up of 1 or more as ratio_text writes it ('1.42', '1,234'), with a third
    decimal where two would read '1.00'."""
    text = ratio_text(ratio)
    return f"{ratio:.3f}" if text == "1.00" and ratio != 1.0 else text


def _times(ratio: float) -> str:
    return f"{_figure(ratio)}x"


def _faster_side(ratio: float) -> str:
    """Who is faster at this ratio: 'PyTorch 1.10x faster', 'TensorFlow 1.03x faster'."""
    if ratio == 1.0:
        return "equal speed"
    if ratio > 1.0:
        return f"{_NAMES['torch']} {_times(ratio)} faster"
    return f"{_NAMES['tensorflow']} {_times(1 / ratio)} faster"


def _tie(low: float, high: float) -> str:
    """An interval that holds 1.0, as how far each side could be ahead."""
    ends = [f"{_NAMES['tensorflow']} up to {_times(1 / low)} faster"] if low < 1.0 else []
    ends += ["equal speed"] if 1.0 in (low, high) else []
    ends += [f"{_NAMES['torch']} up to {_times(high)} faster"] if high > 1.0 else []
    return f"a tie (95% CI: {', '.join(ends)})"


def ratio_words(
    ratio: float | None, interval: tuple[float, float] | None, busy: float | None = None
) -> str:
    """A PyTorch/TensorFlow speed ratio (>1: PyTorch faster) in the one wording every
    front-end shows: 'PyTorch 1.42x faster (95% CI 1.35-1.49x)', 'TensorFlow 1.61x faster
    (95% CI 1.50-1.83x)', or, where the interval holds 1.0, 'a tie (95% CI: TensorFlow up
    to 1.03x faster, PyTorch up to 1.10x faster)'; 'n/a' without a ratio.

    A figure is always a speed-up of the faster side (never '0.06x'), and a tie names no
    winner: its median could sit on either side of 1.0 and would contradict the words.
    ``busy`` (other work's share of the cores while it was measured) adds ', measured on
    a busy machine (other work took 48% of the cores)' where it is above BUSY_SHARE.
    """
    if ratio is None:
        return "n/a"
    words = _speed_words(ratio, interval)
    return f"{words}, {busy_words(busy)}" if is_busy(busy) else words


def _speed_words(ratio: float, interval: tuple[float, float] | None) -> str:
    if interval is None:
        return f"{_faster_side(ratio)} (no interval: too few samples)"
    low, high = interval
    if low <= 1.0 <= high:
        return _tie(low, high)
    if low > 1.0:
        return f"{_faster_side(ratio)} (95% CI {_figure(low)}-{_times(high)})"
    # TensorFlow's speed-up: the interval is turned round with it
    return f"{_faster_side(ratio)} (95% CI {_figure(1 / high)}-{_times(1 / low)})"


def ratio_interval(first: CaseResult, second: CaseResult, seed: str) -> tuple[float, float] | None:
    """95 % percentile-bootstrap interval of first's speed over second's, from the raw samples.

    Each side's samples are resampled with replacement and the ratio of the two
    medians taken, 1,000 times (seeded, so a record always gives the same interval).
    Samples taken in passes are not independent, so the interval is a lower bound on
    the true uncertainty; it still separates a real gap from noise.
    """
    if len(first.samples_s) < 2 or len(second.samples_s) < 2:
        return None
    rng = random.Random(seed)
    scale = first.work_per_iteration / second.work_per_iteration
    ratios = sorted(
        scale * _resampled_median(second.samples_s, rng) / _resampled_median(first.samples_s, rng)
        for _ in range(BOOTSTRAP_RESAMPLES)
    )
    tail = (1 - INTERVAL) / 2
    low = ratios[int(tail * BOOTSTRAP_RESAMPLES)]
    high = ratios[int((1 - tail) * BOOTSTRAP_RESAMPLES) - 1]
    return low, high


def _resampled_median(samples: Sequence[float], rng: random.Random) -> float:
    return statistics.median(rng.choices(samples, k=len(samples)))


def _dtypes(run: BenchmarkRun, workload: str) -> list[str]:
    seen = [c.dtype for s in run.suites for c in s.cases if c.workload == workload]
    return sorted(set(seen), key=seen.index) or ["float32"]


def _compile_rows(run: BenchmarkRun) -> list[CompileRow]:
    """Each compiled variant's steady-state speed-up over eager and its first-call cost."""
    rows = []
    for suite_result in run.suites:
        for workload in run.workloads:
            cases = {c.variant: c for c in suite_result.cases if c.workload == workload.id}
            eager = cases.get("eager")
            for variant in COMPILED:
                case = cases.get(variant)
                if case is not None:
                    rows.append(_compile_row(suite_result.framework, workload, case, eager))
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
