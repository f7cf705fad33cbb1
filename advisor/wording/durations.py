"""How long a probe, a benchmark run or a deployment run should take, said before it starts.

The same steps and priors as the run's time left (advisor.base.progress), each kind of step
corrected by this machine's last run of that kind (advisor.base.step_times). Where this
machine has no such run yet, a benchmark's priors alone are known to fall short: first
quick runs on two-core VMs took 88-147 s where their priors said 53 s, 12 s of them the
imports the probe had just timed and 12 s the suites' own imports (issue 25; first calls
and compiles from a cold disk, other work on the machine), and 61 s on a quiet one once
the run's probes were its suites (December 2026). So the imports count as the probe timed
them, and the other steps as FIRST_BENCH_RANGE times their priors. The deployment and probe
priors were set from first runs, and are said as they are, but for the slow routes of the
full deployment preset (AOTInductor), whose C++ compile took SLOW_EXPORT_S per model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.base.progress import Step, Tracker
from advisor.base.step_times import last_corrections
from advisor.bench.compiler_setup import compiler_setup_folder
from advisor.bench.estimate import bench_steps
from advisor.bench.run import PHASES, build_plan, resolve_device
from advisor.bench.spec import suite
from advisor.catalog import frameworks
from advisor.deploy.run import deploy_steps
from advisor.deploy.spec import deploy_spec
from advisor.probing.inventory import FRAMEWORK_PROBE_PRIOR_S, PROBE_RUN, probe_steps
from advisor.record import Record

FIRST_BENCH_RANGE = (1.3, 3.0)  # (61 - 6.5) / 41 and (147 - 12 - 12) / 41, rounded
SLOW_EXPORT_S = (10.0, 45.0)  # AOTInductor, one small model, 2-core CPU (README: deployment)


@dataclass(frozen=True)
class Expected:
    """How long a run should take: one figure, or a range where this machine has no history."""

    low_s: float
    high_s: float

    @property
    def known(self) -> bool:
        """One figure: this machine's own last run corrected the priors."""
        return self.low_s == self.high_s


def expected_probe() -> Expected:
    """A probe of every framework in the catalogue."""
    seconds = _expected_s(probe_steps(frameworks()), last_corrections(PROBE_RUN))
    return Expected(seconds, seconds)


def expected_bench(preset: str, record: Record | None) -> Expected:
    """A benchmark run of `preset` in the environment `record` probed (None: not probed yet,
    both frameworks assumed)."""
    chosen = suite().presets[preset]
    probes = record.frameworks if record is not None else ()
    device = resolve_device("auto", probes)
    machine = record.machine if record is not None else None
    plans: dict[str, dict[str, Any]] = {}
    for phase in PHASES:
        plan = build_plan(chosen, suite().workloads, machine, device, 1, 0, phase)
        if plan["workloads"]:
            plans[phase] = plan
    imports = [p.duration_s for p in probes if p.status == "ok"] or [FRAMEWORK_PROBE_PRIOR_S] * 2
    # Not probed yet: most likely a first run here, with torch.compile's set-up to do.
    setup = compiler_setup_folder(record, device) if record is not None else None
    to_set_up = record is None or (setup is not None and not setup.exists())
    first_setup = to_set_up and "compiled" in plans
    steps = bench_steps(plans, len(imports), first_setup)
    probed = sum(imports)  # the run's probes import the frameworks, as this probe did
    history = last_corrections(f"bench {device}")
    if history:
        seconds = probed + _expected_s(steps, history)
        return Expected(seconds, seconds)
    rest = sum(step.prior_s for step in steps)
    low, high = FIRST_BENCH_RANGE
    return Expected(probed + rest * low, probed + rest * high)


def expected_deploy(preset: str, targets: tuple[str, ...]) -> Expected:
    """A deployment run of `preset` for these targets (the seeded models)."""
    spec = deploy_spec()
    chosen, routes = spec.presets[preset], spec.routes_for(targets)
    seconds = _expected_s(deploy_steps(routes, chosen), last_corrections("deploy"))
    compiles = len(spec.models) * sum(r.slow and not chosen.leaves_out(r) for r in routes)
    low, high = SLOW_EXPORT_S
    return Expected(seconds + compiles * low, seconds + compiles * high)


def _expected_s(steps: Sequence[Step], history: Mapping[str, float]) -> float:
    """The time left of a run of these steps at its start, as its progress would say it."""
    tracker = Tracker(steps)
    tracker.plan((), history)
    return tracker.now().left_s or 0.0
