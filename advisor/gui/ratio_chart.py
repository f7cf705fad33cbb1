"""The report's ratio chart, drawn in the app: the same bars, scale and colours, live."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from advisor.gui.theme import tone_colour
from advisor.wording.charts import CENTRE, WIDTH, Bar

_ROW_LINES = 2.3  # a row's least height in lines of text; a label that wraps further grows it
_GAP = 8  # pixels between the label, the bar and the words


class RatioChart(QWidget):
    """Diverging bars of the PyTorch/TensorFlow speed ratios on a log scale, with the
    95 % interval of each as a whisker; TensorFlow faster to the left, PyTorch to the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: tuple[Bar, ...] = ()
        self.caption = ""
        self.setAccessibleName("PyTorch/TensorFlow speed ratio chart")
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)  # narrower, the labels wrap onto more lines
        self.setSizePolicy(policy)

    def show_bars(self, bars: tuple[Bar, ...], caption: str) -> None:
        """Draw these bars (from the report's chart module) under this caption."""
        self.bars = bars
        self.caption = caption
        words = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
        self.setAccessibleDescription(f"{caption}. {words}" if words else caption)
        self.setToolTip("\n".join(f"{bar.label}: {bar.text}" for bar in bars))
        self.updateGeometry()
        self.update()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        line = self.fontMetrics().height()
        if not self.bars:
            return line * 2
        return line * 3 + sum(self._row_heights(width))  # the caption, the axis, the rows

    def sizeHint(self) -> QSize:
        return QSize(400, self.heightForWidth(max(self.width(), 400)))

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.heightForWidth(max(self.width(), 200)))

    def _row_heights(self, width: int) -> list[int]:
        """Each bar's row: at least _ROW_LINES lines, more where its label or its words
        (the whole ratio wording, never cut) wrap further."""
        metrics = self.fontMetrics()
        least = round(metrics.height() * _ROW_LINES)
        flags = int(Qt.TextFlag.TextWordWrap)
        label_room = QRect(0, 0, _label_width(width), 100_000)
        text_room = QRect(0, 0, _text_width(width), 100_000)
        return [
            max(
                least,
                metrics.boundingRect(label_room, flags, bar.label).height() + metrics.height() // 2,
                metrics.boundingRect(text_room, flags, bar.text).height() + metrics.height() // 2,
            )
            for bar in self.bars
        ]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        metrics = self.fontMetrics()
        line = metrics.height()
        width = self.width()
        label_w = _label_width(width)
        text_w = _text_width(width)
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
        top = line * 3
        columns = (label_w, bar_x, bar_w, text_w)
        for bar, row in zip(self.bars, self._row_heights(width), strict=True):
            self._paint_bar(painter, bar, top, row, columns)
            top += row
        painter.end()

    def _paint_bar(
        self, painter: QPainter, bar: Bar, top: float, row: float, columns: tuple[int, ...]
    ) -> None:
        """One row: its label, the lane with the bar and its interval, the ratio in words."""
        label_w, bar_x, bar_w, text_w = columns
        palette = self.palette()
        muted = palette.placeholderText().color()
        line = self.fontMetrics().height()
        scale = bar_w / WIDTH
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
        text_rect = QRectF(bar_x + bar_w + _GAP, top, text_w, row)
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap, bar.text
        )


def _label_width(width: int) -> int:
    """The label column: a third of the chart, within 120-320 pixels."""
    return min(max(width // 3, 120), 320)


def _text_width(width: int) -> int:
    """The words column: a fifth of the chart, within 110-220 pixels."""
    return min(max(width // 5, 110), 220)
