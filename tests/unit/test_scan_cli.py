"""`framework-advisor scan`, and `--scan` on recommend and report: the user's answers win."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from advisor.scoring.answers import load_answers
from advisor.scoring.knowledge import knowledge
from advisor.terminal import cli
from tests.helpers import FIXTURES

SCAN = FIXTURES / "scan"
QUICK = FIXTURES / "records" / "bench_quick_cpu.json"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_holds_answers_and_their_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scan", "--json", "--quiet", str(SCAN / "tflite_android"))
    document = json.loads(out)
    assert code == 0
    assert document["answers"]["deployment_targets"] == ["mobile"]
    evidence = {e["question"]: e["evidence"] for e in document["evidence"]}
    assert any("app/build.gradle" in line for line in evidence["deployment_targets"])
    assert document["suggested_must_haves"][0]["requirement"] == "mobile"
    assert "node_modules" in document["skipped_by_default"]


def test_the_text_output_says_what_it_proposes_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scan", "--quiet", str(SCAN / "torch_research"))
    assert code == 0
    assert 'existing_code = "pytorch"  (Yes, in PyTorch)' in out
    assert "2 files import torch (src/model.py, src/train.py)" in out
    assert "Must-haves to consider (never ticked for you)" in out


def test_output_writes_an_answers_file_recommend_takes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers_file = tmp_path / "scanned.toml"
    _run(capsys, "scan", "--quiet", "--output", str(answers_file), str(SCAN / "tfjs_web"))
    answers = load_answers(answers_file, knowledge())
    assert answers.values["deployment_targets"] == ["browser"]
    assert answers.values["requirements"] == []  # a scan never sets a must-have
    assert "# must-have to consider: browser" in answers_file.read_text()
    code, out, _ = _run(
        capsys, "recommend", "--answers", str(answers_file), "--results", str(QUICK)
    )
    assert code == 0 and "Recommendation" in out


def test_given_answers_win_over_the_scan_and_each_origin_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text('existing_code = "tensorflow"\n')
    code, _out, err = _run(
        capsys,
        "recommend",
        "--json",
        "--answers",
        str(mine),
        "--scan",
        str(SCAN / "torch_research"),
        "--results",
        str(QUICK),
    )
    assert code == 0
    assert f'existing_code = "tensorflow" (from {mine})' in err
    assert 'hardware = ["nvidia"] (from your code)' in err
    assert 'existing_code = "pytorch"' not in err


def test_report_has_the_code_section_and_leaves_out_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = shutil.copytree(SCAN / "torchserve_deploy", tmp_path / "acme-secret-project")
    output = tmp_path / "report.html"
    argv = ["report", "--scan", str(project), "--results", str(QUICK), "--quiet"]
    code, _, _ = _run(capsys, *argv, "--output", str(output), "--leave-out-identity")
    html = output.read_text()
    assert code == 0
    assert "What we read in your code" in html
    assert "handler/classifier.py" in html
    assert "acme-secret-project" not in html
    assert "Yes, in PyTorch (from your code)" in html


def test_leave_out_identity_hides_the_scanned_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = shutil.copytree(SCAN / "tpu_tf", tmp_path / "acme-secret-project")
    code, out, _ = _run(capsys, "scan", "--json", "--quiet", "--leave-out-identity", str(project))
    assert code == 0
    assert "acme-secret-project" not in out
    assert json.loads(out)["roots"] == ["<scanned folder>"]


def test_an_odd_file_name_cannot_break_the_answers_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / 'x\nexisting_code = "none"\n#.py').write_text("import torch\n")
    answers_file = tmp_path / "scanned.toml"
    _run(capsys, "scan", "--quiet", "--output", str(answers_file), str(project))
    assert load_answers(answers_file, knowledge()).values["existing_code"] == "pytorch"


def test_several_folders_are_named_in_their_paths_and_other_signs_are_listed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    roots = [str(SCAN / "torch_research"), str(SCAN / "tpu_tf")]
    code, out, _ = _run(capsys, "scan", "--quiet", *roots)
    assert code == 0
    assert "1 file uses TPUs (TPUStrategy, torch_xla) (tpu_tf/train.py)" in out
    assert "Also seen (no answer rests on these)" in out
    assert "  - 1 file calls torch.compile (torch_research/src/train.py)" in out
