"""`fleet slurm` without a cluster: the batch script, its values, the output folder, and
Slurm missing from this machine."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.fleet.backend import TaskOutcome
from advisor.fleet.slurm import SlurmOptions, batch_script
from advisor.terminal.cli import main

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
    task = TaskOutcome(
        "Slurm", "7_1", "TIMEOUT", None, "0:15", "node3", None, "slurmstepd: CANCELLED"
    )
    assert task.problem() == (
        "Slurm task 7_1 on node3: TIMEOUT (exit code 0:15): slurmstepd: CANCELLED"
    )


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--partition", "debug\ntouch INJECTED"),
        ("--gres", "gpu:1\rtouch INJECTED"),
        ("--time", "1:00\x1b[2J"),
        ("--output-dir", "out dir\ntouch INJECTED"),
        ("--nodelist", "vm\u2028nosuchnode"),
        ("--partition", "debug\x7f"),
        ("--time", "1:00\x00"),
    ],
)
def test_a_control_character_in_any_value_is_one_line_and_exit_code_2(
    flag: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["fleet", "slurm", "--output-dir", str(tmp_path / "out"), flag, value, "--dry-run"]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no script printed, so nothing to submit by hand either
    assert captured.err.startswith(f"framework-advisor: error: {flag} '")
    assert captured.err.endswith(
        "a control character (such as a newline) cannot go into a batch script\n"
    )
    assert captured.err.count("\n") == 1


def test_a_backslash_in_the_output_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "back\\slash"
    assert main(["fleet", "slurm", "--output-dir", str(out), "--dry-run"]) == 2
    assert "Slurm cannot name a log file under a folder with a backslash" in capsys.readouterr().err


HOSTILE_DIR = "out dir $HOME `id` 'q\" #c %j"


def test_hostile_values_stay_inside_their_lines_and_reach_bash_unchanged(tmp_path: Path) -> None:
    out = tmp_path / HOSTILE_DIR
    script = batch_script(
        _options(tmp_path, output_dir=out, partition="debug #x", gres='"gpu:1" --uid=0')
    )
    header = script.split("# Framework Advisor:")[0].splitlines()
    assert all(line.startswith(("#", "export ")) for line in header)  # no command line
    log = f"{tmp_path}/out dir $HOME `id` 'q\\\" #c %%j/slurm-%A_%a.log"  # '%' doubled
    assert f'#SBATCH --output="{log}"' in script.splitlines()  # one quoted word
    assert '#SBATCH --partition="debug #x"' in script  # the '#' is not a comment
    assert '#SBATCH --gres="\\"gpu:1\\" --uid=0"' in script  # nor the blank a second option
    exports = "\n".join(line for line in header if line.startswith("export "))
    shown = subprocess.run(
        ["bash", "-c", exports + '\nprintf %s "$OUT_DIR"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown == str(out)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, under which a plain mkdir gives 0755 and a plain file 0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_output_folder_and_the_script_are_the_users_only(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    umask_022: None,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no sbatch: it stops after the script
    out = tmp_path / "new" / "fleet"
    assert main(["fleet", "slurm", "--output-dir", str(out)]) == 1
    assert "no sbatch on PATH" in capsys.readouterr().err
    for folder in (tmp_path / "new", out):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((out / "framework-advisor-bench.sbatch").stat().st_mode) == 0o600


@pytest.mark.parametrize("below", ["file/sub", "file"])
def test_an_output_folder_under_or_at_a_file_is_one_line_and_exit_code_2(
    below: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("not a folder")
    assert main(["fleet", "slurm", "--output-dir", str(tmp_path / below)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"framework-advisor: error: cannot create folder {tmp_path / below}: ")
    assert err.count("\n") == 1 and "Error" not in err
    assert (tmp_path / "file").read_text() == "not a folder"
