"""The Benchmarks and Deployment pages while a run goes on and after it: every figure as it
lands, a status line that follows the run, a cancel that says what it kept and can be taken
back, the deployment preset as a control, exports that open."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from advisor.bench.events import BenchEvent
from advisor.bench.stats import summarise
from advisor.gui.main_window import MainWindow
from advisor.record import CaseResult, Record, record_from_json
from tests.gui.events import tick
from tests.helpers import FIXTURES

QUICK = FIXTURES / "records" / "bench_quick_cpu.json"
RECORDED = record_from_json(QUICK.read_text())
COLUMNS = {"torch": 1, "tensorflow": 2}


def _first_pass(case: CaseResult) -> CaseResult:
    """The case as its first pass reported it: its first samples only."""
    samples = case.samples_s[: max(2, len(case.samples_s) // 3)]
    return replace(case, samples_s=samples, stats=summarise(samples))


def _cases(record: Record) -> list[tuple[str, CaseResult]]:
    run = record.benchmarks
    assert run is not None
    return [(suite.framework, case) for suite in run.suites for case in suite.cases]


def _started(record: Record) -> list[BenchEvent]:
    """Every case prepared, as the run's first slots say it."""
    return [
        BenchEvent(fw, "case_started", "", workload=c.workload, variant=c.variant, dtype=c.dtype)
        for fw, c in _cases(record)
    ]


def _passes(record: Record, last: bool) -> list[BenchEvent]:
    """Each case after its first pass ('case_updated'), or its last ('case_finished')."""
    if last:
        return [BenchEvent(fw, "case_finished", "", c, c.workload) for fw, c in _cases(record)]
    return [
        BenchEvent(fw, "case_updated", "", _first_pass(c), c.workload) for fw, c in _cases(record)
    ]


HELD = "(the replay waits here)"


def _replayed(
    monkeypatch: pytest.MonkeyPatch,
    record: Record,
    before: list[BenchEvent],
    after: list[BenchEvent],
) -> threading.Event:
    """The page's benchmark job says `before` and HELD, waits to be released, says `after`
    and ends with `record`: the real job, thread and signals, with a recorded run's events."""
    release = threading.Event()

    def measure(
        _session: object,
        _python: object,
        _options: object,
        report: Callable[[object], None],
        *_rest: object,
    ) -> Record:
        for event in before:
            report(event)
        report(BenchEvent("", "message", HELD))  # all of `before` shown once this is
        release.wait(30)
        for event in after:
            report(event)
        return record

    monkeypatch.setattr("advisor.session.Session.measure", measure)
    return release


@pytest.fixture
def released() -> Iterator[list[threading.Event]]:
    """Replays to release at the end, whatever the test asserted."""
    held: list[threading.Event] = []
    yield held
    for event in held:
        event.set()


def test_each_case_shows_the_moment_it_lands_and_the_ratios_fill_with_the_chart(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, released: list
) -> None:
    page = window.bench
    window.show_page("bench")
    cases = _cases(RECORDED)
    first = cases[0][1].workload
    done = [e for e in _passes(RECORDED, last=True) if e.workload == first]
    release = _replayed(  # a first pass of every case, then every pass of the first workload
        monkeypatch,
        RECORDED,
        _started(RECORDED) + _passes(RECORDED, last=False) + done,
        [e for e in _passes(RECORDED, last=True) if e.workload != first],
    )
    released.append(release)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.status.text() == HELD, timeout=20_000)
    # Mid-run: no cell still says "running…"; the first workload's figures are its last.
    for row in range(page.table.rowCount()):
        for column in (1, 2):
            cell = page.table.item(row, column).text()
            assert "running…" not in cell
            assert ("(so far)" in cell) == (row != page._rows[first]), cell
    title = page.live.workloads[first].title
    # The ratio column says what the chart says, bar for bar, in the same words; the
    # workloads still timing have no ratio yet, in the chart or the column.
    assert page.chart.bars and page.chart.caption.endswith("provisional until the run ends")
    ratios = page.table.item(page._rows[first], 3).text()
    for bar in page.chart.bars:
        assert bar.label.startswith(title + " (") and bar.text in ratios, (bar.label, bar.text)
    others = [r for r in range(page.table.rowCount()) if r != page._rows[first]]
    assert all(page.table.item(r, 3).text() == "-" for r in others)
    with qtbot.waitSignal(page.finished_run, timeout=20_000):
        release.set()
    cells = [page.table.item(r, c).text() for r in range(page.table.rowCount()) for c in (1, 2)]
    assert not any("(so far)" in cell or "running…" in cell for cell in cells)
    assert page.status.text().startswith("quick run finished")


def test_the_status_line_follows_the_run_case_by_case(window: MainWindow) -> None:
    page = window.bench  # the events as the run's job hands them to the page
    framework, case = _cases(RECORDED)[0]
    started, updated, finished = (
        events[0]
        for events in (_started(RECORDED), _passes(RECORDED, False), _passes(RECORDED, True))
    )
    title, label = page.live.workloads[case.workload].title, f"eager {case.dtype}"
    page._on_event(BenchEvent("", "message", "importing tensorflow"))
    page._on_event(started)
    assert page.status.text() == f"PyTorch: preparing {title} ({label})"
    page._on_event(updated)
    assert page.status.text().startswith(f"PyTorch: timing {title} ({label}): ")
    assert page.status.text().endswith(" (so far)")
    page._on_event(finished)
    assert page.status.text().startswith(f"PyTorch: timed {title} ({label}): ")
    assert framework == "torch" and case.variant == "eager"  # what the words above name


def test_a_cancel_says_which_cases_had_all_their_passes_and_the_choice_can_be_taken_back(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = window.bench
    window.set_record(RECORDED)  # a complete run weighed before this one
    headline = window.headline.text()
    first = _cases(RECORDED)[0][1].workload
    finished = [e for e in _passes(RECORDED, last=True) if e.workload == first]
    run = RECORDED.benchmarks
    assert run is not None
    partial = replace(
        RECORDED,
        created_at="2026-11-27T10:00:00+00:00",
        benchmarks=replace(run, cancelled=True, started_at="2026-11-27T10:00:00+00:00"),
    )
    release = _replayed(
        monkeypatch, partial, _started(RECORDED), _passes(RECORDED, last=False) + finished
    )
    release.set()
    with qtbot.waitSignal(page.finished_run, timeout=10_000):
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    timed = [c for _fw, c in _cases(RECORDED) if c.status == "ok"]
    full = [c for c in timed if c.workload == first]
    assert 0 < len(full) < len(timed)  # not "8 of 8 workloads finished"
    assert f": {len(full)} of the {len(timed)} cases timed had all their passes." in (
        page.status.text()
    )
    assert window.session.record is not None and window.session.record.benchmarks == run
    qtbot.mouseClick(page.partial_button, Qt.MouseButton.LeftButton)
    assert window.session.record.benchmarks == partial.benchmarks
    qtbot.mouseClick(page.partial_button, Qt.MouseButton.LeftButton)  # taken back
    assert window.session.record.benchmarks == run and window.headline.text() == headline


def test_the_sizes_say_how_long_they_take_and_the_deployment_preset_is_a_control(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench, deploy = window.bench, window.deploy
    quick, full = (bench.size_buttons[p].text() for p in ("quick", "full"))
    assert quick.startswith("&Quick (") and "minute" not in quick  # not "about a minute"
    assert full.startswith("F&ull (") and full.endswith(" min)")
    window.show_page("deploy")
    assert deploy.preset == "quick"
    assert deploy.preset_buttons["full"].text().startswith("F&ull (")
    seen: list[str] = []

    def deploy_run(_session: object, _python: object, options: object, *_rest: object) -> Record:
        seen.append(options.preset)  # type: ignore[attr-defined]
        return RECORDED

    monkeypatch.setattr("advisor.session.Session.deploy", deploy_run)
    tick(qtbot, deploy.preset_buttons["full"])
    assert deploy.preset == "full"
    with qtbot.waitSignal(deploy.finished_run, timeout=10_000):
        qtbot.mouseClick(deploy.start_button, Qt.MouseButton.LeftButton)
    assert seen == ["full"]
    for box in deploy.targets.values():
        box.setChecked(False)
    assert deploy.preset_buttons["quick"].text() == "&Quick (no target)"


class _Opened(QObject):
    """Where the desktop was asked to open a file (Qt's own hook for a URL scheme)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_an_export_offers_to_open_the_file_it_wrote(window: MainWindow, tmp_path: Path) -> None:
    window.set_record(RECORDED)
    target = tmp_path / "report.html"
    assert window.export_to(target, "html")
    notice = window.exported
    assert notice.isVisible() and notice.path == target
    assert notice.label.text().startswith("HTML report written to ")
    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        notice.open_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert opened.urls == [QUrl.fromLocalFile(str(target))]
