"""Data files shipped with the advisor."""
