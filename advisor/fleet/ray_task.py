"""What a Ray fleet's task runs on its node: the bench, in a temporary folder of the node.

Ray pickles `bench_on_node` by reference, so a node imports this module, which needs the
standard library only. The task is a generator: its first item (Started) says it runs
and where, its last (Finished) brings the bench's exit status, the record's text and the
end of its stderr back through Ray's object store. The temporary folder is removed when
the task ends, however it ends. ray.cancel raises KeyboardInterrupt in the running task:
the bench's process group is then stopped (SIGTERM first, so the bench stops its own
probes, then SIGKILL) before the task ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_STOP_GRACE_S = 10.0  # for the bench to stop its probes after SIGTERM
_LOG_BYTES = 64 << 10  # the end of the bench's stderr that comes back


@dataclass(frozen=True)
class Started:
    """A task's first item: it runs, on this host."""

    host: str


@dataclass(frozen=True)
class Finished:
    """A task's last item: the bench's exit status, its record's text, its stderr's end."""

    status: int
    record: str | None
    log: str


def bench_on_node(preset: str, python: str | None) -> Iterator[Started | Finished]:
    """The Ray task (it runs on the node): say where, run the bench, bring its result."""
    yield Started(socket.gethostname().split(".")[0])
    argv = [sys.executable, "-m", "advisor", "bench", "--preset", preset, "--quiet"]
    argv += ["--python", python] if python else []
    with tempfile.TemporaryDirectory(prefix="framework-advisor-fleet-") as folder:
        record, log = Path(folder) / "record.json", Path(folder) / "stderr.txt"
        with log.open("wb") as stderr:
            bench = subprocess.Popen(
                [*argv, "--output", str(record)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # its own group, stopped as one
            )
            status = _waited(bench)
        text = record.read_text(encoding="utf-8") if record.is_file() else None
        with log.open("rb") as tail:
            tail.seek(max(0, log.stat().st_size - _LOG_BYTES))
            yield Finished(status, text, tail.read().decode("utf-8", errors="replace"))


def _waited(bench: subprocess.Popen[bytes]) -> int:
    """The bench's exit status; on a cancel (KeyboardInterrupt), its group is stopped first."""
    try:
        while True:  # short waits: Ray's cancel lands between them
            with contextlib.suppress(subprocess.TimeoutExpired):
                return bench.wait(timeout=0.5)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(bench.pid, signal.SIGTERM)
        try:
            bench.wait(timeout=_STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(bench.pid, signal.SIGKILL)
            bench.wait()
        raise
