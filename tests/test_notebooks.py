"""The chapter notebooks: clean in git, twins in sync, parameters checked, every
figure produced by exactly one notebook, output equal to the committed figures/."""

from __future__ import annotations

import csv
import re

import jupytext
import nbformat
import pandas as pd
import pytest
from nbfixtures import assigned_names

from osa_utils import DEFAULT_DATA_DIR, PROJECT_ROOT
from osa_utils.batch.plan import declared_parameters
from osa_utils.build import run
from osa_utils.figures import stem

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
#: The numbered notebooks ("NN_name.ipynb"): the report's parts and the collection's own (09_cross_chapter).
NUMBERED = [p for p in NOTEBOOKS if re.fullmatch(r"\d\d_\w+", p.stem)]


def _chapter_numbers() -> list[int]:
    with open(DEFAULT_DATA_DIR / "chapters.csv", encoding="utf-8", newline="") as fh:
        return [int(row["chapter"]) for row in csv.DictReader(fh)]


#: The notebook of each row of data/chapters.csv, found by its number: a chapter added to the CSV and
#: as notebooks/NN_name.ipynb is tested without editing this file (CONTRIBUTING.md).
CHAPTERS = [p.stem for n in _chapter_numbers() for p in NUMBERED if int(p.stem[:2]) == n]
REQUIRED_PARAMETERS = {"data_dir", "figures_dir", "formats", "dpi", "name_lang"}
# Image comparison against figures/: RMS difference (0-255 scale) allowed per PNG. Builds on the same
# pinned matplotlib and fonts are byte-identical; the tolerance only absorbs anti-aliasing
# differences of another FreeType build.
IMAGE_TOLERANCE = 2.0


def test_every_chapter_has_a_notebook_and_a_twin():
    numbers = [int(name[:2]) for name in CHAPTERS]
    assert sorted(numbers) == sorted(_chapter_numbers()), "each row of chapters.csv needs one notebooks/NN_*.ipynb"
    assert len(CHAPTERS) >= 9  # the report's executive summary, introduction and seven chapters
    for nb in NOTEBOOKS:
        assert nb.with_suffix(".py").exists(), f"{nb.name} has no jupytext twin"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{nb_path.name} has outputs"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_twin_in_sync(nb_path):
    ipynb = nbformat.read(nb_path, as_version=4)
    py = jupytext.read(nb_path.with_suffix(".py"))

    def strip(nb):
        return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]

    assert strip(ipynb) == strip(py), f"{nb_path.name} and its .py twin differ: run jupytext --sync"


@pytest.mark.parametrize("nb_path", NUMBERED, ids=lambda p: p.stem)
def test_first_cells(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    first, second = nb.cells[0], nb.cells[1]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "parameters" in second.metadata.get("tags", [])
    assert assigned_names(second.source) >= REQUIRED_PARAMETERS
    assert set(declared_parameters(nb_path)) == assigned_names(second.source)  # as papermill reads the cell


def test_chapter_title_and_authors_as_printed(package):
    chapters = package["chapters"].set_index("chapter")
    for name in CHAPTERS:
        i = int(name[:2])
        first = nbformat.read(PROJECT_ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells[0].source
        assert first.startswith(f"# {chapters.loc[i, 'title']}\n")
        if pd.notna(chapters.loc[i, "authors"]):
            assert f"*{chapters.loc[i, 'authors']}*" in first


@pytest.mark.slow
@pytest.mark.parametrize(
    "name,value,allowed",
    [("name_lang", "fr", "'en', 'zh', 'en+zh'"), ("formats", "gif", "png, svg, pdf"), ("dpi", 5000, "50 to 600")],
)
def test_invalid_parameter_stops_the_notebook(tmp_path, name, value, allowed):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    nb = PROJECT_ROOT / "notebooks" / "08_ai_ethics.ipynb"
    with pytest.raises(PapermillExecutionError) as info:
        papermill.execute_notebook(
            str(nb),
            str(tmp_path / "out.ipynb"),
            parameters={name: value, "figures_dir": str(tmp_path / "output")},
            cwd=str(nb.parent),
            progress_bar=False,
            kernel_name="python3",
        )
    assert info.value.ename == "ParameterError"
    assert name in info.value.evalue and allowed in info.value.evalue
    nbformat.read(tmp_path / "out.ipynb", as_version=4)  # the executed notebook was written and reads
    assert info.value.cell_index <= 3, "it stops at once, in the setup cell"
    assert not (tmp_path / "output").exists()


@pytest.mark.slow
def test_every_notebook_executes_with_defaults(built):
    assert [r.name for r in built.failed] == []
    assert {r.name for r in built.results} >= set(CHAPTERS)


@pytest.mark.slow
def test_chapter_and_cross_chapter_views_execute_with_chinese_names(built_zh):
    """name_lang=zh through the actor table and chart (one chapter: every chapter draws them with
    the same code) and the cross-chapter actor views; the names appear in Chinese."""
    from conftest import ZH_NOTEBOOKS

    assert [r.name for r in built_zh.failed] == []
    assert sorted(r.name for r in built_zh.results if r.state == "ran") == ZH_NOTEBOOKS
    html = (built_zh.out / "figures" / "tab-3-3.html").read_text(encoding="utf-8")
    assert "中国信息通信研究院" in html and "China Academy of Information" not in html
    shown = [
        c
        for nb in ZH_NOTEBOOKS
        for c in nbformat.read(PROJECT_ROOT / "notebooks" / f"{nb}.ipynb", as_version=4).cells
        if c.cell_type == "code"
    ]
    for call in ("ch.actor_table(", "ch.actor_chart(", "ch.recurring_actors(", "ch.actor_network("):
        assert any(call in c.source for c in shown), call


def _produced(result) -> dict[str, set[str]]:
    """Notebook -> file names it wrote."""
    return {r.name: {p.name for p in (result.out / ".cache" / r.name / "figures").iterdir()} for r in result.results}


@pytest.mark.slow
def test_manifest(built, package):
    produced = _produced(built)
    figs = package["figures"]
    supp = package["supplementary_figures"]
    # a box of the report is prose: only this collection's chart of it ('box1-chart') is written
    expected = set(figs[(figs["status"] != "not_reproducible") & (figs["kind"] != "box")]["figure_id"]) | set(
        supp["figure_id"]
    )
    stems = {stem(f): f for f in expected} | {stem(f, "tab"): f for f in expected}
    owners: dict[str, set[str]] = {}
    for nb, files in produced.items():
        for f in files:
            base = f.rsplit(".", 1)[0]
            if nb == "new_assessment" and base.split("-")[1] == "assessment":
                continue  # a worked example of the method, labelled as such; not a figure of the report
            assert base in stems, f"{nb} writes {f}, which no manifest lists"
            owners.setdefault(stems[base], set()).add(nb)
    for fid in sorted(expected):
        assert len(owners.get(fid, ())) == 1, f"figure {fid} produced by {sorted(owners.get(fid, []))}"
    # a figure that is not reproducible is not drawn at all
    for fid in figs[figs["status"] == "not_reproducible"]["figure_id"]:
        assert not any(f.startswith(stem(fid) + ".") for files in produced.values() for f in files)
    # one identity per figure: fig-X-Y only where the report prints a chart, diagram or matrix; a table is
    # tab-X-Y and this collection's chart of it fig-X-Y-chart
    kind = figs.set_index("figure_id")["kind"].to_dict()
    for files in produced.values():
        for f in files:
            base = f.rsplit(".", 1)[0]
            fid = stems.get(base)
            if fid in kind and base.startswith("fig-"):
                assert kind[fid] in ("chart", "diagram", "matrix"), f"{f}: the report prints {fid} as a {kind[fid]}"


def test_no_empty_sections():
    """A notebook has a section for numbers the text states only if its chapter has such charts."""
    from osa_utils.data import load_table
    from osa_utils.sections.keyfigures import DEDICATED_CHARTS

    sup = load_table("supplementary_figures")
    charted = {
        int(c)
        for c, s, i, k in zip(sup["chapter"], sup["status"], sup["figure_id"], sup["key_figure_ids"])
        if s == "supplementary" and i not in DEDICATED_CHARTS and not pd.isna(c) and not pd.isna(k)
    }
    for path in NOTEBOOKS:
        text = path.with_suffix(".py").read_text(encoding="utf-8")
        if "Numbers the text states but the report does not chart" in text:
            chapter = int(path.stem.split("_")[0])
            assert chapter in charted, f"{path.stem}: an empty section (no supplementary chart for chapter {chapter})"


@pytest.mark.slow
def test_output_matches_committed_figures(built):
    from matplotlib.testing.compare import compare_images

    committed = PROJECT_ROOT / "figures"
    new = built.out / "figures"
    ours = {p.name for p in new.iterdir()}
    ref = {p.name for p in committed.iterdir() if p.is_file() and not p.name.startswith(".")}  # not the marker
    assert ours == ref, f"missing: {sorted(ref - ours)}; unexpected: {sorted(ours - ref)}"
    for name in sorted(ours):
        if name.endswith(".png"):
            diff = compare_images(str(committed / name), str(new / name), tol=IMAGE_TOLERANCE)
            assert diff is None, diff
        else:  # SVG, CSV, HTML are text made deterministically: they must be identical
            assert (committed / name).read_bytes() == (new / name).read_bytes(), name


@pytest.mark.slow
def test_two_runs_give_identical_bytes(built, tmp_path):
    again = run(DEFAULT_DATA_DIR, tmp_path / "again", jobs=1, only=["02_chip_design"], force=True, report=False)
    for f in (again.out / "figures").iterdir():
        assert f.read_bytes() == (built.out / "figures" / f.name).read_bytes(), f.name


def test_matrix_colours_is_checked_before_any_kernel_starts(tmp_path):
    """A bad matrix_colours is refused by the batch build up front (exit 2, nothing written)."""
    import subprocess
    import sys

    from osa_utils.params import ParameterError, check_value

    assert check_value("matrix_colours", "printed") == "printed"
    with pytest.raises(ParameterError, match="'derived', 'printed'"):
        check_value("matrix_colours", "rainbow")
    out = tmp_path / "report"
    proc = subprocess.run(
        [sys.executable, "-m", "osa_utils.cli", "build", "-p", "matrix_colours", "rainbow", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "matrix_colours" in proc.stderr, proc.stderr
    assert not out.exists()
    for name in ("00_executive_summary", "01_introduction"):  # the parameter of the notebooks drawing Figure 0.1
        text = (PROJECT_ROOT / "notebooks" / f"{name}.py").read_text(encoding="utf-8")
        assert 'matrix_colours: str = "derived"' in text and "colours=matrix_colours" in text
