"""A user's own papermill runs: the papermill CLI in a subprocess, started from the repository root
and from another folder, as a batch loop of one's own would start it (issue #19).

The notebooks find the collection's data package and output folder wherever papermill starts them,
their parameters carry types papermill shows, a bad parameter ends the run with one ParameterError
line naming it (the notebook's cell frame, no frames of osa_utils), and the kernel runs over Unix
sockets (the venv's kernelspec names osa_utils.provisioner): no "running over TCP" warning.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from osa_utils import PROJECT_ROOT
from osa_utils.outdir import MARKER

PAPERMILL = str(Path(sys.executable).parent / "papermill")
NOTEBOOKS = PROJECT_ROOT / "notebooks"
CHEAP = ["-p", "formats", "png", "-p", "dpi", "50"]
DEFAULT_FIGURES_DIR = PROJECT_ROOT / "output"  # osa_utils.params.DEFAULT_FIGURES_DIR


def papermill(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([PAPERMILL, *args, "--no-progress-bar"], cwd=cwd, capture_output=True, text=True, timeout=300)


def _ran(proc, executed: Path) -> None:
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "TCP" not in proc.stderr, "the kernel runs over Unix sockets, without the TCP warning"
    nb = nbformat.read(executed, as_version=4)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def test_a_chapter_runs_from_the_repository_root(tmp_path):
    """The tester's command (from the root, default data_dir); outputs where -p figures_dir says."""
    out = tmp_path / "figs"
    proc = papermill(
        ["notebooks/01_introduction.ipynb", str(tmp_path / "out.ipynb"), *CHEAP, "-p", "figures_dir", str(out)],
        cwd=PROJECT_ROOT,
    )
    _ran(proc, tmp_path / "out.ipynb")
    assert (out / "fig-1-1.png").is_file() and (out / "fig-1-2.png").is_file()
    assert not list(out.glob("*.svg")), "-p formats png was used"


def test_a_chapter_runs_from_another_folder_into_the_collections_output(tmp_path):
    """From /tmp (or any folder): the default data_dir is the checkout's data/, the default
    figures_dir the checkout's git-ignored output/ (marked as the tool's when the notebook made it),
    not ./output of the folder papermill was started in."""
    written = DEFAULT_FIGURES_DIR / "fig-4-2-chart.png"
    written.unlink(missing_ok=True)  # a file of the tool's own folder (written only when it differs)
    proc = papermill([str(NOTEBOOKS / "04_blockchain.ipynb"), "out.ipynb", *CHEAP], cwd=tmp_path)
    _ran(proc, tmp_path / "out.ipynb")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ipynb"], "nothing written where papermill started"
    assert written.is_file()
    assert json.loads((DEFAULT_FIGURES_DIR / MARKER).read_text(encoding="utf-8"))["kind"] == "notebook_output"
    assert "/output/" in (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").split()


@pytest.mark.parametrize(
    "notebook,args,name,cwd",
    [
        ("03_6g", ["-p", "data_dir", "../data", "-p", "name_lang", "zh"], "data_dir", "tmp"),
        ("04_blockchain", ["-p", "figures_dir", "/proc/x"], "figures_dir", "root"),
        ("new_assessment", ["-p", "assessment_csv", "5"], "assessment_csv", "tmp"),
    ],
    ids=["data_dir", "figures_dir", "assessment_csv"],
)
def test_a_bad_parameter_is_one_parameter_error_line_from_the_first_code_cell(tmp_path, notebook, args, name, cwd):
    proc = papermill(
        [str(NOTEBOOKS / f"{notebook}.ipynb"), str(tmp_path / "out.ipynb"), *args],
        cwd=tmp_path if cwd == "tmp" else PROJECT_ROOT,
    )
    assert proc.returncode == 1
    lines = [l for l in proc.stderr.splitlines() if re.match(r"\w*(Error|Exception): ", l)]
    assert lines == [lines[0]] and lines[0].startswith(f"ParameterError: parameter {name}="), lines
    cell = proc.stderr.split('Exception encountered at "In [', 1)[1]
    assert "osa_utils/" not in cell and "File " not in cell, "no frames of osa_utils in the cell traceback:\n" + cell
    assert cell.count("\n") < 20, cell
    assert "TCP" not in proc.stderr
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    code = [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and "parameters" not in c.metadata.get("tags", [])
        and "injected-parameters" not in c.metadata.get("tags", [])
    ]
    failed = [i for i, c in enumerate(code) if any(o.output_type == "error" for o in c.outputs)]
    assert failed == [0], "raised in the first code cell after the parameters"


def test_help_notebook_shows_every_parameters_type():
    proc = subprocess.run(
        [PAPERMILL, "--help-notebook", str(NOTEBOOKS / "04_blockchain.ipynb")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Unknown type" not in proc.stdout, proc.stdout
    for shown in (
        "data_dir: Optional[str] (default None)",
        "figures_dir: Optional[str] (default None)",
        'formats: str (default "png,svg")',
        "dpi: int (default 150)",
        'name_lang: str (default "en")',
    ):
        assert shown in proc.stdout, proc.stdout


def test_the_venvs_kernelspec_names_the_ipc_provisioner():
    """The install step's patch of the stock kernelspec: same argv (ipykernel), plus the provisioner."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[1:3] == ["-m", "ipykernel_launcher"]
    assert spec.metadata["kernel_provisioner"]["provisioner_name"] == "osa-ipc-provisioner"
    assert json.loads(Path(spec.resource_dir, "kernel.json").read_text())["argv"][0] in ("python", sys.executable)


def test_a_kernel_of_the_venv_runs_over_unix_sockets_and_leaves_nothing(tmp_path, monkeypatch):
    """As nbclient and Jupyter's server start it (a KernelManager with no transport configured): the
    provisioner puts the sockets in a private folder, and removes the folder at shutdown."""
    import tempfile

    from jupyter_client.manager import start_new_kernel

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=120)
    try:
        folder = next(tmp_path.glob("osa-kernel-*"))
        assert km.transport == "ipc" and km.ip == str(folder / "ipc")
        assert kc.execute_interactive("x = 1", timeout=60)["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert not folder.exists()


def test_without_a_checkout_the_notebook_asks_for_data_dir_and_figures_dir(tmp_path, monkeypatch):
    """A non-editable install (osa_utils in site-packages, no data/ beside it): no default to guess,
    a message that says which parameter to pass; a passed data_dir still works."""
    from osa_utils import params

    monkeypatch.setattr(params, "DEFAULT_DATA_DIR", tmp_path / "site-packages" / "data")
    monkeypatch.setattr(params, "DEFAULT_FIGURES_DIR", tmp_path / "site-packages" / "output")
    with pytest.raises(params.ParameterError, match=r"parameter data_dir=None: .* pass data_dir \(e\.g\. papermill"):
        params.check_params(None, str(tmp_path / "figs"))
    with pytest.raises(params.ParameterError, match=r"parameter figures_dir=None: .* pass figures_dir"):
        params.check_params(str(PROJECT_ROOT / "data"), None)
    got = params.check_params(str(PROJECT_ROOT / "data"), str(tmp_path / "figs"))
    assert got.data_dir == PROJECT_ROOT / "data" and not (tmp_path / "figs").exists()
    assert not (tmp_path / "site-packages").exists()
