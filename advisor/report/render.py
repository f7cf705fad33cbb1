"""One Jinja2 environment and the one function that turns a record into the report's HTML."""

from __future__ import annotations

import functools

import jinja2

from advisor.formatting import format_bytes, format_number
from advisor.record import Record
from advisor.report.view import ReportView, report_view
from advisor.resources_path import resource_folder
from advisor.scoring.knowledge import knowledge


def _percent(value: float, digits: int = 0) -> str:
    return f"{value:.{digits}%}"


@functools.cache
def environment() -> jinja2.Environment:
    """Templates from resources/templates: autoescaped, and an undefined name is an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_folder("templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = format_number
    env.filters["bytes"] = format_bytes
    env.filters["percent"] = _percent
    return env


def render_view(view: ReportView) -> str:
    """The self-contained HTML report of a view-model: the preview and every export use this."""
    return environment().get_template("report.html.j2").render(view=view)


def render_html(record: Record) -> str:
    """The report of a record."""
    return render_view(report_view(record, knowledge()))
