"""Entry point of the frozen app (PyInstaller): the same command line as `framework-advisor`."""

from __future__ import annotations

import sys

from advisor.cli import main

if __name__ == "__main__":
    sys.exit(main())
