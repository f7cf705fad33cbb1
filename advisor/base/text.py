"""Text from outside the advisor (child processes, files, the machine), made safe to show.

A CPU name, a probe's error line or an answers file may hold terminal escape sequences,
NUL bytes or Unicode bidirectional overrides. Shown as they are, they could recolour or
clear a terminal, or make a line read differently from what it says. Every front-end
shows such text through `neutralised`: each of those characters becomes its visible
escape (``\\x1b``, ``\\u202e``); newlines and tabs stay.
"""

from __future__ import annotations

import re

# C0 and C1 controls except tab and newline, DEL, and the bidirectional marks,
# embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutralised(text: str) -> str:
    """``text`` with every control or bidirectional character shown as its escape."""
    return _UNSAFE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def one_line(text: str, limit: int = 300) -> str:
    """The first line of ``text``, neutralised and cut to ``limit`` characters."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    first = neutralised(first)
    return first if len(first) <= limit else first[: limit - 1] + "…"


def shortened(text: str, limit: int = 1000) -> str:
    """``text`` in at most about ``limit`` characters: a longer one keeps both ends.

    For a whole error line, whose start names the subject and whose end the reason; a
    value inside it is already cut by `advisor.base.errors.quoted`, a path the user gave is not.
    """
    if len(text) <= limit:
        return text
    keep = limit // 2
    return f"{text[:keep]} … [{len(text) - 2 * keep} characters cut] … {text[-keep:]}"


_LONG_WORD = re.compile(r"\S{101,}")
_BREAK_EVERY = 100


def breakable(text: str) -> str:
    """``text`` with a zero-width space every 100 characters inside longer words, so a
    wrapping label can break a very long path or token instead of widening the window.
    (A word of up to 100 characters, any real path, stays whole: it fits the narrowest
    window, and copying it gives the path.)"""
    return _LONG_WORD.sub(
        lambda match: "\u200b".join(
            match.group()[i : i + _BREAK_EVERY] for i in range(0, len(match.group()), _BREAK_EVERY)
        ),
        text,
    )
