"""Where Qt can draw: whether a display exists and answers, and what Qt WebEngine must read
before it starts.

Shared by the desktop app and the PDF exporter; nothing here imports Qt.
"""

from __future__ import annotations

import ctypes
import os
import socket
import sys
import tempfile
import threading
from collections.abc import Iterable

from advisor.base.text import one_line


def prepare_webengine() -> None:
    """Set what Qt WebEngine reads at start, unless the user already has."""
    # Chromium's sandbox refuses to run as root; neither printing nor the preview needs
    # the GPU, and Chromium's log lines would only alarm a terminal user.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --log-level=3")


def has_display() -> bool:
    """Whether Qt can open a window: on Linux only with an X11 or Wayland display."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# What Qt's X11 (xcb) platform plugin loads beyond Qt itself, with the packages that
# provide it: on many Linux desktops the first is missing and Qt aborts with a core dump.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
}


def window_problem() -> str | None:
    """Why Qt could not open a window here, in one line naming the fix; None if it can.

    Checked before Qt starts, because Qt's own failure is an abort with a core dump.
    Only the X11 path is checked: Wayland, offscreen and other platforms report well.
    """
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return None
    display = os.environ.get("DISPLAY", "")
    if not display:
        return None  # said by the caller: there is no display at all
    problem = x_server_problem(display)
    if problem:
        return problem
    missing = missing_libraries(XCB_LIBRARIES)
    if missing:
        debian = " ".join(XCB_LIBRARIES[name][0] for name in missing)
        fedora = " ".join(XCB_LIBRARIES[name][1] for name in missing)
        return (
            f"Qt's X11 support needs {', '.join(missing)} (Debian/Ubuntu: sudo apt install "
            f"{debian}; Fedora: sudo dnf install {fedora})"
        )
    return None


def missing_libraries(names: Iterable[str]) -> list[str]:
    """The shared libraries among ``names`` that the dynamic loader cannot load."""
    missing = []
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            missing.append(name)
    return missing


# What xcb_connection_has_error() returns (xcb.h), said for a user. 1 is also what an
# X server that refuses the connection gives: told apart below by whether it listens.
_XCB_PARSE_ERROR, _XCB_INVALID_SCREEN = 5, 6
_X_ANSWER_S = 5.0  # a remote display that drops packets must not hold the app for minutes


def x_server_problem(display: str) -> str | None:
    """Why the X server at ``display`` refuses a window, in one line; None when it accepts.

    Asked through libxcb, the library Qt's X11 plugin connects with, so every form of
    display name Qt accepts is tried as Qt would try it (a host name, a TCP port, a
    socket path), authorization included. Without libxcb, missing_libraries says so.
    """
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None
    code, said = _xcb_connection_error(xcb, display)
    if code == 0:
        return None
    if code is None:
        return f"no X server answered at DISPLAY={display} within {_X_ANSWER_S:g} s"
    if code == _XCB_PARSE_ERROR:
        return f"DISPLAY={display} is not an X display name (such as :0 or host:0)"
    if code == _XCB_INVALID_SCREEN:
        return f"the X server at DISPLAY={display} has no such screen"
    if said or x_server_listens(display):
        return (
            f"the X server at DISPLAY={display} refused this user ({said or 'not authorized'}; "
            "after sudo or su, or over ssh without X forwarding, XAUTHORITY does not name "
            "its cookie)"
        )
    return f"no X server answers at DISPLAY={display} (is it running, and is DISPLAY right?)"


def _xcb_connection_error(xcb: ctypes.CDLL, display: str) -> tuple[int | None, str]:
    """libxcb's error code for a connection to ``display`` (0: connected; None: no answer)
    and the reason the server gave for refusing it ("" if none)."""
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    found: list[int] = []

    def connect() -> None:
        connection = xcb.xcb_connect(display.encode(errors="surrogateescape"), None)
        found.append(int(xcb.xcb_connection_has_error(connection)))
        xcb.xcb_disconnect(connection)  # an error connection is freed the same way

    # A thread, not a child process: a frozen app has no Python to start. One left
    # waiting on an unanswered connection ends with the process. libxcb writes a
    # refusing server's reason straight to file descriptor 2: it is caught for the
    # one line the user sees.
    with tempfile.TemporaryFile() as reason:
        stderr = os.dup(2)
        os.dup2(reason.fileno(), 2)
        try:
            asking = threading.Thread(target=connect, daemon=True)
            asking.start()
            asking.join(_X_ANSWER_S)
        finally:
            os.dup2(stderr, 2)
            os.close(stderr)
        reason.seek(0)
        said = one_line(reason.read(4096).decode(errors="replace"), 120)
    return (found[0] if found else None), said


def x_server_listens(display: str) -> bool:
    """Whether something accepts a connection at a local DISPLAY's socket or port.

    A remote one is not tried (nothing here connects off the machine).
    """
    host, _, screen = display.rpartition(":")
    number = screen.split(".")[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        return _connects(socket.AF_UNIX, path) or _connects(socket.AF_UNIX, "\0" + path)
    if host in ("localhost", "127.0.0.1"):
        return _connects(socket.AF_INET, ("127.0.0.1", 6000 + int(number)))
    return False


def _connects(family: int, address: str | tuple[str, int]) -> bool:
    with socket.socket(family, socket.SOCK_STREAM) as connection:
        connection.settimeout(2)
        try:
            connection.connect(address)
        except OSError:
            return False
    return True
