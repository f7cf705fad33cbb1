"""Where Qt can draw: whether a display exists and answers, and what Qt WebEngine must read
before it starts.

Shared by the desktop app and the PDF exporter; nothing here imports Qt.
"""

from __future__ import annotations

import ctypes
import os
import socket
import sys
from collections.abc import Iterable


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
    if not x_server_answers(display):
        return f"no X server answers at DISPLAY={display} (is it running, and is DISPLAY right?)"
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


def x_server_answers(display: str) -> bool:
    """Whether an X server accepts a connection at a local DISPLAY.

    A remote one is not tried (nothing here connects off the machine): Qt will say.
    """
    host, _, screen = display.rpartition(":")
    number = screen.split(".")[0]
    if not number.isdigit():
        return True  # not a form this check knows (an XQuartz launchd path): let Qt try
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        return _connects(socket.AF_UNIX, path) or _connects(socket.AF_UNIX, "\0" + path)
    if host in ("localhost", "127.0.0.1"):
        return _connects(socket.AF_INET, ("127.0.0.1", 6000 + int(number)))
    return True


def _connects(family: int, address: str | tuple[str, int]) -> bool:
    with socket.socket(family, socket.SOCK_STREAM) as connection:
        connection.settimeout(2)
        try:
            connection.connect(address)
        except OSError:
            return False
    return True
