"""Load and validate the shipped data files under resources/ (once, at first use)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.base.errors import ResourceError, quoted
from advisor.base.resources_path import load_toml, probes_folder, resource_file


@dataclass(frozen=True)
class FrameworkSpec:
    """How to probe one framework and what to list beside it."""

    id: str
    display_name: str
    pip_package: str
    probe_script: Path
    bench_script: Path
    ecosystem: tuple[str, ...]


def parse_frameworks(data: dict[str, Any], source: Path, probes: Path) -> tuple[FrameworkSpec, ...]:
    """Validate the framework table; probe scripts are resolved inside ``probes``."""
    entries = data.get("framework")
    if not isinstance(entries, list) or not entries:
        raise ResourceError(f"{source}: needs at least one [[framework]] table")
    specs = tuple(_framework_spec(entry, source, probes) for entry in entries)
    ids = [spec.id for spec in specs]
    if len(set(ids)) != len(ids):
        raise ResourceError(f"{source}: framework ids repeat: {ids}")
    return specs


def _framework_spec(entry: dict[str, Any], source: Path, probes: Path) -> FrameworkSpec:
    strings = ("id", "display_name", "pip_package", "probe_script", "bench_script")
    for key in strings:
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise ResourceError(
                f"{source}: framework {quoted(entry.get('id'))}: {quoted(key)} must be text"
            )
    ecosystem = entry.get("ecosystem", [])
    if not isinstance(ecosystem, list) or not all(isinstance(n, str) for n in ecosystem):
        raise ResourceError(
            f"{source}: framework {quoted(entry['id'])}: 'ecosystem' must list names"
        )
    probe, bench = (probes / entry[key] for key in ("probe_script", "bench_script"))
    for script in (probe, bench):
        if not script.is_file():
            raise ResourceError(f"{source}: framework {quoted(entry['id'])}: no script {script}")
    return FrameworkSpec(
        entry["id"], entry["display_name"], entry["pip_package"], probe, bench, tuple(ecosystem)
    )


def parse_cpu_features(data: dict[str, Any], source: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """Validate the architecture -> feature label -> required flags table."""
    table: dict[str, dict[str, tuple[str, ...]]] = {}
    for arch, features in data.items():
        if arch == "schema_version":
            continue
        if not isinstance(features, dict):
            raise ResourceError(f"{source}: [{arch}] must be a table")
        for label, flags in features.items():
            if (
                not isinstance(flags, list)
                or not flags
                or not all(isinstance(f, str) for f in flags)
            ):
                raise ResourceError(f"{source}: {arch}.{label} must list one or more flags")
        table[arch] = {label: tuple(flags) for label, flags in features.items()}
    return table


@functools.cache
def frameworks() -> tuple[FrameworkSpec, ...]:
    """The shipped framework specs."""
    path = resource_file("frameworks.toml")
    return parse_frameworks(load_toml(path), path, probes_folder())


@functools.cache
def cpu_features() -> dict[str, dict[str, tuple[str, ...]]]:
    """The shipped CPU feature table, keyed by architecture."""
    path = resource_file("cpu_features.toml")
    return parse_cpu_features(load_toml(path), path)


def display_names() -> dict[str, str]:
    """Framework id -> the name people know it by (resources/frameworks.toml)."""
    return {spec.id: spec.display_name for spec in frameworks()}
