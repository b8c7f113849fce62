"""Charts of numbers the report's text states (rows of key_figures.csv).

* :func:`box1_shares` - Box 1: the shares of the 137 most import-dependent products,
  with the part the text leaves unspecified computed and drawn as such;
* :func:`key_figure_panels` - any list of key figures as horizontal bars, one axis per
  measure: values a reader compares share one axis and one unit (a number printed in
  millions and one printed as a count, a fraction and a percentage are converted to one
  unit; labels keep the printed wording); different measures (users and US dollars, a
  ratio) get separate panels, each labelled as not comparable with the others; a measure
  spanning more than two orders of magnitude gets a log axis, labelled as such. Labels are
  short (:func:`short_labels`), the full provenance goes to the caption; an axis ends near the
  data and a share axis at 100 % at most; the text's caveat, where it gives one, is drawn in
  the image (issue #21: s3.2, L759; s3.3, L997 of the reference text);
* :func:`key_figure_series` - one figure stated at several dates (s5.2) as points on a time axis.

Every value drawn is a cell of key_figures.csv; the only computed numbers are Box 1's
remainder (100 minus the three printed shares) and, in s3.2's caveat, the ratio of two printed
numbers. A printed bound ("more than 92", "less than 52,000", "almost 2") is drawn as a hollow
bar with a '>'/'<' marker at the value and an arrow of fixed length, never as a plain bar that
pretends the number is exact. Every text is at least 8 pt (FONT).

The modules by job: the words (values as printed, labels, sources, axis names, the table of what a
chart draws) are in :mod:`osa_utils.plots.keyfig_labels`, Box 1 in :mod:`osa_utils.plots.keyfig_box1`;
this module draws the bars and the series, and re-exports their public names.
"""

from __future__ import annotations

import math

import pandas as pd

from .. import style
from .keyfig_box1 import REMAINDER_COLOUR, box1_shares
from .keyfig_labels import (
    BOUNDS,
    FONT,
    LOG_RATIO,
    MEASURE_AXIS,
    NO_NOTE,
    QUALIFIER_PRINTED,
    QUALIFIER_WORDS,
    REMAINDER_LABEL,
    SCALE,
    UNIT_AXIS,
    _axis_name,
    _axis_number,
    _value_text,
    drawn_frame,
    format_number,
    format_value,
    measure,
    period_words,
    printed_qualifier,
    printed_words,
    row_label,
    shared_period,
    short_entity,
    short_labels,
    source_label,
    unit_axis_label,
)

#: The public names, here and of keyfig_labels and keyfig_box1 (re-exported: the notebook methods and
#: the tests import them from this module).
__all__ = [
    "ARROW_PT",
    "BOUNDS",
    "BOUND_MARKER_PT",
    "FONT",
    "LOG_RATIO",
    "MEASURE_AXIS",
    "NO_NOTE",
    "QUALIFIER_PRINTED",
    "QUALIFIER_WORDS",
    "REMAINDER_COLOUR",
    "REMAINDER_LABEL",
    "SCALE",
    "UNIT_AXIS",
    "axis_upper",
    "box1_shares",
    "drawn_frame",
    "format_number",
    "format_value",
    "is_time_series",
    "key_figure_panels",
    "key_figure_series",
    "measure",
    "period_words",
    "printed_qualifier",
    "printed_words",
    "row_label",
    "shared_period",
    "short_entity",
    "short_labels",
    "source_label",
    "unit_axis_label",
]


# --------------------------------------------------------------------------- generic panels
def _nice_ceiling(x: float) -> float:
    """*x* rounded up to a tenth of its power of ten (206 -> 210, 1,924,000 -> 2,000,000, 41.9 -> 42)."""
    import math

    if x <= 0:
        return 1.0
    step = 10 ** (math.floor(math.log10(x)) - 1)
    return math.ceil(round(x / step, 9)) * step


def axis_upper(values, unit: str, bound_ends=()) -> float:
    """Where a linear axis ends: just past the largest value (or the tip of a bound's arrow), at a round
    number; a share (per cent, every value <= 100) never runs past 100 %."""
    top = max([float(v) for v in values] + [float(b) for b in bound_ends] + [1e-9])
    upper = _nice_ceiling(top * 1.04)
    if unit == "percent" and max(float(v) for v in values) <= 100:
        upper = min(upper, 100.0)
    return upper


#: Length of a bound's arrow, in points: the same on every scale, so a bound near zero (Germany's
#: 'less than 52,000' beside China's 1.85 million) is as visible as any other.
ARROW_PT = 22
#: Size of the '<'/'>' marker drawn at a bound's value, in points.
BOUND_MARKER_PT = 11


def _draw_bound(ax, r, y: float, v: float, left: float, c: str, room: float):
    """A printed bound: a hollow bar, a '<'/'>' marker at the value and an arrow of ARROW_PT points
    towards where the true value lies. A 'less than' arrow stays between the axis's start and the value
    (*room*, points); where there is no room for it (a bound near zero), the marker alone shows the
    direction. Returns the bar."""
    from matplotlib.transforms import offset_copy

    marker, direction = BOUNDS[str(r["qualifier"])]
    (patch,) = ax.barh(y, v - left, left=left, height=0.6, color="white", edgecolor=c, lw=1.2, hatch="////")
    length = ARROW_PT if direction > 0 else min(ARROW_PT, room - 2)
    if length >= 8:
        tip = offset_copy(ax.transData, fig=ax.figure, x=direction * length, units="points")
        ax.annotate(
            "",
            xy=(v, y),
            xycoords=tip,
            xytext=(v, y),
            textcoords="data",
            arrowprops={"arrowstyle": "-|>", "color": c, "lw": 1.6, "shrinkA": 0, "shrinkB": 0},
        )
    ax.plot(
        [v],
        [y],
        marker="<" if direction < 0 else ">",
        ms=BOUND_MARKER_PT,
        color=c,
        mec="#333333",
        mew=0.8,
        zorder=4,
        gid=f"bound-{r['key_figure_id']}",
    )
    ax.annotate(
        f"{marker}  {_value_text(r)}",
        xy=(v, y),
        xytext=(ARROW_PT + 6 if direction > 0 else 9, 0),
        textcoords="offset points",
        va="center",
        ha="left",
        fontsize=FONT,
        color=style.TEXT,
    )
    return patch


def _draw_bar(ax, r, y: float, v: float, left: float, c: str):
    """An exact (solid) or approximate (dashed outline) value as a bar with its printed value. Returns the bar."""
    about = str(r["qualifier"]) == "about"
    (patch,) = ax.barh(
        y,
        v - left,
        left=left,
        height=0.6,
        color=c,
        edgecolor="#333333" if about else c,
        lw=1.0,
        ls="--" if about else "-",
    )
    if v == 0:
        ax.plot([0], [y], marker="|", ms=12, mew=2, color=c)
    ax.annotate(
        _value_text(r),
        xy=(v, y),
        xytext=(4, 0),
        textcoords="offset points",
        va="center",
        ha="left",
        fontsize=FONT,
        color=style.TEXT,
    )
    return patch


def _legend_handles(sources, colour: dict, kinds_used: set, about_words: list) -> list:
    """The legend: a colour per source, the dashed outline of approximate values, the bound's marker."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list = [Patch(facecolor=colour[s], edgecolor=colour[s], label=f"source: {s}") for s in sources]
    if "about" in kinds_used:
        words = " / ".join(f"'{w}'" for w in dict.fromkeys(about_words))
        handles.append(Patch(facecolor="#bbbbbb", edgecolor="#333333", ls="--", label=f"{words}: dashed outline"))
    if "bound" in kinds_used:
        handles.append(
            Line2D(
                [],
                [],
                marker="<",
                ls="none",
                ms=9,
                color="#999999",
                mec="#333333",
                label="bound as printed (<, >), hollow bar: the value lies where the marker points",
            )
        )
    return handles


def key_figure_panels(
    rows: pd.DataFrame,
    *,
    unit_labels: dict | None = None,
    keep_units=(),
    label_width: int = 30,
    caveat: str | None = None,
):
    """Horizontal bars of key figures, in the order of *rows*, one axis per measure (see :func:`measure`).

    Values of one measure share one axis and one unit (converted; labels keep the printed wording);
    a measure whose values span more than LOG_RATIO gets a log axis, labelled as such. With several
    measures each panel says that its scale is not comparable with the other panels. *keep_units*:
    printed units not to convert (e.g. a bare 'million' whose currency the text does not print);
    *unit_labels* names their axes. Bar labels are short (:func:`short_labels`: entity, what differs
    of the indicator, the period where periods differ) with the source ('[note 75]'); the full
    'entity — indicator (period)' goes to the caption (:func:`drawn_frame`). Value labels carry the
    printed qualifier and unit. Exact values are solid bars, approximate values have a dashed outline,
    bounds are hollow bars with a '<'/'>' marker at the value and an arrow of fixed length pointing to
    where the true value lies. A linear axis ends just past the data, a share axis at 100 % at most.
    *caveat*: the text's own warning about the comparison, drawn in a box under the panels (so the image
    never shows the comparison without it). Bar colours mark the source; patches carry the
    key_figure_id as gid.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    unit_labels = unit_labels or {}
    rows = rows.reset_index(drop=True)
    conv = [measure(r, keep_units) for _, r in rows.iterrows()]
    rows = rows.assign(_measure=[m for m, _ in conv], _value=[v for _, v in conv])
    measures = list(dict.fromkeys(rows["_measure"]))
    sources = list(dict.fromkeys(source_label(r) for _, r in rows.iterrows()))
    colour = {s: style.CATEGORICAL[i % len(style.CATEGORICAL)] for i, s in enumerate(sources)}
    counts = [int((rows["_measure"] == u).sum()) for u in measures]
    labels = short_labels(rows)
    period = shared_period(rows)
    wrapped = {i: style.wrap(labels[i], label_width) for i in rows.index}
    several = len(measures) > 1
    heights = [
        math.fsum(max(wrapped[i].count("\n") + 2, 2) * 0.2 + 0.14 for i in rows.index[rows["_measure"] == u])
        + (0.95 if several else 0.7)
        for u in measures
    ]
    extra = 0.35 * (len(measures) - 1)
    fig, grid = plt.subplots(
        len(measures),
        1,
        figsize=(8.0, math.fsum(heights) + extra + 0.3),
        squeeze=False,
        height_ratios=heights,
        gridspec_kw={"hspace": 0.5 + 0.1 * len(measures)},
    )
    axes = grid[:, 0]
    # room on the right for the longest value label (about 0.07 in per character at 8 pt)
    longest = max(
        max(len(line) for line in _value_text(r).split("\n")) + (3 if str(r["qualifier"]) in BOUNDS else 0)
        for _, r in rows.iterrows()
    )
    right = min(0.93, max(0.6, 1 - (longest * 0.07 + 0.55) / 8.0))
    fig.subplots_adjust(left=0.27, right=right)
    kinds_used, about_words = set(), []
    for k, (ax, unit, n) in enumerate(zip(axes, measures, counts)):
        part = rows[rows["_measure"] == unit]
        values = part["_value"].astype(float)
        positive = values[values > 0]
        log = len(positive) == len(values) and len(values) > 1 and positive.max() / positive.min() > LOG_RATIO
        left = min(positive) / 10 if log else 0
        lo, hi = (min(positive) / 10, float(values.max()) * 3) if log else (min(0.0, float(values.min())), 0.0)
        if not log:
            hi = axis_upper(values, unit)
        ax.set_xlim(lo, hi)
        if log:
            ax.set_xscale("log")
        box = ax.get_position()
        width_pt = box.width * fig.get_figwidth() * 72

        def room_pt(v, lo=lo, hi=hi, log=log, width_pt=width_pt):
            """Points between the axis's start and *v* (where a 'less than' arrow must stay)."""
            import math

            if log:
                return width_pt * math.log(v / lo) / math.log(hi / lo)
            return width_pt * (v - lo) / (hi - lo)

        for y, (_i, r) in enumerate(part.iterrows()):
            v = float(r["_value"])
            q = str(r["qualifier"])
            c = colour[source_label(r)]
            if q in BOUNDS:
                kinds_used.add("bound")
                patch = _draw_bound(ax, r, y, v, left, c, room_pt(v))
            else:
                if q == "about":
                    kinds_used.add("about")
                    about_words.append(printed_qualifier(r))
                patch = _draw_bar(ax, r, y, v, left, c)
            patch.set_gid(str(r["key_figure_id"]))
        ax.set_yticks(range(n), [f"{wrapped[i]}\n[{source_label(r)}]" for i, r in part.iterrows()], fontsize=FONT)
        ax.set_ylim(n - 0.5, -0.5)
        name = _axis_name(part, rows, unit, unit_labels, period)
        name = style.wrap(name, 70)
        if log:
            name += "\n(log scale: each step is ten times the previous)"
        else:
            # about one tick per inch of axis, so long tick labels ('300 million') never run into each other
            nbins = max(2, min(5, int(width_pt / 72 / 0.95)))
            ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]))
        ax.set_xlabel(name, fontsize=FONT)
        ax.tick_params(axis="x", labelsize=FONT)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _axis_number(x)))
        if several:
            ax.set_title(
                f"Panel {k + 1} of {len(measures)}: {MEASURE_AXIS.get(unit, unit_labels.get(unit, unit))}"
                " – its own scale, not comparable with the other panel" + ("s" if len(measures) > 2 else ""),
                loc="left",
                fontsize=FONT,
                fontweight="bold",
                color=style.TEXT,
                pad=4,
            )
        ax.grid(axis="x", color="#e5e5e5", lw=0.6)
        ax.set_axisbelow(True)
    handles = _legend_handles(sources, colour, kinds_used, about_words)
    axes[0].legend(
        handles=handles,
        frameon=False,
        fontsize=FONT,
        loc="lower left",
        bbox_to_anchor=(-0.35, 1.02 if not several else 1.16),
        ncol=2 if len(handles) > 2 else len(handles),
    )
    if caveat:
        axes[-1].annotate(
            caveat,
            xy=(0.015, 0),
            xycoords=("figure fraction", "axes fraction"),
            xytext=(0, -44),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=FONT,
            color=style.TEXT,
            linespacing=1.3,
            gid="caveat",
            bbox={"boxstyle": "round,pad=0.5", "facecolor": "#fff4e0", "edgecolor": style.CATEGORICAL[1], "lw": 1.0},
        )
    return fig


def is_time_series(rows: pd.DataFrame) -> bool:
    """True where every row is the same entity, indicator and unit at a different, dated period
    ('September 2019', 'July 2021', ...): a series to draw on a time axis, not as bars."""
    if len(rows) < 2 or rows[["entity", "indicator", "unit"]].drop_duplicates().shape[0] != 1:
        return False
    dates = pd.to_datetime(pd.Series([str(p) for p in rows["period"]]), format="%B %Y", errors="coerce")
    return bool(dates.notna().all()) and dates.is_unique


def key_figure_series(rows: pd.DataFrame):
    """A dated series of one key figure (:func:`is_time_series`) as points on a time axis, joined by a thin
    dotted line that the legend says only connects the stated values; each point labelled with its value
    as printed and its date on one line. An approximate value ('around') is a hollow point. A share axis
    runs from 0 to 100 % at most. Points carry the key_figure_id as gid."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    rows = rows.reset_index(drop=True)
    dates = pd.to_datetime(pd.Series([str(p) for p in rows["period"]]), format="%B %Y")
    values = [measure(r)[1] for _, r in rows.iterrows()]
    unit = measure(rows.iloc[0])[0]
    c = style.CATEGORICAL[0]
    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    ax.plot(dates, values, ls=":", lw=1.2, color=c, zorder=2)
    for d, v, (_, r) in zip(dates, values, rows.iterrows()):
        about = str(r["qualifier"]) == "about"
        (pt,) = ax.plot(
            [d], [v], marker="o", ms=9, mfc="white" if about else c, mec=c, mew=2, ls="none", zorder=3, clip_on=False
        )
        pt.set_gid(str(r["key_figure_id"]))
        ax.annotate(
            f"{format_value(r)}\n{period_words(r['period'])}",
            xy=(d, v),
            xytext=(0, 10),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=FONT,
            color=style.TEXT,
            zorder=4,
            bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},  # over the dotted line
        )
    top = max(values)
    upper = min(100.0, _nice_ceiling(top * 1.35)) if unit == "percent" and top <= 100 else _nice_ceiling(top * 1.35)
    ax.set_ylim(0, upper)
    span = dates.max() - dates.min()
    ax.set_xlim(dates.min() - span * 0.12, dates.max() + span * 0.12)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(labelsize=FONT)
    ax.set_ylabel(
        f"{rows.iloc[0]['entity']}: {rows.iloc[0]['indicator']} ({MEASURE_AXIS.get(unit, unit)})", fontsize=FONT
    )
    ax.yaxis.label.set_text(style.wrap(ax.yaxis.label.get_text(), 40))
    ax.grid(axis="y", color="#e5e5e5", lw=0.6)
    ax.set_axisbelow(True)
    handles = [
        Line2D([], [], marker="o", ms=7, color=c, ls="none", label=f"stated value [{source_label(rows.iloc[0])}]"),
        Line2D([], [], ls=":", lw=1.2, color=c, label="dotted line: joins the stated values only (no data between)"),
    ]
    if (rows["qualifier"] == "about").any():
        words = " / ".join(f"'{printed_qualifier(r)}'" for _, r in rows.iterrows() if r["qualifier"] == "about")
        handles.insert(
            1, Line2D([], [], marker="o", ms=7, mfc="white", mec=c, mew=2, ls="none", label=f"{words}: hollow")
        )
    ax.legend(handles=handles, frameon=False, fontsize=FONT, loc="lower left", bbox_to_anchor=(0, 1.02), ncol=2)
    return fig
