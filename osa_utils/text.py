"""Small text helpers every layer uses: missing values, terminal colour codes.

Standard library only, so the lowest modules (``data``) can import it.
"""

from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def is_missing(value: object) -> bool:
    """True for a missing table value: None, pandas' NA/NaT or a float NaN."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    return type(value).__name__ in ("NAType", "NaTType")


def text(value: object) -> str:
    """A table value as text; a missing value becomes the empty string."""
    return "" if is_missing(value) else str(value)


def strip_ansi(value: object) -> str:
    """Text without terminal colour codes (Jupyter tracebacks carry them)."""
    return _ANSI.sub("", str(value))
