"""Benchmark on a cluster through Slurm's own commands: sbatch, squeue, sacct, scancel.

One array task per node (or one job per node of --nodelist) runs `bench --output`
with the shipped batch script (resources/slurm/); each writes one record into the output
folder. The advisor follows the tasks with squeue while they run and reads their final
state from sacct, or from `scontrol show job` where accounting is off. No daemon, ssh or
agent of our own: a second scheduler would be another way to run the same script.

Every value the user gives reaches the script through one of two quotings: `shlex.quote`
for the shell lines (`export NAME=...`), and `_directive` for the #SBATCH lines, which
sbatch reads with its own parser (double quotes, backslash escapes), not a shell. A control
character is refused in every value: a newline would end a line and start a command.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.errors import CancelledError, JobFailedError, UsageError, quoted
from advisor.fileio import atomic_write_text, make_private_folder
from advisor.progress import Progress, side_by_side
from advisor.resources_path import resource_file
from advisor.text import one_line

SCRIPT_NAME = "framework-advisor-bench.sbatch"
_COMMAND_TIMEOUT_S = 60.0
_POLL_S = 2.0
_CANCEL_GRACE_S = 30.0


@dataclass(frozen=True)
class SlurmOptions:
    """What to submit: where, how many, with which interpreters and preset."""

    output_dir: Path
    advisor_python: str  # an interpreter with the advisor installed, on the nodes' filesystem
    bench_python: str  # whose frameworks are measured
    nodes: int = 1
    nodelist: tuple[str, ...] = ()
    partition: str | None = None
    gres: str | None = None
    preset: str = "quick"
    time_limit: str | None = None


@dataclass(frozen=True)
class TaskOutcome:
    """How one node's task ended, and the record it wrote (None if it wrote none)."""

    task: str  # "JOBID_INDEX" for an array task, "JOBID" for a job
    state: str
    reason: str | None
    exit_code: str | None
    node: str | None
    record: Path | None
    log_tail: str | None  # the last line of the task's Slurm log

    def problem(self) -> str:
        """One line for a task that brought no record."""
        where = f" on {self.node}" if self.node else ""
        text = f"Slurm task {self.task}{where}: {self.state}"
        details = [
            d for d in (self.reason, f"exit code {self.exit_code}" if self.exit_code else None) if d
        ]
        text += f" ({', '.join(details)})" if details else ""
        return text + (f": {self.log_tail}" if self.log_tail else "")


@dataclass(frozen=True)
class FleetRun:
    """The submitted job(s), each task's outcome, and whether the user cancelled."""

    jobs: tuple[str, ...]
    tasks: tuple[TaskOutcome, ...]
    cancelled: bool

    @property
    def records(self) -> list[Path]:
        """The records the tasks wrote, in task order."""
        return [t.record for t in self.tasks if t.record is not None]


class SlurmValueError(UsageError):
    """A value that cannot go into the batch script or onto sbatch's command line."""

    code = "bad-slurm-value"

    def __init__(self, option: str | None, value: str, problem: str) -> None:
        subject = "" if option else "the advisor's interpreter "  # the one value not given
        super().__init__(f"{subject}{quoted(value)}: {problem}")
        self.option = option


# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What sbatch's #SBATCH parser reads as one plain word; anything else is quoted.
_PLAIN = re.compile(r"[\w@%+=:,./-]+", re.ASCII)


def _checked_values(options: SlurmOptions) -> None:
    """Refuse, before anything is written or submitted, a value the script cannot carry."""
    given = [
        ("--output-dir", str(options.output_dir)),
        ("--partition", options.partition or ""),
        ("--gres", options.gres or ""),
        ("--time", options.time_limit or ""),
        ("--python", options.bench_python),
        ("--preset", options.preset),
        (None, options.advisor_python),
        *(("--nodelist", node) for node in options.nodelist),
    ]
    for option, value in given:
        if _CONTROL.search(value):
            raise SlurmValueError(
                option,
                value,
                "a control character (such as a newline) cannot go into a batch script",
            )
    if "\\" in str(options.output_dir):  # Slurm's file name patterns give \\ a meaning of their own
        raise SlurmValueError(
            "--output-dir",
            str(options.output_dir),
            "Slurm cannot name a log file under a folder with a backslash",
        )
    if options.nodes < 1:
        raise SlurmValueError("--nodes", str(options.nodes), "must be at least 1")


def _directive(value: str) -> str:
    """A value as an #SBATCH line carries it: sbatch splits these lines at blanks, ends
    them at an unquoted '#', and reads double quotes and backslash escapes."""
    if _PLAIN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def batch_script(options: SlurmOptions) -> str:
    """The self-contained batch script: #SBATCH lines, the variables, the shipped body."""
    _checked_values(options)
    lines = ["#!/bin/bash", "#SBATCH --job-name=framework-advisor"]
    if not options.nodelist:
        lines.append(f"#SBATCH --array=0-{options.nodes - 1}")
    lines += ["#SBATCH --nodes=1", "#SBATCH --ntasks=1", "#SBATCH --exclusive"]
    # '%' starts a Slurm file name pattern (%A, %a); '%%' is a '%' of the folder's name.
    log = str(options.output_dir).replace("%", "%%") + "/slurm-%A_%a.log"
    lines.append(f"#SBATCH --output={_directive(log)}")
    for flag, value in (
        ("partition", options.partition),
        ("gres", options.gres),
        ("time", options.time_limit),
    ):
        if value:
            lines.append(f"#SBATCH --{flag}={_directive(value)}")
    for name, value in (
        ("ADVISOR_PYTHON", options.advisor_python),
        ("BENCH_PYTHON", options.bench_python),
        ("PRESET", options.preset),
        ("OUT_DIR", str(options.output_dir)),
    ):
        lines.append(f"export {name}={shlex.quote(value)}")
    body = resource_file(f"slurm/{SCRIPT_NAME}").read_text(encoding="utf-8")
    return "\n".join(lines) + "\n" + body.split("\n", 1)[1]


def _slurm_command(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise JobFailedError(f"Slurm is not installed here: no {name} on PATH")
    return path


def _run(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """One Slurm command; a failure is one line naming the command and what Slurm said."""
    try:
        done = subprocess.run(
            [_slurm_command(argv[0]), *argv[1:]],
            capture_output=True,
            text=True,
            timeout=_COMMAND_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise JobFailedError(f"{argv[0]} did not answer within {_COMMAND_TIMEOUT_S:g} s") from None
    return done


def _checked(argv: Sequence[str]) -> str:
    done = _run(argv)
    if done.returncode != 0:
        said = one_line(
            done.stderr.strip() or done.stdout.strip() or f"exit status {done.returncode}"
        )
        raise JobFailedError(f"{argv[0]} failed: {said}")
    return done.stdout


def submit(options: SlurmOptions) -> tuple[str, ...]:
    """Write the script into the output folder (the user's only) and submit it; the job ids.

    All or nothing: when one node's submission fails (or the user stops), the jobs already
    submitted are scancelled, and the one error line names them.
    """
    text = batch_script(options)
    make_private_folder(options.output_dir)
    script = options.output_dir / SCRIPT_NAME
    atomic_write_text(script, text)
    if not options.nodelist:
        return (_job_id(_checked(["sbatch", "--parsable", str(script)])),)
    jobs: list[str] = []
    node = ""
    try:
        for node in options.nodelist:
            jobs.append(
                _job_id(_checked(["sbatch", "--parsable", f"--nodelist={node}", str(script)]))
            )
    except JobFailedError as exc:
        raise JobFailedError(f"node {node}: {exc}{_withdrawn(jobs)}") from None
    except KeyboardInterrupt:
        raise CancelledError(f"cancelled while submitting{_withdrawn(jobs)}") from None
    return tuple(jobs)


def _withdrawn(jobs: Sequence[str]) -> str:
    """scancel the jobs; what the error line adds about them ('' when there are none)."""
    if not jobs:
        return ""
    named = f"job{'s' if len(jobs) > 1 else ''} {', '.join(jobs)} (already submitted)"
    try:
        done = _run(["scancel", *jobs])
    except JobFailedError as exc:
        return f"; {named} may still run ({exc}): scancel {' '.join(jobs)}"
    if done.returncode != 0:
        said = one_line(done.stderr.strip() or f"exit status {done.returncode}")
        return f"; {named} may still run (scancel failed: {said})"
    return f"; scancelled {named}, so nothing is left queued"


def _job_id(parsable: str) -> str:
    """`sbatch --parsable` prints 'ID' or 'ID;CLUSTER'."""
    return parsable.strip().split(";")[0]


def queued(jobs: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """Tasks still in the queue: task -> (state, reason, node)."""
    out = _checked(["squeue", "-h", "-r", "-j", ",".join(jobs), "-o", "%i|%T|%r|%N"])
    found = {}
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) == 4:
            found[parts[0]] = (parts[1], parts[2], parts[3])
    return found


def finished(jobs: Sequence[str]) -> dict[str, dict[str, str]]:
    """Final state of every task: sacct where accounting is on, else scontrol."""
    done = _run(
        [
            "sacct",
            "-n",
            "-P",
            "-X",
            "-j",
            ",".join(jobs),
            "--format=JobID,State,ExitCode,Reason,NodeList",
        ]
    )
    if done.returncode == 0 and done.stdout.strip():
        found = {}
        for line in done.stdout.splitlines():
            task, state, code, reason, node = (line.split("|") + [""] * 5)[:5]
            found[task] = {
                "state": state.split()[0] if state else "UNKNOWN",
                "exit": code,
                "reason": reason,
                "node": node,
            }
        return found
    return _from_scontrol(jobs)


def _from_scontrol(jobs: Sequence[str]) -> dict[str, dict[str, str]]:
    found = {}
    for job in jobs:
        done = _run(["scontrol", "-o", "show", "job", job])
        for line in done.stdout.splitlines():
            fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
            array = fields.get("ArrayJobId")
            task = (
                f"{array}_{fields['ArrayTaskId']}"
                if array and "ArrayTaskId" in fields
                else fields.get("JobId", job)
            )
            found[task] = {
                "state": fields.get("JobState", "UNKNOWN"),
                "exit": fields.get("ExitCode", ""),
                "reason": fields.get("Reason", ""),
                "node": fields.get("NodeList", ""),
            }
    return found


def cancel_jobs(jobs: Sequence[str]) -> None:
    """scancel the jobs (what finished stays finished)."""
    _run(["scancel", *jobs])


Listener = Callable[[str], None]


def follow(
    jobs: Sequence[str],
    say: Listener,
    cancel: threading.Event | None,
    total: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
) -> bool:
    """Poll squeue until no task is queued, saying each change, and where the `total`
    tasks stand to `on_progress`; True when the user cancelled (cancel event or Ctrl-C):
    the jobs are then scancelled and followed out of the queue."""
    seen: dict[str, tuple[str, str, str]] = {}
    deadline: float | None = None  # set once cancelled
    clock = TaskClock(total, on_progress or (lambda _progress: None))
    while True:
        try:
            now = queued(jobs)
        except KeyboardInterrupt:
            now, stop = seen, True
        else:
            for task, state in now.items():
                if seen.get(task) != state:
                    say(_change(task, *state))
            clock.update(now)
            seen = now
            if not now or (deadline is not None and time.monotonic() > deadline):
                return deadline is not None
            stop = _pause(cancel)
        if stop and deadline is None:
            say("cancelling: scancel " + " ".join(jobs))
            cancel_jobs(jobs)
            deadline = time.monotonic() + _CANCEL_GRACE_S


class TaskClock:
    """When each task started running and how long the finished ones took."""

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
        self.running: dict[str, float] = {}  # task -> when it was first seen running
        self.durations: list[float] = []
        self.known: set[str] = set()

    def update(self, queue: dict[str, tuple[str, str, str]]) -> None:
        """The queue as squeue lists it now."""
        now = self.clock()
        for task, (state, _reason, _node) in queue.items():
            self.known.add(task)
            if state == "RUNNING" and task not in self.running:
                self.running[task] = now
        for task in self.known - set(queue):  # left the queue: done, whatever the outcome
            self.known.discard(task)
            self.durations.append(now - self.running.pop(task, self.began))
        done, running = len(self.durations), len(self.running)
        total = max(self.total, done + len(queue))
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


def _change(task: str, state: str, reason: str, node: str) -> str:
    """'task 12_0: RUNNING on node3', 'task 12_1: PENDING (Resources)'."""
    text = f"task {task}: {state}"
    text += f" on {node}" if node and node != "(null)" else ""
    return text + (f" ({reason})" if reason and reason != "None" else "")


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


def outcomes(options: SlurmOptions, jobs: Sequence[str]) -> tuple[TaskOutcome, ...]:
    """Each task's final state, its record and the last line of its log."""
    states = finished(jobs)
    result = []
    for task, info in sorted(states.items()):
        job, _, index = task.partition("_")
        records = sorted(options.output_dir.glob(f"record-{job}_{index or '0'}-*.json"))
        log = options.output_dir / f"slurm-{job}_{index or '4294967294'}.log"
        result.append(
            TaskOutcome(
                task,
                info["state"],
                info["reason"] if info["reason"] not in ("", "None") else None,
                info["exit"] if info["exit"] not in ("", "0:0") else None,
                info["node"] or None,
                records[0] if records else None,
                _last_line(log),
            )
        )
    return tuple(result)


def _last_line(path: Path) -> str | None:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return None
    return one_line(lines[-1]) if lines else None


def run_fleet(
    options: SlurmOptions,
    say: Listener,
    cancel: threading.Event | None,
    on_progress: Callable[[Progress], None] | None = None,
) -> FleetRun:
    """Submit, follow to the end (or to a cancel), and collect each task's outcome."""
    jobs = submit(options)
    count = len(options.nodelist) or options.nodes
    say(f"submitted job {', '.join(jobs)}: {count} node{'s' if count != 1 else ''}")
    try:
        cancelled = follow(jobs, say, cancel, count, on_progress)
    except JobFailedError as exc:  # unfollowed, the jobs would run on unseen
        raise JobFailedError(f"{exc}{_withdrawn(jobs)}") from None
    return FleetRun(jobs, outcomes(options, jobs), cancelled)
