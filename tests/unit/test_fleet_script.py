"""`fleet slurm` without a cluster: the batch script, and Slurm missing from this machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.fleet.slurm import SlurmOptions, TaskOutcome, batch_script

SCRIPT = Path(__file__).parents[2] / "packaging" / "slurm" / "framework-advisor-bench.sbatch"


def _options(tmp_path: Path, **changes: object) -> SlurmOptions:
    values: dict[str, object] = {
        "output_dir": tmp_path / "out",
        "advisor_python": "/shared/venv/bin/python",
        "bench_python": "/shared/other env/bin/python",
        "nodes": 3,
        "preset": "tiny",
    }
    values.update(changes)
    return SlurmOptions(**values)  # type: ignore[arg-type]


def test_the_batch_script_is_the_shipped_one_with_the_options_filled_in(tmp_path: Path) -> None:
    script = batch_script(_options(tmp_path, gres="gpu:1", partition="gpu", time_limit="00:30:00"))
    header = script.split("export ADVISOR_PYTHON")[0]
    assert header.splitlines() == [
        "#!/bin/bash",
        "#SBATCH --job-name=framework-advisor",
        "#SBATCH --array=0-2",
        "#SBATCH --nodes=1",
        "#SBATCH --ntasks=1",
        "#SBATCH --exclusive",
        f"#SBATCH --output={tmp_path / 'out'}/slurm-%A_%a.log",
        "#SBATCH --partition=gpu",
        "#SBATCH --gres=gpu:1",
        "#SBATCH --time=00:30:00",
    ]
    assert "export BENCH_PYTHON='/shared/other env/bin/python'" in script  # quoted
    shipped = SCRIPT.read_text()
    assert script.endswith(shipped.split("\n", 1)[1])  # one script, also for submitting by hand
    assert "--nodelist" not in script
    per_node = batch_script(_options(tmp_path, nodelist=("a", "b")))
    assert "#SBATCH --array" not in per_node  # one job per node instead


def test_the_shipped_script_is_valid_bash_and_runs_the_bench_command(tmp_path: Path) -> None:
    assert subprocess.run(["bash", "-n", str(SCRIPT)], check=False).returncode == 0
    assert '-m advisor bench --preset "$PRESET" --python "$BENCH_PYTHON"' in SCRIPT.read_text()


def test_dry_run_prints_the_script_and_submits_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fleet"
    code = main(["fleet", "slurm", "--nodes", "2", "--output-dir", str(out), "--dry-run"])
    assert code == 0
    printed = capsys.readouterr().out
    assert printed.startswith("#!/bin/bash\n") and "#SBATCH --array=0-1" in printed
    assert f"export ADVISOR_PYTHON={sys.executable}" in printed
    assert not out.exists()


def test_no_slurm_here_is_one_line_and_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no sbatch anywhere
    assert main(["fleet", "slurm", "--output-dir", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err == "framework-advisor: error: Slurm is not installed here: no sbatch on PATH\n"


def test_a_task_without_a_record_is_one_line_with_slurms_words() -> None:
    task = TaskOutcome("7_1", "TIMEOUT", None, "0:15", "node3", None, "slurmstepd: CANCELLED")
    assert task.problem() == (
        "Slurm task 7_1 on node3: TIMEOUT (exit code 0:15): slurmstepd: CANCELLED"
    )
