"""The probe job: machine inventory plus one probe per framework, assembled into a record."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from advisor import __version__
from advisor.base.errors import CancelledError
from advisor.base.progress import Progress, Step, Tracker
from advisor.base.step_times import last_corrections, remember
from advisor.catalog import FrameworkSpec, frameworks
from advisor.machine.system import machine_inventory
from advisor.probing.frameworks import Launch, ProbesCancelled, probe_frameworks
from advisor.probing.interpreter import describe_interpreter, resolve_python
from advisor.record import (
    SCHEMA_VERSION,
    FrameworkProbe,
    Interpreter,
    MachineInventory,
    Record,
)

DEFAULT_PROBE_TIMEOUT_S = 60.0
# Priors for the time left, seen on a 2-core CPU: the machine's inventory, and one
# framework's probe (import and inspection; the next import overlaps an inspection). A
# first probe, its imports read from a cold disk, took 10-12 s for PyTorch and TensorFlow
# (issue 25); later ones run shorter, and this machine's last probe corrects the priors.
MACHINE_PRIOR_S = 0.3
FRAMEWORK_PROBE_PRIOR_S = 5.0
PROBE_RUN = "probe"  # the kind of run its step times are kept under (advisor.base.step_times)

Say = Callable[[str], None]


def take_inventory(
    python: str | None = None,
    timeout_s: float = DEFAULT_PROBE_TIMEOUT_S,
    specs: Sequence[FrameworkSpec] | None = None,
    on_progress: Say | None = None,
    command: str = "framework-advisor probe",
    on_step: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    start_suites: Callable[[MachineInventory], Launch] | None = None,
) -> Record:
    """Probe this machine and each framework in the chosen Python environment.

    A bad ``python`` raises BadInterpreterError before anything else runs; a
    framework probe that fails is recorded as failed and the others still run; ``cancel``
    stops the probes (CancelledError). ``start_suites`` (the bench job) says, for this
    machine, how to start each framework's bench script as its probe (probe_frameworks).
    """
    say = on_progress or (lambda _message: None)
    chosen = list(specs if specs is not None else frameworks())
    tracker = Tracker(probe_steps(chosen))
    tracker.plan((), last_corrections(PROBE_RUN))
    tell = on_step or (lambda _progress: None)

    def done(step: str) -> None:
        tell(tracker.finish(step))

    tell(tracker.now())
    interpreter = describe_interpreter(resolve_python(python), timeout_s, cancel)
    say("machine: reading CPU, memory and NVIDIA GPUs")
    machine = machine_inventory()
    done("machine")
    if chosen:  # a deployment run probes no framework here: its routes do
        say(f"{', '.join(s.id for s in chosen)}: probing with {interpreter.executable}")
    try:
        launch = start_suites(machine) if start_suites is not None else None
        probes = probe_frameworks(chosen, interpreter, timeout_s, _relay(say), done, cancel, launch)
    except ProbesCancelled as exc:
        partial = _record(command, machine, interpreter, exc.probes)
        raise InventoryCancelled(str(exc), partial) from None
    for probe in probes:
        say(f"{probe.framework}: {probe.status} in {probe.duration_s:.1f} s")
    if chosen:  # a deployment run's inventory probes no framework: nothing to learn from
        remember(PROBE_RUN, tracker)
    return _record(command, machine, interpreter, probes)


def probe_steps(chosen: Sequence[FrameworkSpec]) -> list[Step]:
    """The steps of a probe of these frameworks, with their priors."""
    steps = [Step("machine", "reading CPU, memory and NVIDIA GPUs", "machine", MACHINE_PRIOR_S)]
    return steps + [
        Step(s.id, f"probing {s.display_name}", "framework", FRAMEWORK_PROBE_PRIOR_S)
        for s in chosen
    ]


class InventoryCancelled(CancelledError):
    """The user stopped the probes: the record of what had finished (the others cancelled)."""

    def __init__(self, message: str, record: Record) -> None:
        super().__init__(message)
        self.record = record


def _record(
    command: str,
    machine: MachineInventory,
    interpreter: Interpreter,
    probes: Sequence[FrameworkProbe],
) -> Record:
    return Record(
        schema_version=SCHEMA_VERSION,
        advisor_version=__version__,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        command=command,
        machine=machine,
        interpreter=interpreter,
        frameworks=tuple(probes),
    )


def _relay(say: Say) -> Callable[[str, dict[str, Any]], None]:
    def forward(framework: str, event: dict[str, Any]) -> None:
        say(f"{framework}: {event.get('message', '')}")

    return forward
