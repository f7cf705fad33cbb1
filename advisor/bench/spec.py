"""The workload specification (resources/workloads.toml), validated once at load."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from advisor.base.errors import ResourceError, quoted
from advisor.base.resources_path import load_toml, resource_file
from advisor.record import WorkloadInfo

PRESETS = ("tiny", "quick", "full")
_BUDGET_KEYS = (
    "budget_s",
    "min_repeats",
    "max_repeats",
    "warmup",
    "min_sample_s",
    "target_cv",
)
_PRESET_NUMBERS = (*_BUDGET_KEYS, "passes", "suite_timeout_s")


@dataclass(frozen=True)
class Preset:
    """How long and how big a run is."""

    name: str
    description: str
    budget: dict[str, float]  # the timing loop's settings, totals over all passes
    compile: tuple[str, ...]  # workloads that also run compiled
    suite_timeout_s: float
    passes: int  # turns each workload gets, taken alternately by the frameworks

    def pass_budget(self) -> dict[str, float]:
        """The timing loop's settings for one pass: totals shared out, at least 2 samples.

        The target dispersion stays a judgement over all of a case's samples
        (`cv_min_repeats`: the total minimum), not over one pass's few.
        """
        parts = self.passes
        return dict(
            self.budget,
            budget_s=self.budget["budget_s"] / parts,
            min_repeats=max(2, math.ceil(self.budget["min_repeats"] / parts)),
            max_repeats=max(2, math.ceil(self.budget["max_repeats"] / parts)),
            cv_min_repeats=self.budget["min_repeats"],
        )


@dataclass(frozen=True)
class WorkloadSpec:
    """One workload: what it measures, its tolerance and its sizes per preset."""

    id: str
    title: str
    metric: Literal["throughput", "latency"]
    unit: str
    work: Literal["flops", "items"]
    parity_rtol: float
    parity_atol: float
    sizes: dict[str, dict[str, Any]]
    graph: bool = False  # a Keras model that Keras runs as a graph (see workloads.toml)

    def info(self, preset: str) -> WorkloadInfo:
        """The record's copy of this workload at one preset's sizes."""
        return WorkloadInfo(
            self.id, self.title, self.metric, self.unit, self.work, self.sizes[preset]
        )


@dataclass(frozen=True)
class MetricSpec:
    """Which comparison pair and workloads feed one measured criterion, and where it matters."""

    id: str
    pair: str  # "as_written", "compiled", "eager"; "" where the metric has no pair
    workloads: tuple[str, ...]
    speaks_to: Literal["training", "inference", "both"]


@dataclass(frozen=True)
class Suite:
    """All presets, workloads and the metrics the scoring reads from them."""

    presets: dict[str, Preset]
    workloads: tuple[WorkloadSpec, ...]
    metrics: dict[str, MetricSpec]


def parse_suite(data: dict[str, Any], source: Path) -> Suite:
    """Validate the workload file's contents."""
    presets = {name: _preset(name, data.get("presets", {}).get(name), source) for name in PRESETS}
    entries = data.get("workload")
    if not isinstance(entries, list) or not entries:
        raise ResourceError(f"{source}: needs at least one [[workload]] table")
    workloads = tuple(_workload(entry, source) for entry in entries)
    ids = {w.id for w in workloads}
    for preset in presets.values():
        unknown = set(preset.compile) - ids
        if unknown:
            raise ResourceError(f"{source}: preset {preset.name} compiles unknown {unknown}")
    metrics = {
        name: _metric(name, table, ids, source) for name, table in data.get("metrics", {}).items()
    }
    return Suite(presets, workloads, metrics)


_PAIRS = ("as_written", "compiled", "eager", "")
_SPEAKS_TO = ("training", "inference", "both")


def _metric(name: str, table: Any, ids: set[str], source: Path) -> MetricSpec:
    where = f"{source}: metrics.{name}"
    if not isinstance(table, dict) or table.get("pair") not in _PAIRS:
        raise ResourceError(f"{where}: pair must be one of {_PAIRS}")
    workloads = table.get("workloads")
    if not isinstance(workloads, list) or not set(workloads) <= ids:
        raise ResourceError(f"{where}: workloads must list known workload ids")
    if table.get("speaks_to") not in _SPEAKS_TO:
        raise ResourceError(f"{where}: speaks_to must be one of {_SPEAKS_TO}")
    return MetricSpec(name, table["pair"], tuple(workloads), table["speaks_to"])


def _preset(name: str, table: Any, source: Path) -> Preset:
    if not isinstance(table, dict):
        raise ResourceError(f"{source}: missing [presets.{name}]")
    for key in _PRESET_NUMBERS:
        value = table.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ResourceError(f"{source}: presets.{name}.{key} must be a number >= 0")
    if not isinstance(table["passes"], int) or table["passes"] < 1:
        raise ResourceError(f"{source}: presets.{name}.passes must be a whole number >= 1")
    if table["min_repeats"] < 2 or table["max_repeats"] < table["min_repeats"]:
        raise ResourceError(f"{source}: presets.{name}: need 2 <= min_repeats <= max_repeats")
    return Preset(
        name,
        str(table.get("description", "")),
        {key: table[key] for key in _BUDGET_KEYS},
        tuple(table.get("compile", ())),
        float(table["suite_timeout_s"]),
        table["passes"],
    )


def _workload(entry: dict[str, Any], source: Path) -> WorkloadSpec:
    where = f"{source}: workload {quoted(entry.get('id'))}"
    for key in ("id", "title", "unit"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise ResourceError(f"{where}: {quoted(key)} must be text")
    if entry.get("metric") not in ("throughput", "latency"):
        raise ResourceError(f"{where}: metric must be 'throughput' or 'latency'")
    if entry.get("work") not in ("flops", "items"):
        raise ResourceError(f"{where}: work must be 'flops' or 'items'")
    for key in ("parity_rtol", "parity_atol"):
        if not isinstance(entry.get(key), float | int) or entry[key] < 0:
            raise ResourceError(f"{where}: {quoted(key)} must be a number >= 0")
    if not isinstance(entry.get("graph", False), bool):
        raise ResourceError(f"{where}: 'graph' must be true or false")
    sizes = entry.get("sizes")
    if not isinstance(sizes, dict) or set(sizes) != set(PRESETS):
        raise ResourceError(f"{where}: sizes must be given for exactly {', '.join(PRESETS)}")
    return WorkloadSpec(
        entry["id"],
        entry["title"],
        entry["metric"],
        entry["unit"],
        entry["work"],
        float(entry["parity_rtol"]),
        float(entry["parity_atol"]),
        sizes,
        entry.get("graph", False),
    )


@functools.cache
def suite() -> Suite:
    """The shipped workload specification."""
    path = resource_file("workloads.toml")
    return parse_suite(load_toml(path), path)
