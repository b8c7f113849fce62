"""Issue #21, the score, actor, matrix, process and cross-chapter charts: each drawn in-process with its plot
function (no build), checked for what the reader sees: ordinal scores as positions, whole labels, no
"printed" where nothing is, the text's caveats inside the image, legends whose headings match their
entries, text of at least 8 pt. Line numbers ("L96") are lines of the report's text."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest

from osa_utils import DEFAULT_DATA_DIR

RISK_FIGURES = ["2.2", "3.4", "4.2", "6.2", "7.2"]


def _texts(fig) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _flat(fig) -> str:
    """Everything drawn on *fig*, line breaks folded to spaces."""
    return " | ".join(" ".join(t.split()) for t in _texts(fig))


def _legible(fig) -> list[str]:
    from osa_utils.figures import legibility_problems, tight_bbox

    return legibility_problems(fig, tight_bbox(fig, 100))


@pytest.fixture(scope="module")
def ch(tmp_path_factory):
    from osa_utils.notebook import Chapter

    return Chapter(DEFAULT_DATA_DIR, tmp_path_factory.mktemp("score-charts"), "png", 100, "en")


def _risk(package, figure_id):
    rc = package["risk_challenges"]
    return rc[rc["figure"] == figure_id]


# --------------------------------------------------------------------------- 1. ordinal scores as positions
@pytest.mark.parametrize("figure_id", RISK_FIGURES)
def test_risk_chart_draws_scores_as_dots_on_the_scale_not_bars_from_zero(package, figure_id):
    """Failed before the fix: the chart drew one bar per score from 0 (ax.patches, x = 0)."""
    from matplotlib.patches import Rectangle

    from osa_utils.plots.risk import risk_profile

    rc = _risk(package, figure_id)
    fig = risk_profile(rc, package["dimensions"])
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0 and p.get_x() == 0]
    assert not bars, "an ordinal score is drawn as a length from 0"
    marks = {line.get_gid(): line for line in ax.lines if (line.get_gid() or "").startswith("score:")}
    assert marks
    for gid, line in marks.items():
        _, dim, item = gid.split(":")
        row = rc[(rc["dimension_id"] == dim) & (rc["item"] == int(item))]
        assert list(line.get_xdata()) == [int(row["importance"].iloc[0])]  # the dot sits at its level
    lo, hi = ax.get_xlim()
    assert 0.5 <= lo < 1 and 4 < hi <= 4.5  # a 1-4 scale: no zero, nothing past the top level


@pytest.mark.parametrize("figure_id", RISK_FIGURES)
def test_risk_chart_labels_every_challenge_whole(package, figure_id):
    """Failed before the fix: labels were cut ('Different importance attributed to…' lost 'sustainability')."""
    from osa_utils.plots.risk import risk_profile

    rc = _risk(package, figure_id)
    fig = risk_profile(rc, package["dimensions"])
    labels = [" ".join(t.get_text().split()) for t in fig.axes[0].get_yticklabels()]
    drawn = _flat(fig)
    for c in rc["challenge"]:
        whole = " ".join(str(c).split())
        assert whole in labels, whole
        assert whole.split()[-1] in drawn  # e.g. 'sustainability', 'end-user industries'
    assert not any(label.endswith("…") for label in labels)


def test_risk_chart_draws_a_shared_score_once(package):
    """Figure 2.2 prints one score (3) for its two national-security challenges: one dot on a bracket
    spanning both rows, marked with the heat map's wording."""
    from osa_utils.plots.profiles import cell_text
    from osa_utils.plots.risk import risk_profile

    rc = _risk(package, "2.2")
    ns = rc[rc["dimension_id"] == "national_security"]
    assert len(ns) == 2 and ns["score_shared"].all()
    fig = risk_profile(rc, package["dimensions"])
    ax = fig.axes[0]
    dots = [line for line in ax.lines if (line.get_gid() or "").startswith("score:")]
    assert len(dots) == len(rc) - 1  # the shared score is one dot
    bracket = [line for line in ax.lines if line.get_gid() == "shared:national_security"]
    assert len(bracket) == 1 and max(bracket[0].get_ydata()) - min(bracket[0].get_ydata()) > 1  # spans both rows
    assert cell_text(3, 3, 2, True)[1].replace("\n", " ") in _flat(fig)


# --------------------------------------------------------------------------- 2. the user's scores are the user's
def test_assessment_profile_never_calls_the_users_scores_printed(ch, monkeypatch):
    """Failed before the fix: the axis label said 'as printed' on the user's scores."""
    from osa_utils.assess import load_forms
    from osa_utils.plots.risk import risk_profile
    from osa_utils.sections.assessment import AssessmentMixin

    df, _ = load_forms(DEFAULT_DATA_DIR / "examples" / "assessment_quantum.csv", DEFAULT_DATA_DIR)
    fig = risk_profile(df, ch.t("dimensions"), scores="user")
    assert "printed" not in _flat(fig).lower() and "user" in _flat(fig)
    seen: dict[str, Any] = {}

    def capture(self, fig, output_id, header, source, note, illustration=""):
        seen.update(texts=_flat(fig), header=header, source=source, note=note)

    monkeypatch.setattr(AssessmentMixin, "_assessment_figure", capture)
    ch.assessment_profile(df, "quantum_example", "Quantum computing (illustration)")
    every = " ".join([seen["texts"], seen["header"], seen["source"], seen["note"]])
    assert "printed" not in every.lower()
    assert "the user's scores" in seen["header"]
    # the example's label already says "illustration": the title says it once
    assert seen["header"].lower().count("illustration") == 1


# --------------------------------------------------------------------------- 3. no "printed priority" where none is
def test_actor_chart_titles_promise_no_priority_where_the_table_prints_none(package):
    """Failed before the fix: every actor chart's caption said 'by type group and printed priority'."""
    from osa_utils.figures import figure_info

    actors = package["actors"]
    none_printed = [f for f, part in actors.groupby("figure") if part["priority_symbol"].isna().all()]
    assert none_printed  # Figures 4.1, 6.1 and 7.1 print no symbol (reference README)
    for figure_id in sorted(actors["figure"].unique()):
        caption = figure_info(f"{figure_id}-chart", DEFAULT_DATA_DIR).caption
        if figure_id in none_printed:
            assert "printed priority" not in caption and "no priority symbol" in caption, caption


def test_actor_chart_note_and_data(ch, monkeypatch):
    seen: dict[str, Any] = {}
    monkeypatch.setattr(type(ch), "show_figure", lambda self, fig, fid, **kw: seen.update(kw, fig=fig))
    ch.actor_chart("4.1")
    assert "prints no priority symbol" in seen["note"] and "without a legend" not in seen["note"]
    a = ch.t("actors")
    assert seen["data"]["actors"].sum() == (a["figure"] == "4.1").sum()
    assert not _legible(seen["fig"])


# --------------------------------------------------------------------------- 4. the process diagram
def test_step_four_box_holds_what_the_text_says(ch):
    """Failed before the fix: the fourth box said '(no result sentence printed)'; L424 gives the step's
    sentence."""
    from osa_utils.plots.diagrams import NO_RESULT, method_diagram

    steps = ch.t("method_steps")
    four = steps[steps["step"] == 4].iloc[0]
    assert pd.isna(four["result"])
    text = _flat(method_diagram(steps))
    assert NO_RESULT not in text
    assert " ".join(str(four["summary"]).split()) in text  # "Based on the three previous steps, ..."


@pytest.mark.parametrize("figure_id", ["0.2", "1.4", "1.1"])
def test_redrawn_diagram_source_line_says_redrawn_from_the_text(figure_id):
    """Failed before the fix: 'Source: Figure 0.2 of Rühlig ...' for a diagram redrawn from prose."""
    from osa_utils.figures import figure_info

    info = figure_info(figure_id, DEFAULT_DATA_DIR)
    assert info.status == "reconstructed_from_text"
    assert "redrawn from the text of" in info.source_line()
    assert f"{info.number_printed.rstrip('.')} of " not in info.source_line()


# --------------------------------------------------------------------------- 5. the cross-chapter views
@pytest.mark.parametrize("name", ["importance_heatmap", "importance_spread"])
def test_cross_chapter_views_carry_the_texts_caveat_and_no_one_value_range(package, name):
    """Failed before the fix: no 'pinch of salt' (L96) in the image; x9.3 said 'range 3–3'."""
    from osa_utils.plots import profiles as P

    fig = getattr(P, name)(package["risk_challenges"], package["technologies"], package["dimensions"])
    drawn = _flat(fig)
    assert "pinch of salt" in drawn
    assert not re.search(r"range (\d)–\1\b", drawn)
    assert not _legible(fig)


def test_cross_chapter_caveat_quotes_the_text(source):
    from osa_utils.plots.profiles import CROSS_CHAPTER_CAVEAT

    for quote in re.findall(r"“([^”]+)”", CROSS_CHAPTER_CAVEAT):
        assert source.contains(quote), quote


def test_one_value_range_is_said_as_the_value():
    from osa_utils.plots.profiles import cell_text, range_words

    assert "range" not in cell_text(3, 3, 2, False)[1] and "3" in cell_text(3, 3, 2, False)[1]
    assert cell_text(4, 2, 2, False)[1].endswith("range 2–4")
    assert range_words(3, 3) == "all scored 3" and range_words(1, 4) == "range 1–4"


# --------------------------------------------------------------------------- 6. Figure 0.1's legend
@pytest.mark.parametrize("colours", ["derived", "printed"])
def test_matrix_legend_heading_agrees_with_its_entries(package, colours):
    """Failed before the fix: 'The five printed legend levels' stood over six entries."""
    from osa_utils import model
    from osa_utils.plots.matrix import threat_matrix

    m = model.derive_matrix(package["threat_matrix_printed"], package["risk_challenges"])
    levels = package["threat_levels"]
    fig = threat_matrix(m, package["technologies"], package["dimensions"], levels, colours=colours)
    printed = set(levels["label"])
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}
    for legend in fig.axes[0].findobj(lambda a: type(a).__name__ == "Legend"):
        title = " ".join(legend.get_title().get_text().split())
        entries = [t.get_text() for t in legend.get_texts()]
        own = [e for e in entries if e.removesuffix(" (no cell)") in printed]
        counted = re.search(r"\b(one|two|three|four|five|six|seven) (printed )?(legend )?levels\b", title)
        if counted:  # a heading that counts levels counts what the text prints, and lists no more entries
            assert counted.group(1) == words[len(levels)], title
            assert len(own) in (0, len(levels)) and len(entries) - len(own) <= 1
            if len(own) == len(levels):
                assert len(entries) == len(levels), (title, entries)


@pytest.mark.parametrize("colours", ["derived", "printed"])
def test_matrix_is_legible(package, colours):
    from osa_utils import model
    from osa_utils.plots.matrix import threat_matrix

    m = model.derive_matrix(package["threat_matrix_printed"], package["risk_challenges"])
    fig = threat_matrix(m, package["technologies"], package["dimensions"], package["threat_levels"], colours=colours)
    assert not _legible(fig)


# --------------------------------------------------------------------------- 7. the 5.4 chart's title, "Illustration"
def test_pilots_chart_title_does_not_make_the_ecny_a_pilot():
    """Failed before the fix: 'timeline of the e-CNY and other international pilot projects ...'."""
    from osa_utils.figures import figure_info

    caption = figure_info("5.4-chart", DEFAULT_DATA_DIR).caption
    assert "e-CNY and other" not in caption
    assert "pilot projects on cross-border transactions" in caption  # Figure 5.4's printed caption


def test_assessment_header_says_illustration_once():
    from osa_utils.sections.assessment import AssessmentMixin

    df = pd.DataFrame()
    df.attrs["is_example"] = True
    head = AssessmentMixin._assessment_header(df, "New assessment – Quantum computing (illustration): risk profile")
    assert head.lower().count("illustration") == 1 and "not a finding of the report" in head
    assert AssessmentMixin._assessment_header(df, "New assessment – X").count("illustration") == 1


# --------------------------------------------------------------------------- 8. legibility and data
@pytest.mark.parametrize("figure_id", RISK_FIGURES)
def test_risk_chart_is_legible(package, figure_id):
    from osa_utils.plots.risk import risk_profile

    assert not _legible(risk_profile(_risk(package, figure_id), package["dimensions"]))


def test_timeline_and_diagrams_are_legible(ch):
    from osa_utils.plots.diagrams import dimensions_diagram, method_diagram
    from osa_utils.plots.timeline import pilots_timeline

    for fig in (
        pilots_timeline(ch.t("cbdc_pilots")),
        method_diagram(ch.t("method_steps")),
        dimensions_diagram(ch.t("dimension_summary")),
    ):
        assert not _legible(fig)


def test_risk_chart_saves_the_values_it_draws(ch):
    import csv

    ch.risk_profile("3.4")
    path = ch.params.figures_dir / "fig-3-4-chart.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rc = ch.t("risk_challenges")
    rc = rc[rc["figure"] == "3.4"]
    assert sum(len(r["items"].split(";")) for r in rows) == len(rc)  # every challenge, once
    assert {int(r["importance"]) for r in rows} == set(rc["importance"].astype(int))


def test_panel_chart_labels_challenges_whole_and_is_legible(package):
    """Failed before the fix: labels were cut at 44 characters and the text was 7 pt."""
    from osa_utils.assess import load_forms
    from osa_utils.plots.panel import panel_scores

    df, summary = load_forms(
        str(DEFAULT_DATA_DIR / "examples" / "assessment_quantum_panel.csv"), DEFAULT_DATA_DIR, None
    )
    assert summary is not None
    fig = panel_scores(summary, package["dimensions"])
    drawn = _flat(fig)
    for c in summary.challenges["challenge"]:
        assert " ".join(str(c).split()) in drawn
    assert "very high" not in drawn  # the user's scores are scores 1-4, not Figure 0.1's legend levels
    assert not _legible(fig)
