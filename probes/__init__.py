"""Probe scripts, run by a target Python; not imported by the advisor."""
