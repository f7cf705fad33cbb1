"""TOML text the advisor reads (answers files, profiles, its own data files), parsed safely.

`tomllib` parses nested arrays and inline tables by recursion, and a dotted key or table
header thousands of keys deep in time that grows with the square of its depth. So the
text is measured first, in one pass that cannot recurse: anything larger than
`MAX_TOML_BYTES` or nested deeper than `MAX_DEPTH` is refused before the parser sees it.
The measure counts every dot of a key and every open bracket, so it never undercounts.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from advisor.base.errors import UsageError, quoted
from advisor.base.serde import MAX_DEPTH

MAX_TOML_BYTES = 1 << 20  # an answers file is about 1 KiB; the largest shipped file 40 KiB

# Strings and comments are skipped whole (a bracket or dot inside one is text); what is
# left is the structure: brackets, dots, the separators that end a key, and new lines.
_TOKENS = re.compile(
    r'"""[\s\S]*?"""(?!")|\'\'\'[\s\S]*?\'\'\'(?!\')'
    r'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*'
    r"|[\[\]{}.=,\n]"
)


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """The TOML document in ``text``; one UsageError naming ``source`` when it cannot be read."""
    try:
        return read_toml(text)
    except ValueError as exc:
        raise UsageError(f"{source}: {exc}") from exc


def read_toml(text: str) -> dict[str, Any]:
    """The TOML document in ``text``; a ValueError saying why in one line when it cannot be read.

    For TOML the user did not name (a scanned project's pyproject.toml), as for what they did.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TOML_BYTES:
        raise ValueError(f"too large for a TOML file ({size} bytes; the limit is 1 MiB)")
    if nesting(text) > MAX_DEPTH:
        raise ValueError(f"not valid TOML (nested too deeply: more than {MAX_DEPTH} levels)")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(_problem(text, exc)) from None


def nesting(text: str) -> int:
    """How deeply the TOML text nests at most (an upper bound), stopping past MAX_DEPTH."""
    table = brackets = dots = deepest = 0
    header = line_has_value = False
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            header = header or (token == "[" and brackets == 0 and not line_has_value)
            brackets += 1
        elif token in "]}":
            brackets = max(0, brackets - 1)
            if header and brackets == 0:
                table, header, dots = dots + 1, False, 0
        elif token == ".":
            dots += 1
        elif token in "=,":
            line_has_value = line_has_value or token == "="
            dots = 0 if token == "," else dots
        elif token == "\n" and brackets == 0:
            line_has_value, dots = False, 0
        deepest = max(deepest, table + brackets + dots + 1)
        if deepest > MAX_DEPTH:
            break
    return deepest


_AT_LINE = re.compile(r"at line (\d+)")


def _problem(text: str, exc: tomllib.TOMLDecodeError) -> str:
    """A TOML error in one line; a repeated key is named, as TOML only gives its position."""
    where = _AT_LINE.search(str(exc))
    if "Cannot overwrite a value" in str(exc) and where:
        line = text.splitlines()[int(where.group(1)) - 1]
        key = line.split("=", 1)[0].strip()
        return f"key {quoted(key)}: duplicate key (line {where.group(1)})"
    return f"not valid TOML ({exc})"
