"""Pool one framework's results across the processes of a run (eager and compiled phases)."""

from __future__ import annotations

from dataclasses import replace

from advisor.bench.stats import summarise
from advisor.record import CaseResult, SuiteResult

CaseKey = tuple[str, str, str]


def _key(case: CaseResult) -> CaseKey:
    return case.workload, case.variant, case.dtype


def merge_case(first: CaseResult, later: CaseResult, label: str) -> CaseResult:
    """Samples pooled; the first round's first-call time is the cold-start one and is kept."""
    if first.status != "ok":
        return first
    if later.status != "ok":
        return replace(later, reason=f"{label}: {later.reason}")
    samples = first.samples_s + later.samples_s
    return replace(
        first,
        samples_s=samples,
        warmup_iterations=first.warmup_iterations + later.warmup_iterations,
        stats=summarise(samples),
    )


def merge_processes(first: SuiteResult, later: SuiteResult, label: str) -> SuiteResult:
    """The suite so far plus one more process; a failed or cancelled one sets the status."""
    later_cases = {_key(c): c for c in later.cases}
    merged = [
        merge_case(case, later_cases[_key(case)], label) if _key(case) in later_cases else case
        for case in first.cases
    ]
    known = {_key(c) for c in first.cases}
    merged += [case for case in later.cases if _key(case) not in known]
    reason = f"{label}: {later.reason}" if later.status != "ok" else first.reason
    return replace(
        first,
        status=later.status,
        reason=reason,
        cases=tuple(merged),
        wall_time_s=first.wall_time_s + later.wall_time_s,
        peak_rss_bytes=_larger(first.peak_rss_bytes, later.peak_rss_bytes),
        processes=first.processes + later.processes,
        settings=first.settings | later.settings,  # e.g. how the compiled phase compiled
    )


def _larger(first: int | None, second: int | None) -> int | None:
    known = [value for value in (first, second) if value is not None]
    return max(known) if known else None
