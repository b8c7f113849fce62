"""Check transcribed text against the report's text extraction.

Standard library only: this module is used by the fidelity tests and by
anyone transcribing a table, before any heavy dependency is installed.

The rule (documented in ``data/datapackage.json`` as ``osa:verbatim``): a text
cell is faithful when, after both it and the report text are normalized, it is
a substring of the report text.  Normalizing removes HTML markup left by the
extraction (``<ul …>``, ``<p>``), bullet characters, soft line breaks and
page-break hyphenation ("depen-\\n\\ndencies"), and collapses whitespace.
Quotes, dashes, case and footnote markers are *not* normalized: they must match
as printed.

A cell may elide text the extraction put in the middle of a printed sentence (a
footnote block, a page break) with `` […] ``; each piece must then occur, in
order.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DEFAULT_SOURCE = Path(__file__).resolve().parent.parent.parent / "shared" / "reference" / "000_c1b4ff3702dc90eb.txt"

_TAG = re.compile(r"</?(?:ul|ol|li|p|br|span|div|b|i|em|strong|sup|sub)\b[^<>]*>")
_BULLETS = re.compile(r"[•●◐▪◦]")
_HYPHEN_BREAK = re.compile(r"(\w)-\s*\n\s*(\w)")
_WS = re.compile(r"\s+")
ELISION = re.compile(r"\s*\[…\]\s*")
# Markdown emphasis and escapes the extraction added around words.
_MD = re.compile(r"(?<!\w)[*_]+|[*_]+(?!\w)|\\(?=[$&#_])")


def normalize(text: str) -> str:
    """Return *text* with markup, bullets and layout whitespace removed."""
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = _TAG.sub(" ", text)
    text = _BULLETS.sub(" ", text)
    text = _MD.sub("", text)
    return _WS.sub(" ", text).strip()


def source_path() -> Path | None:
    """Path of the report text: ``$OSA_SOURCE_TEXT`` or the shared copy beside the checkout."""
    env = os.environ.get("OSA_SOURCE_TEXT")
    candidates = [Path(env)] if env else []
    candidates.append(DEFAULT_SOURCE)
    for c in candidates:
        if c.is_file():
            return c
    return None


def load_source(path: str | os.PathLike | None = None) -> str:
    p = Path(path) if path else source_path()
    if p is None:
        raise FileNotFoundError("report text not found: set OSA_SOURCE_TEXT")
    return normalize(p.read_text(encoding="utf-8"))


class Source:
    """The normalized report text, with a fast, hyphenation-tolerant lookup."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.text = load_source(path)
        # Second form with the remaining "word- word" page-break hyphens joined,
        # so "depen- dencies" in the text matches "dependencies" in a cell.
        self.joined = re.sub(r"(\w)- (\w)", r"\1\2", self.text)

    def contains(self, cell: str) -> bool:
        pieces = [normalize(p) for p in ELISION.split(cell)]
        return self._in_order(pieces, self.text) or self._in_order(pieces, self.joined)

    @staticmethod
    def _in_order(pieces: list[str], text: str) -> bool:
        pos = 0
        for piece in pieces:
            if not piece:
                continue
            found = text.find(piece, pos)
            if found < 0:
                return False
            pos = found + len(piece)
        return True


def pieces(cell: str, source: Source, min_len: int = 8, window: int = 10_000) -> list[str] | None:
    """Split *cell* into the fewest in-order pieces that each occur in *source*.

    For cells the extraction scattered (a URL split over two lines, a footnote
    continued after a page's body text): returns the pieces, or None when some
    part of the cell (other than a short tail such as ">.") is not in the text.
    Greedy longest-prefix matching; after the first piece, each next piece is
    looked for within *window* characters of the previous one.
    """
    out: list[str] = []
    rest, pos = normalize(cell), 0
    full = source.text
    while rest:
        text = full[: pos + window] if out else full
        lo, hi = 0, len(rest)
        while lo < hi:  # longest prefix of rest found at or after pos
            mid = (lo + hi + 1) // 2
            if text.find(rest[:mid], pos) >= 0:
                lo = mid
            else:
                hi = mid - 1
        if lo == 0 or (lo < min_len and lo < len(rest)):
            return None
        piece = rest[:lo]
        pos = text.find(piece, pos) + lo
        out.append(piece)
        rest = rest[lo:].lstrip()
    return out


def missing(cells, source: Source) -> list[str]:
    """Cells (strings) that do not occur in *source*."""
    return [c for c in cells if isinstance(c, str) and c.strip() and not source.contains(c)]


if __name__ == "__main__":  # python3 osa_utils/fidelity.py FILE.csv COLUMN [COLUMN...]
    import csv
    import sys

    src = Source()
    path, cols = sys.argv[1], sys.argv[2:]
    bad = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            for col in cols:
                v = row.get(col, "")
                if v and not src.contains(v):
                    bad += 1
                    print(f"{path}:{i}:{col}: not found in report text: {v[:100]!r}")
    print(f"{bad} cell(s) not found")
    sys.exit(1 if bad else 0)
