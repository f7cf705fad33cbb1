"""Several machines' benchmark records side by side, as the report and the terminal show them."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.comparison import PAIR_LABELS, Pair, ratio_words
from advisor.fleet.compare import Fleet, MachineRun, speed_rows
from advisor.wording.charts import (
    Bar,
    BarInput,
    diverging_bars,
    log_interval,
    log_ratio,
    ratio_tone,
)
from advisor.wording.formatting import framework_name


@dataclass(frozen=True)
class MachineColumn:
    """One compared machine, as its column header says it."""

    label: str
    source: str
    device: str
    hardware: str  # the processors the run did not use
    versions: str
    run: str  # preset, threads, date
    counted: bool  # its figures weigh in the recommendation


@dataclass(frozen=True)
class FleetRow:
    """One workload and pair across the machines: each machine's ratio with its interval."""

    workload: str
    pair: str
    cells: tuple[str, ...]  # in the machines' order; "-" where a machine has no figure


@dataclass(frozen=True)
class FleetView:
    """The comparison of machines: who counts and why, the table, the chart, the caveats."""

    machines: tuple[MachineColumn, ...]
    why: str
    rows: tuple[FleetRow, ...]
    bars: tuple[Bar, ...]
    disagreements: tuple[str, ...]
    shared: int  # rows with figures from two machines or more
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    set_aside: tuple[str, ...]


def _column(machine: MachineRun, counted: bool) -> MachineColumn:
    run = machine.comparison.run
    versions = ", ".join(f"{framework_name(f)} {v}" for f, v in sorted(machine.versions().items()))
    return MachineColumn(
        machine.label,
        machine.source,
        f"benchmarked on {run.device.upper()}: {run.device_name}",
        _hardware(machine),
        versions or "no framework ran",
        f"{run.preset} preset, {run.threads} threads, {run.started_at[:10]}",
        counted,
    )


def _hardware(machine: MachineRun) -> str:
    """The machine's other processors: the CPU of a GPU run, the GPUs of a CPU run."""
    record = machine.record
    gpus = ", ".join(g.name for g in record.machine.gpu.gpus)
    if machine.comparison.run.device == "cpu":
        return f"GPU {gpus}" if gpus else "no NVIDIA GPU"
    return f"CPU {record.machine.cpu.model or 'unknown'}"


def _cell(machine: MachineRun, workload: str, pair: Pair) -> str:
    row = machine.comparison.row(workload, pair)
    if row is None or row.ratio is None:
        return "-"
    return ratio_words(row.ratio, row.interval, row.busy)


def fleet_view(fleet: Fleet) -> FleetView:
    """The view of a fleet comparison (float32 rows of the pairs that speak to speed)."""
    rows = tuple(
        FleetRow(title, PAIR_LABELS[pair], tuple(_cell(m, workload, pair) for m in fleet.machines))
        for workload, pair, title in speed_rows(fleet.machines)
    )
    return FleetView(
        tuple(_column(m, m is fleet.chosen) for m in fleet.machines),
        fleet.why,
        rows,
        _bars(fleet),
        tuple(f"{d.workload}, {d.pair}: {d.text}" for d in fleet.disagreements),
        sum(1 for row in rows if sum(cell != "-" for cell in row.cells) >= 2),
        fleet.warnings,
        fleet.notes,
        tuple(f"{s.source}: {s.reason}" for s in fleet.set_aside),
    )


def _bars(fleet: Fleet) -> tuple[Bar, ...]:
    """PyTorch/TensorFlow speed per machine, as you would write it (float32)."""
    items = []
    for machine in fleet.machines:
        for row in machine.comparison.rows:
            if row.pair == "as_written" and row.dtype == "float32" and row.ratio is not None:
                value = log_ratio(row.ratio)
                text = ratio_words(row.ratio, row.interval, row.busy)
                whisker = log_interval(row.interval)
                label = f"{row.workload.title} · {machine.label}"
                tone = ratio_tone(row.ratio, row.interval, row.busy)
                items.append(BarInput(label, value, text, tone, whisker))
    return diverging_bars(items)
