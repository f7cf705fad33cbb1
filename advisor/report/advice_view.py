"""The recommendation half of the report view-model: headline, contributions, flips, dimensions."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.comparison import VARIANT_LABELS, Comparison, ratio_text, ratio_words
from advisor.record import DeploymentRun, Record
from advisor.scoring.engine import NAMES, CriterionResult, Recommendation, how_met
from advisor.scoring.knowledge import Criterion, Knowledge, Tool
from advisor.wording.charts import Bar, BarInput, diverging_bars, tone_of
from advisor.wording.deploy_view import deployment_view
from advisor.wording.formatting import answers_basis, format_bytes

# The five dimensions of the comparison, in the order the report discusses them.
DIMENSIONS = ("api", "graph", "debugging", "deployment", "community")


@dataclass(frozen=True)
class Headline:
    """Who wins, by how much, how sure, and why."""

    winner: str  # "torch", "tensorflow" or "tie"
    winner_name: str
    margin: float
    confidence: str
    confidence_reasons: tuple[str, ...]
    torch_total: float
    tensorflow_total: float
    why: tuple[str, ...]
    against: str | None  # the strongest pull towards the other framework
    answers_source: str  # where the answers came from, and how many are still defaults
    static_only: bool
    deciding: tuple[str, ...]  # the must-haves that decided it
    rests_on_defaults: bool
    warnings: tuple[str, ...]  # e.g. measured on a device that is not the target
    notes: tuple[tuple[str, str, str], ...]  # (text, url, as_of): middle ways, third options
    knowledge: str | None  # when the knowledge used was last checked (and whether that is old)
    knowledge_stale: bool


@dataclass(frozen=True)
class CriterionRow:
    """One weighed criterion in the contributions table."""

    title: str
    dimension_id: str
    dimension: str
    kind: str
    weight: float
    torch: float
    tensorflow: float
    contribution: float  # positive: towards PyTorch
    rationale_torch: str
    rationale_tensorflow: str
    source: str  # where a static fact comes from, or "measured on this machine" etc.
    url: str
    moved_by_measurement: bool = False  # a static score this machine's runs moved


FLIPS_SHOWN = 5


@dataclass(frozen=True)
class Flip:
    """A criterion whose weight, multiplied by factor, would change the winner."""

    title: str
    factor: float
    questions: tuple[tuple[str, str], ...]  # (question id, text) of the answers that set it


@dataclass(frozen=True)
class MustHave:
    """A must-have the user ticked that decides the winner, and what would win without it."""

    label: str
    how: str  # which framework meets it natively, and how the other does
    without: str  # the winner were it unticked (with the other deciding must-haves)
    question: tuple[str, str]  # (question id, text) where it is ticked


@dataclass(frozen=True)
class Assessment:
    """One criterion of a dimension: both frameworks' general scores and why."""

    title: str
    torch: float
    tensorflow: float
    rationale_torch: str
    rationale_tensorflow: str
    source: str
    url: str
    version: str
    as_of: str
    weight: float | None  # its share of this recommendation; None when not weighed
    flags: tuple[Tool, ...]  # tools it relies on that are deprecated, archived, renamed...


@dataclass(frozen=True)
class Dimension:
    """One of the five dimensions: the general assessment plus this machine's evidence."""

    id: str
    title: str
    assessments: tuple[Assessment, ...]
    evidence: tuple[str, ...]  # empty: nothing on this machine measures it


@dataclass(frozen=True)
class AdviceView:
    """Everything the report says about the recommendation itself."""

    headline: Headline
    contribution_bars: tuple[Bar, ...]
    criteria: tuple[CriterionRow, ...]
    must_haves: tuple[MustHave, ...]  # the deciding must-haves: what would change it first
    flips: tuple[Flip, ...]  # the nearest to your weights, FLIPS_SHOWN at most
    more_flips: int  # criteria that would flip it only further from your weights
    steady_count: int  # criteria that do not flip the answer between 0x and 10x
    loser_name: str
    robustness: float
    missing: tuple[str, ...]
    dimensions: tuple[Dimension, ...]
    flags: tuple[Tool, ...]  # every flagged tool the weighed criteria rely on


def _source(row: CriterionResult) -> str:
    criterion = row.criterion
    if criterion.kind == "measured":
        return "measured on this machine"
    if criterion.kind == "answer":
        return "your answers"
    measured = "; moved by the deployment routes measured on this machine" if row.evidence else ""
    return f"{criterion.source} (checked {criterion.as_of}){measured}"


def _criterion_row(row: CriterionResult, knowledge: Knowledge) -> CriterionRow:
    return CriterionRow(
        title=row.criterion.title,
        dimension_id=row.criterion.dimension,
        dimension=knowledge.dimensions[row.criterion.dimension],
        kind=row.criterion.kind,
        weight=row.weight,
        torch=row.torch,
        tensorflow=row.tensorflow,
        contribution=row.contribution,
        rationale_torch=row.rationale_torch,
        rationale_tensorflow=row.rationale_tensorflow,
        source=_source(row),
        url=row.criterion.url,
        moved_by_measurement=row.criterion.kind == "static" and row.evidence is not None,
    )


def _contribution_bar(row: CriterionResult) -> BarInput:
    value = row.contribution
    tone = tone_of(value)
    side = NAMES[tone] if tone != "neutral" else "neither"
    return BarInput(row.criterion.title, value, f"{abs(value):.2f} to {side}", tone)


def _headline(rec: Recommendation) -> Headline:
    return Headline(
        winner=rec.winner,
        winner_name=NAMES[rec.winner],
        margin=rec.margin,
        confidence=rec.confidence,
        confidence_reasons=rec.confidence_reasons,
        torch_total=rec.totals["torch"],
        tensorflow_total=rec.totals["tensorflow"],
        why=rec.decisive,
        against=rec.against,
        answers_source=answers_basis(rec),
        static_only=rec.static_only,
        deciding=tuple(r.label for r in rec.deciding),
        rests_on_defaults=rec.rests_on_defaults,
        warnings=rec.warnings,
        notes=tuple((note.text, note.url, note.as_of) for note in rec.notes),
        knowledge=rec.freshness.sentence() if rec.freshness else None,
        knowledge_stale=bool(rec.freshness and rec.freshness.stale),
    )


def _assessment(
    criterion: Criterion, weights: dict[str, float], knowledge: Knowledge
) -> Assessment:
    assert criterion.torch is not None and criterion.tensorflow is not None
    return Assessment(
        title=criterion.title,
        torch=criterion.torch.score,
        tensorflow=criterion.tensorflow.score,
        rationale_torch=criterion.torch.rationale,
        rationale_tensorflow=criterion.tensorflow.rationale,
        source=criterion.source,
        url=criterion.url,
        version=criterion.version,
        as_of=criterion.as_of,
        weight=weights.get(criterion.id),
        flags=knowledge.flagged(criterion),
    )


def _graph_evidence(comparison: Comparison | None) -> list[str]:
    if comparison is None:
        return []
    lines = []
    for row in comparison.compile_rows:
        who = f"{NAMES[row.framework]} {VARIANT_LABELS[row.variant]} on {row.workload.title}"
        first = f"first call {row.first_call_s:.2f} s" if row.first_call_s is not None else ""
        if row.speedup is None:
            lines.append(f"{who}: no steady-state figure ({row.reason}) {first}".strip())
        else:
            lines.append(f"{who}: {ratio_text(row.speedup)}x the eager speed, {first}")
    return lines


def _debugging_evidence(comparison: Comparison | None) -> list[str]:
    """What stepping through each model eagerly costs here: the eager-vs-eager pair."""
    if comparison is None:
        return []
    return [
        f"Eager against eager on {row.workload.title}: "
        f"{ratio_words(row.ratio, row.interval, row.busy)} while you step through it"
        for row in comparison.rows
        if row.pair == "eager" and row.ratio is not None
    ]


def _deployment_evidence(record: Record) -> list[str]:
    lines = _route_lines(record.deployment) if record.deployment else []
    for probe in record.frameworks:
        if probe.report is None:
            lines.append(f"{probe.display_name}: {probe.status.replace('_', ' ')}")
            continue
        report = probe.report
        lines.append(
            f"{probe.display_name} {report.version}: {format_bytes(report.size_on_disk_bytes)} "
            f"on disk, imports in {report.import_time_s:.2f} s, "
            f"{format_bytes(report.rss_after_import_bytes)} resident after import"
        )
    return lines


def _route_lines(run: DeploymentRun) -> list[str]:
    """Per target, each framework's routes and how they went (details: Deployment paths)."""
    view = deployment_view(run)
    lines = []
    for table in view.tables:
        outcomes = ", ".join(f"{row.framework} {row.title}: {row.verdict}" for row in table.rows)
        lines.append(f"{table.label}, tried here: {outcomes}")
    return lines


def _community_evidence(record: Record) -> list[str]:
    lines = []
    for probe in record.frameworks:
        if not probe.ecosystem:
            continue
        found = [f"{p.name} {p.version}" for p in probe.ecosystem if p.version]
        absent = [p.name for p in probe.ecosystem if not p.version]
        lines.append(
            f"{probe.display_name} ecosystem in this environment: {', '.join(found) or 'none'}"
            + (f" (not installed: {', '.join(absent)})" if absent else "")
        )
    return lines


def _dimensions(
    knowledge: Knowledge, rec: Recommendation, record: Record, comparison: Comparison | None
) -> list[Dimension]:
    weights = {row.criterion.id: row.weight for row in rec.criteria}
    evidence = {
        "graph": _graph_evidence(comparison),
        "debugging": _debugging_evidence(comparison),
        "deployment": _deployment_evidence(record),
        "community": _community_evidence(record),
    }
    return [
        Dimension(
            dimension,
            knowledge.dimensions[dimension],
            tuple(
                _assessment(c, weights, knowledge)
                for c in knowledge.criteria
                if c.dimension == dimension and c.kind == "static"
            ),
            tuple(evidence.get(dimension, [])),
        )
        for dimension in DIMENSIONS
    ]


def _must_haves(knowledge: Knowledge, rec: Recommendation) -> tuple[MustHave, ...]:
    texts = {q.id: q.text for q in knowledge.questions}
    without = NAMES[rec.without_must_haves or rec.winner]
    return tuple(
        MustHave(r.label, how_met(r), without, (r.question, texts[r.question]))
        for r in rec.deciding
    )


def advice_view(
    knowledge: Knowledge, rec: Recommendation, record: Record, comparison: Comparison | None
) -> AdviceView:
    """The recommendation as the report shows it."""
    flips = [
        Flip(
            f.criterion.title,
            f.factor,
            tuple((q.id, q.text) for q in knowledge.questions_setting(f.criterion.id)),
        )
        for f in rec.flipping()
        if f.factor is not None
    ]
    return AdviceView(
        headline=_headline(rec),
        contribution_bars=diverging_bars([_contribution_bar(row) for row in rec.criteria]),
        criteria=tuple(_criterion_row(row, knowledge) for row in rec.criteria),
        must_haves=_must_haves(knowledge, rec),
        flips=tuple(flips[:FLIPS_SHOWN]),
        more_flips=max(0, len(flips) - FLIPS_SHOWN),
        steady_count=len(rec.flips) - len(flips),
        loser_name=NAMES[rec.loser],
        robustness=rec.robustness,
        missing=rec.missing,
        dimensions=tuple(_dimensions(knowledge, rec, record, comparison)),
        flags=rec.flagged,
    )
