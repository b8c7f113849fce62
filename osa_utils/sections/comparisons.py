"""Comparison tables and reconstructed diagrams: Figures 0.2/1.4, 0.3/1.3, 1.1, 5.1, 5.4, 8.1."""
from __future__ import annotations


class ComparisonsMixin:
    pass
