"""The Benchmarks page says a busy machine above the ratios it skewed, and on each of them."""

from __future__ import annotations

from dataclasses import replace

from advisor.comparison import compare
from advisor.gui.main_window import MainWindow
from advisor.record import record_from_json
from tests.helpers import busy_bench_run, fixture_text

MARK = ", measured on a busy machine (other work took 48% of the cores)"


def test_a_busy_run_is_said_above_the_ratios_and_on_each_busy_one(window: MainWindow) -> None:
    record = record_from_json(fixture_text("records", "bench_tiny_cpu.json"))
    quiet_run = record.benchmarks
    busy_run = busy_bench_run()
    window.show_page("bench")
    page = window.bench
    page.show_record(replace(record, benchmarks=busy_run), compare(busy_run))
    assert page.busy_notice.isVisible()
    notice = page.busy_notice.text()
    assert notice.startswith("2 of 15 PyTorch/TensorFlow pairs were measured on a busy machine")
    assert "left out of the advice" in notice
    lines = page.table.item(page._rows["mlp_train"], 3).text().splitlines()
    marked = [line.split(":")[0] for line in lines if line.endswith(MARK)]
    assert marked == ["as you would write it", "step-through (eager vs eager)"]
    assert not any("busy" in line for line in lines if line.startswith("fully compiled"))
    (bar,) = [
        b
        for b in page.chart.bars
        if b.label.startswith("MLP training step (forward, backward, SGD update) (float32, as")
    ]
    assert bar.text.endswith(MARK) and bar.tone == "neutral"
    assert MARK in page.chart.accessibleDescription()

    assert quiet_run is not None
    page.show_record(record, compare(quiet_run))  # a run with no reading: nothing said
    assert not page.busy_notice.isVisible()
    assert "busy" not in page.table.item(page._rows["mlp_train"], 3).text()
