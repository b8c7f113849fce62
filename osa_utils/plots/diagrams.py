"""Figures 0.2/1.4 and 1.1: diagrams lost in the text extraction, redrawn from the introduction's prose.

The axes span the figure in inches (x right, y up), so wrap widths and box
heights follow from the font sizes and nothing is left to automatic layout.
"""

from __future__ import annotations

import pandas as pd

from .. import style

RECONSTRUCTED_LABEL = "Reconstructed from the text: the original diagram is not in the source"
#: Kept for callers; no box shows it since issue #21: a step without a result sentence shows the step's own
#: sentence (method_steps.csv summary; step 4: L424 of the text).
NO_RESULT = "(no result sentence printed)"
BOX_FACE = "#f4f6f8"
BOX_EDGE = "#8a96a3"
PAD = 0.12  # inches inside a box


def _chars(width_in: float, fontsize: float, bold: bool = False) -> int:
    """Characters of DejaVu Sans that fit in *width_in* inches at *fontsize* points."""
    return max(8, int(width_in * 72 / (fontsize * (0.62 if bold else 0.56))))


def _height(text: str, fontsize: float) -> float:
    """Height in inches of *text* (newline-separated lines) at matplotlib's line spacing 1.2."""
    return (text.count("\n") + 1) * fontsize * 1.2 / 72 if text else 0.0


def _canvas(width: float, height: float):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return fig, ax


def _box(ax, x: float, top: float, w: float, h: float, edge: str = BOX_EDGE) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(
        FancyBboxPatch((x, top - h), w, h, boxstyle="round,pad=0,rounding_size=0.06", fc=BOX_FACE, ec=edge, lw=1.0)
    )


def _marking(ax, x: float, y: float) -> None:
    ax.text(x, y, RECONSTRUCTED_LABEL, ha="left", va="bottom", fontsize=8, style="italic", color=style.MUTED)


def method_diagram(steps: pd.DataFrame):
    """Figure 0.2/1.4: the four steps left to right, joined by arrows.

    Each box holds 'STEP n', the step name and the step's result sentence ("The result of this step
    should be ..."). Where the text prints none (step 4), the box holds what the text says of the step
    instead, its own sentence (the ``summary`` column: for step 4 "Based on the three previous steps, the EU
    will be able to identify the appropriate policy tools.", L424 of the text; the executive summary, L133,
    says the same: policymakers "should use different policy tools"), never a placeholder (issue #21)."""
    steps = steps.sort_values("step")
    n = len(steps)
    box_w, gap, margin = 2.0, 0.36, 0.1
    name_fs, body_fs, badge_fs = 9.0, 8.0, 8.0
    inner = box_w - 2 * PAD
    cells = []
    for s in steps.itertuples():
        has_result = pd.notna(s.result) and str(s.result).strip()
        said = s.result if has_result else getattr(s, "summary", None)
        has_text = bool(said is not None and pd.notna(said) and str(said).strip())
        name = style.wrap(s.name, _chars(inner, name_fs, bold=True))
        body = style.wrap(str(said) if has_text else NO_RESULT, _chars(inner, body_fs))
        cells.append((int(s.step), name, body, bool(has_text)))
    name_h = max(_height(c[1], name_fs) for c in cells)
    body_h = max(_height(c[2], body_fs) for c in cells)
    badge_h = badge_fs * 1.2 / 72
    box_h = PAD + badge_h + 0.06 + name_h + 0.1 + body_h + PAD
    width = 2 * margin + n * box_w + (n - 1) * gap
    height = box_h + 2 * margin + 0.25
    fig, ax = _canvas(width, height)
    top = margin + box_h
    for k, (number, name, body, has_result) in enumerate(cells):
        x = margin + k * (box_w + gap)
        _box(ax, x, top, box_w, box_h, edge=style.CATEGORICAL[0])
        y = top - PAD
        ax.text(
            x + PAD,
            y,
            f"STEP {number}",
            ha="left",
            va="top",
            fontsize=badge_fs,
            fontweight="bold",
            color=style.CATEGORICAL[0],
        )
        y -= badge_h + 0.06
        ax.text(x + PAD, y, name, ha="left", va="top", fontsize=name_fs, fontweight="bold", color=style.TEXT)
        y -= name_h + 0.1
        ax.text(
            x + PAD,
            y,
            body,
            ha="left",
            va="top",
            fontsize=body_fs,
            color=style.TEXT if has_result else style.MUTED,
            style="normal" if has_result else "italic",
        )
        if k < n - 1:
            ax.annotate(
                "",
                xy=(x + box_w + gap - 0.05, top - box_h / 2),
                xytext=(x + box_w + 0.05, top - box_h / 2),
                arrowprops=dict(
                    arrowstyle="-|>,head_length=0.5,head_width=0.3",
                    color=style.CATEGORICAL[0],
                    lw=1.6,
                    shrinkA=0,
                    shrinkB=0,
                ),
            )
    _marking(ax, margin, top + 0.08)
    return fig


def dimensions_diagram(summary: pd.DataFrame):
    """Figure 1.1: the four numbered dimensions as a 2 x 2 grid (number, heading, summary).

    '[…]' in a summary marks where the text extraction put a footnote inside the sentence, not
    omitted printed text: it is left out of the drawing."""
    summary = summary.sort_values("number").assign(
        summary=lambda f: f["summary"].astype(str).str.replace(r"\s*\[…\]\s*", " ", regex=True).str.strip()
    )
    box_w, gap, margin, badge = 3.9, 0.22, 0.1, 0.34
    head_fs, body_fs = 9.5, 8.0
    text_w = box_w - 2 * PAD - badge - 0.12
    cells = [
        (
            int(r.number),
            style.wrap(r.heading, _chars(text_w, head_fs, bold=True)),
            style.wrap(r.summary, _chars(box_w - 2 * PAD, body_fs)),
        )
        for r in summary.itertuples()
    ]
    head_h = max(max(_height(c[1], head_fs) for c in cells), badge)
    body_h = max(_height(c[2], body_fs) for c in cells)
    box_h = PAD + head_h + 0.1 + body_h + PAD
    ncol = 2
    nrow = -(-len(cells) // ncol)
    width = 2 * margin + ncol * box_w + (ncol - 1) * gap
    height = 2 * margin + nrow * box_h + (nrow - 1) * gap + 0.25
    fig, ax = _canvas(width, height)
    grid_top = margin + nrow * box_h + (nrow - 1) * gap
    from matplotlib.patches import Circle

    for k, (number, heading, body) in enumerate(cells):
        colour = style.CATEGORICAL[0]  # one colour: the dimensions are not encoded by hue anywhere else
        x = margin + (k % ncol) * (box_w + gap)
        top = grid_top - (k // ncol) * (box_h + gap)
        _box(ax, x, top, box_w, box_h, edge=colour)
        cx, cy = x + PAD + badge / 2, top - PAD - badge / 2
        ax.add_patch(Circle((cx, cy), badge / 2, fc=colour, ec="none"))
        ax.text(cx, cy, str(number), ha="center", va="center", fontsize=11, fontweight="bold", color="white")
        ax.text(
            x + PAD + badge + 0.12,
            top - PAD,
            heading,
            ha="left",
            va="top",
            fontsize=head_fs,
            fontweight="bold",
            color=style.TEXT,
        )
        ax.text(x + PAD, top - PAD - head_h - 0.1, body, ha="left", va="top", fontsize=body_fs, color=style.TEXT)
    _marking(ax, margin, grid_top + 0.08)
    return fig
