"""Small text helpers every layer uses: missing values, terminal colour codes, control characters.

Standard library only, so the lowest modules (``data``) can import it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import overload

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


#: Control characters: C0 (below U+0020, tab included), DEL and C1 (U+007F to U+009F).
CONTROL = frozenset([*range(0x00, 0x20), *range(0x7F, 0xA0)])
#: Bidirectional formatting characters (embeddings and overrides, isolates, the marks LRM, RLM, ALM):
#: they reorder what a terminal shows.
BIDI = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C])
#: What :func:`printable` escapes: every control character but the tab, as ``\\xNN``.
_ESCAPES = {c: f"\\x{c:02x}" for c in sorted(CONTROL) if c != 0x09}


def control_characters(value: str) -> list[str]:
    """The control characters (C0, DEL, C1, bidirectional formatting) in *value*, as U+XXXX, each once."""
    return [f"U+{ord(c):04X}" for c in dict.fromkeys(value) if ord(c) in CONTROL or ord(c) in BIDI]


def printable(value: object) -> str:
    """*value* as text with control characters (C0 but the tab, DEL, C1) shown as ``\\xNN`` escapes."""
    return str(value).translate(_ESCAPES)


@overload
def shorten(value: str, limit: int = 60) -> str: ...
@overload
def shorten(value: object, limit: int = 60) -> object: ...
def shorten(value: object, limit: int = 60) -> object:
    """*value* as given, or a string longer than *limit* cut there with its length said:
    ``'abc... (75 characters)'`` (for a message that quotes a user's value)."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + f"... ({len(value)} characters)"
    return value


#: Zero-width characters (and the soft hyphen): invisible, so removed before text is compared.
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def clean_text(value: object) -> str:
    """Text as compared: Unicode NFC, zero-width characters (and soft hyphens) removed."""
    return unicodedata.normalize("NFC", str(value)).translate(ZERO_WIDTH)
