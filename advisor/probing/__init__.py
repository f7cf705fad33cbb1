"""Running probe scripts in subprocesses of a chosen Python, and reading what they report."""
