"""Cross-chapter: the technology–actor network (a bipartite graph of the actor tables).

The layout is computed, not simulated, and built so that no line can cross a name:
the technologies sit in a column in the report's order (top to bottom), each
chapter's single-chapter actors as a fan of unnamed dots on the left of their
technology, and the actors listed by several chapters in a column on the right,
named to the right of their dot, at the mean height of their technologies (pushed
apart where their names need room). Every line between a technology and a named
actor runs between the two columns, from the technology's box to the actor's dot.
No random numbers are used, so the same data gives the same figure, byte for byte.

:func:`drawing_problems` checks a drawn figure by measurement: every text's window
extent against every line's path, legends against everything else, and lines
against each other, as :func:`osa_utils.figures.layout_problems` checks clipping.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

import pandas as pd

from .. import style
from .actors import GROUPS, actor_type_group

TECH = "tech"
ACTOR = "actor"
#: Edge style per printed priority symbol (None: no symbol in the text).
EDGE_STYLES: dict[str | None, dict[str, Any]] = {
    "●": dict(color="#1a1a1a", lw=1.6, ls="-", label="● printed"),
    "◐": dict(color="#4d4d4d", lw=1.0, ls=(0, (4, 2)), label="◐ printed"),
    None: dict(color="#8a8a8a", lw=0.7, ls=(0, (1, 1.6)), label="no symbol in the text"),
}
GROUP_COLOURS = dict(zip(GROUPS, style.CATEGORICAL))
MIXED_GROUP = "differs across chapters"
MIXED_COLOUR = "#bbbbbb"
#: gid prefixes of the drawn artists, read by :func:`drawing_problems`.
EDGE_GID, LABEL_GID, DOT_GID = "edge:", "label:", "dot:"


def tech_node(technology_id: str) -> str:
    return f"{TECH}:{technology_id}"


def actor_node(actor_id: str) -> str:
    return f"{ACTOR}:{actor_id}"


def _symbol(value):
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def _printed(value) -> str:
    s = _symbol(value)
    return "" if s is None or s in ("", "<NA>", "nan") else s


def node_label(names_en: tuple[str, ...], names_zh: tuple[str, ...], name_lang: str = "en") -> str:
    """An actor's name as drawn: the first English name ('en'); every printed Chinese name, separated
    by ' / ' ('zh', the English name where none is printed); or both, 'English (中文 / 中文)' ('en+zh')."""
    en = names_en[0] if names_en else ""
    if name_lang == "en" or not names_zh:
        return en
    zh = " / ".join(names_zh)
    return zh if name_lang == "zh" else f"{en} ({zh})"


def actor_graph(actors: pd.DataFrame, technologies: pd.DataFrame, name_lang: str = "en"):
    """The bipartite graph: one node per technology and per actor_id, one edge per actor-table row.

    Nodes are inserted in a sorted order (technologies by printed order, actors by
    actor_id). Technology nodes carry ``label`` (short_label) and ``order``; actor
    nodes carry ``names_en`` and ``names_zh`` (every distinct name printed on the
    node's rows, in table order: the rows that are the actor itself first, then rows
    marked ``unit`` (an optional column: a unit merged into its organisation, whose
    printed names are in the optional columns ``printed_name_en``/``printed_name_zh``)),
    ``label`` (:func:`node_label` per *name_lang*), ``chapters`` (number of
    technologies), ``groups`` (type groups of the printed actor types, this
    collection's reading) and ``group``. Each edge carries ``rows`` (figure, row) and
    ``symbols`` (printed priority, None when the text prints none). A repeated
    (technology, actor) pair keeps one edge with all its rows, so the edge count
    equals the row count exactly when pairs are unique (as in the data).
    """
    import networkx as nx

    techs = technologies.sort_values("order")
    order = dict(zip(techs["technology_id"], techs["order"]))
    a = actors.assign(_t=actors["technology_id"].map(order)).sort_values(["_t", "figure", "row"], kind="stable")
    unit = a["unit"].fillna(False).astype(bool) if "unit" in a.columns else pd.Series(False, index=a.index)
    printed_en = a["printed_name_en"] if "printed_name_en" in a.columns else a["name_en"]
    printed_zh = a["printed_name_zh"] if "printed_name_zh" in a.columns else a["name_zh"]
    g = nx.Graph()
    for t in techs.itertuples():
        g.add_node(
            tech_node(t.technology_id),
            kind=TECH,
            technology_id=t.technology_id,
            label=str(t.short_label),
            order=int(t.order),
        )
    for actor_id in sorted(a["actor_id"].unique()):
        mine = a["actor_id"] == actor_id
        rows = a[mine]
        own, units = mine & ~unit, mine & unit
        names_en = tuple(dict.fromkeys(n for n in map(_printed, list(printed_en[own]) + list(printed_en[units])) if n))
        names_zh = tuple(dict.fromkeys(n for n in map(_printed, list(printed_zh[own]) + list(printed_zh[units])) if n))
        if not own.any():  # only units: the organisation's own names come first (as set on the rows)
            names_en = tuple(dict.fromkeys((_printed(rows["name_en"].iloc[0]),) + names_en))
            first_zh = _printed(rows["name_zh"].iloc[0])
            names_zh = tuple(dict.fromkeys(((first_zh,) if first_zh else ()) + names_zh))
        groups = sorted({actor_type_group(x) for x in rows["actor_type"]})
        g.add_node(
            actor_node(actor_id),
            kind=ACTOR,
            actor_id=actor_id,
            names_en=names_en,
            names_zh=names_zh,
            label=node_label(names_en, names_zh, name_lang),
            chapters=int(rows["technology_id"].nunique()),
            groups=tuple(groups),
            group=groups[0] if len(groups) == 1 else MIXED_GROUP,
        )
    for r in a.itertuples():
        u, v = tech_node(r.technology_id), actor_node(r.actor_id)
        if g.has_edge(u, v):
            g[u][v]["rows"] += ((str(r.figure), int(r.row)),)
            g[u][v]["symbols"] += (_symbol(r.priority_symbol),)
        else:
            g.add_edge(u, v, rows=((str(r.figure), int(r.row)),), symbols=(_symbol(r.priority_symbol),))
    return g


def _edge_symbol(symbols) -> str | None:
    """The strongest printed symbol of an edge (● over ◐ over none)."""
    for s in ("●", "◐"):
        if s in symbols:
            return s
    return None


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
    want = {n: sum(pos[t][1] for t in g.neighbors(n)) / g.degree(n) for n in named}
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


# --------------------------------------------------------------------------- drawing
def actor_network(g, pos: dict | None = None):
    """Draw the graph: technology boxes, named actors (those listed by several chapters), the others as
    dots; the legends below. The figure's size follows what is drawn (at most about 8.5 in wide)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch

    pos = pos or layout(g)
    techs = _techs(g)
    box = tech_box_width(g)
    box_h = TECH_PT * 2.1 / 72
    fig = plt.figure(figsize=(8.5, 8.0))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.axis("off")
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvases (inline, Agg) have it
    dpi = fig.dpi

    ports = {}  # (technology, actor) -> where the line leaves the box
    for t in techs:
        x, y = pos[t]
        for side in (1, -1):  # right side: named actors; left side: the fan
            ends = sorted(
                (a for a in g.neighbors(t) if (g.nodes[a]["chapters"] > 1) == (side == 1)),
                key=lambda a: (-pos[a][1], a),
            )
            span = box_h - 2 * PORT_MARGIN
            for j, a in enumerate(ends):
                dy = 0.0 if len(ends) == 1 else span / 2 - span * j / (len(ends) - 1)
                ports[t, a] = (round(x + side * box / 2, 6), round(y + dy, 6))

    def anchor(t: str, other: str) -> tuple[float, float]:
        """Where a technology's line leaves its box: the right side towards a named actor, else the left;
        each line at its own height, in the order of the other ends, so no two leave as one."""
        return ports[t, other]

    # edges, weakest first so printed priorities are drawn on top
    rank = {None: 0, "◐": 1, "●": 2}
    edges = []
    for u, v, d in g.edges(data=True):
        t, a = (u, v) if g.nodes[u]["kind"] == TECH else (v, u)
        edges.append((rank[_edge_symbol(d["symbols"])], t, a, d))
    for _, t, a, d in sorted(edges, key=lambda e: e[:3]):
        st = EDGE_STYLES[_edge_symbol(d["symbols"])]
        (x0, y0), (x1, y1) = anchor(t, a), pos[a]
        ax.plot(
            [x0, x1],
            [y0, y1],
            color=st["color"],
            lw=st["lw"],
            ls=st["ls"],
            zorder=1,
            solid_capstyle="butt",
            gid=f"{EDGE_GID}{t}|{a}",
        )
    actors = sorted(n for n, d in g.nodes(data=True) if d["kind"] == ACTOR)
    right = 0.0
    for n in actors:
        d = g.nodes[n]
        colour = GROUP_COLOURS.get(d["group"], MIXED_COLOUR)
        named = d["chapters"] > 1
        ax.plot(
            *pos[n],
            "o",
            ms=11 if named else 4.8,
            mfc=colour,
            mec="#1a1a1a" if named else "white",
            mew=0.9 if named else 0.4,
            zorder=3,
            ls="none",
            gid=f"{DOT_GID}{n}",
        )
        if named:
            text = ax.text(
                pos[n][0] + LABEL_DX,
                pos[n][1],
                wrap_label(d["label"]),
                ha="left",
                va="center",
                fontsize=LABEL_PT,
                color=style.TEXT,
                zorder=5,
                gid=f"{LABEL_GID}{n}",
            )
            right = max(right, pos[n][0] + LABEL_DX + text.get_window_extent(renderer).width / dpi)
    for n in techs:
        x, y = pos[n]
        ax.add_patch(
            FancyBboxPatch(
                (x - box / 2 + 0.03, y - box_h / 2 + 0.03),
                box - 0.06,
                box_h - 0.06,
                boxstyle="round,pad=0.03",
                fc="#2b2b2b",
                ec="none",
                zorder=6,
                gid=f"{LABEL_GID}{n}#box",  # ids in the SVG stay unique
            )
        )
        ax.text(
            x,
            y,
            g.nodes[n]["label"],
            ha="center",
            va="center",
            fontsize=TECH_PT,
            fontweight="bold",
            color="white",
            zorder=7,
            gid=f"{LABEL_GID}{n}",
        )
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    named_nodes = _named(g)
    top = max([max(ys) + 0.12] + [pos[n][1] + _label_height(g.nodes[n]["label"]) / 2 for n in named_nodes])
    bottom = min([min(ys) - 0.12] + [pos[n][1] - _label_height(g.nodes[n]["label"]) / 2 for n in named_nodes])
    left = min(min(xs) - 0.12, 0.0)

    present = [gr for gr in GROUPS if any(g.nodes[n]["group"] == gr for n in actors)]
    if any(g.nodes[n]["group"] == MIXED_GROUP for n in actors):
        present.append(MIXED_GROUP)
    node_handles = [
        Line2D(
            [],
            [],
            marker="o",
            ls="none",
            ms=7,
            mfc=GROUP_COLOURS.get(gr, MIXED_COLOUR),
            mec="#1a1a1a",
            mew=0.6,
            label=gr,
        )
        for gr in present
    ]
    node_handles += [
        Line2D(
            [], [], marker="o", ls="none", ms=9, mfc="white", mec="#1a1a1a", label="listed by several chapters (named)"
        ),
        Line2D(
            [], [], marker="o", ls="none", ms=4, mfc="#777777", mec="white", label="listed by one chapter (unnamed dot)"
        ),
    ]
    symbols_present = {_edge_symbol(d["symbols"]) for _, _, d in g.edges(data=True)}
    edge_handles = [
        Line2D([], [], color=st["color"], lw=st["lw"] + 0.3, ls=st["ls"], label=st["label"])
        for s, st in EDGE_STYLES.items()
        if s in symbols_present
    ]
    legend_top = bottom - 0.15
    leg1 = ax.legend(
        handles=node_handles,
        title="Actor type group (this collection's reading)",
        loc="upper left",
        bbox_to_anchor=(left + 0.05, legend_top),
        bbox_transform=ax.transData,
        frameon=False,
        fontsize=LEGEND_PT,
        title_fontsize=LEGEND_PT + 0.5,
        ncol=2,
        alignment="left",
        handletextpad=0.3,
        columnspacing=1.0,
        borderaxespad=0.0,
        borderpad=0.2,
    )
    ax.add_artist(leg1)
    w1 = leg1.get_window_extent(renderer)
    leg2 = ax.legend(
        handles=edge_handles,
        title="Line: priority printed in the actor table",
        loc="upper left",
        bbox_to_anchor=(left + 0.05 + w1.width / dpi + 0.35, legend_top),
        bbox_transform=ax.transData,
        frameon=False,
        fontsize=LEGEND_PT,
        title_fontsize=LEGEND_PT + 0.5,
        alignment="left",
        handlelength=2.6,
        borderaxespad=0.0,
        borderpad=0.2,
    )
    w2 = leg2.get_window_extent(renderer)
    legend_bottom = legend_top - max(w1.height, w2.height) / dpi
    right = max(right, left + 0.05 + (w1.width + w2.width) / dpi + 0.35) + 0.1
    bottom = legend_bottom - 0.05
    # one data unit per inch: the figure is as big as what is drawn
    fig.set_size_inches(round(right - left, 4), round(top - bottom, 4))
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    return fig


# --------------------------------------------------------------------------- the check by measurement
#: Two lines whose ink touches along more than this (inches) read as one.
OVERLAP_IN = 0.15


def _node_of(gid: str | None, prefix: str) -> str | None:
    """The node named by a gid of *prefix* ('label:tech:6g#box' -> 'tech:6g'), else None."""
    return gid[len(prefix) :].split("#")[0] if gid and gid.startswith(prefix) else None


def _segment_hits_box(p, q, box, shrink: float = 0.5) -> bool:
    """True when the segment p-q passes through *box* (display coordinates; shrunk by *shrink* px)."""
    x0, y0, x1, y1 = box.x0 + shrink, box.y0 + shrink, box.x1 - shrink, box.y1 - shrink
    if x0 >= x1 or y0 >= y1:
        return False
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for pk, qk in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return False
            continue
        r = qk / pk
        if pk < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 > t1:
            return False
    return True


def _touching_length(a, b, tol: float, step: float = 0.5) -> float:
    """Length (px) of segment *a* lying within *tol* px of segment *b* (display coordinates)."""
    import numpy as np

    (ax0, ay0), (ax1, ay1) = a
    (bx0, by0), (bx1, by1) = b
    length = math.hypot(ax1 - ax0, ay1 - ay0)
    if length == 0:
        return 0.0
    s = np.linspace(0.0, 1.0, max(2, int(length / step) + 1))
    px, py = ax0 + s * (ax1 - ax0), ay0 + s * (ay1 - ay0)
    vx, vy = bx1 - bx0, by1 - by0
    vv = vx * vx + vy * vy
    u = np.clip(((px - bx0) * vx + (py - by0) * vy) / vv, 0.0, 1.0) if vv else np.zeros_like(s)
    dist = np.hypot(px - (bx0 + u * vx), py - (by0 + u * vy))
    return float((dist <= tol).sum() - 1) * length / (len(s) - 1) if (dist <= tol).any() else 0.0


def _measure(fig):
    """Draw *fig* and measure, in display coordinates: labels (what, owner node or None, box, legend index
    or None), edges ((u, v), (p, q), width px), dots (node, box) and the visible legends."""
    from matplotlib.legend import Legend
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    if not hasattr(fig.canvas, "get_renderer"):  # a figure closed by pyplot (shown and saved) keeps a bare canvas
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72
    legends = [lg for lg in fig.findobj(Legend) if lg.get_visible()]
    member = {id(a): i for i, lg in enumerate(legends) for a in lg.findobj() if a is not lg}
    labels = []
    for t in fig.findobj(Text):
        if t.get_visible() and str(t.get_text()).strip():
            what = f"text {_short(t.get_text())!r}"
            labels.append((what, _node_of(t.get_gid(), LABEL_GID), t.get_window_extent(renderer), member.get(id(t))))
    for p in fig.findobj(FancyBboxPatch):
        node = _node_of(p.get_gid(), LABEL_GID)
        if node and id(p) not in member:
            labels.append((f"box of {node}", node, p.get_window_extent(renderer), None))
    edges, dots = [], []
    for line in fig.findobj(Line2D):
        if id(line) in member or not line.get_visible():
            continue
        xy = line.get_transform().transform(line.get_xydata())
        edge, dot = _node_of(line.get_gid(), EDGE_GID), _node_of(line.get_gid(), DOT_GID)
        if edge is not None:
            u, v = edge.split("|")
            edges.append(((u, v), (tuple(xy[0]), tuple(xy[-1])), line.get_linewidth() * px_per_pt))
        elif dot is not None:
            r = line.get_markersize() * px_per_pt / 2
            x, y = xy[0]
            dots.append((dot, Bbox.from_extents(x - r, y - r, x + r, y + r)))
    return labels, edges, dots, [(lg, lg.get_window_extent(renderer)) for lg in legends]


def _short(s: str) -> str:
    return " ".join(str(s).split())[:40]


def _edge_problems(labels, edges, dots, dpi: float) -> list[str]:
    """Lines through texts, boxes or dots that are not of their two ends, and lines on top of each other."""
    problems = []
    for (u, v), seg, _ in edges:
        problems += [
            f"line {u}–{v} crosses {what}"
            for what, owner, box, _ in labels
            if owner not in (u, v) and _segment_hits_box(seg[0], seg[1], box)
        ]
        problems += [
            f"line {u}–{v} passes through the dot of {n}"
            for n, box in dots
            if n not in (u, v) and _segment_hits_box(seg[0], seg[1], box, shrink=1.0)
        ]
    for i, (ends_a, seg_a, lw_a) in enumerate(edges):
        for ends_b, seg_b, lw_b in edges[i + 1 :]:
            tol = (lw_a + lw_b) / 2  # centre lines this close: the inks touch
            if _far_apart(seg_a, seg_b, tol):
                continue
            if _touching_length(seg_a, seg_b, tol) > OVERLAP_IN * dpi:
                problems.append(f"lines {'–'.join(ends_a)} and {'–'.join(ends_b)} run on top of each other")
    return problems


def _far_apart(a, b, tol: float) -> bool:
    (ax0, ay0), (ax1, ay1) = a
    (bx0, by0), (bx1, by1) = b
    return (
        min(ax0, ax1) - tol > max(bx0, bx1)
        or min(bx0, bx1) - tol > max(ax0, ax1)
        or min(ay0, ay1) - tol > max(by0, by1)
        or min(by0, by1) - tol > max(ay0, ay1)
    )


def _text_problems(labels, dots) -> list[str]:
    """Texts (outside legends) over each other or over a dot that is not their own node's."""
    problems = [
        f"{what} covers the dot of {n}"
        for what, owner, box, leg in labels
        for n, dot in dots
        if leg is None and owner != n and _boxes_overlap(box, dot)
    ]
    for i, (what_a, owner_a, box_a, leg_a) in enumerate(labels):
        for what_b, owner_b, box_b, leg_b in labels[i + 1 :]:
            if leg_a is not None or leg_b is not None or (owner_a is not None and owner_a == owner_b):
                continue  # legends are checked whole (below); a node's text sits on its own box
            if _boxes_overlap(box_a, box_b):
                problems.append(f"{what_a} overlaps {what_b}")
    return problems


def _legend_problems(labels, edges, dots, legends) -> list[str]:
    """A legend over any text, line or dot outside it (another legend's texts included)."""
    problems = []
    for i, (lg, box) in enumerate(legends):
        name = f"legend {_short(lg.get_title().get_text())!r}"
        problems += [
            f"{name} overlaps {what}" for what, _, other, leg in labels if leg != i and _boxes_overlap(box, other)
        ]
        problems += [
            f"{name} overlaps line {u}–{v}" for (u, v), seg, _ in edges if _segment_hits_box(seg[0], seg[1], box)
        ]
        problems += [f"{name} overlaps the dot of {n}" for n, dot in dots if _boxes_overlap(box, dot)]
    return problems


def drawing_problems(fig, dpi: float | None = None) -> list[str]:
    """What overlaps in the drawn network *fig* (:func:`actor_network`, with or without its caption), measured
    after drawing it at *dpi* (the figure's own by default) from every text's window extent, every line's
    path and every dot's marker, in display coordinates; an empty list when nothing does:

    - a line (an edge) through a text or a technology box other than the labels of its own two nodes, or
      through the dot of a node that is not one of its ends;
    - two lines whose inks touch along more than OVERLAP_IN (collinear lines read as one);
    - a text over another text, or over a dot not its own;
    - a legend over any text, line or dot outside it, or over another legend.

    The lines, dots and node labels are found by their gids (EDGE_GID, DOT_GID, LABEL_GID), as
    :func:`actor_network` sets them; every other text (title, source line, legends) counts as a label
    no line may cross.
    """
    if dpi:
        fig.set_dpi(dpi)
    labels, edges, dots, legends = _measure(fig)
    return (
        _edge_problems(labels, edges, dots, fig.dpi)
        + _text_problems(labels, dots)
        + _legend_problems(labels, edges, dots, legends)
    )


def _boxes_overlap(a, b, shrink: float = 0.5) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 2 * shrink and min(a.y1, b.y1) - max(a.y0, b.y0) > 2 * shrink


# --------------------------------------------------------------------------- what is drawn, as data
NO_SYMBOL = "no symbol in the text"


def drawn_frame(g, pos: dict | None = None) -> pd.DataFrame:
    """The marks of :func:`actor_network` as a tidy table (saved beside the image as fig-x9-2.csv): one row
    per node (technologies in printed order, then actors by actor_id) and per line (by technology, actor),
    with ids, the names printed for the node (every distinct one, ' / ' between them), the label drawn
    (its line breaks as spaces; empty for an unnamed dot), the figure rows and printed priority symbols
    behind a line, and the position drawn (inches, y upwards; a line's is its actor's)."""
    pos = pos or layout(g)
    techs = _techs(g)
    order = {t: i for i, t in enumerate(techs)}
    actors = sorted(n for n, d in g.nodes(data=True) if d["kind"] == ACTOR)
    rows = []
    for n in techs + actors:
        d = g.nodes[n]
        tech = d["kind"] == TECH
        rows.append(
            {
                "mark": "node",
                "kind": "technology" if tech else "actor",
                "technology_id": d["technology_id"] if tech else "",
                "actor_id": "" if tech else d["actor_id"],
                "label_drawn": d["label"] if tech or d["chapters"] > 1 else "",
                "names_en": d["label"] if tech else " / ".join(d["names_en"]),
                "names_zh": "" if tech else " / ".join(d["names_zh"]),
                "chapters": "" if tech else d["chapters"],
                "type_group": "" if tech else d["group"],
                "line": "",
                "priority_printed": "",
                "figure_rows": "",
                "x_in": pos[n][0],
                "y_in": pos[n][1],
            }
        )
    edges = []
    for u, v, d in g.edges(data=True):
        t, a = (u, v) if g.nodes[u]["kind"] == TECH else (v, u)
        edges.append((order[t], a, t, d))
    for _, a, t, d in sorted(edges, key=lambda e: e[:2]):
        strongest = _edge_symbol(d["symbols"])
        rows.append(
            {
                "mark": "line",
                "kind": "listed by the chapter",
                "technology_id": g.nodes[t]["technology_id"],
                "actor_id": g.nodes[a]["actor_id"],
                "label_drawn": "",
                "names_en": "",
                "names_zh": "",
                "chapters": "",
                "type_group": "",
                "line": EDGE_STYLES[strongest]["label"],
                "priority_printed": " / ".join(s or NO_SYMBOL for s in d["symbols"]),
                "figure_rows": "; ".join(f"Figure {f} row {r}" for f, r in d["rows"]),
                "x_in": pos[a][0],
                "y_in": pos[a][1],
            }
        )
    frame = pd.DataFrame(rows)
    frame["label_drawn"] = frame["label_drawn"].map(lambda s: " ".join(str(s).split()))
    return frame
