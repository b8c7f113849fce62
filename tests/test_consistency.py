"""The tables agree with each other and with what the report prints."""
from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

# Rows printed in each actor table, counted by hand in the report (5.2 and 6.1 run over two pages).
ACTOR_ROWS = {"2.1": 10, "3.3": 11, "4.1": 11, "5.2": 16, "6.1": 12, "7.1": 10, "8.2": 7}


def test_distinct_levels_equal_printed_dots(package):
    """Figure 0.1: the dots in a cell are the distinct importance levels in the chapter's table."""
    rc = package["risk_challenges"]
    levels = rc.groupby(["technology_id", "dimension_id"])["importance"].nunique()
    printed = package["threat_matrix_printed"].set_index(["technology_id", "dimension_id"])
    with_table = printed[printed["levels_source"] == "chapter risk table"]
    assert len(with_table) == 5 * 4
    for key, row in with_table.iterrows():
        assert levels.get(key) == row["notifications"], key
    # ... and the chapters without a risk table have no levels at all.
    without = set(printed[printed["levels_source"].isna()].index.get_level_values(0))
    assert without == {"ecny", "ai_ethics"}
    assert not set(rc["technology_id"]) & without


def test_risk_tables_cover_every_dimension(package):
    rc, tech = package["risk_challenges"], package["technologies"]
    for tid, fig in tech.dropna(subset=["risk_table_figure"])[["technology_id", "risk_table_figure"]].values:
        part = rc[rc["technology_id"] == tid]
        assert set(part["figure"]) == {fig}
        assert part["dimension_id"].nunique() == 4
        assert package["risk_instruments"].query("technology_id == @tid")["dimension_id"].nunique() == 4


def test_figure_42_pairs_one_score_per_challenge(package):
    rc = package["risk_challenges"].query("figure == '4.2'")
    assert len(rc) == 8 and not rc["score_shared"].any()
    assert rc.groupby("dimension_id").size().eq(2).all()


def test_shared_scores_repeat_one_value(package):
    rc = package["risk_challenges"]
    shared = rc[rc["score_shared"]]
    assert shared.groupby(["technology_id", "dimension_id"])["importance"].nunique().eq(1).all()
    assert shared.groupby(["technology_id", "dimension_id"]).size().gt(1).all()


def _printed_actor_rows(lines, figure):
    cap = next(i for i, l in enumerate(lines) if l.startswith(f"Figure {figure}"))
    prev_caps = [i for i, l in enumerate(lines[:cap]) if l.startswith("Figure ")]
    start = next(i for i in range(prev_caps[-1] if prev_caps else 0, cap) if lines[i].startswith("ACTOR TYPE"))
    return [l for l in lines[start:cap] if l.count("\t") >= 3 and not l.startswith("ACTOR TYPE")]


@pytest.mark.parametrize("figure,n", sorted(ACTOR_ROWS.items()))
def test_actor_table_row_counts(package, figure, n):
    actors = package["actors"]
    rows = actors[actors["figure"] == figure].sort_values("row")
    assert len(rows) == n
    assert rows["row"].tolist() == list(range(1, n + 1))


@pytest.mark.parametrize("figure", sorted(ACTOR_ROWS))
def test_actor_rows_and_symbols_match_the_text(package, source_lines, figure):
    printed = _printed_actor_rows(source_lines, figure)
    assert len(printed) == ACTOR_ROWS[figure]
    ours = package["actors"].query("figure == @figure").sort_values("row")
    for line, (_, row) in zip(printed, ours.iterrows()):
        symbol = next((s for s in "●◐" if line.rstrip().endswith(s)), None)
        assert (row["priority_symbol"] if pd.notna(row["priority_symbol"]) else None) == symbol, (figure, row["row"])


def test_priority_rank_follows_the_symbol(package):
    a = package["actors"]
    mapping = {"●": 1, "◐": 2}
    for _, r in a.iterrows():
        if pd.isna(r["priority_symbol"]):
            assert pd.isna(r["priority_rank"]) and pd.notna(r["priority_note"]), (r["figure"], r["row"])
        else:
            assert r["priority_rank"] == mapping[r["priority_symbol"]]


def test_symbols_missing_exactly_where_the_text_shows_none(package):
    a = package["actors"]
    missing = a[a["priority_symbol"].isna()].groupby("figure").size().to_dict()
    assert set(missing) == {"4.1", "5.2", "6.1", "7.1"}
    assert missing["5.2"] == 7  # the table's second page


def test_canonical_actor_ids_are_consistent(package):
    """One body, one id: a repeated id never maps to two different Chinese names without a note."""
    a = package["actors"]
    assert a.groupby("actor_id")["technology_id"].nunique().max() >= 2  # there are cross-chapter actors
    assert set(a.query("actor_id == 'huawei'")["technology_id"]) >= {"blockchain", "v2x", "smart_cities"}
    assert a.groupby(["technology_id", "actor_id"]).size().max() == 1  # no body twice in one table


def test_references_are_complete(package):
    refs = package["references"]
    assert refs["footnote"].tolist() == list(range(1, 271))
    back = refs.dropna(subset=["see_note"])
    assert (back["see_note"] < back["footnote"]).all()
    assert len(refs[refs["citation"].str.contains(r"\(note \d+\)")]) == 41


def test_figures_manifest(package, descriptor):
    figs = package["figures"]
    names = {r["name"] for r in descriptor["resources"]}
    for _, f in figs.iterrows():
        if f["status"] == "not_reproducible":
            assert pd.isna(f["tables"])
        else:
            assert pd.notna(f["tables"]) and set(f["tables"].split(";")) <= names, f["figure_id"]
    dup = figs.dropna(subset=["duplicate_of"]).set_index("figure_id")["duplicate_of"].to_dict()
    assert dup == {"1.2": "0.1", "1.3": "0.3", "1.4": "0.2"}
    status = figs.set_index("figure_id")["status"]
    assert status["3.1"] == status["3.2"] == status["5.3"] == "not_reproducible"
    assert status["0.1"] == "partial"
    assert status["0.2"] == status["1.1"] == "reconstructed_from_text"


def test_key_figures_hold_the_required_statements(package):
    kf = package["key_figures"]

    def rows(**want):
        q = kf
        for k, v in want.items():
            q = q[q[k].astype("string").str.contains(v, regex=False, na=False)] if isinstance(v, str) else q[q[k] == v]
        return q

    for share in ("16 per cent", "50 per cent", "27 per cent", "52 per cent"):
        assert len(rows(quote=share, chapter=1)) >= 1, share
    bound = rows(quote="52,000")
    assert bound["qualifier"].tolist() == ["less than"] and bound["value"].tolist() == [52000]
    assert set(rows(chapter=5, unit="percent")["value"]) >= {60, 84, 83}  # payment-app favourability
    ecny_usage = rows(chapter=5)
    assert ecny_usage["footnote"].nunique() >= 3  # usage numbers from several sources, each with its note
    facial = rows(indicator="facial recognition", chapter=1, unit="USD billion")
    assert sorted(zip(facial["value"], facial["qualifier"])) == [(5, "exact"), (13, "almost")]
    assert {"exact", "about", "more than", "less than"} <= set(kf["qualifier"])


def test_threat_level_labels_are_the_legend(package):
    tl = package["threat_levels"].sort_values("legend_order")
    assert tl["level"].tolist() == [4, 3, 2, 1]


def test_every_csv_is_described(data_dir, descriptor):
    described = {r["path"] for r in descriptor["resources"]}
    on_disk = {p.name for p in data_dir.glob("*.csv")}
    assert on_disk == described
    for r in descriptor["resources"]:
        assert r.get("description") and r.get("sources"), r["name"]
        for f in r["schema"]["fields"]:
            assert f.get("description"), f"{r['name']}.{f['name']} has no description"


def test_csv_files_are_plain_utf8_lf(data_dir):
    for p in data_dir.glob("*.csv"):
        raw = p.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw, p.name
        assert raw.endswith(b"\n"), p.name
