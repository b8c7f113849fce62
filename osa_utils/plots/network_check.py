"""Cross-chapter network x9.2, its check by measurement: what overlaps in a drawn figure.

:func:`drawing_problems` checks a drawn figure by measurement: every text's window
extent against every line's path, legends against everything else, and lines
against each other, as :func:`osa_utils.figures.layout_problems` checks clipping.
It finds the lines, dots and node labels by the gid prefixes below, which
:func:`osa_utils.plots.network.actor_network` sets on what it draws.
"""

from __future__ import annotations

import math

#: gid prefixes of the drawn artists, set by the drawing and read by :func:`drawing_problems`.
EDGE_GID, LABEL_GID, DOT_GID = "edge:", "label:", "dot:"


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
    """What overlaps in the drawn network *fig* (:func:`osa_utils.plots.network.actor_network`, with or
    without its caption), measured after drawing it at *dpi* (the figure's own by default) from every text's
    window extent, every line's path and every dot's marker, in display coordinates; an empty list when
    nothing does:

    - a line (an edge) through a text or a technology box other than the labels of its own two nodes, or
      through the dot of a node that is not one of its ends;
    - two lines whose inks touch along more than OVERLAP_IN (collinear lines read as one);
    - a text over another text, or over a dot not its own;
    - a legend over any text, line or dot outside it, or over another legend.

    The lines, dots and node labels are found by their gids (EDGE_GID, DOT_GID, LABEL_GID), as
    :func:`osa_utils.plots.network.actor_network` sets them; every other text (title, source line,
    legends) counts as a label no line may cross.
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
