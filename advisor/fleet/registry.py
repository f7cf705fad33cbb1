"""The fleet backends, by the name `framework-advisor fleet NAME` gives them.

A new scheduler is one module with a FleetBackend subclass (see fleet/backend.py) and one
line here: the command line, the following, the cancel and the report come with it.
"""

from __future__ import annotations

from advisor.fleet.backend import FleetBackend
from advisor.fleet.ray_backend import RayFleet
from advisor.fleet.slurm import SlurmFleet

BACKENDS: dict[str, type[FleetBackend]] = {
    "slurm": SlurmFleet,
    "ray": RayFleet,
}
