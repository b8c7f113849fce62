"""Where a notebook's figures_dir may point, and the words of the output-folder and file messages.

A notebook run by hand (papermill, JupyterLab) may not write into the places no osa-report command
writes (the rule of ``--out``, osa_utils.outdir.protected: the repository, home, the data folder,
notebooks/, osa_utils/, ...) nor into the committed figures/ (only ``make figures`` replaces them,
through a scratch build). ``assess``/``app-check`` name ``--out``, the option the user typed.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from osa_utils import DEFAULT_DATA_DIR, PROJECT_ROOT, params
from osa_utils.cli import cli

PAPERMILL = str(Path(sys.executable).parent / "papermill")
CLI = [sys.executable, "-m", "osa_utils.cli"]
FIGURES = PROJECT_ROOT / "figures"


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _run(args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)


def _invoke(*args):
    """osa-report in this process; an exception that is not a user's error fails the test."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize(
    "target,words",
    [
        (FIGURES, "is or lies inside the committed reference figures"),
        (FIGURES / "sub", "is or lies inside the committed reference figures"),  # second attack run: was written
        (DEFAULT_DATA_DIR, "is, lies inside or contains the data folder"),
    ],
    ids=["figures", "figures-sub", "data"],
)
def test_papermill_cannot_write_into_the_committed_figures_or_the_data(tmp_path, target, words):
    """The tester's commands: papermill with -p figures_dir <repo>/figures (or data/) stops at the first
    code cell with one ParameterError line; figures/ and data/ stay as they were."""
    before = {f: _tree(f) for f in (FIGURES, DEFAULT_DATA_DIR)}
    proc = _run(
        [
            PAPERMILL,
            str(PROJECT_ROOT / "notebooks" / "04_blockchain.ipynb"),
            str(tmp_path / "t.ipynb"),
            "-p",
            "figures_dir",
            str(target),
            "-p",
            "name_lang",
            "zh",
            "--no-progress-bar",
        ],
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = [l for l in proc.stderr.splitlines() if re.match(r"\w*(Error|Exception): ", l)]
    assert len(lines) == 1 and lines[0].startswith(f"ParameterError: parameter figures_dir={str(target)!r} "), lines
    assert words in lines[0], lines[0]
    assert {f: _tree(f) for f in (FIGURES, DEFAULT_DATA_DIR)} == before
    assert not (FIGURES / "sub").exists()


@pytest.mark.parametrize(
    "where,words",
    [
        (lambda tmp: FIGURES, "committed reference figures"),
        (lambda tmp: FIGURES / "sub", "committed reference figures"),
        (lambda tmp: DEFAULT_DATA_DIR / "sub", "the data folder"),
        (lambda tmp: PROJECT_ROOT / "notebooks" / "out", "the notebooks folder"),
        (lambda tmp: PROJECT_ROOT / "osa_utils", "the osa_utils package"),
        (lambda tmp: PROJECT_ROOT, "the repository root"),
        (lambda tmp: Path.home(), "your home folder"),
        (lambda tmp: tmp / "mydata", "the data folder"),  # the notebook's own data_dir
        (lambda tmp: tmp, "the data folder"),  # contains it
    ],
    ids=["figures", "figures-sub", "data-sub", "notebooks", "osa_utils", "root", "home", "own-data", "contains-data"],
)
def test_figures_dir_refuses_the_places_out_refuses(tmp_path, where, words):
    own = tmp_path / "mydata"
    own.mkdir()
    (own / "datapackage.json").write_text("{}")
    with pytest.raises(params.ParameterError, match=re.escape(words)):
        params.check_params(own, where(tmp_path))
    with pytest.raises(params.ParameterError, match=re.escape(words)):  # output_dir, its old name, too
        params.check_params(own, output_dir=where(tmp_path))


def test_figures_dir_still_takes_a_folder_of_its_own(tmp_path, monkeypatch):
    own = tmp_path / "mydata"
    own.mkdir()
    (own / "datapackage.json").write_text("{}")
    assert params.check_params(own, tmp_path / "figs").figures_dir == tmp_path / "figs"
    assert params.check_params(None, tmp_path / "figs").figures_dir == tmp_path / "figs"
    monkeypatch.chdir(tmp_path)
    assert params.check_params(None, "out").figures_dir == Path("out")


NOTEBOOK = """
import json, os
from pathlib import Path
from osa_utils.params import check_params
p = check_params(None, figures_dir)
Path(os.environ["SEEN"]).write_text(str(Path(figures_dir).resolve()))
(p.figures_dir / "tab-a.csv").write_text("a\\n1\\n", encoding="utf-8")
"""


@pytest.mark.slow
def test_make_figures_passes_a_scratch_folder_not_the_committed_one(tmp_path):
    """`make figures` (osa-report figures --out figures) runs the notebooks into a scratch build and
    copies the files into OUT: the notebooks' figures_dir is never OUT itself, so refusing the
    committed figures/ as figures_dir leaves `make figures` working."""
    from nbfixtures import notebook

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    notebook(nbs / "figs.ipynb", NOTEBOOK, params='figures_dir = "out"\n')
    ref = tmp_path / "figures"
    seen = tmp_path / "seen.txt"
    import os

    proc = _run(
        CLI + ["figures", "--notebooks-dir", str(nbs), "--out", str(ref), "--jobs", "1"],
        env={**os.environ, "SEEN": str(seen)},
    )
    assert proc.returncode == 0, proc.stderr
    assert (ref / "tab-a.csv").read_text() == "a\n1\n"
    used = Path(seen.read_text())
    assert not used.is_relative_to(ref) and not used.is_relative_to(PROJECT_ROOT), used


@pytest.mark.parametrize("command", ["assess", "app-check"])
def test_assess_and_app_check_name_out_not_figures_dir(tmp_path, command, monkeypatch):
    form = {
        "assess": ["data/examples/assessment_quantum.csv", "--id", "x", "--label", "y"],
        "app-check": ["data/examples/app_check_example.csv", "--app", "x"],
    }[command]
    monkeypatch.chdir(PROJECT_ROOT)
    proc = _invoke(command, *form, "--out", "/proc/foo")
    assert proc.exit_code == 2, proc.stderr
    errors = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
    assert "Traceback" not in proc.stderr and len(errors) == 1, proc.stderr
    assert errors[0].startswith("error: --out /proc/foo: ") and "figures_dir" not in proc.stderr, proc.stderr
    assert "output_dir" not in proc.stderr and "allowed values: None" not in proc.stderr, proc.stderr


def test_matrix_user_levels_names_a_folder_a_folder(tmp_path):
    proc = _invoke("build", "--out", tmp_path / "r", "-p", "matrix_user_levels", tmp_path)
    assert proc.exit_code == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert f"-p matrix_user_levels {tmp_path}: is a folder, not a file" in proc.stderr, proc.stderr
    assert not (tmp_path / "r").exists()
    with pytest.raises(params.ParameterError, match="is a folder, not a file"):  # the notebook's own check
        params.check_value("matrix_user_levels", str(tmp_path))
    with pytest.raises(params.ParameterError, match="is a folder, not a file"):
        params.input_file("assessment_csv", str(tmp_path), "assessment_quantum.csv")
