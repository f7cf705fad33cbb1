"""Benchmark records from several machines side by side: which one's figures count, and where
the machines disagree.

The record is the unit: each comes from `bench --output`, `report --format json`, a
session file, or a fleet run. Records without a benchmark run and duplicates are set
aside with the reason; two records of one machine with different framework versions
stay two entries and are named. The figures of the machine that best stands for the
user's targets (the relevance rules of the advice) weigh in the recommendation; between
machines that stand equally, the run of the larger preset, then of the newer advisor
version (the first given among equals). Records of different presets or advisor versions
are compared with a warning: their workloads may differ in size.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from advisor.bench.spec import PRESETS
from advisor.comparison import PAIR_LABELS, Comparison, ComparisonRow, Pair, compare, ratio_words
from advisor.record import BenchmarkRun, Record
from advisor.scoring.answers import Answers
from advisor.scoring.knowledge import Knowledge
from advisor.scoring.weights import TRAINING_TARGETS, chosen, relevance
from advisor.wording.formatting import framework_name

Verdict = Literal["PyTorch ahead", "TensorFlow ahead", "at parity"]
DEVICE_NAMES = {"cpu": "a CPU", "cuda": "an NVIDIA GPU"}


@dataclass(frozen=True)
class MachineRun:
    """One comparable record: the machine, what it ran, and how much it says about the targets."""

    label: str
    source: str
    record: Record
    comparison: Comparison
    shares: dict[str, float]  # 'training' and 'inference' relevance for the answers, 0-1

    @property
    def standing(self) -> float:
        """How well this machine stands for the targets: mean of the two shares."""
        return (self.shares["training"] + self.shares["inference"]) / 2

    def versions(self) -> dict[str, str]:
        """Framework -> version, as its suites ran; for a suite cut short (a cancelled run
        ends without the suite's summary), as the run's probe found it, when it timed cases."""
        probed = {
            p.framework: p.report.version for p in self.record.frameworks if p.report is not None
        }
        versions = {}
        for suite in self.comparison.run.suites:
            timed = any(c.status == "ok" for c in suite.cases)
            version = suite.version or (probed.get(suite.framework) if timed else None)
            if version is not None:
                versions[suite.framework] = version
        return versions


@dataclass(frozen=True)
class SetAside:
    """A record that was read but not compared, and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class Disagreement:
    """One workload and pair on which the machines reach different verdicts."""

    workload: str
    pair: str
    text: str


@dataclass(frozen=True)
class Fleet:
    """The compared machines, the one whose figures weigh, and what the reader must know."""

    machines: tuple[MachineRun, ...]
    set_aside: tuple[SetAside, ...]
    chosen: MachineRun
    why: str
    warnings: tuple[str, ...]  # targets no record stands for; mixed presets or advisor versions
    notes: tuple[str, ...]  # one machine, different framework versions
    disagreements: tuple[Disagreement, ...]


def verdict(row: ComparisonRow) -> Verdict | None:
    """What a row's interval says; None without one."""
    if row.interval is None:
        return None
    if row.is_tie:
        return "at parity"
    return "PyTorch ahead" if row.interval[0] > 1.0 else "TensorFlow ahead"


def build_fleet(
    entries: list[tuple[str, Record]],
    knowledge: Knowledge,
    answers: Answers,
    absent: Sequence[SetAside] = (),
    compared: Callable[[BenchmarkRun], Comparison] = compare,
) -> Fleet:
    """Compare the records (source, record) in the order given; see the module docstring.

    `absent`: machines that brought no record (a failed cluster task), named in the report.
    `compared`: each run's comparison (a session passes the ones it built already).
    Raises ValueError when no record holds a benchmark run.
    """
    machines, set_aside = _comparable(entries, knowledge, answers, compared)
    set_aside += list(absent)
    if not machines:
        raise ValueError("no record holds a benchmark run")
    best = _counted(machines)
    return Fleet(
        tuple(machines),
        tuple(set_aside),
        best,
        _why(best, machines),
        tuple(
            _warnings(machines, knowledge, answers)
            + _preset_warnings(machines)
            + _advisor_warnings(machines)
        ),
        tuple(_version_notes(machines)),
        tuple(d for group in _by_preset(machines) for d in _disagreements(group)),
    )


def _compares(machine: MachineRun) -> bool:
    """Whether the run has any PyTorch/TensorFlow ratio (both frameworks ran)."""
    return any(row.ratio is not None for row in machine.comparison.rows)


def _counted(machines: list[MachineRun]) -> MachineRun:
    """The machine that stands best for the targets among those that compare both frameworks;
    between equals, the larger preset, then the newer advisor version, then the first."""
    comparing = [m for m in machines if _compares(m)] or machines
    return max(comparing, key=lambda m: (m.standing, *_tie_break(m)))  # max keeps the first


def _tie_break(machine: MachineRun) -> tuple[int, tuple[int, ...]]:
    """(preset size, advisor version): a larger preset measures longer and at real sizes."""
    preset = machine.comparison.run.preset
    return (PRESETS.index(preset) if preset in PRESETS else -1, _release(machine))


def _release(machine: MachineRun) -> tuple[int, ...]:
    """The advisor version's release numbers ('0.2.1' -> (0, 2, 1)); () when unreadable."""
    found = re.match(r"\d+(?:\.\d+)*", machine.record.advisor_version)
    return tuple(int(part) for part in found.group().split(".")) if found else ()


def _same_machine(first: Record, second: Record) -> bool:
    """Same host name, CPU and GPUs: one machine (a host name alone is often 'localhost')."""

    def hardware(record: Record) -> tuple[str, str | None, tuple[str, ...]]:
        gpus = tuple(g.name for g in record.machine.gpu.gpus)
        return record.machine.system.hostname, record.machine.cpu.model, gpus

    return hardware(first) == hardware(second)


def _identity(record: Record) -> tuple[str, str, str]:
    run = record.benchmarks
    return (record.machine.system.hostname, record.created_at, run.started_at if run else "")


def _comparable(
    entries: list[tuple[str, Record]],
    knowledge: Knowledge,
    answers: Answers,
    compared: Callable[[BenchmarkRun], Comparison],
) -> tuple[list[MachineRun], list[SetAside]]:
    machines: list[MachineRun] = []
    set_aside: list[SetAside] = []
    seen: dict[tuple[str, str, str], str] = {}
    for source, record in entries:
        if record.benchmarks is None:
            set_aside.append(SetAside(source, "holds no benchmark run"))
            continue
        identity = _identity(record)
        if identity in seen:
            set_aside.append(SetAside(source, f"the same run as {seen[identity]}"))
            continue
        seen[identity] = source
        run = record.benchmarks
        machines.append(
            MachineRun("", source, record, compared(run), relevance(knowledge, answers, run.device))
        )
    labels = _labels([m.record for m in machines])
    return [replace(m, label=label) for m, label in zip(machines, labels, strict=True)], set_aside


def _labels(records: list[Record]) -> list[str]:
    """Each machine by the processor its run timed (the CPU's model, the GPU of a GPU run):
    host names are often all 'vm' or 'localhost'. With the host name where two machines
    share a processor; '#2' for a second run of one machine, and so on."""
    labels = []
    for index, record in enumerate(records):
        name = _processor(record)
        clash = any(
            _processor(other) == name and not _same_machine(other, record) for other in records
        )
        label = (
            f"{name} on {record.machine.system.hostname or 'an unnamed host'}" if clash else name
        )
        repeats = sum(1 for other in records[:index] if _same_machine(other, record))
        labels.append(label if repeats == 0 else f"{label} #{repeats + 1}")
    return labels


def _processor(record: Record) -> str:
    """What the record's run timed: its device's name."""
    run = record.benchmarks
    return run.device_name if run is not None and run.device_name else "unnamed processor"


def _device(machine: MachineRun) -> str:
    run = machine.comparison.run
    return f"{DEVICE_NAMES.get(run.device, run.device)} ({run.device_name})"


def _why(best: MachineRun, machines: list[MachineRun]) -> str:
    shares = best.shares
    better = [m for m in machines if m.standing > best.standing]
    text = "".join(
        f"{m.label} stands better for your targets but ran one framework only, so its "
        "figures cannot compare the two. "
        for m in better
    )
    text += (
        f"The figures of {best.label} count: a run on {_device(best)} stands for your targets "
        f"at {shares['training']:.0%} (training) and {shares['inference']:.0%} (inference)"
    )
    others = [
        f"{m.label} {m.shares['training']:.0%}/{m.shares['inference']:.0%}"
        for m in machines
        if m is not best
    ]
    text += f"; the others: {', '.join(others)}." if others else "."
    equals = [m for m in machines if m is not best and m.standing == best.standing]
    if any(_tie_break(m) != _tie_break(best) for m in equals):
        text += (
            f" Of the runs that stand as well ({', '.join(m.label for m in equals)}), the one of "
            "the largest preset, then of the newest advisor version counts: "
            f"{best.comparison.run.preset} preset, advisor {best.record.advisor_version}."
        )
    return text


def _warnings(machines: list[MachineRun], knowledge: Knowledge, answers: Answers) -> list[str]:
    """One line per answered hardware target that no compared machine stands for."""
    question = next((q for q in knowledge.questions if q.id == TRAINING_TARGETS), None)
    devices = {m.comparison.run.device for m in machines}
    lines = []
    for target in chosen(answers, TRAINING_TARGETS):
        standing = [d for d in knowledge.relevance if knowledge.relevance[d].get(target) == 1.0]
        if set(standing) & devices:
            continue
        option = question.option(target) if question else None
        label = option.label if option else target
        if standing:
            kinds = " or ".join(DEVICE_NAMES.get(d, d) for d in standing)
            lines.append(
                f"No record from {kinds} machine for {label}: run `framework-advisor bench "
                "--output` on one (or `framework-advisor fleet slurm` or `fleet ray` on the "
                "cluster)."
            )
        else:
            lines.append(
                f"No record can stand for {label}: the benchmarks run on CPUs and NVIDIA GPUs."
            )
    return lines


def _version_notes(machines: list[MachineRun]) -> list[str]:
    notes = []
    for index, machine in enumerate(machines):
        for other in machines[:index]:
            if not _same_machine(other.record, machine.record):
                continue
            mine, theirs = machine.versions(), other.versions()
            changed = [
                f"{framework_name(f)} {theirs.get(f, '?')} / {mine.get(f, '?')}"
                for f in sorted(set(mine) | set(theirs))
                if mine.get(f) != theirs.get(f)
            ]
            if changed:
                notes.append(
                    f"{other.label} and {machine.label} are the same machine with different "
                    f"framework versions ({'; '.join(changed)}): compared as two entries, "
                    "not merged."
                )
    return notes


def _by_preset(machines: list[MachineRun]) -> list[list[MachineRun]]:
    """Machines grouped by preset: rows of different presets measure different sizes."""
    groups: dict[str, list[MachineRun]] = {}
    for machine in machines:
        groups.setdefault(machine.comparison.run.preset, []).append(machine)
    return list(groups.values())


def _preset_warnings(machines: list[MachineRun]) -> list[str]:
    groups = _by_preset(machines)
    if len(groups) < 2:
        return []
    named = "; ".join(
        f"{group[0].comparison.run.preset}: {', '.join(m.label for m in group)}" for group in groups
    )
    return [
        f"The records ran different presets ({named}): their workloads have different sizes, "
        "so disagreements are only looked for between machines of one preset."
    ]


def _advisor_warnings(machines: list[MachineRun]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for machine in machines:
        groups.setdefault(machine.record.advisor_version, []).append(machine.label)
    if len(groups) < 2:
        return []
    named = "; ".join(f"{version}: {', '.join(labels)}" for version, labels in groups.items())
    return [
        f"The records come from different advisor versions ({named}): their workloads and "
        "statistics may differ, so compare their figures with care."
    ]


def speed_rows(machines: tuple[MachineRun, ...] | list[MachineRun]) -> list[tuple[str, Pair, str]]:
    """(workload id, pair, workload title) of the float32 rows that speak to speed, in the
    order the machines first show them (eager against eager speaks to debugging only)."""
    keys: list[tuple[str, Pair, str]] = []
    for machine in machines:
        for row in machine.comparison.rows:
            key = (row.workload.id, row.pair, row.workload.title)
            if row.dtype == "float32" and row.pair != "eager" and key not in keys:
                keys.append(key)
    return keys


def _disagreements(machines: list[MachineRun]) -> list[Disagreement]:
    found = []
    for workload, pair, title in speed_rows(machines):
        verdicts: list[tuple[Verdict, str, str]] = []
        for machine in machines:
            row = machine.comparison.row(workload, pair)
            said = verdict(row) if row is not None else None
            if row is not None and row.ratio is not None and said is not None:
                words = ratio_words(row.ratio, row.interval, row.busy)
                verdicts.append((said, machine.label, words))
        if len({said for said, _, _ in verdicts}) > 1:
            text = "; ".join(f"{label}: {words}" for _, label, words in verdicts)
            found.append(Disagreement(title, PAIR_LABELS[pair], text))
    return found
