"""Panel assessments: several assessors score the same technology with the report's method.

The report's scores come from pairs of researchers; a panel gives each challenge
several scores. This module combines the forms, one per assessor or one table
with an ``assessor`` column (:func:`combine`), and summarises them
(:func:`summarise`):

* challenges are matched across forms by ``dimension_id`` and the challenge text
  (compared without case and extra spaces, after Unicode NFC normalisation and with
  zero-width characters removed; the first spelling is kept, normalised); assessor
  names are compared the same way (without case folding); where normalisation joined
  two spellings, :attr:`PanelSummary.notes` says so;
* per challenge: the assessors who scored it, the median, minimum, maximum and
  range of their importance scores;
* the panel's score of a challenge is the median rounded by :data:`ROUNDING`
  (a median of x.5 is rounded *up*, to the higher threat level), so Figure 0.1's
  row for the technology is drawn from one score per challenge, as the chapters do;
* agreement is Krippendorff's alpha for ordinal data (the ``krippendorff``
  package) over the challenges scored by at least two assessors; a challenge
  scored by a single assessor is listed and left out of alpha.

Nothing here is a finding of the report.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd

from . import errors
from .text import clean_text

#: How a median between two levels becomes a level (stated on every output that uses it).
ROUNDING = "a median of x.5 is rounded up, to the higher threat level (2.5 → 3)"


class PanelError(errors.UsageError, ValueError):
    """The forms cannot be combined (e.g. two forms from one assessor)."""


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", clean_text(text)).strip().casefold()


def _name(text) -> str:
    return re.sub(r"\s+", " ", clean_text(text)).strip()


def _joined(raw: pd.Series, clean: pd.Series, what: str) -> list[str]:
    """Notes on spellings that differ only in Unicode form or zero-width characters and were read as one."""
    notes = []
    plain = raw.map(lambda v: re.sub(r"\s+", " ", str(v)).strip())
    for value, spellings in plain.groupby(clean.values):
        distinct = list(dict.fromkeys(spellings))
        if len(distinct) > 1:
            notes.append(
                f"{what} {' and '.join(ascii(s) for s in distinct)} read as one ({value!r}): text is "
                "compared after Unicode NFC normalisation, with zero-width characters removed"
            )
    return notes


def round_median(value: float) -> int:
    """The level of a median: halves go up (see :data:`ROUNDING`)."""
    return int(math.floor(value + 0.5))


def combine(forms: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """One long table (assessor, dimension_id, challenge, importance, instrument) from the forms.

    *forms* are ``(assessor name, frame of load_assessment)``; a frame with an ``assessor``
    column holds several assessors and its own name is ignored. Within one assessor, a
    challenge scored twice is an error (it would count twice). An assessor left empty (a cell
    :func:`osa_utils.assess.load_assessment` already refuses, with its place in the form; a blank
    file name) is an error here too.
    """
    parts = []
    for name, frame in forms:
        f = frame.copy()
        if "assessor" in f.columns and f["assessor"].notna().any():
            f["assessor"] = f["assessor"].astype("string").fillna("")
        else:
            f["assessor"] = name
        parts.append(f[["assessor", "dimension_id", "challenge", "importance", "instrument"]])
    long = pd.concat(parts, ignore_index=True)
    raw_assessor = long["assessor"].astype(str)
    long["assessor"] = raw_assessor.map(_name)
    if (long["assessor"] == "").any():
        raise PanelError(
            "an assessor name is empty once spaces and zero-width characters are removed; name who scored every row"
        )
    long["key"] = long["dimension_id"].astype(str) + "\x1f" + long["challenge"].map(_key)
    folded = (
        long["dimension_id"].astype(str)
        + "\x1f"
        + long["challenge"].map(lambda t: re.sub(r"\s+", " ", str(t)).strip().casefold())
    )
    notes = _joined(raw_assessor, long["assessor"], "assessor names")
    for _, g in long.groupby("key", sort=False):  # challenges joined only by normalisation
        if folded[g.index].nunique() > 1:
            kept = _name(g["challenge"].iloc[0])  # the challenge as shown, not the matching key
            notes += _joined(g["challenge"], pd.Series([kept] * len(g), index=g.index), "challenges")
    long.attrs["notes"] = notes
    dupes = long[long.duplicated(["assessor", "key"], keep=False)]
    if len(dupes):
        first = dupes.iloc[0]
        raise PanelError(
            f"assessor {first['assessor']!r} scores the challenge {first['challenge']!r} "
            f"({first['dimension_id']}) more than once; give each challenge one row per assessor"
        )
    return long


@dataclass
class PanelSummary:
    assessors: list[str]
    challenges: pd.DataFrame  # one row per challenge, widest disagreement first
    alpha: float | None  # Krippendorff's ordinal alpha; None with fewer than two assessors or units
    units_in_alpha: int
    single: pd.DataFrame = field(default_factory=pd.DataFrame)  # challenges scored by one assessor
    notes: list[str] = field(default_factory=list)  # spellings read as one by normalisation

    @property
    def consensus(self) -> pd.DataFrame:
        """One row per challenge with the panel's level (the rounded median), as an assessment frame."""
        c = self.challenges.sort_values("first").reset_index(drop=True)  # in the forms' order
        out = c[["dimension_id", "challenge", "instrument"]].copy()
        out["importance"] = pd.array(c["level"], dtype="Int64")
        out["item"] = pd.array(out.groupby("dimension_id", sort=False).cumcount() + 1, dtype="Int64")
        return out[["dimension_id", "challenge", "importance", "instrument", "item"]]


def summarise(long: pd.DataFrame, dimension_order: list[str] | None = None) -> PanelSummary:
    """Median, range and agreement of a combined panel (see the module docstring)."""
    assessors = list(dict.fromkeys(long["assessor"]))
    rows = []
    for first, (key, g) in enumerate(long.groupby("key", sort=False)):
        scores = {a: int(s) for a, s in zip(g["assessor"], g["importance"])}
        values = sorted(scores.values())
        median = float(pd.Series(values).median())
        instruments = [str(i) for i in g["instrument"].dropna() if str(i).strip()]
        rows.append(
            {
                "key": key,
                "dimension_id": g["dimension_id"].iloc[0],
                "challenge": _name(g["challenge"].iloc[0]),
                "instrument": "; ".join(dict.fromkeys(instruments)) or pd.NA,
                "n": len(values),
                "median": median,
                "level": round_median(median),
                "min": values[0],
                "max": values[-1],
                "range": values[-1] - values[0],
                "scores": scores,
                "first": first,
            }
        )
    c = pd.DataFrame(rows)
    order = {d: i for i, d in enumerate(dimension_order or [])}
    c["_dim"] = c["dimension_id"].map(lambda d: order.get(d, len(order)))
    c["_pos"] = range(len(c))
    c = (
        c.sort_values(["range", "n", "_dim", "_pos"], ascending=[False, False, True, True])
        .drop(columns=["_dim", "_pos"])
        .reset_index(drop=True)
    )
    multi = c[c["n"] >= 2]
    alpha = None
    if len(assessors) >= 2 and len(multi) >= 1:
        data = [[multi["scores"].iloc[u].get(a, math.nan) for u in range(len(multi))] for a in assessors]
        alpha = ordinal_alpha(data, value_domain=[1, 2, 3, 4])
    return PanelSummary(
        assessors, c, alpha, len(multi), c[c["n"] < 2].reset_index(drop=True), list(long.attrs.get("notes", []))
    )


def ordinal_alpha(reliability_data, value_domain=None) -> float | None:
    """Krippendorff's alpha for ordinal data; rows are observers, columns units, NaN for missing;
    *value_domain*: the ordered scale (default: the values that occur).

    Returns None where alpha is undefined (no unit with two values, or no variation at all).
    """
    import warnings

    import krippendorff
    import numpy as np

    data = np.asarray(reliability_data, dtype=float)
    values = data[~np.isnan(data)]
    if values.size == 0 or np.unique(values).size < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(
            krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal", value_domain=value_domain)
        )
    return None if math.isnan(value) else value
