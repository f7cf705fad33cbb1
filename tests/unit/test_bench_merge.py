"""Pooling one framework's results across the processes (phases) of a run."""

from __future__ import annotations

from advisor.bench.merge import merge_case, merge_processes
from advisor.record import CaseResult, SuiteResult


def _ok(workload: str, samples: tuple[float, ...], first_call: float | None = None) -> CaseResult:
    return CaseResult(
        workload,
        "eager",
        "float32",
        "ok",
        samples_s=samples,
        inner_iterations=2,
        warmup_iterations=1,
        work_per_iteration=10.0,
        first_call_s=first_call,
    )


def _suite(*cases: CaseResult, status: str = "ok", reason: str | None = None) -> SuiteResult:
    return SuiteResult(
        "torch",
        "PyTorch",
        status,
        10.0,
        cases=cases,
        reason=reason,  # type: ignore[arg-type]
        version="2.13.0",
        import_time_s=1.0,
        rss_after_import_bytes=100,
        peak_rss_bytes=300,
    )


def test_samples_are_pooled_and_the_cold_first_call_is_kept() -> None:
    merged = merge_case(
        _ok("mlp", (1.0, 2.0), first_call=9.0), _ok("mlp", (3.0, 4.0), 0.5), "compiled phase"
    )
    assert merged.samples_s == (1.0, 2.0, 3.0, 4.0)
    assert merged.first_call_s == 9.0
    assert merged.warmup_iterations == 2
    assert merged.stats is not None
    assert merged.stats.median_s == 2.5
    assert merged.stats.samples == 4


def test_a_failure_in_a_later_round_names_the_round() -> None:
    failed = CaseResult("mlp", "eager", "float32", "failed", reason="OOM")
    merged = merge_case(_ok("mlp", (1.0, 2.0)), failed, "compiled phase")
    assert merged.status == "failed"
    assert merged.reason == "compiled phase: OOM"


def test_processes_merge_cases_wall_time_peak_memory_and_count() -> None:
    first = _suite(_ok("a", (1.0, 1.0)), _ok("b", (2.0, 2.0)))
    later = SuiteResult(
        "torch", "PyTorch", "ok", 5.0, cases=(_ok("a", (3.0, 3.0)),), peak_rss_bytes=900
    )
    merged = merge_processes(first, later, "compiled phase")
    assert [c.samples_s for c in merged.cases] == [(1.0, 1.0, 3.0, 3.0), (2.0, 2.0)]
    assert merged.wall_time_s == 15.0
    assert merged.peak_rss_bytes == 900
    assert merged.import_time_s == 1.0
    assert merged.processes == 2
    assert merged.status == "ok"


def test_a_cancelled_round_keeps_what_was_finished() -> None:
    first = _suite(_ok("a", (1.0, 1.0)))
    later = SuiteResult("torch", "PyTorch", "cancelled", 1.0, reason="cancelled by the user")
    merged = merge_processes(first, later, "compiled phase")
    assert merged.status == "cancelled"
    assert merged.reason == "compiled phase: cancelled by the user"
    assert merged.cases == first.cases
