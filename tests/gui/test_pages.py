"""The app's pages come from one list: the sidebar, the stack, the Go menu with its shortcuts,
lookups by name and the docs' screenshots all follow PAGES."""

from __future__ import annotations

import importlib.util

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from advisor.gui.main_window import PAGES, MainWindow
from tests.helpers import FIXTURES

ROOT = FIXTURES.parents[1]


def test_the_sidebar_the_stack_and_the_go_menu_follow_the_one_list(window: MainWindow) -> None:
    assert [window.nav.item(row).text() for row in range(window.nav.count())] == [
        "Project needs",
        "Machine",
        "Benchmarks",
        "Deployment",
        "Report",
    ]
    assert [window.stack.widget(i) for i in range(window.stack.count())] == [
        getattr(window, page.name) for page in PAGES
    ]
    go = next(a for a in window.menuBar().actions() if a.text() == "&Go").menu()
    assert isinstance(go, QMenu)
    shortcuts = {a.text(): a.shortcut() for a in go.actions() if not a.isSeparator()}
    for number, page in enumerate(PAGES, start=1):
        assert shortcuts[f"&{page.title}"] == QKeySequence(f"Ctrl+{number}")


def test_a_page_is_shown_and_read_back_by_its_name(window: MainWindow) -> None:
    for page in reversed(PAGES):
        window.show_page(page.name)
        assert window.current_page() == page.name
        assert window.stack.currentWidget() is getattr(window, page.name)


def test_the_docs_screenshots_name_every_page() -> None:
    spec = importlib.util.spec_from_file_location(
        "screenshots", ROOT / "scripts" / "screenshots.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert list(script.SHOT_NAMES) == [page.name for page in PAGES]
