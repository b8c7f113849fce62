"""Panel assessments: every assessor's score per challenge (a chart of this collection).

Scores are ordinal (1-4): they are drawn as marks on the four levels, not as bars whose
length would invite arithmetic. One row per challenge, widest disagreement first; one
marker shape and colour per assessor; the panel's median as a grey bar behind the marks.
"""

from __future__ import annotations

from .. import style
from .risk import challenge_label

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def panel_scores(summary, dimensions):
    """The chart for a :class:`osa_utils.panel.PanelSummary`."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    c = summary.challenges
    labels_dim = dict(zip(dimensions["dimension_id"], dimensions["label_risk_tables"]))
    n = len(c)
    labels = [
        f"{challenge_label(ch.challenge, 44)}\n{labels_dim.get(ch.dimension_id, ch.dimension_id)}"
        + ("  (one assessor)" if ch.n < 2 else "")
        for ch in c.itertuples()
    ]  # the whole challenge, wrapped (issue #21: never cut)
    lines = max((lab.count("\n") + 1 for lab in labels), default=1)
    fig, ax = plt.subplots(figsize=(6.0, (0.14 * lines + 0.16) * n + 1.6))
    assessors = summary.assessors
    offsets = {a: (i - (len(assessors) - 1) / 2) * 0.15 for i, a in enumerate(assessors)}
    for row, ch in enumerate(c.itertuples()):
        y = n - 1 - row
        ax.barh(y, 0.18, left=ch.median - 0.09, height=0.7, color="#d9d9d9", zorder=1)
        for i, a in enumerate(assessors):
            if a in ch.scores:
                ax.plot(
                    ch.scores[a],
                    y + offsets[a],
                    MARKERS[i % len(MARKERS)],
                    color=style.CATEGORICAL[i % len(style.CATEGORICAL)],
                    markersize=6,
                    zorder=3,
                    markeredgecolor="white",
                    markeredgewidth=0.5,
                )
    ax.set_yticks(range(n))
    ax.set_yticklabels(labels[::-1], fontsize=8)
    ax.set_xlim(0.5, 4.5)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xticks([1, 2, 3, 4])
    ax.set_xticklabels(["1", "2", "3", "4"])
    ax.set_xlabel("importance scored by each assessor (ordinal, 1–4)")
    ax.grid(axis="x", color="#e5e5e5", zorder=0)
    handles = [
        Line2D(
            [],
            [],
            marker=MARKERS[i % len(MARKERS)],
            linestyle="",
            color=style.CATEGORICAL[i % len(style.CATEGORICAL)],
            label=a,
        )
        for i, a in enumerate(assessors)
    ]
    handles.append(Line2D([], [], marker="s", linestyle="", color="#d9d9d9", markersize=9, label="panel median"))
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=8,
        title="assessor",
        title_fontsize=8,
    )
    return fig
