"""The HTML report rendered from recorded runs: its content, its safety, its self-containment."""

from __future__ import annotations

import dataclasses
import re
import statistics
from html import unescape

import jinja2
import pytest

from advisor.record import (
    CaseResult,
    FrameworkProbe,
    Record,
    SavedAnswers,
    SuiteResult,
    record_from_json,
)
from advisor.report.render import environment, render_html
from advisor.report.view import with_answers
from advisor.scoring.answers import PROBE_ORIGIN, Answers, default_answers
from advisor.scoring.knowledge import knowledge
from advisor.wording.charts import BarInput, diverging_bars
from tests.helpers import fixture_text, hostile_strings

HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def _record(name: str) -> Record:
    return record_from_json(fixture_text("records", name))


def _text(html: str) -> str:
    """The visible text, tags dropped and whitespace collapsed, for content assertions."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    assert match, section_id
    return match.group(0)


def test_full_report_has_every_part_in_reading_order() -> None:
    html = render_html(_record("bench_quick_cpu.json"))
    ids = re.findall(r'<section id="([a-z-]+)"', html)
    assert ids == [
        "recommendation",
        "contributions",
        "what-would-change",
        "answers",
        "dimensions",
        "benchmarks",
        "machine",
        "method",
    ]
    for chart in ("contribution-chart", "ratio-chart", "compile-chart"):
        assert f'id="{chart}"' in html


def test_headline_states_winner_margin_confidence_and_why() -> None:
    text = _text(_section(render_html(_record("bench_quick_cpu.json")), "recommendation"))
    assert re.search(r"Recommendation: (PyTorch|TensorFlow)", text)
    assert re.search(r"Ahead by \d+\.\d\d points out of 10", text)
    assert re.search(r"confidence: (clear|leaning|close call)", text)
    assert "Why" in text and "weight" in text


def test_the_first_reason_of_a_default_quick_report_is_no_eager_ratio() -> None:
    section = _section(render_html(_record("bench_quick_cpu.json")), "recommendation")
    first = re.search(r'<ul class="why">\s*<li>(.*?)</li>', section, re.S)
    assert first is not None
    assert "eager" not in first.group(1) and "on this machine" not in first.group(1)
    text = _text(section)
    assert "This rests on the built-in defaults" in text
    assert "Measured on a CPU" in text and "--results" in text  # defaults: NVIDIA GPUs


def test_a_deciding_must_have_leads_the_report_and_flags_its_tools() -> None:
    known = knowledge()
    values = dict(default_answers(known).values, requirements=["tfx"])
    answers = dataclasses.replace(default_answers(known), values=values, source="test")
    section = _text(
        _section(
            render_html(with_answers(_record("bench_quick_cpu.json"), answers)), "recommendation"
        )
    )
    assert "Recommendation: TensorFlow" in section
    assert "Decided by what you require: TFX pipelines ." in section
    assert "Why Required: TFX pipelines - TensorFlow meets it natively" in section
    assert "slow releases TensorFlow Extended (TFX)" in section


def test_what_would_change_it_starts_with_the_deciding_must_have_and_links_its_question() -> None:
    known = knowledge()
    defaults = default_answers(known)
    values = dict(defaults.values, requirements=["tfx"], stage="research")
    origins = {k: v for k, v in defaults.origins.items() if k not in ("requirements", "stage")}
    answers = Answers(values, "test", dict(origins, hardware=PROBE_ORIGIN))
    html = render_html(with_answers(_record("bench_quick_cpu.json"), answers))
    section = _section(html, "what-would-change")
    first = re.search(r"<li>(.*?)</li>", section, re.S)
    assert first is not None and first.group(1).startswith("<strong>TFX pipelines</strong>")
    assert "TensorFlow meets it natively, PyTorch only indirectly" in _text(first.group(1))
    assert "Untick it and the other answers favour PyTorch" in _text(first.group(1))
    assert 'href="#answer-requirements">Which of these are must-haves?</a>' in first.group(1)
    listed = _text(_section(html, "answers"))
    assert "Which of these are must-haves? TFX pipelines " in listed  # answered: no mark
    assert "What stage is the project at? Research " in listed
    hardware = "What hardware will you train and run on? NVIDIA GPUs (from this machine's probe)"
    assert hardware in listed
    assert "Which kinds of models will you build? none (default)" in listed
    basis = _text(_section(html, "recommendation"))
    assert f"Answers: test; {len(known.questions) - 2} questions still at the default" in basis
    assert "This rests on the built-in defaults" not in basis


def test_each_ratio_names_its_pair_and_shows_its_interval() -> None:
    html = render_html(_record("bench_quick_cpu.json"))
    table = _text(re.search(r'id="workload-lstm".*?</article>', html, re.S)[0])
    assert "float32, as you would write it" in table
    assert "float32, step-through (eager vs eager)" in table
    assert "PyTorch 1.56x faster (95% CI 1.49-1.61x)" in table
    benchmarks = _text(_section(html, "benchmarks"))
    assert "as you would write it — PyTorch eager against TensorFlow as Keras runs" in benchmarks
    assert "(tf.function), which is what fit()" in benchmarks


def test_every_assessment_shows_its_url_and_the_date_it_was_checked() -> None:
    dimensions = _text(_section(render_html(_record("bench_quick_cpu.json")), "dimensions"))
    for criterion in knowledge().criteria:
        if criterion.kind == "static" and criterion.dimension != "project":
            assert criterion.url in dimensions, criterion.id
    assert "(checked 2026-12-03)" in dimensions


def test_benchmark_figures_are_the_recorded_medians_with_spread_and_count() -> None:
    record = _record("bench_quick_cpu.json")
    assert record.benchmarks is not None
    torch = next(s for s in record.benchmarks.suites if s.framework == "torch")
    lstm = next(c for c in torch.cases if c.workload == "lstm" and c.variant == "eager")
    sequences_per_s = lstm.work_per_iteration / statistics.median(lstm.samples_s)
    table = _text(re.search(r'id="workload-lstm".*?</article>', render_html(record), re.S)[0])
    assert f"{sequences_per_s:,.0f} sequences/s" in table
    assert f"n={len(lstm.samples_s)}" in table
    assert "p10\u2013p90" in table and "cv " in table
    assert "agree" in table  # the parity flag of the eager float32 row


def test_matmul_shows_percent_of_peak_only_where_the_peak_is_known() -> None:
    record = _record("bench_quick_h200_torch_only.json")
    assert record.benchmarks is not None
    known = [p for p in record.benchmarks.peaks if p.gflops]
    html = render_html(record)
    assert known and "of theoretical peak" in html
    quick_cpu = render_html(_record("bench_quick_cpu.json"))
    assert "of theoretical peak" not in quick_cpu  # the VM hides its max clock
    assert "unknown: the maximum CPU clock is not exposed" in quick_cpu


def test_method_lists_what_each_framework_ran_with() -> None:
    record = _record("bench_quick_cpu.json")
    method = _text(_section(render_html(record), "method"))
    for suite in record.benchmarks.suites:  # type: ignore[union-attr]
        assert f"{suite.display_name} ran with" in method
        for key, value in suite.settings.items():
            assert f"{key} {value}" in method


def test_static_only_report_says_so_and_draws_no_benchmark_chart() -> None:
    record = dataclasses.replace(_record("bench_quick_cpu.json"), benchmarks=None)
    html = render_html(record)
    assert "No benchmark run in this record" in html
    assert "static criteria only" in _text(_section(html, "recommendation"))
    assert 'id="ratio-chart"' not in html and 'id="contribution-chart"' in html
    assert "no benchmark run: the recommendation rests on static criteria only" in html


def test_a_missing_framework_is_named_with_its_reason_everywhere_it_matters() -> None:
    html = render_html(_record("bench_quick_h200_torch_only.json"))
    method = _text(_section(html, "method"))
    assert "TensorFlow: not installed: no module named 'tensorflow'" in method
    benchmarks = _text(_section(html, "benchmarks"))
    assert "no module named 'tensorflow' in /opt/torch/.venv/bin/python3" in benchmarks
    assert 'id="ratio-chart"' not in html  # no ratio without both frameworks


def _failing(record: Record, workload: str, reason: str) -> Record:
    assert record.benchmarks is not None

    def fail(case: CaseResult) -> CaseResult:
        if case.workload != workload:
            return case
        return dataclasses.replace(case, status="failed", reason=reason, stats=None)

    suites = tuple(
        dataclasses.replace(s, cases=tuple(fail(c) for c in s.cases))
        if s.framework == "tensorflow"
        else s
        for s in record.benchmarks.suites
    )
    return dataclasses.replace(
        record, benchmarks=dataclasses.replace(record.benchmarks, suites=suites)
    )


def test_a_failed_workload_shows_its_reason_in_the_table_and_in_method() -> None:
    record = _failing(_record("bench_quick_cpu.json"), "conv2d", "out of memory (12 GiB asked)")
    html = render_html(record)
    table = _text(re.search(r'id="workload-conv2d".*?</article>', html, re.S)[0])
    assert "out of memory (12 GiB asked)" in table and "n/a" in table
    assert "TensorFlow conv2d eager float32: out of memory (12 GiB asked)" in _text(
        _section(html, "method")
    )


def _with_failures(record: Record) -> Record:
    """Give the hostile reasons somewhere to show: a failed case and a failed probe."""
    record = _failing(record, "lstm", "placeholder")
    probe = FrameworkProbe("tensorflow", "TensorFlow", "import_error", 1.0, reason="placeholder")
    return dataclasses.replace(record, frameworks=(record.frameworks[0], probe))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_from_the_machine_and_the_user_are_escaped(hostile: str) -> None:
    record = hostile_strings(_with_failures(_record("bench_quick_cpu.json")), hostile)
    answers = default_answers(knowledge())
    record = dataclasses.replace(record, answers=SavedAnswers(hostile, answers.values))
    html = render_html(record)
    assert hostile not in html
    assert "<img" not in html and "<script" not in html.lower()
    escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert html.count(escaped.replace('"', "&#34;")) >= 8  # hostname, paths, reasons, answers


def test_hostile_answer_values_are_refused_before_rendering() -> None:
    record = _record("bench_quick_cpu.json")
    values = dict(default_answers(knowledge()).values, stage=HOSTILE[0])
    record = dataclasses.replace(record, answers=SavedAnswers("saved.json", values))
    with pytest.raises(Exception, match="option '<script>alert"):
        render_html(record)


def test_the_report_needs_nothing_from_the_network_and_no_javascript() -> None:
    html = render_html(_record("bench_quick_cpu.json"))
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html and "@import" not in html
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert policy is not None and "default-src 'none'" in policy.group(1)
    assert "script-src" not in policy.group(1)  # no script source allowed at all
    assert "@media print" in html and "max-width: 640px" in html


def test_saved_answers_drive_the_report_and_default_answers_otherwise() -> None:
    record = _record("bench_quick_cpu.json")
    plain = _text(_section(render_html(record), "recommendation"))
    assert "Answers: built-in defaults: no question answered yet (see Your answers )." in plain
    known = knowledge()
    values = dict(default_answers(known).values, team_experience="tensorflow")
    answered = with_answers(record, dataclasses.replace(default_answers(known), values=values))
    assert answered.answers is not None and answered.answers.values["team_experience"] == (
        "tensorflow"
    )
    assert render_html(answered) != render_html(record)


def test_a_template_naming_an_undefined_value_fails_instead_of_printing_blank() -> None:
    template = environment().from_string("{{ view.nothing_here }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render(view=object())


def test_diverging_bars_scale_to_the_longest_and_grow_from_the_centre() -> None:
    bars = diverging_bars(
        [
            BarInput("a", 2.0, "", "torch"),
            BarInput("b", -1.0, "", "tensorflow"),
            BarInput("c", 0.0, "", "neutral"),
        ]
    )
    assert (bars[0].x, bars[0].width) == (100.0, 100.0)
    assert (bars[1].x, bars[1].width) == (50.0, 50.0)
    assert bars[2].width == 0.0
    assert diverging_bars([BarInput("z", 0.0, "", "neutral")])[0].width == 0.0


def test_every_static_criterion_belongs_to_one_of_the_five_dimensions() -> None:
    from advisor.report.advice_view import DIMENSIONS

    static = [c for c in knowledge().criteria if c.kind == "static"]
    assert static and all(c.dimension in DIMENSIONS for c in static)
    html = render_html(_record("bench_quick_cpu.json"))
    for criterion in static:
        assert criterion.title.replace("'", "&#39;") in _section(html, "dimensions")


def test_suite_cost_row_without_an_import_time_gives_the_reason() -> None:
    record = _record("bench_quick_h200_torch_only.json")
    assert record.benchmarks is not None
    suite: SuiteResult = record.benchmarks.suites[1]
    assert suite.import_time_s is None
    costs = _text(re.search(r"<h3>Framework cost</h3>.*?</table>", render_html(record), re.S)[0])
    assert f"TensorFlow {suite.reason}" in costs


def _with_deployment() -> Record:
    """The quick CPU bench record, with the recorded tiny deployment run beside it."""
    deployed = _record("deploy_tiny_cpu.json")
    return dataclasses.replace(_record("bench_quick_cpu.json"), deployment=deployed.deployment)


def test_a_deployment_run_gets_its_section_after_the_benchmarks() -> None:
    html = render_html(_with_deployment())
    ids = re.findall(r'<section id="([a-z-]+)"', html)
    assert ids[ids.index("benchmarks") + 1] == "deployment"
    assert '<a href="#deployment">' in html
    assert 'id="deployment"' not in render_html(_record("bench_quick_cpu.json"))


def test_the_deployment_section_shows_each_target_route_figure_and_reason() -> None:
    section = _text(_section(render_html(_with_deployment()), "deployment"))
    for label in ("Server and cloud", "Android / iOS", "Browser", "Keras 3 on the PyTorch"):
        assert label in section
    run = _with_deployment().deployment
    assert run is not None
    onnx = next(r for r in run.routes if r.route == "tf_onnx")
    mlp = onnx.models[0]
    assert mlp.stats is not None and mlp.export_s is not None
    # the recorded median latency and export time, as the view formats them
    median_us = f"{mlp.stats.median_s * 1e6:.0f} µs"
    assert median_us in section and f"{mlp.export_s * 1e3:.3g} ms" in section
    assert "TorchScript (torch.jit.trace) deprecated" in section
    assert "skipped left out of the tiny preset" in section
    assert "not installed missing: tensorflowjs" in section
    assert "Install: " in section and "fails to import under NumPy 2" in section
    assert "A tiny model exporting is not your model exporting" in section


def test_deployment_evidence_is_marked_in_the_criteria_and_the_comparison() -> None:
    html = render_html(_with_deployment())
    contributions = _text(_section(html, "contributions"))
    assert "Measured here: works and reproduces the output" in contributions
    assert "moved by the deployment routes measured on this machine" in contributions
    dimensions = _text(_section(html, "dimensions"))
    assert "Server and cloud, tried here: PyTorch torch.export (.pt2): works" in dimensions
    method = _text(_section(html, "method"))
    assert "framework-advisor deploy --preset tiny --targets server,mobile,browser,edge" in method


def test_what_would_change_it_shows_the_nearest_few_linked_to_their_questions() -> None:
    html = render_html(_record("bench_quick_cpu.json"))
    section = _section(html, "what-would-change")
    items = re.findall(r"<li>Weighting .*?</li>", section, re.S)
    assert 1 <= len(items) <= 5
    for item in items:
        for anchor in re.findall(r'href="#(answer-[a-z_]+)"', item):
            assert f'id="{anchor}"' in _section(html, "answers")  # lands on that answer
    assert any("Set by: " in item for item in items)


def test_your_model_section_shows_its_routes_with_reasons_and_advice_names_it() -> None:
    html = render_html(_record("deploy_model_branchy.json"))
    section = _text(_section(html, "your-model"))
    assert "tests/fixtures/models/branchy.py:build (PyTorch, 36 parameters, inputs 1x8" in section
    assert "torch.export (.pt2) failed export: GuardOnDataDependentSymNode" in section
    assert "TorchScript (torch.jit.trace) froze a branch torch.jit.trace warned" in section
    assert "(at tests/fixtures/models/branchy.py:13)" in section
    assert "Your model</a>" in html  # in the navigation
    # every PyTorch server route failed or froze for this model: the advice says so
    assert "Measured here on your model tests/fixtures/models/branchy.py:build" in _text(html)


def test_your_model_section_shows_its_rows_its_back_ends_ratios_and_parity() -> None:
    record = _record("bench_model_keras.json")
    section = _text(_section(render_html(record), "your-model"))
    assert "Keras 3 (tensorflow back-end), 91 parameters, inputs 2x6" in section
    for row in ("Keras 3 on TensorFlow tf.function + XLA 2", "Keras 3 on JAX jax.jit 1"):
        assert row in section
    # Keras 3 on PyTorch against Keras 3 on TensorFlow, eager against eager at batch 2:
    # the ratio of the recorded medians (the same work per call on both)
    assert record.benchmarks is not None
    eager = {
        s.framework: next(
            c.samples_s for c in s.cases if (c.workload, c.variant) == ("model_batch", "eager")
        )
        for s in record.benchmarks.suites
    }
    ratio = statistics.median(eager["tensorflow"]) / statistics.median(eager["torch"])
    assert f"2 step-through (eager vs eager) PyTorch {ratio:.2f}x faster (95% CI " in section
    assert "2 as you would write it eager vs tf.function " in section
    assert "2 fully compiled torch.compile vs tf.function + XLA " in section
    for name in ("PyTorch", "JAX"):  # each against the back-end whose weights it loaded
        line = f"Keras 3 on {name}, same weights as Keras 3 on TensorFlow: numerics agree"
        assert line in section
    assert "Keras 3 on PyTorch: peak" in section
