"""Fault matrix, processes: stop signals, orphans, jobs that produce nothing, the network.

Real processes throughout: the advisor's own command line in a subprocess, signalled as a
service manager, a closed terminal or an impatient user would.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from advisor.base.datadir import DATA_DIR_VARIABLE
from advisor.record import record_from_json
from advisor.scoring.answers import default_answers
from advisor.scoring.knowledge import knowledge
from advisor.session.saved import SavedSession
from advisor.session.store import save, store_path
from tests.helpers import FIXTURES, required_tool, run_advisor, run_captured

pytestmark = pytest.mark.frameworks


def _environment(tmp_path: Path) -> dict[str, str]:
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    return dict(os.environ, TMPDIR=str(temp), **{DATA_DIR_VARIABLE: str(tmp_path / "data")})


def _start(tmp_path: Path, *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "advisor", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(tmp_path),
    )


def _wait_for_line(process: subprocess.Popen[str], text: str) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        if text in line:
            return
    pytest.fail(f"the command ended before printing {text!r}")


def _running_with(marker: str) -> list[str]:
    """Command lines of live processes that mention ``marker`` (a folder of this test)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError, UnicodeDecodeError):
            continue
        if marker in command and state != "Z":
            found.append(command)
    return found


def _settled(marker: str) -> list[str]:
    deadline = time.monotonic() + 5
    while _running_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _running_with(marker)


@pytest.mark.parametrize(
    ("number", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)]
)
def test_a_stop_signal_during_a_bench_keeps_what_finished_and_leaves_nothing(
    tmp_path: Path, number: int, code: int
) -> None:
    output = tmp_path / "partial.json"
    process = _start(tmp_path, "bench", "--preset", "tiny", "--output", str(output))
    _wait_for_line(process, "compiled phase")
    process.send_signal(number)
    if number == signal.SIGINT:  # an impatient user presses Ctrl-C again during shutdown
        time.sleep(0.2)
        process.send_signal(number)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == code, err[-2000:]
    assert output.exists(), err[-2000:]
    record = record_from_json(output.read_text())
    assert record.benchmarks is not None and record.benchmarks.cancelled
    assert any(case.stats for s in record.benchmarks.suites for case in s.cases)
    assert list((tmp_path / "tmp").glob("framework-advisor-*")) == []
    assert _settled(str(tmp_path / "tmp")) == []
    assert "Traceback" not in err


def test_a_stop_signal_after_both_probes_finished_keeps_the_inventory(tmp_path: Path) -> None:
    # A 4 KiB stdout pipe that nobody reads until the signal is sent: the probe, done,
    # blocks while printing its record, which is where a stop signal lands.
    output = tmp_path / "inventory.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", "probe", "--json", "--output", str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(_environment(tmp_path), PYTHONUNBUFFERED="1"),
    )
    assert process.stdout is not None
    fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    _wait_for_line(process, "tensorflow: ok in")
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143, err[-2000:]
    saved = record_from_json(output.read_text())
    assert [p.status for p in saved.frameworks] == ["ok", "ok"]
    assert record_from_json(out) == saved
    assert err.strip().splitlines()[-1] == (
        "framework-advisor: interrupted; what had finished is shown above and kept"
    )


def test_a_stop_signal_during_the_probes_saves_what_had_finished(tmp_path: Path) -> None:
    output = tmp_path / "inventory.json"
    process = _start(tmp_path, "probe", "--output", str(output))
    _wait_for_line(process, "tensorflow: importing tensorflow")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err[-2000:]
    assert err.strip().splitlines()[-1] == (
        "framework-advisor: cancelled by the user while probing TensorFlow"
    )
    saved = record_from_json(output.read_text())
    assert saved.machine.cpu.logical_cores
    assert [p.framework for p in saved.frameworks] == ["torch", "tensorflow"]
    cancelled = "probe cancelled by the user"
    assert saved.frameworks[1].reason == cancelled
    assert saved.frameworks[0].status == "ok" or saved.frameworks[0].reason == cancelled
    assert out.startswith("System\n")
    assert _settled(str(tmp_path / "tmp")) == []


def test_a_stop_signal_during_a_measuring_report_writes_what_finished(tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    process = _start(tmp_path, "report", "--preset", "tiny", "--output", str(output))
    _wait_for_line(process, "compiled phase")
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 143, err[-2000:]
    assert err.strip().splitlines()[-1] == (
        f"framework-advisor: cancelled while measuring: the report written to {output} holds "
        "the partial results; they are not kept as the latest run"
    )
    assert "the run was cancelled: results are partial" in output.read_text()
    assert not (tmp_path / "data" / "session.json").exists()  # not the latest run
    assert list((tmp_path / "tmp").iterdir()) == []
    assert _settled(str(tmp_path / "tmp")) == []
    assert "Traceback" not in err


def _catches(pid: int, number: int) -> bool:
    """Whether the process has installed its own handler for the signal yet."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (number - 1) & 1)
    return False


def test_a_stop_signal_during_a_scan_shows_what_was_read(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for index in range(3000):
        (project / f"m{index}.py").write_text(f"import torch\n\ndef f{index}(x):\n    return x\n")
    process = _start(tmp_path, "scan", str(project))
    while process.poll() is None and not _catches(process.pid, signal.SIGTERM):
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143, err[-2000:]
    assert err.strip().splitlines()[-1] == (
        "framework-advisor: interrupted; what had finished is shown above and kept"
    )
    assert re.search(r"^Read \d+ files", out, re.M), out[-2000:]


def test_a_hangup_during_a_probe_stops_the_probes_and_their_children(tmp_path: Path) -> None:
    process = _start(tmp_path, "probe")
    _wait_for_line(process, "importing torch")
    process.send_signal(signal.SIGHUP)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 129, err[-2000:]
    assert (
        err.strip().splitlines()[-1]
        == "framework-advisor: cancelled by the user while probing PyTorch"
    )
    probes = str(Path(__file__).resolve().parents[2] / "probes")
    assert [c for c in _settled(probes) if "_probe.py" in c] == []


def test_the_interpreter_check_obeys_the_timeout(tmp_path: Path) -> None:
    slow = tmp_path / "python"
    slow.write_text("#!/bin/sh\nsleep 60\n")
    slow.chmod(0o755)
    started = time.monotonic()
    result = run_advisor(
        "probe", "--python", str(slow), "--timeout", "1", timeout=30, env=_environment(tmp_path)
    )
    assert time.monotonic() - started < 20
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"framework-advisor: error: --python {slow}: not a working Python interpreter "
        "(timed out after 1 s and was killed)"
    )


def test_a_bench_where_no_framework_runs_fails_and_keeps_the_last_good_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = tmp_path / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    environment = _environment(tmp_path)
    monkeypatch.setenv(DATA_DIR_VARIABLE, environment[DATA_DIR_VARIABLE])
    good = record_from_json((FIXTURES / "records" / "bench_quick_cpu.json").read_text())
    save(SavedSession(default_answers(knowledge()), good))
    before = store_path().read_bytes()
    result = run_advisor(
        "bench", "--preset", "tiny", "--python", str(bare), timeout=120, env=environment
    )
    assert result.returncode == 1, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "framework-advisor: error: no framework could run (reasons above); "
        "the latest run is unchanged"
    )
    assert store_path().read_bytes() == before


def test_a_probe_where_every_framework_fails_says_so_in_its_exit_code(tmp_path: Path) -> None:
    # An interpreter that answers the interpreter check but crashes on any script.
    wrapper = tmp_path / "python"
    wrapper.write_text(
        f'#!/bin/sh\nif [ "$1" = "-c" ]; then exec {sys.executable} "$@"; fi\nkill -SEGV $$\n'
    )
    wrapper.chmod(0o755)
    result = run_advisor("probe", "--python", str(wrapper), timeout=60, env=_environment(tmp_path))
    assert result.returncode == 1
    assert "probe killed by signal SIGSEGV" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == (
        "framework-advisor: error: every framework probe failed (reasons above)"
    )


_ADDRESS = re.compile(r'sa_family=AF_INET6?, .*?inet_(?:pton|addr)\((?:AF_INET6, )?"([^"]+)"')


def _leaves_the_machine(call: str) -> bool:
    """A connect or send to an internet address that is not this machine's loopback."""
    syscall = call.split(maxsplit=1)[-1]
    if not syscall.startswith(("connect(", "sendto(", "sendmsg(")):
        return False
    address = _ADDRESS.search(call)
    return address is not None and not ipaddress.ip_address(address.group(1)).is_loopback


def test_no_internet_connection_during_a_bench_and_a_report(tmp_path: Path) -> None:
    strace = required_tool("strace")
    log = tmp_path / "network.log"
    result = run_captured(
        [
            strace,
            "-f",
            "-qq",
            "--seccomp-bpf",
            "-o",
            str(log),
            "-e",
            "trace=connect,sendto,sendmsg,execve",
            sys.executable,
            "-m",
            "advisor",
            "report",
            "--preset",
            "tiny",
            "--output",
            str(tmp_path / "report.html"),
            "--quiet",
        ],
        timeout=600,
        env=_environment(tmp_path),
    )
    if result.returncode != 0 and "PTRACE" in result.stderr.upper():
        pytest.skip(f"strace cannot trace here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr[-2000:]
    calls = log.read_text().splitlines()
    assert sum("execve(" in call for call in calls) >= 4  # the probes and suites were traced
    assert [call for call in calls if _leaves_the_machine(call)] == []
