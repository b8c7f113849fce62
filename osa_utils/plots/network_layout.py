"""Cross-chapter network x9.2, its layout: where every node goes, and how big a named actor's label is.

The layout is computed, not simulated, and built so that no line can cross a name:
the technologies sit in a column in the report's order (top to bottom), each
chapter's single-chapter actors as a fan of unnamed dots on the left of their
technology, and the actors listed by several chapters in a column on the right,
named to the right of their dot, at the mean height of their technologies (pushed
apart where their names need room). No random numbers are used, so the same data
gives the same positions, byte for byte. A named actor's label is wrapped here
(:func:`wrap_label`), since its height decides how far the names are pushed apart.
"""

from __future__ import annotations

import math
import unicodedata

from .network_graph import ACTOR, TECH

# --------------------------------------------------------------------------- labels
#: Wrap width of a named actor's label in display columns (a Chinese character counts two).
WRAP = 36
#: Characters that may stand beside Chinese characters in a run that is cut between characters.
_CJK_PUNCT = set("()（）/、·・")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _width(text: str) -> int:
    return sum(2 if _wide(c) else 1 for c in text)


def _cjk_run(word: str) -> bool:
    """True for a word of Chinese characters (with brackets or slashes): it may be cut between characters."""
    return any(_wide(c) for c in word) and all(_wide(c) or c in _CJK_PUNCT for c in word)


def _wrap(text: str, width: int) -> list[str]:
    """Greedy wrap at spaces; a word is never cut, except a run of Chinese characters longer than a
    line, which is cut between characters."""
    pieces = []
    for word in str(text).split():
        while _cjk_run(word) and _width(word) > width:
            cut = 1
            while cut < len(word) and _width(word[: cut + 1]) <= width:
                cut += 1
            pieces.append(word[:cut])
            word = word[cut:]
        pieces.append(word)
    lines: list[str] = []
    for w in pieces:
        if lines and _width(lines[-1]) + 1 + _width(w) <= width:
            lines[-1] += " " + w
        else:
            lines.append(w)
    return lines


def wrap_label(label: str, width: int | None = None) -> str:
    """A named actor's label wrapped greedily to *width* display columns (a Chinese character counts two):
    at spaces only, so no word is ever cut and a Chinese name stays whole where it fits a line (a run of
    Chinese characters longer than a line is cut between characters)."""
    return "\n".join(_wrap(str(label), width or WRAP))


# --------------------------------------------------------------------------- layout
#: Geometry in inches (the axes are drawn at one data unit per inch).
ROW = 1.0  # between two technologies
FAN_R, FAN_R_INNER = 0.46, 0.34  # radii of a technology's fan of unnamed dots (two rows when crowded)
FAN_SPREAD, FAN_STEP = 150.0, 18.0  # degrees: widest fan, step between neighbours
FAN_X = 0.6  # left side of the technology boxes
SPAN = 3.1  # from the technology boxes to the named actors' dots
LABEL_DX = 0.13  # from a named actor's dot to its label
LABEL_PT, TECH_PT, LEGEND_PT = 8.5, 9.0, 8.0
LINE_IN = LABEL_PT * 1.2 / 72  # one line of a label
ACTOR_GAP = 0.16  # between two named actors' labels
BOX_PAD = 0.1  # inches around a technology's name
PORT_MARGIN = 0.05  # lines leave a box no closer than this to its top or bottom


def tech_box_width(g) -> float:
    """Width (inches) of the technology boxes: the widest name, measured in the collection's font, plus padding."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(size=TECH_PT, weight="bold")
    widths = [
        TextToPath().get_text_width_height_descent(d["label"], prop, ismath=False)[0] / 72
        for _, d in g.nodes(data=True)
        if d["kind"] == TECH
    ]
    return round(max(widths, default=1.0) + 2 * BOX_PAD, 4)


def _techs(g) -> list[str]:
    return sorted((n for n, d in g.nodes(data=True) if d["kind"] == TECH), key=lambda n: g.nodes[n]["order"])


def _named(g) -> list[str]:
    return sorted(n for n, d in g.nodes(data=True) if d["kind"] == ACTOR and d["chapters"] > 1)


def _label_height(label: str) -> float:
    return max(1, len(wrap_label(label).splitlines())) * LINE_IN


def layout(g) -> dict[str, tuple[float, float]]:
    """Deterministic positions (inches): technologies in a column (centre of their box), top to bottom in
    printed order; single-chapter actors on a fan left of their technology's box, in row order; named
    (recurring) actors in a column right of the boxes, at the mean height of their technologies, pushed
    apart (symmetrically, until none overlaps) so that their labels keep ACTOR_GAP between them."""
    techs = _techs(g)
    box = tech_box_width(g)
    pos: dict[str, tuple[float, float]] = {}
    for i, t in enumerate(techs):
        pos[t] = (FAN_X + box / 2, 0.0 - ROW * i)  # 0.0 - 0.0: no "-0.0" in the data file
    for t in techs:
        singles = [n for n in sorted(g.neighbors(t), key=lambda n: g[t][n]["rows"]) if g.nodes[n]["chapters"] == 1]
        k = len(singles)
        spread = min(FAN_SPREAD, FAN_STEP * (k - 1))
        x0, y0 = FAN_X, pos[t][1]
        for j, n in enumerate(singles):
            b = math.radians(180 + (0.0 if k == 1 else spread / 2 - spread * j / (k - 1)))
            r = FAN_R if j % 2 == 0 or k <= FAN_SPREAD / FAN_STEP + 1 else FAN_R_INNER
            pos[n] = (x0 + r * math.cos(b), y0 + r * math.sin(b))
    named = _named(g)
    want = {n: math.fsum(pos[t][1] for t in g.neighbors(n)) / g.degree(n) for n in named}
    order = sorted(named, key=lambda n: (-want[n], n))
    half = {n: _label_height(g.nodes[n]["label"]) / 2 for n in named}
    y = {n: want[n] for n in order}
    for _ in range(2000):
        moved = False
        for u, v in zip(order, order[1:]):  # u above v
            need = half[u] + half[v] + ACTOR_GAP - (y[u] - y[v])
            if need > 1e-9:
                y[u] += need / 2
                y[v] -= need / 2
                moved = True
        if not moved:
            break
    x = FAN_X + box + SPAN
    for n in named:
        pos[n] = (x, y[n])
    return {n: (round(px, 6), round(py, 6)) for n, (px, py) in pos.items()}
