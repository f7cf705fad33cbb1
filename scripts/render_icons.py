"""Render the application icon's PNG sizes from its SVG (resources/icons/), with Qt's SVG renderer.

Usage: python scripts/render_icons.py   (run after editing framework-advisor.svg; commit the PNGs)
"""

from __future__ import annotations

import os
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication([])
    renderer = QSvgRenderer(str(ICONS / "framework-advisor.svg"))
    if not renderer.isValid():
        raise SystemExit("framework-advisor.svg is not a valid SVG")
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = ICONS / f"framework-advisor-{size}.png"
        image.save(str(target))
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
