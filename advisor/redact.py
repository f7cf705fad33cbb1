"""Reports are meant to be shared: leave out who and where a record comes from, on request.

The machine's host name, the user's name and their home folder appear in a record (the
inventory, interpreter and framework paths, the answers file), and so does the absolute
path of a scanned project (its findings name paths relative to it). `redacted` replaces
each everywhere in the record, consistently: a scanned folder by `<scanned folder>`, a
home folder by `~`, the host name by `host`, the user name by `user`. They are read from
the record itself (its host name, and every home folder its paths name), so a record made
on another machine, by another user, is cleared of them as well as one made here; this
machine's own are added for good measure. Measurements, versions and the hardware are
kept: they are what a reader needs.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterator
from pathlib import Path

from advisor.base.serde import from_jsonable, to_jsonable
from advisor.record import Record

SCANNED_FOLDER = "<scanned folder>"

# A home folder in a path, and the user it belongs to: Linux (/home, Fedora Silverblue's
# /var/home), macOS (/Users) and Windows (C:\Users); root's home has no user to name.
_HOME = re.compile(
    r"(?<![^/\s\"'=:(\[])(?:/var)?/home/(?P<linux>[^/\s\"'`;:)\]]+)"
    r"|(?<![^/\s\"'=:(\[])/Users/(?P<mac>[^/\s\"'`;:)\]]+)"
    r"|\b[A-Za-z]:\\Users\\(?P<windows>[^\\/\s\"'`;:)\]]+)"
    r"|(?<![^\s\"'=:(\[])/root(?![^/\s\"'`;:)\]])"
)
# Folders under those roots that belong to no one in particular.
_SHARED = {"Shared", "Public", "Default", "All Users", "Default User", "linuxbrew"}


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return None


def _strings(value: object) -> Iterator[str]:
    """Every string in plain JSON data (a record's), keys included."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())


def identities(data: object, hostname: str) -> tuple[set[str], set[str], set[str]]:
    """The home folders, host names and user names a record's plain data names."""
    homes, users = set(), set()
    for text in _strings(data):
        for match in _HOME.finditer(text):
            user = match.group("linux") or match.group("mac") or match.group("windows")
            if user in _SHARED:
                continue
            homes.add(match.group())
            if user:
                users.add(user)
    hosts = {hostname, hostname.partition(".")[0]}  # a fully qualified name, and its first label
    return homes, hosts, users


def replacements(record: Record) -> list[tuple[re.Pattern[str], str]]:
    """What to replace, in order: scanned folders, home folders, host names, user names."""
    homes, hosts, users = identities(to_jsonable(record), record.machine.system.hostname)
    homes.add(str(Path.home()))
    users.add(_user() or "")
    code = record.answers.code if record.answers else None
    patterns = []
    for found, stand_in, flags in (
        # A scanned folder first: its path may lie under a home folder, and goes whole.
        (set(code.roots if code else ()), SCANNED_FOLDER, 0),
        (homes, "~", 0),
        (hosts, "host", re.IGNORECASE),  # host names are not case-sensitive
        (users, "user", 0),
    ):
        for text in sorted(found - {"", "/", "~"}, key=len, reverse=True):
            # Not inside a longer name: 'ana' in /home/ana and report-ana.toml, not 'banana'.
            boundary = r"(?<![A-Za-z0-9])" + re.escape(text) + r"(?![A-Za-z0-9])"
            patterns.append((re.compile(boundary, flags), stand_in))
    return patterns


def redacted(record: Record) -> Record:
    """The record with its host name, user names and home folders left out."""
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
