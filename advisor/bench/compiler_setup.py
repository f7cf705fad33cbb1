"""torch.compile's one-time compiler set-up, kept in the advisor's cache folder per machine."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import sys
import threading
from pathlib import Path

from advisor.base.datadir import cache_dir
from advisor.base.errors import DataFolderError
from advisor.base.fileio import private_folder_problem
from advisor.base.resources_path import probes_folder
from advisor.bench.events import BenchEvent, BenchListener
from advisor.probing.runner import ManagedProcess
from advisor.record import Interpreter, Record

_COMPILER_SETUP_TIMEOUT_S = 300.0
# Bumped when what a set-up holds changes: 2 added TorchInductor's precompiled headers,
# which it used to leave in the shared temporary folder.
_LAYOUT = "2"


def compiler_setup_folder(record: Record, device: str) -> Path | None:
    """Where torch.compile's one-time compiler set-up for this PyTorch and machine is kept.

    None when PyTorch is not installed or the cache folder cannot be used. The key holds
    what the set-up depends on: the PyTorch build, the interpreter, the device, the
    CPU it compiles for and what a set-up holds.
    """
    torch = next((p for p in record.frameworks if p.framework == "torch"), None)
    if torch is None or torch.report is None:
        return None
    parts = (
        torch.report.version,
        record.interpreter.executable,
        device,
        record.machine.cpu.model,
        _LAYOUT,
    )
    key = hashlib.sha256("\n".join(str(p) for p in parts).encode()).hexdigest()[:16]
    try:
        cache = cache_dir()
    except DataFolderError:  # nowhere to keep it: every compile is fully cold, and says so
        return None
    return cache / "torch-compiler" / f"torch-{torch.report.version}-{device}-{key}"


def set_up_compiler(
    interpreter: Interpreter,
    plan_path: Path,
    folder: Path,
    listen: BenchListener,
    cancel: threading.Event | None = None,
) -> bool:
    """Run the one-time compiler set-up (see probes/torch_compiler_setup.py); True on cancel.

    A set-up that fails leaves no folder: the compiled phase then compiles fully cold
    and its record says so.
    """
    return finish_compiler_setup(
        start_compiler_setup(interpreter, plan_path, folder, listen), folder, cancel
    )


def start_compiler_setup(
    interpreter: Interpreter, plan_path: Path, folder: Path, listen: BenchListener
) -> ManagedProcess | None:
    """Start the set-up into ``folder`` (the plan gives its threads and device); None when
    there is nowhere to keep it (every compile is then fully cold, and says so)."""
    listen(BenchEvent("", "message", "setting up torch.compile's compiler (once per machine)"))
    script = probes_folder() / "torch_compiler_setup.py"
    argv = [interpreter.executable, str(script), "--plan", str(plan_path), "--into", str(folder)]
    if private_folder_problem(folder.parent):
        return None
    return ManagedProcess(argv)


def finish_compiler_setup(
    process: ManagedProcess | None, folder: Path, cancel: threading.Event | None = None
) -> bool:
    """Wait for a started set-up (killed on cancel or past its timeout); True on cancel."""
    if process is None:
        return False
    try:
        return process.wait(_COMPILER_SETUP_TIMEOUT_S, cancel) == "cancelled"
    except KeyboardInterrupt:
        process.kill()
        return True
    finally:
        remove_failed_builds(folder, process.pid)


def stop_compiler_setup(process: ManagedProcess, folder: Path) -> None:
    """Stop a started set-up that is no longer needed, and remove what it half built."""
    try:
        process.kill()
    finally:
        remove_failed_builds(folder, process.pid)


def remove_failed_builds(folder: Path, ended_pid: int | None) -> None:
    """Remove half-built set-ups: the ended process's, and any whose process is gone.

    A set-up builds in ``<folder>.building-<pid>`` and renames it into place; one that
    failed (a full disk, a crash, a timeout's kill) leaves it behind.
    """
    for building in folder.parent.glob(f"{glob.escape(folder.name)}.building-*"):
        pid = building.name.rpartition("-")[2]
        if not pid.isdigit() or int(pid) == ended_pid or not _running(int(pid)):
            shutil.rmtree(building, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether a process with this id exists (on Windows: assumed, never probed)."""
    if sys.platform == "win32":  # os.kill there would terminate it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True
