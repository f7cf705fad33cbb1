"""The whole report's view-model, built from one record: what the templates are given."""

from __future__ import annotations

import dataclasses
import shlex
from dataclasses import dataclass
from datetime import date

from advisor import __version__
from advisor.comparison import VARIANT_LABELS, Comparison, compare
from advisor.fleet.compare import Fleet
from advisor.record import (
    SCHEMA_VERSION,
    BenchmarkRun,
    CodeReading,
    DeploymentRun,
    Record,
    SavedAnswers,
)
from advisor.report.advice_view import AdviceView, advice_view
from advisor.report.fleet_view import FleetView, fleet_view
from advisor.scoring.answers import (
    DEFAULT_ORIGIN,
    MAX_LEVEL,
    Answers,
    default_answers,
    saved_answers,
)
from advisor.scoring.engine import Recommendation, recommend
from advisor.scoring.knowledge import Knowledge
from advisor.wording.bench_view import BenchView, bench_view
from advisor.wording.deploy_view import DeploymentView, deployment_view
from advisor.wording.formatting import Section, inventory_sections, local_time
from advisor.wording.model_view import ModelSection, model_section


@dataclass(frozen=True)
class Method:
    """How the figures were obtained, how to reproduce them, and what went missing."""

    advisor_version: str  # the version that rendered the report
    record_version: str  # the version that measured
    created_at: str  # local time
    bench_started: str  # local time; "" without a benchmark run
    command: str
    interpreter: str
    reproduce: tuple[str, ...]
    settings: tuple[tuple[str, str], ...]  # framework, what its suite ran with
    problems: tuple[str, ...]
    answers: tuple[tuple[str, str, str], ...]  # question id, text, answer as given


@dataclass(frozen=True)
class CodeRow:
    """One answer a scan of the user's code proposed."""

    question: str  # the question's text
    value: str
    evidence: tuple[str, ...]
    kept: bool  # False where the user's own answer won


@dataclass(frozen=True)
class CodeView:
    """The report's "What we read in your code" section."""

    rows: tuple[CodeRow, ...]
    suggestions: tuple[str, ...]
    read: tuple[str, ...]


@dataclass(frozen=True)
class ReportView:
    """Everything the report template renders, in reading order."""

    title: str
    recommendation: Recommendation  # what the advice shows, for a front-end's own headline
    advice: AdviceView
    bench: BenchView | None
    deployment: DeploymentView | None
    model: ModelSection | None  # the user's own model (deploy/bench --model)
    fleet: FleetView | None  # other machines' records, compared (framework-advisor compare)
    machine: tuple[Section, ...]
    method: Method
    code: CodeView | None = None  # what a scan of the user's code read, if one did


def record_answers(record: Record, knowledge: Knowledge) -> Answers:
    """The answers saved in the record, checked against today's questionnaire; else defaults."""
    if record.answers is None:
        return default_answers(knowledge)
    return saved_answers(record.answers, knowledge, record.schema_version < SCHEMA_VERSION)


def with_answers(record: Record, answers: Answers, code: CodeReading | None = None) -> Record:
    """The record carrying these answers (and what a scan of the code read, if one did), so
    the report can be rendered again from it alone."""
    saved = SavedAnswers(answers.source, dict(answers.values), dict(answers.origins), code)
    # The answers are in this version's form, whichever version measured the rest.
    return dataclasses.replace(record, schema_version=SCHEMA_VERSION, answers=saved)


def _deploy_command(run: DeploymentRun, python: str) -> str:
    targets = ",".join(run.targets)
    options = ["--preset", run.preset, "--targets", targets, "--threads", str(run.threads)]
    if run.model is not None and not run.model.source.endswith(")"):  # a file, not a module
        options += ["--model", f"{run.model.source}:{run.model.function}"]
    return shlex.join(["framework-advisor", "deploy", *options, "--python", python])


def _bench_command(run: BenchmarkRun, python: str) -> str:
    frameworks = ",".join(suite.framework for suite in run.suites)
    return shlex.join(
        [
            "framework-advisor",
            "bench",
            "--preset",
            run.preset,
            "--device",
            run.device,
            "--threads",
            str(run.threads),
            "--frameworks",
            frameworks,
            "--python",
            python,
        ]
    )


def _run_problems(run: BenchmarkRun) -> list[str]:
    problems = ["the run was cancelled: results are partial"] if run.cancelled else []
    for suite in run.suites:
        if suite.status != "ok":
            problems.append(f"{suite.display_name} suite {suite.status}: {suite.reason}")
        for case in suite.cases:
            if case.status != "ok":
                variant = VARIANT_LABELS[case.variant]
                problems.append(
                    f"{suite.display_name} {case.workload} {variant} {case.dtype}: {case.reason}"
                )
    for check in run.parity:
        if check.agree is None:
            problems.append(f"numerics of {check.workload} not checked: {check.reason}")
        elif not check.agree:
            problems.append(
                f"numerics of {check.workload} disagree: max abs diff {check.max_abs_diff:.3g} "
                f"(tolerance rtol {check.rtol:g}, atol {check.atol:g})"
            )
    return problems


def _problems(record: Record, advice: AdviceView) -> tuple[str, ...]:
    problems = [
        f"{probe.display_name}: {probe.status.replace('_', ' ')}: {probe.reason}"
        for probe in record.frameworks
        if probe.status != "ok"
    ]
    if record.benchmarks is None:
        problems.append("no benchmark run: the recommendation rests on static criteria only")
    else:
        problems += _run_problems(record.benchmarks)
    problems += [f"not measured: {item}" for item in advice.missing]
    return tuple(problems)


def _answer_lines(answers: Answers, knowledge: Knowledge) -> tuple[tuple[str, str, str], ...]:
    lines = []
    for question in knowledge.questions:
        value = answers.values[question.id]
        if question.kind == "importance":
            shown = f"{value} of {MAX_LEVEL}"
        else:
            chosen = value if isinstance(value, list) else [value]
            shown = ", ".join(option.label for option in question.options if option.id in chosen)
        origin = answers.origins.get(question.id)
        marked = "(default)" if origin == DEFAULT_ORIGIN else f"(from {origin})"
        shown = f"{shown or 'none'} {marked}" if origin else shown or "none"
        lines.append((question.id, question.text, shown))
    return tuple(lines)


def _settings(run: BenchmarkRun | None) -> tuple[tuple[str, str], ...]:
    """Each suite's own account of its settings (threads, TF32, allocator...), as recorded."""
    if run is None:
        return ()
    return tuple(
        (suite.display_name, "; ".join(f"{key} {value}" for key, value in suite.settings.items()))
        for suite in run.suites
        if suite.settings
    )


def _method(record: Record, answers: Answers, knowledge: Knowledge, advice: AdviceView) -> Method:
    python = record.interpreter.executable
    reproduce = [shlex.join(["framework-advisor", "probe", "--python", python])]
    if record.benchmarks is not None:
        reproduce.append(_bench_command(record.benchmarks, python))
    if record.deployment is not None:
        reproduce.append(_deploy_command(record.deployment, python))
    return Method(
        advisor_version=__version__,
        record_version=record.advisor_version,
        created_at=local_time(record.created_at),
        bench_started=local_time(record.benchmarks.started_at) if record.benchmarks else "",
        command=record.command,
        interpreter=f"Python {record.interpreter.version} ({python})",
        reproduce=tuple(reproduce),
        settings=_settings(record.benchmarks),
        problems=_problems(record, advice),
        answers=_answer_lines(answers, knowledge),
    )


def report_view(
    record: Record,
    knowledge: Knowledge,
    comparison: Comparison | None = None,
    fleet: Fleet | None = None,
    today: date | None = None,
) -> ReportView:
    """The view-model of the report for this record (pass the record's comparison if built).

    With a `fleet`, the record is the machine whose figures count, and the report
    shows every compared machine beside it. `today` dates the knowledge's age (default: today).
    """
    if comparison is None and record.benchmarks is not None and record.benchmarks.model is None:
        comparison = compare(record.benchmarks)
    answers = record_answers(record, knowledge)
    recommendation = recommend(
        knowledge, answers, comparison, deployment=record.deployment, today=today
    )
    advice = advice_view(knowledge, recommendation, record, comparison)
    return ReportView(
        title=f"Framework Advisor report: {advice.headline.winner_name}",
        recommendation=recommendation,
        advice=advice,
        bench=bench_view(comparison) if comparison is not None else None,
        deployment=deployment_view(record.deployment) if record.deployment else None,
        model=model_section(record),
        fleet=fleet_view(fleet) if fleet is not None else None,
        machine=tuple(inventory_sections(record)),
        method=_method(record, answers, knowledge, advice),
        code=_code_view(record.answers.code, knowledge) if record.answers else None,
    )


def _code_view(code: CodeReading | None, knowledge: Knowledge) -> CodeView | None:
    if code is None:
        return None
    texts = {q.id: q.text for q in knowledge.questions}
    rows = tuple(
        CodeRow(texts.get(f.question, f.question), f.value, f.evidence, f.kept)
        for f in code.findings
    )
    return CodeView(rows, code.suggestions, code.read)
