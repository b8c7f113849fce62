"""What the key-figure charts print (rows of key_figures.csv): the text, not the drawing.

* a value as the report prints it (:func:`format_value`: qualifier word, unit, words of a fraction),
  and its conversion to one unit per measure (:func:`measure`);
* labels: the full 'entity — indicator (period)' (:func:`row_label`) and the short tick labels
  (:func:`short_labels`), the source of a number (:func:`source_label`), a panel's axis name;
* :func:`drawn_frame` - what a key-figure chart draws, one row per mark (the chart's fig-<id>.csv).

The drawing is in :mod:`osa_utils.plots.keyfigures` (bars, series) and
:mod:`osa_utils.plots.keyfig_box1` (Box 1); both take their words and FONT from here.
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
NO_NOTE = "text, no footnote"
#: Font size of every text of these charts (the legibility rule: >= 8 pt).
FONT = 8.0


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


def _printed_unit(unit: str) -> str:
    return {"count": "counts", "percent": "percentages", "fraction": "fractions in words"}.get(unit, unit)


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
