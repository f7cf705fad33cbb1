"""The app under pytest-qt: offscreen, with Qt WebEngine's settings made before Qt starts."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from advisor.display import prepare_webengine

prepare_webengine()

from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

from advisor.gui.main_window import MainWindow  # noqa: E402
from advisor.scoring.answers import default_answers  # noqa: E402
from advisor.scoring.knowledge import knowledge  # noqa: E402
from advisor.session import Session  # noqa: E402


@pytest.fixture
def window(qtbot: object) -> Iterator[MainWindow]:
    """A fresh main window with default answers and nothing measured; closed afterwards."""
    shown = MainWindow(knowledge(), Session(default_answers(knowledge()), None))
    qtbot.addWidget(shown)  # type: ignore[attr-defined]
    shown.show()
    yield shown
    shown.close()
