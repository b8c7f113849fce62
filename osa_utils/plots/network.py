"""Cross-chapter: the technology–actor network (a bipartite graph of the actor tables).

The layout is computed, not simulated: technologies sit on a circle in the
report's order, each chapter's single-chapter actors on a small fan outside
their technology, and actors listed by several chapters inside the circle, at
the centroid of their technologies (nudged apart deterministically when two
would touch). No random numbers are used, so the same data gives the same
figure, byte for byte.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .. import model, style
from .actors import GROUPS, actor_type_group

TECH = "tech"
ACTOR = "actor"
#: Edge style per printed priority symbol (None: no symbol in the text).
EDGE_STYLES: dict[str | None, dict[str, Any]] = {
    "●": dict(color="#1a1a1a", lw=1.6, ls="-", label="● printed"),
    "◐": dict(color="#4d4d4d", lw=1.0, ls=(0, (4, 2)), label="◐ printed"),
    None: dict(color="#9a9a9a", lw=0.6, ls=(0, (1, 1.6)), label="no symbol in the text"),
}
GROUP_COLOURS = dict(zip(GROUPS, style.CATEGORICAL))
MIXED_GROUP = "differs across chapters"
MIXED_COLOUR = "#bbbbbb"


def tech_node(technology_id: str) -> str:
    return f"{TECH}:{technology_id}"


def actor_node(actor_id: str) -> str:
    return f"{ACTOR}:{actor_id}"


def _symbol(value):
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def actor_graph(actors: pd.DataFrame, technologies: pd.DataFrame, name_lang: str = "en"):
    """The bipartite graph: one node per technology and per actor_id, one edge per actor-table row.

    Nodes are inserted in a sorted order (technologies by printed order, actors by
    actor_id). Technology nodes carry ``label`` (short_label) and ``order``; actor
    nodes carry ``label`` (the name per *name_lang* from the first chapter listing
    the actor), ``chapters`` (number of technologies), ``groups`` (type groups of
    the printed actor types, this collection's reading) and ``group``. Each edge
    carries ``rows`` (figure, row) and ``symbols`` (printed priority, None when
    the text prints none). A repeated (technology, actor) pair keeps one edge with
    all its rows, so the edge count equals the row count exactly when pairs are
    unique (as in the data).
    """
    import networkx as nx

    techs = technologies.sort_values("order")
    order = dict(zip(techs["technology_id"], techs["order"]))
    a = actors.assign(_t=actors["technology_id"].map(order)).sort_values(["_t", "figure", "row"], kind="stable")
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
        rows = a[a["actor_id"] == actor_id]
        groups = sorted({actor_type_group(x) for x in rows["actor_type"]})
        g.add_node(
            actor_node(actor_id),
            kind=ACTOR,
            actor_id=actor_id,
            label=model.actor_name(rows.iloc[0], name_lang),
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


#: Label geometry in data units (figure of 8.6 in for about 3 units): per character, per line.
CHAR_W, LINE_H, TOP, GAP, WRAP = 0.025, 0.046, 0.045, 0.025, 24
TECH_CHAR_W = 0.032


def _wide(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in ("W", "F")


def _width(text: str) -> int:
    return sum(2 if _wide(c) else 1 for c in text)


def wrap_label(label: str, width: int | None = None) -> str:
    """A recurring actor's label wrapped greedily at spaces to *width* display columns
    (Chinese characters count two; a run of them longer than a line is cut between characters)."""
    width = width or WRAP
    pieces = []
    for word in str(label).split():
        while _width(word) > width:
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
    return "\n".join(lines)


def _label_box(label: str) -> tuple[float, float]:
    """Width and depth below the dot of a recurring actor's dot and wrapped label."""
    lines = wrap_label(label).splitlines() or [""]
    width = max(_width(l) for l in lines)
    return max(0.1, 0.03 + CHAR_W * width), 0.06 + LINE_H * len(lines)


def layout(g, radius: float = 1.0, fan: float = 0.3) -> dict[str, tuple[float, float]]:
    """Deterministic positions: technologies on a circle (clockwise from the top, in printed
    order), single-chapter actors on a fan outside their technology, recurring actors at the
    centroid of their technologies pulled towards the middle, then pushed apart if closer than
    a label needs."""
    techs = sorted((n for n, d in g.nodes(data=True) if d["kind"] == TECH), key=lambda n: g.nodes[n]["order"])
    pos: dict[str, tuple[float, float]] = {}
    angle = {}
    for i, t in enumerate(techs):
        a = math.pi / 2 - 2 * math.pi * i / len(techs)
        angle[t] = a
        pos[t] = (radius * math.cos(a), radius * math.sin(a))
    # single-chapter actors: a fan of up to 200 degrees facing outwards, in row order
    for t in techs:
        singles = [n for n in sorted(g.neighbors(t), key=lambda n: g[t][n]["rows"]) if g.nodes[n]["chapters"] == 1]
        k = len(singles)
        spread = min(math.radians(200), math.radians(24) * max(k - 1, 1))
        for j, n in enumerate(singles):
            off = 0.0 if k == 1 else -spread / 2 + spread * j / (k - 1)
            b = angle[t] + off
            r = fan * (1.0 if j % 2 == 0 or k < 9 else 0.78)  # two rows when crowded
            pos[n] = (pos[t][0] + r * math.cos(b), pos[t][1] + r * math.sin(b))
    # recurring actors: centroid of their technologies, scaled inwards
    rec = sorted((n for n, d in g.nodes(data=True) if d["kind"] == ACTOR and d["chapters"] > 1))
    for n in rec:
        ts = sorted(g.neighbors(n), key=lambda t: g.nodes[t]["order"])
        x = sum(pos[t][0] for t in ts) / len(ts)
        y = sum(pos[t][1] for t in ts) / len(ts)
        pos[n] = (0.78 * x, 0.78 * y)
    # deterministic relaxation: push recurring actors apart until their dots and labels do not touch
    boxes = {n: _label_box(g.nodes[n]["label"]) for n in rec}
    for _ in range(500):
        moved = False
        for i, u in enumerate(rec):
            for v in rec[i + 1 :]:
                (wu, hu), (wv, hv) = boxes[u], boxes[v]
                # box of a node: x +- w/2, from y + TOP down to y - h
                dx = pos[v][0] - pos[u][0]
                need_x = (wu + wv) / 2 + GAP - abs(dx)
                uy0, uy1 = pos[u][1] - hu, pos[u][1] + TOP
                vy0, vy1 = pos[v][1] - hv, pos[v][1] + TOP
                need_y = min(uy1, vy1) - max(uy0, vy0) + GAP
                if need_x <= 0 or need_y <= 0:
                    continue
                moved = True
                if need_x <= need_y:
                    s = need_x / 2 * (1 if dx >= 0 else -1)
                    pos[u], pos[v] = (pos[u][0] - s, pos[u][1]), (pos[v][0] + s, pos[v][1])
                else:
                    s = need_y / 2 * (1 if pos[v][1] >= pos[u][1] else -1)
                    pos[u], pos[v] = (pos[u][0], pos[u][1] - s), (pos[v][0], pos[v][1] + s)
        # technology boxes are fixed obstacles: only the actor moves
        for u in rec:
            wu, hu = boxes[u]
            for t in techs:
                wt, ht = TECH_CHAR_W * len(g.nodes[t]["label"]) + 0.08, 0.12
                dx = pos[u][0] - pos[t][0]
                need_x = (wu + wt) / 2 + GAP - abs(dx)
                need_y = min(pos[u][1] + TOP, pos[t][1] + ht / 2) - max(pos[u][1] - hu, pos[t][1] - ht / 2) + GAP
                if need_x <= 0 or need_y <= 0:
                    continue
                moved = True
                if need_x <= need_y:
                    pos[u] = (pos[u][0] + need_x * (1 if dx >= 0 else -1), pos[u][1])
                else:
                    up = pos[u][1] + TOP / 2 - hu / 2 >= pos[t][1]
                    pos[u] = (pos[u][0], pos[u][1] + need_y * (1 if up else -1))
        if not moved:
            break
    return {n: (round(x, 6), round(y, 6)) for n, (x, y) in pos.items()}


def actor_network(g, pos: dict | None = None):
    """Draw the graph: technology boxes, recurring actors labelled, single-chapter actors as dots."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    pos = pos or layout(g)
    fig, ax = plt.subplots(figsize=(8.6, 8.2))
    ax.set_aspect("equal")
    ax.axis("off")
    # edges, weakest first so printed priorities are drawn on top
    rank = {None: 0, "◐": 1, "●": 2}
    edges = sorted(g.edges(data=True), key=lambda e: (rank[_edge_symbol(e[2]["symbols"])], sorted(e[:2])))
    for u, v, d in edges:
        st = EDGE_STYLES[_edge_symbol(d["symbols"])]
        ax.plot(
            [pos[u][0], pos[v][0]],
            [pos[u][1], pos[v][1]],
            color=st["color"],
            lw=st["lw"],
            ls=st["ls"],
            zorder=1,
            solid_capstyle="butt",
        )
    actors = sorted(n for n, d in g.nodes(data=True) if d["kind"] == ACTOR)
    for n in actors:
        d = g.nodes[n]
        colour = GROUP_COLOURS.get(d["group"], MIXED_COLOUR)
        recurring = d["chapters"] > 1
        ax.plot(
            *pos[n],
            "o",
            ms=11 if recurring else 4.5,
            mfc=colour,
            mec="#1a1a1a" if recurring else "white",
            mew=0.9 if recurring else 0.4,
            zorder=3,
            ls="none",
        )
        if recurring:
            ax.text(
                pos[n][0],
                pos[n][1] - 0.045,
                wrap_label(d["label"]),
                ha="center",
                va="top",
                fontsize=7.2,
                color=style.TEXT,
                zorder=5,
                linespacing=1.05,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
            )
    for n in sorted((n for n, d in g.nodes(data=True) if d["kind"] == TECH), key=lambda n: g.nodes[n]["order"]):
        x, y = pos[n]
        ax.text(
            x,
            y,
            g.nodes[n]["label"],
            ha="center",
            va="center",
            fontsize=8.5,
            fontweight="bold",
            color="white",
            zorder=6,
            bbox=dict(boxstyle="round,pad=0.35", fc="#2b2b2b", ec="none"),
        )
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.12, max(xs) + 0.12)
    ax.set_ylim(min(ys) - 0.12, max(ys) + 0.12)
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
    leg1 = ax.legend(
        handles=node_handles,
        title="Actor type group (this collection's reading)",
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0),
        frameon=False,
        fontsize=7.2,
        title_fontsize=7.5,
        ncol=2,
        alignment="left",
        handletextpad=0.3,
        columnspacing=1.0,
    )
    ax.add_artist(leg1)
    ax.legend(
        handles=edge_handles,
        title="Line: priority printed in the actor table",
        loc="upper right",
        bbox_to_anchor=(1.0, 0.0),
        frameon=False,
        fontsize=7.2,
        title_fontsize=7.5,
        alignment="left",
        handlelength=2.6,
    )
    return fig
