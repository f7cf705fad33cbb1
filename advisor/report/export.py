"""Write a record as an HTML, JSON or PDF report, atomically: the CLI and the app both use this."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Literal

from advisor.base.errors import ExportError, ReportFormatError
from advisor.base.fileio import atomic_write, atomic_write_text
from advisor.base.serde import dumps
from advisor.record import Record, record_to_json
from advisor.report.pdf import print_pdf
from advisor.report.render import render_view
from advisor.report.view import ReportView, report_view
from advisor.scoring.knowledge import knowledge
from advisor.scoring.verdict import verdict_jsonable

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
    raise ReportFormatError(f"{path}: cannot tell the report format (one of {', '.join(FORMATS)})")


def report_json(record: Record, view: ReportView) -> str:
    """The record's JSON with the verdict beside it, and the compared machines when there are.

    Both are derived: a reader of records ignores them (see record.DERIVED_KEYS).
    """
    document = json.loads(record_to_json(record))
    document["verdict"] = verdict_jsonable(view.recommendation)
    if view.fleet is not None:
        document["compared"] = json.loads(dumps(view.fleet))
    return dumps(document) + "\n"


def export_report(
    record: Record,
    path: Path,
    fmt: Format,
    view: ReportView | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Write the report; the target is either the complete new file or left untouched.

    `view` is the record's report view when the caller has built it already; `cancel`
    stops a PDF being printed (CancelledError).
    """
    view = view or report_view(record, knowledge())
    if fmt == "json":
        atomic_write_text(path, report_json(record, view))
    elif fmt == "html":
        atomic_write_text(path, render_view(view))
    else:
        html = render_view(view)
        try:
            atomic_write(path, lambda temp: print_pdf(html, temp, cancel))
        except ExportError as exc:  # it names the temporary file: name the user's
            raise ExportError(f"cannot write {path}: {exc}") from exc
