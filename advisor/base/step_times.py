"""How long each kind of step took in this machine's last run of each kind (probe, bench,
deploy), kept in the data folder as the next run's priors for its time left and for what
the app says a run will take (advisor.wording.durations).

Only how long steps took is kept: per kind of step, the seconds its priors said and the
seconds it took. What is kept is a hint: a file that is missing, unreadable or from
another version is read as no history, and one that cannot be written costs the next
run its early estimate, never the run.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from advisor.base.datadir import data_dir
from advisor.base.errors import AdvisorError
from advisor.base.fileio import atomic_write_text, read_text_file
from advisor.base.progress import Tracker

FILE_NAME = "step_times.json"
SCHEMA_VERSION = 1
# A correction far outside these says the file is wrong, not the machine slow.
_SANE = (0.02, 50.0)


def last_corrections(run: str) -> dict[str, float]:
    """Per kind of step, time taken over prior in the last `run` ("probe", "bench", "deploy") here;
    {} when there was none or what was kept cannot be read."""
    try:
        kinds = _kept_runs(data_dir() / FILE_NAME).get(run)
    except AdvisorError:
        return {}
    if not isinstance(kinds, dict):
        return {}
    return {kind: _correction(times) for kind, times in kinds.items() if _usable(times)}


def remember(run: str, tracker: Tracker) -> None:
    """Keep the tracker's finished steps, per kind, as the priors of the next `run` here."""
    kinds = {
        kind: {"prior_s": round(prior, 3), "taken_s": round(taken, 3)}
        for kind, (prior, taken) in tracker.timings().items()
        if prior > 0
    }
    if not kinds:
        return
    try:
        folder = data_dir()
        runs = _kept_runs(folder / FILE_NAME)
        runs[run] = kinds
        text = json.dumps({"schema_version": SCHEMA_VERSION, "runs": runs}, indent=1)
        atomic_write_text(folder / FILE_NAME, text + "\n")
    except AdvisorError:
        return  # a hint lost: the next run estimates from the budgets alone


def _kept_runs(path: Path) -> dict[str, Any]:
    """The other kinds of run already kept (a bad file keeps none)."""
    try:
        kept = json.loads(read_text_file(path, FILE_NAME))
        runs = kept["runs"] if kept.get("schema_version") == SCHEMA_VERSION else {}
        return dict(runs) if isinstance(runs, dict) else {}
    except (AdvisorError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _usable(times: Any) -> bool:
    try:
        correction = _correction(times)
    except (TypeError, KeyError, ValueError, ZeroDivisionError):
        return False
    return math.isfinite(correction) and _SANE[0] <= correction <= _SANE[1]


def _correction(times: dict[str, float]) -> float:
    return float(times["taken_s"]) / float(times["prior_s"])
