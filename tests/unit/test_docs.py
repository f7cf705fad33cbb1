"""README.md and docs/*.md: every command they show parses, every relative link resolves."""

from __future__ import annotations

import argparse
import itertools
import re
import shlex
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from advisor.base.errors import UsageError
from advisor.terminal.cli import PROG, build_parser

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = (README, *sorted((ROOT / "docs").glob("*.md")))
README_MAX_LINES = 220  # "about 200": detail belongs on a docs/ page

FENCE = re.compile(r"^[ \t]*```(\w*)\n(.*?)^[ \t]*```[ \t]*$", re.M | re.S)
SPAN = re.compile(r"`([^`]+)`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.M)
SHELLS = {"bash", "sh", "shell", "console"}
SHELL_OPERATORS = set("|&;()<>")
COMMAND_WORD = re.compile(r"[a-z][a-z-]*")
FLAG = re.compile(r"-{1,2}[a-zA-Z][\w-]*")


@dataclass(frozen=True)
class Shown:
    """A command as a page shows it: where, the words after the program, whether it runs as is."""

    where: str
    words: tuple[str, ...]
    runnable: bool  # a shell line to run (parsed in full), not a mention or a usage synopsis


def _blanked(match: re.Match[str]) -> str:
    """The matched text with everything but its line breaks removed, so line numbers hold."""
    return "\n" * match.group(0).count("\n")


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _program_words(tokens: list[str]) -> list[str] | None:
    """The words after `framework-advisor` (any path to it) or `python -m advisor`, else None."""
    for index, token in enumerate(tokens):
        if token.rsplit("/", 1)[-1] == PROG:
            return tokens[index + 1 :]
        if token == "-m" and tokens[index + 1 : index + 2] == ["advisor"]:
            return tokens[index + 2 :]
    return None


def _shell_commands(line: str) -> Iterator[list[str]]:
    """The simple commands of one shell line (split at pipes, `&&` and `;`; comments dropped)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    command: list[str] = []
    for token in lexer:
        if set(token) <= SHELL_OPERATORS:
            yield command
            command = []
        else:
            command.append(token)
    yield command


def _block_commands(where: str, language: str, body: str) -> Iterator[Shown]:
    """Commands in a fenced block: shell lines, `$ ` lines of shown output, usage synopses."""
    if language not in SHELLS and body.startswith((f"usage: {PROG} ", f"{PROG} ")):
        yield Shown(where, tuple(_program_words(body.split()) or ()), runnable=False)
        for name in re.findall(r"^ {4}([a-z][a-z-]*)\b", body, re.M):  # a COMMAND listing
            yield Shown(where, (name,), runnable=False)
        return
    for line in body.replace("\\\n", " ").splitlines():
        if line.startswith("$ ") or (language in SHELLS and line.strip()):
            for command in _shell_commands(line.removeprefix("$ ")):
                words = _program_words(command)
                if words is not None:
                    yield Shown(where, tuple(words), runnable=True)


def shown_commands(page: Path, text: str) -> Iterator[Shown]:
    """Every framework-advisor command a Markdown page shows, in code blocks and in code spans."""
    name = page.relative_to(ROOT) if page.is_relative_to(ROOT) else page
    for block in FENCE.finditer(text):
        where = f"{name}:{_line(text, block.start())}"
        yield from _block_commands(where, block.group(1), textwrap.dedent(block.group(2)))
    prose = FENCE.sub(_blanked, text)
    subcommands = _subcommands(build_parser()) or {}
    for span in SPAN.finditer(prose):
        tokens = span.group(1).split()
        words = _program_words(tokens)
        if (
            words is None
            and tokens[:1]
            and tokens[0] in subcommands
            and any(t.startswith("--") for t in tokens)
        ):
            words = tokens  # `bench --output`, `compare RECORD... [--answers FILE]`
        if words is not None:
            yield Shown(f"{name}:{_line(prose, span.start())}", tuple(words), runnable=False)


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser] | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return None


def _mention_problems(words: tuple[str, ...]) -> list[str]:
    """What a mention or synopsis names that the parser lacks: a command, a flag, a choice."""
    parser, rest = build_parser(), list(words)
    while rest and COMMAND_WORD.fullmatch(rest[0]) and (choices := _subcommands(parser)):
        if rest[0] not in choices:
            return [f"no command {rest[0]} in {parser.prog}"]
        parser, rest = choices[rest[0]], rest[1:]
    known = parser._option_string_actions
    problems = []
    for word, following in itertools.pairwise([*rest, ""]):
        flag = FLAG.match(word.lstrip("[({|"))
        if flag is None:
            continue
        action = known.get(flag.group(0))
        if action is None:
            problems.append(f"{parser.prog} has no option {flag.group(0)}")
        elif action.choices is not None and not following.startswith(("-", "[")):
            values = [part for part in re.split(r"[{}\[\]|,()]", following) if part.islower()]
            problems += [
                f"{parser.prog} {flag.group(0)} has no choice {value}"
                for value in values
                if value not in action.choices
            ]
    return problems


def _missing_paths(words: tuple[str, ...]) -> list[str]:
    """Repository files a runnable command names (tests/..., resources/...) that are not there."""
    return [
        f"no file {word}"
        for word in words
        if "/" in word
        and not word.startswith(("/", "~", "."))
        and not any(char in word for char in "*?$")
        and (ROOT / word.split("/")[0]).is_dir()
        and not (ROOT / word).exists()
    ]


def command_problems(shown: Shown) -> list[str]:
    """Why a shown command would not work as the page says (empty when it would)."""
    if not shown.runnable:
        return _mention_problems(shown.words)
    try:
        build_parser().parse_args(list(shown.words))
    except UsageError as error:
        return [str(error)]
    return _missing_paths(shown.words)


def _slug(heading: str, seen: dict[str, int]) -> str:
    """The anchor GitHub gives a heading (lower case, punctuation dropped, repeats numbered)."""
    slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return f"{slug}-{count}" if count else slug


def anchors(text: str) -> set[str]:
    """Every heading anchor of a Markdown page."""
    seen: dict[str, int] = {}
    return {_slug(heading, seen) for heading in HEADING.findall(FENCE.sub(_blanked, text))}


def link_problems(page: Path, text: str) -> list[str]:
    """Relative links (and images) of a page whose file or heading anchor does not exist."""
    prose = SPAN.sub(_blanked, FENCE.sub(_blanked, text))
    problems = []
    for link in LINK.finditer(prose):
        target = link.group(1)
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path_part, _, anchor = target.partition("#")
        path = (page.parent / path_part).resolve()
        where = f"{page.name}:{_line(prose, link.start())} {target}"
        if path_part and (not path.is_relative_to(ROOT) or not path.exists()):
            problems.append(f"{where}: no such file")
        elif anchor and anchor not in anchors(path.read_text() if path_part else text):
            problems.append(f"{where}: no heading with that anchor")
    return problems


def _all_shown() -> list[Shown]:
    return [shown for page in PAGES for shown in shown_commands(page, page.read_text())]


SHOWN = _all_shown()


@pytest.mark.parametrize("shown", SHOWN, ids=[f"{s.where} {' '.join(s.words)[:60]}" for s in SHOWN])
def test_every_command_shown_is_one_the_parser_takes(shown: Shown) -> None:
    assert command_problems(shown) == []


def test_the_checks_catch_a_flag_a_command_and_a_choice_the_parser_lacks() -> None:
    page = "Run `framework-advisor bench --fastest` or `report --format docx`.\n\n```bash\n"
    page += "framework-advisor deploy --preset huge\nframework-advisor benchmark\n```\n"
    found = list(shown_commands(ROOT / "page.md", page))
    assert [command_problems(shown) != [] for shown in found] == [True, True, True, True]
    assert command_problems(Shown("-", ("deploy", "--preset", "full"), runnable=True)) == []


def test_the_pages_show_the_commands_they_document() -> None:
    runnable = {shown.words for shown in SHOWN if shown.runnable}
    assert ("report",) in runnable  # the Quick start's first command
    rows = "\n".join(line for line in README.read_text().splitlines() if line.startswith("|"))
    table = list(shown_commands(README, rows))
    named = {
        shown.words[:2] if shown.words[:1] == ("fleet",) else shown.words[:1] for shown in table
    }
    parser_commands = set(_subcommands(build_parser()) or {})
    assert {(name,) for name in parser_commands - {"fleet"}} | {("fleet", "slurm")} <= named


def test_every_relative_link_and_anchor_exists() -> None:
    problems = [problem for page in PAGES for problem in link_problems(page, page.read_text())]
    assert problems == []


def test_a_broken_link_and_a_broken_anchor_are_caught() -> None:
    page = ROOT / "docs" / "page.md"
    text = "# Title\n\n[ok](#title) [gone](missing.md) [bad](../README.md#no-such-heading)\n"
    assert [problem.rsplit(": ", 1)[1] for problem in link_problems(page, text)] == [
        "no such file",
        "no heading with that anchor",
    ]


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {
        (ROOT / target.partition("#")[0]).resolve() for target in LINK.findall(README.read_text())
    }
    assert [page.name for page in PAGES[1:] if page not in linked] == []


def test_the_quick_start_is_two_commands_the_second_the_one_ci_runs() -> None:
    text = README.read_text()
    quick_start = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    block = FENCE.search(quick_start)
    assert block is not None and block.group(1) == "bash"
    commands = block.group(2).splitlines()
    ci_lines = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert len(commands) == 2
    assert commands[1] == ci_lines[-1] == ".venv/bin/python -m pytest"


def test_the_readme_stays_short() -> None:
    assert len(README.read_text().splitlines()) <= README_MAX_LINES


def test_the_full_usage_shown_lists_every_command() -> None:
    full_usages = {shown.where for shown in SHOWN if shown.words[:2] == ("[-h]", "[--version]")}
    listed = {
        shown.words[0] for shown in SHOWN if shown.where in full_usages and len(shown.words) == 1
    }
    assert full_usages
    assert listed == set(_subcommands(build_parser()) or {})
