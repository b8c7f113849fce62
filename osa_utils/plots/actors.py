"""Actor tables (Figures 2.1, 3.3, 4.1, 5.2, 6.1, 7.1, 8.2): actors by type and priority."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pandas as pd

from .. import style

if TYPE_CHECKING:
    from matplotlib.ticker import MaxNLocator

PRIORITY_ORDER = [("●", "● (printed)"), ("◐", "◐ (printed)"), (None, "no symbol in the text")]


def actor_type_group(actor_type: str) -> str:
    """This collection's coarse grouping of the printed actor types (not the report's).

    Rule: the first matching keyword, in this order - bank; company/corporation;
    research/laboratory/institute/scientist/researcher/R&D;
    consortium/alliance/association/industry; policy/government/ministry/
    leading small group/fund; otherwise 'other'.

    'Platform' is deliberately not a company keyword: the one actor typed so, the
    IMT-2020 (5G) Promotion Group (Figure 6.1), is printed as a "platform
    established by state actors", not a firm; it falls under 'other'.
    """
    t = str(actor_type).lower()
    rules = [
        ("bank", "bank"),
        ("company", "company"),
        ("corporation", "company"),
        ("research", "research"),
        ("laborator", "research"),
        ("institute", "research"),
        ("scientist", "research"),
        ("researcher", "research"),
        ("r&d", "research"),
        ("consortium", "industry body"),
        ("alliance", "industry body"),
        ("association", "industry body"),
        ("industry", "industry body"),
        ("policy", "policy / state"),
        ("government", "policy / state"),
        ("ministry", "policy / state"),
        ("leading small group", "policy / state"),
        ("fund", "policy / state"),
    ]
    for key, group in rules:
        if key in t:
            return group
    return "other"


#: The rule of actor_type_group in one sentence (for captions).
RULE_TEXT = (
    "the first matching keyword, in this order: bank; company/corporation; research/laboratory/institute/"
    "scientist/researcher/R&D; consortium/alliance/association/industry; policy/government/ministry/"
    "leading small group/fund; otherwise 'other'."
)

GROUPS = ["policy / state", "research", "industry body", "company", "bank", "other"]


def actor_counts(actors: pd.DataFrame) -> pd.DataFrame:
    """What :func:`actors_by_type` draws, one row per bar segment: group, priority (the symbol printed, or
    'no symbol in the text'), actors (how many) and actor_ids (';'-joined, in printed order)."""
    a = actors.assign(group=actors["actor_type"].map(actor_type_group))
    rows = []
    for g in [g for g in GROUPS if g in set(a["group"])]:
        for symbol, label in PRIORITY_ORDER:
            part = a[
                (a["group"] == g) & (a["priority_symbol"].isna() if symbol is None else a["priority_symbol"] == symbol)
            ]
            if len(part):
                rows.append(
                    {
                        "group": g,
                        "priority": symbol or label,
                        "actors": len(part),
                        "actor_ids": ";".join(part["actor_id"].astype(str)),
                    }
                )
    return pd.DataFrame(rows, columns=["group", "priority", "actors", "actor_ids"])


def actors_by_type(actors: pd.DataFrame, top_names: list[str] | None = None):
    """Stacked horizontal bars: number of actors per type group, split by printed priority symbol.

    *top_names* (the actors printed with ●, named per name_lang) are listed under the chart.
    """
    import matplotlib.pyplot as plt

    a = actors.assign(group=actors["actor_type"].map(actor_type_group))
    groups = [g for g in GROUPS if g in set(a["group"])]
    fig, ax = plt.subplots(figsize=(6.5, 0.42 * len(groups) + 1.0))
    left = pd.Series(0, index=groups, dtype=float)
    colours = {"●": "#0b3c5d", "◐": "#5b9bd5", None: "#ffffff"}
    for symbol, label in PRIORITY_ORDER:
        sel = a[a["priority_symbol"].isna()] if symbol is None else a[a["priority_symbol"] == symbol]
        counts = sel.groupby("group").size().reindex(groups, fill_value=0).astype(float)
        if counts.sum() == 0:
            continue
        ax.barh(
            range(len(groups)),
            counts.values,
            left=left.values,
            color=colours[symbol],
            edgecolor="#333333",
            lw=0.6,
            hatch="///" if symbol is None else None,
            label=label,
        )
        left += counts
    ax.set_yticks(range(len(groups)), groups)
    ax.invert_yaxis()
    ax.set_xlabel("Number of actors in the table")
    cast("MaxNLocator", ax.xaxis.get_major_locator()).set_params(integer=True)  # the default AutoLocator is one
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if top_names:  # under the axis label, whatever the chart's height
        ax.annotate(
            style.wrap("Printed with ●: " + "; ".join(top_names), 90),
            xy=(0.0, 0.0),
            xycoords="axes fraction",
            xytext=(0, -44),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=8,
            color=style.TEXT,
        )
    return fig
