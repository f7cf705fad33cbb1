"""The fleet backend protocol: N runs of `bench --output` through a scheduler, one per node.

A backend (fleet/slurm.py, fleet/ray_backend.py, registered once in fleet/registry.py)
only speaks to its scheduler: it submits the runs, says where each one stands while the
scheduler holds it, cancels them, and brings back each run's final state, reason and
record. What every scheduler shares lives here: the outcome types, the loop that follows
the runs to their end (a line per change, the time left, a cancel from Ctrl-C or the
cancel event, a grace period for the cancelled runs to leave), and the whole fleet run.
"""

from __future__ import annotations

import argparse
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, NamedTuple, Self

from advisor.base.errors import JobFailedError
from advisor.base.progress import Progress, side_by_side

_POLL_S = 2.0
_CANCEL_GRACE_S = 30.0

Listener = Callable[[str], None]


class RunState(NamedTuple):
    """Where a run stands while its scheduler still holds it."""

    state: str  # in the scheduler's words: PENDING, RUNNING, ...
    reason: str  # why it waits, where the scheduler says ("" or "None" where not)
    node: str  # where it runs ("" while unknown)


@dataclass(frozen=True)
class TaskOutcome:
    """How one node's run ended, and the record it brought (None if it brought none)."""

    scheduler: str  # "Slurm", "Ray": how lines and the report name the run
    task: str  # the scheduler's id of the run: "JOBID_INDEX", "JOBID"
    state: str
    reason: str | None
    exit_code: str | None
    node: str | None
    record: Path | None
    log_tail: str | None  # the last line of the run's log

    def problem(self) -> str:
        """One line for a run that brought no record."""
        where = f" on {self.node}" if self.node else ""
        text = f"{self.scheduler} task {self.task}{where}: {self.state}"
        details = [
            d for d in (self.reason, f"exit code {self.exit_code}" if self.exit_code else None) if d
        ]
        text += f" ({', '.join(details)})" if details else ""
        return text + (f": {self.log_tail}" if self.log_tail else "")


@dataclass(frozen=True)
class FleetRun:
    """What was submitted, each run's outcome, and whether the user cancelled."""

    submitted: str  # as the lines name it: "job 12", "Ray job 01000000"
    tasks: tuple[TaskOutcome, ...]
    cancelled: bool

    @property
    def records(self) -> list[Path]:
        """The records the runs brought, in run order."""
        return [t.record for t in self.tasks if t.record is not None]


@dataclass(frozen=True)
class FleetRequest:
    """What every backend is asked for, whatever its scheduler."""

    output_dir: Path  # where the records (and any logs) land
    preset: str
    python: str | None  # --python as given: whose frameworks the nodes measure


class FleetBackend(ABC):
    """One scheduler's way to run a fleet; one object per fleet run.

    A new scheduler is one module with a subclass and one line in fleet/registry.py: the
    command line, the following, the cancel and the comparison report come with it.
    """

    title: ClassVar[str]  # the scheduler's name in lines: "Slurm task 12_0 ..."
    help: ClassVar[str]  # one line for `fleet --help`
    description: ClassVar[str]  # a paragraph for `fleet NAME --help`

    @classmethod
    @abstractmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add the scheduler's own options (the shared ones are FleetRequest's)."""

    @classmethod
    @abstractmethod
    def from_arguments(cls, request: FleetRequest, args: argparse.Namespace) -> Self:
        """The backend for one fleet run; a value it cannot use is a UsageError, raised
        before anything is written or submitted."""

    @property
    @abstractmethod
    def count(self) -> int:
        """How many runs the fleet holds."""

    @abstractmethod
    def preview(self) -> str:
        """What submit() would do, as text, doing none of it (for --dry-run)."""

    @abstractmethod
    def submit(self) -> str:
        """Start every run, all or none; the line saying what was submitted."""

    @property
    @abstractmethod
    def submitted(self) -> str:
        """What submit() started, as later lines name it ("job 12")."""

    @abstractmethod
    def poll(self) -> Mapping[str, RunState]:
        """The runs the scheduler still holds, and where each stands; empty once all ended."""

    @abstractmethod
    def cancel(self) -> str:
        """Ask the scheduler to stop every run (what ended stays ended); the line saying so."""

    @abstractmethod
    def collect(self) -> tuple[TaskOutcome, ...]:
        """Each run's final state, reason and record, once poll() is empty or the user
        cancelled; a run still held then is stopped for good."""

    @abstractmethod
    def withdraw(self) -> str:
        """Stop what was submitted after a failure; what the error line adds about it."""

    def close(self) -> None:
        """Let go of the scheduler (a connection, say); nothing for most."""
        return


def run_fleet(
    backend: FleetBackend,
    say: Listener,
    cancel: threading.Event | None,
    on_progress: Callable[[Progress], None] | None = None,
) -> FleetRun:
    """Submit, follow to the end (or to a cancel), and collect each run's outcome."""
    try:
        say(backend.submit())
        try:
            cancelled = follow(backend, say, cancel, on_progress)
        except JobFailedError as exc:  # unfollowed, the runs would go on unseen
            raise JobFailedError(f"{exc}{backend.withdraw()}") from None
        return FleetRun(backend.submitted, backend.collect(), cancelled)
    finally:
        backend.close()


def follow(
    backend: FleetBackend,
    say: Listener,
    cancel: threading.Event | None,
    on_progress: Callable[[Progress], None] | None = None,
) -> bool:
    """Poll until the scheduler holds no run, saying each change, and where the runs
    stand to `on_progress`; True when the user cancelled (cancel event or Ctrl-C): the
    runs are then cancelled and followed for a grace period while they leave."""
    seen: Mapping[str, RunState] = {}
    deadline: float | None = None  # set once cancelled
    clock = TaskClock(backend.count, on_progress or (lambda _progress: None))
    while True:
        try:
            now = backend.poll()
        except KeyboardInterrupt:
            now, stop = seen, True
        else:
            for task, state in now.items():
                if seen.get(task) != state:
                    say(_change(task, state))
            clock.update(now)
            seen = now
            if not now or (deadline is not None and time.monotonic() > deadline):
                return deadline is not None
            stop = _pause(cancel)
        if stop and deadline is None:
            say(backend.cancel())
            deadline = time.monotonic() + _CANCEL_GRACE_S


class TaskClock:
    """When each run started running and how long the finished ones took."""

    def __init__(
        self,
        total: int,
        tell: Callable[[Progress], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.tell = tell
        self.clock = clock
        self.began = clock()
        self.running: dict[str, float] = {}  # run -> when it was first seen running
        self.durations: list[float] = []
        self.known: set[str] = set()

    def update(self, held: Mapping[str, RunState]) -> None:
        """The runs the scheduler holds now."""
        now = self.clock()
        for task, (state, _reason, _node) in held.items():
            self.known.add(task)
            if state == "RUNNING" and task not in self.running:
                self.running[task] = now
        for task in self.known - set(held):  # no longer held: done, whatever the outcome
            self.known.discard(task)
            self.durations.append(now - self.running.pop(task, self.began))
        done, running = len(self.durations), len(self.running)
        total = max(self.total, done + len(held))
        label = f"{done} of {total} node{'s' if total != 1 else ''} done, {running} running"
        self.tell(
            side_by_side(
                label,
                total,
                self.durations,
                [now - start for start in self.running.values()],
                total - done - running,
                now - self.began,
            )
        )


def _change(task: str, run: RunState) -> str:
    """'task 12_0: RUNNING on node3', 'task 12_1: PENDING (Resources)'."""
    text = f"task {task}: {run.state}"
    text += f" on {run.node}" if run.node and run.node != "(null)" else ""
    return text + (f" ({run.reason})" if run.reason and run.reason != "None" else "")


def _pause(cancel: threading.Event | None) -> bool:
    """Wait one poll interval; True when the user asks to stop meanwhile."""
    end = time.monotonic() + _POLL_S
    try:
        while time.monotonic() < end:
            if cancel is not None and cancel.is_set():
                return True
            time.sleep(0.1)
    except KeyboardInterrupt:
        return True
    return False
