"""Parameters, fonts and deterministic saving (osa_utils.params, .style, .figures, .tables)."""
from __future__ import annotations

import pytest

from osa_utils import DEFAULT_DATA_DIR, style
from osa_utils.figures import figure_info, save, stem
from osa_utils.params import ParameterError, check_params
from osa_utils.tables import Table


@pytest.mark.parametrize("kwargs,needle", [
    ({"name_lang": "de"}, "name_lang='de' is not allowed; allowed values: 'en', 'zh', 'en+zh'"),
    ({"formats": "png,gif"}, "formats='png,gif'"),
    ({"formats": ""}, "formats=''"),
    ({"dpi": 0}, "dpi=0"),
    ({"dpi": "150"}, "dpi='150'"),
    ({"data_dir": "/nonexistent"}, "data_dir='/nonexistent'"),
])
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
    assert info.header == "Figure 2.1 – An overview of the technical and political actors driving China's 6G development"
    assert "actors.csv" in info.source_line() and "reproduced" in info.source_line()
    assert figure_info("0.2", DEFAULT_DATA_DIR).header.startswith("Figure 0.2 – The four-step")  # printed "0.2."
    with pytest.raises(KeyError):
        figure_info("9.9", DEFAULT_DATA_DIR)


def test_tables_escape_every_cell():
    t = Table(["a", "b"], [["<script>alert(1)</script>", ["x & y", "<i>z</i>"]]], header="<h1>", source="s<")
    html = t.to_html()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;i&gt;z&lt;/i&gt;" in html and "x &amp; y" in html and "&lt;h1&gt;" in html
    assert t.to_csv().splitlines()[1] == "<script>alert(1)</script>,x & y • <i>z</i>"
