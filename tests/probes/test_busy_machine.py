"""A real bench run beside a busy loop on every core: the record, the terminal, the report
and the advice all say the machine was busy, with the figure."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from advisor.bench.spec import suite
from advisor.comparison import compare
from advisor.machine.load import BUSY_SHARE
from advisor.record import record_from_json
from advisor.scoring.answers import default_answers
from advisor.scoring.engine import recommend
from advisor.scoring.knowledge import knowledge
from advisor.wording.bench_view import bench_view
from tests.helpers import competing_load, run_captured

pytestmark = pytest.mark.frameworks
MARK = "measured on a busy machine (other work took "


def test_a_run_beside_a_busy_loop_on_every_core_is_marked_busy_everywhere(
    tmp_path: Path,
) -> None:
    saved = tmp_path / "loaded.json"
    command = [sys.executable, "-m", "advisor", "bench", "--preset", "tiny", "--device", "cpu"]
    with competing_load():
        result = run_captured([*command, "--output", str(saved), "--quiet"], timeout=1500)
    assert result.returncode == 0, result.stderr[-2000:]
    run = record_from_json(saved.read_text(), str(saved)).benchmarks
    assert run is not None and not run.cancelled

    # the record: every timing pass of every workload, in both phases, was read
    measured = {(s.phase, s.workload) for s in run.cpu_use if s.command == "measure"}
    compiled = suite().presets["tiny"].compile
    assert measured == {("eager", w.id) for w in suite().workloads} | {
        ("compiled", w) for w in compiled
    }
    # one busy loop per core takes about half of every core while the suites compute
    rows = [row for row in compare(run).rows if row.ratio is not None]
    assert rows and all(row.busy is not None and row.busy > BUSY_SHARE for row in rows)

    # the terminal: every ratio carries the mark and its figure; one line says why
    ratio_lines = [
        line
        for line in result.stdout.splitlines()
        if line.startswith("  ")
        and (
            ", as you would write it: " in line
            or ", fully compiled: " in line
            or ", step-through (eager vs eager): " in line
        )
    ]
    assert len(ratio_lines) == len(rows)
    assert all(MARK in line and "% of the cores)" in line for line in ratio_lines)
    assert f"  ! {len(rows)} of {len(rows)} PyTorch/TensorFlow pairs were measured" in result.stdout

    # the report: the note above the tables, each table row and chart bar marked
    view = bench_view(compare(run))
    assert view.busy is not None and "left out of the advice" in view.busy
    assert all(
        MARK in row.ratio_text
        for table in view.tables
        for row in table.rows
        if row.ratio_text != "n/a"
    )
    assert view.ratio_bars and all(
        MARK in bar.text and bar.tone == "neutral" for bar in view.ratio_bars
    )

    # the advice: no busy ratio weighs (every speed criterion is left without a figure),
    # and it says so
    known = knowledge()
    advice = recommend(known, default_answers(known), compare(run))
    assert any("were measured on a busy machine" in warning for warning in advice.warnings)
    # every measured criterion but the two that read no ratio: import cost, first compiled call
    speed = {
        c.id
        for c in known.criteria
        if c.kind == "measured" and c.metric not in ("footprint", "compile_cost")
    }
    assert speed.isdisjoint(row.criterion.id for row in advice.criteria)
    left_out = [line for line in advice.missing if "from a quiet machine" in line]
    assert left_out and all(MARK in line for line in left_out)
