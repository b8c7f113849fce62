"""Risk tables (Figures 2.2, 3.4, 4.2, 6.2, 7.2) and a user's assessment: the importance of each challenge.

The importance is an ordinal score (1-4): it is drawn as a position on a 1-4 scale (a dot at its
level), never as a bar whose length from 0 would read "4" as four times "1" (issue #21). Each
challenge is labelled by its whole text, wrapped, never cut. Where the table prints one score for
several challenges of a dimension (``score_shared``), the score is drawn once, as one dot on a
bracket spanning those challenges, with the wording of the cross-chapter heat map
(:func:`osa_utils.plots.profiles.cell_profile` / :func:`~osa_utils.plots.profiles.cell_text`).
"""

from __future__ import annotations

import pandas as pd

from .. import style

NO_CHALLENGE = "no challenge listed"
#: Characters per line of a challenge's label: the label is the whole printed text, wrapped.
LABEL_CHARS = 50
#: Font size of every text of the chart (the legibility rule's minimum: figures.MIN_FONT_PT).
FONT = 8.0
#: Inches per unit of the chart's y axis (one unit: one line of 8 pt text with its leading).
LINE_IN = 0.145
#: Whose scores the chart shows, in its axis label: a report's table prints them; a user's form gives them.
SCORE_WORDS = {
    "printed": "Relative importance of the challenge (1–4), as printed in the table",
    "user": "Relative importance of the challenge (1–4), as scored by the user",
}


def short_challenge(text, width: int = 48) -> str:
    """The challenge's printed text, cut at a word boundary to about *width* characters ('…' marks a cut).

    Kept for places with room for one line only (a dropdown); charts wrap the whole text
    (:func:`challenge_label`)."""
    t = " ".join(str(text).split())
    if len(t) <= width:
        return t
    cut = t[: width - 1].rsplit(" ", 1)[0].rstrip(",;:–-& ")
    return cut + "…"


def challenge_label(text, width: int = LABEL_CHARS) -> str:
    """The challenge's whole text on lines of at most *width* characters (nothing cut)."""
    import textwrap

    return "\n".join(textwrap.wrap(" ".join(str(text).split()), width=width, break_long_words=False)) or str(text)


def risk_rows(challenges: pd.DataFrame, dimensions: pd.DataFrame) -> pd.DataFrame:
    """What :func:`risk_profile` draws, one row per mark: dimension_id, dimension, items (the challenges'
    item numbers a mark stands for, ';'-joined), challenges (their texts, ' | '-joined), importance and
    shared (True where the table prints one score for several challenges, drawn once)."""
    from .profiles import cell_profile

    rc = _prepared(challenges)
    prof = cell_profile(rc).set_index("dimension_id") if len(rc) else pd.DataFrame()
    rows = []
    for d in dimensions.sort_values("order").itertuples():
        part = rc[rc["dimension_id"] == d.dimension_id].sort_values("item")
        if part.empty:
            continue
        p = prof.loc[d.dimension_id]
        groups = [part] if bool(p["shared"]) and int(p["n"]) > 1 else [part.iloc[[k]] for k in range(len(part))]
        for g in groups:
            rows.append(
                {
                    "dimension_id": d.dimension_id,
                    "dimension": d.label_risk_tables,
                    "items": ";".join(str(int(i)) for i in g["item"]),
                    "challenges": " | ".join(" ".join(str(c).split()) for c in g["challenge"]),
                    "importance": int(g["importance"].iloc[0]),
                    "shared": len(g) > 1,
                }
            )
    return pd.DataFrame(rows, columns=["dimension_id", "dimension", "items", "challenges", "importance", "shared"])


def _prepared(challenges: pd.DataFrame) -> pd.DataFrame:
    rc = challenges.copy()
    if "score_shared" not in rc.columns:
        rc["score_shared"] = False
    rc["score_shared"] = rc["score_shared"].fillna(False).astype(bool)
    rc["technology_id"] = "_"  # one technology per chart
    return rc


def risk_profile(challenges: pd.DataFrame, dimensions: pd.DataFrame, scores: str = "printed"):
    """A dot plot: one row per challenge (its whole text, wrapped), grouped under its dimension; a dot at
    the challenge's importance on a 1-4 scale, coloured as the levels of this collection's Figure 0.1,
    with the score written in it. A score printed once for several challenges is one dot on a bracket
    spanning their rows, labelled as shared. Dots carry gid 'score:<dimension_id>:<first item>'; the
    bracket of a shared score 'shared:<dimension_id>'.

    *scores* says whose scores they are, in the axis label: "printed" (a report's table) or "user"
    (a user's assessment: nothing on the chart then calls a score printed)."""
    import matplotlib.pyplot as plt

    from .profiles import cell_text

    if scores not in SCORE_WORDS:
        raise ValueError(f"scores={scores!r}: expected one of {sorted(SCORE_WORDS)}")
    marks = risk_rows(challenges, dimensions)
    rc = _prepared(challenges)
    # the rows, top to bottom: (label, is_heading, height in lines); y grows downwards
    labels: list[tuple[str, str]] = []  # (text, kind: heading / challenge / none)
    centres: dict[tuple[str, int], float] = {}
    y = 0.0
    ticks: list[float] = []
    for k, d in enumerate(dimensions.sort_values("order").itertuples()):
        y += 0.0 if k == 0 else 0.7
        ticks.append(y + 0.5)
        labels.append((d.label_risk_tables, "heading"))
        y += 1.0
        part = rc[rc["dimension_id"] == d.dimension_id].sort_values("item")
        if part.empty:
            ticks.append(y + 0.6)
            labels.append((NO_CHALLENGE, "none"))
            y += 1.2
            continue
        for c in part.itertuples():
            text = challenge_label(c.challenge)
            h = max(text.count("\n") + 1, 1) + 0.9
            ticks.append(y + h / 2)
            labels.append((text, "challenge"))
            centres[(d.dimension_id, int(c.item))] = y + h / 2
            y += h
    total = y
    width_in, label_in, scale_in = 8.6, 3.45, 2.9
    height_in = total * LINE_IN
    fig = plt.figure(figsize=(width_in, height_in + 0.75))
    ax = fig.add_axes(
        (label_in / width_in, 0.55 / (height_in + 0.75), scale_in / width_in, height_in / (height_in + 0.75))
    )
    ax.set_ylim(total, 0)
    ax.set_xlim(0.6, 4.4)
    for (_, kind), t in zip(labels, ticks):
        if kind == "challenge":  # a faint guide across the scale: where the row's dot sits
            ax.plot([0.75, 4.25], [t, t], color="#e3e3e3", lw=0.7, zorder=1)
    for m in marks.itertuples():
        items = [int(i) for i in str(m.items).split(";")]
        ys = [centres[(m.dimension_id, i)] for i in items]
        mid = (ys[0] + ys[-1]) / 2
        colour = style.LEVEL_COLOURS[int(m.importance)]
        if m.shared:  # one score for several challenges: a bracket over their rows, one dot on it
            (bracket,) = ax.plot(
                [m.importance - 0.12, m.importance, m.importance, m.importance - 0.12],
                [ys[0], ys[0], ys[-1], ys[-1]],
                color=style.TEXT,
                lw=1.1,
                zorder=2,
                solid_joinstyle="miter",
            )
            bracket.set_gid(f"shared:{m.dimension_id}")
            _, small = cell_text(int(m.importance), int(m.importance), len(items), True)
            words = small.replace("\n", " ")
            if scores != "printed":
                words = words.replace(" printed", "")
            ax.text(
                m.importance + 0.28,
                mid,
                words,
                ha="left",
                va="center",
                fontsize=FONT,
                color=style.TEXT,
                clip_on=False,
                zorder=4,
                bbox=dict(boxstyle="square,pad=0.15", fc="white", ec="none"),
            )
        (dot,) = ax.plot(
            m.importance, mid, "o", ms=15, mfc=colour, mec="#333333", mew=0.7, ls="none", zorder=3, clip_on=False
        )
        dot.set_gid(f"score:{m.dimension_id}:{items[0]}")
        ax.text(
            m.importance,
            mid,
            str(int(m.importance)),
            ha="center",
            va="center",
            fontsize=FONT,
            fontweight="bold",
            color="white" if int(m.importance) >= 3 else style.TEXT,
            zorder=4,
        )
    ax.set_yticks(ticks, [t for t, _ in labels], fontsize=FONT)
    for lab, (_, kind) in zip(ax.get_yticklabels(), labels):
        lab.set_multialignment("left")
        if kind == "heading":
            lab.set_fontweight("bold")
        elif kind == "none":
            lab.set_fontstyle("italic")
            lab.set_color(style.MUTED)
    ax.tick_params(axis="y", length=0)
    ax.set_xticks([1, 2, 3, 4], ["1", "2", "3", "4"], fontsize=FONT)
    ax.tick_params(axis="x", labeltop=True, top=True, labelsize=FONT)
    ax.spines["left"].set_visible(False)
    ax.spines["top"].set_visible(True)
    ax.spines["top"].set_bounds(1, 4)
    ax.spines["bottom"].set_bounds(1, 4)
    ax.set_xlabel(SCORE_WORDS[scores], fontsize=FONT, loc="left")
    ax.grid(axis="x", color="#d9d9d9", lw=0.6)
    ax.set_axisbelow(True)
    return fig
