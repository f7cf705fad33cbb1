"""`fleet ray` against a real single-node Ray cluster started here (`ray start --head`),
and its faults: a cancelled fleet, a failing task, too few nodes, no cluster at all."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from tests.helpers import run_captured

pytestmark = pytest.mark.frameworks
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120.0
STOP_GRACE_S = 15.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _not_started(reason: str) -> None:
    if os.environ.get("FRAMEWORK_ADVISOR_REQUIRE_TOOLS") == "1":
        pytest.fail(f"the test Ray cluster did not start: {reason}")
    pytest.skip(f"the test Ray cluster did not start: {reason}")


def _ray_command() -> Path:
    """The `ray` command beside this interpreter (the fleet-ray extra installs both)."""
    command = Path(sys.executable).parent / "ray"
    if not command.exists():
        _not_started("Ray is not installed (pip install 'framework-advisor[fleet-ray]')")
    return command


@dataclass(frozen=True)
class Cluster:
    address: str
    env: dict[str, str]  # what the fleet command runs with
    marker: str  # in the environment of every process the cluster starts


def _group_gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def _stop(group: int) -> None:
    """Stop every process of the cluster's own process group: what we started, nothing else."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    while not _group_gone(group) and time.monotonic() < deadline:
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A one-node Ray cluster with 2 CPUs, a custom resource and a label; stopped after."""
    command = _ray_command()
    folder = tmp_path_factory.mktemp("ray")
    marker = uuid.uuid4().hex
    env = dict(
        os.environ,
        RAY_USAGE_STATS_ENABLED="0",  # nothing leaves the machine
        FRAMEWORK_ADVISOR_DATA_DIR=str(folder / "data"),  # the nodes' benches keep theirs here
        FRAMEWORK_ADVISOR_TEST_RAY=marker,
    )
    port = _free_port()
    argv = [str(command), "start", "--head", "--num-cpus", "2", "--disable-usage-stats"]
    argv += ["--temp-dir", str(folder / "t"), "--port", str(port), "--include-dashboard=false"]
    argv += ["--ray-client-server-port", str(_free_port())]  # its default, 10001, may be taken
    argv += ["--dashboard-agent-listen-port", str(_free_port())]
    argv += ["--resources", '{"bench_node": 1}', "--labels", "zone=test"]
    started = time.monotonic()
    head = subprocess.Popen(
        argv,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the cluster's processes share this group, stopped as one
    )
    try:
        said, _ = head.communicate(timeout=START_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        _stop(head.pid)
        _not_started(f"`ray start --head` did not return within {START_TIMEOUT_S:g} s")
    try:
        if head.returncode != 0:
            _not_started(f"`ray start --head` exited {head.returncode}: {said[-500:]}")
        print(f"test Ray cluster up in {time.monotonic() - started:.1f} s")
        yield Cluster(f"127.0.0.1:{port}", env, marker)
    finally:
        _stop(head.pid)


FLEET_RAY = (sys.executable, "-m", "advisor", "fleet", "ray")


def _fleet(cluster: Cluster, out: Path, *args: str) -> subprocess.Popen[str]:
    where = ("--address", cluster.address, "--output-dir", str(out))
    return subprocess.Popen(
        [*FLEET_RAY, *where, "--preset", "tiny", *args],
        cwd=ROOT,
        env=cluster.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("framework-advisor:")]
    assert len(lines) == 1, stderr
    return lines[0]


def _benches(marker: str) -> list[str]:
    """The command lines of the benches (and their probes) the cluster's tasks started."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            environ = (proc / "environ").read_bytes()
            argv = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if f"FRAMEWORK_ADVISOR_TEST_RAY={marker}".encode() in environ.split(b"\0") and (
            "-m advisor bench" in argv or "/probes/" in argv
        ):
            found.append(argv)
    return found


def test_a_one_node_fleet_brings_its_record_and_the_report(
    ray_cluster: Cluster, tmp_path: Path
) -> None:
    out = tmp_path / "fleet-out"
    chosen = ("--resources", "bench_node=1", "--labels", "zone=test")
    fleet = _fleet(ray_cluster, out, *chosen)
    stdout, stderr = fleet.communicate(timeout=900)
    assert fleet.returncode == 0, stderr[-3000:]
    assert "submitted Ray job" in stderr and "RUNNING on " in stderr
    records = list(out.glob("record-*_0-*.json"))
    assert len(records) == 1, sorted(p.name for p in out.iterdir())
    record = json.loads(records[0].read_text())
    assert record["schema_version"] and record["benchmarks"]["preset"] == "tiny"
    assert record["machine"]["system"]["hostname"] == socket.gethostname()
    report = (out / "fleet-report.html").read_text()
    assert '<section id="machines">' in report and str(records[0]) in report
    assert f"HTML report written to {out / 'fleet-report.html'}" in stdout
    assert len(list(out.glob("ray-*_0.log"))) == 1  # the bench's stderr came back too
    assert out.stat().st_mode & 0o777 == 0o700
    assert records[0].stat().st_mode & 0o777 == 0o600
    assert _benches(ray_cluster.marker) == []


def _lines(stream: IO[str], heard: list[str]) -> None:
    heard.extend(stream)  # line by line, as the fleet says them


def test_ctrl_c_cancels_the_fleet_stops_the_bench_and_keeps_what_finished(
    ray_cluster: Cluster, tmp_path: Path
) -> None:
    out = tmp_path / "fleet-out"
    fleet = _fleet(ray_cluster, out, "--nodes", "2", "--share-nodes")
    heard: list[str] = []
    printed: list[str] = []
    readers = [
        threading.Thread(target=_lines, args=(stream, lines), daemon=True)
        for stream, lines in ((fleet.stderr, heard), (fleet.stdout, printed))
    ]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + 900
    # Each task reserves the whole node: the second runs once the first has finished.
    while not any(re.search(r"task \w+_1: RUNNING", line) for line in heard):
        assert time.monotonic() < deadline and fleet.poll() is None, "".join(heard)
        time.sleep(0.5)
    while not _benches(ray_cluster.marker):  # the second bench has started
        assert time.monotonic() < deadline, "".join(heard)
        time.sleep(0.2)
    fleet.send_signal(signal.SIGINT)
    fleet.wait(timeout=120)
    for reader in readers:
        reader.join(timeout=10)
    stdout, stderr = "".join(printed), "".join(heard)
    assert fleet.returncode == 130, stderr[-3000:]
    assert "cancelling: ray.cancel on 1 task" in stderr
    assert "the report holds the 1 record(s) that finished" in stderr
    cancelled = re.search(r"Ray task (\w+_1) on \S+: CANCELLED", stdout)
    assert cancelled is not None, stdout
    assert len(list(out.glob("record-*_0-*.json"))) == 1
    assert not list(out.glob("record-*_1-*.json"))
    report = (out / "fleet-report.html").read_text()
    assert f"Not compared: {cancelled[1]}: Ray task {cancelled[1]}" in report
    assert _benches(ray_cluster.marker) == []  # the cancelled bench and its probes are gone


def test_a_failing_task_is_a_line_with_its_reason(ray_cluster: Cluster, tmp_path: Path) -> None:
    out = tmp_path / "fleet-out"
    fleet = _fleet(ray_cluster, out, "--python", "/nonexistent/python")
    stdout, stderr = fleet.communicate(timeout=300)
    assert fleet.returncode == 1, stderr[-3000:]
    line = next(line for line in stdout.splitlines() if line.startswith("Ray task "))
    assert re.fullmatch(
        r"Ray task \w+_0 on \S+: FAILED \(exit code 2\): framework-advisor: error: "
        r"--python /nonexistent/python: no such file",
        line,
    ), line
    assert _error_line(stderr).startswith("framework-advisor: error: no node brought a record")
    assert len(list(out.glob("ray-*_0.log"))) == 1 and not list(out.glob("record-*"))


def test_too_few_or_no_matching_nodes_are_refused_before_anything_runs(
    ray_cluster: Cluster, tmp_path: Path
) -> None:
    out = tmp_path / "fleet-out"
    fleet = _fleet(ray_cluster, out, "--nodes", "2")
    stderr = fleet.communicate(timeout=120)[1]
    assert fleet.returncode == 2
    line = _error_line(stderr)
    assert "--nodes 2: the cluster at " in line and "only 1 alive node(s)" in line
    assert "--share-nodes" in line
    fleet = _fleet(ray_cluster, out, "--labels", "zone=elsewhere", "--resources", "bench_node=1")
    stderr = fleet.communicate(timeout=120)[1]
    assert fleet.returncode == 2
    assert "has a CPU for Ray and bench_node=1, zone=elsewhere" in _error_line(stderr)
    assert not out.exists()  # nothing written, nothing submitted
    dry = _fleet(ray_cluster, out, "--nodes", "2", "--share-nodes", "--dry-run")
    stdout, stderr = dry.communicate(timeout=120)
    assert dry.returncode == 0, stderr
    assert [line.split(" on ")[0] for line in stdout.splitlines()[:2]] == ["task 0", "task 1"]
    assert "reserves 2 CPU, 0 GPU" in stdout and not out.exists()


def test_no_cluster_at_the_address_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    _ray_command()
    port = _free_port()
    fleet = run_captured(
        [*FLEET_RAY, "--address", f"127.0.0.1:{port}", "--output-dir", str(tmp_path / "out")],
        timeout=120,
        cwd=ROOT,
    )
    assert fleet.returncode == 1
    assert _error_line(fleet.stderr) == (
        f"framework-advisor: error: no Ray cluster answers at 127.0.0.1:{port} (Connection refused)"
    )
