"""Live benchmark events: typed for front-ends, parsed from the bench scripts' stderr."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from advisor.base.progress import Progress
from advisor.base.serde import SchemaError, from_jsonable
from advisor.bench.stats import summarise
from advisor.record import CaseResult

CaseKey = tuple[str, str, str]  # workload, variant, dtype


@dataclass(frozen=True)
class BenchEvent:
    """Live progress: a case started or finished, a plain message, or where the run stands."""

    framework: str
    kind: Literal["message", "case_started", "case_updated", "case_finished", "progress"]
    message: str
    case: CaseResult | None = None
    workload: str = ""  # the case's workload id, for the case events
    variant: str = ""  # for case_started (the others carry the case)
    dtype: str = ""
    progress: Progress | None = None  # for the progress events: the run's time left


BenchListener = Callable[[BenchEvent], None]


def relay(
    framework: str,
    event: dict[str, Any],
    cases: dict[CaseKey, CaseResult],
    listen: BenchListener,
) -> None:
    """Forward a bench event; each case's latest result replaces its earlier ones."""
    stage = event.get("stage")
    message = str(event.get("message", ""))
    if stage in {"case_updated", "case_finished"}:
        case = parse_case(event.get("result"))
        cases[case.workload, case.variant, case.dtype] = case
        kind: Literal["case_updated", "case_finished"] = (
            "case_finished" if stage == "case_finished" else "case_updated"
        )
        listen(BenchEvent(framework, kind, message, case, case.workload))
    elif stage == "case_started":
        started = event.get("case")
        fields = started if isinstance(started, dict) else {}
        listen(
            BenchEvent(
                framework,
                "case_started",
                message,
                workload=str(fields.get("workload", "")),
                variant=str(fields.get("variant", "")),
                dtype=str(fields.get("dtype", "")),
            )
        )
    else:
        listen(BenchEvent(framework, "message", message))


def parse_case(data: Any) -> CaseResult:
    """A case result from a bench event, with statistics; malformed data is a failed case."""
    try:
        case = from_jsonable(CaseResult, data)
    except SchemaError as exc:
        label = data.get("workload", "?") if isinstance(data, dict) else "?"
        return CaseResult(str(label), "?", "?", "failed", reason=f"malformed result: {exc}")
    if case.status != "ok":
        return case
    if len(case.samples_s) < 2:
        return replace(case, status="failed", reason="fewer than two timed samples")
    return replace(case, stats=summarise(case.samples_s))
