"""The desktop app (PySide6): a thin front-end over the same core the terminal commands use."""
