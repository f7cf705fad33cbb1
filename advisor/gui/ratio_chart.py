"""The report's ratio chart, drawn in the app: the same bars, scale and colours, live."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from advisor.gui.theme import tone_colour
from advisor.report.charts import CENTRE, WIDTH, Bar

_ROW_LINES = 2.3  # a row's height in lines of text: a label wraps onto a second line
_GAP = 8  # pixels between the label, the bar and the words


class RatioChart(QWidget):
    """Diverging bars of the PyTorch/TensorFlow speed ratios on a log scale, with the
    95 % interval of each as a whisker; TensorFlow faster to the left, PyTorch to the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: tuple[Bar, ...] = ()
        self.caption = ""
        self.setAccessibleName("PyTorch/TensorFlow speed ratio chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def show_bars(self, bars: tuple[Bar, ...], caption: str) -> None:
        """Draw these bars (from the report's chart module) under this caption."""
        self.bars = bars
        self.caption = caption
        words = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
        self.setAccessibleDescription(f"{caption}. {words}" if words else caption)
        self.setToolTip("\n".join(f"{bar.label}: {bar.text}" for bar in bars))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        row = round(line * _ROW_LINES)
        return QSize(400, line * 3 + len(self.bars) * row if self.bars else line * 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        metrics = self.fontMetrics()
        line = metrics.height()
        row = round(line * _ROW_LINES)
        width = self.width()
        label_w = min(max(width // 3, 120), 320)
        text_w = min(max(width // 5, 110), 220)
        bar_x = label_w + _GAP
        bar_w = max(width - label_w - text_w - 2 * _GAP, 40)
        painter.setPen(palette.windowText().color())
        painter.drawText(
            QRectF(0, 0, width, line * 1.5), Qt.AlignmentFlag.AlignVCenter, self.caption
        )
        if not self.bars:
            return
        muted = palette.placeholderText().color()
        painter.setPen(muted)
        ends = QRectF(bar_x, line * 1.5, bar_w, line * 1.5)
        painter.drawText(ends, Qt.AlignmentFlag.AlignLeft, "← TensorFlow faster")
        painter.drawText(ends, Qt.AlignmentFlag.AlignRight, "PyTorch faster →")
        scale = bar_w / WIDTH
        for index, bar in enumerate(self.bars):
            top = line * 3 + index * row
            middle = top + row / 2
            painter.setPen(palette.windowText().color())
            painter.drawText(
                QRectF(0, top, label_w, row),
                Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
                bar.label,
            )
            track = line * 1.1
            lane = QRectF(bar_x, middle - track / 2, bar_w, track)
            painter.fillRect(lane, palette.alternateBase())
            height = line * 0.8
            painter.fillRect(
                QRectF(bar_x + bar.x * scale, middle - height / 2, bar.width * scale, height),
                tone_colour(bar.tone),
            )
            painter.setPen(QPen(muted, 1))
            zero = bar_x + CENTRE * scale
            painter.drawLine(
                round(zero), round(middle - track / 2), round(zero), round(middle + track / 2)
            )
            if bar.interval is not None:
                low, high = (bar_x + x * scale for x in bar.interval)
                painter.setPen(QPen(palette.windowText().color(), 1.5))
                painter.drawLine(QPointF(low, middle), QPointF(high, middle))
                for end in (low, high):
                    painter.drawLine(round(end), round(middle - 3), round(end), round(middle + 3))
            painter.setPen(muted)
            words = metrics.elidedText(bar.text, Qt.TextElideMode.ElideRight, text_w)
            text_rect = QRectF(bar_x + bar_w + _GAP, top, text_w, row)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, words)
        painter.end()
