"""Deployment routes tried on this machine, as evidence on the deployment criteria.

For one target and one framework, the routes tried here (deprecated ones aside) say:
- "verified": at least one exported the models and reproduced the framework's own
  output in its runtime. The static score gains VERIFIED_BONUS (at most 10): the route
  is known to work in this environment, not only in general.
- "failed": every route tried failed or gave different output. The score loses
  FAILED_PENALTY (at least 0), and the reasons are shown: this environment cannot
  deploy there today.
- "unmeasured": nothing was tried (not installed, skipped, timed out, cancelled, or
  exported with no Python runtime to check it): the static score stands alone. Routes a
  cancel stopped before they ran are never counted as failures.
A cancelled run is weighed only when the user chooses it (see service.combined); its
evidence then says it is partial.
A measurement never replaces the static knowledge (a tiny model exporting is not your
model exporting, and says nothing of a runtime's maturity); it moves it a bounded step.
A run on the user's own model (deploy --model) weighs more: USER_VERIFIED_BONUS and
USER_FAILED_PENALTY, and the sentence names the model. A route that froze a branch of
its data-dependent code counts as failed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from advisor.record import DeploymentRun, RouteResult

# Deployment criterion -> the target its routes stand for (resources/deploy.toml).
CRITERION_TARGETS = {
    "deploy_server": "server",
    "deploy_mobile": "mobile",
    "deploy_browser": "browser",
    "deploy_edge": "edge",
}
VERIFIED_BONUS = 1.0
FAILED_PENALTY = 3.0
USER_VERIFIED_BONUS = 1.5
USER_FAILED_PENALTY = 5.0
_TRIED = ("ok", "mismatch", "frozen", "failed")
PARTIAL_NOTE = "(A cancelled, partial run: routes it did not reach are not counted.)"

Finding = Literal["verified", "failed", "unmeasured"]


@dataclass(frozen=True)
class RouteEvidence:
    """What this machine's routes say about one framework on one target."""

    finding: Finding
    text: str  # one sentence naming the routes and their outcome
    user_model: bool = False  # measured on the user's own model, not the seeded ones

    def adjusted(self, score: float) -> float:
        """The static score moved by the finding, kept within 0-10."""
        if self.finding == "verified":
            return min(10.0, score + (USER_VERIFIED_BONUS if self.user_model else VERIFIED_BONUS))
        if self.finding == "failed":
            return max(0.0, score - (USER_FAILED_PENALTY if self.user_model else FAILED_PENALTY))
        return score


def _max_diff(route: RouteResult) -> str:
    diffs = [m.max_abs_diff for m in route.models if m.max_abs_diff is not None]
    return f"max diff {max(diffs):.2g}" if diffs else "no difference measured"


def route_evidence(run: DeploymentRun, criterion_id: str, framework: str) -> RouteEvidence | None:
    """The evidence for one deployment criterion and framework; None if the run did not aim
    at its target or the criterion is not a deployment one."""
    target = CRITERION_TARGETS.get(criterion_id)
    if target is None or target not in run.targets:
        return None
    evidence = _evidence(run, target, framework)
    if run.cancelled:
        return replace(evidence, text=f"{evidence.text} {PARTIAL_NOTE}")
    return evidence


def _evidence(run: DeploymentRun, target: str, framework: str) -> RouteEvidence:
    routes = [
        r
        for r in run.routes
        if r.framework == framework and target in r.targets and not r.deprecated
    ]
    mine = run.model is not None
    where = (
        f"Measured here on your model {run.model.source}:{run.model.function}"
        if run.model
        else "Measured here"
    )
    working = [r for r in routes if r.status == "ok"]
    if working:
        named = "; ".join(f"{r.title} ({_max_diff(r)})" for r in working)
        return RouteEvidence(
            "verified", f"{where}: works and reproduces the output: {named}.", mine
        )
    tried = [r for r in routes if r.status in _TRIED]
    if tried:
        named = "; ".join(f"{r.title}: {_failure(r)}" for r in tried)
        return RouteEvidence("failed", f"{where}: every route tried failed: {named}.", mine)
    untried = "; ".join(f"{r.title}: {r.status.replace('_', ' ')}" for r in routes)
    return RouteEvidence("unmeasured", f"Not measured here ({untried or 'no route'}).", mine)


def _failure(route: RouteResult) -> str:
    said = "froze a branch" if route.status == "frozen" else route.status
    return (
        f"{said} ({route.reason})"
        if route.status == "frozen" and route.reason
        else route.reason or said
    )
