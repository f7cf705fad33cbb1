"""The terminal view of compared machines: who counts and why, the ratios, the caveats."""

from __future__ import annotations

from advisor.report.fleet_view import FleetView

LABEL_WIDTH = 30  # the machine column of the ratio table; longer labels are cut in the middle
_GAP = "  "  # between a label and its figure, always


def format_fleet(view: FleetView) -> str:
    """The comparison of machines as text."""
    lines = [f"Machines compared: {len(view.machines)}"]
    for machine in view.machines:
        counted = " [counted]" if machine.counted else ""
        lines.append(f"  {machine.label}{counted}: {machine.device}; {machine.versions}")
        lines.append(f"      {machine.run}; {machine.source}")
    lines.append(f"  {view.why}")
    lines += [f"  ! {warning}" for warning in view.warnings]
    lines.append("Which framework is faster (95% interval), per machine")
    labels = column_labels([machine.label for machine in view.machines])
    for row in view.rows:
        lines.append(f"  {row.workload} ({row.pair})")
        lines += [
            f"      {label}{_GAP}{cell}" for label, cell in zip(labels, row.cells, strict=True)
        ]
    if view.disagreements:
        lines.append("Where the machines disagree")
        lines += [f"  - {line}" for line in view.disagreements]
    elif not view.shared:
        lines.append("No workload has PyTorch/TensorFlow figures from two machines.")
    lines += [f"  note: {note}" for note in view.notes]
    lines += [f"  not compared: {line}" for line in view.set_aside]
    return "\n".join(lines) + "\n"


def column_labels(labels: list[str]) -> list[str]:
    """The labels padded to one column; one over LABEL_WIDTH is cut in the middle ('…'),
    keeping its end ('#2', a node number), unless that would make two labels alike."""
    cut = [_cut(label) for label in labels]
    if len(set(cut)) < len(set(labels)):
        cut = labels  # a wide column rather than two machines that read the same
    width = max((len(label) for label in cut), default=0)
    return [label.ljust(width) for label in cut]


def _cut(label: str) -> str:
    if len(label) <= LABEL_WIDTH:
        return label
    tail = LABEL_WIDTH // 3
    return label[: LABEL_WIDTH - tail - 1] + "…" + label[-tail:]
