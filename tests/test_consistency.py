"""The tables agree with each other and with what the report prints."""

from __future__ import annotations

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


def test_threat_level_labels_are_the_legend(package, descriptor):
    """All five printed legend entries; 'not applicable' has no number, so the table is keyed by label."""
    tl = package["threat_levels"].sort_values("legend_order")
    assert tl["label"].tolist() == [
        "very high degree of threat",
        "high degree of threat",
        "moderate degree of threat",
        "low degree of threat",
        "not applicable",
    ]
    assert tl["level"].iloc[:4].tolist() == [4, 3, 2, 1] and pd.isna(tl["level"].iloc[4])
    res = {r["name"]: r for r in descriptor["resources"]}["threat_levels"]
    assert res["schema"]["primaryKey"] == ["label"]
    assert "not applicable" in res["description"] and res["osa:minRows"] == 5


def test_one_identity_per_figure(package):
    """fig-X-Y is the report's chart, diagram or matrix; a chart this collection draws of a table or box of
    the report has its own id '<figure>-chart', status derived_chart and a title saying so."""
    figs = package["figures"].set_index("figure_id")
    sup = package["supplementary_figures"].set_index("figure_id")
    assert set(sup["status"]) <= {"supplementary", "derived_chart", "synthesis", "reading"}
    derived = sup[sup["status"] == "derived_chart"]
    bases = {i[: -len("-chart")] for i in derived.index}
    assert bases == {"2.1", "2.2", "3.3", "3.4", "4.1", "4.2", "5.2", "5.4", "6.1", "6.2", "7.1", "7.2", "8.2", "box1"}
    for cid, r in derived.iterrows():
        base = cid[: -len("-chart")]
        assert cid.endswith("-chart") and figs.loc[base, "kind"] in ("table", "box"), cid
        title = (
            "Chart of Box 1 (this collection)"
            if base == "box1"
            else f"Chart of Figure {base}'s table (this collection)"
        )
        assert r["caption"].startswith(title), cid
        assert int(r["chapter"]) == int(figs.loc[base, "chapter"])
    for fid, r in sup.iterrows():
        if fid.startswith("x"):
            assert r["status"] == "synthesis", fid
        elif fid.startswith("s"):  # s8.1: chapter 8's checklist read by this collection (issue #21)
            assert r["status"] == ("reading" if fid == "s8.1" else "supplementary"), fid
        elif fid.endswith("-recommendations") or fid == "8-criteria":
            # the chapters' recommendations and chapter 8's checklist: tables of text the report prints,
            # this collection's, never a figure of the report
            assert r["status"] == "supplementary" and r["kind"] == "table", fid
            assert fid not in figs.index, fid
    assert {f"{c}-recommendations" for c in range(2, 9)} | {"8-criteria", "s8.1", "x9.6"} <= set(sup.index)
    # the chart of footnote 134's values has its own id and title, not Figure 5.3's caption (red and yellow)
    assert figs.loc["5.3", "status"] == "not_reproducible"
    usdc = sup.loc["s5.4"]
    assert "footnote 134" in usdc["caption"] and "red" not in usdc["caption"]
    assert usdc["key_figure_ids"] == "kf104;kf105;kf106"


def test_titles_of_charts_name_the_technology(package):
    """A PNG alone must say what it is about: every chart of an actor or risk table names its technology."""
    sup = package["supplementary_figures"].set_index("figure_id")
    words = {"2": "chip", "3": "6G", "4": "blockchain", "5": "e-CNY", "6": "V2X", "7": "smart cit", "8": "AI-ethics"}
    for cid, r in sup[sup["status"] == "derived_chart"].iterrows():
        if cid.startswith("box1"):
            continue
        assert words[cid[0]].lower() in r["caption"].lower(), cid


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
