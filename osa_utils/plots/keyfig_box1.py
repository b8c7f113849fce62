"""Box 1 of the report as a chart: the shares of the most import-dependent products by type, with the
part of 100 % the text leaves unspecified computed (100 minus the three printed shares) and drawn hatched
grey as such, and the PRC's share of their import value. The words come from
:mod:`osa_utils.plots.keyfig_labels`.
"""

from __future__ import annotations

import math

import pandas as pd

from .. import style
from .keyfig_labels import FONT, REMAINDER_LABEL, format_number, format_value, source_label

REMAINDER_COLOUR = "#d9d9d9"


def box1_shares(shares: pd.DataFrame, import_share: pd.Series, total: pd.Series):
    """Box 1 as a chart.

    *shares*: the key_figures rows of the printed shares of the most import-dependent
    products (in printed order); *import_share*: the row of the PRC's share of their
    import value; *total*: the row of the number of products. The part of 100% the
    three shares leave open is computed here and drawn hatched grey, labelled
    'not specified in the text'. Patches carry the key_figure_id (or 'remainder') as gid.
    """
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(7.5, 3.3), height_ratios=[1.6, 1], gridspec_kw={"hspace": 1.0})
    left = 0.0
    for i, (_, r) in enumerate(shares.iterrows()):
        v = float(r["value"])
        about = r["qualifier"] != "exact"
        (patch,) = ax.barh(
            0,
            v,
            left=left,
            height=0.6,
            color=style.CATEGORICAL[i],
            edgecolor="#333333",
            lw=0.9,
            ls="--" if about else "-",
        )
        patch.set_gid(str(r["key_figure_id"]))
        name = str(r["indicator"]).split(" that are ")[-1]
        ax.text(
            left + v / 2,
            0,
            f"{name}\n{format_value(r)}",
            ha="center",
            va="center",
            fontsize=FONT,
            color="white" if i != 1 else style.TEXT,
        )
        left += v
    rest = 100.0 - math.fsum(float(v) for v in shares["value"])
    approx = any(q != "exact" for q in shares["qualifier"])
    (patch,) = ax.barh(0, rest, left=left, height=0.6, color=REMAINDER_COLOUR, edgecolor="#6b6b6b", lw=0.9, hatch="///")
    patch.set_gid("remainder")
    terms = " − ".join(format_number(v) for v in shares["value"])
    hedged = ", ".join(f"'{format_value(r)}'" for _, r in shares.iterrows() if r["qualifier"] != "exact")
    ax.annotate(
        f"{'about ' if approx else ''}{format_number(rest)}%: {REMAINDER_LABEL}\n"
        f"(computed: 100 − {terms}{f'; approximate, as printed {hedged}' if approx else ''})",
        xy=(left + rest / 2, 0.3),
        xytext=(100, 0.62),
        textcoords="data",
        ha="right",
        va="bottom",
        fontsize=FONT,
        color=style.MUTED,
        arrowprops={"arrowstyle": "-", "color": style.MUTED, "lw": 0.7},
    )
    _percent_axis(
        ax,
        (-0.4, 1.25),
        "per cent of the products",
        f"The {format_number(total['value'])} products most dependent on third-country imports, by type "
        f"({source_label(total)})",
    )

    v = float(import_share["value"])
    (patch,) = ax2.barh(0, v, height=0.6, color=style.CATEGORICAL[5], edgecolor="#333333", lw=0.9)
    patch.set_gid(str(import_share["key_figure_id"]))
    ax2.barh(0, 100 - v, left=v, height=0.6, color="white", edgecolor="#9a9a9a", lw=0.8)
    ax2.text(
        v / 2,
        0,
        f"{import_share['entity']}: {format_value(import_share)}",
        ha="center",
        va="center",
        fontsize=FONT,
        color="white",
    )
    ax2.text(
        v + (100 - v) / 2,
        0,
        "rest: origin not broken down in the text",
        ha="center",
        va="center",
        fontsize=FONT,
        color=style.MUTED,
    )
    _percent_axis(
        ax2,
        (-0.45, 0.45),
        "per cent of the import value",
        f"Share of the import value of these products accounted for by the {import_share['entity']} "
        f"({source_label(import_share)})",
    )
    return fig


def _percent_axis(ax, ylim: tuple[float, float], xlabel: str, title: str) -> None:
    """A panel of one bar across 0-100 per cent: no y axis, *xlabel* under it, *title* over it."""
    ax.set_xlim(0, 100)
    ax.set_ylim(*ylim)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_title(title, loc="left", fontsize=9)
