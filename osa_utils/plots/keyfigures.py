"""Charts of numbers the report's text states (rows of key_figures.csv).

* :func:`box1_shares` - Box 1: the shares of the 137 most import-dependent products,
  with the part the text leaves unspecified computed and drawn as such;
* :func:`key_figure_panels` - any list of key figures as horizontal bars, one axis per
  measure: values a reader compares share one axis and one unit (a number printed in
  millions and one printed as a count, a fraction and a percentage are converted to one
  unit; labels keep the printed wording); different measures (users and US dollars, a
  ratio) get separate panels, each labelled as not comparable with the others; a measure
  spanning more than two orders of magnitude gets a log axis, labelled as such.

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
QUALIFIER_WORDS = {
    "exact": "",
    "about": "about ",
    "more than": "more than ",
    "less than": "less than ",
    "up to": "up to ",
    "at least": "at least ",
    "almost": "almost ",
}
#: Bounds: marker and direction of the arrow (+1: the true value lies above, -1: below).
BOUNDS = {
    "more than": (">", +1),
    "at least": ("≥", +1),
    "less than": ("<", -1),
    "up to": ("≤", -1),
    "almost": ("<", -1),
}
#: How a printed unit is named on an axis.
UNIT_AXIS = {
    "percent": "per cent",
    "count": "number",
    "fraction": "fraction (printed in words)",
    "times": "times (ratio)",
    "rank": "rank",
}
#: Words the text may print for each qualifier (key_figures.csv keeps the enum; labels print the text's word).
QUALIFIER_PRINTED = {
    "about": ("around", "approximately", "roughly", "typically", "about"),
    "more than": ("more than", "over"),
    "less than": ("less than", "below"),
    "up to": ("up to", "and below", "within"),
    "at least": ("at least",),
    "almost": ("almost", "nearly"),
}
#: Scale words stored in `unit` and their factors.
SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
#: Above this ratio of the largest to the smallest positive value a measure gets a log axis.
LOG_RATIO = 100.0
REMAINDER_LABEL = "not specified in the text"
REMAINDER_COLOUR = "#d9d9d9"
NO_NOTE = "text, no footnote"


# --------------------------------------------------------------------------- formatting
def _present(v) -> bool:
    return (
        v is not None
        and v is not pd.NA
        and not (isinstance(v, float) and v != v)
        and str(v) != "<NA>"
        and str(v).strip() != ""
    )


def format_number(value: float) -> str:
    """The stored number as printed: thousands separators, no trailing zeros (256074 -> '256,074')."""
    v = float(value)
    if v == int(v):
        return f"{int(v):,}"
    return f"{v:,.4f}".rstrip("0").rstrip(".")


def printed_qualifier(row) -> str:
    """The word the text prints for the row's qualifier ('around' where the quote says 'around'),
    the first of QUALIFIER_PRINTED's words to occur in the quote; the enum value otherwise."""
    q = str(row["qualifier"])
    if q == "exact":
        return ""
    quote = str(row.get("quote") or "") if hasattr(row, "get") else ""
    hits = []
    for word in QUALIFIER_PRINTED.get(q, ()):
        m = re.search(rf"\b{re.escape(word)}\b", quote, flags=re.IGNORECASE)
        if m:
            hits.append((m.start(), word))
    return min(hits)[1] if hits else q


def printed_words(row) -> str | None:
    """The printed words of a number stored in another form (note: "Printed 'one-third'")."""
    m = re.search(r"[Pp]rinted '([^']+)'", str(row["note"])) if _present(row.get("note")) else None
    return m.group(1) if m else None


def format_value(row) -> str:
    """Value with the printed qualifier and unit, e.g. 'less than 52,000', 'around 35%', 'USD 4.9 billion';
    a fraction printed in words as the words and the percentage ('one-third (= 33.3%)')."""
    word = printed_qualifier(row)
    q = f"{word} " if word else ""
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
    printed = printed_words(row)
    if unit == "fraction":
        percent = f"{format_number(round(float(row['value']) * 100, 1))}%"
        text = f"{printed} (= {percent})" if printed else percent
        if printed and q.strip() and q.strip().lower() in printed.lower():
            q = ""
    elif printed and printed.lower() not in text.lower():
        text += f" (printed '{printed}')"
    return q + text


def measure(row, keep_units=()) -> tuple[str, float]:
    """(measure, value in it) for a key figure: counts and numbers printed with a scale word are one
    measure ('number'), fractions and percentages another ('per cent'), each currency its own;
    units in *keep_units* stay as printed. Values are converted (1.85 million -> 1,850,000)."""
    unit, v = str(row["unit"]), float(row["value"])
    if unit in keep_units:
        return unit, v
    if unit == "percent":
        return "percent", v
    if unit == "fraction":
        return "percent", v * 100
    if unit == "count":
        return "count", v
    if unit in SCALE:
        return "count", v * SCALE[unit]
    m = re.match(r"^(USD|RMB|EUR) (thousand|million|billion|trillion)$", unit)
    if m:
        return m.group(1), v * SCALE[m.group(2)]
    return unit, v


#: Axis names of the measures.
MEASURE_AXIS = {
    "percent": "per cent",
    "count": "number",
    "USD": "US dollars",
    "RMB": "renminbi (yuan)",
    "EUR": "euros",
    "times": "times (ratio)",
    "rank": "rank",
}


def _axis_number(x: float) -> str:
    """Tick label: thousands separators, or 'N million'/'N billion' for large numbers."""
    for word, factor in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if abs(x) >= factor:
            return f"{format_number(round(x / factor, 3))} {word}"
    return format_number(round(x, 6))


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
            fontsize=7.5,
            color="white" if i != 1 else style.TEXT,
        )
        left += v
    rest = 100.0 - sum(float(v) for v in shares["value"])
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
        fontsize=7,
        color=style.MUTED,
        arrowprops={"arrowstyle": "-", "color": style.MUTED, "lw": 0.7},
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.4, 1.25)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("per cent of the products", fontsize=8)
    ax.set_title(
        f"The {format_number(total['value'])} products most dependent on third-country imports, by type "
        f"({source_label(total)})",
        loc="left",
        fontsize=9,
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
        fontsize=7.5,
        color="white",
    )
    ax2.text(
        v + (100 - v) / 2,
        0,
        "rest: origin not broken down in the text",
        ha="center",
        va="center",
        fontsize=7,
        color=style.MUTED,
    )
    ax2.set_xlim(0, 100)
    ax2.set_ylim(-0.45, 0.45)
    ax2.set_yticks([])
    ax2.spines["left"].set_visible(False)
    ax2.set_xlabel("per cent of the import value", fontsize=8)
    ax2.set_title(
        f"Share of the import value of these products accounted for by the {import_share['entity']} "
        f"({source_label(import_share)})",
        loc="left",
        fontsize=9,
    )
    return fig


# --------------------------------------------------------------------------- generic panels
def key_figure_panels(rows: pd.DataFrame, *, unit_labels: dict | None = None, keep_units=(), label_width: int = 52):
    """Horizontal bars of key figures, in the order of *rows*, one axis per measure (see :func:`measure`).

    Values of one measure share one axis and one unit (converted; labels keep the printed wording);
    a measure whose values span more than LOG_RATIO gets a log axis, labelled as such. With several
    measures each panel says that its scale is not comparable with the other panels. *keep_units*:
    printed units not to convert (e.g. a bare 'million' whose currency the text does not print);
    *unit_labels* names their axes. Bar labels: 'entity — indicator (period)' and the source
    ('note 75'); value labels with the printed qualifier and unit. Exact values are solid bars,
    approximate values have a dashed outline, bounds are hollow bars with an arrow and a '<'/'>'
    marker. Bar colours mark the source; patches carry the key_figure_id as gid.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    unit_labels = unit_labels or {}
    rows = rows.reset_index(drop=True)
    conv = [measure(r, keep_units) for _, r in rows.iterrows()]
    rows = rows.assign(_measure=[m for m, _ in conv], _value=[v for _, v in conv])
    measures = list(dict.fromkeys(rows["_measure"]))
    sources = list(dict.fromkeys(source_label(r) for _, r in rows.iterrows()))
    colour = {s: style.CATEGORICAL[i % len(style.CATEGORICAL)] for i, s in enumerate(sources)}
    counts = [int((rows["_measure"] == u).sum()) for u in measures]
    wrapped = {i: style.wrap(row_label(r), label_width) for i, r in rows.iterrows()}
    several = len(measures) > 1
    heights = [
        sum(max(wrapped[i].count("\n") + 1, 2) * 0.2 + 0.12 for i in rows.index[rows["_measure"] == u])
        + (0.95 if several else 0.7)
        for u in measures
    ]
    extra = 0.35 * (len(measures) - 1)
    fig, grid = plt.subplots(
        len(measures),
        1,
        figsize=(8.2, sum(heights) + extra + 0.3),
        squeeze=False,
        height_ratios=heights,
        gridspec_kw={"hspace": 0.55 + 0.25 * len(measures)},
    )
    axes = grid[:, 0]
    fig.subplots_adjust(left=0.4, right=0.97)
    kinds_used, about_words = set(), []
    for k, (ax, unit, n) in enumerate(zip(axes, measures, counts)):
        part = rows[rows["_measure"] == unit]
        values = part["_value"].astype(float)
        positive = values[values > 0]
        log = len(positive) == len(values) and len(values) > 1 and positive.max() / positive.min() > LOG_RATIO
        vmax = max(float(values.max()), 1e-9)

        def beyond(v, direction, vmax=vmax, log=log):
            return v * (1.6**direction) if log else v + direction * vmax * 0.14

        def after(v, vmax=vmax, log=log):
            return v * 1.06 if log else v + vmax * 0.02

        for y, (_i, r) in enumerate(part.iterrows()):
            v = float(r["_value"])
            q = str(r["qualifier"])
            c = colour[source_label(r)]
            left = min(positive) / 10 if log else 0
            if q in BOUNDS:
                kinds_used.add("bound")
                marker, direction = BOUNDS[q]
                (patch,) = ax.barh(y, v - left, left=left, height=0.6, color="white", edgecolor=c, lw=1.2, hatch="////")
                ax.annotate(
                    "",
                    xy=(beyond(v, direction), y),
                    xytext=(v, y),
                    arrowprops={"arrowstyle": "-|>", "color": c, "lw": 1.4, "shrinkA": 0, "shrinkB": 0},
                )
                ax.plot([v, v], [y - 0.36, y + 0.36], color=c, lw=1.6)
                end = max(v, beyond(v, direction))
                ax.text(
                    after(end),
                    y,
                    f"{marker}  {format_value(r)}",
                    va="center",
                    ha="left",
                    fontsize=7.5,
                    color=style.TEXT,
                )
            else:
                if q == "about":
                    kinds_used.add("about")
                    about_words.append(printed_qualifier(r))
                (patch,) = ax.barh(
                    y,
                    v - left,
                    left=left,
                    height=0.6,
                    color=c,
                    edgecolor="#333333" if q == "about" else c,
                    lw=1.0,
                    ls="--" if q == "about" else "-",
                )
                if v == 0:
                    ax.plot([0], [y], marker="|", ms=12, mew=2, color=c)
                ax.text(after(v), y, format_value(r), va="center", ha="left", fontsize=7.5, color=style.TEXT)
            patch.set_gid(str(r["key_figure_id"]))
        ax.set_yticks(range(n), [f"{wrapped[i]}\n[{source_label(r)}]" for i, r in part.iterrows()], fontsize=7.5)
        ax.set_ylim(n - 0.5, -0.5)
        name = unit_labels.get(unit, MEASURE_AXIS.get(unit, unit_axis_label(unit)))
        printed_units = list(dict.fromkeys(part["unit"].astype(str)))
        if len(printed_units) > 1:
            name += " (printed as " + " and ".join(_printed_unit(u) for u in printed_units) + ", converted to one unit)"
        if log:
            ax.set_xscale("log")
            ax.set_xlim(min(positive) / 10, float(values.max()) * 60)
            name += " – log scale: each step is ten times the previous"
        else:
            ax.set_xlim(min(0.0, float(values.min())), vmax * 1.18 * 1.45)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        ax.set_xlabel(name, fontsize=8)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _axis_number(x)))
        if unit == "percent" and float(values.max()) <= 100 and not log:  # shares: no ticks beyond 100%
            ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= 100])
            ax.set_xlim(min(0.0, float(values.min())), vmax * 1.18 * 1.45)
        if several:
            ax.set_title(
                f"Panel {k + 1} of {len(measures)}: {MEASURE_AXIS.get(unit, unit_labels.get(unit, unit))}"
                " – its own scale, not comparable with the other panel" + ("s" if len(measures) > 2 else ""),
                loc="left",
                fontsize=8,
                fontweight="bold",
                color=style.TEXT,
                pad=4,
            )
        ax.grid(axis="x", color="#e5e5e5", lw=0.6)
        ax.set_axisbelow(True)
    handles = [Patch(facecolor=colour[s], edgecolor=colour[s], label=f"source: {s}") for s in sources]
    if "about" in kinds_used:
        words = " / ".join(f"'{w}'" for w in dict.fromkeys(about_words))
        handles.append(Patch(facecolor="#bbbbbb", edgecolor="#333333", ls="--", label=f"{words}: dashed outline"))
    if "bound" in kinds_used:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor="#333333",
                hatch="////",
                label="bound as printed (<, >): the value lies where the arrow points",
            )
        )
    axes[0].legend(
        handles=handles,
        frameon=False,
        fontsize=7,
        loc="lower left",
        bbox_to_anchor=(0, 1.02 if not several else 1.16),
        ncol=2 if len(handles) > 2 else len(handles),
    )
    return fig


def _printed_unit(unit: str) -> str:
    return {"count": "counts", "percent": "percentages", "fraction": "fractions in words"}.get(unit, unit)
