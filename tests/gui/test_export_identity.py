"""Leaving the identity out of an export: what cannot be done is said when the box is
ticked, before any file dialog opens."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from advisor.gui.main_window import MainWindow
from advisor.record import record_from_json
from tests.helpers import FIXTURES

QUICK = FIXTURES / "records" / "bench_quick_cpu.json"
OTHER = FIXTURES / "records" / "bench_quick_h200_torch_only.json"


def test_the_identity_of_compared_machines_is_refused_before_any_file_dialog(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.set_record(record_from_json(QUICK.read_text()))
    assert window.add_other(OTHER)
    report = window.report
    report.leave_out_identity.setChecked(True)
    assert not report.identity_note.isHidden()
    assert report.identity_note.text().startswith(
        "Cannot leave out the identity of compared machines (their host names label them)"
    )
    assert not any(button.isEnabled() for button in report.export_buttons.values())
    dialogs: list[str] = []

    def close_any_dialog() -> None:
        opened = QApplication.activeModalWidget()
        if opened is not None:
            dialogs.append(type(opened).__name__)
            opened.close()

    closer = QTimer()
    closer.timeout.connect(close_any_dialog)
    closer.start(50)
    window.show_page("questions")
    file_menu = next(a for a in window.menuBar().actions() if a.text() == "&File").menu()
    next(a for a in file_menu.actions() if a.text() == "Export &HTML…").trigger()
    closer.stop()
    assert dialogs == [] and window.current_page() == "report"  # shown where it is said
    assert report.panel.isHidden()  # a note beside the box, not a failure
    report.leave_out_identity.setChecked(False)
    assert report.identity_note.isHidden()
    assert all(button.isEnabled() for button in report.export_buttons.values())
    window.remove_others()
    report.leave_out_identity.setChecked(True)  # one machine: nothing stands in the way
    assert report.identity_note.isHidden()
    assert all(button.isEnabled() for button in report.export_buttons.values())
