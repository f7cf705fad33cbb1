"""Run the frameworks' bench scripts side by side and let them take turns, slot by slot.

Both suites live in their own processes (never two frameworks in one), started one
after the other so each import is timed alone, and each serves every phase of the run
in turn (the eager one, then the compiled one: "phase PLAN"), so a framework is imported
once per run. Then every slot ("prepare I", then "measure I" once per pass) goes to one
process at a time, the first mover alternating (see `slots`). A slow spell of a shared
machine (seen here: +50 % for ~10 s) then lands on both frameworks' samples of the same
workload, instead of on one whole suite, which is what keeps the PyTorch/TensorFlow
ratios stable between runs.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from advisor.bench.events import BenchEvent, BenchListener, CaseKey, relay
from advisor.bench.suite_result import suite_from_result
from advisor.catalog import FrameworkSpec
from advisor.probing.frameworks import Launch
from advisor.probing.runner import Ending, ManagedProcess, ProgressCallback
from advisor.record import CaseResult, Interpreter, MachineInventory, SuiteResult

Wait = Literal["ok", "dead", "timed_out", "cancelled"]
# One plan every suite follows, or each suite's own by framework id (bench --model).
Plans = Path | Mapping[str, Path]
_POLL_S = 0.1
# What a bench script started as its framework's probe says until it is moved on.
_PROBE_STAGES = ("import", "inspect", "probed")
_CANCELLED = "cancelled by the user"


@dataclass
class _Driven:
    """One running bench script and what it has reported."""

    spec: FrameworkSpec
    process: ManagedProcess
    signals: queue.Queue[str]
    cases: dict[CaseKey, CaseResult] = field(default_factory=dict)
    ending: Ending | None = None


@dataclass(frozen=True)
class Slot:
    """One command for every suite, and whether the suites take it in reverse order."""

    command: str
    reverse: bool


def slots(workloads: int, passes: int) -> list[Slot]:
    """Prepare every workload, then time each once per pass.

    The first mover alternates between neighbouring workloads and, for each workload,
    from one pass to the next, whatever the number of workloads.
    """
    prepare = [Slot(f"prepare {i}", i % 2 == 1) for i in range(workloads)]
    return prepare + [
        Slot(f"measure {i}", (i + turn) % 2 == 1)
        for turn in range(passes)
        for i in range(workloads)
    ]


def _nothing(_step: str) -> None:
    pass


@dataclass(frozen=True)
class PhaseRun:
    """One phase: its name, the plan(s) it follows, its slots and its hooks.

    ``before`` runs as the suites move on to the phase (or, in the first, once every suite
    is ready), before anything is timed; when it returns True (the user cancelled it) the
    suites stop. ``step_done`` hears "import" once every suite is ready, then
    "<command> #<n>" as every suite still running has taken the n-th turn of a command
    (for the time left).
    """

    name: str
    plans: Plans
    commands: Sequence[Slot]
    before: Callable[[], bool] | None = None
    step_done: Callable[[str], None] = _nothing


class StartedSuites:
    """Bench scripts started ahead of the run as their frameworks' probes (the bench job:
    see probe_frameworks), so that a run imports each framework once; the first phase's
    plan then moves them on to it. Used as a context: whatever the run did not take through
    its phases when it closes (a cancelled probe, a device the user cannot have, a framework
    the probe did not find) is killed and reaped."""

    def __init__(self, run_dir: Path, listen: BenchListener, threads: int | None, seed: int):
        self.run_dir = run_dir
        self._listen = listen
        self._threads = threads
        self._seed = seed
        self.driven: list[_Driven] = []

    def launcher(self, machine: MachineInventory) -> Launch:
        """How to start each bench script on this machine: with the threads it pins before
        its import, the seed and the run folder (the plan it starts with)."""
        threads = suite_threads(self._threads, machine)
        plan = self.run_dir / "plan_start.json"
        start = {"threads": threads, "seed": self._seed, "run_dir": str(self.run_dir)}
        plan.write_text(json.dumps(start), encoding="utf-8")

        def launch(
            spec: FrameworkSpec, interpreter: Interpreter, probing: ProgressCallback
        ) -> ManagedProcess:
            self.driven.append(_start(spec, interpreter, self._listen, plan, probing))
            return self.driven[-1].process

        return launch

    def __enter__(self) -> StartedSuites:
        return self

    def __exit__(self, *_exc: object) -> None:
        for item in self.driven:  # not taken through the run: killed, reaped, folder removed
            if item.ending is None:
                item.process.kill()


@dataclass(frozen=True)
class SideBySide:
    """A run's suites side by side: who runs, under which Python, the time each phase has,
    who hears, the cancel, the phases, in order, and whether each suite starts once the one
    before is ready (its import timed alone) or all at once (nobody reads the imports).
    With ``started``, the suites are already running (as their frameworks' probes): the
    first phase moves them on to its plan, as a later phase does."""

    specs: Sequence[FrameworkSpec]
    interpreter: Interpreter
    timeout_s: float
    listen: BenchListener
    cancel: threading.Event | None
    phases: Sequence[PhaseRun]
    stagger: bool = True
    started: StartedSuites | None = None


def run_side_by_side(run: SideBySide) -> list[SuiteResult]:
    """Each framework's suite, driven in turns through every phase; finished cases are kept
    whatever happens."""
    driven: list[_Driven] = []
    try:
        _drive(driven, run)
    except KeyboardInterrupt:  # outside a wait (those take it as a cancel): the same
        _stop(driven, "cancelled")
        started = {item.spec.id for item in driven}
        never = [
            SuiteResult(s.id, s.display_name, "cancelled", 0.0, reason=_CANCELLED, processes=0)
            for s in run.specs
            if s.id not in started
        ]
        return _results(driven, run.timeout_s) + never
    return _results(driven, run.timeout_s)


def _drive(driven: list[_Driven], run: SideBySide) -> None:
    """Start the suites (or take those started), take them through each phase, then let
    them end."""
    deadline = time.monotonic()
    for number, phase in enumerate(run.phases):
        deadline = time.monotonic() + run.timeout_s
        names = [s.display_name for s in run.specs] if number == 0 else _running(driven)
        run.listen(BenchEvent("", "message", f"{phase.name} phase: {', '.join(names)}"))
        if _enter(driven, run, number, phase, deadline):
            return
        phase.step_done("import")
        if _take_turns(driven, phase.commands, phase.step_done, deadline, run.cancel):
            return
    for item in driven:  # every suite winds down at once: nothing is timed any more
        if item.ending is None:
            item.process.send("finish")
    for item in driven:
        if item.ending is None:
            item.ending = item.process.wait(max(deadline - time.monotonic(), 0.0), run.cancel)


def _enter(
    driven: list[_Driven], run: SideBySide, number: int, phase: PhaseRun, deadline: float
) -> bool:
    """Bring the suites into the phase: start them (or take those started as the probes)
    for the first, else move them on; with its ``before`` run. True when the run must stop."""
    if number == 0 and run.started is None:
        if _start_all(driven, run, phase, deadline):
            return True
    else:
        if number == 0 and run.started is not None:
            driven.extend(_taken(run.started, run.specs))
        _next_phase(driven, phase)
        # the first phase's `before` runs once every suite is ready, a later one's meanwhile
        if number == 0 and _all_ready(driven, deadline, run.cancel):
            return True
    if phase.before is not None and phase.before():
        _stop(driven, "cancelled")
        return True
    return number > 0 and _all_ready(driven, deadline, run.cancel)


def suite_threads(requested: int | None, machine: MachineInventory) -> int:
    """The threads a suite runs with: those asked for, else one per physical core."""
    return requested or machine.cpu.physical_cores or 1


def _taken(started: StartedSuites, specs: Sequence[FrameworkSpec]) -> list[_Driven]:
    """The started suites of ``specs`` (a framework that did not import has ended)."""
    wanted = {spec.id for spec in specs}
    return [item for item in started.driven if item.spec.id in wanted]


def _all_ready(driven: list[_Driven], deadline: float, cancel: threading.Event | None) -> bool:
    """Wait until every running suite is ready; True when the run must stop."""
    running = [item for item in driven if item.ending is None]
    return any(_settle(item, "ready", deadline, cancel, driven) for item in running)


def _running(driven: list[_Driven]) -> list[str]:
    return [item.spec.display_name for item in driven if item.ending is None]


def _take_turns(
    driven: list[_Driven],
    commands: Sequence[Slot],
    step_done: Callable[[str], None],
    deadline: float,
    cancel: threading.Event | None,
) -> bool:
    """Every slot, one suite at a time; True when the run must stop."""
    turns: Counter[str] = Counter()
    for slot in commands:
        for item in driven[::-1] if slot.reverse else driven:
            if item.ending is None and not item.process.send(slot.command):
                item.ending = item.process.wait(0)
            if item.ending is None and _settle(item, "slot_done", deadline, cancel, driven):
                return True
        turns[slot.command] += 1
        step_done(f"{slot.command} #{turns[slot.command]}")
    return False


def _start_all(driven: list[_Driven], run: SideBySide, phase: PhaseRun, deadline: float) -> bool:
    """Start every suite, each once the one before is ready where ``run.stagger`` (its
    import timed alone), else all at once; True to stop."""
    for spec in run.specs:
        driven.append(_start(spec, run.interpreter, run.listen, _plan(phase.plans, spec)))
        if run.stagger and _settle(driven[-1], "ready", deadline, run.cancel, driven):
            return True
    waiting = [] if run.stagger else driven
    return any(_settle(item, "ready", deadline, run.cancel, driven) for item in waiting)


def _next_phase(driven: list[_Driven], phase: PhaseRun) -> None:
    """Move every running suite on to the phase: they set up at once (nothing is timed),
    while the phase's ``before`` runs."""
    for item in driven:
        if item.ending is None and not item.process.send(f"phase {_plan(phase.plans, item.spec)}"):
            item.ending = item.process.wait(0)


def _plan(plans: Plans, spec: FrameworkSpec) -> Path:
    return plans if isinstance(plans, Path) else plans[spec.id]


def _start(
    spec: FrameworkSpec,
    interpreter: Interpreter,
    listen: BenchListener,
    plan: Path,
    probing: ProgressCallback | None = None,
) -> _Driven:
    """Start one bench script on ``plan``; with ``probing``, as its framework's probe, which
    hears the probe's events (see probes/_bench_common.run_suite)."""
    signals: queue.Queue[str] = queue.Queue()
    cases: dict[CaseKey, CaseResult] = {}

    def on_event(event: dict[str, Any]) -> None:
        stage = event.get("stage")
        if stage in ("ready", "slot_done"):
            signals.put(str(stage))
        elif probing is not None and stage in _PROBE_STAGES:
            probing(event)
        else:
            relay(spec.id, event, cases, listen)

    argv = [interpreter.executable, str(spec.bench_script), "--plan", str(plan)]
    if probing is not None:
        argv += ["--probe", ",".join(spec.ecosystem)]
    process = ManagedProcess(argv, on_event, interactive=True)
    return _Driven(spec, process, signals, cases)


def _settle(
    item: _Driven,
    signal: str,
    deadline: float,
    cancel: threading.Event | None,
    everyone: list[_Driven],
) -> bool:
    """Wait for the signal; True when the whole run must stop (timeout or cancel)."""
    outcome = _wait_for(item, signal, deadline, cancel)
    if outcome == "ok":
        return False
    if outcome == "dead":
        item.ending = item.process.wait(0)
        return False
    _stop(everyone, outcome)
    return True


def _stop(everyone: list[_Driven], outcome: Ending) -> None:
    for other in everyone:
        if other.ending is None:
            other.process.kill()
            other.ending = outcome


def _wait_for(item: _Driven, signal: str, deadline: float, cancel: threading.Event | None) -> Wait:
    try:
        while True:
            try:
                if item.signals.get(timeout=_POLL_S) == signal:
                    return "ok"
            except queue.Empty:
                pass
            if not item.process.alive() and item.signals.empty():
                return "dead"
            if cancel is not None and cancel.is_set():
                return "cancelled"
            if time.monotonic() >= deadline:
                return "timed_out"
    except KeyboardInterrupt:
        return "cancelled"


def _results(driven: list[_Driven], timeout_s: float) -> list[SuiteResult]:
    return [
        suite_from_result(
            item.spec,
            item.process.result(item.ending or "exited"),
            timeout_s,
            list(item.cases.values()),
        )
        for item in driven
    ]
