"""What else the machine does during a run: busy CPU time beyond the run's own processes.

Two readings bound each stretch of a run (a slot of the suite, a deployment route's
timed process). Each reads, for the cores the run may use, /proc/stat's busy time (user,
nice, system, irq, softirq and steal; guest time is already inside user) and steal alone,
and the CPU time of the run's own process tree from /proc/PID/stat: the advisor and
every descendant, those still running and those already reaped. A reading takes about a
millisecond, between two slots, when nothing is timed. Other work's share of the cores is

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
PROC = Path("/proc")
PROC_STAT = PROC / "stat"
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


def descendants(pid: int) -> list[int]:
    """Every living descendant of a process.

    Read from the kernel's list of each thread's children (/proc/PID/task/TID/children),
    which costs microseconds; where the kernel keeps no such list, psutil finds them by
    reading every process on the machine (tens of milliseconds on a busy one).
    """
    if not (PROC / str(pid) / "task" / str(pid) / "children").exists():
        try:
            return [child.pid for child in psutil.Process(pid).children(recursive=True)]
        except psutil.Error:
            return []
    found: list[int] = []
    todo = [pid]
    while todo:
        children = _children(todo.pop())
        found += children
        todo += children
    return found


def _children(pid: int) -> list[int]:
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:  # it has ended
        return []
    found = []
    for task in tasks:  # a child belongs to the thread that started it
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def own_cpu_s(pid: int) -> float:
    """CPU seconds of a process and all its descendants, running or reaped.

    /proc/PID/stat holds a process's own user and system time and its reaped children's:
    summed over the living tree, each process that ever ran in it counts once.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(_cpu_s(process, ticks) for process in [pid, *descendants(pid)])


def _cpu_s(pid: int, ticks: int) -> float:
    try:
        text = (PROC / str(pid) / "stat").read_text(encoding="utf-8", errors="replace")
    except OSError:  # it ended between the listing and the reading
        return 0.0
    fields = text[text.rindex(")") + 2 :].split()  # after the name, which may hold spaces
    return sum(int(value) for value in fields[11:15]) / ticks  # utime stime cutime cstime


def read(pid: int | None = None, stat: Path = PROC_STAT) -> Reading | None:
    """The counters now (the run's own tree from process ``pid``, default this one); None
    where /proc/stat cannot be read."""
    try:
        text = stat.read_text(encoding="ascii")
        cores = os.sched_getaffinity(0)
    except (OSError, AttributeError, UnicodeDecodeError):
        return None
    busy, steal, found = core_times(text, cores, os.sysconf("SC_CLK_TCK"))
    if not found:
        return None
    own = own_cpu_s(os.getpid() if pid is None else pid)
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
