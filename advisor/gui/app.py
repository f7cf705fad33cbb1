"""Start the desktop app: environment checks, the Qt application, the restored session."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.base.errors import UsageError
from advisor.session import (
    StopSignals,
    has_display,
    knowledge,
    prepare_webengine,
    resource_file,
    stop_signals,
    window_problem,
)
from advisor.session.store import restore, set_aside

if TYPE_CHECKING:  # Qt is imported when the app starts, not when the terminal loads this
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

    from advisor.gui.main_window import MainWindow
    from advisor.scoring.knowledge import Knowledge

APP_NAME = "Framework Advisor"
APP_ID = "io.github.frameworkadvisor.FrameworkAdvisor"  # the desktop entry's and AppStream's id
# Set by benchmarks/gui_startup.py: print how long the first window took, then quit.
STARTUP_PROBE_VARIABLE = "FRAMEWORK_ADVISOR_STARTUP_PROBE"
_STOP_POLL_MS = 200
# What Qt WebEngine prints at every start on a machine without Vulkan or a GPU it knows:
# to name the GPU's vendor it tries Vulkan whenever Qt draws with OpenGL (RhiGpuInfo in
# Qt WebEngine 6.11), whatever Chromium is told (--disable-gpu, --disable-features=Vulkan
# change nothing), and Chromium then logs that the GPU info it never needed is missing.
# Nothing here is for the user to act on; any other message still reaches the terminal.
QT_NOISE = (
    "Failed to load vulkan: ",
    "initInstance: No Vulkan library available",
    "Failed to create platform Vulkan instance",
    "Unable to detect GPU vendor for device: ",
    "GPUInfo not initialized on GpuInfoUpdate",
    "Sandboxing disabled by user.",  # prepare_webengine's own choice, as root
)


class NoDisplayError(UsageError):
    """There is no screen to open a window on, or its X server refuses one."""

    code = "no-display"


_TERMINAL_HINT = "the terminal commands work without one, e.g. framework-advisor report"


def check_display() -> None:
    """On Linux a window needs X11 or Wayland, unless Qt is told to render offscreen.

    An X11 display must also answer and Qt's X11 libraries be there: Qt itself would abort.
    """
    if not (has_display() or os.environ.get("QT_QPA_PLATFORM")):
        raise NoDisplayError(
            f"no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
            f"{_TERMINAL_HINT}"
        )
    problem = window_problem()
    if problem:
        raise NoDisplayError(f"cannot open a window: {problem}; {_TERMINAL_HINT}")


def run_gui() -> int:
    """Open the main window and run until it closes; returns the exit status."""
    started = time.perf_counter()
    check_display()
    from advisor.gui.theme import apply_scheme, chosen_scheme

    chosen_scheme()  # a bad setting is a one-line error before any window
    prepare_webengine()
    quiet_qt_noise()
    from PySide6.QtCore import QCoreApplication, Qt, QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resource_file("icons/framework-advisor.svg"))))
    apply_scheme(app)
    window = open_window(knowledge())

    def scheme_changed(_scheme: object) -> None:
        apply_scheme(app)
        window.report.restyle()

    app.styleHints().colorSchemeChanged.connect(scheme_changed)
    window.show()
    if os.environ.get(STARTUP_PROBE_VARIABLE):
        QTimer.singleShot(0, lambda: _report_startup(window, started))
    else:
        QTimer.singleShot(0, window.start)
    with stop_signals() as stops:
        window.stopping = stops.cancel
        # Python runs a signal handler only when the main thread runs Python code: the
        # timer gives it that chance in an idle event loop, then acts on the event.
        watch = QTimer(app)
        watch.timeout.connect(lambda: _close_when_stopped(stops, window, app))
        watch.start(_STOP_POLL_MS)
        code = int(app.exec())
    return stops.exit_code(code)


def quiet_qt_noise() -> None:
    """Keep Qt WebEngine's start-up noise (QT_NOISE) off the terminal, in this process only."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qFormatLogMessage
    from PySide6.QtCore import qInstallMessageHandler as install

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if message.startswith(QT_NOISE):
            return
        if previous is not None:
            previous(kind, context, message)
        else:  # what Qt's own handler writes
            sys.stderr.write(qFormatLogMessage(kind, context, message) + "\n")

    previous = install(handler)
    _handlers.append(handler)  # Qt holds no Python reference: keep it alive


_handlers: list[object] = []


def _close_when_stopped(stops: StopSignals, window: QWidget, app: QCoreApplication) -> None:
    """After a stop signal, close the window as the user would: work cancelled, session saved."""
    if stops.received is not None:
        window.close()
        app.exit(stops.exit_code(0))


def open_window(known: Knowledge) -> MainWindow:
    """The main window on the restored session; on a fresh one if that cannot be shown.

    The app must start whatever its own saved state holds: a session that loads but
    fails to draw is set aside (see session.store.set_aside) and the panel says so.
    """
    from advisor.gui.main_window import MainWindow

    restored = restore(known)
    try:
        return MainWindow(known, restored.session, restored.problem)
    except Exception as exc:
        fresh = set_aside(f"{type(exc).__name__}: {exc}", known)
        return MainWindow(known, fresh.session, fresh.problem)


def _report_startup(window: object, started: float) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    target = Path(os.environ[STARTUP_PROBE_VARIABLE])
    target.write_text(f"{time.time():.6f} {time.perf_counter() - started:.6f}\n", encoding="utf-8")
    QApplication.quit()
