"""The user's own model as the terminal prints it and the report shows it ("Your model")."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.deploy.spec import VERDICTS
from advisor.formatting import format_bytes, parity_text
from advisor.record import (
    BenchmarkRun,
    CaseResult,
    ParityCheck,
    Record,
    SuiteResult,
    WorkloadInfo,
)
from advisor.report.deploy_view import duration, route_row
from advisor.usermodel import describe_model

VARIANTS = {
    "eager": "eager",
    "compile": "torch.compile",
    "function": "tf.function (graph)",
    "xla": "tf.function(jit_compile=True) (XLA)",
}


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
class ModelBenchView:
    """The model's description, its rows, each back-end's peak memory and the parity check."""

    model: str
    method: str
    rows: tuple[ModelCaseRow, ...]
    memory: tuple[str, ...]  # one line per back-end
    parity: str | None
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
        VARIANTS.get(case.variant, case.variant),
        batch,
        duration(case.first_call_s),
        latency,
        spread,
        throughput,
        problem,
    )


def _parity(check: ParityCheck | None) -> str | None:
    return None if check is None else f"Same weights on both back-ends: {parity_text(check)}"


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
        f"{run.wall_time_s:.1f} s. Each back-end in a process of its own, one after the other; "
        "first call (tracing and compiling included) apart, then latency median [p10-p90] of "
        "timed blocks at your example inputs' batch and at batch 1."
    )
    parity = _parity(run.parity[0] if run.parity else None)
    return ModelBenchView(describe_model(run.model), method, rows, memory, parity, failures)


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
