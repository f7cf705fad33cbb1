"""Probes that crash, hang, print garbage or fail: each is one failed outcome; the rest runs."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest

from advisor.probing.frameworks import probe_frameworks
from advisor.probing.inventory import take_inventory
from advisor.probing.runner import memory_cgroups, run_process
from tests.helpers import INTERPRETER, fixture_text, run_captured, spec

GOOD_OUTPUT = fixture_text("probe_outputs", "torch_ok_cpu.json")


def _script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body)
    return path


FAULTS = {
    "abort": ("import os\nos.abort()\n", "probe killed by signal SIGABRT"),
    "exit3": (
        "import sys\nsys.stderr.write('RuntimeError: no luck\\n')\nsys.exit(3)\n",
        "probe exited with status 3: RuntimeError: no luck",
    ),
    "garbage": ("print('this is not json')\n", "probe output unusable: not one JSON document"),
    "silent": ("pass\n", "probe output unusable: it printed nothing"),
    "hang": ("import time\ntime.sleep(600)\n", "probe timed out after 2 s and was killed"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_faulty_probe_becomes_a_failed_outcome(tmp_path: Path, fault: str) -> None:
    body, reason = FAULTS[fault]
    script = _script(tmp_path, f"{fault}.py", body)
    started = time.monotonic()
    (probe,) = probe_frameworks([spec("torch", script)], INTERPRETER, timeout_s=2)
    assert time.monotonic() - started < 10
    assert probe.status == "failed"
    assert (probe.reason or "").startswith(reason), probe.reason


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "grandchild.pid"
    body = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(600)\n"
    )
    script = _script(tmp_path, "spawner.py", body)
    result = run_process([sys.executable, str(script)], timeout_s=2)
    assert result.timed_out
    grandchild = int(marker.read_text())
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return status != "Z"


def test_a_hanging_probe_still_yields_a_complete_record(tmp_path: Path) -> None:
    good = _script(tmp_path, "good.py", f"print({GOOD_OUTPUT!r})\n")
    hang = _script(tmp_path, "hang.py", "import time\ntime.sleep(600)\n")
    record = take_inventory(specs=[spec("tensorflow", hang), spec("torch", good)], timeout_s=2)
    tensorflow, torch = record.frameworks
    assert tensorflow.status == "failed"
    assert tensorflow.reason == "probe timed out after 2 s and was killed"
    assert torch.status == "ok"
    assert record.machine.cpu.logical_cores == os.cpu_count()


def test_a_probe_starts_once_the_one_before_has_imported(tmp_path: Path) -> None:
    # The first probe says its import is over, then answers only once the second has
    # started: probed one after the other, it would time out; the second, started before
    # the first's import was over, would find no import mark.
    imported, second_started = str(tmp_path / "imported"), str(tmp_path / "second")
    first = _script(
        tmp_path,
        "first.py",
        "import json, pathlib, sys, time\n"
        f"pathlib.Path({imported!r}).touch()\n"
        "sys.stderr.write(json.dumps({'event': 'progress', 'stage': 'inspect'}) + '\\n')\n"
        "sys.stderr.flush()\n"
        f"while not pathlib.Path({second_started!r}).exists():\n"
        "    time.sleep(0.05)\n"
        f"print({GOOD_OUTPUT!r})\n",
    )
    second = _script(
        tmp_path,
        "second.py",
        "import pathlib, sys\n"
        f"if not pathlib.Path({imported!r}).exists():\n"
        "    sys.exit('started before the first import was over')\n"
        f"pathlib.Path({second_started!r}).touch()\n"
        f"print({GOOD_OUTPUT!r})\n",
    )
    record = take_inventory(specs=[spec("torch", first), spec("tensorflow", second)], timeout_s=20)
    torch, tensorflow = record.frameworks
    assert torch.status == "ok", torch.reason
    # The second answered too, with the torch document it was given.
    assert tensorflow.reason == "probe output unusable: it answered for 'torch', not 'tensorflow'"


def test_an_interpreter_that_dies_mid_probe_is_recorded(tmp_path: Path) -> None:
    # A wrapper that answers the interpreter check but crashes on any script.
    wrapper = tmp_path / "python"
    wrapper.write_text(
        f'#!/bin/sh\nif [ "$1" = "-c" ]; then exec {sys.executable} "$@"; fi\nkill -SEGV $$\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    record = take_inventory(str(wrapper), specs=[spec("torch", Path("/unused.py"))], timeout_s=10)
    (torch,) = record.frameworks
    assert torch.status == "failed"
    assert torch.reason == "probe killed by signal SIGSEGV"


def test_a_child_out_of_memory_in_python_is_reported_so(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "greedy.py",
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "hoard = bytearray(2 << 30)\n",
    )
    reason = run_process([sys.executable, str(script)], timeout_s=60).failure_reason(60)
    assert reason == "out of memory: exited with status 1: MemoryError"


def _memory_cgroup(limit_bytes: int) -> Path | None:
    """A new memory cgroup below this process's own, limited; None where none can be made."""
    for base, version in memory_cgroups():
        limit_file = "memory.max" if version == 2 else "memory.limit_in_bytes"
        group = base / f"framework-advisor-test-{os.getpid()}"
        try:
            group.mkdir()
            (group / limit_file).write_text(str(limit_bytes))
        except OSError:
            continue
        return group
    return None


def test_a_child_killed_by_the_kernel_for_memory_is_reported_so(tmp_path: Path) -> None:
    group = _memory_cgroup(200 << 20)
    if group is None:
        pytest.skip("no memory cgroup can be made here (needs root and a writable cgroup tree)")
    # The advisor's side runs inside the limited cgroup, as it would in a container with
    # a memory limit; its child takes more than the limit and the kernel kills it.
    greedy = "x = bytearray(600 << 20)\nfor i in range(0, len(x), 4096): x[i] = 1\n"
    driver = _script(
        tmp_path,
        "driver.py",
        "import os, sys\n"
        f"open({str(group / 'cgroup.procs')!r}, 'w').write(str(os.getpid()))\n"
        "from advisor.probing.runner import memory_cgroups, run_process\n"
        f"result = run_process([sys.executable, '-c', {greedy!r}], timeout_s=60)\n"
        "print(result.failure_reason(60))\n",
    )
    try:
        done = run_captured([sys.executable, str(driver)], timeout=120)
    finally:
        time.sleep(0.2)
        group.rmdir()
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "out of memory: killed by the kernel's out-of-memory killer"


def test_an_event_with_thousands_of_samples_arrives_and_a_huge_log_line_is_cut(
    tmp_path: Path,
) -> None:
    script = tmp_path / "chatty.py"
    script.write_text(
        "import json, sys\n"
        "samples = [0.000123456789 + i * 1e-9 for i in range(2000)]\n"
        "sys.stderr.write(json.dumps({'event': 'progress', 'samples_s': samples}) + '\\n')\n"
        "sys.stderr.write('x' * (3 << 20) + '\\n')\n"
        "sys.stderr.write('the end\\n')\n"
    )
    events: list[dict[str, object]] = []
    result = run_process([sys.executable, str(script)], timeout_s=60, on_event=events.append)
    assert result.returncode == 0
    assert len(events) == 1 and len(events[0]["samples_s"]) == 2000  # type: ignore[arg-type]
    assert result.log_lines[-1] == "the end"
    assert max(len(line) for line in result.log_lines) <= 4096
