"""Entry point of the frozen app (PyInstaller): the same command line as `framework-advisor`."""

from __future__ import annotations

import sys

from advisor.report import pdf_worker
from advisor.report.pdf import WORKER_ARGUMENT
from advisor.terminal.cli import main

if __name__ == "__main__":
    if sys.argv[1:2] == [WORKER_ARGUMENT]:  # the PDF printer's child (see report/pdf.py)
        pdf_worker.main(sys.argv[2:])
    sys.exit(main())
