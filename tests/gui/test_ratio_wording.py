"""One ratio reads the same in the terminal, the app's table and chart and the report's."""

from __future__ import annotations

import re
from html import unescape

import pytest
from pytestqt.qtbot import QtBot

from advisor.comparison import PAIR_LABELS, Pair, compare, ratio_words
from advisor.gui.main_window import MainWindow
from advisor.record import Record, record_from_json
from advisor.report.render import render_html
from advisor.terminal.bench import format_benchmarks
from tests.helpers import fixture_text


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def _terminal(record: Record, workload: str, pair: Pair) -> str:
    assert record.benchmarks is not None
    start = f"  {workload} float32, {PAIR_LABELS[pair]}: "
    line = next(
        ln
        for ln in format_benchmarks(compare(record.benchmarks)).splitlines()
        if ln.startswith(start)
    )
    return line.removeprefix(start)


def _app(
    window: MainWindow, record: Record, workload: str, pair: Pair, title: str
) -> tuple[str, str, str]:
    """The app's table cell and chart words, and the chart bar's colour."""
    assert record.benchmarks is not None
    page = window.bench
    page.show_record(record, compare(record.benchmarks))
    column = next(
        c
        for c in range(page.table.columnCount())
        if page.table.item(page._rows[workload], c) is not None
        and f"{PAIR_LABELS[pair]}: " in page.table.item(page._rows[workload], c).text()
    )
    cell = page.table.item(page._rows[workload], column).text()
    start = f"{PAIR_LABELS[pair]}: "
    table = next(ln for ln in cell.splitlines() if ln.startswith(start)).removeprefix(start)
    (bar,) = [b for b in page.chart.bars if b.label == f"{title} (float32, {PAIR_LABELS[pair]})"]
    assert f"{bar.label}: {bar.text}" in page.chart.accessibleDescription()
    page.chart.resize(860, page.chart.heightForWidth(860))
    page.chart.grab()  # painted whole: the words wrap, never cut
    return table, bar.text, bar.tone


def _report(record: Record, workload: str, pair: Pair, title: str) -> tuple[str, str, str]:
    html = render_html(record)
    article = re.search(rf'id="workload-{workload}".*?</article>', html, re.S)
    assert article
    row = next(
        tr
        for tr in re.findall(r"<tr>.*?</tr>", article.group(0), re.S)
        if f"float32, {PAIR_LABELS[pair]}" in _text(tr)
    )
    chart = re.search(r'id="ratio-chart".*?</figure>', html, re.S)
    assert chart
    label = f"{title} (float32, {PAIR_LABELS[pair]})"
    item = next(
        li for li in re.findall(r"<li>.*?</li>", chart.group(0), re.S) if label in _text(li)
    )
    bar_text = re.search(r'<span class="bar-text">(.*?)</span>', item, re.S)
    assert bar_text
    cell = re.search(r'<td class="ratio">(.*?)</td>', row, re.S)
    assert cell
    tone = re.search(r'<rect class="tone-(\w+)"', item)
    assert tone
    return _text(cell.group(1)), _text(bar_text.group(1)), tone.group(1)


@pytest.mark.parametrize(
    ("workload", "pair", "expected", "colour"),
    [
        # a tie whose median leans to PyTorch: once "a tie: 2.02x" beside "PyTorch 2.02x faster"
        (
            "mlp_train",
            "compiled",
            "a tie (95% CI: TensorFlow up to 1.76x faster, PyTorch up to 2.18x faster)",
            "neutral",  # not TensorFlow's blue, though its median leans that way
        ),
        # TensorFlow ahead: once "0.77x [0.62-0.95]" beside "TensorFlow 1.29x faster"
        ("cnn_train", "as_written", "TensorFlow 1.29x faster (95% CI 1.05-1.62x)", "tensorflow"),
    ],
)
def test_a_pair_reads_the_same_everywhere(
    window: MainWindow, workload: str, pair: Pair, expected: str, colour: str
) -> None:
    record = record_from_json(fixture_text("records", "bench_tiny_cpu.json"))
    assert record.benchmarks is not None
    row = compare(record.benchmarks).row(workload, pair)
    assert row is not None and ratio_words(row.ratio, row.interval) == expected
    title = row.workload.title
    app_table, app_chart, app_colour = _app(window, record, workload, pair, title)
    report_table, report_chart, report_colour = _report(record, workload, pair, title)
    assert app_colour == report_colour == colour
    assert _terminal(record, workload, pair) == expected
    assert app_table == expected and app_chart == expected
    assert report_table == expected and report_chart == expected


def test_the_ratio_cells_grow_to_show_their_words_whole_when_the_window_narrows(
    window: MainWindow, qtbot: QtBot
) -> None:
    record = record_from_json(fixture_text("records", "bench_tiny_cpu.json"))
    assert record.benchmarks is not None
    window.resize(1400, 900)
    window.show_page("bench")
    window.bench.show_record(record, compare(record.benchmarks))
    window.resize(860, 560)
    table = window.bench.table

    def every_row_fits() -> bool:
        return all(table.rowHeight(r) >= table.sizeHintForRow(r) for r in range(table.rowCount()))

    qtbot.waitUntil(every_row_fits, timeout=3000)
