"""One Jinja2 environment and the one function that turns a record into the report's HTML."""

from __future__ import annotations

import functools

import jinja2
import markupsafe

from advisor.base.resources_path import resource_folder
from advisor.base.text import neutralised
from advisor.comparison import ratio_text
from advisor.record import Record
from advisor.report.view import ReportView, report_view
from advisor.scoring.knowledge import knowledge
from advisor.wording.formatting import format_bytes, format_number


def _percent(value: float, digits: int = 0) -> str:
    return f"{value:.{digits}%}"


def _shown(value: object) -> object:
    """Every value a template prints, control and bidirectional characters made visible."""
    if isinstance(value, markupsafe.Markup):
        return markupsafe.Markup(neutralised(str(value)))
    return neutralised(value) if isinstance(value, str) else value


@functools.cache
def environment() -> jinja2.Environment:
    """Templates from resources/templates: autoescaped, neutralised, strict about names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_folder("templates")),
        autoescape=True,
        finalize=_shown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = format_number
    env.filters["ratio"] = ratio_text
    env.filters["bytes"] = format_bytes
    env.filters["percent"] = _percent
    return env


def render_view(view: ReportView) -> str:
    """The self-contained HTML report of a view-model: the preview and every export use this."""
    return environment().get_template("report.html.j2").render(view=view)


def render_html(record: Record) -> str:
    """The report of a record."""
    return render_view(report_view(record, knowledge()))
