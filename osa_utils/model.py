"""The report's model: dimensions, threat levels, the derived Figure 0.1 matrix,
and the chapter 3 counting method.

Pure functions of DataFrames from :mod:`osa_utils.data`; nothing here reads files.
"""

from __future__ import annotations

import pandas as pd

from . import errors


class ModelError(errors.OSAError, ValueError):
    """The tables disagree with the report's model."""


def ordered(frame: pd.DataFrame, technologies: pd.DataFrame, dimensions: pd.DataFrame) -> pd.DataFrame:
    """Sort rows by the printed order of technologies and dimensions (where those columns exist)."""
    key = []
    out = frame.copy()
    if "technology_id" in out:
        out["_t"] = out["technology_id"].map(technologies.set_index("technology_id")["order"]).astype("Int64")
        key.append("_t")
    if "dimension_id" in out:
        out["_d"] = out["dimension_id"].map(dimensions.set_index("dimension_id")["order"]).astype("Int64")
        key.append("_d")
    rest = [c for c in ("item", "dot", "row") if c in out]
    return out.sort_values(key + rest, kind="stable").drop(columns=key).reset_index(drop=True)


def derive_matrix(threat_matrix_printed: pd.DataFrame, risk_challenges: pd.DataFrame) -> pd.DataFrame:
    """One row per dot of Figure 0.1: technology_id, dimension_id, dot (1..n), level, level_known.

    For a technology with a risk table, a cell's dots are the distinct importance
    levels of its challenges in that dimension, highest first (the report: "several
    notifications in one box indicate divergent risks"). Where the text states no
    levels (no risk table), the printed number of dots is kept with level <NA>.
    Raises ModelError when a chapter table and the printed dot count disagree.
    """
    levels = risk_challenges.groupby(["technology_id", "dimension_id"])["importance"].agg(
        lambda s: sorted({int(v) for v in s.dropna()}, reverse=True)
    )
    rows = []
    for r in threat_matrix_printed.itertuples(index=False):
        key = (r.technology_id, r.dimension_id)
        n = int(r.notifications)
        if key in levels.index:
            lv = levels[key]
            if len(lv) != n:
                raise ModelError(
                    f"{r.technology_id}/{r.dimension_id}: the risk table has {len(lv)} distinct "
                    f"levels {lv}, Figure 0.1 prints {n} dot(s)"
                )
            rows += [(r.technology_id, r.dimension_id, i + 1, v, True) for i, v in enumerate(lv)]
        else:
            rows += [(r.technology_id, r.dimension_id, i + 1, pd.NA, False) for i in range(n)]
    out = pd.DataFrame(rows, columns=["technology_id", "dimension_id", "dot", "level", "level_known"])
    out["level"] = out["level"].astype("Int64")
    out["level_known"] = out["level_known"].astype("boolean")
    return out


def add_assessment(matrix: pd.DataFrame, challenges: pd.DataFrame, technology_id: str) -> pd.DataFrame:
    """Append a new technology's dots (from its own challenges) to a derived matrix."""
    printed = (
        challenges.groupby("dimension_id")["importance"]
        .nunique()
        .rename("notifications")
        .reset_index()
        .assign(technology_id=technology_id)
    )
    extra = derive_matrix(printed, challenges.assign(technology_id=technology_id))
    return pd.concat([matrix, extra], ignore_index=True)


def importance_profile(risk_challenges: pd.DataFrame) -> pd.DataFrame:
    """Per technology and dimension: max, min and number of challenges (for profiles and heat maps)."""
    g = risk_challenges.groupby(["technology_id", "dimension_id"])["importance"]
    return pd.DataFrame({"max": g.max(), "min": g.min(), "n": g.size()}).reset_index()


def actor_name(row, name_lang: str) -> str:
    """An actor's name as chosen by the notebook parameter name_lang ('en', 'zh', 'en+zh').

    Where no Chinese name is printed, 'zh' falls back to the English name.
    """
    en, zh = row["name_en"], row["name_zh"]
    has_zh = zh is not None and zh is not pd.NA and str(zh) not in ("", "<NA>", "nan")
    if name_lang == "en" or not has_zh:
        return str(en)
    if name_lang == "zh":
        return str(zh)
    return f"{en} ({zh})"


def fractional_counts(authorships: pd.DataFrame, paper="paper_id", region="region") -> pd.DataFrame:
    """The chapter 3 method behind Figures 3.1/3.2: each paper counts once, shared by region.

    *authorships* has one row per author of a paper with that author's region.
    A paper's weight of 1 is split over its authors, so a region receives the
    share of the paper's authors it holds ("groups of researchers that cut across
    nationalities and world regions ... assigned to the respective shares of
    their contributions"). Returns region, papers (fractional sum) and share
    (percent of all papers), largest first. Region names (and paper ids) are compared trimmed,
    with runs of spaces as one, after Unicode NFC normalisation and without zero-width characters:
    "Europe" and "Europe " are one region; a region left empty by that is no region.
    """
    missing = [c for c in (paper, region) if c not in authorships]
    if missing:
        raise ModelError(
            f"authorships table lacks column(s) {missing}; expected one row per author "
            f"with columns {paper!r} and {region!r}"
        )
    import re

    from .text import clean_text

    a = authorships[[paper, region]].dropna().copy()
    for c in (paper, region):
        a[c] = a[c].map(lambda v: re.sub(r"\s+", " ", clean_text(v)).strip())
    a = a[(a[paper] != "") & (a[region] != "")]
    if a.empty:
        raise ModelError("authorships table has no complete rows")
    per_paper = a.groupby(paper)[region].transform("size")
    weights = (1.0 / per_paper).groupby(a[region]).sum()
    total = a[paper].nunique()
    out = pd.DataFrame({"region": weights.index, "papers": weights.values})
    out["share"] = 100.0 * out["papers"] / total
    return out.sort_values(["papers", "region"], ascending=[False, True], kind="stable").reset_index(drop=True)
