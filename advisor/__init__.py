"""Framework Advisor: choose between PyTorch and TensorFlow with evidence from your own machine."""

from __future__ import annotations

__version__ = "0.1.0"
