"""The base every layer stands on: errors, files, JSON and TOML, safe text, the data folder,
shipped resources, progress and time left, stop signals, and whether Qt can draw."""
