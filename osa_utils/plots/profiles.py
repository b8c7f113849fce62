"""Cross-chapter: threat profiles of the five chapters with a risk table, and the
grouping of the chapters' recommended instruments into Figure 0.3's instrument types.

The heat map and the spread chart show only the importance scores of
risk_challenges.csv. The instrument grouping (:func:`instrument_type`) is this
collection's reading, not the report's: a keyword rule, stated in full in
:data:`INSTRUMENT_RULE` and printed with the table.
"""

from __future__ import annotations

import pandas as pd

from .. import style

#: This collection's keyword rule: (Figure 0.3 instrument type, keywords). A chapter's
#: instrument text (lower-cased) gets the type of the FIRST entry one of whose keywords
#: it contains (plain substring match); no match gives None ("not matched by the rule").
#: The order settles texts that name two types (e.g. 'Transatlantic Cooperation on
#: Standards' is read as Standardization).
INSTRUMENT_RULE: list[tuple[str, tuple[str, ...]]] = [
    ("Standardization", ("standard",)),
    ("Certification", ("certif",)),
    ("Transparency measures", ("transparen", "dependency analysis", "mapping", "risk assessment")),
    ("Diversification incentives, e.g. procurement", ("diversif", "procurement")),
    ("Protection of indispensable actors", ("indispensable",)),
    (
        "Cooperation with third parties, e.g. Free Trade Agreements",
        ("third countr", "third part", "free trade", "cooperation with"),
    ),
    ("Like-minded sourcing", ("sourcing", "trusted alternative")),
    ("Like-minded cooperation", ("like-minded", "allied", "transatlantic", "partner")),
    ("Regulation", ("regulat", "gdpr", "mandate")),
    ("R&D investment", ("research", "r&d", "invest")),
    ("Industrial policy", ("industrial", "chips act")),
]
NOT_MATCHED = "not matched by the rule"


def instrument_type(text) -> str | None:
    """Figure 0.3 instrument type of a chapter's recommended instrument, by :data:`INSTRUMENT_RULE`
    (first matching entry; case-insensitive substring match), or None when no keyword occurs."""
    if text is None or text is pd.NA:
        return None
    t = str(text).lower()
    for kind, keywords in INSTRUMENT_RULE:
        if any(k in t for k in keywords):
            return kind
    return None


def rule_text() -> str:
    """The rule in one sentence, for the table's note."""
    parts = [f"{kind} ← " + " / ".join(f"'{k}'" for k in keywords) for kind, keywords in INSTRUMENT_RULE]
    return (
        "Keyword rule (case-insensitive; the first type in this order whose keyword the text contains): "
        + "; ".join(parts)
        + "."
    )


# --------------------------------------------------------------------------- heat map
def cell_profile(risk_challenges: pd.DataFrame) -> pd.DataFrame:
    """Per technology and dimension: max, min, number of challenges and whether the table prints
    one score shared by them (score_shared on every row and, as a check, one value)."""
    g = risk_challenges.groupby(["technology_id", "dimension_id"])
    out = pd.DataFrame(
        {
            "max": g["importance"].max(),
            "min": g["importance"].min(),
            "n": g.size(),
            "shared": g["score_shared"].agg(lambda s: bool(s.fillna(False).all())),
        }
    ).reset_index()
    for c in ("max", "min", "n"):
        out[c] = out[c].astype(int)
    out["shared"] = out["shared"] & (out["min"] == out["max"])
    return out


def cell_text(max_: int, min_: int, n: int, shared: bool) -> tuple[str, str]:
    """Main number and the small line under it. A range of one value is said as that value
    ('each scored 3', never 'range 3–3': issue #21)."""
    if n == 1:
        return str(max_), ""
    if shared:
        return str(max_), f"{n} challenges,\none score printed"
    if min_ == max_:
        return str(max_), f"{n} challenges,\neach scored {max_}"
    return str(max_), f"{n} challenges:\nrange {min_}–{max_}"


def range_words(lo: int, hi: int) -> str:
    """'range 1–4', or 'all scored 3' where the range is one value."""
    return f"all scored {lo}" if lo == hi else f"range {lo}–{hi}"


#: The report's own warning against comparing the scores across technologies (executive summary, L96 of
#: the text), drawn inside the cross-chapter views x9.3 and x9.4 (issue #21), not only in their captions.
CROSS_CHAPTER_CAVEAT = (
    "The report warns: “it is difficult to compare the degree of risk across several emerging and foundational "
    "technologies, ranking within a single technology is easier”; the assessment across technologies “needs to "
    "be taken with a pinch of salt” (Executive summary)."
)


def add_caveat(fig, text: str = CROSS_CHAPTER_CAVEAT, fontsize: float = 8.0) -> None:
    """*text* (italic, wrapped to the figure's width) under everything drawn on *fig* so far, so it is part
    of the image (the source line, added later by style.add_caption, goes under it)."""
    fw, fh = fig.get_size_inches()
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    chars = int(max(bbox.width, fw) * 72 / (fontsize * 0.56))
    fig.text(
        min(bbox.x0, 0.05) / fw,
        (bbox.y0 - 0.08) / fh,
        style.wrap(text, chars),
        ha="left",
        va="top",
        fontsize=fontsize,
        style="italic",
        color=style.TEXT,
        gid="caveat",
    )


def importance_heatmap(
    risk_challenges: pd.DataFrame,
    technologies: pd.DataFrame,
    dimensions: pd.DataFrame,
    title: str = "",
    highlight: tuple[str, str] | None = None,
    caveat: str | None = CROSS_CHAPTER_CAVEAT,
):
    """Technologies (rows, printed order, those with challenges) x dimensions (columns): colour and
    number = highest importance in the cell; the range and count are written when a cell lists
    several challenges. Each cell rectangle has gid 'cell:<technology_id>:<dimension_id>' and its
    number gid 'value:<technology_id>:<dimension_id>'. *highlight* (technology_id, dimension_id)
    outlines one cell (the edited cell of a what-if). *caveat* (the report's warning against comparing
    across technologies, by default) is written under the chart, inside the image."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    prof = cell_profile(risk_challenges)
    techs = technologies[technologies["technology_id"].isin(prof["technology_id"])].sort_values("order")
    dims = dimensions[dimensions["dimension_id"].isin(prof["dimension_id"])].sort_values("order")
    n_t, n_d = len(techs), len(dims)
    fig, ax = plt.subplots(figsize=(1.7 * n_d + 2.0, 0.8 * n_t + 1.2))
    ax.set_xlim(0, n_d)
    ax.set_ylim(n_t, 0)
    t_idx = {t: i for i, t in enumerate(techs["technology_id"])}
    d_idx = {d: j for j, d in enumerate(dims["dimension_id"])}
    for r in prof.itertuples():
        if r.technology_id not in t_idx or r.dimension_id not in d_idx:
            continue
        i, j = t_idx[r.technology_id], d_idx[r.dimension_id]
        colour = style.LEVEL_COLOURS[int(r.max)]
        ax.add_patch(
            Rectangle(
                (j, i), 1, 1, facecolor=colour, edgecolor="white", lw=2, gid=f"cell:{r.technology_id}:{r.dimension_id}"
            )
        )
        if highlight == (r.technology_id, r.dimension_id):
            ax.add_patch(
                Rectangle(
                    (j + 0.03, i + 0.03),
                    0.94,
                    0.94,
                    facecolor="none",
                    edgecolor="#1a1a1a",
                    lw=2.5,
                    ls=(0, (3, 1.5)),
                    zorder=4,
                )
            )
        ink = "white" if int(r.max) >= 3 else style.TEXT
        big, small = cell_text(int(r.max), int(r.min), int(r.n), bool(r.shared))
        ax.text(
            j + 0.5,
            i + (0.36 if small else 0.5),
            big,
            ha="center",
            va="center",
            fontsize=12,
            fontweight="bold",
            color=ink,
            gid=f"value:{r.technology_id}:{r.dimension_id}",
        )
        if small:
            ax.text(j + 0.5, i + 0.72, small, ha="center", va="center", fontsize=8, color=ink, linespacing=1.0)
    ax.set_xticks([j + 0.5 for j in range(n_d)], [style.wrap(l, 16) for l in dims["label_risk_tables"]], fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks(
        [i + 0.5 for i in range(n_t)],
        [f"{s} ({f})" for s, f in zip(techs["short_label"], "Fig. " + techs["risk_table_figure"].astype(str))],
        fontsize=8,
    )
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    if title:
        ax.set_title(title, fontsize=9, color="#b00020", fontweight="bold", loc="left", pad=30)
    handles = [Patch(facecolor=style.LEVEL_COLOURS[v], edgecolor="#333333", lw=0.5, label=str(v)) for v in (1, 2, 3, 4)]
    ax.legend(
        handles=handles,
        title="Highest relative importance in the cell (1–4)",
        loc="upper left",
        bbox_to_anchor=(0.0, -0.02),
        ncol=4,
        frameon=False,
        fontsize=8,
        title_fontsize=8,
        alignment="left",
        handlelength=1.4,
        columnspacing=1.0,
    )
    if caveat:
        add_caveat(fig, caveat)
    return fig


# --------------------------------------------------------------------------- spread
MARKERS = ["o", "s", "D", "^", "v", "P", "X"]


def importance_spread(
    risk_challenges: pd.DataFrame,
    technologies: pd.DataFrame,
    dimensions: pd.DataFrame,
    caveat: str | None = CROSS_CHAPTER_CAVEAT,
):
    """Per dimension, every challenge's importance as a dot, one column of dots per technology
    (fixed offsets, no random jitter); several challenges of one chapter and dimension stand side
    by side, with a bracket below where the table prints one score for them. A grey band spans the
    range across the chapters. *caveat* as in :func:`importance_heatmap`."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    rc = risk_challenges
    techs = technologies[technologies["technology_id"].isin(rc["technology_id"])].sort_values("order")
    dims = dimensions.sort_values("order")
    tech_ids = techs["technology_id"].tolist()
    n_t = len(tech_ids)
    fig, ax = plt.subplots(figsize=(8.2, 3.9))
    slot = 0.8 / max(n_t, 1)
    for j, d in enumerate(dims["dimension_id"]):
        part = rc[rc["dimension_id"] == d]
        if len(part):
            lo, hi = int(part["importance"].min()), int(part["importance"].max())
            ax.add_patch(
                plt.Rectangle(
                    (j - 0.45, lo - 0.18), 0.9, hi - lo + 0.36, facecolor="#efefef", edgecolor="none", zorder=0
                )
            )
            ax.text(
                j,
                4.55,
                f"{len(part)} challenges, {range_words(lo, hi)}",
                ha="center",
                va="bottom",
                fontsize=8,
                color=style.MUTED,
            )
        for k, t in enumerate(tech_ids):
            cell = part[part["technology_id"] == t].sort_values("item")
            x0 = j - 0.4 + slot * (k + 0.5)
            m = len(cell)
            step = min(0.06, 0.95 * slot / max(m, 1))
            xs = [x0 + (q - (m - 1) / 2) * step for q in range(m)]
            colour, marker = style.CATEGORICAL[k % len(style.CATEGORICAL)], MARKERS[k % len(MARKERS)]
            if m > 1 and bool(cell["score_shared"].fillna(False).all()):
                y = int(cell["importance"].iloc[0]) - 0.16
                ax.plot(
                    [xs[0] - 0.02, xs[0] - 0.02, xs[-1] + 0.02, xs[-1] + 0.02],
                    [y + 0.05, y, y, y + 0.05],
                    color=colour,
                    lw=1.4,
                    zorder=2,
                    solid_joinstyle="miter",
                )
            for x, v in zip(xs, cell["importance"].astype(int)):
                ax.plot(x, v, marker=marker, ms=5.8, mfc=colour, mec="#1a1a1a", mew=0.5, ls="none", zorder=3)
    ax.set_xlim(-0.5, len(dims) - 0.5)
    ax.set_ylim(0.5, 4.85)
    ax.set_yticks([1, 2, 3, 4], ["1", "2", "3", "4"])
    ax.set_ylabel("Relative importance of challenge (1–4)")
    ax.set_xticks(range(len(dims)), [style.wrap(l, 18) for l in dims["label_risk_tables"]], fontsize=8)
    ax.grid(axis="y", color="#e5e5e5", lw=0.6)
    ax.set_axisbelow(True)
    handles = [
        Line2D(
            [],
            [],
            marker=MARKERS[k % len(MARKERS)],
            ls="none",
            ms=6.5,
            mfc=style.CATEGORICAL[k % len(style.CATEGORICAL)],
            mec="#1a1a1a",
            mew=0.5,
            label=lab,
        )
        for k, lab in enumerate(techs["short_label"])
    ]
    handles.append(Line2D([], [], color="#777777", lw=1.4, label="bracket: one score printed for several challenges"))
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.16),
        ncol=3,
        frameon=False,
        fontsize=8,
        handletextpad=0.3,
        columnspacing=1.2,
    )
    if caveat:
        add_caveat(fig, caveat)
    return fig
