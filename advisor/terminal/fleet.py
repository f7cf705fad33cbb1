"""The terminal view of compared machines: who counts and why, the ratios, the caveats."""

from __future__ import annotations

from advisor.report.fleet_view import FleetView


def format_fleet(view: FleetView) -> str:
    """The comparison of machines as text."""
    lines = [f"Machines compared: {len(view.machines)}"]
    for machine in view.machines:
        counted = " [counted]" if machine.counted else ""
        lines.append(f"  {machine.label}{counted}: {machine.device}; {machine.versions}")
        lines.append(f"      {machine.run}; {machine.source}")
    lines.append(f"  {view.why}")
    lines += [f"  ! {warning}" for warning in view.warnings]
    lines.append("PyTorch/TensorFlow speed [95% interval] per machine")
    for row in view.rows:
        lines.append(f"  {row.workload} ({row.pair})")
        lines += [
            f"      {machine.label:<24}{cell}"
            for machine, cell in zip(view.machines, row.cells, strict=True)
        ]
    if view.disagreements:
        lines.append("Where the machines disagree")
        lines += [f"  - {line}" for line in view.disagreements]
    elif not view.shared:
        lines.append("No workload has PyTorch/TensorFlow figures from two machines.")
    lines += [f"  note: {note}" for note in view.notes]
    lines += [f"  not compared: {line}" for line in view.set_aside]
    return "\n".join(lines) + "\n"
