"""Charts of numbers the report's text states (rows of key_figures.csv).

* :func:`box1_shares` - Box 1: the shares of the 137 most import-dependent products,
  with the part the text leaves unspecified computed and drawn as such;
* :func:`key_figure_panels` - any list of key figures as horizontal bars, one panel
  per printed unit, each value with its qualifier, period and source (Figure 5.3's
  stand-in and the supplementary charts).

Every value drawn is a cell of key_figures.csv; the only computed number is Box 1's
remainder (100 minus the three printed shares). A printed bound ("more than 92",
"less than 52,000", "almost 2") is drawn as a hollow bar with an arrow and a
'>'/'<' marker, never as a plain bar that pretends the number is exact.
"""
from __future__ import annotations

import re

import pandas as pd

from .. import style

#: Text shown before a value, by qualifier (key_figures.csv's enum).
QUALIFIER_WORDS = {"exact": "", "about": "about ", "more than": "more than ", "less than": "less than ",
                   "up to": "up to ", "at least": "at least ", "almost": "almost "}
#: Bounds: marker and direction of the arrow (+1: the true value lies above, -1: below).
BOUNDS = {"more than": (">", +1), "at least": ("≥", +1), "less than": ("<", -1), "up to": ("≤", -1),
          "almost": ("<", -1)}
#: How a printed unit is named on an axis.
UNIT_AXIS = {"percent": "per cent", "count": "number", "fraction": "fraction (printed in words)",
             "times": "times (ratio)", "rank": "rank"}
REMAINDER_LABEL = "not specified in the text"
REMAINDER_COLOUR = "#d9d9d9"
NO_NOTE = "text, no footnote"


# --------------------------------------------------------------------------- formatting
def _present(v) -> bool:
    return v is not None and v is not pd.NA and not (isinstance(v, float) and v != v) and str(v) != "<NA>" \
        and str(v).strip() != ""


def format_number(value: float) -> str:
    """The stored number as printed: thousands separators, no trailing zeros (256074 -> '256,074')."""
    v = float(value)
    if v == int(v):
        return f"{int(v):,}"
    return f"{v:,.4f}".rstrip("0").rstrip(".")


def format_value(row) -> str:
    """Value with qualifier and unit, e.g. 'less than 52,000', 'about 35%', 'USD 4.9 billion'."""
    q = QUALIFIER_WORDS.get(str(row["qualifier"]), f"{row['qualifier']} ")
    n = format_number(row["value"])
    unit = str(row["unit"])
    if unit == "percent":
        text = f"{n}%"
    elif unit == "count":
        text = n
    elif re.match(r"^(USD|RMB|EUR) ", unit):
        cur, scale = unit.split(" ", 1)
        text = f"{cur} {n} {scale}"
    elif unit == "fraction":
        text = n
    elif unit == "times":
        text = f"{n} times"
    else:
        text = f"{n} {unit}"
    printed = re.search(r"[Pp]rinted '([^']+)'", str(row["note"])) if _present(row.get("note")) else None
    if printed and printed.group(1).lower() not in text.lower():
        text += f" (printed '{printed.group(1)}')"
    elif unit == "fraction":
        text += " (fraction)"
    return q + text


def source_label(row) -> str:
    """Where the number comes from: 'note 75', or the report figure/box it is printed in."""
    if _present(row.get("footnote")):
        return f"note {int(row['footnote'])}"
    m = re.match(r"^(Figure \d+\.\d+|Box \d+)", str(row["note"])) if _present(row.get("note")) else None
    return m.group(1) if m else NO_NOTE


def row_label(row) -> str:
    """'entity — indicator (period)'."""
    period = f" ({row['period']})" if _present(row.get("period")) else ""
    return f"{row['entity']} — {row['indicator']}{period}"


def unit_axis_label(unit: str) -> str:
    return UNIT_AXIS.get(unit, unit)


# --------------------------------------------------------------------------- Box 1
def box1_shares(shares: pd.DataFrame, import_share: pd.Series, total: pd.Series):
    """Box 1 as a chart.

    *shares*: the key_figures rows of the printed shares of the most import-dependent
    products (in printed order); *import_share*: the row of the PRC's share of their
    import value; *total*: the row of the number of products. The part of 100% the
    three shares leave open is computed here and drawn hatched grey, labelled
    'not specified in the text'. Patches carry the key_figure_id (or 'remainder') as gid.
    """
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(7.5, 3.3), height_ratios=[1.6, 1],
                                  gridspec_kw={"hspace": 1.0})
    left = 0.0
    for i, (_, r) in enumerate(shares.iterrows()):
        v = float(r["value"])
        about = r["qualifier"] != "exact"
        (patch,) = ax.barh(0, v, left=left, height=0.6, color=style.CATEGORICAL[i], edgecolor="#333333",
                           lw=0.9, ls="--" if about else "-")
        patch.set_gid(str(r["key_figure_id"]))
        name = str(r["indicator"]).split(" that are ")[-1]
        ax.text(left + v / 2, 0, f"{name}\n{format_value(r)}", ha="center", va="center", fontsize=7.5,
                color="white" if i != 1 else style.TEXT)
        left += v
    rest = 100.0 - sum(float(v) for v in shares["value"])
    approx = any(q != "exact" for q in shares["qualifier"])
    (patch,) = ax.barh(0, rest, left=left, height=0.6, color=REMAINDER_COLOUR, edgecolor="#6b6b6b", lw=0.9,
                       hatch="///")
    patch.set_gid("remainder")
    terms = " − ".join(format_number(v) for v in shares["value"])
    hedged = ", ".join(f"'{format_value(r)}'" for _, r in shares.iterrows() if r["qualifier"] != "exact")
    ax.annotate(f"{'about ' if approx else ''}{format_number(rest)}%: {REMAINDER_LABEL}\n"
                f"(computed: 100 − {terms}{f'; approximate, as printed {hedged}' if approx else ''})",
                xy=(left + rest / 2, 0.3), xytext=(100, 0.62), textcoords="data", ha="right", va="bottom",
                fontsize=7, color=style.MUTED, arrowprops={"arrowstyle": "-", "color": style.MUTED, "lw": 0.7})
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.4, 1.25)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("per cent of the products", fontsize=8)
    ax.set_title(f"The {format_number(total['value'])} products most dependent on third-country imports, by type "
                 f"({source_label(total)})", loc="left", fontsize=9)

    v = float(import_share["value"])
    (patch,) = ax2.barh(0, v, height=0.6, color=style.CATEGORICAL[5], edgecolor="#333333", lw=0.9)
    patch.set_gid(str(import_share["key_figure_id"]))
    ax2.barh(0, 100 - v, left=v, height=0.6, color="white", edgecolor="#9a9a9a", lw=0.8)
    ax2.text(v / 2, 0, f"{import_share['entity']}: {format_value(import_share)}", ha="center", va="center",
             fontsize=7.5, color="white")
    ax2.text(v + (100 - v) / 2, 0, "rest: origin not broken down in the text", ha="center", va="center",
             fontsize=7, color=style.MUTED)
    ax2.set_xlim(0, 100)
    ax2.set_ylim(-0.45, 0.45)
    ax2.set_yticks([])
    ax2.spines["left"].set_visible(False)
    ax2.set_xlabel("per cent of the import value", fontsize=8)
    ax2.set_title(f"Share of the import value of these products accounted for by the {import_share['entity']} "
                  f"({source_label(import_share)})", loc="left", fontsize=9)
    return fig


# --------------------------------------------------------------------------- generic panels
def key_figure_panels(rows: pd.DataFrame, *, unit_labels: dict | None = None, on_figure_note: str = "",
                      label_width: int = 52):
    """Horizontal bars of key figures, in the order of *rows*, one panel per printed unit.

    Bar labels: 'entity — indicator (period)' and the source ('note 75'); value labels
    with qualifier and unit as printed. Exact values are solid bars, 'about' values
    have a dashed outline, bounds are hollow bars with an arrow and a '<'/'>' marker.
    Bar colours mark the source; patches carry the key_figure_id as gid.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator
    from matplotlib.transforms import blended_transform_factory

    unit_labels = unit_labels or {}
    rows = rows.reset_index(drop=True)
    units = list(dict.fromkeys(rows["unit"].astype(str)))
    sources = list(dict.fromkeys(source_label(r) for _, r in rows.iterrows()))
    colour = {s: style.CATEGORICAL[i % len(style.CATEGORICAL)] for i, s in enumerate(sources)}
    counts = [int((rows["unit"] == u).sum()) for u in units]
    wrapped = {i: style.wrap(row_label(r), label_width) for i, r in rows.iterrows()}
    heights = [sum(max(wrapped[i].count("\n") + 1, 2) * 0.2 + 0.12 for i in rows.index[rows["unit"] == u]) + 0.7
               for u in units]
    note_h = 0.3 + 0.16 * (len(style.wrap(on_figure_note, 100).splitlines())) if on_figure_note else 0
    extra = 0.35 * (len(units) - 1)
    nrows = len(units) + (1 if on_figure_note else 0)
    fig, grid = plt.subplots(nrows, 1, figsize=(8.2, sum(heights) + note_h + extra + 0.3), squeeze=False,
                             height_ratios=heights + ([note_h] if on_figure_note else []),
                             gridspec_kw={"hspace": 0.55 + 0.2 * nrows})
    axes = grid[: len(units)]
    fig.subplots_adjust(left=0.4, right=0.97)
    kinds_used = set()
    for ax, unit, n in zip(axes[:, 0], units, counts):
        part = rows[rows["unit"] == unit]
        vmax = max(float(part["value"].max()), 1e-9)
        reach = vmax * 1.18  # room for the arrows of bounds
        for y, (i, r) in enumerate(part.iterrows()):
            v = float(r["value"])
            q = str(r["qualifier"])
            c = colour[source_label(r)]
            if q in BOUNDS:
                kinds_used.add("bound")
                marker, direction = BOUNDS[q]
                (patch,) = ax.barh(y, v, height=0.6, color="white", edgecolor=c, lw=1.2, hatch="////")
                ax.annotate("", xy=(v + direction * vmax * 0.14, y), xytext=(v, y),
                            arrowprops={"arrowstyle": "-|>", "color": c, "lw": 1.4, "shrinkA": 0, "shrinkB": 0})
                ax.plot([v, v], [y - 0.36, y + 0.36], color=c, lw=1.6)
                end = max(v, v + direction * vmax * 0.14)
                ax.text(end + vmax * 0.02, y, f"{marker}  {format_value(r)}",
                        va="center", ha="left", fontsize=7.5, color=style.TEXT)
            else:
                if q == "about":
                    kinds_used.add("about")
                (patch,) = ax.barh(y, v, height=0.6, color=c, edgecolor="#333333" if q == "about" else c,
                                   lw=1.0, ls="--" if q == "about" else "-")
                if v == 0:
                    ax.plot([0], [y], marker="|", ms=12, mew=2, color=c)
                ax.text(v + vmax * 0.02, y, format_value(r), va="center", ha="left", fontsize=7.5,
                        color=style.TEXT)
            patch.set_gid(str(r["key_figure_id"]))
        ax.set_yticks(range(n), [f"{wrapped[i]}\n[{source_label(r)}]" for i, r in part.iterrows()],
                      fontsize=7.5)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(min(0.0, float(part["value"].min())), reach * 1.45)
        ax.set_xlabel(unit_labels.get(unit, unit_axis_label(unit)), fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: format_number(round(x, 6))))
        if unit == "percent" and float(part["value"].max()) <= 100:  # shares: no ticks beyond 100%
            ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= 100])
            ax.set_xlim(min(0.0, float(part["value"].min())), reach * 1.45)
        ax.grid(axis="x", color="#e5e5e5", lw=0.6)
        ax.set_axisbelow(True)
    handles = [Patch(facecolor=colour[s], edgecolor=colour[s], label=f"source: {s}") for s in sources]
    if "about" in kinds_used:
        handles.append(Patch(facecolor="#bbbbbb", edgecolor="#333333", ls="--", label="'about': dashed outline"))
    if "bound" in kinds_used:
        handles.append(Patch(facecolor="white", edgecolor="#333333", hatch="////",
                             label="bound as printed (<, >): the value lies where the arrow points"))
    axes[0, 0].legend(handles=handles, frameon=False, fontsize=7, loc="lower left",
                      bbox_to_anchor=(0, 1.02), ncol=2 if len(handles) > 2 else len(handles))
    if on_figure_note:
        box = grid[-1, 0]
        box.set_axis_off()
        where = blended_transform_factory(fig.transFigure, box.transAxes)
        box.text(0.02, 0.5, style.wrap(on_figure_note, 100), transform=where, ha="left", va="center",
                 fontsize=8, fontweight="bold", color="#8b0000",
                 bbox={"boxstyle": "round,pad=0.45", "facecolor": "#fff3f0", "edgecolor": "#8b0000", "lw": 0.8})
    return fig
