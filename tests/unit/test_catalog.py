"""Every shipped data file loads and validates; broken data gives a clear ResourceError."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.base.errors import ResourceError
from advisor.base.resources_path import probes_folder, resource_file
from advisor.catalog import (
    cpu_features,
    frameworks,
    load_toml,
    parse_cpu_features,
    parse_frameworks,
)

RESOURCES = Path(__file__).parents[2] / "resources"


def test_every_shipped_resource_file_is_loaded_by_a_test() -> None:
    # A new data file must get a loader and a test before it ships.
    covered = {
        "frameworks.toml",
        "cpu_features.toml",
        "workloads.toml",
        "peaks.toml",
        "criteria.toml",
        "questions.toml",
        "deploy.toml",  # tests/unit/test_deploy.py
        "scan.toml",  # tests/unit/test_scan.py
    }
    assert {p.name for p in RESOURCES.glob("*.toml")} == covered
    # every profile is checked by tests/unit/test_scoring_engine.py
    assert {p.parent.name for p in RESOURCES.rglob("*.toml")} == {"resources", "profiles"}


def test_shipped_frameworks_point_at_existing_probe_scripts() -> None:
    specs = frameworks()
    assert [s.id for s in specs] == ["torch", "tensorflow"]
    for spec in specs:
        for script in (spec.probe_script, spec.bench_script):
            assert script.is_file()
            assert script.parent == probes_folder()
        assert spec.ecosystem, spec.id


def test_shipped_cpu_features_cover_the_deep_learning_isa() -> None:
    table = cpu_features()
    assert {"AVX2", "FMA", "AVX-512F", "AVX512_BF16", "AVX512_FP16", "AVX-VNNI"} <= set(
        table["x86_64"]
    )
    assert {"AMX-BF16", "AMX-INT8"} <= set(table["x86_64"])
    assert {"NEON", "SVE"} <= set(table["aarch64"])


def test_the_resource_helper_finds_files_through_the_package() -> None:
    assert (
        resource_file("frameworks.toml").read_bytes()
        == (RESOURCES / "frameworks.toml").read_bytes()
    )
    with pytest.raises(ResourceError, match="shipped file missing"):
        resource_file("nope.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema_version = 2\n", "schema_version must be 1"),
        ("schema_version = 1\n[[framework]\n", "test.toml"),
        ("schema_version = 1\n", "needs at least one"),
        (
            'schema_version = 1\n[[framework]]\nid = "x"\ndisplay_name = "X"\npip_package = "x"\n',
            "'probe_script' must be text",
        ),
        (
            'schema_version = 1\n[[framework]]\nid = "x"\ndisplay_name = "X"\npip_package = "x"\n'
            'probe_script = "missing.py"\nbench_script = "torch_bench.py"\n',
            "no script",
        ),
        (
            'schema_version = 1\n[[framework]]\nid = "x"\ndisplay_name = "X"\npip_package = "x"\n'
            'probe_script = "torch_probe.py"\nbench_script = "torch_bench.py"\n'
            'ecosystem = "onnx"\n',
            "'ecosystem' must list names",
        ),
    ],
)
def test_broken_framework_files_are_rejected(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "test.toml"
    path.write_text(text)
    with pytest.raises(ResourceError, match=message):
        parse_frameworks(load_toml(path), path, probes_folder())


def test_repeated_framework_ids_are_rejected(tmp_path: Path) -> None:
    entry = (
        '[[framework]]\nid = "x"\ndisplay_name = "X"\npip_package = "x"\n'
        'probe_script = "torch_probe.py"\nbench_script = "torch_bench.py"\n'
    )
    path = tmp_path / "test.toml"
    path.write_text("schema_version = 1\n" + entry + entry)
    with pytest.raises(ResourceError, match="ids repeat"):
        parse_frameworks(load_toml(path), path, probes_folder())


def test_cpu_feature_without_flags_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ResourceError, match=r"x86_64\.AVX2 must list one or more flags"):
        parse_cpu_features({"schema_version": 1, "x86_64": {"AVX2": []}}, tmp_path / "f.toml")
