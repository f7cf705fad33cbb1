"""The deploy job: export the models through each chosen route, reload, compare, time.

The models are the benchmark's seeded MLP and CNN, or the user's own (`--model`): then
only the routes of its framework run (a Keras 3 model: TensorFlow's and Keras on PyTorch).

Per framework, one export process goes through its routes (see exporting.py); then each
route's artifacts are loaded in a fresh process that imports only the route's runtime
(probes/deploy_load.py). Everything runs one process at a time, so a latency is never
timed beside another process's work (another program's work is read, and kept with
each route: machine/load.py). Failure is data: a missing package, a failed export, a
corrupt artifact, an output that differs, a timeout; each is one route's result.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from advisor.base.progress import Progress, Step, Tracker
from advisor.base.resources_path import probes_folder
from advisor.base.serde import fitting
from advisor.base.step_times import last_corrections, remember
from advisor.bench.run import DEFAULT_SEED
from advisor.bench.stats import summarise
from advisor.deploy.exporting import Exported, export_framework
from advisor.deploy.spec import (
    EXPORT_SCRIPTS,
    RUNTIME_LABELS,
    VERDICTS,
    DeployPreset,
    RouteSpec,
    deploy_spec,
    model_said,
)
from advisor.machine.load import measured
from advisor.probing.inventory import take_inventory
from advisor.probing.runner import ProcessResult, run_process
from advisor.record import (
    MAX_SAMPLES,
    Count,
    DeploymentRun,
    Difference,
    Duration,
    Interpreter,
    ModelDeployment,
    ModelDeployStatus,
    Record,
    RouteResult,
    RouteStatus,
    Seconds,
)
from advisor.usermodel import KIND_FRAMEWORKS, USER_MODEL_ID, ModelRef, inspect_model

# A route's status from its models': the first of these that any model has, else "ok".
_WORST_FIRST: tuple[RouteStatus, ...] = (
    "cancelled",
    "timed_out",
    "failed",
    "mismatch",
    "frozen",
    "exported",
)
_LOAD_STATUSES: dict[str, ModelDeployStatus] = {
    "ok": "ok",
    "mismatch": "mismatch",
    "frozen": "frozen",
    "failed": "failed",
}


@dataclass(frozen=True)
class DeployOptions:
    """What the user asked to try."""

    preset: str = "quick"
    targets: tuple[str, ...] = ()  # empty: every target
    threads: int = 1
    seed: int = DEFAULT_SEED
    model: ModelRef | None = None  # the user's own model, in place of the seeded ones


@dataclass(frozen=True)
class DeployEvent:
    """Live progress: a message, a route's finished result, or where the run stands."""

    kind: Literal["message", "route_finished", "progress"]
    message: str
    route: RouteResult | None = None
    progress: Progress | None = None  # for the progress events: the run's time left


DeployListener = Callable[[DeployEvent], None]

# Priors for the time left, seen on a 2-core CPU (benchmarks/time_left_accuracy.py --what
# deploy): an export process's start and imports, each route's export, and a route's load
# in a fresh process, mostly its runtime's import (1.5 s for the runtimes not listed).
EXPORT_IMPORT_PRIOR_S = 3.0
EXPORT_PRIOR_S = 0.5
LOAD_PRIORS_S = {"torch_export": 3.0, "torchscript": 2.0, "aot_inductor": 3.0,
                 "tf_saved_model": 4.0, "onnxruntime": 0.8, "litert": 0.8}  # fmt: skip
LOAD_PRIOR_S = 1.5


def run_deployment(
    options: DeployOptions,
    python: str | None = None,
    on_event: DeployListener | None = None,
    cancel: threading.Event | None = None,
    command: str = "framework-advisor deploy",
) -> Record:
    """Describe the environment, then try each route of the chosen targets; one record."""
    listen = on_event or (lambda _event: None)

    def say(message: str) -> None:
        listen(DeployEvent("message", message))

    spec = deploy_spec()
    preset = spec.presets[options.preset]
    targets = options.targets or tuple(spec.targets)
    record = take_inventory(python, specs=(), on_progress=say, command=command, cancel=cancel)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    job = _Job(record.interpreter, preset, cancel, listen)
    routes = spec.routes_for(targets)
    user = None
    if options.model is not None:
        say(f"building your model {options.model.text}")
        user = inspect_model(
            options.model,
            record.interpreter.executable,
            preset.export_timeout_s,
            options.threads,
            cancel,
        )
        routes = [r for r in routes if r.framework in KIND_FRAMEWORKS[user.kind]]
    _run_routes(job, routes, options, preset)
    run = DeploymentRun(
        preset=preset.name,
        targets=targets,
        threads=options.threads,
        seed=options.seed,
        started_at=started_at,
        wall_time_s=time.monotonic() - started,
        cancelled=job.cancelled,
        rtol=spec.rtol,
        atol=spec.atol,
        exporters=job.exporters,
        routes=tuple(job.results),
        model=user,
    )
    return replace(record, deployment=run)


def _run_routes(
    job: _Job, routes: list[RouteSpec], options: DeployOptions, preset: DeployPreset
) -> None:
    """Try each route in a run folder of its own; a Ctrl-C between processes keeps the rest."""
    # A run of the user's own model takes its own time: its history is kept apart.
    kind = "deploy" if options.model is None else "deploy your model"
    job.tracker.plan(deploy_steps(routes, preset), last_corrections(kind))
    with tempfile.TemporaryDirectory(prefix="framework-advisor-deploy-") as run_dir:
        plan = {
            "run_dir": run_dir,
            "seed": options.seed,
            "threads": options.threads,
            "models": _plan_models(options.model, preset.workload_preset),
        }
        try:
            job.run(routes, plan)
        except KeyboardInterrupt:  # between processes: keep what finished
            job.cancelled = True
        job.tracker.end("cancelled" if job.cancelled else "done")
        job.progress()
        remember(kind, job.tracker)


def _plan_models(model: ModelRef | None, workload_preset: str) -> list[dict[str, Any]]:
    """The models every route exports: the user's own, or the seeded MLP and CNN."""
    if model is not None:
        return [{"id": USER_MODEL_ID, "user_model": model.plan()}]
    return [
        {"id": m.id, "workload": m.workload, "params": m.params(workload_preset)}
        for m in deploy_spec().models
    ]


def deploy_steps(routes: list[RouteSpec], preset: DeployPreset) -> list[Step]:
    """Each framework's export process, then each route's load, with their priors."""
    steps = []
    for framework in EXPORT_SCRIPTS:
        mine = [r for r in routes if r.framework == framework]
        tried = [r for r in mine if not preset.leaves_out(r)]
        if tried:
            prior = EXPORT_IMPORT_PRIOR_S + EXPORT_PRIOR_S * len(tried)
            steps.append(
                Step(f"export {framework}", f"exporting from {framework}", "export", prior)
            )
        for route in mine:
            loads = route in tried and route.runtime != "none"
            steps.append(
                Step(
                    f"load {route.id}",
                    f"loading {route.title}",
                    "load",
                    LOAD_PRIORS_S.get(route.runtime, LOAD_PRIOR_S) if loads else 0.0,
                )
            )
    return steps


class _Job:
    """The routes' results as they finish, in the spec's order within each framework."""

    def __init__(
        self,
        interpreter: Interpreter,
        preset: DeployPreset,
        cancel: threading.Event | None,
        listen: DeployListener,
    ) -> None:
        self.interpreter = interpreter
        self.preset = preset
        self.cancel = cancel
        self.listen = listen
        self.results: list[RouteResult] = []
        self.exporters: dict[str, str] = {}
        self.cancelled = False
        self.tracker = Tracker()

    def progress(self, label: str | None = None) -> None:
        """Where the run stands, to the listener."""
        progress = self.tracker.now(label)
        self.listen(DeployEvent("progress", progress.step, progress=progress))

    def run(self, routes: list[RouteSpec], plan: dict[str, Any]) -> None:
        for framework in EXPORT_SCRIPTS:
            mine = [r for r in routes if r.framework == framework]
            runnable = [r for r in mine if not self.preset.leaves_out(r)]
            exported: dict[str, Exported] = {}
            if runnable and not self.cancelled:
                exports = export_framework(
                    framework,
                    runnable,
                    plan,
                    self.interpreter,
                    self.preset.export_timeout_s,
                    self._say,
                    self.cancel,
                )
                self.cancelled = exports.cancelled
                exported = exports.routes
                if exports.version:
                    self.exporters[framework] = exports.version
            self.tracker.finish(f"export {framework}")
            for route in mine:
                self._finish(route, exported.get(route.id), plan)
                self.tracker.finish(f"load {route.id}")
                self.progress()

    def _say(self, message: str) -> None:
        self.listen(DeployEvent("message", message))
        self.progress(message)

    def _finish(self, route: RouteSpec, exported: Exported | None, plan: dict[str, Any]) -> None:
        result = self._result(route, exported, plan)
        self.cancelled = self.cancelled or result.status == "cancelled"
        self.results.append(result)
        said = f"{route.title}: {VERDICTS[result.status]}"
        self.listen(DeployEvent("route_finished", said, result))

    def _result(
        self, route: RouteSpec, exported: Exported | None, plan: dict[str, Any]
    ) -> RouteResult:
        base = _base(route)
        if self.preset.leaves_out(route):
            reason = f"left out of the {self.preset.name} preset: the full preset tries it"
            return replace(base, status="skipped", reason=reason)
        if self.cancelled or exported is None:
            return replace(base, status="cancelled", reason="cancelled by the user")
        if exported.missing:
            return self._not_installed(base, route, exported.missing)
        models = tuple(exported.models.values())
        if exported.failure is not None:
            status, reason = exported.failure
            return replace(base, status=status, reason=f"export: {reason}", models=models)
        if route.runtime == "none" or not exported.artifacts:
            return _with_status(replace(base, models=models))
        return self._loaded(base, route, exported, plan)

    def _not_installed(
        self, base: RouteResult, route: RouteSpec, missing: tuple[str, ...]
    ) -> RouteResult:
        hint = f"{self.interpreter.executable} -m {route.install}"
        if route.extra:
            hint += f"  (or: pip install 'framework-advisor[{route.extra}]')"
        reason = f"missing: {', '.join(missing)}"
        note = " ".join(n for n in (base.note, route.finding) if n) or None
        return replace(base, status="not_installed", reason=reason, install_hint=hint, note=note)

    def _loaded(
        self, base: RouteResult, route: RouteSpec, exported: Exported, plan: dict[str, Any]
    ) -> RouteResult:
        path = Path(plan["run_dir"]) / f"plan_load_{route.id}.json"
        load_plan = {
            "route": route.id,
            "runtime": route.runtime,
            "threads": plan["threads"],
            "latency": self.preset.latency,
            "rtol": deploy_spec().rtol,
            "atol": deploy_spec().atol,
            "models": [
                {"id": model, "artifact": artifact, "reference": reference}
                for model, (artifact, reference) in exported.artifacts.items()
            ],
        }
        path.write_text(json.dumps(load_plan), encoding="utf-8")
        loaded: dict[str, dict[str, Any]] = {}

        def on_event(event: dict[str, Any]) -> None:
            result = event.get("result")
            if event.get("stage") == "model_loaded" and isinstance(result, dict):
                loaded[str(result.get("model"))] = result
                status = str(result.get("status"))
                self._say(model_said(route.title, str(result.get("model")), status, True))

        argv = [self.interpreter.executable, str(probes_folder() / "deploy_load.py")]
        timeout = self.preset.load_timeout_s
        process, use = measured(
            lambda: run_process([*argv, "--plan", str(path)], timeout, on_event, cancel=self.cancel)
        )
        models = tuple(
            _model_loaded(m, loaded.get(m.model), process, timeout)
            for m in exported.models.values()
        )
        loaded_route = replace(base, models=models, cpu_use=use)
        return _with_status(_with_runtime(loaded_route, route, process))


def _base(route: RouteSpec) -> RouteResult:
    return RouteResult(
        route=route.id,
        title=route.title,
        framework=route.framework,
        targets=route.targets,
        status="ok",
        deprecated=route.deprecated,
        note=route.note,
    )


def _model_loaded(
    model: ModelDeployment,
    loaded: dict[str, Any] | None,
    process: ProcessResult,
    timeout_s: float,
) -> ModelDeployment:
    """An exported model with its load results, or why the loading process gave none."""
    if model.status != "exported":
        return model
    if loaded is None:
        failure = process.failure_reason(timeout_s) or "the loading process gave no result"
        status: ModelDeployStatus = (
            "timed_out" if process.timed_out else "cancelled" if process.cancelled else "failed"
        )
        return replace(model, status=status, reason=f"load: {failure}")
    found = (fitting(Seconds, s) for s in loaded.get("samples_s") or ())
    samples = tuple(s for s in found if s is not None)[:MAX_SAMPLES]
    status = _LOAD_STATUSES.get(str(loaded.get("status")), "failed")
    reason = loaded.get("reason")
    if status in ("ok", "frozen") and model.reason:  # the exporter warned: it froze a branch
        reason = "; ".join(r for r in (model.reason, reason) if r)
        status = "frozen"
    return replace(
        model,
        status=status,
        reason=reason,
        load_first_s=fitting(Duration, loaded.get("load_first_s")),
        max_abs_diff=fitting(Difference, loaded.get("max_abs_diff")),
        max_rel_diff=fitting(Difference, loaded.get("max_rel_diff")),
        samples_s=samples,
        inner_iterations=fitting(Count, loaded.get("inner_iterations")) or 0,
        stats=summarise(samples) if len(samples) >= 2 else None,
    )


def _with_runtime(result: RouteResult, route: RouteSpec, process: ProcessResult) -> RouteResult:
    document = process.json_object()
    if document is None:
        return result
    label = RUNTIME_LABELS[route.runtime]
    version = document.get("runtime_version")
    notes = [n for n in (result.note, document.get("note")) if isinstance(n, str) and n]
    loaded = document.get("frameworks_loaded")
    return replace(
        result,
        runtime=f"{label} {version}" if isinstance(version, str) else label,
        runtime_import_s=fitting(Duration, document.get("runtime_import_s")),
        frameworks_loaded=tuple(str(f) for f in loaded) if isinstance(loaded, list) else (),
        note=" ".join(notes) or None,
    )


def _with_status(result: RouteResult) -> RouteResult:
    """The route's status and reason from its models' (see _WORST_FIRST)."""
    for status in _WORST_FIRST:
        found = [m for m in result.models if m.status == status]
        if found:
            named = "" if found[0].model == USER_MODEL_ID else f"{found[0].model}: "
            reason = f"{named}{found[0].reason}" if found[0].reason else None
            return replace(result, status=status, reason=reason)
    return replace(result, status="ok", reason=None)
