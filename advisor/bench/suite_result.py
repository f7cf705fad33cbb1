"""A framework suite's outcome from its process: the summary document or why there is none."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from advisor.base.serde import SchemaError, from_jsonable
from advisor.catalog import FrameworkSpec
from advisor.probing.runner import ProcessResult
from advisor.record import CaseResult, SuiteResult


@dataclass(frozen=True)
class SuiteDocument:
    """The summary a bench script prints on stdout once its suite is done."""

    schema_version: int
    probe: str
    version: str
    import_time_s: float
    rss_after_import_bytes: int | None
    peak_rss_bytes: int | None
    settings: dict[str, str]


def suite_from_result(
    spec: FrameworkSpec, result: ProcessResult, timeout_s: float, cases: list[CaseResult]
) -> SuiteResult:
    """The suite's outcome: its summary document, or why it has none, plus the finished cases."""
    partial = SuiteResult(spec.id, spec.display_name, "failed", result.duration_s, tuple(cases))
    if result.cancelled:
        return replace(partial, status="cancelled", reason="cancelled by the user")
    failure = result.failure_reason(timeout_s)
    if failure:
        return replace(partial, reason=f"suite {failure}")
    try:
        document = from_jsonable(SuiteDocument, json.loads(result.stdout))
    except (json.JSONDecodeError, SchemaError) as exc:
        return replace(partial, reason=f"suite output unusable: {exc}")
    return replace(
        partial,
        status="ok",
        version=document.version,
        import_time_s=document.import_time_s,
        rss_after_import_bytes=document.rss_after_import_bytes,
        peak_rss_bytes=document.peak_rss_bytes,
        settings=document.settings,
    )
