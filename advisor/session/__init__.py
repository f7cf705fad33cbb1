"""The session: what both front-ends hold and call (see state.Session).

The front-ends call functions of this package only (and the shared wording, text escaping
and errors). The few ground functions they need besides the Session are exposed here by
their own names, so the front-ends keep one door into the core.
"""

from __future__ import annotations

from advisor.base.display import has_display, prepare_webengine, window_problem
from advisor.base.fileio import atomic_write_text, check_output_path
from advisor.base.resources_path import resource_file
from advisor.base.serde import dumps
from advisor.base.stopping import StopSignals, stop_signals
from advisor.fleet.backend import run_fleet
from advisor.probing.environments import discover
from advisor.record import record_to_json, save_record
from advisor.report.export import format_for
from advisor.scoring.answers import same_answer, template
from advisor.scoring.knowledge import knowledge
from advisor.scoring.verdict import verdict_jsonable
from advisor.session.state import Session
from advisor.usermodel import parse_model_ref
from advisor.wording.claims import knowledge_jsonable

__all__ = [
    "Session",
    "StopSignals",
    "atomic_write_text",
    "check_output_path",
    "discover",
    "dumps",
    "format_for",
    "has_display",
    "knowledge",
    "knowledge_jsonable",
    "parse_model_ref",
    "prepare_webengine",
    "record_to_json",
    "resource_file",
    "run_fleet",
    "same_answer",
    "save_record",
    "stop_signals",
    "template",
    "verdict_jsonable",
    "window_problem",
]
