"""The terminal view of a deployment run: one block per target, one line per model."""

from __future__ import annotations

from advisor.record import DeploymentRun, RouteResult
from advisor.wording.deploy_view import RouteRow, deployment_view, route_row


def _route_lines(row: RouteRow) -> list[str]:
    deprecated = " [deprecated]" if row.deprecated else ""
    head = f"  {row.framework:<11} {row.title}{deprecated}: {row.verdict}"
    lines = [head + (f" ({row.reason})" if row.reason and not row.models else "")]
    if row.runtime:
        lines.append(f"      runtime: {row.runtime}")
    for model in row.models:
        problem = f"  {model.status}: {model.reason}" if model.reason else ""
        lines.append(
            f"      {model.model:<10} diff {model.diff:<22} export {model.export:<9} "
            f"load+first {model.load:<9} latency {model.latency} {model.spread}  "
            f"{model.size}{problem}"
        )
    if row.install_hint:
        lines.append(f"      install: {row.install_hint}")
    if row.note:
        lines.append(f"      note: {row.note}")
    return lines


def format_deployment(run: DeploymentRun) -> str:
    """The whole deployment run as text."""
    view = deployment_view(run)
    cancelled = " - CANCELLED, partial results" if view.cancelled else ""
    lines = [f"Deployment paths: {view.summary}{cancelled}", f"  {view.method}"]
    for table in view.tables:
        lines.append(table.label)
        for row in table.rows:
            lines += _route_lines(row)
        if table.remark:
            lines.append(f"  ({table.remark})")
    if view.hedge:
        lines.append("Keras 3 on the PyTorch backend (a hedge between the two)")
        for row in view.hedge:
            lines += _route_lines(row)
    return "\n".join(lines) + "\n"


def format_live_route(route: RouteResult) -> str:
    """One progress line for a route that just finished."""
    row = route_row(route)
    reason = f" ({row.reason})" if row.reason else ""
    return f"{row.framework} {row.title}: {row.verdict}{reason}"
