"""Issue #21, the key-figure and checklist charts as a reader sees them: s8.1's cells say in which
direction a stated finding goes (this collection's reading, recorded in app_evidence.csv), s3.2 and
s3.3 carry the text's caveat inside the image, axes end near the data, labels are short, s5.2 is a
series on a time axis, and no text is under 8 pt.

Line numbers "L759" are lines of the reference text (../shared/reference/000_c1b4ff3702dc90eb.txt).
Every figure is drawn in-process with its plot function (no build).
"""

from __future__ import annotations

import re
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from osa_utils import figures as F  # noqa: E402
from osa_utils.plots import checklist as C  # noqa: E402

READINGS = ("adverse", "open", "not_adverse")
#: A quotation in single quotes: opened after a space or the start, closed before a space or punctuation
#: (so the apostrophes of "TikTok's" and "users' data" are not taken for quotation marks).
QUOTED = re.compile(r"(?:^|(?<=[\s(]))'(.+?)'(?=[\s:;,.)]|$)")


@pytest.fixture
def ch(tmp_path, data_dir):
    from osa_utils.notebook import Chapter

    return Chapter(data_dir, tmp_path / "out", "png", 50, "en")


def _capture_figures(monkeypatch) -> dict[str, Any]:
    """figure id -> (fig, keyword arguments of show_figure), nothing saved."""
    from osa_utils.notebook import Chapter

    seen: dict[str, Any] = {}
    monkeypatch.setattr(Chapter, "show_figure", lambda self, fig, fid, **kw: seen.update({fid: (fig, kw)}))
    return seen


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _legibility(fig) -> list[str]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not hasattr(fig.canvas, "get_renderer"):  # closed by the autouse fixture after an earlier test
        FigureCanvasAgg(fig)
    return F.legibility_problems(fig, F.tight_bbox(fig, 100))


# --------------------------------------------------------------------------- s8.1: the data
def test_every_stated_finding_has_a_reading_with_a_quoted_reason(package):
    """finding_reading is filled exactly where stated_finding is, and each reason quotes words of the
    criterion's printed text (so the reading is traceable, not a silent choice)."""
    ev = package["app_evidence"]
    crit = package["app_criteria"].set_index("criterion_id")["explanation"]
    stated = ev["stated_finding"].notna()
    assert (ev["finding_reading"].notna() == stated).all()
    assert (ev["finding_reading_reason"].notna() == stated).all()
    assert set(ev.loc[stated, "finding_reading"]) <= set(READINGS)
    for _, r in ev[stated].iterrows():
        quoted = QUOTED.findall(str(r["finding_reading_reason"]))
        assert quoted, (r["criterion_id"], r["app"])
        text = " ".join(str(crit[r["criterion_id"]]).split())
        for q in quoted:
            assert " ".join(q.split()) in text, (r["criterion_id"], r["app"], q)


@pytest.mark.parametrize("app", ["TikTok", "WeChat"])
def test_censorship_not_detected_is_not_read_as_adverse(package, app):
    """L2544: content censorship 'has not thus far been clearly detected' for TikTok or WeChat Europe."""
    ev = package["app_evidence"].set_index(["criterion_id", "app"])
    assert ev.loc[("content_censorship", app), "finding_reading"] == "not_adverse"
    assert ev.loc[("platform_democratization", app), "finding_reading"] == "adverse"  # 'yet to set up'


# --------------------------------------------------------------------------- s8.1: the image
def _cell_fills(fig, criteria: pd.DataFrame, apps) -> dict[tuple[str, str], tuple]:
    """(criterion_id, app) -> the fill colour (RGB) of the cell box drawn there."""
    ax = fig.axes[0]
    row_y = {}
    for t in ax.texts:
        key = " ".join(t.get_text().split()).rstrip(C.COLLECTIONS_NAME_MARK)
        hit = criteria[criteria["name"] == key]
        if len(hit):
            row_y[hit.iloc[0]["criterion_id"]] = t.get_position()[1]
    out = {}
    for p in ax.patches:
        if not isinstance(p, Rectangle) or p.get_width() > 2:
            continue  # the user's shaded column, not a cell
        cx, cy = p.get_x() + p.get_width() / 2, p.get_y() + p.get_height() / 2
        for c, y in row_y.items():
            if abs(cy - y) < 1e-6 and 0 <= round(cx) < len(apps):
                out[(c, apps[int(round(cx))])] = tuple(
                    round(float(v), 3) for v in matplotlib.colors.to_rgb(p.get_facecolor())
                )
    return out


def test_s81_cells_are_drawn_in_the_direction_of_the_finding(ch, monkeypatch):
    """Fails on the old chart, which drew every stated finding as the same dark cell."""
    from osa_utils.appcheck import REFERENCE_APPS, criteria

    seen = _capture_figures(monkeypatch)
    ch.checklist_chart()
    fig, kw = seen["s8.1"]
    fills = _cell_fills(fig, criteria(), list(REFERENCE_APPS))
    adverse = fills[("platform_democratization", "TikTok")]
    for app in ("TikTok", "WeChat"):
        assert fills[("content_censorship", app)] != adverse, app
        assert fills[("content_censorship", app)] == fills[("data_transfer_scope", "WeChat")]  # both not adverse
    assert fills[("government_access_to_algorithms", "TikTok")] not in (
        adverse,
        fills[("content_censorship", "TikTok")],
    )
    texts = " ".join(" ".join(_texts(fig)).split())
    # the legend says the reading is this collection's, and the '*' is explained in the image itself
    assert "this collection's reading" in texts and "not the report's verdict" in texts
    assert "* Name given by this collection" in texts
    assert not _legibility(fig)  # every cell, label and legend text >= 8 pt, <= 10 in wide
    data = kw["data"]
    assert len(data) == len(criteria()) * len(REFERENCE_APPS)
    cens = data[(data["criterion_id"] == "content_censorship") & (data["app"] == "TikTok")].iloc[0]
    assert cens["cell"] == "not adverse" and "clearly detected" in cens["stated_finding"]


def test_s81_status_words_fit_a_chart_of_words(ch):
    """The page's status for s8.1 says what it is: no 'numbers the text states' for a chart of words."""
    info = ch.info("s8.1")
    assert not info.of_report
    assert "numbers" not in info.status_text and "reading" in info.status_text
    assert ch.chart_header(info).startswith("Supplementary chart s8.1 – ")
    assert "Figure S8.1" not in info.source_line()


def test_the_app_check_grid_keeps_an_undirected_stated_finding_and_legible_text(package):
    """The user's app-check grid draws the chapter's findings without a reading ('stated'); all text >= 8 pt."""
    from osa_utils.appcheck import LEVELS, REFERENCE_APPS, criteria

    crit = criteria()
    reference = {(c, a): "stated" for c in crit["criterion_id"] for a in REFERENCE_APPS}
    user = {c: "concern" for c in crit["criterion_id"]}
    fig = C.checklist_grid(crit, user, reference, "MyApp", REFERENCE_APPS, {"concern": "concern"}, LEVELS)
    assert "stated finding" in _texts(fig)
    assert not _legibility(fig)
    plt.close(fig)


# --------------------------------------------------------------------------- key-figure charts
KEY_FIGURE_CHARTS = ("s2.1", "s3.1", "s3.2", "s3.3", "s3.4", "s5.1", "s5.2", "s5.3", "s5.4")
#: The longest line of a bar's label, and of the whole label (without its '[note N]' line), in characters.
MAX_LABEL_LINE = 32
MAX_LABEL = 64


@pytest.fixture(scope="module")
def charts(tmp_path_factory, data_dir):
    """Every key-figure chart and Box 1's chart, drawn in-process: figure id -> (fig, show_figure's keywords)."""
    from osa_utils.notebook import Chapter

    seen: dict[str, Any] = {}
    mp = pytest.MonkeyPatch()
    mp.setattr(Chapter, "show_figure", lambda self, fig, fid, **kw: seen.update({fid: (fig, kw)}))
    try:
        ch = Chapter(data_dir, tmp_path_factory.mktemp("kf"), "png", 50, "en")
        for fid in KEY_FIGURE_CHARTS:
            ch.supplementary(fid)
        ch.box1_shares()
    finally:
        mp.undo()
    return seen


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_s32_carries_the_texts_caveat_and_the_adjusted_ratio(charts, source_lines):
    """L759: counting methods differ; 'even if numbers are adjusted, China has deployed almost twice as many'."""
    fig, kw = charts["s3.2"]
    texts = _flat(" ".join(_texts(fig)))
    assert "Europe counts cell sites while Chinese operators report base stations" in texts
    assert "even if numbers are adjusted, China has deployed almost twice as many base stations as the EU" in texts
    assert "about 7 times" in texts  # 1.85 million / 256,074, computed from the data
    ratio = [p for ax in fig.axes for p in ax.patches if p.get_gid() == "kf040"]
    assert ratio and ratio[0].get_width() == pytest.approx(2)
    source = _flat(" ".join(source_lines))
    for quote in QUOTED.findall(texts):
        assert _flat(quote) in source, quote
    assert "(By late 2022)" not in texts and "(by late 2022)" in texts  # the label's own capital, not the data's


def test_s33_carries_the_texts_caveat(charts, source_lines):
    """L997: the Huawei/Ericsson comparison 'neglects the fact that Huawei's R&D covers ...'."""
    fig, _ = charts["s3.3"]
    texts = _flat(" ".join(_texts(fig)))
    assert "neglects the fact that Huawei's R&D covers wireless infrastructure, devices and fixed networks" in texts
    assert "Ericsson R&D, by contrast, is only on infrastructure equipment development" in texts
    source = _flat(" ".join(source_lines))
    assert (
        "neglects the fact that Huawei's R&D covers wireless infrastructure, devices and fixed networks. Ericsson R&D, by contrast, is only on infrastructure equipment development."
        in source
    )


def test_germanys_bound_has_a_marker_of_its_own(charts):
    """'less than 52,000' beside 1.85 million: a '<' marker at the value, not only a sliver of a bar."""
    fig, _ = charts["s3.2"]
    marks = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() == "bound-kf039"]
    assert len(marks) == 1
    assert marks[0].get_marker() == "<" and marks[0].get_markersize() >= 8
    assert list(marks[0].get_xdata()) == [52000]


@pytest.mark.parametrize("fid", [f for f in KEY_FIGURE_CHARTS if f != "s5.2"])
def test_axes_end_near_the_data_and_shares_at_100(charts, fid):
    """A linear axis ends within a third past its largest value; a share (per cent) axis at 100 at most."""
    fig, kw = charts[fid]
    data = kw["data"]
    for ax in fig.axes:
        ids = [p.get_gid() for p in ax.patches if p.get_gid()]
        drawn = data[data["key_figure_id"].isin(ids)]
        if ax.get_xscale() != "linear" or drawn.empty:
            continue
        top = float(drawn["value_drawn"].max())
        assert ax.get_xlim()[1] <= top * 1.35, (fid, ax.get_xlim(), top)
        if set(drawn["axis"]) == {"per cent"}:
            assert ax.get_xlim()[1] <= 100, (fid, ax.get_xlim())


@pytest.mark.parametrize("fid", KEY_FIGURE_CHARTS)
def test_labels_are_short_and_the_provenance_is_in_the_caption(charts, package, fid):
    fig, kw = charts[fid]
    for ax in fig.axes:
        for t in ax.get_yticklabels():
            lines = t.get_text().split("\n")
            label = [ln for ln in lines if not ln.startswith("[")]
            assert all(len(ln) <= MAX_LABEL_LINE for ln in label), (fid, t.get_text())
            assert len(" ".join(label)) <= MAX_LABEL, (fid, t.get_text())
    # the full 'entity — indicator (period)' of every drawn figure goes to the caption note
    kf = package["key_figures"].set_index("key_figure_id")
    for kid in kw["data"]["key_figure_id"]:
        assert str(kf.loc[kid, "indicator"]) in kw["note"], (fid, kid)


def test_s52_is_a_series_on_a_time_axis(charts):
    """Three dates of one share: points on a time axis, not bars; each date on one line."""
    fig, kw = charts["s5.2"]
    (ax,) = fig.axes
    assert not [p for p in ax.patches if p.get_gid()]  # no bars
    points = {ln.get_gid(): ln for ln in ax.get_lines() if ln.get_gid()}
    assert set(points) == set(kw["data"]["key_figure_id"])
    xs = [pd.Timestamp(points[k].get_xdata()[0]) for k in kw["data"]["key_figure_id"]]
    assert xs == sorted(xs) and [x.year for x in xs] == [2019, 2021, 2022]
    labels = [t.get_text() for t in ax.texts]
    for period in kw["data"]["period"]:
        assert any(period in lab.split("\n") for lab in labels), period  # the date whole, on its own line
    assert ax.get_ylim()[1] <= 100


@pytest.mark.parametrize("fid", [*KEY_FIGURE_CHARTS, "box1-chart"])
def test_key_figure_charts_are_legible_and_save_their_data(charts, fid):
    fig, kw = charts[fid]
    assert not _legibility(fig), fid
    assert isinstance(kw.get("data"), pd.DataFrame) and len(kw["data"]) and "key_figure_id" in kw["data"], fid
