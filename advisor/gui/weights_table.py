"""The criterion weights beside the questions: each criterion's share, and its pull.

The bar is the pull: weight x score gap, the contribution to the margin, drawn against
the strongest pull. A criterion carrying 80 % of the weight draws a long bar and one
carrying 1.4 % a short one, whatever their score gaps.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
)

from advisor.gui.theme import tone_colour
from advisor.gui.widgets import read_only_table
from advisor.scoring.engine import NAMES, CriterionResult, Recommendation
from advisor.scoring.knowledge import Knowledge

TIE = 0.005  # a pull below this (points on the 0-10 scale) favours neither side
LEGEND = (
    "Each criterion's share of the decision, from your answers, and its pull: the bar "
    "is weight times score gap, the longest for the criterion that moves the verdict "
    "most; to the right for PyTorch, to the left for TensorFlow."
)
PULL_COLUMN = 2


def weights_table() -> QTableWidget:
    """The table: criterion, weight, and a bar for its pull."""
    table = read_only_table(["Criterion", "Weight", "Pull"], "Criterion weights")
    table.setItemDelegateForColumn(PULL_COLUMN, _PullBar(table))
    header = table.horizontalHeader()
    header.setSectionResizeMode(PULL_COLUMN, QHeaderView.ResizeMode.Fixed)
    table.setColumnWidth(PULL_COLUMN, 100)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    pull = table.horizontalHeaderItem(PULL_COLUMN)
    if pull is not None:
        pull.setToolTip(LEGEND)
    return table


def show_weights(table: QTableWidget, knowledge: Knowledge, weights: dict[str, float]) -> None:
    """Every criterion's share of the weight, largest first; pulls follow (show_pulls)."""
    total = sum(weights.values()) or 1.0
    ranked = sorted(knowledge.criteria, key=lambda c: -weights[c.id])
    table.setRowCount(len(ranked))
    for row, criterion in enumerate(ranked):
        share = QTableWidgetItem(f"{weights[criterion.id] / total:.1%}")
        share.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(row, 0, QTableWidgetItem(criterion.title))
        table.setItem(row, 1, share)
        table.setItem(row, PULL_COLUMN, QTableWidgetItem())  # until re-scored


def show_pulls(table: QTableWidget, rec: Recommendation) -> None:
    """Each weighed criterion's pull as a bar against the strongest, and in words."""
    rows = {row.criterion.title: row for row in rec.criteria}
    strongest = max((abs(row.contribution) for row in rec.criteria), default=0.0)
    total = sum(abs(row.contribution) for row in rec.criteria)
    for index in range(table.rowCount()):
        title = table.item(index, 0)
        found = rows.get(title.text()) if title is not None else None
        item = QTableWidgetItem()
        if found is not None and abs(found.contribution) >= TIE:
            item.setData(Qt.ItemDataRole.UserRole, found.contribution / strongest)
        words = _pull_words(found, total)
        item.setToolTip(words)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, words)
        table.setItem(index, PULL_COLUMN, item)


def column_texts(table: QTableWidget, column: int, tooltip: bool = False) -> dict[str, str]:
    """Criterion title -> a column's text (or tooltip), as the table shows it."""
    found = {}
    for row in range(table.rowCount()):
        title, cell = table.item(row, 0), table.item(row, column)
        if title is not None and cell is not None:
            found[title.text()] = cell.toolTip() if tooltip else cell.text()
    return found


def _pull_words(row: CriterionResult | None, total: float) -> str:
    """'favours PyTorch: pulls 0.24 points, 31% of all pulls (weight 8.0% x score gap 3.0)'."""
    if row is None:
        return "not weighed"
    pull, gap = row.contribution, row.torch - row.tensorflow
    if abs(pull) < TIE:
        return f"favours neither (weight {row.weight:.1%} x score gap {abs(gap):.1f})"
    name = NAMES["torch" if pull > 0 else "tensorflow"]
    return (
        f"favours {name}: pulls {abs(pull):.2f} points, {abs(pull) / total:.0%} of all "
        f"pulls (weight {row.weight:.1%} x score gap {abs(gap):.1f})"
    )


class _PullBar(QStyledItemDelegate):
    """A bar from the cell's centre: right for PyTorch, left for TensorFlow, as long as
    the pull is against the strongest one."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        super().paint(painter, option, index)
        pull = index.data(Qt.ItemDataRole.UserRole)
        if not isinstance(pull, float) or pull == 0:
            return
        area = option.rect.adjusted(6, 0, -6, 0)
        middle, half = area.center().x(), area.width() / 2
        length = max(2, round(half * min(abs(pull), 1.0)))
        height = max(4, area.height() // 3)
        top = area.center().y() - height // 2
        left = middle if pull > 0 else middle - length
        painter.save()
        painter.fillRect(
            left, top, length, height, tone_colour("torch" if pull > 0 else "tensorflow")
        )
        painter.fillRect(middle, area.top() + 2, 1, area.height() - 4, option.palette.mid())
        painter.restore()
