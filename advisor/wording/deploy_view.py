"""The deployment run as tables per target: what the terminal prints and the report shows."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.deploy.spec import VERDICTS, deploy_spec, model_title
from advisor.machine.load import busy_words, is_busy, others_share
from advisor.record import DeploymentRun, ModelDeployment, RouteResult, RouteStatus
from advisor.usermodel import describe_model
from advisor.wording.formatting import format_bytes, framework_name

HEDGE_FRAMEWORK = "keras_torch"
HEDGE_NAME = "Keras 3 on PyTorch"
# Said under a target's table: what its measured routes do and do not show.
TARGET_REMARKS = {
    "browser": "PyTorch has no browser runtime of its own: its route is the ONNX file, run in "
    "ONNX Runtime Web. Both browser routes are checked here in Python only; neither runs in a "
    "browser.",
    "mobile": "Checked on this machine's CPU, in the runtimes' Python bindings: an exported "
    "and reproducing model, not a phone's speed.",
    "edge": "A .tflite or .pte file that runs here is the start of the microcontroller route "
    "(LiteRT for Microcontrollers, ExecuTorch's embedded back-ends), not proof that it fits one.",
}


@dataclass(frozen=True)
class ModelRow:
    """One model through one route, each figure formatted."""

    model: str
    status: str
    reason: str | None
    diff: str
    export: str
    load: str
    latency: str  # the median
    # "[p10-p90] n=..", NOISY when the dispersion is above the bench's threshold, and the
    # busy-machine words where other work took a meaningful share of the cores meanwhile
    spread: str
    size: str


@dataclass(frozen=True)
class RouteRow:
    """One route: who exports, how it went, why, and each model's figures."""

    route: str
    framework: str
    title: str
    status: RouteStatus
    verdict: str
    reason: str | None
    install_hint: str | None
    note: str | None
    deprecated: bool
    runtime: str | None
    models: tuple[ModelRow, ...]


@dataclass(frozen=True)
class TargetTable:
    """The routes that stand for one deployment target."""

    target: str
    label: str
    rows: tuple[RouteRow, ...]
    remark: str | None


@dataclass(frozen=True)
class DeploymentView:
    """The whole deployment run, ready to print or render."""

    summary: str
    method: str
    tables: tuple[TargetTable, ...]
    hedge: tuple[RouteRow, ...]  # Keras 3 on the PyTorch backend
    cancelled: bool


def duration(seconds: float | None) -> str:
    """'850 µs', '12.3 ms', '1.84 s'; '-' when unknown."""
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.2f} s"


def _latency(model: ModelDeployment, busy: float | None) -> tuple[str, str]:
    """The median, and its spread: '[p10-p90] n=... NOISY, measured on a busy machine (...)'."""
    if model.stats is None:
        return "-", ""
    stats = model.stats
    noisy = " NOISY" if stats.noisy else ""
    spread = f"[{duration(stats.p10_s)}-{duration(stats.p90_s)}] n={stats.samples}{noisy}"
    return duration(stats.median_s), spread + (f", {busy_words(busy)}" if is_busy(busy) else "")


def _model_row(model: ModelDeployment, busy: float | None) -> ModelRow:
    diff = "-" if model.max_abs_diff is None else f"{model.max_abs_diff:.2g}"
    if model.max_rel_diff:
        diff += f" (rel {model.max_rel_diff:.2g})"
    return ModelRow(
        model_title(model.model),
        VERDICTS[model.status],
        model.reason,
        diff,
        duration(model.export_s),
        duration(model.load_first_s),
        *_latency(model, busy),
        format_bytes(model.artifact_bytes) if model.artifact_bytes is not None else "-",
    )


def model_words(model: ModelDeployment) -> str:
    """One model through a route in words, as the app's table says it: 'MLP: 166 µs a call
    (p10-p90 159-166 µs, 30 timings); export 1.61 s, load and first call 1.77 s; 18.6 KiB;
    output identical'."""
    name = model_title(model.model)
    if model.stats is None:
        reason = f": {model.reason}" if model.reason else ""
        return f"{name}: {VERDICTS[model.status]}{reason}"
    stats = model.stats
    noisy = ", noisy" if stats.noisy else ""
    parts = [
        f"{duration(stats.median_s)} a call (p10-p90 {duration(stats.p10_s)}-"
        f"{duration(stats.p90_s)}, {stats.samples} timings{noisy})",
        f"export {duration(model.export_s)}, load and first call {duration(model.load_first_s)}",
    ]
    if model.artifact_bytes is not None:
        parts.append(format_bytes(model.artifact_bytes))
    if model.max_abs_diff is not None:
        parts.append(
            "output identical"
            if model.max_abs_diff == 0
            else f"largest difference {model.max_abs_diff:.2g}"
        )
    if model.status != "ok":
        parts.append(f"{VERDICTS[model.status]}: {model.reason}" if model.reason else "")
    return f"{name}: " + "; ".join(part for part in parts if part)


def _runtime(route: RouteResult) -> str | None:
    if route.runtime is None:
        return None
    text = route.runtime
    if route.runtime_import_s is not None:
        text += f", imported in {duration(route.runtime_import_s)}"
    if route.frameworks_loaded:
        text += f" (loads {', '.join(framework_name(f) for f in route.frameworks_loaded)})"
    return text


def route_row(route: RouteResult) -> RouteRow:
    """One route's row."""
    busy = others_share([route.cpu_use]) if route.cpu_use else None
    return RouteRow(
        route.route,
        HEDGE_NAME if route.framework == HEDGE_FRAMEWORK else framework_name(route.framework),
        route.title,
        route.status,
        VERDICTS[route.status],
        route.reason,
        route.install_hint,
        route.note,
        route.deprecated,
        _runtime(route),
        tuple(_model_row(m, busy) for m in route.models),
    )


def _exporter_name(framework: str) -> str:
    return "Keras (PyTorch backend)" if framework == HEDGE_FRAMEWORK else framework_name(framework)


def _method(run: DeploymentRun) -> str:
    """How the routes were tried, for the seeded models or the user's own."""
    if run.model is None:
        what = "the benchmark's seeded MLP and small CNN"
        inputs = "runs one batch-1 input"
        latency = "batch-1 latency"
    else:
        what = f"your model, {describe_model(run.model)}"
        inputs = (
            "runs your example inputs, then the same inputs with floats negated (a route that "
            "traced one branch of data-dependent code 'froze a branch')"
        )
        latency = "latency on your example inputs"
    return (
        f"Each route exports {what}, then a fresh process that imports only the route's "
        f"runtime loads the file and {inputs}. A route works when its outputs, every one, "
        f"match the framework's own within {run.atol:g} + {run.rtol:g} x the largest value of "
        "each. Figures: "
        "export time (the first model of each framework also pays its one-time set-up), "
        f"load + first inference, {latency} median [p10-p90], file size."
    )


def deployment_view(run: DeploymentRun) -> DeploymentView:
    """Tables per target in the run, the hedge route apart."""
    labels = deploy_spec().targets
    exporters = ", ".join(f"{_exporter_name(f)} {v}" for f, v in sorted(run.exporters.items()))
    threads = f"{run.threads} thread{'s' if run.threads != 1 else ''}"
    summary = f"{run.preset} preset, {threads}, {run.wall_time_s:.1f} s"
    summary += f"; exported with {exporters}" if exporters else ""
    method = _method(run)
    tables = []
    for target in run.targets:
        rows = tuple(
            route_row(r)
            for r in run.routes
            if target in r.targets and r.framework != HEDGE_FRAMEWORK
        )
        if rows:
            tables.append(
                TargetTable(target, labels.get(target, target), rows, TARGET_REMARKS.get(target))
            )
    hedge = tuple(route_row(r) for r in run.routes if r.framework == HEDGE_FRAMEWORK)
    return DeploymentView(summary, method, tuple(tables), hedge, run.cancelled)
