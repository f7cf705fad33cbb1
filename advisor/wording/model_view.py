"""The user's own model as the terminal prints it and the report shows it ("Your model")."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.comparison import PAIR_LABELS, VARIANT_LABELS, ComparisonRow, compare, ratio_words
from advisor.deploy.spec import VERDICTS
from advisor.record import (
    BenchmarkRun,
    CaseResult,
    ParityCheck,
    Record,
    SuiteResult,
    WorkloadInfo,
)
from advisor.usermodel import describe_model
from advisor.wording.deploy_view import duration, route_row
from advisor.wording.formatting import format_bytes, parity_text


@dataclass(frozen=True)
class ModelCaseRow:
    """One back-end, variant and batch: its figures, or why there are none."""

    backend: str
    variant: str
    batch: str
    first_call: str
    latency: str  # median
    spread: str  # [p10-p90] n=.., NOISY above the noise threshold
    throughput: str  # items per second at that batch
    problem: str | None


@dataclass(frozen=True)
class ModelRatio:
    """A Keras 3 model on PyTorch against the same model on TensorFlow: one batch, one pair."""

    batch: str
    pair: str  # the pair's name, e.g. "as you would write it"
    forms: str  # what each back-end ran, e.g. "eager vs tf.function" ("" where the pair says)
    words: str  # the ratio with its interval, as every front-end words it


@dataclass(frozen=True)
class ModelBenchView:
    """The model's description, its rows, the back-ends' ratios and peak memory, and the
    parity checks."""

    model: str
    method: str
    rows: tuple[ModelCaseRow, ...]
    ratios: tuple[ModelRatio, ...]  # a Keras 3 model timed on both back-ends
    memory: tuple[str, ...]  # one line per back-end
    parity: tuple[str, ...]  # one line per back-end checked against the first one
    failures: tuple[str, ...]  # back-ends that gave no figures, with why


def _row(suite: SuiteResult, case: CaseResult, workloads: dict[str, WorkloadInfo]) -> ModelCaseRow:
    workload = workloads.get(case.workload)
    batch = str(workload.params.get("batch", "?")) if workload else case.workload
    problem = None if case.status == "ok" else case.reason or "failed"
    latency, spread, throughput = "-", "", "-"
    if case.stats is not None:
        stats = case.stats
        latency = duration(stats.median_s)
        spread = f"[{duration(stats.p10_s)}-{duration(stats.p90_s)}] n={stats.samples}"
        spread += " NOISY" if stats.noisy else ""
        throughput = f"{case.work_per_iteration / stats.median_s:,.0f}/s"
    return ModelCaseRow(
        suite.display_name,
        VARIANT_LABELS.get(case.variant, case.variant),
        batch,
        duration(case.first_call_s),
        latency,
        spread,
        throughput,
        problem,
    )


def _parity(check: ParityCheck, names: dict[str, str]) -> str:
    """'Keras 3 on PyTorch, same weights as Keras 3 on TensorFlow: numerics agree (...)'."""
    first = next(iter(names.values()), "the first back-end")
    checked = names.get(check.backend or "", check.backend or "Each back-end")
    why = f"; {check.reason}" if check.reason and check.agree is not None else ""
    return f"{checked}, same weights as {first}: {parity_text(check)}{why}"


def _ratio(row: ComparisonRow) -> ModelRatio:
    forms = " vs ".join(
        VARIANT_LABELS[side.figure.case.variant] if side.figure else "not measured"
        for side in (row.torch, row.tensorflow)
    )
    forms = "" if row.pair == "eager" else forms  # "step-through (eager vs eager)" says it
    batch = str(row.workload.params.get("batch", "?"))
    return ModelRatio(batch, PAIR_LABELS[row.pair], forms, ratio_words(row.ratio, row.interval))


def _ratios(run: BenchmarkRun) -> tuple[ModelRatio, ...]:
    """PyTorch/TensorFlow ratios with their intervals, where the model ran on both."""
    if not {"torch", "tensorflow"} <= {s.framework for s in run.suites}:
        return ()
    return tuple(_ratio(row) for row in compare(run).rows)


def model_bench_view(run: BenchmarkRun) -> ModelBenchView:
    """The bench --model run, ready to print or render."""
    assert run.model is not None
    workloads = {w.id: w for w in run.workloads}
    rows = tuple(_row(s, c, workloads) for s in run.suites for c in s.cases)
    memory = tuple(
        f"{s.display_name}: peak {format_bytes(s.peak_rss_bytes)} resident"
        for s in run.suites
        if s.peak_rss_bytes is not None
    )
    failures = tuple(f"{s.display_name}: {s.reason}" for s in run.suites if s.status != "ok")
    method = (
        f"{run.threads} thread{'s' if run.threads != 1 else ''}, {run.preset} preset, "
        f"{run.wall_time_s:.1f} s. Each back-end in one process of its own (every eager "
        "form timed before anything compiles in it), taking turns with the others slot by "
        "slot as the suite's frameworks do; first call (tracing and compiling included) "
        "apart, then latency median [p10-p90] of timed blocks at your example inputs' batch "
        "and at batch 1. A Keras 3 model runs with the same weights on every back-end."
    )
    ran = {s.framework: s.display_name for s in run.suites if s.status == "ok"}
    parity = tuple(_parity(check, ran) for check in run.parity)
    return ModelBenchView(
        describe_model(run.model), method, rows, _ratios(run), memory, parity, failures
    )


@dataclass(frozen=True)
class ModelRouteRow:
    """One route as it went for the user's model."""

    framework: str
    title: str
    status: str
    verdict: str
    reason: str | None


@dataclass(frozen=True)
class ModelSection:
    """The report's "Your model": which model, its routes, its benchmark rows."""

    model: str
    routes: tuple[ModelRouteRow, ...]
    bench: ModelBenchView | None


def model_section(record: Record) -> ModelSection | None:
    """The user's own model in this record (deploy --model, bench --model); None if absent."""
    deployment, bench = record.deployment, record.benchmarks
    deployed = deployment.model if deployment is not None else None
    timed = bench if bench is not None and bench.model is not None else None
    described = deployed or (timed.model if timed is not None else None)
    if described is None:
        return None
    routes: tuple[ModelRouteRow, ...] = ()
    if deployment is not None and deployed is not None:
        routes = tuple(
            ModelRouteRow(row.framework, row.title, row.status, VERDICTS[row.status], row.reason)
            for row in map(route_row, deployment.routes)
            if row.status not in ("not_installed", "skipped")
        )
    return ModelSection(
        describe_model(described), routes, model_bench_view(timed) if timed else None
    )
