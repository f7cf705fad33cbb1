"""Fault matrix, files and numbers: every hostile input is one line, a documented exit code,
and nothing lost. Real files throughout: FIFOs, device nodes, sparse giants, deep nesting."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from advisor.probing.runner import run_process
from advisor.record import record_from_json, record_to_json
from advisor.report.render import render_html
from advisor.terminal import cli
from tests.helpers import FIXTURES

QUICK = FIXTURES / "records" / "bench_quick_cpu.json"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code, _out, err = _run(capsys, *argv)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return code, lines[0]


def _quick_data() -> dict[str, object]:
    data: dict[str, object] = json.loads(QUICK.read_text())
    return data


def _with_first_median(value: str) -> str:
    """The quick fixture's text with its first median replaced by ``value``, verbatim."""
    text = QUICK.read_text()
    start = text.index('"median_s": ') + len('"median_s": ')
    end = text.index(",", start)
    return text[:start] + value + text[end:]


# --- 2. Input that is too big, too deep, or not a file -----------------------------


def test_a_fifo_is_refused_without_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "answers.toml"
    os.mkfifo(fifo)  # nobody writes: reading it would block for ever
    code, line = _one_error_line(capsys, "recommend", "--answers", str(fifo))
    assert code == 2
    assert line.endswith(f"{fifo}: not a regular file (a pipe)")


def test_a_device_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, line = _one_error_line(capsys, "report", "--from", "/dev/zero")
    assert code == 2
    assert line.endswith("--from /dev/zero: not a regular file (a character device)")


def test_a_giant_file_is_refused_before_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    giant = tmp_path / "giant.json"
    with giant.open("wb") as stream:
        stream.truncate(5 << 30)  # sparse: 5 GiB that take no disk
    code, line = _one_error_line(capsys, "recommend", "--results", str(giant))
    assert code == 2
    assert line.endswith("too large (5120 MiB; the limit is 32 MiB)")


@pytest.mark.parametrize(
    ("name", "text", "option", "message"),
    [
        ("deep.json", "[" * 200_000 + "]" * 200_000, "--results", "nested too deeply"),
        ("deep.toml", "a = " + "[" * 200_000 + "]" * 200_000, "--answers", "nested too deeply"),
    ],
)
def test_absurd_nesting_is_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
    option: str,
    message: str,
) -> None:
    path = tmp_path / name
    path.write_text(text)
    code, line = _one_error_line(capsys, "recommend", option, str(path))
    assert code == 2
    assert message in line


def test_an_error_quotes_a_short_single_line_excerpt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('stage = "' + "x\\n" * 10_000 + '"\n')
    code, line = _one_error_line(capsys, "recommend", "--answers", str(answers))
    assert code == 2
    assert len(line) < 300, line


# --- 3. Numbers that are not numbers -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "not valid JSON (NaN is not a JSON number)"),
        ("Infinity", "not valid JSON (Infinity is not a JSON number)"),
        ("0.0", "median_s: 0.0 must be at least 1e-12 (seconds per run)"),
        ("-0.004", "median_s: -0.004 must be at least 1e-12"),
        ("1e999", "not a finite number"),
    ],
)
def test_a_number_that_is_not_a_measurement_is_refused_where_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    record = tmp_path / "record.json"
    record.write_text(_with_first_median(value))
    code, line = _one_error_line(capsys, "report", "--from", str(record))
    assert code == 2
    assert message in line


def test_what_the_advisor_writes_is_strict_json() -> None:
    record = record_from_json(QUICK.read_text())
    text = record_to_json(record)
    json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name} written"))


# --- 4. Where results are written -----------------------------------------------------


def test_output_onto_a_fifo_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    code, line = _one_error_line(capsys, "bench", "--output", str(fifo))
    assert code == 2
    assert line.endswith(f"cannot write {fifo}: not a regular file (a pipe)")
    assert fifo.is_fifo()


def test_output_onto_a_symlink_replaces_the_link_and_leaves_its_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "target.html"
    target.write_text("the user's own file")
    link = tmp_path / "report.html"
    link.symlink_to(target)
    code, _out, _err = _run(capsys, "report", "--results", str(QUICK), "--output", str(link))
    assert code == 0
    assert not link.is_symlink() and "<html" in link.read_text()
    assert target.read_text() == "the user's own file"


def test_output_onto_a_symlink_to_a_device_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "report.html"
    link.symlink_to("/dev/null")
    code, line = _one_error_line(capsys, "report", "--results", str(QUICK), "--output", str(link))
    assert code == 2
    assert "not a regular file (a character device)" in line
    assert link.is_symlink()


def test_an_unusable_data_folder_does_not_fail_a_job_that_needs_none(
    capsys: pytest.CaptureFixture[str], unusable_data_folder: Path
) -> None:
    code, out, err = _run(capsys, "recommend", "--profile", "student")
    assert code == 0, err
    assert out.startswith("Recommendation: ")
    assert err == (
        "no saved benchmark or deployment results: static criteria only "
        f"(Autosave is off: the data folder {unusable_data_folder} cannot be used "
        f"({unusable_data_folder.parent} is not a folder))\n"
    )


# --- 2. Text from outside: control characters are neutralised -----------------------

HOSTILE = "Evil\x1b[2J\x1b]0;pwned\x07 CPU \u202etxt.exe\x00"


def test_control_characters_from_a_record_never_reach_the_html() -> None:
    data = _quick_data()
    data["machine"]["cpu"]["model"] = HOSTILE  # type: ignore[index]
    html = render_html(record_from_json(json.dumps(data)))
    for raw in ("\x1b", "\x07", "\u202e", "\x00"):
        assert raw not in html
    assert "Evil\\x1b[2J" in html and "\\u202etxt.exe" in html


def test_control_characters_from_a_child_never_reach_the_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('"\\u001b[2Jstage\\u202e" = "x"\n')
    code, line = _one_error_line(capsys, "recommend", "--answers", str(answers))
    assert code == 2
    assert "\x1b" not in line and "\u202e" not in line


def test_a_childs_flood_of_output_becomes_a_short_reason() -> None:
    flood = (
        "import sys\n"
        "sys.stderr.write('\\x1b[31m' + 'x' * (100 << 20))\n"  # 100 MB, one line
        "sys.stdout.write('y' * (20 << 20))\n"
        "sys.exit(3)\n"
    )
    result = run_process([sys.executable, "-c", flood], timeout_s=60)
    reason = result.failure_reason(60)
    assert reason is not None
    assert reason.startswith("exited with status 3: xxx")
    assert len(reason) < 400
    assert result.stdout_overflow
    assert len(result.stdout) <= 16 << 20


def test_a_childs_escape_sequences_are_shown_as_text_in_its_reason() -> None:
    script = "import sys\nsys.stderr.write('\\x1b[2J\\u202eboom\\n')\nsys.exit(1)\n"
    reason = run_process([sys.executable, "-c", script], timeout_s=60).failure_reason(60)
    assert reason == "exited with status 1: \\x1b[2J\\u202eboom"
