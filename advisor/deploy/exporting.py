"""Run one framework's export script over its routes, restarting it past a crash or a hang.

The script reports each route as it starts and each model as it is exported (see
probes/_deploy_common.py). A route that outlives its timeout, or takes the process
down, is recorded with the reason; the process is killed and a fresh one carries on
with the routes left, so one route failing never stops the others.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.base.resources_path import probes_folder
from advisor.base.serde import fitting
from advisor.deploy.spec import EXPORT_SCRIPTS, RouteSpec, model_said
from advisor.probing.runner import Ending, ManagedProcess, ProcessResult
from advisor.record import Bytes, Duration, Interpreter, ModelDeployment, RouteStatus

_POLL_S = 0.05


@dataclass
class Exported:
    """What the export script said about one route so far."""

    missing: tuple[str, ...] | None = None  # None until the route has finished
    models: dict[str, ModelDeployment] = field(default_factory=dict)
    artifacts: dict[str, tuple[str, str]] = field(default_factory=dict)  # model -> (file, ref)
    failure: tuple[RouteStatus, str] | None = None  # why the route stopped short: (status, reason)

    @property
    def finished(self) -> bool:
        """Whether the route is done with: exported, found missing, or stopped short."""
        return self.missing is not None


@dataclass(frozen=True)
class FrameworkExports:
    """One framework's routes, the version that exported them, and whether the user cancelled."""

    routes: dict[str, Exported]
    version: str | None
    cancelled: bool


@dataclass
class _Progress:
    """Shared between the reader thread and the waiting loop."""

    current: str | None = None
    started_here: int = 0  # routes the current process has started
    since: float = field(default_factory=time.monotonic)
    version: str | None = None
    routes: dict[str, Exported] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def export_framework(
    framework: str,
    routes: Sequence[RouteSpec],
    plan: dict[str, Any],
    interpreter: Interpreter,
    timeout_s: float,
    say: Callable[[str], None],
    cancel: threading.Event | None,
) -> FrameworkExports:
    """Every route's export outcome (see FrameworkExports)."""
    progress = _Progress()
    left = list(routes)
    while left:
        path = Path(plan["run_dir"]) / f"plan_export_{framework}.json"
        path.write_text(json.dumps(dict(plan, routes=[_route_plan(r) for r in left])), "utf-8")
        argv = [interpreter.executable, str(probes_folder() / EXPORT_SCRIPTS[framework])]
        titles = {r.id: r.title for r in routes}
        process = ManagedProcess([*argv, "--plan", str(path)], _reader(progress, titles, say))
        progress.current, progress.since, progress.started_here = None, time.monotonic(), 0
        ending = _wait(process, progress, timeout_s, cancel)
        result = process.result(ending)
        progress.version = _version(result) or progress.version
        _blame(progress, _unfinished(progress, left), ending, result, timeout_s)
        if ending == "cancelled":
            return FrameworkExports(progress.routes, progress.version, True)
        left = [r for r in left if r.id in _unfinished(progress, left)]
    return FrameworkExports(progress.routes, progress.version, False)


def _unfinished(progress: _Progress, routes: Sequence[RouteSpec]) -> list[str]:
    return [r.id for r in routes if not progress.routes.get(r.id, Exported()).finished]


def _blame(
    progress: _Progress,
    unfinished: list[str],
    ending: Ending,
    result: ProcessResult,
    timeout_s: float,
) -> None:
    """Mark the route the process stopped on (all of them if none started) with why."""
    if not unfinished:
        return
    # Ended before any route started (the framework would not import): no route can run.
    stuck = unfinished if progress.started_here == 0 else unfinished[:1]
    stuck = [progress.current] if progress.current else stuck
    reason = result.failure_reason(timeout_s) or "the export script ended early"
    status: RouteStatus = "failed"
    if ending in ("timed_out", "cancelled"):
        status = "timed_out" if ending == "timed_out" else "cancelled"
    for route_id in stuck:
        entry = progress.routes.setdefault(route_id, Exported())
        entry.failure, entry.missing = (status, reason), ()


def _version(result: ProcessResult) -> str | None:
    """The exporting framework's version from the script's document, if it printed one."""
    version = (result.json_object() or {}).get("version")
    return version if isinstance(version, str) else None


def _route_plan(route: RouteSpec) -> dict[str, Any]:
    return {
        "id": route.id,
        "title": route.title,
        "export_modules": list(route.export_modules),
        "runtime_modules": list(route.runtime_modules),
        "fallback_modules": list(route.fallback_modules),
    }


def _wait(
    process: ManagedProcess,
    progress: _Progress,
    timeout_s: float,
    cancel: threading.Event | None,
) -> Ending:
    """Until the script exits; past one route's timeout, or on cancel, kill it."""
    try:
        while process.alive():
            if cancel is not None and cancel.is_set():
                process.kill()
                return "cancelled"
            with progress.lock:
                overdue = time.monotonic() - progress.since > timeout_s
            if overdue:
                process.kill()
                return "timed_out"
            time.sleep(_POLL_S)
    except KeyboardInterrupt:
        process.kill()
        return "cancelled"
    return process.wait(timeout_s)


def _reader(
    progress: _Progress, titles: dict[str, str], say: Callable[[str], None]
) -> Callable[[dict[str, Any]], None]:
    """What the export process says: its routes' outcomes kept, progress in words."""

    def on_event(event: dict[str, Any]) -> None:
        stage, route = event.get("stage"), str(event.get("route", ""))
        with progress.lock:
            if stage == "route_started":
                progress.current, progress.since = route, time.monotonic()
                progress.started_here += 1
                progress.routes.setdefault(route, Exported())
            elif stage == "model_exported":
                _keep_model(progress.routes.setdefault(route, Exported()), event.get("result"))
            elif stage == "route_finished":
                missing = event.get("missing")
                entry = progress.routes.setdefault(route, Exported())
                entry.missing = tuple(str(m) for m in missing) if isinstance(missing, list) else ()
                progress.current = None
        if stage == "route_started":
            say(titles.get(route, route))
        elif stage == "model_exported" and isinstance(result := event.get("result"), dict):
            title = titles.get(route, route)
            say(model_said(title, str(result.get("model")), str(result.get("status")), False))

    return on_event


def _keep_model(entry: Exported, result: Any) -> None:
    if not isinstance(result, dict) or not isinstance(result.get("model"), str):
        return
    model = result["model"]
    if result.get("status") != "ok":
        entry.models[model] = ModelDeployment(model, "failed", str(result.get("reason")))
        return
    export_s, size = result.get("export_s"), result.get("artifact_bytes")
    frozen = result.get("frozen")
    entry.models[model] = ModelDeployment(
        model,
        "exported",
        reason=frozen if isinstance(frozen, str) else None,  # the exporter's own warning
        export_s=fitting(Duration, export_s),
        artifact_bytes=fitting(Bytes, size),
    )
    entry.artifacts[model] = (str(result.get("artifact")), str(result.get("reference")))
