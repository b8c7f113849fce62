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
                out[(c, apps[int(round(cx))])] = tuple(round(float(v), 3) for v in matplotlib.colors.to_rgb(p.get_facecolor()))
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
