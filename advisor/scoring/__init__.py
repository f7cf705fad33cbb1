"""Turning answers and measurements into an explainable recommendation (pure logic)."""
