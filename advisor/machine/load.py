"""What else the machine does during a run: busy CPU time beyond the run's own processes.

Two readings bound each stretch of a run (a slot of the suite, a deployment route's
timed process). Each reads, for the cores the run may use, /proc/stat's busy time (user,
nice, system, irq, softirq and steal; guest time is already inside user) and steal alone,
and the CPU time of the run's own process tree: the advisor and every descendant, those
still running and those already reaped (psutil). Other work's share of the cores is then

    (busy - own) / (elapsed x cores)

PyTorch's eager CPU path (OpenMP) slows several-fold when another process takes a core,
TensorFlow's thread pool much less, so a competing process can turn a tie into "6x
faster". Where other work took more than BUSY_SHARE of the cores during a pair's samples
(one busy process on a two-core machine takes 50 %; an idle browser and IDE a few %),
the pair is said to be measured on a busy machine and left out of the advice.
Linux only: elsewhere (no /proc/stat) nothing is read, and nothing is said.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard, TypeVar

import psutil

from advisor.record import CpuUse, SlotUse

BUSY_SHARE = 0.25
PROC_STAT = Path("/proc/stat")
# /proc/stat's per-core columns: user nice system idle iowait irq softirq steal ...
_BUSY_COLUMNS = (0, 1, 2, 5, 6, 7)
_STEAL_COLUMN = 7
T = TypeVar("T")


@dataclass(frozen=True)
class Reading:
    """The machine's CPU counters at one moment, in seconds since boot (times: cumulative)."""

    at_s: float  # time.monotonic()
    busy_s: float
    steal_s: float
    own_s: float
    cores: int


def core_times(text: str, cores: set[int], ticks: float) -> tuple[float, float, int]:
    """(busy, steal) seconds over the given cores and how many of them /proc/stat lists."""
    busy = steal = 0.0
    found = 0
    for line in text.splitlines():
        name, *values = line.split()
        if not (name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cores):
            continue
        jiffies = [int(v) for v in values] + [0] * 8  # old kernels list fewer columns
        busy += sum(jiffies[i] for i in _BUSY_COLUMNS)
        steal += jiffies[_STEAL_COLUMN]
        found += 1
    return busy / ticks, steal / ticks, found


def own_cpu_s(root: psutil.Process) -> float:
    """CPU seconds of a process and all its descendants, running or reaped.

    A reaped child's time sits in its parent's children_* fields, a running one's in its
    own: summing both over the living tree counts every process once.
    """
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.Error:  # it ended between the listing and the reading
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def read(root: psutil.Process | None = None, stat: Path = PROC_STAT) -> Reading | None:
    """The counters now (the run's own tree from ``root``, default this process); None
    where /proc/stat cannot be read."""
    try:
        text = stat.read_text(encoding="ascii")
        cores = os.sched_getaffinity(0)
    except (OSError, AttributeError, UnicodeDecodeError):
        return None
    busy, steal, found = core_times(text, cores, os.sysconf("SC_CLK_TCK"))
    if not found:
        return None
    own = own_cpu_s(root or psutil.Process())
    return Reading(time.monotonic(), busy, steal, own, found)


def between(before: Reading, after: Reading) -> CpuUse:
    """The CPU use of the stretch between two readings."""
    return CpuUse(
        elapsed_s=max(after.at_s - before.at_s, 0.0),
        cores=after.cores,
        busy_s=max(after.busy_s - before.busy_s, 0.0),
        own_s=max(after.own_s - before.own_s, 0.0),
        steal_s=max(after.steal_s - before.steal_s, 0.0),
    )


def others_share(uses: Sequence[CpuUse]) -> float | None:
    """Other work's share of the cores over these stretches (0-1); None without any time.

    Summed before subtracting: the counters tick in hundredths of a second and the two
    sources need not tick together, so one short slot alone can read a little under zero.
    """
    capacity = sum(u.elapsed_s * u.cores for u in uses)
    if capacity <= 0:
        return None
    others = sum(u.busy_s - u.own_s for u in uses)
    return min(max(others / capacity, 0.0), 1.0)


def steal_share(uses: Sequence[CpuUse]) -> float | None:
    """The hypervisor's share of the cores (given to other virtual machines); None without
    any time."""
    capacity = sum(u.elapsed_s * u.cores for u in uses)
    return min(sum(u.steal_s for u in uses) / capacity, 1.0) if capacity > 0 else None


def is_busy(share: float | None) -> TypeGuard[float]:
    """Whether other work took more than BUSY_SHARE of the cores (None: not measured)."""
    return share is not None and share > BUSY_SHARE


def busy_words(share: float) -> str:
    """The one wording of a busy machine, with its figure."""
    return f"measured on a busy machine (other work took {share:.0%} of the cores)"


def measured(run: Callable[[], T]) -> tuple[T, CpuUse | None]:
    """What ``run`` returns, and the machine's CPU use while it ran (None: not readable)."""
    before = read()
    result = run()
    after = read()
    return result, between(before, after) if before and after else None


class SlotMeter:
    """The machine's CPU use per slot of a run whose suites take turns (bench/lockstep.py).

    ``hearing`` wraps the run's step_done callback: it hears "import" once every suite is
    ready, then "<command> <index> #<turn>" after each slot, so each reading falls between
    two slots, when nothing is timed.
    """

    def __init__(self) -> None:
        self.slots: list[SlotUse] = []
        self._last: Reading | None = None

    def hearing(
        self, phase: str, workloads: Sequence[str], then: Callable[[str], None]
    ) -> Callable[[str], None]:
        """A step_done callback for one phase that reads the counters, then calls ``then``."""

        def step_done(step: str) -> None:
            now = read()
            if step != "import" and self._last is not None and now is not None:
                command, index = step.partition(" #")[0].split()
                use = between(self._last, now)
                self.slots.append(SlotUse(phase, command, workloads[int(index)], use))
            self._last = now
            then(step)

        return step_done
