"""Decisions both front-ends share that need no session state: which answers a file or a
profile gives, what a scan proposes, which targets the answers name, the live ratios."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from advisor.base.errors import AdvisorError
from advisor.bench.spec import suite
from advisor.bench.stats import NOISE_THRESHOLD_CV
from advisor.comparison import ComparisonRow, compare
from advisor.deploy.spec import deploy_spec
from advisor.probing.environments import default_python
from advisor.record import BenchmarkRun, CaseResult, CodeReading, SuiteResult, WorkloadInfo
from advisor.scan.propose import Findings, propose
from advisor.scan.run import ScanOptions, ScanProgress, scan_folders
from advisor.scan.signals import signal_table
from advisor.scoring.answers import Answers, load_answers, with_proposals
from advisor.scoring.knowledge import Knowledge
from advisor.scoring.knowledge import knowledge as shipped_knowledge
from advisor.scoring.profiles import profile_path
from advisor.wording.scan import FROM_CODE, code_reading


def given_answers(
    answers_file: Path | None, profile: str | None, known: Knowledge
) -> Answers | None:
    """Answers from a file or a shipped profile; None when neither is named."""
    if profile is not None:
        return load_answers(profile_path(profile), known)
    if answers_file is not None:
        return load_answers(answers_file, known)
    return None


def scan_code(
    roots: Sequence[Path],
    include_vendored: bool = False,
    on_progress: ScanProgress | None = None,
    cancel: threading.Event | None = None,
    workers: int = 0,
) -> Findings:
    """Read the user's project (never running it) and propose answers with evidence."""
    options = ScanOptions(include_vendored=include_vendored, workers=workers)
    result = scan_folders(roots, options, on_progress, cancel)
    return propose(result, signal_table(), shipped_knowledge())


def scanned_answers(
    given: Answers | None, findings: Findings, known: Knowledge
) -> tuple[Answers, CodeReading]:
    """The scan's proposals under the user's own answers, and what the report says of it."""
    answers = with_proposals(given, findings.answers(), FROM_CODE, known)
    return answers, code_reading(findings, answers, known)


def deploy_targets() -> dict[str, str]:
    """The deployment targets the routes stand for: id -> label."""
    return dict(deploy_spec().targets)


def answered_targets(answers: Answers) -> tuple[str, ...]:
    """The deployment targets the answers name (where will the models run?)."""
    chosen = answers.values.get("deployment_targets", [])
    return deploy_spec().for_answer(list(chosen) if isinstance(chosen, list) else [])


def workloads(preset: str) -> list[WorkloadInfo]:
    """The suite's workloads at one preset's sizes, in running order."""
    return [w.info(preset) for w in suite().workloads]


def own_python() -> Path | None:
    """The interpreter probed by default, or None where there is none (a frozen app, no PATH)."""
    try:
        return default_python()
    except AdvisorError:
        return None


def live_rows(
    workload: WorkloadInfo, cases: Mapping[str, Sequence[CaseResult]]
) -> tuple[ComparisonRow, ...]:
    """The PyTorch/TensorFlow rows of one workload from each framework's cases timed so far
    in a run still going; provisional (how Keras runs a model is known at the run's end)."""
    run = BenchmarkRun(  # only what the ratios read: the cases (no peaks, so any device)
        preset="",
        device="cpu",
        device_name="",
        threads=1,
        seed=0,
        started_at="",
        wall_time_s=0.0,
        cancelled=False,
        workloads=(workload,),
        suites=tuple(
            SuiteResult(framework, framework, "ok", 0.0, cases=tuple(done))
            for framework, done in cases.items()
        ),
        parity=(),
        peaks=(),
        noise_threshold_cv=NOISE_THRESHOLD_CV,
    )
    return compare(run).rows
