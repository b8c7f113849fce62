"""Risk tables (Figures 2.2, 3.4, 4.2, 6.2, 7.2): a chart of the importance of each challenge.

The importance is an ordinal score (1-4) printed in the table. Where the table prints one
score for several challenges of a dimension (``score_shared``), the score is drawn once, as
one bar spanning those challenges and marked as shared, with the wording of the cross-chapter
heat map (:func:`osa_utils.plots.profiles.cell_profile` / :func:`~osa_utils.plots.profiles.cell_text`).
"""

from __future__ import annotations

import pandas as pd

from .. import style

NO_CHALLENGE = "no challenge listed"


def short_challenge(text, width: int = 48) -> str:
    """The challenge's printed text, cut at a word boundary to about *width* characters ('…' marks a cut)."""
    t = " ".join(str(text).split())
    if len(t) <= width:
        return t
    cut = t[: width - 1].rsplit(" ", 1)[0].rstrip(",;:–-& ")
    return cut + "…"


def risk_profile(challenges: pd.DataFrame, dimensions: pd.DataFrame):
    """Horizontal bars: one row per challenge (short label), grouped under its dimension, bar length =
    printed importance. A score printed once for several challenges is one bar spanning their rows,
    labelled as shared. Bars carry gid 'score:<dimension_id>:<first item>'."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from .profiles import cell_profile, cell_text

    rc = challenges.copy()
    if "score_shared" not in rc.columns:
        rc["score_shared"] = False
    rc["score_shared"] = rc["score_shared"].fillna(False).astype(bool)
    rc["technology_id"] = "_"  # one technology per chart
    prof = cell_profile(rc).set_index("dimension_id") if len(rc) else pd.DataFrame()
    dims = dimensions.sort_values("order")
    labels, bold, bars = [], [], []  # bars: (first row, last row, score, text, gid)
    for d in dims.itertuples():
        labels.append(d.label_risk_tables)
        bold.append(True)
        part = rc[rc["dimension_id"] == d.dimension_id].sort_values("item")
        if part.empty:
            labels.append(NO_CHALLENGE)
            bold.append(False)
            continue
        first = len(labels)
        for c in part.itertuples():
            labels.append(short_challenge(c.challenge))
            bold.append(False)
        p = prof.loc[d.dimension_id]
        if bool(p["shared"]) and int(p["n"]) > 1:
            _, small = cell_text(int(p["max"]), int(p["min"]), int(p["n"]), True)
            bars.append(
                (
                    first,
                    len(labels) - 1,
                    int(p["max"]),
                    f"{int(p['max'])}  ({small.replace(chr(10), ' ')})",
                    f"score:{d.dimension_id}:{int(part['item'].iloc[0])}",
                )
            )
        else:
            for k, c in enumerate(part.itertuples()):
                bars.append(
                    (
                        first + k,
                        first + k,
                        int(c.importance),
                        str(int(c.importance)),
                        f"score:{d.dimension_id}:{int(c.item)}",
                    )
                )
    n = len(labels)
    fig, ax = plt.subplots(figsize=(7.6, 0.24 * n + 0.9))
    for top, bottom, score, text, gid in bars:
        (patch,) = ax.barh(
            (top + bottom) / 2,
            score,
            height=bottom - top + 0.7,
            color=style.LEVEL_COLOURS[score],
            edgecolor="#333333",
            lw=0.6,
        )
        patch.set_gid(gid)
        if bottom > top:  # a bracket on the right of the rows that share the score
            ax.plot([score + 0.06] * 2, [top - 0.3, bottom + 0.3], color=style.TEXT, lw=1.0)
        ax.text(score + 0.14, (top + bottom) / 2, text, va="center", ha="left", fontsize=7.5, color=style.TEXT)
    ax.set_yticks(range(n), labels, fontsize=7.5)
    for lab, is_bold in zip(ax.get_yticklabels(), bold):
        if is_bold:
            lab.set_fontweight("bold")
        elif lab.get_text() == NO_CHALLENGE:
            lab.set_fontstyle("italic")
            lab.set_color(style.MUTED)
    ax.set_ylim(n - 0.5, -0.6)
    ax.set_xlim(0, 6.4)
    ax.set_xticks([0, 1, 2, 3, 4], ["0", "1", "2", "3", "4"])
    ax.spines["bottom"].set_bounds(0, 4)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("Relative importance of challenge (1–4), as printed", loc="left")
    ax.grid(axis="x", color="#e5e5e5", lw=0.6)
    ax.set_axisbelow(True)
    handles = [Patch(facecolor=style.LEVEL_COLOURS[v], edgecolor="#333333", lw=0.5, label=str(v)) for v in (1, 2, 3, 4)]
    ax.legend(
        handles=handles,
        title="Importance (colours as in this collection's Figure 0.1)",
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=4,
        frameon=False,
        fontsize=7.5,
        title_fontsize=7.5,
        alignment="left",
        handlelength=1.4,
        columnspacing=1.0,
    )
    return fig
