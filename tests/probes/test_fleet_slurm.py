"""`fleet slurm` against a real single-node Slurm cluster started here (munged, slurmctld,
slurmd from Debian), and Slurm's faults: a killed task, no controller, no Slurm at all."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import required_tool, run_captured

pytestmark = pytest.mark.frameworks
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _conf(folder: Path, host: str, controller_port: int, node_port: int) -> str:
    return "\n".join(
        [
            "ClusterName=advisortest",
            f"SlurmctldHost={host}(127.0.0.1)",
            f"SlurmctldPort={controller_port}",
            f"SlurmdPort={node_port}",
            "AuthType=auth/munge",
            f"AuthInfo=socket={folder}/munge.sock",
            "CredType=cred/munge",
            "SlurmUser=root",
            "SlurmdUser=root",
            f"StateSaveLocation={folder}/state",
            f"SlurmdSpoolDir={folder}/spool",
            f"SlurmctldPidFile={folder}/slurmctld.pid",
            f"SlurmdPidFile={folder}/slurmd.pid",
            f"SlurmctldLogFile={folder}/slurmctld.log",
            f"SlurmdLogFile={folder}/slurmd.log",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "MpiDefault=none",
            "ReturnToService=2",
            "MinJobAge=600",
            f"NodeName={host} NodeAddr=127.0.0.1 CPUs={os.cpu_count() or 1} State=UNKNOWN",
            "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
            "",
        ]
    )


def _not_started(reason: str) -> None:
    if os.environ.get("FRAMEWORK_ADVISOR_REQUIRE_TOOLS") == "1":
        pytest.fail(f"the test Slurm cluster did not start: {reason}")
    pytest.skip(f"the test Slurm cluster did not start: {reason}")


def _kill_from(pidfile: Path) -> None:
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(pidfile.read_text().split()[0]), 15)


@pytest.fixture(scope="module")
def slurm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A single-node Slurm cluster on this machine; the environment its commands need."""
    for tool in ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel"):
        required_tool(tool)
    if os.geteuid() != 0:
        _not_started("slurmctld and slurmd run as root here (SlurmUser=root)")
    folder = tmp_path_factory.mktemp("slurm")
    for sub in ("state", "spool"):
        (folder / sub).mkdir()
    key = folder / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    host = socket.gethostname().split(".")[0]
    conf = folder / "slurm.conf"
    conf.write_text(_conf(folder, host, _free_port(), _free_port()))
    env = dict(os.environ, SLURM_CONF=str(conf))
    started = time.monotonic()
    subprocess.run(
        [
            "munged",
            "--force",
            f"--socket={folder}/munge.sock",
            f"--key-file={key}",
            f"--log-file={folder}/munged.log",
            f"--pid-file={folder}/munged.pid",
            f"--seed-file={folder}/munged.seed",
        ],
        check=False,
    )
    subprocess.run(["slurmctld", "-f", str(conf), "-i"], env=env, check=False)
    subprocess.run(["slurmd", "-f", str(conf), "-N", host], env=env, check=False)
    try:
        while True:
            state = run_captured(["sinfo", "-h", "-o", "%T"], env=env).stdout.strip()
            if state == "idle":
                break
            if time.monotonic() - started > START_TIMEOUT_S:
                log = (folder / "slurmctld.log").read_text(errors="replace")[-500:]
                _not_started(
                    f"the node is {state or 'not registered'} after "
                    f"{START_TIMEOUT_S:g} s; slurmctld log: {log}"
                )
            time.sleep(0.5)
        print(f"test Slurm cluster up in {time.monotonic() - started:.1f} s")
        yield {"SLURM_CONF": str(conf)}
    finally:
        subprocess.run(["scancel", "--user", "root"], env=env, check=False, capture_output=True)
        for name in ("slurmd", "slurmctld", "munged"):
            _kill_from(folder / f"{name}.pid")


def _fleet(env: dict[str, str], data: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "advisor", "fleet", "slurm", "--preset", "tiny", *args],
        cwd=ROOT,
        env=dict(os.environ, **env, FRAMEWORK_ADVISOR_DATA_DIR=str(data)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_array_tasks_bring_two_records_and_one_report(
    slurm: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "fleet-out"
    fleet = _fleet(slurm, tmp_path / "data", "--nodes", "2", "--output-dir", str(out))
    stdout, stderr = fleet.communicate(timeout=600)
    assert fleet.returncode == 0, stderr[-3000:]
    records = sorted(out.glob("record-*.json"))
    assert len(records) == 2, (stdout, stderr)
    assert "RUNNING" in stderr and "submitted job" in stderr
    report = (out / "fleet-report.html").read_text()
    assert '<section id="machines">' in report
    for record in records:
        assert str(record) in report
    assert "HTML report written to" in stdout


def test_a_killed_task_is_named_in_the_report_and_the_other_is_kept(
    slurm: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "fleet-out"
    fleet = _fleet(slurm, tmp_path / "data", "--nodes", "2", "--output-dir", str(out))
    env = dict(os.environ, **slurm)
    victim = None
    deadline = time.monotonic() + 300
    while victim is None and time.monotonic() < deadline:  # kill task 1 once it runs
        queue = run_captured(["squeue", "-h", "-r", "-o", "%i|%T"], env=env).stdout
        running = [line.split("|")[0] for line in queue.splitlines() if line.endswith("RUNNING")]
        victim = next((task for task in running if task.endswith("_1")), None)
        time.sleep(0.5)
    assert victim is not None, "task 1 never ran"
    subprocess.run(["scancel", victim], env=env, check=True)
    stdout, stderr = fleet.communicate(timeout=600)
    assert fleet.returncode == 0, stderr[-3000:]
    assert len(list(out.glob("record-*.json"))) == 1
    assert f"Slurm task {victim} on " in stdout and ": CANCELLED" in stdout
    report = (out / "fleet-report.html").read_text()
    assert f"Not compared: {victim}: Slurm task {victim}" in report


def test_no_controller_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    required_tool("sbatch")
    conf = tmp_path / "slurm.conf"
    conf.write_text(_conf(tmp_path, "nowhere", _free_port(), _free_port()))
    fleet = _fleet({"SLURM_CONF": str(conf)}, tmp_path / "data", "--output-dir", str(tmp_path))
    _stdout, stderr = fleet.communicate(timeout=120)
    assert fleet.returncode == 1
    lines = [line for line in stderr.splitlines() if line.startswith("framework-advisor:")]
    assert len(lines) == 1 and "sbatch failed" in lines[0] and "controller" in lines[0]


def _state(env: dict[str, str], job: str) -> str:
    shown = subprocess.run(
        ["scontrol", "show", "job", job],
        env=dict(os.environ, **env),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return shown.split("JobState=")[1].split()[0]


def _error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("framework-advisor:")]
    assert len(lines) == 1, stderr
    return lines[0]


def test_hostile_values_are_refused_and_a_quoted_output_dir_works(
    slurm: dict[str, str], tmp_path: Path
) -> None:
    injected = tmp_path / "INJECTED"
    partition = f"debug\ntouch {injected}"
    out = tmp_path / "out dir $HOME `id` 'q\" #c %j" / "sub"
    dry = _fleet(
        slurm, tmp_path / "data", "--output-dir", str(out), "--partition", partition, "--dry-run"
    )
    stdout, stderr = dry.communicate(timeout=120)
    assert dry.returncode == 2 and stdout == ""
    assert "--partition 'debug\\ntouch " in _error_line(stderr)
    assert not out.exists() and not injected.exists()  # nothing written, nothing submitted
    fleet = _fleet(slurm, tmp_path / "data", "--output-dir", str(out), "--partition", "debug")
    stdout, stderr = fleet.communicate(timeout=600)
    assert fleet.returncode == 0, stderr[-3000:]
    records = list(out.glob("record-*_0-*.json"))
    logs = list(out.glob("slurm-*_0.log"))  # Slurm put its log where the #SBATCH line said
    assert len(records) == 1 and len(logs) == 1, sorted(p.name for p in out.iterdir())
    assert f"HTML report written to {out / 'fleet-report.html'}" in stdout
    for private in (out.parent, out):
        assert private.stat().st_mode & 0o777 == 0o700
    for private in (out / "framework-advisor-bench.sbatch", records[0]):
        assert private.stat().st_mode & 0o777 == 0o600


def test_a_failed_submission_cancels_the_jobs_already_submitted(
    slurm: dict[str, str], tmp_path: Path
) -> None:
    host = socket.gethostname().split(".")[0]
    out = tmp_path / "fleet-out"
    fleet = _fleet(
        slurm, tmp_path / "data", "--nodelist", f"{host},nosuchnode", "--output-dir", str(out)
    )
    _stdout, stderr = fleet.communicate(timeout=120)
    assert fleet.returncode == 1
    line = _error_line(stderr)
    assert line.startswith("framework-advisor: error: node nosuchnode: sbatch failed: ")
    job = line.split("; scancelled job ")[1].split()[0]
    assert line.endswith(f"scancelled job {job} (already submitted), so nothing is left queued")
    assert _state(slurm, job) == "CANCELLED"


def test_losing_squeue_after_submitting_cancels_the_job_and_names_it(
    slurm: dict[str, str], tmp_path: Path
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    squeue = tools / "squeue"  # the real sbatch and scancel, an squeue that cannot answer
    squeue.write_text(
        "#!/bin/sh\necho 'squeue: error: Unable to contact slurm controller' >&2\nexit 1\n"
    )
    squeue.chmod(0o755)
    env = dict(slurm, PATH=f"{tools}{os.pathsep}{os.environ['PATH']}")
    fleet = _fleet(env, tmp_path / "data", "--output-dir", str(tmp_path / "out"))
    _stdout, stderr = fleet.communicate(timeout=120)
    assert fleet.returncode == 1
    line = _error_line(stderr)
    assert line.startswith("framework-advisor: error: squeue failed: squeue: error: Unable")
    job = line.split("; scancelled job ")[1].split()[0]
    assert _state(slurm, job) == "CANCELLED"
