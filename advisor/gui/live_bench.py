"""What a benchmark run has said so far, in the Benchmarks page's words: each case's latest
figure (provisional until its last pass), each workload's ratios, the status line."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from advisor.bench.events import BenchEvent
from advisor.comparison import PAIR_LABELS, VARIANT_LABELS, ComparisonRow
from advisor.record import CaseResult, Record, WorkloadInfo
from advisor.session.decisions import live_rows
from advisor.wording.formatting import case_median, case_text, framework_name, ratio_words

RUNNING = "running…"
SO_FAR = " (so far)"  # a figure from the passes done, before the case's last one
Key = tuple[str, str]  # variant, dtype


@dataclass(frozen=True)
class LiveRows:
    """A workload's PyTorch/TensorFlow rows from its cases finished so far."""

    workload: str
    rows: tuple[ComparisonRow, ...]
    kind: str = "live_rows"


def with_live_rows(
    report: Callable[[object], None], workloads: Iterable[WorkloadInfo]
) -> Callable[[object], None]:
    """`report`, told the rows of a workload each time one of its cases has had its last
    pass. Each interval is a bootstrap (0.1-0.3 s on a busy two-core machine): worked out
    here, on the thread that reads the run's events, it falls between two timed slots
    (the next waits for this one's end to be read), neither stalling the window nor
    taking a core from a process being timed. Once per case, not once per pass: the run
    would wait for it every time."""
    known = {w.id: w for w in workloads}
    cases: dict[str, dict[str, dict[Key, CaseResult]]] = {}  # workload: framework: case

    def listen(event: object) -> None:
        report(event)
        if not isinstance(event, BenchEvent) or event.case is None:
            return
        workload = event.case.workload
        if event.kind == "case_finished" and workload in known:
            mine = cases.setdefault(workload, {}).setdefault(event.framework, {})
            mine[event.case.variant, event.case.dtype] = event.case
            by_framework = {fw: tuple(done.values()) for fw, done in cases[workload].items()}
            report(LiveRows(workload, live_rows(known[workload], by_framework)))

    return listen


class LiveRun:
    """The cases heard of in one run (or read from a finished one), per framework."""

    def __init__(self, workloads: Iterable[WorkloadInfo]) -> None:
        self.workloads = {w.id: w for w in workloads}
        self._lines: dict[tuple[str, str], dict[Key, tuple[str, str]]] = {}
        self._final: set[tuple[str, str, str, str]] = set()  # framework, workload, variant, dtype
        self._rows: dict[str, tuple[ComparisonRow, ...]] = {}  # workload: its rows so far

    def started(self, framework: str, workload: str, variant: str, dtype: str) -> str:
        """A case is being prepared: its line says so; the status line's words."""
        label = f"{VARIANT_LABELS.get(variant, variant)} {dtype}"
        self._lines.setdefault((framework, workload), {})[variant, dtype] = (
            f"{label}: {RUNNING}",
            f"{label}: {RUNNING}",
        )
        return f"{framework_name(framework)}: preparing {self._title(workload)} ({label})"

    def landed(self, framework: str, case: CaseResult, final: bool) -> str:
        """A case's figure after a pass (`final`: its last); the status line's words."""
        workload = self.workloads.get(case.workload)
        if workload is None:
            return ""
        if final:
            self._final.add((framework, case.workload, case.variant, case.dtype))
        label = f"{VARIANT_LABELS.get(case.variant, case.variant)} {case.dtype}"
        so_far = "" if final or case.stats is None else SO_FAR
        median = case_median(case, workload)
        self._lines.setdefault((framework, case.workload), {})[case.variant, case.dtype] = (
            f"{label}: {median}{so_far}",
            f"{label}: {case_text(case, workload)}{so_far}",
        )
        verb = "timed" if final else "timing"
        return f"{framework_name(framework)}: {verb} {workload.title} ({label}): {median}{so_far}"

    def cell(self, framework: str, workload: str) -> tuple[str, str]:
        """A framework's cell for a workload: one line per case, and the tooltip's details."""
        lines = self._lines.get((framework, workload), {}).values()
        return "\n".join(short for short, _ in lines), "\n".join(full for _, full in lines)

    def set_rows(self, found: LiveRows) -> None:
        """A workload's rows as its figures stand now."""
        if found.workload in self.workloads:
            self._rows[found.workload] = found.rows

    def rows(self, workload: str) -> tuple[ComparisonRow, ...]:
        """The workload's PyTorch/TensorFlow rows from the figures heard so far."""
        return self._rows.get(workload, ())

    def all_rows(self) -> list[ComparisonRow]:
        """Every workload's rows so far, in the suite's order."""
        return [row for workload in self.workloads for row in self.rows(workload)]

    def timed_in_full(self, record: Record) -> tuple[int, int]:
        """Of the record's timed cases, how many had their last pass here, and how many ran."""
        run = record.benchmarks
        timed = [
            (suite.framework, c.workload, c.variant, c.dtype)
            for suite in (run.suites if run is not None else ())
            for c in suite.cases
            if c.status == "ok"
        ]
        return sum(key in self._final for key in timed), len(timed)

    def _title(self, workload: str) -> str:
        info = self.workloads.get(workload)
        return info.title if info is not None else workload


def ratio_lines(rows: Iterable[ComparisonRow]) -> dict[str, str]:
    """Each workload's ratio cell: a line per pair and precision (one may favour the other
    side), in the one wording every front-end shows."""
    lines: dict[str, list[str]] = {}
    for row in rows:
        if row.ratio is not None:
            precision = "" if row.dtype == "float32" else f"{row.dtype}, "
            words = ratio_words(row.ratio, row.interval, row.busy)
            lines.setdefault(row.workload.id, []).append(
                f"{precision}{PAIR_LABELS[row.pair]}: {words}"
            )
    return {workload: "\n".join(shown) for workload, shown in lines.items()}
