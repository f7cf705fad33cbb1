"""Entry point for ``python -m advisor``."""

from __future__ import annotations

from advisor.terminal.cli import main

raise SystemExit(main())
