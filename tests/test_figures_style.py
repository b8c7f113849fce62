"""Parameters, fonts and deterministic saving (osa_utils.params, .style, .figures, .tables)."""

from __future__ import annotations

import pytest

from osa_utils import DEFAULT_DATA_DIR, style
from osa_utils.figures import figure_info, save, stem
from osa_utils.params import ParameterError, check_params
from osa_utils.tables import Table


@pytest.mark.parametrize(
    "kwargs,needle",
    [
        ({"name_lang": "de"}, "name_lang='de' is not allowed; allowed values: 'en', 'zh', 'en+zh'"),
        ({"formats": "png,gif"}, "formats='png,gif'"),
        ({"formats": ""}, "formats=''"),
        ({"dpi": 0}, "dpi=0"),
        ({"dpi": "150"}, "dpi='150'"),
        ({"data_dir": "/nonexistent"}, "data_dir='/nonexistent'"),
    ],
)
def test_bad_parameters_are_named(tmp_path, kwargs, needle):
    args = {"data_dir": DEFAULT_DATA_DIR, "figures_dir": tmp_path, **kwargs}
    with pytest.raises(ParameterError) as info:
        check_params(**args)
    assert needle in str(info.value)


def test_good_parameters_are_normalized(tmp_path):
    p = check_params(DEFAULT_DATA_DIR, tmp_path, " SVG, png,svg ", 200.0, "en+zh")
    assert p.formats == ("svg", "png") and p.dpi == 200 and p.name_lang == "en+zh"


def test_cjk_font_is_found():
    """CI installs fonts-noto-cjk; the zh path must be tested, not skipped."""
    assert style.find_cjk_font().startswith(("Noto Sans CJK", "Source Han", "WenQuanYi", "Droid"))


def test_missing_cjk_font_says_what_to_install(monkeypatch):
    from matplotlib import font_manager

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    with pytest.raises(style.FontMissingError, match="fonts-noto-cjk"):
        style.find_cjk_font()


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    style.apply()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [2, 1, 3])
    style.add_caption(fig, "Figure 9.9 – Test", "Source: test.")
    return fig


def test_saving_is_deterministic(tmp_path):
    fig = _figure()
    first = save(fig, "9.9", tmp_path / "a", ("png", "svg", "pdf"), 100)
    second = save(_figure(), "9.9", tmp_path / "b", ("png", "svg", "pdf"), 100)
    assert [p.name for p in first] == ["fig-9-9.pdf", "fig-9-9.png", "fig-9-9.svg"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    svg = (tmp_path / "a" / "fig-9-9.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert b"Software" not in (tmp_path / "a" / "fig-9-9.png").read_bytes()


def test_stems():
    assert stem("2.2") == "fig-2-2" and stem("box1", "tab") == "tab-box1" and stem("s3.1") == "fig-s3-1"


def test_figure_info_reads_the_printed_caption():
    info = figure_info("2.1", DEFAULT_DATA_DIR)
    assert (
        info.header == "Figure 2.1 – An overview of the technical and political actors driving China's 6G development"
    )
    assert "actors.csv" in info.source_line() and info.status_text.startswith("reproduced")
    # one source line: report, figure, data files; the status goes to the caption text, not the image
    assert "Status" not in info.source_line() and "\n" not in info.source_line()
    chart = figure_info("2.1-chart", DEFAULT_DATA_DIR)
    assert chart.status == "derived_chart" and not chart.of_report
    assert chart.source_line().startswith("Source: Figure 2.1 of ")
    assert figure_info("0.2", DEFAULT_DATA_DIR).header.startswith("Figure 0.2 – The four-step")  # printed "0.2."
    with pytest.raises(KeyError):
        figure_info("9.9", DEFAULT_DATA_DIR)


def test_tables_escape_every_cell():
    t = Table(["a", "b"], [["<script>alert(1)</script>", ["x & y", "<i>z</i>"]]], header="<h1>", source="s<")
    html = t.to_html()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;i&gt;z&lt;/i&gt;" in html and "x &amp; y" in html and "&lt;h1&gt;" in html
    assert t.to_csv().splitlines()[1] == "<script>alert(1)</script>,x & y • <i>z</i>"


def test_risk_profile_draws_a_shared_score_once_with_challenge_labels():
    """Figure 2.2 prints one score (3) for the two national-security challenges: one dot, marked as shared
    (the wording of the cross-chapter heat map), and rows labelled by the challenge's whole text, not by an
    item number (more in tests/test_score_charts.py)."""
    import matplotlib.pyplot as plt

    from osa_utils.data import load_table
    from osa_utils.plots.profiles import cell_text
    from osa_utils.plots.risk import challenge_label, risk_profile

    rc = load_table("risk_challenges")
    rc = rc[rc["figure"] == "2.2"]
    fig = risk_profile(rc, load_table("dimensions"))
    ax = fig.axes[0]
    dots = [line for line in ax.lines if (line.get_gid() or "").startswith("score:")]
    ns = rc[rc["dimension_id"] == "national_security"]
    assert len(ns) == 2 and ns["score_shared"].all()
    assert len(dots) == len(rc) - 1  # the shared score is one dot
    assert len([d for d in dots if d.get_gid().startswith("score:national_security:")]) == 1
    texts = [t.get_text() for t in ax.texts]
    assert any(cell_text(3, 3, 2, True)[1].replace("\n", " ") in t for t in texts)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for c in rc["challenge"]:
        assert challenge_label(c) in labels
    assert not any(label.strip().isdigit() for label in labels)  # rows are challenges, not item numbers
    plt.close(fig)
