"""The osa-report subcommands a user types: cite and assess (validate/build/verify are covered elsewhere).

What needs no process of its own runs in this one, through click's test runner (:func:`_invoke`);
what runs a kernel runs ``python -m osa_utils.cli`` (:func:`_run`)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from osa_utils.cli import cli

CLI = [sys.executable, "-m", "osa_utils.cli"]


def _run(*args, **kw):
    return subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=300, **kw)


def _invoke(*args, env=None):
    """osa-report in this process; an exception that is not a user's error fails the test."""
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def test_cite_all_and_by_figure():
    import csv

    import bibtexparser

    from osa_utils import DEFAULT_DATA_DIR

    out = _invoke("cite")
    assert out.exit_code == 0
    entries = bibtexparser.loads(out.stdout).entries  # default settings: classic BibTeX types only
    with open(DEFAULT_DATA_DIR / "sources.csv", encoding="utf-8", newline="") as fh:
        works = sum(1 for _ in csv.DictReader(fh))
    # distinct cited works (data/sources.csv), not the 270 footnotes; + the report and this collection
    assert len(entries) == works + 2
    csl = json.loads(_invoke("cite", "--format", "csl-json", "--figure", "box1").stdout)
    assert [i["id"] for i in csl] == ["european2021commission"]


def test_cite_unknown_figure():
    out = _invoke("cite", "--figure", "9.9")
    assert out.exit_code == 2 and "9.9" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_assess_on_a_csv_written_here(tmp_path):
    csv = tmp_path / "batteries.csv"
    csv.write_text(
        "dimension_id,challenge,importance,instrument\n"
        "supply_chain,Dependence on Chinese cathode materials,4,Diversification incentives\n"
        "national_security,Remote access to battery management systems,3,\n"
        "competitiveness,Scale of Chinese cell makers,4,R&D investment\n",
        encoding="utf-8",
    )
    out = _run("assess", str(csv), "--id", "batteries", "--label", "EV batteries", "--out", str(tmp_path / "o"))
    assert out.returncode == 0, out.stderr
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert {
        "fig-assessment-batteries-matrix.png",
        "tab-assessment-batteries-risks.csv",
        "tab-assessment-batteries-instruments.csv",
    } <= names


@pytest.mark.slow
def test_assess_bad_csv_names_file_row_column(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("dimension_id,challenge,importance\nsupply_chain,x,7\nnowhere,y,2\n", encoding="utf-8")
    out = _invoke("assess", str(csv), "--id", "bad", "--label", "Bad", "--out", str(tmp_path / "o"))
    assert out.exit_code == 1
    assert "bad.csv:2:importance: value out of range (found '7', expected 1 to 4)" in out.stderr
    assert "bad.csv:3:dimension_id: unknown reference" in out.stderr
    assert "Traceback" not in out.stderr
    assert not list((tmp_path / "o").glob("fig-*"))


def test_assess_rejects_a_report_technology_id(tmp_path):
    out = _invoke(
        "assess", "data/examples/assessment_quantum.csv", "--id", "6g", "--label", "x", "--out", str(tmp_path / "o")
    )
    assert out.exit_code == 2 and "technology_id='6g'" in out.stderr


FIGURE_NOTEBOOK = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from pathlib import Path
out = Path(figures_dir)
for name, y in (("a", 1), ("b", 2)):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, y])
    fig.savefig(out / f"fig-{name}.png", dpi=50, metadata={"Software": None})
    (out / f"tab-{name}.csv").write_text("a,b\\n1,2\\n", encoding="utf-8")
"""


@pytest.mark.slow
def test_figures_and_verify_report_every_kind_of_difference(tmp_path):
    """`figures` writes a reference folder (with the tool's marker); `verify` rebuilds and says, per
    file, identical, differs (how many pixels), missing, unexpected or unreadable; exit 1 on any
    difference."""
    from nbfixtures import notebook
    from PIL import Image

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    # one notebook writing two figures and two tables: one kernel per build
    notebook(nbs / "figs.ipynb", FIGURE_NOTEBOOK, params='figures_dir = "out"\n')
    ref = tmp_path / "figures"
    out = _run("figures", "--notebooks-dir", str(nbs), "--out", str(ref), "--jobs", "1")
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in ref.iterdir()) == [
        ".osa-report.json",
        "fig-a.png",
        "fig-b.png",
        "tab-a.csv",
        "tab-b.csv",
    ]
    same = _run("verify", "--notebooks-dir", str(nbs), "--figures", str(ref), "--jobs", "1")
    assert same.returncode == 0 and "4 identical, 0 different" in same.stdout, same.stdout + same.stderr
    # one build per run: the report page is assembled with the figures (CI runs verify alone per Python)
    assert "report page: built (index.html)" in same.stdout, same.stdout
    img = Image.open(ref / "fig-a.png").convert("RGB")
    img.putpixel((5, 5), (255, 0, 0))
    img.save(ref / "fig-a.png")
    (ref / "tab-b.csv").unlink()
    (ref / "fig-9-9.png").write_bytes(b"not a figure")
    (ref / "fig-b.png").write_bytes((ref / "fig-b.png").read_bytes()[:200])  # a truncated reference
    out = _run("verify", "--notebooks-dir", str(nbs), "--figures", str(ref), "--jobs", "1")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    lines = {l.split()[0]: l for l in out.stdout.splitlines() if l.strip()}
    # one pixel of 10,000: a count, not "0.000% of pixels differ" (the words of a metadata-only change)
    assert "differs" in lines["fig-a.png"] and "1 of 10000 pixels differ (0.01%)" in lines["fig-a.png"]
    assert "missing" in lines["fig-9-9.png"] and "unexpected" in lines["tab-b.csv"]
    assert "unreadable" in lines["fig-b.png"] and "the reference cannot be read as PNG" in lines["fig-b.png"]
    assert "identical" in lines["tab-a.csv"]


@pytest.mark.parametrize(
    "args", [["--only", "a", "b"], ["a", "b"], ["--only", "a", "--only", "b"], ["a", "--only", "b"]]
)
def test_only_takes_several_names_as_before_or_as_arguments(args, monkeypatch, tmp_path):
    """`--only A B` (argparse's nargs="+") keeps working: the names after --only are the command's
    arguments, which may also be given without it."""
    from osa_utils import build

    seen = {}

    def fake_run(**kwargs):
        seen.update(kwargs)
        raise build.BuildError("stop here")

    monkeypatch.setattr(build, "run", fake_run)
    out = _invoke("build", "--out", tmp_path / "r", *args, "-p", "name_lang", "zh", "-p", "dpi", "100")
    assert out.exit_code == 2 and out.stderr == "error: stop here\n", out.stderr
    assert sorted(seen["only"]) == ["a", "b"] and seen["overrides"] == {"name_lang": "zh", "dpi": 100}, seen


def test_every_error_keeps_its_builtin_base_and_its_exit_status():
    """One error contract (issue 20): each module's error is an OSAError with the status the command
    line gave it before, and still the builtin it was (existing `except ValueError` clauses)."""
    from osa_utils import assess, build, data, errors, model, outdir, panel, params, pdf, style

    expected = {
        params.ParameterError: (ValueError, 2),
        outdir.OutputError: (ValueError, 2),
        outdir.BusyError: (RuntimeError, 3),
        panel.PanelError: (ValueError, 2),
        assess.AssessmentError: (RuntimeError, 1),
        pdf.PdfError: (RuntimeError, 2),
        model.ModelError: (ValueError, 1),
        style.FontMissingError: (RuntimeError, 1),
        data.DataValidationError: (ValueError, 1),
        build.BuildError: (RuntimeError, 2),
    }
    for cls, (builtin, status) in expected.items():
        assert issubclass(cls, errors.OSAError) and issubclass(cls, builtin), cls
        assert cls.exit_code == status, cls
    assert issubclass(outdir.BusyError, errors.BusyError)


def test_a_stopped_notebook_is_printed_as_it_is_and_bad_data_one_problem_a_line(monkeypatch, tmp_path):
    """The two errors not shown as `error: <message>`: a notebook that stopped (its message names the
    notebook and cell) and the data problems (one per line, then what was left unchanged)."""
    from osa_utils import assess, data, tools

    def stopped(*args, **kwargs):
        raise assess.AssessmentError("the assessment of q.csv stopped in cell 4 of notebook x.ipynb with E:\nwhy")

    monkeypatch.setattr(tools, "run_assessment", stopped)
    form = "data/examples/assessment_quantum.csv"
    out = _invoke("assess", form, "--id", "q", "--label", "Q", "--out", tmp_path / "o")
    assert out.exit_code == 1 and out.stderr.splitlines()[-1].startswith(
        "the assessment of q.csv stopped in cell 4 of notebook x.ipynb with E:"
    ), out.stderr
    assert "error:" not in out.stderr, out.stderr

    def bad(*args, **kwargs):
        raise data.DataValidationError([data.Problem("t.csv", 2, "c", "bad")])

    monkeypatch.setattr(tools, "run_assessment", bad)
    out = _invoke("assess", form, "--id", "q", "--label", "Q", "--out", tmp_path / "o")
    assert out.exit_code == 1 and out.stderr.splitlines()[-2:] == [
        str(data.Problem("t.csv", 2, "c", "bad")),
        "1 data problem(s): nothing was run",
    ], out.stderr


@pytest.mark.parametrize(
    "args,option",
    [
        (["cite", "-o", "--footnote", "2"], "-o"),
        (["cite", "--footnote", "2", "-o", "-x"], "-o"),
        (["build", "--out", "--force"], "--out"),
        (["build", "-p", "formats", "--x"], "-p"),
        (["assess", "f.csv", "--id", "q", "--label", "-x"], "--label"),
        (["app-check", "f.csv", "--app", "-x", "--out", "o"], "--app"),
    ],
)
def test_an_option_is_never_taken_as_the_value_of_the_one_before(tmp_path, monkeypatch, args, option):
    """As argparse did: `cite -o --footnote 2` is a usage error, not a bibliography written to a file
    named `--footnote` (nor a build into `./--force`); nothing is written."""
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 2 and f"Option '{option}' requires" in out.stderr, out.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_value_that_starts_with_a_dash_is_given_with_equals(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, ["cite", "--footnote", "2", "--output=-x"])
    assert out.exit_code == 0, out.stderr
    assert (tmp_path / "-x").read_text(encoding="utf-8").startswith("@")


@pytest.mark.parametrize("where", ["data", "notebooks", "osa_utils", "figures"])
def test_cite_never_writes_into_the_collections_own_folders(where, project_root):
    """`cite -o data/x.bib` wrote a stray file into data/ (the next release refused the dirty tree);
    like the build's --out, --output may not lie inside data/, notebooks/, osa_utils/ or figures/."""
    target = project_root / where / "x-osa-test.bib"
    out = CliRunner().invoke(cli, ["cite", "-o", str(target)])
    assert out.exit_code == 2 and "write the bibliography elsewhere" in out.stderr, out.output
    assert not target.exists()
