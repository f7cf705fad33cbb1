"""The app under pytest-qt: offscreen, with Qt WebEngine's settings made before Qt starts."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

# A 1920x1080 screen, as people have (Qt's offscreen screen is 800x800 unless told): the
# window fits itself to the screen it opens on.
FULL_HD = Path(__file__).parent / "screens" / "1920x1080.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={FULL_HD}"

from advisor.base.display import prepare_webengine  # noqa: E402

prepare_webengine()

from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

from advisor.gui.main_window import MainWindow  # noqa: E402
from advisor.scoring.answers import default_answers  # noqa: E402
from advisor.scoring.knowledge import knowledge  # noqa: E402
from advisor.session.saved import SavedSession  # noqa: E402
from tests.helpers import required_tool  # noqa: E402


@pytest.fixture
def window(qtbot: object) -> Iterator[MainWindow]:
    """A fresh main window with default answers and nothing measured; closed afterwards."""
    shown = MainWindow(knowledge(), SavedSession(default_answers(knowledge()), None))
    qtbot.addWidget(shown)  # type: ignore[attr-defined]
    shown.show()
    yield shown
    shown.close()


@pytest.fixture
def guarded_x_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An Xvfb that admits only holders of its cookie: its DISPLAY and the cookie file."""
    cookie = tmp_path / "cookie"
    secret = subprocess.run(
        [required_tool("mcookie")], capture_output=True, text=True, check=True
    ).stdout.strip()
    read, write = os.pipe()
    server = subprocess.Popen(
        [required_tool("Xvfb"), "-displayfd", str(write), "-auth", str(cookie), "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as answer:
            display = ":" + answer.readline().strip()
        xauth = required_tool("xauth")
        subprocess.run([xauth, "-f", str(cookie), "add", display, ".", secret], check=True)
        yield display, cookie
    finally:
        server.kill()
        server.wait()
