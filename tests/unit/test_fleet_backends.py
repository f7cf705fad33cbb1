"""The `fleet` command as the backend registry builds it, and `fleet ray`'s refusals that
need no cluster: Ray not installed, an address that is not HOST:PORT, bad selections."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from advisor.fleet.registry import BACKENDS
from advisor.terminal.cli import build_parser, main


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_every_registered_backend_is_a_fleet_command_with_the_shared_options(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["fleet", name, "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"usage: framework-advisor fleet {name} ")
    for shared in ("--python", "--preset", "--output-dir", "--dry-run", "--profile", "--quiet"):
        assert shared in shown
    assert BACKENDS[name].description.split()[0] in shown


def _fleet_ray(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str]:
    code = main(["fleet", "ray", "--output-dir", str(tmp_path / "out"), *args])
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert not (tmp_path / "out").exists()  # refused before anything is written
    return code, err


def test_ray_not_installed_is_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets without the extra
    code, err = _fleet_ray(capsys, tmp_path, "--address", "127.0.0.1:6379")
    assert code == 2
    assert err == (
        "framework-advisor: error: Ray is not installed: "
        "pip install 'framework-advisor[fleet-ray]'\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--address", "auto"], "--address 'auto': not HOST:PORT (the address `ray start"),
        (["--address", "head:port"], "--address 'head:port': not HOST:PORT"),
        (["--address", "h:1", "--nodes", "0"], "--nodes 0: must be at least 1"),
        (["--address", "h:1", "--resources", "GPU=lots"], "not a number: 'GPU=lots'"),
        (["--address", "h:1", "--resources", "GPU"], "not NAME=VALUE: 'GPU'"),
        (["--address", "h:1", "--labels", ","], "no NAME=VALUE in ','"),
        (["--nodes", "2"], "the following arguments are required: --address"),
    ],
)
def test_bad_ray_options_are_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, err = _fleet_ray(capsys, tmp_path, *args)
    assert code == 2
    assert err.startswith("framework-advisor: error: ") and message in err
