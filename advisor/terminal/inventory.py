"""The terminal view of an inventory: the shared sections as aligned text."""

from __future__ import annotations

from advisor.record import Record
from advisor.wording.formatting import inventory_sections

_LABEL_WIDTH = 14


def format_inventory(record: Record) -> str:
    """The whole inventory as aligned text."""
    lines = []
    for title, rows in inventory_sections(record):
        lines.append(title)
        lines += [f"  {label:<{_LABEL_WIDTH}}{value}" for label, value in rows]
    return "\n".join(lines) + "\n"
