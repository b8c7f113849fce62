"""Cross-chapter: the technology–actor network (a bipartite graph of the actor tables), its drawing.

This module draws the network (:func:`actor_network`) and gives what it drew as a tidy table
(:func:`drawn_frame`). Its other jobs have their own modules, whose names stay importable from
here: the graph built from the tables in :mod:`.network_graph`, the deterministic layout and the
wrapping of names in :mod:`.network_layout`, and the check by measurement of a drawn figure
(:func:`drawing_problems`) in :mod:`.network_check`.

Every line between a technology and a named actor runs between the two columns of the layout,
from the technology's box to the actor's dot. No random numbers are used, so the same data gives
the same figure, byte for byte.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import style
from .actors import GROUPS
from .network_check import DOT_GID, EDGE_GID, LABEL_GID, OVERLAP_IN, drawing_problems
from .network_graph import (
    ACTOR,
    MIXED_GROUP,
    TECH,
    _edge_symbol,
    actor_graph,
    actor_node,
    node_label,
    tech_node,
)
from .network_layout import (
    LABEL_DX,
    LABEL_PT,
    LEGEND_PT,
    PORT_MARGIN,
    TECH_PT,
    WRAP,
    _label_height,
    _named,
    _techs,
    layout,
    tech_box_width,
    wrap_label,
)

__all__ = [
    "ACTOR",
    "DOT_GID",
    "EDGE_GID",
    "EDGE_STYLES",
    "GROUP_COLOURS",
    "LABEL_GID",
    "MIXED_COLOUR",
    "MIXED_GROUP",
    "NO_SYMBOL",
    "OVERLAP_IN",
    "TECH",
    "WRAP",
    "actor_graph",
    "actor_network",
    "actor_node",
    "drawing_problems",
    "drawn_frame",
    "layout",
    "node_label",
    "tech_box_width",
    "tech_node",
    "wrap_label",
]

#: Edge style per printed priority symbol (None: no symbol in the text).
EDGE_STYLES: dict[str | None, dict[str, Any]] = {
    "●": dict(color="#1a1a1a", lw=1.6, ls="-", label="● printed"),
    "◐": dict(color="#4d4d4d", lw=1.0, ls=(0, (4, 2)), label="◐ printed"),
    None: dict(color="#8a8a8a", lw=0.7, ls=(0, (1, 1.6)), label="no symbol in the text"),
}
GROUP_COLOURS = dict(zip(GROUPS, style.CATEGORICAL))
MIXED_COLOUR = "#bbbbbb"


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
