"""The deployment routes (resources/deploy.toml), validated once at load."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.base.errors import ResourceError, quoted
from advisor.base.resources_path import load_toml, resource_file
from advisor.bench.spec import PRESETS, suite
from advisor.usermodel import USER_MODEL_ID

EXPORT_SCRIPTS = {
    "torch": "deploy_torch.py",
    "tensorflow": "deploy_tensorflow.py",
    "keras_torch": "deploy_keras.py",
}
# The loaders of probes/deploy_load.py, as the report names them.
RUNTIME_LABELS = {
    "torch_export": "PyTorch (torch.export.load)",
    "torchscript": "PyTorch (torch.jit.load)",
    "aot_inductor": "PyTorch (aoti_load_package)",
    "onnxruntime": "ONNX Runtime",
    "tf_saved_model": "TensorFlow (tf.saved_model.load)",
    "litert": "LiteRT",
    "executorch": "ExecuTorch runtime",
    "none": "not a Python runtime",
}
_LATENCY_KEYS = (
    "warmup",
    "min_sample_s",
    "min_repeats",
    "max_repeats",
    "budget_s",
    "cv_min_repeats",
    "target_cv",
)


@dataclass(frozen=True)
class RouteSpec:
    """One way a framework's model leaves Python, and what it needs."""

    id: str
    title: str
    framework: str
    targets: tuple[str, ...]
    export_modules: tuple[str, ...]
    runtime_modules: tuple[str, ...]
    runtime: str
    install: str
    url: str
    fallback_modules: tuple[str, ...] = ()
    extra: str | None = None
    slow: bool = False
    deprecated: bool = False
    note: str | None = None
    finding: str | None = None


@dataclass(frozen=True)
class DeployPreset:
    """How big the models are, which routes run, and how long each may take."""

    name: str
    workload_preset: str
    include_slow: bool
    export_timeout_s: float
    load_timeout_s: float
    latency: dict[str, float]

    def leaves_out(self, route: RouteSpec) -> bool:
        """A slow route (AOTInductor) runs only in the presets that include slow ones."""
        return route.slow and not self.include_slow


@dataclass(frozen=True)
class ModelSpec:
    """A benchmark model that every route exports (its sizes come from workloads.toml)."""

    id: str
    workload: str
    title: str

    def params(self, workload_preset: str) -> dict[str, Any]:
        """The workload's sizes at one preset."""
        found = next(w for w in suite().workloads if w.id == self.workload)
        return found.sizes[workload_preset]


@dataclass(frozen=True)
class DeploySpec:
    """Targets, presets, models and routes."""

    targets: dict[str, str]  # id -> label
    presets: dict[str, DeployPreset]
    models: tuple[ModelSpec, ...]
    routes: tuple[RouteSpec, ...]
    rtol: float
    atol: float
    answer_targets: dict[str, str]  # deployment_targets option -> target

    def for_answer(self, options: list[str]) -> tuple[str, ...]:
        """The targets of these deployment_targets options, in the targets' order."""
        wanted = {self.answer_targets[o] for o in options if o in self.answer_targets}
        return tuple(t for t in self.targets if t in wanted)

    def routes_for(self, targets: tuple[str, ...]) -> list[RouteSpec]:
        """The routes that stand for any of these targets, in the file's order."""
        return [r for r in self.routes if set(r.targets) & set(targets)]


def parse_deploy(data: dict[str, Any], source: Path) -> DeploySpec:
    """Validate the deployment file's contents."""
    targets = data.get("targets")
    if not isinstance(targets, dict) or not targets:
        raise ResourceError(f"{source}: needs a [targets] table")
    presets = {name: _preset(name, data.get("presets", {}).get(name), source) for name in PRESETS}
    workloads = {w.id for w in suite().workloads}
    models = tuple(_model(entry, workloads, source) for entry in data.get("model", []))
    routes = tuple(_route(entry, set(targets), source) for entry in data.get("route", []))
    if not models or not routes:
        raise ResourceError(f"{source}: needs [[model]] and [[route]] tables")
    if len({r.id for r in routes}) != len(routes):
        raise ResourceError(f"{source}: route ids must be unique")
    tolerances = [data.get("rtol"), data.get("atol")]
    if not all(isinstance(t, float | int) and t >= 0 for t in tolerances):
        raise ResourceError(f"{source}: rtol and atol must be numbers >= 0")
    answer_targets = data.get("answer_targets")
    if not isinstance(answer_targets, dict) or not set(answer_targets.values()) <= set(targets):
        raise ResourceError(f"{source}: [answer_targets] must map options to known targets")
    return DeploySpec(
        {str(k): str(v) for k, v in targets.items()},
        presets,
        models,
        routes,
        float(data["rtol"]),
        float(data["atol"]),
        {str(k): str(v) for k, v in answer_targets.items()},
    )


def _preset(name: str, table: Any, source: Path) -> DeployPreset:
    where = f"{source}: presets.{name}"
    if not isinstance(table, dict) or table.get("workload_preset") not in PRESETS:
        raise ResourceError(f"{where}: needs a workload_preset, one of {PRESETS}")
    latency = table.get("latency")
    if not isinstance(latency, dict) or set(latency) != set(_LATENCY_KEYS):
        raise ResourceError(f"{where}.latency: needs exactly {', '.join(_LATENCY_KEYS)}")
    numbers = [table.get("export_timeout_s"), table.get("load_timeout_s"), *latency.values()]
    if not all(isinstance(n, float | int) and not isinstance(n, bool) and n > 0 for n in numbers):
        raise ResourceError(f"{where}: timeouts and latency settings must be numbers > 0")
    if not isinstance(table.get("include_slow"), bool):
        raise ResourceError(f"{where}: include_slow must be true or false")
    return DeployPreset(
        name,
        table["workload_preset"],
        table["include_slow"],
        float(table["export_timeout_s"]),
        float(table["load_timeout_s"]),
        dict(latency),
    )


def _model(entry: Any, workloads: set[str], source: Path) -> ModelSpec:
    if not isinstance(entry, dict) or entry.get("workload") not in workloads:
        raise ResourceError(
            f"{source}: model {quoted(entry)} must name a workload of workloads.toml"
        )
    return ModelSpec(str(entry["id"]), entry["workload"], str(entry.get("title", entry["id"])))


def _texts(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ResourceError(f"{where}: {key} must be a list of names")
    return tuple(value)


def _route(entry: Any, targets: set[str], source: Path) -> RouteSpec:
    where = f"{source}: route {quoted(entry.get('id') if isinstance(entry, dict) else entry)}"
    if not isinstance(entry, dict):
        raise ResourceError(f"{where}: must be a table")
    for key in ("id", "title", "install", "url"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise ResourceError(f"{where}: {quoted(key)} must be text")
    if entry.get("framework") not in EXPORT_SCRIPTS:
        raise ResourceError(f"{where}: framework must be one of {', '.join(EXPORT_SCRIPTS)}")
    if entry.get("runtime") not in RUNTIME_LABELS:
        raise ResourceError(f"{where}: runtime must be one of {', '.join(RUNTIME_LABELS)}")
    routed = _texts(entry, "targets", where)
    if not routed or not set(routed) <= targets:
        raise ResourceError(f"{where}: targets must be among {', '.join(sorted(targets))}")
    return RouteSpec(
        entry["id"],
        entry["title"],
        entry["framework"],
        routed,
        _texts(entry, "export_modules", where),
        _texts(entry, "runtime_modules", where),
        entry["runtime"],
        entry["install"],
        entry["url"],
        _texts(entry, "fallback_modules", where),
        entry.get("extra"),
        bool(entry.get("slow", False)),
        bool(entry.get("deprecated", False)),
        entry.get("note"),
        entry.get("finding"),
    )


@functools.cache
def deploy_spec() -> DeploySpec:
    """The shipped deployment routes."""
    path = resource_file("deploy.toml")
    return parse_deploy(load_toml(path), path)


# A route's (or one model's) outcome in words, everywhere it is shown.
VERDICTS: dict[str, str] = {  # keyed by RouteStatus (a model's status is one of them)
    "ok": "works",
    "exported": "exported only",
    "frozen": "froze a branch",
    "mismatch": "output differs",
    "failed": "failed",
    "timed_out": "timed out",
    "not_installed": "not installed",
    "skipped": "skipped",
    "cancelled": "cancelled",
}


def model_title(model: str) -> str:
    """How a model the routes export is named: 'MLP', 'Small CNN', 'your model'."""
    if model == USER_MODEL_ID:
        return "your model"
    return next((m.title for m in deploy_spec().models if m.id == model), model)


def model_said(route_title: str, model: str, status: str, loaded: bool) -> str:
    """A model's progress through a route, as the live progress says it: 'ONNX Runtime
    route: Small CNN exported' once exported, '…: Small CNN works' once loaded and checked."""
    words = "exported" if not loaded and status == "ok" else VERDICTS.get(status, status)
    return f"{route_title}: {model_title(model)} {words}"
