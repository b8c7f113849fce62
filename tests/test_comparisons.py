"""Comparison tables and reconstructed diagrams (osa_utils.sections.comparisons): files, printed labels, values."""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
import pytest

from osa_utils import DEFAULT_DATA_DIR
from osa_utils.tables import Table

PRINTED_FIG03_LABELS = [
    "Resilience of supply chains",
    "Criticality/national security",
    "Defence of values/sustainability",
    "Technological competitiveness",
]


def _csv(path):
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return rows[0], rows[1:]


def _texts(fig) -> str:
    """All text drawn on *fig*, line breaks folded to spaces."""
    from matplotlib.text import Text

    return " | ".join(" ".join(t.get_text().split()) for t in fig.findobj(Text))


@pytest.fixture(scope="module")
def chapter(tmp_path_factory):
    from osa_utils.notebook import Chapter

    return Chapter(DEFAULT_DATA_DIR, tmp_path_factory.mktemp("figs"), "png,svg", 100, "en")


@pytest.fixture(scope="module")
def out(chapter):
    return chapter.params.figures_dir


def test_policy_goals_table(chapter, out):
    chapter.policy_goals_table("0.3")
    chapter.policy_goals_table("1.3")
    for fid in ("0-3", "1-3"):
        assert (out / f"tab-{fid}.csv").is_file() and (out / f"tab-{fid}.html").is_file()
    header, rows = _csv(out / "tab-0-3.csv")
    assert header == [
        "DIMENSION OF OPEN STRATEGIC AUTONOMY",
        "PREDOMINANT POLICY GOAL",
        "TYPE OF POLICY INSTRUMENTS THAT TEND TO BE MOST EFFECTIVE",
    ]
    assert [r[0] for r in rows] == PRINTED_FIG03_LABELS
    dims = chapter.t("dimensions").sort_values("order")
    pi = chapter.t("policy_instruments")
    for row, d in zip(rows, dims.itertuples()):
        assert row[1] == d.policy_goal
        items = pi[pi["dimension_id"] == d.dimension_id].sort_values("item")["instrument"].tolist()
        assert row[2] == " • ".join(items)
    assert rows[0][2].startswith("Transparency measures • Diversification incentives")
    # the reprint has the same cells and its own caption
    assert (out / "tab-1-3.csv").read_text(encoding="utf-8") == (out / "tab-0-3.csv").read_text(encoding="utf-8")
    assert "Figure 1.3 – Policy goals" in (out / "tab-1-3.html").read_text(encoding="utf-8")


def test_ecny_table_uses_printed_headers(chapter, out):
    chapter.ecny_vs_euro_table("5.1")
    header, rows = _csv(out / "tab-5-1.csv")
    assert header == ["CRITERIA", "THE DIGITAL YUAN/ 数字人民币", "THE DIGITAL EURO"]
    e = chapter.t("ecny_digital_euro").sort_values("row")
    assert rows == [[r.feature, r.ecny, r.digital_euro] for r in e.itertuples()]
    assert rows[0][0] == "Objective" and len(rows) == 6


def test_ai_ethics_table(chapter, out):
    chapter.ai_ethics_table("8.1")
    header, rows = _csv(out / "tab-8-1.csv")
    assert header == ["DIMENSION", "EU", "CHINA"]
    a = chapter.t("ai_ethics_comparison").sort_values("row")
    assert rows == [[r.dimension, r.eu, r.china] for r in a.itertuples()]
    assert [r[0] for r in rows][:2] == ["Overall strategic goal", "Role of humans/ human factor"]


def test_pilots_table(chapter, out):
    chapter.pilots_table("5.4")
    header, rows = _csv(out / "tab-5-4.csv")
    assert header == ["NAME", "Partners", "Time"]
    p = chapter.t("cbdc_pilots").sort_values("row")
    assert rows == [[r.name, r.partners, r.time] for r in p.itertuples()]
    assert [r[2] for r in rows] == ["2021–2022", "2021–", "2022–"]


def test_table_html_escapes_markup(data_copy, tmp_path):
    html = Table(["<i>col</i>"], [["<b>x</b>"], [["<script>y</script>", "z"]]]).to_html()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "&lt;script&gt;" in html and "<script>" not in html and "&lt;i&gt;col" in html
    # ... and a method passes data cells through Table
    from osa_utils.notebook import Chapter

    path = data_copy / "dimensions.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[1][rows[0].index("policy_goal")] = "<b>Diversification</b>"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    ch = Chapter(data_copy, tmp_path / "out", "png", 100, "en")
    ch.policy_goals_table("0.3")
    text = (tmp_path / "out" / "tab-0-3.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;Diversification&lt;/b&gt;" in text and "<b>Diversification" not in text


def test_method_diagram(chapter, out):
    from osa_utils.plots.diagrams import NO_RESULT, RECONSTRUCTED_LABEL, method_diagram

    chapter.method_diagram("0.2")
    assert (out / "fig-0-2.png").is_file() and (out / "fig-0-2.svg").is_file()
    steps = chapter.t("method_steps")
    text = _texts(method_diagram(steps))
    for s in steps.itertuples():
        assert s.name in text and f"STEP {s.step}" in text
    assert RECONSTRUCTED_LABEL in text
    assert NO_RESULT not in text  # step 4 prints no result sentence: its box holds the step's own (L424)
    assert steps["result"].dropna().iloc[0] in text
    four = steps[steps["result"].isna()]
    assert len(four) and all(" ".join(s.split()) in " ".join(text.split()) for s in four["summary"])
    full = steps.assign(result="A result.")
    assert NO_RESULT not in _texts(method_diagram(full))


def test_dimensions_diagram(chapter, out):
    from matplotlib.patches import FancyBboxPatch

    from osa_utils.plots.diagrams import RECONSTRUCTED_LABEL, dimensions_diagram

    chapter.dimensions_diagram("1.1")
    assert (out / "fig-1-1.png").is_file()
    summary = chapter.t("dimension_summary")
    fig = dimensions_diagram(summary)
    text = _texts(fig)
    for r in summary.itertuples():  # '[…]' marks a footnote the extraction put inside a sentence: not drawn
        assert r.heading in text and " ".join(r.summary.replace("[…]", " ").split()) in " ".join(text.split())
    assert "[…]" not in text
    assert RECONSTRUCTED_LABEL in text
    assert len([p for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)]) == 4


def test_pilots_timeline_file_and_header(chapter, out, monkeypatch):
    seen: dict[str, Any] = {}
    original = chapter.show_figure

    def spy(fig, figure_id, **kw):
        seen.update(kw, figure_id=figure_id)
        return original(fig, figure_id, **kw)

    monkeypatch.setattr(chapter, "show_figure", spy)
    chapter.pilots_timeline("5.4")
    # the report prints a table: the timeline is this collection's chart, with its own id and title
    assert (out / "fig-5-4-chart.png").is_file() and (out / "fig-5-4-chart.svg").is_file()
    assert not (out / "fig-5-4.png").exists()
    assert seen["figure_id"] == "5.4-chart" and "header" not in seen
    assert chapter.chart_header(chapter.info("5.4-chart")).startswith("Chart of Figure 5.4's table (this collection)")


def test_timeline_bars_and_open_end():
    from osa_utils.plots.timeline import ONGOING_LABEL, pilots_timeline

    tiny = pd.DataFrame(
        {
            "row": [2, 1],
            "name": ["OPEN ONE", "CLOSED ONE"],
            "time": ["2020–", "2019–2020"],
            "start_year": pd.array([2020, 2019], dtype="Int64"),
            "end_year": pd.array([None, 2020], dtype="Int64"),
        }
    )
    fig = pilots_timeline(tiny)
    ax = fig.axes[0]
    bars = list(ax.containers[0])
    assert len(bars) == 2
    closed, open_ = bars  # printed order (row), not frame order
    assert (closed.get_x(), closed.get_width()) == (2019, 2)  # 2019 and 2020 in full
    assert open_.get_x() == 2020 and open_.get_x() + open_.get_width() == 2021  # up to the last printed year
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == 1 and arrows[0].xy[0] > 2021  # the arrow goes on to the right edge
    assert _texts(fig).count(ONGOING_LABEL) == 1
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2019", "2020"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["CLOSED ONE", "OPEN ONE"]
