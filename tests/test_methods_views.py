"""The report's methods in the notebooks: every chapter's recommendations table, chapter 8's checklist
table and chart, and the per-dimension view of the recommendations (x9.6).

Tables and the chart are checked against the data they are drawn from (recommendations.csv,
app_criteria.csv, app_evidence.csv, risk_instruments.csv), and the ids against supplementary_figures.csv.
"""

from __future__ import annotations

import re
import shutil
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from osa_utils.sections import methods as M  # noqa: E402

CHAPTERS = range(2, 9)
REC_ID = re.compile(r"\br[2-8]_\d{2}\b")
CELL_WORDS = {
    "stated finding": "stated",
    "adverse": "adverse",
    "open": "open",
    "not adverse": "not_adverse",
    "evidence only": "evidence",
    "no evidence\nin the text": "none",
}
#: The kinds of a cell that are a stated finding (in this collection's reading, or without one).
STATED = ("adverse", "open", "not_adverse", "stated")


@pytest.fixture
def ch(tmp_path, data_dir):
    from osa_utils.notebook import Chapter

    return Chapter(data_dir, tmp_path / "out", "png", 50, "en")


def _capture_table(monkeypatch):
    from osa_utils.notebook import Chapter

    seen: dict[str, Any] = {}
    monkeypatch.setattr(Chapter, "show_table", lambda self, table, fid, **kw: seen.update(table=table, fid=fid, kw=kw))
    return seen


def _capture_figure(monkeypatch):
    from osa_utils.notebook import Chapter

    seen: dict[str, Any] = {}
    monkeypatch.setattr(Chapter, "show_figure", lambda self, fig, fid, **kw: seen.update(fig=fig, fid=fid, kw=kw))
    return seen


# --------------------------------------------------------------------------- recommendations per chapter
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_recommendation_table_has_exactly_the_chapters_rows(ch, package, chapter):
    rec = package["recommendations"]
    own = rec[rec["chapter"] == chapter].sort_values("order")
    dims = package["dimensions"].set_index("dimension_id")["label_risk_tables"]
    table = ch.recommendations_table(chapter)
    assert len(table.rows) == len(own) > 0
    for row, (_, r) in zip(table.rows, own.iterrows()):
        number, lead, text, notes, dim = row
        assert number == str(int(r["order"]))
        assert text == r["text"]  # verbatim, whole
        assert lead == (r["lead"] if pd.notna(r["lead"]) else "(none printed)")
        assert notes == (", ".join(str(r["footnotes"]).split(";")) if pd.notna(r["footnotes"]) else "")
        if pd.isna(r["dimension_id"]):
            assert dim == f"none: {r['dimension_reason']}"
        else:
            assert dim[0].startswith(dims[r["dimension_id"]])
            if pd.notna(r["dimension_printed"]):
                assert f"“{r['dimension_printed']}”" in dim[0]
            others = [d for d in str(r["other_dimension_ids"]).split(";") if pd.notna(r["other_dimension_ids"]) and d]
            assert (len(dim) == 2) == bool(others)
            for d in others:
                assert dims[d] in dim[1]
    # no other chapter's text in it
    texts = {row[2] for row in table.rows}
    assert not texts & set(rec[rec["chapter"] != chapter]["text"])


def test_recommendations_saves_its_table_under_its_own_id(ch):
    ch.recommendations(4)
    assert {p.name for p in ch.written} == {"tab-4-recommendations.csv", "tab-4-recommendations.html"}
    csv = pd.read_csv(ch.params.figures_dir / "tab-4-recommendations.csv")
    assert len(csv) == 8
    html = (ch.params.figures_dir / "tab-4-recommendations.html").read_text(encoding="utf-8")
    assert "this collection" in html and "reproduced" not in html
    with pytest.raises(ValueError, match="chapters 2 to 8"):
        M.recommendations_id(1)


def test_recommendation_table_follows_the_data(tmp_path, data_dir):
    """The table is read from recommendations.csv: a row moved to another chapter in a copy leaves the table."""
    from osa_utils.notebook import Chapter

    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    path = copy / "recommendations.csv"
    rec = pd.read_csv(path, dtype=str, keep_default_na=False)
    rec.loc[rec["recommendation_id"] == "r5_02", ["chapter", "order"]] = ["4", "9"]
    rec.to_csv(path, index=False, lineterminator="\n")
    ch = Chapter(copy, tmp_path / "out", "png", 50, "en")
    assert len(ch.recommendations_table(5).rows) == 3
    assert ch.recommendations_table(4).rows[-1][2] == rec.loc[rec["recommendation_id"] == "r5_02", "text"].iloc[0]


# --------------------------------------------------------------------------- chapter 8's checklist
def test_criteria_table_as_printed(ch, package, monkeypatch):
    seen = _capture_table(monkeypatch)
    ch.criteria_table()
    crit = package["app_criteria"]
    table = seen["table"]
    assert seen["fid"] == "8-criteria" and len(table.rows) == len(crit) == 12
    assert [r[2] for r in table.rows] == crit.sort_values(["level", "order"])["explanation"].tolist()
    marked = [r[1] for r in table.rows if "name given by this collection" in r[1]]
    assert marked == [
        crit.loc[crit["name_is_collections"], "name"].iloc[0]
        + " [name given by this collection: the report prints none]"
    ]
    assert "reproduced" not in seen["kw"]["status_text"]


def _grid_cells(fig, criteria: pd.DataFrame, apps) -> dict[tuple[str, str], str]:
    """(criterion_id, app) -> the kind a cell of the drawn grid shows, read from the figure's texts:
    a cell's text sits at the x of its app column and the y of its criterion's label."""
    ax = fig.axes[0]
    names = {}
    for r in criteria.itertuples():
        label = str(r.name) + ("*" if bool(r.name_is_collections) else "")
        names[" ".join(label.split())] = r.criterion_id
    rows = {}
    cells = []
    for t in ax.texts:
        x, y = t.get_position()
        text = t.get_text()
        key = " ".join(text.split())
        if key in names:
            rows[round(y, 6)] = names[key]
        elif text in CELL_WORDS:
            cells.append((x, round(y, 6), CELL_WORDS[text]))
    out = {}
    for x, y, kind in cells:
        out[(rows[y], apps[int(round(x))])] = kind
    return out


def test_checklist_chart_cells_match_app_evidence(ch, package, monkeypatch):
    from osa_utils.appcheck import REFERENCE_APPS, criteria

    seen = _capture_figure(monkeypatch)
    ch.checklist_chart()
    assert seen["fid"] == "s8.1"
    ev = package["app_evidence"]
    expected = {}
    for c in package["app_criteria"]["criterion_id"]:
        for a in REFERENCE_APPS:
            hit = ev[(ev["criterion_id"] == c) & (ev["app"] == a)]
            expected[(c, a)] = (
                "none"
                if hit.empty
                else hit.iloc[0]["finding_reading"]
                if pd.notna(hit.iloc[0]["stated_finding"])
                else "evidence"
            )
    drawn = _grid_cells(seen["fig"], criteria(), list(REFERENCE_APPS))
    assert drawn == expected
    assert ch.checklist_cells() == expected
    assert sum(k == "none" for k in drawn.values()) == 36 - len(ev)
    # no user's column and no verdict words of the app-check findings
    words = {t.get_text() for t in seen["fig"].findobj(matplotlib.text.Text)}
    assert not any("the user's" in w for w in words)
    assert not words & {"concern", "no concern", "unclear"}
    # every stated finding is quoted, as printed, in the note under the chart
    for f in ev["stated_finding"].dropna():
        assert f"“{f}”" in seen["kw"]["note"]


def test_checklist_chart_follows_the_data(tmp_path, data_dir, monkeypatch):
    """A stated finding removed from a copy of app_evidence.csv turns its cell into 'evidence only'; a row
    moved to another app leaves 'no evidence in the text' behind."""
    from osa_utils.appcheck import REFERENCE_APPS, criteria
    from osa_utils.notebook import Chapter

    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    path = copy / "app_evidence.csv"
    ev = pd.read_csv(path, dtype=str, keep_default_na=False)
    censorship = (ev["criterion_id"] == "content_censorship") & (ev["app"] == "TikTok")
    ev.loc[censorship, "stated_finding"] = ""
    ev.loc[(ev["criterion_id"] == "data_transfer_scope") & (ev["app"] == "WeChat"), "app"] = "Face++"
    ev.to_csv(path, index=False, lineterminator="\n")
    seen = _capture_figure(monkeypatch)
    Chapter(copy, tmp_path / "out", "png", 50, "en").checklist_chart()
    drawn = _grid_cells(seen["fig"], criteria(copy), list(REFERENCE_APPS))
    assert drawn[("content_censorship", "TikTok")] == "evidence"
    assert drawn[("data_transfer_scope", "WeChat")] == "none"
    assert drawn[("data_transfer_scope", "Face++")] == "not_adverse"  # the moved row keeps its reading
    assert drawn[("content_censorship", "WeChat")] == "not_adverse"


def test_checklist_chart_is_saved_under_its_id_with_a_title_of_this_collection(ch):
    ch.checklist_chart()
    assert {p.name for p in ch.written} == {"fig-s8-1.png", "fig-s8-1.csv"}
    header = ch.chart_header(ch.info("s8.1"))
    assert header.startswith("Supplementary chart s8.1 – ")
    assert "this collection" in header and ("AI ethics" in header or "Chapter 8" in header)


# --------------------------------------------------------------------------- ids
def test_new_ids_are_registered_and_never_reproduced(package, ch):
    sup = package["supplementary_figures"].set_index("figure_id")
    figs = set(package["figures"]["figure_id"])
    expected: dict[str, tuple[str, str, int | None]] = {
        f"{c}-recommendations": ("supplementary", "table", c) for c in CHAPTERS
    }
    expected |= {
        "8-criteria": ("supplementary", "table", 8),
        "s8.1": ("reading", "chart", 8),
        "x9.6": ("synthesis", "table", None),
    }
    for fid, (status, kind, chapter) in expected.items():
        assert fid in sup.index and fid not in figs, fid
        r = sup.loc[fid]
        assert (r["status"], r["kind"]) == (status, kind), fid
        assert pd.isna(r["chapter"]) if chapter is None else int(r["chapter"]) == chapter, fid
        info = ch.info(fid)
        assert not info.of_report and "reproduced" not in info.status_text, fid
        assert "this collection" in r["caption"] or fid == "x9.6" or "this collection" in r["note"], fid


def test_supplementary_loop_leaves_the_method_outputs_out(ch):
    """A chapter's loop over supplementary_ids draws key-figure charts only, never the tables or s8.1."""
    for c in CHAPTERS:
        ids = ch.supplementary_ids(c)
        assert not [i for i in ids if i.endswith("-recommendations") or i in ("8-criteria", "s8.1")], c


# --------------------------------------------------------------------------- x9.6
def test_per_dimension_view_lists_each_recommendation_exactly_under_its_dimensions(ch, package, monkeypatch):
    from osa_utils.sections.crosschapter import UNTIED_LABEL

    seen = _capture_table(monkeypatch)
    ch.recommendations_by_dimension("x9.6")
    table = seen["table"]
    assert seen["fid"] == "x9.6"
    labels = package["dimensions"].set_index("dimension_id")["label_fig03"]
    rec = package["recommendations"].set_index("recommendation_id")
    placed: dict[str, list[tuple[str, str]]] = {}
    for dim, _types, chapter, items, _instruments in table.rows:
        for item in items if isinstance(items, list) else []:
            ids = REC_ID.findall(item)
            assert len(ids) == 1, item
            placed.setdefault(ids[0], []).append((dim, chapter.split()[0]))
    assert set(placed) == set(rec.index)  # every recommendation is listed
    for rid, r in rec.iterrows():
        tied = ([r["dimension_id"]] if pd.notna(r["dimension_id"]) else []) + (
            str(r["other_dimension_ids"]).split(";") if pd.notna(r["other_dimension_ids"]) else []
        )
        want = sorted((labels[d], str(r["chapter"])) for d in tied) if tied else [(UNTIED_LABEL, str(r["chapter"]))]
        assert sorted(placed[rid]) == want, rid
    # the untied ones carry the chapter's reason
    for dim, _t, _c, items, _i in table.rows:
        if dim == UNTIED_LABEL:
            for item in items:
                rid = REC_ID.findall(item)[0]
                assert item.endswith(f"why none: {rec.loc[rid, 'dimension_reason']}")
    assert "the chapters themselves tie" in seen["kw"]["note"]


def test_per_dimension_view_instruments_and_types_as_printed(ch, package, monkeypatch):
    seen = _capture_table(monkeypatch)
    ch.recommendations_by_dimension("x9.6")
    rows = seen["table"].rows
    dims = package["dimensions"].sort_values("order")
    techs = package["technologies"].sort_values("order")
    ri, pi = package["risk_instruments"], package["policy_instruments"]
    body = [r for r in rows if r[0] in set(dims["label_fig03"])]
    assert len(body) == len(dims) * len(techs)
    i = 0
    for d in dims.itertuples():
        types = pi[(pi["dimension_id"] == d.dimension_id) & (pi["figure"] == "0.3")].sort_values("item")["instrument"]
        for j, t in enumerate(techs.itertuples()):
            row = body[i]
            i += 1
            assert row[0] == d.label_fig03 and row[2] == f"{t.chapter} {t.short_label}"
            assert row[1] == (types.tolist() if j == 0 else "")
            if pd.isna(t.risk_table_figure):
                assert row[4] == "no risk table in the report"
            else:
                part = ri[(ri["technology_id"] == t.technology_id) & (ri["dimension_id"] == d.dimension_id)]
                assert row[4] == part.sort_values("item")["instrument"].tolist()


def test_per_dimension_frame_follows_the_data(tmp_path, data_dir):
    """Moving a recommendation to another dimension in a copy of the data moves it in the view."""
    from osa_utils.notebook import Chapter

    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    path = copy / "recommendations.csv"
    rec = pd.read_csv(path, dtype=str, keep_default_na=False)
    rec.loc[rec["recommendation_id"] == "r5_01", "dimension_id"] = "competitiveness"
    rec.to_csv(path, index=False, lineterminator="\n")
    f = Chapter(copy, tmp_path / "out", "png", 50, "en").recommendations_by_dimension_frame()
    assert f.loc[f["recommendation_id"] == "r5_01", "group"].tolist() == ["competitiveness"]
