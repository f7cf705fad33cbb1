"""Where Qt can draw: whether a display exists, and what Qt WebEngine must read before it starts.

Shared by the desktop app and the PDF exporter; nothing here imports Qt.
"""

from __future__ import annotations

import os
import sys


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
