"""The desktop entry, the AppStream metadata and the icons: valid, consistent, installable."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path
from xml.etree import ElementTree

from advisor.gui.app import APP_ID
from tests.helpers import required_tool, run_captured

ROOT = Path(__file__).parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"


def _entries(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_the_desktop_entry_validates() -> None:
    result = run_captured([required_tool("desktop-file-validate"), str(DESKTOP)])
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout


def test_the_appstream_metadata_validates() -> None:
    result = run_captured([required_tool("appstreamcli"), "validate", "--no-net", str(METAINFO)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_id_names_the_entry_the_metadata_the_icon_and_the_window() -> None:
    entry = _entries(DESKTOP)
    assert entry["Icon"] == APP_ID
    assert entry["Exec"] == "framework-advisor gui"
    component = ElementTree.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_icon_is_an_svg_plus_a_png_for_each_size_it_names() -> None:
    icons = LINUX / "icons"
    assert ElementTree.parse(icons / "framework-advisor.svg").getroot().get("viewBox")
    pngs = sorted(icons.glob("framework-advisor-*.png"))
    assert len(pngs) >= 6
    for png in pngs:
        size = int(png.stem.rsplit("-", 1)[1])
        assert _png_size(png) == (size, size)


def test_the_install_script_puts_a_valid_entry_and_the_icons_in_place(tmp_path: Path) -> None:
    program = tmp_path / "my apps" / "framework-advisor"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    data = tmp_path / "share"
    subprocess.run(
        [str(LINUX / "install-desktop-entry"), str(program)],
        env={"XDG_DATA_HOME": str(data), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )
    installed = data / "applications" / DESKTOP.name
    assert _entries(installed)["Exec"] == f'"{program}" gui'
    subprocess.run([required_tool("desktop-file-validate"), str(installed)], check=True)
    assert (data / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg").is_file()
    assert _png_size(data / "icons/hicolor/48x48/apps" / f"{APP_ID}.png") == (48, 48)
    assert (data / "metainfo" / METAINFO.name).is_file()


def test_the_install_script_refuses_a_missing_program(tmp_path: Path) -> None:
    result = run_captured(
        [str(LINUX / "install-desktop-entry"), str(tmp_path / "nothing")],
        env={"XDG_DATA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "install-desktop-entry: no framework-advisor executable given or found on PATH"
    )
