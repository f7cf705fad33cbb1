"""Benchmark on a cluster through Slurm's own commands: sbatch, squeue, sacct, scancel.

One array task per node (or one job per node of --nodelist) runs `bench --output`
with the shipped batch script (resources/slurm/); each writes one record into the output
folder. The advisor follows the tasks with squeue while they run and reads their final
state from sacct, or from `scontrol show job` where accounting is off. No daemon, ssh or
agent of our own. `SlurmFleet` is this scheduler's side of the fleet protocol
(fleet/backend.py), which follows the tasks and keeps what finished on a cancel.

Every value the user gives reaches the script through one of two quotings: `shlex.quote`
for the shell lines (`export NAME=...`), and `_directive` for the #SBATCH lines, which
sbatch reads with its own parser (double quotes, backslash escapes), not a shell. A control
character is refused in every value: a newline would end a line and start a command.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from advisor.base.errors import CancelledError, JobFailedError, UsageError, quoted
from advisor.base.fileio import atomic_write_text, make_private_folder
from advisor.base.resources_path import resource_file
from advisor.base.text import one_line
from advisor.fleet.backend import (
    FleetBackend,
    FleetRequest,
    RunState,
    TaskOutcome,
)
from advisor.probing.interpreter import resolve_python

SCRIPT_NAME = "framework-advisor-bench.sbatch"
_COMMAND_TIMEOUT_S = 60.0


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


def queued(jobs: Sequence[str]) -> dict[str, RunState]:
    """Tasks still in the queue, and where each stands."""
    out = _checked(["squeue", "-h", "-r", "-j", ",".join(jobs), "-o", "%i|%T|%r|%N"])
    found = {}
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) == 4:
            found[parts[0]] = RunState(parts[1], parts[2], parts[3])
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
                SlurmFleet.title,
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


class SlurmFleet(FleetBackend):
    """The fleet through sbatch, squeue, sacct and scancel."""

    title = "Slurm"
    help = "submit the benchmark with sbatch, follow it, compare the records that come back"
    description = (
        "Runs Slurm's own commands (sbatch, squeue, sacct, scancel). The interpreters and "
        "the output folder must be on a filesystem the nodes share."
    )

    def __init__(self, options: SlurmOptions) -> None:
        self.options = options
        self.jobs: tuple[str, ...] = ()

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """--nodes or --nodelist, --partition, --gres, --time."""
        where = parser.add_mutually_exclusive_group()
        where.add_argument(
            "--nodes", type=int, default=1, help="array tasks, one node each (default 1)"
        )
        where.add_argument("--nodelist", type=_name_list, metavar="LIST", help="one job per node")
        parser.add_argument("--partition", metavar="P")
        parser.add_argument("--gres", metavar="SPEC", help="for example gpu:1")
        parser.add_argument("--time", dest="time_limit", metavar="LIMIT", help="Slurm's --time")

    @classmethod
    def from_arguments(cls, request: FleetRequest, args: argparse.Namespace) -> Self:
        """The options as given; --python is resolved here, on the shared filesystem."""
        return cls(
            SlurmOptions(
                output_dir=request.output_dir,
                advisor_python=sys.executable,
                bench_python=str(resolve_python(request.python)),
                nodes=args.nodes,
                nodelist=args.nodelist or (),
                partition=args.partition,
                gres=args.gres,
                preset=request.preset,
                time_limit=args.time_limit,
            )
        )

    @property
    def count(self) -> int:
        """One task per node."""
        return len(self.options.nodelist) or self.options.nodes

    def preview(self) -> str:
        """The batch script submit() would hand to sbatch."""
        return batch_script(self.options)

    def submit(self) -> str:
        """sbatch the script: one job array, or one job per node of --nodelist."""
        self.jobs = submit(self.options)
        return f"submitted {self.submitted}: {self.count} node{'s' if self.count != 1 else ''}"

    @property
    def submitted(self) -> str:
        """'job 12', 'job 12, 13'."""
        return f"job {', '.join(self.jobs)}"

    def poll(self) -> dict[str, RunState]:
        """The tasks squeue still lists."""
        return queued(self.jobs)

    def cancel(self) -> str:
        """scancel the jobs (what finished stays finished)."""
        _run(["scancel", *self.jobs])
        return "cancelling: scancel " + " ".join(self.jobs)

    def collect(self) -> tuple[TaskOutcome, ...]:
        """The final states from sacct (or scontrol), the records in the output folder."""
        return outcomes(self.options, self.jobs)

    def withdraw(self) -> str:
        """scancel the jobs; what the error line adds about them."""
        return _withdrawn(self.jobs)


def _name_list(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    if not names:
        raise argparse.ArgumentTypeError(f"no node names in {quoted(text)}")
    return names
