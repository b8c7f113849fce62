"""Box 1, Figure 5.3 and the supplementary charts: every number drawn is a key_figures.csv row."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from osa_utils.plots import keyfigures as P  # noqa: E402
from osa_utils.sections import keyfigures as S  # noqa: E402


@pytest.fixture(scope="module")
def kf(package):
    return package["key_figures"]


@pytest.fixture(scope="module")
def sup(package):
    """The supplementary charts of key figures (ids s<chapter>.<n> with key_figure_ids); x9.* are cross-chapter
    views, s8.1 is chapter 8's checklist chart (drawn from app_criteria/app_evidence, tests/test_methods_views.py)."""
    s = package["supplementary_figures"]
    return s[s["figure_id"].str.startswith("s") & s["key_figure_ids"].notna()]


def _bar_end(patch):
    return patch.get_x() + patch.get_width()


def _patches(fig):
    return {p.get_gid(): p for ax in fig.axes for p in ax.patches if p.get_gid()}


def _texts(fig):
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_yticklabels()]
        leg = ax.get_legend()
        if leg is not None:
            out += [t.get_text() for t in leg.get_texts()]
    return out


def _box1(kf):
    return (
        S.rows_by_id(kf, S.BOX1_SHARES),
        S.rows_by_id(kf, [S.BOX1_IMPORT_SHARE]).iloc[0],
        S.rows_by_id(kf, [S.BOX1_TOTAL]).iloc[0],
    )


# --------------------------------------------------------------------------- data
def test_supplementary_key_figures_exist(sup, kf):
    known = set(kf["key_figure_id"])
    for _, r in sup.iterrows():
        ids = r["key_figure_ids"].split(";")
        assert ids and len(ids) == len(set(ids)), r["figure_id"]
        missing = [i for i in ids if i not in known]
        assert not missing, f"{r['figure_id']}: {missing} not in key_figures.csv"


def test_supplementary_ids_and_chapters(sup, kf):
    ids = sup["figure_id"].tolist()
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"s\d\.\d+", i) for i in ids)
    chapter = kf.set_index("key_figure_id")["chapter"]
    for _, r in sup.iterrows():
        assert r["figure_id"].startswith(f"s{r['chapter']}.")
        assert {int(chapter[i]) for i in r["key_figure_ids"].split(";")} == {int(r["chapter"])}, r["figure_id"]
        assert r["tables"] == "key_figures" and r["kind"] == "chart"


def test_box1_and_usdc_rows_are_the_right_ones(kf):
    shares, imp, total = _box1(kf)
    assert shares["unit"].eq("percent").all() and shares["footnote"].eq(7).all()
    assert [q for q in shares["quote"]] == [
        "16 per cent are raw materials",
        "50 per cent are intermediate goods",
        "about 27 per cent are final products",
    ]
    assert "52 per cent" in imp["quote"] and "137 products" in total["quote"]
    usdc = S.rows_by_id(kf, S.USDC_ROWS)
    assert usdc["footnote"].eq(S.USDC_FOOTNOTE).all()
    assert usdc["note"].str.contains("note 134").all()


# --------------------------------------------------------------------------- Box 1
def test_box1_remainder_is_computed_from_the_data(kf):
    shares, imp, total = _box1(kf)
    fig = P.box1_shares(shares, imp, total)
    bars = _patches(fig)
    for _, r in shares.iterrows():
        assert bars[r["key_figure_id"]].get_width() == pytest.approx(float(r["value"]))
    expected = 100 - sum(float(v) for v in shares["value"])
    assert bars["remainder"].get_width() == pytest.approx(expected)
    assert bars["remainder"].get_hatch()
    assert bars[imp["key_figure_id"]].get_width() == pytest.approx(float(imp["value"]))
    assert any(P.REMAINDER_LABEL in t for t in _texts(fig))
    assert any("about 27%" in t for t in _texts(fig))


def test_box1_remainder_follows_changed_data(kf):
    """A hard-coded remainder would not follow the data."""
    shares, imp, total = _box1(kf)
    changed = shares.copy()
    changed.loc[0, "value"] = float(changed.loc[0, "value"]) + 4
    bars = _patches(P.box1_shares(changed, imp, total))
    assert bars["remainder"].get_width() == pytest.approx(100 - sum(float(v) for v in changed["value"]))
    assert bars["remainder"].get_width() != pytest.approx(100 - sum(float(v) for v in shares["value"]))


# --------------------------------------------------------------------------- generic panels
def test_bound_is_drawn_with_a_marker(kf):
    rows = S.rows_by_id(kf, ["kf038", "kf039"])  # EU 256,074; Germany 'less than 52,000'
    assert rows["qualifier"].tolist() == ["exact", "less than"]
    fig = P.key_figure_panels(rows)
    texts = _texts(fig)
    assert any(t.startswith("<") and "less than 52,000" in t for t in texts), texts
    bars = _patches(fig)
    assert bars["kf039"].get_facecolor()[:3] == (1.0, 1.0, 1.0)  # hollow, not a solid bar
    assert bars["kf038"].get_facecolor()[:3] != (1.0, 1.0, 1.0)
    arrows = [c for ax in fig.axes for c in ax.texts if getattr(c, "arrow_patch", None) is not None]
    assert arrows


def test_panels_show_every_value_in_order_with_its_note(kf, sup):
    for _, s in sup.iterrows():
        rows = S.rows_by_id(kf, s["key_figure_ids"].split(";"))
        fig = P.key_figure_panels(rows)
        bars = _patches(fig)
        measures = [P.measure(r) for _, r in rows.iterrows()]
        order = list(dict.fromkeys(m for m, _ in measures))
        expected = [i for m in order for i, (mm, _) in zip(rows["key_figure_id"], measures) if mm == m]
        assert list(bars) == expected, s["figure_id"]  # one panel per measure, bars in the listed order
        for ax in fig.axes:  # first listed at the top
            ys = [p.get_y() for p in ax.patches if p.get_gid()]
            assert ys == sorted(ys)
        for (_, r), (_, value) in zip(rows.iterrows(), measures):
            assert _bar_end(bars[r["key_figure_id"]]) == pytest.approx(value)  # converted to the panel's unit
        assert len(fig.axes) == len(order)
        labels = [t for t in _texts(fig)]
        for _, r in rows.iterrows():
            if r["footnote"] is not None and str(r["footnote"]) != "<NA>":
                assert any(f"note {int(r['footnote'])}" in t for t in labels), (s["figure_id"], r["key_figure_id"])
        plt.close(fig)


def test_disagreeing_sources_are_both_drawn(kf, sup):
    row = sup[sup["figure_id"] == "s3.1"].iloc[0]
    rows = S.rows_by_id(kf, row["key_figure_ids"].split(";"))
    china = rows[rows["entity"].str.startswith("China")]
    assert sorted(china["footnote"].astype(int)) == [75, 76]
    texts = _texts(P.key_figure_panels(rows))
    assert any("[note 75]" in t for t in texts) and any("[note 76]" in t for t in texts)


def test_format_value_keeps_qualifier_and_unit():
    row = {"value": 52000.0, "unit": "count", "qualifier": "less than", "note": ""}
    assert P.format_value(row) == "less than 52,000"
    row = {"value": 0.3333, "unit": "fraction", "qualifier": "exact", "note": "Printed 'one-third' (x)."}
    assert P.format_value(row) == "one-third (= 33.3%)"
    # the qualifier keeps its enum value in the data; the label prints the text's own word
    row = {
        "value": 85.0,
        "unit": "percent",
        "qualifier": "about",
        "note": "",
        "quote": "China controls around 85% of the global rare earth processing capacity",
    }
    assert P.format_value(row) == "around 85%"
    row = {
        "value": 8.08,
        "unit": "million",
        "qualifier": "more than",
        "note": "",
        "quote": "The e-CNY has been used in over 8.08 million individual transactions",
    }
    assert P.format_value(row) == "over 8.08 million"
    assert P.format_value({"value": 4.9, "unit": "USD billion", "qualifier": "exact", "note": ""}) == "USD 4.9 billion"


def test_quantities_compared_share_one_axis_and_unit(kf, sup):
    """s3.2: 1.85 million and 256,074 base stations on one axis (the million converted); s3.4: one-third and
    85% on one per-cent axis; the footnote-134 chart: the volumes without a printed currency and USD 4 billion
    in separate panels, each titled as not comparable."""

    def chart(fid):
        ids = sup.set_index("figure_id").loc[fid, "key_figure_ids"].split(";")
        return P.key_figure_panels(S.rows_by_id(kf, ids))

    fig = chart("s3.2")
    bars = _patches(fig)
    assert bars["kf036"].axes is bars["kf038"].axes is bars["kf039"].axes
    assert _bar_end(bars["kf036"]) == pytest.approx(1_850_000) and _bar_end(bars["kf038"]) == pytest.approx(256_074)
    assert _bar_end(bars["kf036"]) / _bar_end(bars["kf038"]) == pytest.approx(1_850_000 / 256_074)
    assert bars["kf040"].axes is not bars["kf036"].axes  # the ratio is not a number of stations
    assert "not comparable" in bars["kf040"].axes.get_title(loc="left")
    assert any("1.85 million" in t for t in _texts(fig))  # the printed wording stays in the label
    fig = chart("s3.4")
    bars = _patches(fig)
    assert len({b.axes for b in bars.values()}) == 1 and len(fig.axes) == 1
    assert _bar_end(bars["kf056"]) == pytest.approx(33.33) and _bar_end(bars["kf054"]) == pytest.approx(85)
    assert any("one-third" in t for t in _texts(fig)) and any("around 85%" in t for t in _texts(fig))
    rows = S.rows_by_id(kf, S.USDC_ROWS)
    fig = P.key_figure_panels(rows, keep_units=("million",), unit_labels={"million": "million (no currency printed)"})
    bars = _patches(fig)
    assert bars["kf104"].axes is bars["kf105"].axes and bars["kf106"].axes is not bars["kf104"].axes
    assert all("not comparable" in ax.get_title(loc="left") for ax in fig.axes)


def test_a_wide_range_gets_a_labelled_log_axis():
    import pandas as pd

    rows = pd.DataFrame(
        [
            {
                "key_figure_id": "kfa",
                "entity": "A",
                "indicator": "x",
                "value": 5.0,
                "unit": "count",
                "qualifier": "exact",
                "period": None,
                "footnote": None,
                "quote": "",
                "note": "",
            },
            {
                "key_figure_id": "kfb",
                "entity": "B",
                "indicator": "x",
                "value": 2.0,
                "unit": "million",
                "qualifier": "exact",
                "period": None,
                "footnote": None,
                "quote": "",
                "note": "",
            },
        ]
    )
    fig = P.key_figure_panels(rows)
    assert len(fig.axes) == 1 and fig.axes[0].get_xscale() == "log"
    assert "log scale" in fig.axes[0].get_xlabel()


# --------------------------------------------------------------------------- Figure 5.3
def test_usdc_figure_says_the_series_are_not_in_the_text(kf, tmp_path, data_dir, monkeypatch):
    from osa_utils.notebook import Chapter

    seen = {}
    real = Chapter.show_figure

    def spy(self, fig, figure_id, **kw):
        seen[figure_id] = (fig, kw)
        return real(self, fig, figure_id, **kw)

    monkeypatch.setattr(Chapter, "show_figure", spy)
    ch = Chapter(data_dir, tmp_path, "png", 50, "en")
    ch.usdc_figure()
    assert "5.3" not in seen  # Figure 5.3 is not reproducible: the footnote's values are chart s5.4
    fig, kw = seen[S.USDC_CHART]
    # the method note goes to the caption text (report figcaption, notebook Markdown), not into the image
    texts = " ".join(_texts(fig))
    assert S.USDC_NOTE not in texts.replace("\n", " ")
    assert S.USDC_NOTE in kw["note"] and "without a currency" in kw["note"]
    assert any("no currency printed" in ax.get_xlabel() for ax in fig.axes)
    assert kw["tables"] == ["key_figures"]
    bars = _patches(fig)
    assert set(bars) == set(S.USDC_ROWS)


# --------------------------------------------------------------------------- files
def test_each_method_writes_its_files(tmp_path, data_dir, sup):
    from osa_utils.notebook import Chapter

    ch = Chapter(data_dir, tmp_path, "png,svg", 50, "en")

    def written_by(call):
        before = len(ch.written)
        call()
        return {p.name for p in ch.written[before:]}

    # each chart's PNG and SVG, and the values it draws as fig-<id>.csv (issue #21: show_figure(data=))
    assert written_by(ch.box1_shares) == {"fig-box1-chart.png", "fig-box1-chart.svg", "fig-box1-chart.csv"}
    assert written_by(ch.usdc_figure) == {"fig-s5-4.png", "fig-s5-4.svg", "fig-s5-4.csv"}
    # one supplementary chart through the whole path (all of them are drawn, unsaved, above: saving is slow)
    fid = sup["figure_id"].iloc[0]
    stem = "fig-" + fid.replace(".", "-")
    assert written_by(lambda: ch.supplementary(fid)) == {f"{stem}.png", f"{stem}.svg", f"{stem}.csv"}
    on_disk = {p.name for p in tmp_path.iterdir()}
    assert on_disk == {f"{s}.{ext}" for s in ("fig-box1-chart", "fig-s5-4", stem) for ext in ("png", "svg", "csv")}
    assert all((tmp_path / n).stat().st_size > 0 for n in on_disk)
    with pytest.raises(KeyError):
        ch.supplementary("s9.9")
