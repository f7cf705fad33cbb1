"""Write a record as an HTML, JSON or PDF report, atomically: the CLI and the app both use this."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from advisor.errors import UsageError
from advisor.fileio import atomic_write, atomic_write_text
from advisor.record import Record, record_to_json
from advisor.report.pdf import print_pdf
from advisor.report.render import render_html

Format = Literal["html", "json", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "json", "pdf")


def format_for(path: Path | None, requested: str | None) -> Format:
    """The requested format, else the one the file name ends with, else HTML."""
    chosen = requested or (path.suffix.lstrip(".").lower() if path is not None else "") or "html"
    if chosen == "htm":
        chosen = "html"
    for known in FORMATS:
        if chosen == known:
            return known
    raise UsageError(f"cannot tell the report format from {path}: use --format {'|'.join(FORMATS)}")


def export_report(record: Record, path: Path, fmt: Format) -> None:
    """Write the report; the target is either the complete new file or left untouched."""
    if fmt == "json":
        atomic_write_text(path, record_to_json(record))
    elif fmt == "html":
        atomic_write_text(path, render_html(record))
    else:
        html = render_html(record)
        atomic_write(path, lambda temp: print_pdf(html, temp))
