"""The static scan of a user's project: signs, proposed answers, bad input, and never running it."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from advisor.base.errors import ResourceError, UsageError
from advisor.base.resources_path import load_toml, resource_file
from advisor.scan.files import MAX_TEXT_BYTES
from advisor.scan.matcher import build_matcher
from advisor.scan.python_source import read_python
from advisor.scan.run import ScanOptions, ScanResult, scan_folders
from advisor.scan.signals import parse_signals, signal_table
from advisor.scoring.answers import checked_answers
from advisor.scoring.knowledge import knowledge
from advisor.session.decisions import scan_code
from tests.helpers import FIXTURES, run_advisor

SCAN = FIXTURES / "scan"
MATCHER = build_matcher(signal_table())


def _signals(python: str) -> set[str]:
    return read_python(python, MATCHER).signals


def _scan(root: Path, **options: bool) -> ScanResult:
    return scan_folders([root], ScanOptions(workers=1, **options))


def _write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


# --- The signal table -------------------------------------------------------------------


def test_the_shipped_table_loads_and_every_answer_it_sets_is_a_real_option() -> None:
    table = signal_table()
    questions = {q.id: {o.id for o in q.options} for q in knowledge().questions}
    assert len(table.signals) > 30
    for signal in table.signals:
        for support in signal.sets:
            assert support.option in questions[support.question]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"sets": [{"question": "nope", "option": "x"}]}, "unknown or unsettable question"),
        ({"sets": [{"question": "hardware", "option": "quantum"}]}, "has no option 'quantum'"),
        ({"sets": [{"question": "requirements", "option": "tpu"}]}, "unsettable"),
        ({"suggests": ["teleport"]}, "unknown must-have"),
        ({"config": ["(unclosed"]}, "config pattern"),
        ({"imports": [], "dependencies": []}, "no matcher"),
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"framework": "jax"}, "framework must be one of"),
    ],
)
def test_a_bad_table_entry_is_named(change: dict[str, object], problem: str) -> None:
    data = load_toml(resource_file("scan.toml"))
    data["signal"][0] = {**data["signal"][0], **change}
    with pytest.raises(ResourceError, match=problem):
        parse_signals(data, knowledge(), "scan.toml")


def test_a_repeated_signal_id_is_refused() -> None:
    data = load_toml(resource_file("scan.toml"))
    data["signal"].append(dict(data["signal"][0]))
    with pytest.raises(ResourceError, match="appears twice"):
        parse_signals(data, knowledge(), "scan.toml")


# --- Signs in Python --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import torch\nm = torch.compile(m)\n", {"torch", "torch_compile"}),
        (
            "from torch.nn.parallel import DistributedDataParallel as DDP\nm = DDP(m)\n",
            {"torch", "multi_device"},
        ),
        (
            "import torch.distributed.fsdp as F\nm = F.FullyShardedDataParallel(m)\n",
            {"multi_device"},
        ),
        ("import tensorflow as tf\n@tf.function\ndef f(x):\n    return x\n", {"tf_function"}),
        ("model.compile(optimizer='adam', jit_compile=True)\n", {"tf_function"}),
        ("import tensorflow as tf\ns = tf.distribute.TPUStrategy(r)\n", {"tpu"}),
        (
            "import tensorflow as tf\ns = tf.distribute.MultiWorkerMirroredStrategy()\n",
            {"multi_node"},
        ),
        ("import torch_xla.core.xla_model as xm\n", {"tpu"}),
        ("x = x.to('mps')\n", {"mps"}),
        ("x = torch.ones(3, device='cuda:1')\n", {"cuda"}),
        ("x = x.cuda()\n", {"cuda"}),
        (
            "import tensorflow as tf\nc = tf.lite.TFLiteConverter.from_keras_model(m)\n",
            {"litert_convert"},
        ),
        ("import torch\ntorch.onnx.export(m, x, 'm.onnx')\n", {"onnx_export"}),
        ("from executorch.exir import to_edge\np = to_edge(e)\n", {"executorch_export"}),
        ("import tensorflowjs as tfjs\n", {"tfjs_convert"}),
        (
            "from lightning import Trainer\nt = Trainer(strategy='ddp', accelerator='gpu')\n",
            {"lightning", "multi_device", "cuda"},
        ),
        ("import keras\nfrom keras import ops\n", {"keras", "keras3"}),
        ("from tensorflow import keras\n", {"tensorflow"}),
    ],
)
def test_python_signs(source: str, expected: set[str]) -> None:
    assert expected <= _signals(source)


def test_a_call_inside_a_docstring_or_comment_is_not_a_call() -> None:
    source = (
        'import torch\n"""Call\n    model = torch.compile(model)\nfirst."""\n# torch.compile(m)\n'
    )
    assert "torch_compile" not in _signals(source)


def test_a_call_spread_over_lines_inside_a_function_is_found() -> None:
    source = (
        "import torch\n\n\nclass A:\n    def f(self, m):\n        return [\n"
        "            torch.compile(\n                m,\n            )\n        ]\n"
    )
    assert "torch_compile" in _signals(source)


def test_python_2_is_counted_and_its_imports_found_by_text() -> None:
    reading = read_python("import torch\nprint 'hello'\n", MATCHER)
    assert reading.problem is not None and "line 2" in reading.problem
    assert "torch" in reading.signals


# --- The fixtures: one small project of each kind --------------------------------------

EXPECTED = {
    "torch_research": {
        "existing_code": "pytorch",
        "team_experience": "pytorch",
        "codebase_size": "small",
        "hardware": ["nvidia"],
        "training_scale": "multi_gpu",
        "pytorch_ecosystem": ["huggingface", "timm"],
        "model_families": ["vision_cnn", "nlp_transformers"],
    },
    "keras3_library": {
        "existing_code": "both",
        "team_experience": "tensorflow",
        "codebase_size": "small",
    },
    "tflite_android": {
        "existing_code": "tensorflow",
        "team_experience": "tensorflow",
        "codebase_size": "small",
        "deployment_targets": ["mobile"],
        "tensorflow_ecosystem": ["tflite"],
        "model_families": ["vision_cnn"],
    },
    "tfjs_web": {
        "existing_code": "tensorflow",
        "team_experience": "tensorflow",
        "codebase_size": "small",
        "deployment_targets": ["browser"],
        "tensorflow_ecosystem": ["tfjs"],
    },
    "tfx_pipeline": {
        "existing_code": "tensorflow",
        "team_experience": "tensorflow",
        "codebase_size": "small",
        "stage": "production",
        "tensorflow_ecosystem": ["tfx"],
    },
    "torchserve_deploy": {
        "existing_code": "pytorch",
        "team_experience": "pytorch",
        "codebase_size": "small",
        "stage": "production",
        "deployment_targets": ["cloud_server"],
    },
    "tflm_mcu": {
        "existing_code": "tensorflow",
        "team_experience": "tensorflow",
        "codebase_size": "small",
        "deployment_targets": ["microcontroller"],
        "tensorflow_ecosystem": ["tflite"],
    },
    "tpu_tf": {
        "existing_code": "tensorflow",
        "team_experience": "tensorflow",
        "codebase_size": "small",
        "hardware": ["tpu"],
        "training_scale": "multi_gpu",
    },
}
SUGGESTED = {
    "torch_research": {"huggingface"},
    "tflite_android": {"mobile"},
    "tfjs_web": {"browser"},
    "tfx_pipeline": {"tfx"},
    "tflm_mcu": {"microcontroller"},
    "tpu_tf": {"tpu"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_project_gets_the_answers_an_expert_would_read(name: str) -> None:
    findings = scan_code([SCAN / name], workers=1)
    assert findings.answers() == EXPECTED[name]
    assert {s.requirement for s in findings.suggestions} == SUGGESTED.get(name, set())
    checked_answers(findings.answers(), name, knowledge())  # real ids and values
    for proposal in findings.proposals:
        assert proposal.evidence, proposal


def test_keras_3_is_reported_as_keras_with_its_direct_tf_use() -> None:
    findings = scan_code([SCAN / "keras3_library"], workers=1)
    existing = next(p for p in findings.proposals if p.question == "existing_code")
    text = " ".join(existing.evidence)
    assert "Keras 3" in text and "not counted as TensorFlow" in text
    assert "1 file uses tf.* directly too (kerasy/data.py)" in text
    assert "kerasy/data.py" in text


def test_evidence_counts_files_and_names_examples_relative_to_the_root() -> None:
    findings = scan_code([SCAN / "torch_research"], workers=1)
    existing = next(p for p in findings.proposals if p.question == "existing_code")
    assert "2 files import torch (src/model.py, src/train.py)" in existing.evidence[0]
    assert str(SCAN) not in json.dumps([p.evidence for p in findings.proposals])


def test_a_project_without_framework_code_gets_no_proposal(tmp_path: Path) -> None:
    _write(tmp_path, {"README.md": "# notes\n", "tool.py": "import os\n"})
    assert scan_code([tmp_path], workers=1).proposals == ()


# --- Other files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "signal", "present"),
    [
        ("requirements-dev.txt", "keras>=3.2\n", "keras3", True),
        ("requirements.txt", "keras==2.15.0\n", "keras3", False),
        ("requirements.txt", "# torch\n-r base.txt\n", "torch", False),
        ("pyproject.toml", '[tool.poetry.dependencies]\ntorch = "^2.4"\n', "torch", True),
        ("pyproject.toml", '[project.optional-dependencies]\nx = ["tfx"]\n', "tfx", True),
        (
            "setup.py",
            "from setuptools import setup\nsetup(install_requires=['timm'])\n",
            "timm",
            True,
        ),
        ("setup.cfg", "[options]\ninstall_requires =\n    torch_geometric\n", "pyg", True),
        (
            "environment.yml",
            "dependencies:\n  - pytorch::pytorch=2.4\n  - pip:\n    - vllm\n",
            "vllm",
            True,
        ),
        ("Pipfile", '[packages]\ntensorflow-metal = "*"\n', "mps", True),
        ("package.json", '{"dependencies": {"onnxruntime-web": "1.20"}}', "browser_runtime", True),
        (
            "app/build.gradle.kts",
            'implementation("org.pytorch:executorch-android:0.6")',
            "mobile_pytorch",
            True,
        ),
        (
            "app/build.gradle",
            "// implementation 'org.tensorflow:tensorflow-lite:2.16'\n",
            "android_litert",
            False,
        ),
        ("ios/Podfile", "target 'App' do\n  pod 'TensorFlowLiteSwift'\nend\n", "ios_litert", True),
        ("fw/main.cpp", '#include "tensorflow/lite/micro/micro_interpreter.h"\n', "tflm", True),
        ("Dockerfile", "FROM tensorflow/serving:2.18.0\n", "tf_serving", True),
        ("deploy/compose.yaml", "image: nvcr.io/nvidia/tritonserver:24.10-py3\n", "triton", True),
        ("serve.sh", "vllm serve meta-llama/Llama-3.1-8B\n", "vllm", True),
        ("jobs/train.sbatch", "#SBATCH --nodes=4\ntorchrun train.py\n", "multi_node", True),
        ("export/model/saved_model.pb", b"\x08\x01", "saved_models", True),
        ("m.pte", b"\x00", "executorch_export", True),
        ("web/app.ts", "import * as tf from '@tensorflow/tfjs';\n", "tfjs_npm", True),
    ],
)
def test_signs_outside_python(
    tmp_path: Path, name: str, content: str | bytes, signal: str, present: bool
) -> None:
    result = _scan(_write(tmp_path, {name: content}))
    assert (result.signal(signal) is not None) is present


def test_notebook_code_cells_are_read_and_magics_ignored(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["import tensorflow"]},
            {"cell_type": "code", "source": ["!pip install torch\n", "%matplotlib inline\n"]},
            {"cell_type": "code", "source": "import torch\nm = torch.compile(m)\n"},
        ]
    }
    result = _scan(_write(tmp_path, {"a.ipynb": json.dumps(notebook)}))
    assert result.signal("torch_compile") is not None
    assert result.signal("tensorflow") is None


# --- Bad input ------------------------------------------------------------------------


def test_a_missing_path_or_a_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such folder"):
        scan_folders([tmp_path / "nope"])
    (tmp_path / "f.py").write_text("x = 1\n")
    with pytest.raises(UsageError, match="not a folder"):
        scan_folders([tmp_path / "f.py"])


def test_the_command_line_says_one_line_and_exits_2(tmp_path: Path) -> None:
    done = run_advisor("scan", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"framework-advisor: error: {tmp_path / 'nope'}: no such folder"
    ]


def test_problem_files_are_counted_and_named_and_the_scan_goes_on(tmp_path: Path) -> None:
    notebook_bad = "{ not json"
    _write(
        tmp_path,
        {
            "ok.py": "import torch\n",
            "latin.py": "import tensorflow\n# caf\xe9\n".encode("latin-1"),
            "blob.py": b"import torch\x00\x01",
            "huge.py": "x = 1\n" * (MAX_TEXT_BYTES // 6 + 1),
            "old.py": "import keras\nprint 'hi'\n",
            "bad.ipynb": notebook_bad,
            "pyproject.toml": "[project\n",
        },
    )
    result = _scan(tmp_path)
    problems = {p.problem: p.count.examples for p in result.problems}
    assert problems == {
        "too_large": ("huge.py",),
        "binary": ("blob.py",),
        "not_utf8": ("latin.py",),
        "unparsable": ("old.py",),
        "bad_format": ("bad.ipynb", "pyproject.toml"),
    }
    # Still read: the good file, the Latin-1 one (as text) and the Python 2 one (by text).
    assert {"ok.py", "latin.py", "old.py"} <= set(
        result.framework_files["torch"].examples
        + result.framework_files["tensorflow"].examples
        + result.framework_files["keras"].examples
    )


def test_a_file_gone_between_listing_and_reading_is_counted_unreadable(tmp_path: Path) -> None:
    _write(tmp_path, {f"m{i:03}.py": "import torch\n" for i in range(600)})

    def remove_the_last(done: int, total: int) -> None:  # listed, then gone before it is read
        (tmp_path / "m599.py").unlink(missing_ok=True)

    result = scan_folders([tmp_path], ScanOptions(workers=1), remove_the_last)
    assert [p.count.examples for p in result.problems if p.problem == "unreadable"] == [
        ("m599.py",)
    ]
    assert result.framework_files["torch"].files == 599


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_files_and_folders_are_named(tmp_path: Path) -> None:
    _write(tmp_path, {"secret/a.py": "import torch\n", "locked.py": "import torch\n"})
    (tmp_path / "secret").chmod(0)
    (tmp_path / "locked.py").chmod(0)
    try:
        result = _scan(tmp_path)
    finally:
        (tmp_path / "secret").chmod(0o755)
    unreadable = next(p for p in result.problems if p.problem == "unreadable")
    assert set(unreadable.count.examples) == {"secret", "locked.py"}


def test_links_out_of_the_root_and_loops_are_not_followed(tmp_path: Path) -> None:
    outside = _write(tmp_path / "outside", {"tf.py": "import tensorflow\n"})
    root = _write(tmp_path / "root", {"pkg/model.py": "import torch\n"})
    (root / "pkg" / "loop").symlink_to(root)
    (root / "escape").symlink_to(outside)
    (root / "escape.py").symlink_to(outside / "tf.py")
    (root / "alias.py").symlink_to(root / "pkg" / "model.py")
    result = _scan(root)
    assert result.signal("tensorflow") is None
    assert result.framework_files["torch"].files == 2  # the file and its link inside the root
    assert set(result.links_not_followed.examples) == {"escape", "escape.py", "pkg/loop"}


def test_vendored_folders_are_skipped_unless_asked(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app.py": "import torch\n",
            "node_modules/x/index.js": "require('@tensorflow/tfjs')\n",
            "env/pyvenv.cfg": "home = /usr\n",
            "env/lib/site.py": "import tensorflow\n",
            "third_party/lib.py": "import tensorflow\n",
            ".git/hooks/x.py": "import tensorflow\n",
        },
    )
    result = _scan(tmp_path)
    assert result.signal("tensorflow") is None and result.signal("tfjs_npm") is None
    assert set(result.skipped_folders.examples) == {"env/", "node_modules/", "third_party/"}
    everything = _scan(tmp_path, include_vendored=True)
    tensorflow = everything.framework_files["tensorflow"]
    assert tensorflow.files == 3  # never .git
    assert not any(path.startswith(".git") for path in tensorflow.examples)
    assert everything.signal("tfjs_npm") is not None


def _tree_state(root: Path) -> list[tuple[str, int, int]]:
    return sorted(
        (str(p.relative_to(root)), p.lstat().st_mtime_ns, p.lstat().st_size)
        for p in root.rglob("*")
    )


def test_nothing_under_the_folder_is_imported_run_or_written(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    root = tmp_path / "project"
    payload = f"open({str(marker)!r}, 'w').write('ran')\nimport torch\n"
    _write(
        root,
        {
            "evil.py": payload,
            "setup.py": payload + "from setuptools import setup\nsetup(install_requires=['x'])\n",
            "conftest.py": payload,
            "pkg/__init__.py": payload,
            "nb.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": payload}]}),
            "run.sh": f"touch {marker}\n",
        },
    )
    before = _tree_state(root)
    findings = scan_code([root], workers=1)
    assert not marker.exists()
    assert _tree_state(root) == before
    assert "pkg/__pycache__" not in {p for p, _, _ in _tree_state(root)}
    assert findings.result.framework_files["torch"].files == 5


def test_many_files_are_read_by_worker_processes_with_the_same_result(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        f"m/f{i:04}.py": "import torch\nx.cuda()\n" for i in range(1600)
    }
    files["tf.py"] = "import tensorflow as tf\n@tf.function\ndef f(): pass\n"
    _write(tmp_path, files)
    alone = scan_folders([tmp_path], ScanOptions(workers=1))
    together = scan_folders([tmp_path], ScanOptions(workers=2))
    assert together == alone
    assert together.framework_files["torch"].files == 1600


def test_cancel_stops_and_says_so(tmp_path: Path) -> None:
    _write(tmp_path, {f"f{i}.py": "import torch\n" for i in range(600)})
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        cancel.set()

    result = scan_folders([tmp_path], ScanOptions(workers=1), progress, cancel)
    assert result.cancelled
    assert result.framework_files["torch"].files < 600


def test_an_aside_in_a_large_project_proposes_nothing_but_one_build_file_does(
    tmp_path: Path,
) -> None:
    files: dict[str, str | bytes] = {f"lib/m{i:03}.py": "import torch\n" for i in range(200)}
    files["tools/tpu.py"] = "import torch_xla\n"
    _write(tmp_path, files)
    assert "hardware" not in scan_code([tmp_path], workers=1).answers()
    _write(
        tmp_path,
        {"android/app/build.gradle": "implementation 'com.google.ai.edge.litert:litert:1.4.0'\n"},
    )
    assert scan_code([tmp_path], workers=1).answers()["deployment_targets"] == ["mobile"]
