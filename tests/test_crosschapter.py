"""Cross-chapter views (notebook 09_cross_chapter): recurring actors, the network, threat
profiles, the instrument keyword rule and the what-if explorer."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from osa_utils.plots import network as N  # noqa: E402
from osa_utils.plots import profiles as P  # noqa: E402

X9_IDS = ["x9.1", "x9.2", "x9.3", "x9.4", "x9.5", "x9.6"]


@pytest.fixture
def ch(tmp_path, data_dir):
    from osa_utils.notebook import Chapter

    return Chapter(data_dir, tmp_path / "out", "png,svg", 50, "en")


# --------------------------------------------------------------------------- manifest
def test_cross_chapter_rows_in_the_manifest(package):
    sup = package["supplementary_figures"].set_index("figure_id")
    for fid in X9_IDS:
        assert fid in sup.index
        row = sup.loc[fid]
        assert pd.isna(row["chapter"]) and pd.isna(row["key_figure_ids"])
        assert set(str(row["tables"]).split(";")) <= set(package)


# --------------------------------------------------------------------------- recurring actors
def _organisation(actors):
    """parent_actor_id where set, else actor_id: the unit cross-chapter views count."""
    return actors["parent_actor_id"].fillna(actors["actor_id"]).astype(str)


def test_recurring_actors_count_per_organisation_huawei_in_four_chapters(ch, package):
    f = ch.recurring_actor_frame().set_index("actor_id")
    a = package["actors"]
    expected = a.assign(org=_organisation(a)).groupby("org")["technology_id"].nunique()
    assert dict(f["chapters"]) == {k: int(v) for k, v in expected[expected > 1].items()}
    # 'Huawei & Huawei Cloud' (Figure 3.3) counts for Huawei, beside Figures 4.1, 6.1 and 7.1
    assert f.loc["huawei", "chapters"] == 4
    listed = {
        t
        for t in ["chip_design", "6g", "blockchain", "ecny", "v2x", "smart_cities", "ai_ethics"]
        if t in f.columns and isinstance(f.loc["huawei", t], str)
    }
    assert listed == {"6g", "blockchain", "v2x", "smart_cities"}
    assert f.loc["huawei", "actor"] == "Huawei" and "(as Huawei & Huawei Cloud)" in f.loc["huawei", "6g"]
    # the NDRC's departments (Figure 3.3) count for the NDRC
    assert f.loc["ndrc", "chapters"] == 3 and isinstance(f.loc["ndrc", "6g"], str)
    # units are not listed on their own
    assert not set(f.index) & set(a.loc[a["parent_actor_id"].notna(), "actor_id"])
    # ranked: chapters descending, then name
    keys = list(zip(-f["chapters"], f["actor"]))
    assert keys == sorted(keys)


def test_recurring_actors_priority_as_printed(ch, package):
    f = ch.recurring_actor_frame().set_index("actor_id")
    a = package["actors"]
    a = a.assign(org=_organisation(a))
    for org, row in f.iterrows():
        for t in f.columns:
            if t in ("actor", "chapters") or not isinstance(row[t], str):
                continue
            part = a[(a["org"] == org) & (a["technology_id"] == t)]
            expected = []
            for _, r in part.iterrows():
                cell = "no symbol in the text" if pd.isna(r["priority_symbol"]) else r["priority_symbol"]
                if r["actor_id"] != org:
                    cell += f" (as {r['name_en']})"
                expected.append(cell)
            assert row[t] == " / ".join(expected), (org, t)


def test_recurring_actors_table_is_written(ch):
    ch.recurring_actors("x9.1")
    assert {p.name for p in ch.written} == {"tab-x9-1.csv", "tab-x9-1.html"}
    text = (ch.params.figures_dir / "tab-x9-1.csv").read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith("Huawei,4,")


# --------------------------------------------------------------------------- network
def test_network_one_node_per_technology_and_organisation_one_edge_per_pair(ch, package):
    g = ch.actor_graph()
    a, t = package["actors"], package["technologies"]
    a = a.assign(org=_organisation(a))
    techs = {d["technology_id"] for _, d in g.nodes(data=True) if d["kind"] == N.TECH}
    actors = {d["actor_id"] for _, d in g.nodes(data=True) if d["kind"] == N.ACTOR}
    assert techs == set(t["technology_id"])
    assert actors == set(a["org"])
    assert g.number_of_nodes() == len(techs) + len(actors)
    pairs = a.groupby(["technology_id", "org"]).size()
    assert g.number_of_edges() == len(pairs)
    for (tid, org), n in pairs.items():
        assert len(g[N.tech_node(tid)][N.actor_node(org)]["rows"]) == n
    assert sum(len(d["rows"]) for _, _, d in g.edges(data=True)) == len(a)  # every row drawn
    assert g.nodes[N.actor_node("huawei")]["chapters"] == 4
    assert g.nodes[N.actor_node("huawei")]["label"] == "Huawei"


def test_network_layout_is_deterministic(ch, tmp_path):
    from osa_utils.figures import save

    g1, g2 = ch.actor_graph(), ch.actor_graph()
    assert N.layout(g1) == N.layout(g2)
    a = save(N.actor_network(g1), "x9.2", tmp_path / "a", ("png", "svg"), 50)
    b = save(N.actor_network(g2), "x9.2", tmp_path / "b", ("png", "svg"), 50)
    for p, q in zip(a, b):
        assert p.read_bytes() == q.read_bytes(), p.name


def test_network_labels_only_recurring_actors(ch):
    g = ch.actor_graph()
    fig = N.actor_network(g)
    texts = {t.get_text() for t in fig.axes[0].texts}
    for _, d in g.nodes(data=True):
        if d["kind"] == N.ACTOR:
            assert (N.wrap_label(d["label"]) in texts) == (d["chapters"] > 1), d["label"]
        else:
            assert d["label"] in texts


# --------------------------------------------------------------------------- threat profiles
def test_heatmap_cells_equal_the_max_importance(package):
    rc = package["risk_challenges"]
    fig = P.importance_heatmap(rc, package["technologies"], package["dimensions"])
    shown = {t.get_gid(): t.get_text() for t in fig.axes[0].texts if t.get_gid()}
    expected = rc.groupby(["technology_id", "dimension_id"])["importance"].max()
    assert len(shown) == len(expected)
    for (t, d), v in expected.items():
        assert shown[f"value:{t}:{d}"] == str(int(v))
    cells = {p.get_gid() for p in fig.axes[0].patches if p.get_gid()}
    assert cells == {f"cell:{t}:{d}" for t, d in expected.index}


def test_heatmap_writes_the_range_where_a_cell_has_several_challenges(package):
    rc = package["risk_challenges"]
    texts = [
        t.get_text() for t in P.importance_heatmap(rc, package["technologies"], package["dimensions"]).axes[0].texts
    ]
    b = rc[(rc["technology_id"] == "blockchain") & (rc["dimension_id"] == "competitiveness")]
    lo, hi = int(b["importance"].min()), int(b["importance"].max())
    assert lo != hi and any(f"range {lo}–{hi}" in t for t in texts)


# --------------------------------------------------------------------------- instrument rule
@pytest.mark.parametrize(
    "text,expected",
    [
        ("EU Chips Act", "Industrial policy"),
        ("Transatlantic Cooperation on Standards", "Standardization"),  # first match in the rule's order
        ("Incentivize diversification (e.g. by means of procurement)", "Diversification incentives, e.g. procurement"),
        ("Diplomatic engagement with third countries", "Cooperation with third parties, e.g. Free Trade Agreements"),
        ("Implement GDPR requirements for BSN services as appropriate", "Regulation"),
        ("Track PLA ambitions and share information with like-minded partners", "Like-minded cooperation"),
        ("Invest in blockchain research and broad industrialization/application", "R&D investment"),
        ("FIWARE", None),
        ("", None),
        (None, None),
    ],
)
def test_instrument_type_rule(text, expected):
    assert P.instrument_type(text) == expected


def test_instrument_rule_maps_figure03_types_to_themselves(package):
    pi = package["policy_instruments"]
    for kind in pi["instrument"]:
        assert P.instrument_type(kind) == kind
    assert {k for k, _ in P.INSTRUMENT_RULE} == set(pi["instrument"])


def test_instruments_table_lists_unmatched_and_states_the_rule(ch, package, monkeypatch):
    from osa_utils.notebook import Chapter

    seen: dict[str, Any] = {}
    monkeypatch.setattr(Chapter, "show_table", lambda self, table, fid, **kw: seen.update(table=table, kw=kw))
    ch.instruments_by_dimension("x9.5")
    table, kw = seen["table"], seen["kw"]
    assert "this collection's reading" in kw["note"] and "first type in this order" in kw["note"]
    unmatched = [r for r in table.rows if r[1] == P.NOT_MATCHED]
    assert len(unmatched) == len(package["dimensions"])
    ri = package["risk_instruments"]
    # every printed instrument is counted once per dimension row set
    assert sum(int(r[2]) for r in table.rows) == len(ri)
    n_none = sum(P.instrument_type(x) is None for x in ri["instrument"])
    assert sum(int(r[2]) for r in unmatched) == n_none


# --------------------------------------------------------------------------- explorer
def test_explorer_static_writes_no_file(ch):
    ch.explorer(interactive=False)
    assert ch.written == []
    assert not ch.params.figures_dir.exists() or not any(ch.params.figures_dir.iterdir())


def test_whatif_is_labelled_and_never_saved(ch, package):
    rc = package["risk_challenges"]
    r = rc.iloc[0]
    fig_m, fig_h, what = ch.whatif_figures(
        package["technologies"]["technology_id"],
        package["dimensions"]["dimension_id"],
        (r["technology_id"], r["dimension_id"], int(r["item"])),
        4,
    )
    for fig in (fig_m, fig_h):
        assert any("What-if: not the report's assessment" in t.get_text() for t in fig.texts)
    assert ch.written == [] and not ch.params.figures_dir.exists()
    # the loaded table is not changed by the what-if
    assert int(ch.t("risk_challenges").iloc[0]["importance"]) == int(r["importance"])
