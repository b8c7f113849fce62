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


#: A period printed at the start of a sentence ("By late 2022, China had built...", L751) keeps its capital
#: in key_figures.csv (transcribed verbatim); a label built of it starts with the lower-case word.
_PERIOD_LEAD = re.compile(r"^(By|In|Since|Until|From|After|Before|At|During|Today)\b")


def period_words(period) -> str:
    """The period as a label prints it inside brackets: 'By late 2022' -> 'by late 2022' (the stored
    value keeps the capital it has at the start of the printed sentence)."""
    text = str(period).strip()
    return _PERIOD_LEAD.sub(lambda m: m.group(1).lower(), text)


def row_label(row) -> str:
    """'entity — indicator (period)': the full label of a key figure (caption notes, the data CSV)."""
    period = f" ({period_words(row['period'])})" if _present(row.get("period")) else ""
    return f"{row['entity']} — {row['indicator']}{period}"


def short_entity(entity: str) -> str:
    """'2023 International Solid-State Circuits Conference (ISSCC)' -> 'ISSCC': a name followed by its
    printed initials is labelled by the initials; anything else as stored."""
    m = re.match(r"^.+ \(([A-Z][A-Z0-9+&-]{1,9})\)$", str(entity))
    return m.group(1) if m else str(entity)


def _common_prefix_words(texts: list[str]) -> int:
    """Number of leading words all *texts* share."""
    words = [t.split() for t in texts]
    n = 0
    while all(len(w) > n + 1 for w in words) and len({w[n] for w in words}) == 1:
        n += 1
    return n


def short_labels(rows: pd.DataFrame) -> dict:
    """Short tick labels of a chart's rows (index -> label), with the long provenance left to the caption:

    * the entity (its printed initials where it has them), where the entities differ;
    * the indicator, less the words every indicator of the chart begins with, where the indicators differ
      and the entity alone does not tell the bars apart (an entity drawn twice, or a bar whose indicator
      differs from most of the others': ISSCC's total beside the papers by country);
    * the period, where the periods differ (a period shared by every bar goes to the axis label).
    """
    entities = [str(e) for e in rows["entity"]]
    indicators = [str(i) for i in rows["indicator"]]
    periods = [period_words(p) if _present(p) else "" for p in rows["period"]]
    lead = _common_prefix_words(indicators) if len(set(indicators)) > 1 else 0
    if lead == 1 and not any(indicators[0].split()[0] in e for e in entities):
        lead = 0  # one shared word ('daily') is kept unless it repeats the entity ('e-CNY')
    majority = max(set(indicators), key=lambda i: (indicators.count(i), -indicators.index(i)))
    unique_entities = len(set(entities)) == len(entities)
    out = {}
    for i, ent, ind, per in zip(rows.index, entities, indicators, periods):
        parts = []
        if len(set(entities)) > 1:
            parts.append(short_entity(ent))
        if len(set(indicators)) > 1 and (not unique_entities or ind != majority or not parts):
            words = ind.split()[lead:]
            if parts and words and words[0] == short_entity(ent):  # 'ISSCC: ISSCC research papers'
                words = words[1:]
            parts.append(" ".join(words))
        label = ": ".join(p for p in parts if p) or short_entity(ent)
        if len(set(periods)) > 1 and per:
            label += f" ({per})"
        out[i] = label
    return out


def shared_period(rows: pd.DataFrame) -> str:
    """The period every row of *rows* prints ('' where they differ or none is printed)."""
    periods = {period_words(p) if _present(p) else "" for p in rows["period"]}
    return periods.pop() if len(periods) == 1 else ""


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
            fontsize=FONT,
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
        fontsize=FONT,
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
#: Font size of every text of these charts (the legibility rule: >= 8 pt).
FONT = 8.0


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


def _axis_name(part: pd.DataFrame, rows: pd.DataFrame, unit: str, unit_labels: dict, period: str) -> str:
    """A panel's axis label: what every bar of the chart shares (entity, indicator, period) and the unit."""
    name = unit_labels.get(unit, MEASURE_AXIS.get(unit, unit_axis_label(unit)))
    printed_units = list(dict.fromkeys(part["unit"].astype(str)))
    if len(printed_units) > 1:
        name += " (printed as " + " and ".join(_printed_unit(u) for u in printed_units) + ", converted to one unit)"
    if period:
        name += f", {period}"
    if part["indicator"].nunique() == 1 and rows["indicator"].nunique() == 1:  # shared: not in the labels
        name = f"{part['indicator'].iloc[0]}: {name}"
    if rows["entity"].nunique() == 1:  # the bars are labelled by indicator: the shared entity goes here
        name = f"{rows['entity'].iloc[0]}: {name}"
    return name


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
        sum(max(wrapped[i].count("\n") + 2, 2) * 0.2 + 0.14 for i in rows.index[rows["_measure"] == u])
        + (0.95 if several else 0.7)
        for u in measures
    ]
    extra = 0.35 * (len(measures) - 1)
    fig, grid = plt.subplots(
        len(measures),
        1,
        figsize=(8.0, sum(heights) + extra + 0.3),
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


def _value_text(row) -> str:
    """A bar's value label: the value as printed, wrapped after about 30 characters."""
    return style.wrap(format_value(row), 30)


def drawn_frame(rows: pd.DataFrame, *, keep_units=()) -> pd.DataFrame:
    """What a key-figure chart draws, one row per mark (the chart's fig-<id>.csv): the id, the short label
    drawn and the full one, the value as printed and as drawn (converted to the axis unit), the source."""
    labels = short_labels(rows.reset_index(drop=True))
    out = []
    for i, (_, r) in enumerate(rows.reset_index(drop=True).iterrows()):
        unit, value = measure(r, keep_units)
        out.append(
            {
                "key_figure_id": r["key_figure_id"],
                "label_drawn": labels[i],
                "entity": r["entity"],
                "indicator": r["indicator"],
                "period": r["period"] if _present(r.get("period")) else "",
                "value_printed": format_value(r),
                "qualifier": r["qualifier"],
                "axis": MEASURE_AXIS.get(unit, unit),
                "value_drawn": value,
                "source": source_label(r),
            }
        )
    return pd.DataFrame(out)


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


def _printed_unit(unit: str) -> str:
    return {"count": "counts", "percent": "percentages", "fraction": "fractions in words"}.get(unit, unit)
