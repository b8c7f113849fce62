"""Nothing clipped: every figure of every notebook is rendered and checked as it is saved.

The session's whole-collection build (tests/conftest.py) runs every notebook with the environment
variable ``OSA_LAYOUT_CHECK`` set, so ``osa_utils.figures.save`` checks every figure before it is
written (:func:`osa_utils.figures.layout_problems`): no drawn text may leave the saved canvas, the PNG
may have no non-background ink within 2 px of its edge, no internal identifier may be drawn, no text
may be under 8 pt and no figure wider than the page's column (:func:`osa_utils.figures.legibility_problems`);
a failure fails that notebook. Parameter variants (Figure 0.1 with printed colours, the assessment
with a short and a long label) run in this process with ``save`` wrapped; the PNGs of the build are
scanned for edge ink too, so a figure drawn by some other path is covered as well.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import jupytext  # noqa: E402
import pytest  # noqa: E402

from osa_utils import DEFAULT_DATA_DIR, PROJECT_ROOT  # noqa: E402
from osa_utils import figures as F  # noqa: E402

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
NOTEBOOKS = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))
#: Parameters that name an output folder (chapter notebooks, new_assessment).
OUTPUT_PARAMETERS = ("figures_dir", "output_dir")


internal_names = F.internal_names


@pytest.fixture
def checked(monkeypatch):
    """Wrap figures.save: each saved figure is checked first; returns {file stem: [problems]}."""
    found: dict[str, list[str]] = {}
    original = F.save

    def save(fig, figure_id, figures_dir, formats=("png", "svg"), dpi=150):
        paths = original(fig, figure_id, figures_dir, formats, dpi)
        # every drawn text against the box save uses, and the edges of that PNG (the bytes save
        # writes: rendering is deterministic)
        bbox = F.tight_bbox(fig, dpi)
        found[F.stem(figure_id)] = (
            F.layout_problems(fig, bbox, dpi) + internal_names(fig) + F.legibility_problems(fig, bbox)
        )
        return paths

    monkeypatch.setattr(F, "save", save)
    return found


def run_notebook(name: str, out, monkeypatch, **parameters) -> None:
    """Execute the code cells of notebooks/NAME in this process, parameters overridden after its
    parameters cell (outputs into *out*)."""
    nb = jupytext.read(NOTEBOOK_DIR / f"{name}.ipynb")
    monkeypatch.chdir(NOTEBOOK_DIR)
    namespace: dict = {"__name__": f"notebook_{name}"}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        exec(compile(cell.source, f"{name}.ipynb", "exec"), namespace)  # noqa: S102 - our own notebooks
        if "parameters" in cell.metadata.get("tags", []):
            for key in OUTPUT_PARAMETERS:
                if key in namespace:
                    namespace[key] = str(out)
            namespace["data_dir"] = str(DEFAULT_DATA_DIR)
            namespace.update(parameters)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_every_figure_of_every_notebook_fits_its_canvas(built):
    """The session build runs every notebook with the layout check switched on (tests/conftest.py
    sets LAYOUT_CHECK_ENV): figures.save raises LayoutError for clipped text, ink at the edge or an
    internal identifier, so a clipped figure is a failed notebook here, named with its problem."""
    assert built.layout_checked
    assert {r.name: (r.error or {}).get("evalue") for r in built.failed} == {}
    assert {r.name for r in built.results} >= set(NOTEBOOKS)


def test_matrix_with_printed_colours_fits_its_canvas(tmp_path, monkeypatch, checked):
    run_notebook("00_executive_summary", tmp_path, monkeypatch, matrix_colours="printed")
    assert "fig-0-1" in checked
    assert {k: v for k, v in checked.items() if v} == {}


@pytest.mark.parametrize("label", ["Q", "Quantum computing with a rather long name for a new technology row"])
def test_assessment_figures_with_short_and_long_labels(label, tmp_path, monkeypatch, checked):
    """The risk profile's source line was cut with a short --label (the footer is wider than the chart)."""
    run_notebook("new_assessment", tmp_path, monkeypatch, technology_label=label)
    assert any(k.endswith("-profile") for k in checked) and any(k.endswith("-matrix") for k in checked)
    assert {k: v for k, v in checked.items() if v} == {}


def test_the_check_finds_clipped_text_and_edge_ink():
    """The check can fail: text placed outside the saved box, and ink at the edge of a PNG."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    outside = fig.text(0.98, 0.5, "a label running off the right edge", fontsize=9)
    outside.set_in_layout(False)  # left out of the tight box, as a mis-measured text would be
    bbox = F.tight_bbox(fig, 100)
    problems = F.layout_problems(fig, bbox, 100)
    plt.close(fig)
    assert any("leaves the canvas" in p and "running off" in p for p in problems), problems
    assert any("right edge" in p for p in problems), problems

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    bbox = F.tight_bbox(fig, 100)
    assert F.layout_problems(fig, bbox, 100) == []
    plt.close(fig)


def test_save_refuses_a_clipped_figure_when_asked(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setenv(F.LAYOUT_CHECK_ENV, "1")
    fig, ax = plt.subplots(figsize=(3, 2))
    fig.text(0.98, 0.5, "a label running off the right edge").set_in_layout(False)
    with pytest.raises(F.LayoutError, match="leaves the canvas"):
        F.save(fig, "t.1", tmp_path, ("png",), 100)
    plt.close(fig)
    assert not (tmp_path / "fig-t-1.png").exists()


@pytest.mark.slow
def test_pngs_of_the_whole_build_have_no_ink_at_the_edge(built):
    pngs = sorted((built.out / "figures").glob("*.png"))
    assert len(pngs) >= 30
    bad = {p.name: F.edge_ink(p.read_bytes()) for p in pngs}
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_legibility_check_can_fail():
    """Text under 8 pt and a figure wider than the page's column are reported; 8 pt in 10 in is not."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(6, 2))
    fig.text(0.1, 0.5, "small print", fontsize=7.5)
    fig.text(0.1, 0.2, "just legible", fontsize=8)
    problems = F.legibility_problems(fig, F.tight_bbox(fig, 150))
    assert len(problems) == 1 and "'small print' is 7.5 pt" in problems[0], problems
    wide = plt.figure(figsize=(12, 2))
    wide.text(0.01, 0.5, "x" * 10, fontsize=9)
    wide.text(0.95, 0.5, "y", fontsize=9)
    assert any("wide" in p for p in F.legibility_problems(wide, F.tight_bbox(wide, 150)))
    plt.close("all")
