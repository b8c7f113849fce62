"""Chapter 8's checklist as a grid: criteria (rows, grouped by level) x apps (columns).

The first column is the user's check of an app, coloured by the user's finding; the
other columns are the apps chapter 8 gives evidence for, marked by what the chapter gives:
a stated finding, evidence without one, or nothing. A stated finding is drawn either
undirected ("stated") or, where the caller passes this collection's reading of it
(app_evidence.csv's finding_reading: adverse, open, not adverse), in that reading's colour
and word, with a legend saying the reading is this collection's (issue #21: the text says
censorship "has not thus far been clearly detected", L2544 of the reference text, so that
cell must not look adverse). Without a user's app (``app=None``) only the chapter's columns
are drawn (notebook 08).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .. import style

#: The user's findings: (fill, text colour). Okabe-Ito colours (colour-blind safe); every cell
#: also carries its finding in words, so the colour is never the only key.
FINDING_COLOURS = {
    "concern": ("#D55E00", "#ffffff"),
    "unclear": ("#F0E442", style.TEXT),
    "no_concern": ("#0072B2", "#ffffff"),
    "not_assessed": ("#ffffff", style.MUTED),
}
#: What the chapter gives for a reference app under a criterion: (word in the cell, fill, edge, text colour).
#: "stated" is a stated finding without a reading; "adverse", "open" and "not_adverse" are stated findings
#: with this collection's reading (app_evidence.csv finding_reading), in the Okabe-Ito colours of the user's
#: findings they resemble, each with its word in the cell (the colour is never the only key).
REFERENCE_MARKS = {
    "adverse": ("adverse", "#D55E00", "#333333", "#ffffff"),
    "open": ("open", "#F0E442", "#333333", style.TEXT),
    "not_adverse": ("not adverse", "#56B4E9", "#333333", style.TEXT),
    "stated": ("stated finding", "#4d4d4d", "#4d4d4d", "#ffffff"),
    "evidence": ("evidence only", "#ffffff", "#4d4d4d", style.TEXT),
    "none": ("no evidence\nin the text", None, None, "#6b6b6b"),
}
#: The kinds that are a stated finding read in a direction (this collection's reading).
READINGS = ("adverse", "open", "not_adverse")
#: Legend words of REFERENCE_MARKS.
REFERENCE_LEGEND = {
    "adverse": "adverse: the text states a risk or a shortfall",
    "open": "open: the text says it cannot judge ('cannot … be ruled out')",
    "not_adverse": "not adverse: the text states it was not detected, or the information is given",
    "stated": "the text states a finding (quoted in the table)",
    "evidence": "the text gives evidence, no stated finding",
    "none": "no evidence in the text",
}
#: Title of the legend of the readings: the reading is this collection's, not the report's.
READING_TITLE = "Coloured: a finding the text states, in this collection's reading (not the report's verdict)"
USER_SHADE = "#e8f1f8"
#: Marker after a criterion name this collection gave (the report prints none), and its key in the image.
COLLECTIONS_NAME_MARK = "*"
COLLECTIONS_NAME_KEY = "* Name given by this collection: the report prints none."

_LABEL_X = -3.55  # left end of the criterion names (data units)
_COL_W = 0.9  # width of a cell box


def checklist_grid(
    criteria: pd.DataFrame,
    user: dict[str, str],
    reference: dict[tuple[str, str], str],
    app: str | None,
    reference_apps,
    finding_labels: dict[str, str],
    level_labels: dict[str, str],
    reference_legend: dict[str, str] | None = None,
):
    """The grid. *criteria*: criterion_id, level, name, name_is_collections in printed order;
    *user*: criterion_id -> the user's finding; *reference*: (criterion_id, app) -> a key of
    REFERENCE_MARKS: "adverse", "open", "not_adverse" (a stated finding in this collection's reading),
    "stated" (one without a reading), "evidence" or "none" (a pair missing counts as "none"); *finding_labels*: finding -> words,
    in legend order; *level_labels*: level -> group heading, in printed order. With *app* None
    there is no user's column (and *user*, *finding_labels* are not used): only the chapter's
    evidence is drawn. *reference_legend* replaces entries of REFERENCE_LEGEND (e.g. where the stated
    findings are quoted)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, Patch, Rectangle

    has_user = app is not None
    apps = ([app] if has_user else []) + list(reference_apps)
    first_ref = 1 if has_user else 0  # column of the first reference app
    rows: list[tuple[str, Any]] = []  # ("head", label) or ("crit", row)
    for level, heading in level_labels.items():
        part = criteria[criteria["level"] == level]
        if len(part):
            rows.append(("head", heading))
            rows += [("crit", r) for r in part.itertuples()]
    heights = []
    labels: list[str] = []
    for kind, r in rows:
        if kind == "head":
            heights.append(0.8)
            labels.append("")  # not used: a heading row draws its own text
            continue
        text = style.wrap(str(r.name) + (COLLECTIONS_NAME_MARK if bool(r.name_is_collections) else ""), 54)
        labels.append(text)
        heights.append(max(0.9, 0.34 * (text.count("\n") + 1) + 0.3))
    unit = 0.36  # inches per row unit
    # math.fsum: correctly rounded on every Python (3.12 changed sum() of floats, which moved the
    # SVG clip-path id and broke byte-identical figures across versions)
    total = math.fsum(heights)
    fig_h = total * unit + 1.3
    fig, ax = plt.subplots(figsize=(9.0 if has_user else 7.8, fig_h))
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.9 / fig_h, bottom=0.55 / fig_h)
    ax.set_xlim(_LABEL_X - 0.05, len(apps) - 0.45)
    ax.set_ylim(total, 0)
    ax.axis("off")
    if has_user:  # the user's column: shaded, set apart from the chapter's apps by a rule
        ax.add_patch(Rectangle((-0.5, 0), 1.0, total, facecolor=USER_SHADE, edgecolor="none", zorder=0))
        ax.plot([0.5, 0.5], [0, total], color=style.MUTED, lw=0.8, zorder=1)
    for j, name in enumerate(apps):
        user_col = has_user and j == 0
        head = f"{style.wrap(name, 16)}\nthe user's check" if user_col else f"{name}\nchapter 8's evidence"
        ax.text(
            j,
            -0.15,
            head,
            ha="center",
            va="bottom",
            fontsize=8,
            fontweight="bold" if user_col else "normal",
            color=style.CATEGORICAL[0] if user_col else style.TEXT,
        )
    y = 0.0
    for (kind, r), h, label in zip(rows, heights, labels):
        mid = y + h / 2
        if kind == "head":
            ax.text(
                _LABEL_X, y + h - 0.12, r, ha="left", va="bottom", fontsize=8.5, fontweight="bold", color=style.TEXT
            )
            ax.plot([_LABEL_X, len(apps) - 0.5], [y + h, y + h], color=style.MUTED, lw=0.8, zorder=1)
            y += h
            continue
        ax.text(_LABEL_X, mid, label, ha="left", va="center", fontsize=8, color=style.TEXT)
        ax.plot([_LABEL_X, len(apps) - 0.5], [y + h, y + h], color="#dddddd", lw=0.5, zorder=1)
        box_h = min(0.66, h - 0.24)
        if has_user:
            finding = str(user.get(r.criterion_id))  # 'None' where the user gave none: drawn as unknown
            fill, ink = FINDING_COLOURS.get(finding, ("#ffffff", style.MUTED))
            ax.add_patch(
                FancyBboxPatch(
                    (-_COL_W / 2, mid - box_h / 2),
                    _COL_W,
                    box_h,
                    boxstyle="round,pad=0,rounding_size=0.08",
                    facecolor=fill,
                    edgecolor="#333333" if finding != "not_assessed" else style.MUTED,
                    lw=0.8,
                    ls="-" if finding != "not_assessed" else "--",
                    zorder=2,
                )
            )
            ax.text(
                0,
                mid,
                finding_labels.get(finding, str(finding)),
                ha="center",
                va="center",
                fontsize=8,
                color=ink,
                fontweight="bold" if finding == "concern" else "normal",
                zorder=3,
            )
        for j, ref in enumerate(reference_apps, start=first_ref):
            word, rfill, redge, rink = REFERENCE_MARKS[reference.get((r.criterion_id, ref), "none")]
            if rfill is not None:
                ax.add_patch(
                    Rectangle(
                        (j - _COL_W / 2, mid - box_h / 2),
                        _COL_W,
                        box_h,
                        facecolor=rfill,
                        edgecolor=redge,
                        lw=0.8,
                        zorder=2,
                    )
                )
            ax.text(
                j,
                mid,
                word,
                ha="center",
                va="center",
                fontsize=8,
                color=rink,
                fontstyle="italic" if rfill is None else "normal",
                zorder=3,
                linespacing=1.0,
            )
        y += h
    used = [k for k in REFERENCE_MARKS if k in set(reference.values()) or k in ("evidence", "none")]
    legend_words = {**REFERENCE_LEGEND, **(reference_legend or {})}
    ref_handles = [
        Patch(
            facecolor=REFERENCE_MARKS[k][1] or "#ffffff",
            edgecolor=REFERENCE_MARKS[k][2] or "#ffffff",
            label=legend_words[k],
        )
        for k in used
    ]
    if any(bool(v) for v in criteria["name_is_collections"]):  # the '*' explained in the image itself
        ref_handles.append(Patch(facecolor="none", edgecolor="none", label=COLLECTIONS_NAME_KEY))
    ref_title = "What chapter 8 gives for " + _and(list(reference_apps))
    if any(k in READINGS for k in used):
        ref_title += "\n" + READING_TITLE
    if not has_user:
        ax.legend(
            handles=ref_handles,
            loc="upper left",
            bbox_to_anchor=(0.0, 0.0),
            ncol=1,
            frameon=False,
            fontsize=8,
            title=ref_title,
            title_fontsize=8,
            alignment="left",
            handlelength=1.6,
        )
        return fig
    user_handles = [
        Patch(
            facecolor=FINDING_COLOURS[f][0],
            edgecolor="#333333" if f != "not_assessed" else style.MUTED,
            ls="-" if f != "not_assessed" else "--",
            label=w,
        )
        for f, w in finding_labels.items()
    ]
    first = ax.legend(
        handles=user_handles,
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0),
        ncol=2,
        frameon=False,
        fontsize=8,
        title=style.wrap(f"The user's finding for {app}", 44),
        title_fontsize=8,
        alignment="left",
        handlelength=1.6,
    )
    ax.add_artist(first)
    ax.legend(
        handles=ref_handles,
        loc="upper left",
        bbox_to_anchor=(0.42, 0.0),
        ncol=1,
        frameon=False,
        fontsize=8,
        title=style.wrap(ref_title, 60),
        title_fontsize=8,
        alignment="left",
        handlelength=1.6,
    )
    return fig


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
