"""The terminal front-end: usage errors are one line with exit code 2, never a traceback."""

from __future__ import annotations

import dataclasses
import json
import stat
import sys
from pathlib import Path

import pytest

from advisor.base.display import XCB_LIBRARIES, missing_libraries
from advisor.base.errors import CancelledError
from advisor.record import record_from_json, record_to_json
from advisor.scoring.answers import Answers, default_answers
from advisor.scoring.knowledge import knowledge
from advisor.session import Session
from advisor.session.saved import SavedSession, load_session
from advisor.session.store import save, store_path
from advisor.terminal import cli
from tests import helpers
from tests.helpers import FIXTURES

QUICK = FIXTURES / "records" / "bench_quick_cpu.json"
BINARY = str(Path(sys.executable).resolve())  # a file that is there but is not text


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bogus"], "invalid choice: 'bogus'"),
        (["probe", "--timeout", "-1"], "must be more than 0 and at most 86400 seconds: '-1'"),
        (["probe", "--timeout", "nan"], "must be more than 0 and at most 86400 seconds: 'nan'"),
        (["probe", "--timeout", "inf"], "must be more than 0 and at most 86400 seconds: 'inf'"),
        (["probe", "--output", "/dev/null"], "cannot write /dev/null: not a regular file"),
        (["bench", "--output", "/dev/null"], "cannot write /dev/null: not a regular file"),
        (["recommend", "--results", "/dev/zero"], "--results /dev/zero: not a regular file"),
        (["recommend", "--answers", "/dev/zero"], "/dev/zero: not a regular file"),
        (["report", "--from", "/dev"], "--from /dev: not a regular file (a folder)"),
        (["probe", "--timeout", "soon"], "not a number of seconds: 'soon'"),
        (["probe", "--python", "/no/such/python"], "--python /no/such/python: no such file"),
        (
            ["probe", "--output", "/no/such/folder/out.json"],
            "folder /no/such/folder does not exist",
        ),
        (["bench", "--frameworks", "mxnet"], "--frameworks 'mxnet': unknown framework; choose"),
        (["bench", "--frameworks", ","], "--frameworks no framework given; choose from torch"),
        (["bench", "--threads", "0"], "must be a whole number of at least 1: '0'"),
        (["bench", "--quick", "--full"], "not allowed with argument --quick"),
        (["bench", "--preset", "huge"], "invalid choice: 'huge'"),
        (["bench", "--device", "tpu"], "invalid choice: 'tpu'"),
        (["bench", "--output", "/no/such/b.json"], "folder /no/such does not exist"),
        (["recommend", "--profile", "astrology"], "--profile 'astrology': no such profile ("),
        (["recommend", "--answers", "/no/such.toml"], "/no/such.toml: cannot read answers"),
        (["recommend", "--results", "/no/such.json"], "--results /no/such.json: cannot read"),
        (["recommend", "--answers", "a.toml", "--profile", "student"], "not allowed with"),
        (["report", "--from", "/no/such.json"], "--from /no/such.json: cannot read"),
        (["report", "--from", BINARY], f"--from {BINARY}: not a text file"),
        (["recommend", "--results", BINARY], f"--results {BINARY}: not a text file"),
        (["recommend", "--answers", BINARY], f"{BINARY}: not a text file"),
        (["report", "--from", "a.json", "--results", "b.json"], "not allowed with"),
        (["report", "--format", "docx"], "invalid choice: 'docx'"),
        (
            ["report", "--output", "notes.docx"],
            "--format notes.docx: cannot tell the report format",
        ),
        (["report", "--output", "/no/such/r.html"], "folder /no/such does not exist"),
        (["report", "--output", "/sys/kernel/r.html", "--results", str(QUICK)], "Permission"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    line = _one_line(err)
    assert line.startswith("framework-advisor: error: ")
    assert message in line


def test_a_file_that_is_not_python_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'I am not Python'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    code, _, err = _run(capsys, "probe", "--python", str(fake))
    assert code == 2
    assert _one_line(err).endswith(f"--python {fake}: not a Python interpreter")


def test_a_file_that_cannot_run_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "notes.txt"
    data.write_text("hello")
    code, _, err = _run(capsys, "probe", "--python", str(data))
    assert code == 2
    assert "not a working Python interpreter (could not start: Permission denied)" in err


@pytest.mark.parametrize("argv", [[], ["gui"]])
def test_the_app_without_a_display_is_one_line_pointing_at_the_terminal_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    for variable in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(variable, raising=False)
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert _one_line(err) == (
        "framework-advisor: error: no display to open the window on (DISPLAY and "
        "WAYLAND_DISPLAY are unset); the terminal commands work without one, e.g. "
        "framework-advisor report"
    )


def test_a_display_where_no_x_server_answers_is_one_line_not_a_qt_abort(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DISPLAY", ":987")  # no server listens there
    code, out, err = _run(capsys, "gui")
    assert code == 2 and out == ""
    assert _one_line(err) == (
        "framework-advisor: error: cannot open a window: no X server answers at DISPLAY=:987 "
        "(is it running, and is DISPLAY right?); the terminal commands work without one, "
        "e.g. framework-advisor report"
    )


def test_missing_x11_libraries_are_named_with_their_packages() -> None:
    assert missing_libraries(["libc.so.6", "libframework-advisor-nowhere.so.1"]) == [
        "libframework-advisor-nowhere.so.1"
    ]
    # Every library Qt's X11 plugin needs has a Debian and a Fedora package to name.
    assert all(debian and fedora for debian, fedora in XCB_LIBRARIES.values())


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == "framework-advisor 0.1.0"


def test_unexpected_errors_are_one_line_and_exit_code_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Session, "probe", explode)
    code, _, err = _run(capsys, "probe", "--quiet")
    assert code == 1
    assert _one_line(err) == (
        "framework-advisor: internal error: RuntimeError: disk on fire "
        "(set FRAMEWORK_ADVISOR_DEBUG=1 for the traceback)"
    )


def test_cancel_is_one_line_and_exit_code_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def cancel(*_args: object, **_kwargs: object) -> None:
        raise CancelledError("cancelled by the user while probing TensorFlow")

    monkeypatch.setattr(Session, "probe", cancel)
    code, out, err = _run(capsys, "probe", "--quiet")
    assert code == 130
    assert out == ""
    assert _one_line(err) == "framework-advisor: cancelled by the user while probing TensorFlow"


def test_json_output_and_saved_file_hold_the_same_record(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(Session, "probe", lambda *_a, **_k: helpers.record())
    target = tmp_path / "record.json"
    code, out, _ = _run(capsys, "probe", "--json", "--quiet", "--output", str(target))
    assert code == 0
    assert record_from_json(out) == helpers.record()
    assert target.read_text() == out


def test_human_summary_is_the_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Session, "probe", lambda *_a, **_k: helpers.record())
    code, out, _ = _run(capsys, "probe", "--quiet")
    assert code == 0
    assert "  PyTorch       2.13.0+cpu\n" in out
    assert "  TensorFlow    2.21.0\n" in out


def test_recommend_names_a_bad_key_in_the_answers_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('stage = "research"\ndeployment_targets = ["moon"]\n')
    code, out, err = _run(capsys, "recommend", "--answers", str(answers))
    assert code == 2 and out == ""
    assert _one_line(err) == (
        f"framework-advisor: error: {answers}: key 'deployment_targets': option 'moon' not "
        "offered (cloud_server, mobile, browser, edge_accelerator, microcontroller, batch_onprem)"
    )


def test_a_record_without_benchmarks_is_refused_as_results(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved = tmp_path / "probe.json"
    saved.write_text(record_to_json(helpers.record()))
    code, _, err = _run(capsys, "recommend", "--results", str(saved))
    assert code == 2
    assert _one_line(err).endswith("the record holds no benchmark or deployment run")


def test_recommend_weighs_the_run_the_app_measured_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, "recommend", "--profile", "student")
    assert code == 0
    assert "no saved benchmark or deployment results: static criteria only" in err
    assert out.startswith("Recommendation: PyTorch (")
    record = record_from_json((FIXTURES / "records" / "bench_tiny_cpu.json").read_text())
    save(SavedSession(default_answers(knowledge()), record))  # what the app autosaves after a run
    code, out, err = _run(capsys, "recommend", "--profile", "student")
    assert code == 0
    assert f"benchmark results from {store_path()} ({record.created_at})" in err
    assert "static criteria and this machine's benchmark results" in out


def test_a_finished_bench_run_is_kept_in_the_shared_store(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    record = record_from_json((FIXTURES / "records" / "bench_tiny_cpu.json").read_text())
    monkeypatch.setattr(Session, "measure", lambda *args, **kwargs: record)
    answers = Answers(dict(default_answers(knowledge()).values, stage="research"), "app")
    save(SavedSession(answers, None))
    code, _, _ = _run(capsys, "bench", "--quiet")
    assert code == 0
    stored = load_session(store_path(), knowledge())
    assert stored.record == record and stored.answers.values["stage"] == "research"


def test_questions_and_the_template(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "questions")
    assert code == 0
    assert " 1. What stage is the project at?  [stage, single]" in out
    target = tmp_path / "answers.toml"
    code, _, err = _run(capsys, "questions", "--template", str(target))
    assert code == 0 and "answers template written" in err
    code, out, _ = _run(capsys, "recommend", "--answers", str(target))
    assert code == 0 and out.startswith("Recommendation: ")


def test_report_from_saved_results_names_the_winner_and_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "advice.html"
    code, out, err = _run(capsys, "report", "--results", str(QUICK), "--output", str(target))
    assert code == 0 and err == ""
    assert out.startswith("Recommendation: ")
    assert out.rstrip().endswith(f"HTML report written to {target}")
    assert target.read_text().startswith("<!DOCTYPE html>")


def test_report_saved_as_json_renders_again_identically_with_its_answers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved, first, again = tmp_path / "r.json", tmp_path / "first.html", tmp_path / "again.html"
    common = ["report", "--results", str(QUICK), "--profile", "mobile_app"]
    assert _run(capsys, *common, "--output", str(saved))[0] == 0
    assert _run(capsys, *common, "--output", str(first))[0] == 0
    assert _run(capsys, "report", "--from", str(saved), "--output", str(again))[0] == 0
    assert again.read_text() == first.read_text()
    record = record_from_json(saved.read_text())
    assert record.answers is not None and record.answers.source.endswith("mobile_app.toml")
    assert record.benchmarks == record_from_json(QUICK.read_text()).benchmarks


def test_recommend_json_is_the_verdict_with_everything_it_rests_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = Path(__file__).parents[1] / "scenarios" / "tf_browser_inference.toml"
    code, out, _ = _run(
        capsys, "recommend", "--answers", str(scenario), "--results", str(QUICK), "--json"
    )
    assert code == 0
    verdict = json.loads(out)
    assert verdict["winner"] == "tensorflow" and verdict["confidence"] == "clear"
    assert verdict["totals"]["tensorflow"] - verdict["totals"]["torch"] == pytest.approx(
        verdict["margin"]
    )
    assert [r["label"] for r in verdict["requirements"] if r["deciding"]] == ["Runs in the browser"]
    assert verdict["why"][0].startswith("Required: Runs in the browser")
    assert verdict["warnings"][0].startswith("Measured on a CPU")
    assert sum(c["weight"] for c in verdict["criteria"]) == pytest.approx(1.0)
    static = next(c for c in verdict["criteria"] if c["id"] == "deploy_browser")
    assert static["url"].startswith("https://") and static["as_of"] == "2026-12-03"
    measured = next(c for c in verdict["criteria"] if c["id"] == "measured_inference")
    assert measured["evidence"].startswith("as you would write it: ")
    assert {t["name"] for t in verdict["flagged_tools"]} == {"TensorFlow.js"}


def test_the_json_report_carries_the_verdict_beside_the_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "report.json"
    code, out, _ = _run(capsys, "report", "--results", str(QUICK), "--output", str(target))
    assert code == 0
    document = json.loads(target.read_text())
    assert document["verdict"]["winner"] in ("torch", "tensorflow")
    assert document["verdict"]["rests_on_defaults"] is True
    names = {"torch": "PyTorch", "tensorflow": "TensorFlow"}
    assert out.startswith(f"Recommendation: {names[document['verdict']['winner']]}")
    assert record_from_json(target.read_text()).benchmarks is not None


def test_report_format_follows_the_suffix_unless_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "advice.txt"
    code, out, _ = _run(
        capsys, "report", "--results", str(QUICK), "--format", "json", "--output", str(target)
    )
    assert code == 0 and "JSON report written" in out
    assert record_from_json(target.read_text()).answers is not None


def test_a_corrupt_saved_report_is_refused_and_the_old_output_kept(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved, target = tmp_path / "broken.json", tmp_path / "keep.html"
    saved.write_text('{"schema_version": 1, "machine": ')
    target.write_text("previous report")
    code, out, err = _run(capsys, "report", "--from", str(saved), "--output", str(target))
    assert code == 2 and out == ""
    assert f"{saved}: not valid JSON" in _one_line(err)
    assert target.read_text() == "previous report"


def test_a_saved_cancelled_run_reports_as_any_saved_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Only a measurement stopped in this very command is "cancelled while measuring".
    record = record_from_json(QUICK.read_text())
    assert record.benchmarks is not None
    partial = tmp_path / "partial.json"
    cancelled = dataclasses.replace(record.benchmarks, cancelled=True)
    partial.write_text(record_to_json(dataclasses.replace(record, benchmarks=cancelled)))
    output = tmp_path / "report.html"
    code, out, err = _run(capsys, "report", "--results", str(partial), "--output", str(output))
    assert (code, err) == (0, "")
    assert out.endswith(f"HTML report written to {output}\n")
    assert "the run was cancelled: results are partial" in output.read_text()
