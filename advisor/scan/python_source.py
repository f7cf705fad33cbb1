"""Signs in Python source, read as syntax trees: imports, calls, keywords, device strings.

Parsing every byte of a large repository with `ast` costs seconds per ten megabytes, so
a file is parsed in pieces: its import statements, then the statements holding a call
sign as this file spells it (``tf.function`` after ``import tensorflow as tf``) or a word
every file shares (a device string, a method, a keyword), outside triple-quoted strings
and comments. A statement that cannot be cut out is parsed as its top-level block; one
that still does not parse, or a sign of Python 2, sends the whole file through `ast`; a
file that does not parse at all (Python 2, a template) is counted and read with a
plain-text import search instead. The code is never imported or run.
"""

from __future__ import annotations

import ast
import bisect
import functools
import itertools
import re
import textwrap
from dataclasses import dataclass, field

from advisor.scan.matcher import Matcher, dotted_hits

_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+\.*[\w.]*[ \t]+import\b|import[ \t]+[\w.])", re.M)
# A top-level statement starts at column 0 with something other than a comment or a
# closing bracket.
_BLOCK_START = re.compile(r"^(?![ \t\r\n#)\]}])", re.M)
# Python 2 statements (each pattern starts with a literal, which `re` finds fast).
_PYTHON2 = (
    re.compile(
        r"(?m)print[ \t]+[\w\"'](?<=^print [\w\"'])|print[ \t]+[\w\"'](?<=    print [\w\"'])"
    ),
    re.compile(r"except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:"),
)
_PLAIN_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w.]+))", re.M)


@dataclass
class PythonReading:
    """What one Python text showed: signal ids, and why it was not fully parsed if it was not."""

    signals: set[str] = field(default_factory=set)
    problem: str | None = None


def read_python(text: str, matcher: Matcher) -> PythonReading:
    """The signs in one Python text (a module, or a notebook's code cells joined)."""
    try:
        return _parsed_in_pieces(text, matcher)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return PythonReading(_plain_imports(text, matcher), _why_unparsable(exc))
    aliases, modules = _imports_of(tree)
    reading = PythonReading(_module_hits(modules, matcher))
    reading.signals |= _tree_hits(tree, aliases, matcher)
    return reading


def _parsed_in_pieces(text: str, matcher: Matcher) -> PythonReading:
    if any(pattern.search(text) for pattern in _PYTHON2):
        raise SyntaxError("looks like Python 2")
    imports = ast.parse("\n".join(_import_statements(text)))
    aliases, modules = _imports_of(imports)
    reading = PythonReading(_module_hits(modules, matcher))
    words = _words_for(aliases, matcher, text)
    for tree in _interesting_statements(text, words) if words else ():
        reading.signals |= _tree_hits(tree, aliases, matcher)
    return reading


def _import_statements(text: str) -> list[str]:
    """Every import statement, dedented, with its bracketed or backslashed continuation."""
    statements = []
    for match in _IMPORT.finditer(text):
        start, end = match.start(), text.find("\n", match.end())
        end = len(text) if end == -1 else end
        line = text[start:end]
        if "(" in line and ")" not in line:
            close = text.find(")", end)
            end = len(text) if close == -1 else close + 1
        while text[start:end].rstrip().endswith("\\") and end < len(text):
            nxt = text.find("\n", end + 1)
            end = len(text) if nxt == -1 else nxt
        statements.append(text[start:end].strip().split(";", 1)[0])
    return statements


def _imports_of(tree: ast.AST) -> tuple[dict[str, str], set[str]]:
    """Local name -> qualified name, and every module (and from-imported name) imported."""
    aliases: dict[str, str] = {}
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules.add(alias.name)
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    aliases[head] = head
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
            for alias in node.names:
                modules.add(f"{node.module}.{alias.name}")
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases, modules


def _module_hits(modules: set[str], matcher: Matcher) -> set[str]:
    hits: set[str] = set()
    for module in modules:
        hits |= dotted_hits(matcher.imports, module)
    return hits


def _words_for(aliases: dict[str, str], matcher: Matcher, text: str) -> re.Pattern[str] | None:
    """What marks a statement worth parsing in this file: call signs as this file spells
    them (``tf.function`` after ``import tensorflow as tf``, ``DDP`` for an imported
    DistributedDataParallel), and the words every file shares; None when the text holds
    none of them. Only those whose last word the text holds go into the expression, as a
    substring test is many times faster than a long alternation."""
    spelled = set()
    seen: dict[str, bool] = {}  # last word -> whether the text holds it (each looked up once)
    for name, target in aliases.items():
        if dotted_hits(matcher.calls, target):
            spelled.add(name)
            continue
        for pattern in matcher.under.get(target, ()):
            word = pattern.rsplit(".", 1)[-1]
            if seen.setdefault(word, word in text):
                spelled.add(name + pattern[len(target) :])
    words = tuple(w for w in matcher.call_words if w in text)
    return _words_regex(frozenset(spelled), words) if spelled or words else None


@functools.lru_cache(maxsize=4096)
def _words_regex(spelled: frozenset[str], words: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(re.escape(n) for n in sorted(spelled, key=len, reverse=True))
    plain = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # No assertion in front: `re` then skips ahead by the first characters, three times
    # faster; where a match starts is checked by _starts_word.
    return re.compile(f"(?:{'|'.join(p for p in (names, plain) if p)})\\b")


def _starts_word(text: str, start: int, dotted_ok: bool) -> bool:
    """Whether a match begins a name (not the tail of a longer one, like xcuda or a.torch)."""
    if start == 0:
        return True
    before = text[start - 1]
    return not (before.isalnum() or before == "_" or (before == "." and not dotted_ok))


def _interesting_statements(text: str, words: re.Pattern[str]) -> list[ast.Module]:
    """The statements that hold a call word (outside triple-quoted strings), parsed once each.

    A statement is the line holding the word, grown downwards until its brackets close;
    when that does not parse (the word sits inside a call spread over lines), it starts a
    line earlier, up to _MAX_BACK lines; when nothing parses, the whole top-level block
    (SyntaxError from it sends the file to a full parse).
    """
    lines = text.split("\n")
    offsets = _line_offsets(lines)
    strings = _triple_quoted(text)
    trees: dict[int, ast.Module] = {}
    for match in words.finditer(text):
        if not _starts_word(text, match.start(), "." not in match.group()):
            continue
        row = bisect.bisect_right(offsets, match.start()) - 1
        if row in trees or _inside(strings, match.start()) or lines[row].lstrip()[:1] == "#":
            continue
        trees[row] = _statement_at(lines, row) or ast.parse(_block_at(text, match.start()))
    return list({id(tree): tree for tree in trees.values()}.values())


_TRIPLE = re.compile(r"\"\"\"|'''")


def _triple_quoted(text: str) -> list[int]:
    """Start and end offsets of triple-quoted strings, flattened (start, end, start, ...)."""
    bounds: list[int] = []
    opened: str | None = None
    for match in _TRIPLE.finditer(text):
        if opened is None:
            opened = match.group()
            bounds.append(match.start())
        elif match.group() == opened:
            opened = None
            bounds.append(match.end())
    return bounds


def _inside(bounds: list[int], position: int) -> bool:
    return bisect.bisect_right(bounds, position) % 2 == 1


_MAX_BACK = 12
_MAX_DOWN = 60


def _statement_at(lines: list[str], row: int) -> ast.Module | None:
    for first in range(row, max(row - _MAX_BACK, 0) - 1, -1):
        tree = _parsed(_balanced(lines, first))
        if tree is not None:
            return tree
    return None


def _balanced(lines: list[str], first: int) -> str:
    """Lines from ``first`` until brackets balance, dedented, a body added after a colon."""
    depth, last = 0, first
    while last < len(lines) and last - first < _MAX_DOWN:
        code = lines[last].split("#", 1)[0]
        depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
        if depth <= 0 and not code.rstrip().endswith("\\"):
            break
        last += 1
    snippet = textwrap.dedent("\n".join(lines[first : last + 1]))
    stripped = snippet.rstrip()
    if stripped.startswith("@"):
        return stripped + "\ndef _(): pass"
    if stripped.endswith(":"):
        return stripped + " pass"
    return snippet


def _parsed(snippet: str) -> ast.Module | None:
    try:
        return ast.parse(snippet)
    except (SyntaxError, ValueError):
        return None


def _line_offsets(lines: list[str]) -> list[int]:
    return [0, *itertools.accumulate(len(line) + 1 for line in lines)]


def _block_at(text: str, position: int) -> str:
    """The top-level block around ``position``: from the last column-0 line to the next."""
    starts = [m.start() for m in _BLOCK_START.finditer(text, 0, position + 1)]
    begin = starts[-1] if starts else 0
    nxt = _BLOCK_START.search(text, position + 1)
    return text[begin : nxt.start() if nxt else len(text)]


def _tree_hits(tree: ast.AST, aliases: dict[str, str], matcher: Matcher) -> set[str]:
    hits: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            hits |= _call_hits(node, aliases, matcher)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for decorator in node.decorator_list:
                name = _qualified(decorator, aliases)
                if name:
                    hits |= dotted_hits(matcher.calls, name)
    return hits


def _call_hits(call: ast.Call, aliases: dict[str, str], matcher: Matcher) -> set[str]:
    hits: set[str] = set()
    name = _qualified(call.func, aliases)
    if name:
        hits |= dotted_hits(matcher.calls, name)
    if isinstance(call.func, ast.Attribute):
        hits |= matcher.methods.get(call.func.attr, frozenset())
    for keyword in call.keywords:
        if keyword.arg is None:
            continue
        hits |= matcher.keywords.get(keyword.arg, frozenset())
        if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
            hits |= matcher.keywords.get(f"{keyword.arg}={keyword.value.value}", frozenset())
    for device in _device_strings(call, name):
        hits |= matcher.devices.get(device.split(":", 1)[0], frozenset())
    return hits


def _device_strings(call: ast.Call, name: str | None) -> list[str]:
    """Strings given as a device: .to("cuda"), torch.device("mps"), device="cuda:0"."""
    values: list[ast.expr] = [k.value for k in call.keywords if k.arg == "device"]
    is_to = isinstance(call.func, ast.Attribute) and call.func.attr == "to"
    if call.args and (is_to or (name or "").endswith("device")):
        values.append(call.args[0])
    return [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]


def _qualified(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """The dotted name an expression spells, its head resolved through the imports."""
    if isinstance(node, ast.Call):  # a decorator with arguments: @tf.function(jit_compile=...)
        node = node.func
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def _plain_imports(text: str, matcher: Matcher) -> set[str]:
    """Import signs found by a text search, for a file `ast` cannot read."""
    modules = {m.group(1) or m.group(2) for m in _PLAIN_IMPORT.finditer(text)}
    return _module_hits(modules, matcher)


def _why_unparsable(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f"unparsable Python (line {exc.lineno}: {exc.msg})"
    return f"unparsable Python ({type(exc).__name__})"
