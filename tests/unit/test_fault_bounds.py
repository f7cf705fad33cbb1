"""Fault matrix, bounds: what is read is bounded where it is read, so nothing derived from it
overflows, recurses without end, or runs to megabytes in one line. Real files, the real CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from advisor.base.datadir import data_dir
from advisor.base.serde import dumps, from_jsonable
from advisor.bench.events import parse_case
from advisor.bench.peaks import gpu_peak
from advisor.deploy.run import _model_loaded
from advisor.probing.runner import ProcessResult
from advisor.record import GpuInfo, ModelDeployment, record_from_json, record_to_json
from advisor.scan.matcher import build_matcher
from advisor.scan.readers import read_pyproject
from advisor.scan.signals import signal_table
from advisor.scoring.knowledge import knowledge
from advisor.session.store import remember_run, restore, store_path
from advisor.terminal import cli
from tests.helpers import FIXTURES, run_advisor

QUICK = FIXTURES / "records" / "bench_quick_cpu.json"
ROOT = Path(__file__).parents[2]
ERROR_LINE_LIMIT = 400  # characters: a quoted value is cut at 40, a whole line at 1000


def _quick() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(QUICK.read_text())
    return data


def _one_error_line(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    _out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err[:2000]
    return code, lines[0]


def _advisor(*argv: str, timeout_s: float = 300) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh interpreter (the stack depth a user's run has)."""
    return run_advisor(*argv, timeout=timeout_s, env=os.environ.copy(), cwd=ROOT)


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def _session(record: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "kind": "framework-advisor-session",
        "answers": {"source": "built-in defaults", "values": {}},
        "record": record,
        "others": others,
    }


# --- 7. Nesting: bounded where records are read --------------------------------------


def _with_deep_params(depth: int) -> dict[str, Any]:
    data = _quick()
    data["benchmarks"]["workloads"][0]["params"] = {"n": _nested(depth)}
    return data


def test_a_stored_session_with_a_deeply_nested_other_machine_is_set_aside() -> None:
    store = store_path()
    store.write_text(json.dumps(_session(_quick(), [_with_deep_params(900)])))
    first = _advisor("recommend")
    assert first.returncode == 0, first.stderr
    (kept,) = data_dir().glob("session-unreadable-*.json")
    assert (
        "The last session could not be restored (" in first.stderr
        and "params.n: nested too deeply (more than 32 levels)" in first.stderr
        and f"it was kept as {kept}" in first.stderr
    )
    assert not store.exists()
    again = _advisor("recommend")
    assert again.returncode == 0 and "could not be restored" not in again.stderr


def test_a_run_ending_on_a_deeply_nested_store_sets_it_aside_and_is_kept() -> None:
    # What `bench`, `deploy` and a measuring `report` do when their run ends.
    store_path().write_text(json.dumps(_session(_quick(), [_with_deep_params(900)])))
    record = record_from_json(QUICK.read_text())
    kept, problem = remember_run(record, knowledge())
    assert problem is not None and "nested too deeply" in problem and "it was kept as" in problem
    assert restore(knowledge()).session.record == kept


@pytest.mark.parametrize(
    ("where", "path"),
    [
        ("params", ("benchmarks", "workloads", 0, "params")),
        ("answers", ("answers", "values")),
    ],
)
def test_a_deeply_nested_record_is_one_line_for_every_format(
    tmp_path: Path, where: str, path: tuple[str | int, ...]
) -> None:
    data = _quick()
    data["answers"] = {"source": "a.toml", "values": {}}
    target: Any = data
    for step in path:
        target = target[step]
    target["deep"] = _nested(900)
    record = tmp_path / "deep.json"
    record.write_text(json.dumps(data))
    for fmt in ("json", "html"):
        result = _advisor(
            "report", "--results", str(record), "--output", str(tmp_path / f"r.{fmt}")
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        assert f"{where}" in result.stderr and "nested too deeply" in result.stderr
    compared = _advisor("compare", str(QUICK), str(record), "--output", str(tmp_path / "c.html"))
    assert compared.returncode == 2 and "nested too deeply" in compared.stderr


def test_a_deep_value_in_a_typed_field_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _quick()
    data["benchmarks"]["suites"][0]["cases"][0]["status"] = _nested(900)
    record = tmp_path / "deep.json"
    record.write_text(json.dumps(data))
    code, line = _one_error_line(capsys, "report", "--results", str(record))
    assert code == 2 and ".status: [[[...]]] is not one of" in line


# --- 9. Numbers: every derived figure finite ------------------------------------------

BIG = "1" + "0" * 400


def _set(data: dict[str, Any], path: str, value: object) -> None:
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target: Any = data
    for step in parents:
        target = target[step]
    target[last] = value


CASE = "benchmarks.suites.0.cases.0"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (f"{CASE}.stats.median_s", BIG, "median_s: 100000000000000000...0000000000000000000 must"),
        (f"{CASE}.stats.median_s", "5e-324", "median_s: 5e-324 must be at least 1e-12"),
        (f"{CASE}.stats.median_s", "1e308", "median_s: 1e+308 must be at most 1e+06 (seconds"),
        (f"{CASE}.samples_s.0", "1e308", "samples_s[0]: 1e+308 must be at most 1e+06"),
        (f"{CASE}.stats.samples", BIG, "samples: 1000000000000000"),
        (f"{CASE}.stats.cv", "1e308", "cv: 1e+308 must be at most 1e+06 (a relative spread)"),
        (f"{CASE}.work_per_iteration", "0.0", "a case that ran must do at least one FLOP or item"),
        (f"{CASE}.work_per_iteration", "1e308", "must be at most 1e+18 (FLOPs or items"),
        (f"{CASE}.first_call_s", "1e308", "first_call_s: 1e+308 must be at most 1e+06"),
        ("benchmarks.threads", BIG, "threads: 100000000000000000...0000000000000000000 must"),
        ("benchmarks.seed", BIG, "seed: 100000000000000000...0000000000000000000 must be"),
        ("benchmarks.wall_time_s", BIG, "wall_time_s: 100000000000000000"),
        ("benchmarks.suites.0.peak_rss_bytes", BIG, "peak_rss_bytes: 1000000000000"),
        ("benchmarks.peaks.0.gflops", "5e-324", "gflops: 5e-324 must be at least 0.001 (GFLOP/s)"),
        ("benchmarks.workloads.0.params.n", BIG, "params.n: 100000000000000000"),
        ("benchmarks.workloads.0.params.n", "1e400", "params.n: inf is not a finite number"),
        ("machine.cpu.current_mhz", "1e308", "current_mhz: 1e+308 must be at most 1e+06 (MHz)"),
        ("machine.cpu.logical_cores", BIG, "logical_cores: 1000000000000000"),
        ("machine.cpu.caches.0.size_bytes", BIG, "size_bytes: 1000000000000000"),
        ("machine.memory.total_bytes", "-1", "total_bytes: -1 must be at least 0 (bytes)"),
    ],
)
def test_a_number_that_passes_the_old_checks_but_breaks_a_figure_is_refused_where_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str, value: str, message: str
) -> None:
    data = _quick()
    _set(data, path, "@@")
    record = tmp_path / "record.json"
    record.write_text(json.dumps(data).replace('"@@"', value))  # the number verbatim
    code, line = _one_error_line(capsys, "report", "--results", str(record))
    assert code == 2
    assert message in line and len(line) < ERROR_LINE_LIMIT, line


def test_a_case_with_a_million_samples_is_refused_at_once(tmp_path: Path) -> None:
    # Each comparison resamples a case's samples 1,000 times: before, this took hours.
    data = _quick()
    data["benchmarks"]["suites"][0]["cases"][0]["samples_s"] = [0.01] * 1_000_000
    record = tmp_path / "record.json"
    record.write_text(json.dumps(data))
    result = _advisor("recommend", "--results", str(record), timeout_s=120)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "cases[0].samples_s (items): 1000000 must be at most 1000 (timed samples)"
    )


def _edges(low: bool) -> dict[str, Any]:
    """The quick record with every figure at an end of its range, PyTorch at the other."""
    data = _quick()
    for suite in data["benchmarks"]["suites"]:
        fast = (suite["framework"] == "torch") == low
        seconds = 1e-12 if fast else 1e6
        for case in (c for c in suite["cases"] if c["status"] == "ok"):
            case["samples_s"] = [seconds] * len(case["samples_s"])
            case["work_per_iteration"] = 1e18 if fast else 1.0
            case["first_call_s"] = 1e6 if fast else 0.0
            case["stats"] = {
                "median_s": seconds,
                "p10_s": seconds,
                "p90_s": seconds,
                "cv": 1e6 if fast else 0.0,
                "samples": 10**9,
                "noisy": fast,
            }
        suite["wall_time_s"], suite["peak_rss_bytes"] = 1e6, 2**53
    for peak in data["benchmarks"]["peaks"]:
        peak["gflops"] = 1e-3 if low else 1e12
    data["benchmarks"]["threads"] = 10**9
    return data


@pytest.mark.parametrize("low", [True, False])
def test_a_record_at_the_edges_of_every_range_shows_finite_short_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], low: bool
) -> None:
    record = tmp_path / "edges.json"
    record.write_text(json.dumps(_edges(low)))
    html, report, compared = (tmp_path / name for name in ("r.html", "r.json", "c.html"))
    for output in (html, report):
        assert cli.main(["report", "--results", str(record), "--output", str(output)]) == 0
    json.loads(report.read_text(), parse_constant=lambda name: pytest.fail(f"{name} written"))
    assert cli.main(["recommend", "--results", str(record)]) == 0
    assert cli.main(["compare", str(record), str(QUICK), "--output", str(compared)]) == 0
    for text in (html.read_text(), compared.read_text(), capsys.readouterr().out):
        words = re.sub(r"<[^>]+>", " ", text)
        assert not re.search(r"\b(inf|nan|infinity)\b|infx", words, re.IGNORECASE)
        long_number = re.search(r"\d[\d,.]{20,}", words)  # a figure of dozens of digits
        assert long_number is None, long_number


def test_a_childs_case_that_did_no_work_is_a_failed_case() -> None:
    case = parse_case(
        {
            "workload": "matmul",
            "variant": "eager",
            "dtype": "float32",
            "status": "ok",
            "samples_s": [0.1, 0.1],
            "work_per_iteration": 0.0,
        }
    )
    assert case.status == "failed"
    assert case.reason is not None and "at least one FLOP or item" in case.reason


# --- 10. TOML: refused before it is parsed --------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[stage" + ".a" * 5000 + "]\nx = 1\n", "nested too deeply"),
        ("[stage" + ".a" * 100_000 + "]\nx = 1\n", "nested too deeply"),
        ("[[stage" + ".a" * 5000 + "]]\nx = 1\n", "nested too deeply"),
        ("stage" + ".a" * 5000 + " = 1\n", "nested too deeply"),
        ("stage = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n", "nested too deeply"),
        ("stage = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ("[a.b.c]\n" + "d" + ".e" * 40 + " = 1\n", "nested too deeply"),
        ("# " + "x" * (2 << 20) + "\n", "too large for a TOML file"),
    ],
)
def test_a_deep_or_huge_answers_file_is_refused_before_it_is_parsed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text(text)
    code, line = _one_error_line(capsys, "recommend", "--answers", str(answers))
    assert code == 2
    assert message in line and len(line) < ERROR_LINE_LIMIT, line


def test_brackets_and_dots_in_strings_and_comments_are_not_nesting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text(
        "# " + "[{." * 100 + "\n"
        'stage = "research"  # ' + "." * 100 + "\n"
        "model_families = [\n  'vision_cnn', # " + "[" * 50 + '\n  "nlp_transformers",\n]\n'
        "debugging_priority = 5\n"
    )
    assert cli.main(["recommend", "--answers", str(answers)]) == 0
    assert capsys.readouterr().out.startswith("Recommendation: ")


# --- 11. Error lines: every value quoted short ----------------------------------------


def test_a_huge_schema_version_is_a_short_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = "x" * (10 << 20)
    record = tmp_path / "record.json"
    record.write_text(json.dumps(dict(_quick(), schema_version=huge)))
    code, line = _one_error_line(capsys, "report", "--results", str(record))
    assert code == 2 and len(line) < ERROR_LINE_LIMIT, len(line)
    assert "schema_version 'xxxx" in line and "is not supported" in line
    session = tmp_path / "session.json"
    session.write_text(json.dumps(dict(_session(_quick(), []), schema_version=huge)))
    code, line = _one_error_line(capsys, "compare", str(session), str(QUICK))
    assert code == 2 and len(line) < ERROR_LINE_LIMIT, len(line)
    assert "session schema_version 'xxxx" in line


def test_a_huge_schema_version_in_the_store_is_a_short_note(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store_path().write_text(json.dumps(dict(_session(_quick(), []), schema_version=10**4000)))
    assert cli.main(["recommend"]) == 0
    note = capsys.readouterr().err
    assert "could not be restored" in note and len(note) < 1200, len(note)


def test_a_huge_key_in_a_record_is_a_short_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _quick()
    data["machine"]["cpu"]["features"] = {"k" * (1 << 20): "yes"}
    record = tmp_path / "record.json"
    record.write_text(json.dumps(data))
    code, line = _one_error_line(capsys, "report", "--results", str(record))
    assert code == 2 and len(line) < ERROR_LINE_LIMIT, len(line)
    assert "features['kkkk" in line and "expected bool" in line


@pytest.mark.parametrize("key_length", [500_000, 5 << 20])
def test_a_huge_duplicate_toml_key_is_a_short_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key_length: int
) -> None:
    key = "k" * key_length
    answers = tmp_path / "answers.toml"
    answers.write_text(f"{key} = 1\n{key} = 2\n")
    code, line = _one_error_line(capsys, "recommend", "--answers", str(answers))
    assert code == 2 and len(line) < ERROR_LINE_LIMIT, len(line)


@pytest.mark.parametrize(
    "argv",
    [
        ("bench", "--frameworks", "x" * 100_000),
        ("recommend", "--profile", "x" * 100_000),
        ("bench", "--preset", "x" * 100_000),
        ("recommend", "x" * 100_000),
        ("recommend", "--answers", "/" + "x/" * 50_000),
    ],
)
def test_a_huge_argument_is_a_short_line(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    code, line = _one_error_line(capsys, *argv)
    assert code == 2 and len(line) < 1100, len(line)


def test_a_huge_data_folder_setting_is_a_short_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FRAMEWORK_ADVISOR_DATA_DIR", str(tmp_path / ("x" * 100_000)))
    assert cli.main(["recommend", "--profile", "student"]) == 0
    err = capsys.readouterr().err
    assert "Autosave is off" in err and len(err) < 1100, len(err)


def test_every_value_an_error_quotes_goes_through_the_one_quoting_helper() -> None:
    # `quoted` (advisor.base.errors) cuts a value to a short, escaped excerpt; a bare repr
    # of a value from outside can be megabytes long or thousands of levels deep.
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "advisor").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "!r}" in line or ("%r" in line and "squeue" not in line)  # squeue's own format
    ]
    assert found == []


def test_the_quoting_helper_is_short_for_any_value() -> None:
    from advisor.base.errors import quoted

    deep = _nested(100_000)
    for value in ("x" * (10 << 20), 10**4000, deep, {"k" * 10**6: deep}, [deep] * 1000):
        assert len(quoted(value)) <= 40
    assert quoted("a\x1b\u202e") == "'a\\x1b\\u202e'"


# --- What the advisor writes, it reads back -------------------------------------------


def test_a_peak_from_fewer_cores_than_one_sm_is_unknown_and_the_record_reads_back() -> None:
    gpu = GpuInfo(0, "odd GPU", None, None, "9.0", None, 1980, None, None, cuda_cores=1)
    peak = gpu_peak(gpu, "float32")
    assert peak.gflops is None and peak.basis.endswith("gives no plausible peak")
    record = record_from_json(QUICK.read_text())
    assert record.benchmarks is not None
    written = replace(record, benchmarks=replace(record.benchmarks, peaks=(peak,)))
    assert record_from_json(record_to_json(written)) == written


def test_figures_a_loading_child_reports_out_of_range_are_left_out() -> None:
    loaded = {
        "status": "ok",
        "samples_s": [0.002, 0.001, 1e-13, -1.0, "fast", 2e6],
        "max_abs_diff": float("inf"),  # json.loads reads Infinity from a child
        "max_rel_diff": 1e300,
        "load_first_s": 0.5,
        "inner_iterations": 10**400,
    }
    model = _model_loaded(
        ModelDeployment("m", "exported"), loaded, ProcessResult(0, "", (), 1.0), 60
    )
    assert model.samples_s == (0.002, 0.001)
    assert (model.max_abs_diff, model.max_rel_diff, model.inner_iterations) == (None, None, 0)
    assert model.load_first_s == 0.5
    assert from_jsonable(ModelDeployment, json.loads(dumps(model))) == model


def test_a_scanned_projects_deep_pyproject_is_refused_before_it_is_parsed() -> None:
    # A scan reads TOML the user never named: it is measured before tomllib sees it too
    # (a 100,000-key header took 47 s to parse here).
    matcher = build_matcher(signal_table())
    with pytest.raises(ValueError, match=r"not valid TOML \(nested too deeply"):
        read_pyproject("[tool" + ".a" * 100_000 + "]\nx = 1\n", matcher)
    assert read_pyproject('[project]\ndependencies = ["torch>=2"]\n', matcher)
