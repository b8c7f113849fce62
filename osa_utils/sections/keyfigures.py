"""Charts of numbers the text states: Box 1, Figure 5.3, and supplementary charts."""
from __future__ import annotations


class KeyFiguresMixin:
    pass
