"""Where a bench run's time goes: its phases, from the live events the run already emits.

Usage: python benchmarks/bench_phases.py [--preset quick|full|tiny] [--output FILE]

Runs one benchmark in this process, as `framework-advisor bench` does once its command
line is read, and splits its wall time by what the run said it was doing: importing the
advisor's command line, the inventory (each framework's probe), the eager phase's imports,
the preparing and timing of each workload (each framework's turn apart, from its case
events), the suites moving on to the compiled phase, the parity check and compiler set-up
(run once they are ready for it) and the wind-down. Uses the advisor's data folder, as
the app does, so a run after the first reuses torch.compile's one-time compiler set-up.
Figures mean something only on a quiet machine; shares are comparable between runs on a
busy one.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_PHASE = re.compile(r"^(eager|compiled) phase: (preparing|compiling|timing) (\w+)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--output", type=Path, help="also save the run's record here")
    args = parser.parse_args()
    started = time.monotonic()
    import advisor.terminal.cli  # noqa: F401  (what `framework-advisor` imports before it runs)
    from advisor.bench.run import BenchOptions, run_benchmarks
    from advisor.record import save_record

    imported = time.monotonic()
    events: list[tuple[float, Any]] = []
    record = run_benchmarks(
        BenchOptions(args.preset), None, lambda e: events.append((time.monotonic(), e))
    )
    ended = time.monotonic()
    if args.output:
        save_record(record, args.output)
    phases, turns = split(events, imported, ended)
    phases = {"start-up: importing the advisor": imported - started, **phases}
    total = ended - started
    print(f"{args.preset} bench, {total:.1f} s in all (of which the run {ended - imported:.1f} s)")
    for name, seconds in phases.items():
        print(f"  {name:<58}{seconds:7.2f} s {seconds / total:6.1%}")
    print("per workload and framework (each framework's own turns):")
    for (phase, workload, framework), seconds in sorted(turns.items()):
        print(f"  {phase:<18}{workload:<18}{framework:<12}{seconds:7.2f} s")
    _figures(record)
    return 0


def split(
    events: list[tuple[float, Any]], start: float, end: float
) -> tuple[dict[str, float], dict[tuple[str, str, str], float]]:
    """Seconds per phase of the run, and per (phase step, workload, framework) turn."""
    marks = _marks(events)
    phases: dict[str, float] = defaultdict(float)
    for (t, name), (t_next, _next) in zip(marks, [*marks[1:], (end, "")], strict=True):
        phases[name] += t_next - max(t, start)
    turns: dict[tuple[str, str, str], float] = defaultdict(float)
    slots = [(t, name) for t, name in marks if _PHASE.match(name.split(" (")[0])]
    for t, name in slots:
        t_next = next((u for u, _ in marks if u > t), end)
        _share_turns(name, t, t_next, events, turns)
    return dict(phases), dict(turns)


def _marks(events: list[tuple[float, Any]]) -> list[tuple[float, str]]:
    """(when, what the run was doing from then on), from its messages and finished steps."""
    marks: list[tuple[float, str]] = []
    phase, done = "inventory", 0
    for t, event in events:
        if event.kind == "message" and not event.framework:
            text = event.message
            if text.endswith(("phase: PyTorch, TensorFlow", "phase: PyTorch", "phase: TensorFlow")):
                phase = text.split()[0]
                start = "moving the probes on" if phase == "eager" else "moving the suites on"
                marks.append((t, f"{phase} phase: {start}"))
            elif phase == "inventory":
                marks.append((t, f"inventory: {text.split(' with ')[0]}"))
            else:
                marks.append((t, text))
        elif event.kind == "progress" and event.progress and event.progress.done > done:
            done = event.progress.done  # a step finished: the next one is under way
            marks.append((t, _next_step(event.progress.step, phase, marks)))
    return marks


def _next_step(label: str, phase: str, marks: list[tuple[float, str]]) -> str:
    """What runs after a step finished: its label, or the phase's wind-down after its last slot."""
    last = marks[-1][1] if marks else ""
    if label.startswith(f"{phase} phase:") or label == "done":
        return label.rsplit(", pass", 1)[0] if "timing" in label else label
    if _PHASE.match(last.split(" (")[0]):
        return f"{phase} phase: wind-down (processes end)"
    return label


def _share_turns(
    name: str,
    start: float,
    end: float,
    events: list[tuple[float, Any]],
    turns: dict[tuple[str, str, str], float],
) -> None:
    """Each framework's share of one slot: a turn starts at its first case event when preparing
    (case_started), and ends at its last one when timing (case_updated / case_finished)."""
    match = _PHASE.match(name)
    assert match is not None
    phase, verb, workload = match.groups()
    inside = [(t, e) for t, e in events if start <= t < end and e.kind.startswith("case_")]
    preparing = verb != "timing"
    step = f"{phase} {'prepare' if preparing else 'measure'}"
    order: dict[str, float] = {}
    for t, event in inside:
        if preparing:
            order.setdefault(event.framework, t)
        else:
            order[event.framework] = t
    edges = sorted(order.items(), key=lambda item: item[1])
    bounds = [t for _f, t in (edges[1:] if preparing else edges[:-1])] + [end]
    begin = start
    for (framework, _t), stop in zip(edges, bounds, strict=True):
        turns[step, workload, framework] += stop - begin
        begin = stop


def _figures(record: Any) -> None:
    """The timed figures behind the phases: imports (probe and suite) and first compiled calls."""
    for probe in record.frameworks:
        if probe.report is not None:
            print(
                f"probe {probe.framework}: {probe.duration_s:.2f} s, "
                f"import {probe.report.import_time_s:.2f} s"
            )
    run = record.benchmarks
    for suite in run.suites if run is not None else ():
        imported = f"import {suite.import_time_s:.2f} s" if suite.import_time_s else "no import"
        firsts = ", ".join(
            f"{c.workload} {c.variant} first call {c.first_call_s:.2f} s"
            for c in suite.cases
            if c.variant in ("compile", "xla") and c.first_call_s is not None
        )
        print(f"suite {suite.framework}: {imported}; {firsts}")


if __name__ == "__main__":
    raise SystemExit(main())
