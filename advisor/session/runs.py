"""Where a new run goes: the keep-complete rule, other environments' shelved runs, merges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from advisor.record import BenchmarkRun, DeploymentRun, Record
from advisor.session.saved import SavedSession

RunT = TypeVar("RunT", BenchmarkRun, DeploymentRun)


def same_environment(first: Record, second: Record) -> bool:
    """Whether two records measured the same Python environment on the same machine."""
    return (
        first.machine.system.hostname == second.machine.system.hostname
        and first.interpreter.executable == second.interpreter.executable
    )


def combined(stored: Record | None, new: Record, keep_complete: bool = True) -> Record:
    """A new run with what the stored record measured of the same environment and it did not.

    A benchmark run keeps the stored deployment run and the other way round; a record from
    another environment replaces the stored one whole (see `placed_run`, which shelves it).
    With `keep_complete`, a cancelled run is held back (see `_held_back`): the caller keeps
    it beside, and the app offers to use it instead.
    """
    base = stored if stored is not None and same_environment(stored, new) else None

    def kept(fresh: RunT | None, old: RunT | None, one_sided: bool) -> RunT | None:
        if fresh is None or (keep_complete and _held_back(fresh, old, one_sided)):
            return old
        return fresh

    return replace(
        new,
        frameworks=new.frameworks or (base.frameworks if base else ()),
        benchmarks=kept(new.benchmarks, base.benchmarks if base else None, False),
        deployment=kept(new.deployment, base.deployment if base else None, True),
    )


def _held_back(
    fresh: BenchmarkRun | DeploymentRun, old: BenchmarkRun | DeploymentRun | None, one_sided: bool
) -> bool:
    """Whether a cancelled run waits beside the record instead of being weighed.

    It never replaces a complete run. A cancelled deployment run is not weighed even with
    nothing to replace: its frameworks run one after the other, so a cancel leaves one
    framework's routes verified and the other's untried, a one-sided score. A cancelled
    benchmark run is not one-sided (the frameworks take turns, workload by workload).
    """
    if not fresh.cancelled:
        return False
    return one_sided or (old is not None and not old.cancelled)


RUN_KINDS = ("benchmarks", "deployment")


def held_back(stored: Record | None, new: Record) -> tuple[str, ...]:
    """The kinds of run ('benchmarks', 'deployment') of `new` that `combined` held back."""
    kept, taken = combined(stored, new), combined(stored, new, keep_complete=False)
    return tuple(kind for kind in RUN_KINDS if getattr(kept, kind) != getattr(taken, kind))


@dataclass(frozen=True)
class Placed:
    """Where a new record went (see `placed_run`)."""

    record: Record  # the session's record now: shown and weighed
    other_environments: tuple[Record, ...]  # this machine's other environments, with their runs
    held_back: tuple[str, ...]  # cancelled runs of the new record not weighed (see combined)


def placed_run(current: Record | None, shelved: Sequence[Record], new: Record) -> Placed:
    """A probe or run in the session: a measured run is never thrown away.

    A record of another Python environment takes the place of the current one, which is
    shelved with its runs; what was shelved for the new record's own environment comes
    back under it (switching back restores the runs measured there).
    """
    if current is None or same_environment(current, new):
        return Placed(combined(current, new), tuple(shelved), held_back(current, new))
    base = next((r for r in shelved if same_environment(r, new)), None)
    rest = [r for r in shelved if not same_environment(r, new)]
    if current.benchmarks is not None or current.deployment is not None:
        rest = [r for r in rest if not same_environment(r, current)] + [current]
    return Placed(combined(base, new), tuple(rest), held_back(base, new))


def merged(current: SavedSession, opened: SavedSession) -> tuple[SavedSession, bool]:
    """An opened session in place of the current one; True when this machine's record was kept.

    A session saved before anything was measured brings answers only: the current
    measurements (and the other environments' runs) stay, as they still describe this machine.
    """
    kept = opened.record is None and current.record is not None
    if kept:
        return replace(
            opened, record=current.record, other_environments=current.other_environments
        ), kept
    return opened, kept


def chosen_run(record: Record, kind: str, source: Record) -> Record:
    """The record with `source`'s run of this kind ('benchmarks' or 'deployment', or none)
    in place of its own: the user chose between a cancelled run and the one it would replace."""
    return replace(record, **{kind: getattr(source, kind)})
