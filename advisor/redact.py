"""Reports are meant to be shared: leave out who and where a record comes from, on request.

The machine's host name, the user's name and their home folder appear in a record (the
inventory, interpreter and framework paths, the answers file), and so does the absolute
path of a scanned project (its findings name paths relative to it). `redacted` replaces each
everywhere in the record, consistently: the home folder by `~`, the host name by `host`,
the user name by `user`. Measurements, versions and the hardware are kept: they are what
a reader of the report needs.
"""

from __future__ import annotations

import getpass
import re
from pathlib import Path

from advisor.record import Record
from advisor.serde import from_jsonable, to_jsonable

SCANNED_FOLDER = "<scanned folder>"


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return None


def replacements(record: Record) -> list[tuple[re.Pattern[str], str]]:
    """What to replace, in order: the home folder, the host name, the user name."""
    hostname = record.machine.system.hostname
    code = record.answers.code if record.answers else None
    # A scanned folder first: its path may lie under the home folder, and is left out whole.
    roots = [(root, SCANNED_FOLDER) for root in (code.roots if code else ())]
    found = [*roots, (str(Path.home()), "~"), (hostname, "host"), (_user() or "", "user")]
    patterns = []
    for text, stand_in in found:
        if text in ("", "/", "~"):
            continue
        # Not inside a longer name: 'ana' in /home/ana and report-ana.toml, not in 'banana'.
        pattern = re.compile(r"(?<![A-Za-z0-9])" + re.escape(text) + r"(?![A-Za-z0-9])")
        patterns.append((pattern, stand_in))
    return patterns


def redacted(record: Record) -> Record:
    """The record with the host name, user name and home folder left out."""
    patterns = replacements(record)

    def scrub(value: object) -> object:
        if isinstance(value, str):
            for pattern, stand_in in patterns:
                value = pattern.sub(stand_in, value)
            return value
        if isinstance(value, list):
            return [scrub(item) for item in value]
        if isinstance(value, dict):
            return {scrub(key): scrub(item) for key, item in value.items()}
        return value

    return from_jsonable(Record, scrub(to_jsonable(record)))
