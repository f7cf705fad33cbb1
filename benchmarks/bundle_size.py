"""Size of the desktop bundle (issue 7), by top-level part; builds it first unless given one.

Usage: python benchmarks/bundle_size.py [BUNDLE_FOLDER]   (default: build into a temp folder)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _size(path: Path) -> int:
    """Bytes on disk; PyInstaller links many Qt libraries twice, so links count as nothing."""
    if path.is_symlink():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(_size(item) for item in path.rglob("*") if item.is_file())


def _mib(count: int) -> str:
    return f"{count / 2**20:,.1f} MiB"


def main() -> None:
    if len(sys.argv) > 1:
        bundle = Path(sys.argv[1])
    else:
        dist = Path(tempfile.mkdtemp(prefix="advisor-dist-"))
        env = dict(os.environ, PYTHON=sys.executable)
        subprocess.run([str(ROOT / "scripts" / "build-app"), str(dist)], env=env, check=True)
        bundle = dist / "framework-advisor"
    files = [item for item in bundle.rglob("*") if item.is_file() and not item.is_symlink()]
    print(f"bundle {bundle}: {_mib(_size(bundle))} in {len(files):,} files")
    internal = bundle / "_internal"
    parts = sorted(internal.iterdir(), key=_size, reverse=True)[:6]
    for part in parts:
        print(f"  {part.relative_to(bundle)}: {_mib(_size(part))}")
    qt = internal / "PySide6" / "Qt" / "lib"
    if qt.is_dir():
        largest = sorted(qt.iterdir(), key=_size, reverse=True)[:4]
        print("  largest Qt libraries: " + ", ".join(f"{p.name} {_mib(_size(p))}" for p in largest))


if __name__ == "__main__":
    main()
