"""`make clean`, the benchmark's and the tools' command lines (issue 19, part D)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from osa_utils import PROJECT_ROOT

#: An interpreter without the project's packages: the Python the venv was made from.
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A small git checkout with the project's Makefile, .gitignore and tools/clean.py, and tracked
    files like the collection's (figures/ carries the marker and is committed)."""
    from osa_utils import outdir

    if shutil.which("git") is None or shutil.which("make") is None:
        pytest.skip("needs git and make")
    repo = tmp_path / "repo"
    (repo / "tools").mkdir(parents=True)
    for name in ("Makefile", ".gitignore", "tools/clean.py"):
        if (PROJECT_ROOT / name).exists():
            shutil.copyfile(PROJECT_ROOT / name, repo / name)
    (repo / "figures").mkdir()
    (repo / "figures" / "fig-0-1.png").write_bytes(b"committed")
    (repo / "figures" / outdir.MARKER).write_text(outdir.marker_text("figures", ["fig-0-1.png"]))
    (repo / "notebooks").mkdir()
    (repo / "notebooks" / "a.py").write_text("# %%\n")
    (repo / "benchmarks").mkdir()
    (repo / "benchmarks" / "results.json").write_text("{}\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "tracked tree")
    return repo


def _report(loc: Path, versions: int = 1) -> None:
    """A report as `osa-report build --out LOC` leaves it: a symlink to a version, under the lock."""
    from osa_utils import outdir

    loc = outdir.location(loc)
    outdir.check(loc)
    with outdir.lock(loc, say=lambda *_: None):
        for _ in range(versions):
            v = outdir.new_version(loc)
            (v / "index.html").write_text("<!DOCTYPE html>")
            outdir.publish(v, loc)


def _tool_output(loc: Path, kind: str) -> None:
    """An assessment or app check as osa_utils.tools.execute_tool leaves it (marker first)."""
    from osa_utils import outdir

    loc = outdir.check(loc, kind=kind)
    loc.mkdir(parents=True)
    (loc / outdir.MARKER).write_text(outdir.marker_text(kind))
    (loc / "fig-quantum.png").write_bytes(b"png")


def _readme_outputs(repo: Path) -> None:
    """What the README's examples write into a checkout, made by the code paths that write them."""
    import matplotlib.pyplot as plt

    from osa_utils import figures, outdir
    from osa_utils.tables import Table, save_table

    for name in ("report", "report-zh", "report-user-reading"):
        _report(repo / name)
    _report(repo / "report", versions=2)  # a second build: its old version removed by publish
    killed = outdir.new_version(outdir.location(repo / "report"))  # a killed build's version
    (killed / "index.html").write_text("half")
    os.symlink(killed.name, repo / f".report.link-{os.getpid()}")
    for name in ("quantum", "quantum-panel", "my-tech"):
        _tool_output(repo / "out" / name, "assessment")
    _tool_output(repo / "app-check-example", "app_check")
    with outdir.lock(outdir.location(repo / "figures"), say=lambda *_: None):  # make figures' lock
        pass
    for folder in (repo / "output", repo / "output" / "assessment", repo / "notebooks" / "output"):
        fig = plt.figure(figsize=(1, 1))
        figures.save(fig, "2.2", folder, ("png", "svg"), dpi=20)
        plt.close(fig)
        save_table(Table(["A"], [["1"]]), "2.2", folder)
    (repo / "benchmarks" / "results-local.json").write_text(json.dumps({"created_by": "benchmarks/build_bench.py"}))
    for cache in (".pytest_cache", "notebooks/__pycache__"):
        (repo / cache).mkdir()
    (repo / "notebooks" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"")


def _make_clean(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-C", str(repo), "clean", f"PYTHON={BASE_PYTHON}"], capture_output=True, text=True, timeout=120
    )


def _status(repo: Path) -> set[str]:
    return set(_git(repo, "status", "--porcelain", "--ignored").splitlines())


def test_make_clean_after_the_readme_examples_leaves_the_tracked_tree(checkout):
    repo = checkout
    _readme_outputs(repo)
    assert _git(repo, "status", "--porcelain") == ""  # every output is ignored by git
    assert len(_status(repo)) > 10
    proc = _make_clean(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _status(repo) == set(), proc.stdout
    assert (repo / "figures" / "fig-0-1.png").read_bytes() == b"committed"


def test_make_clean_keeps_what_is_not_the_tools(checkout):
    """A folder named like an output but without the marker, and a user's files among outputs, stay."""
    repo = checkout
    _readme_outputs(repo)
    (repo / "out" / "notes.txt").write_text("mine")  # a user's file beside out/quantum
    (repo / "report-notes").mkdir()
    (repo / "report-notes" / "draft.md").write_text("mine")
    (repo / "output" / "assessment" / "notes.md").write_text("mine")
    (repo / "app-check-mine").mkdir()  # the right name, no marker
    (repo / "app-check-mine" / "fig-x.png").write_bytes(b"mine")
    (repo / "stranger").mkdir()
    (repo / "stranger" / ".osa-report.json").write_text('{"created_by": "someone else", "kind": "report"}')
    proc = _make_clean(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _status(repo) == {"!! out/", "!! report-notes/", "!! output/", "!! app-check-mine/", "?? stranger/"}
    assert sorted(p.name for p in (repo / "out").iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in (repo / "output").rglob("*")) == ["assessment", "notes.md"]
    assert (repo / "app-check-mine" / "fig-x.png").read_bytes() == b"mine"


def test_a_users_out_folder_without_the_marker_survives(checkout):
    repo = checkout
    (repo / "out" / "mine").mkdir(parents=True)
    (repo / "out" / "mine" / "index.html").write_text("mine")
    (repo / "report").mkdir()  # a real folder named report, not made by osa-report
    (repo / "report" / "index.html").write_text("mine")
    proc = _make_clean(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (repo / "out" / "mine" / "index.html").read_text() == "mine"
    assert (repo / "report" / "index.html").read_text() == "mine"


def test_make_clean_leaves_an_output_a_build_is_writing(checkout):
    """While a build holds report's lock, make clean keeps report and .venv and exits non-zero."""
    repo = checkout
    _report(repo / "report")
    _report(repo / "report-zh")
    (repo / ".venv").mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom osa_utils import outdir\n"
            f"with outdir.lock(outdir.location({str(repo / 'report')!r})):\n"
            "    print('locked', flush=True)\n    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        proc = _make_clean(repo)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode != 0
    assert f"a build (pid {holder.pid}) is writing it" in proc.stderr
    assert (repo / "report" / "index.html").is_file() and (repo / ".venv").is_dir()
    assert not (repo / "report-zh").exists()  # the rest was cleaned


@pytest.mark.parametrize("out_args", [[], ["output", "notebooks/output"]], ids=["plain", "OUT"])
def test_clean_keeps_a_users_files_in_the_notebooks_output_folder(checkout, monkeypatch, out_args):
    """output/ made by a notebook run by hand (figures_dir=None: the folder gets osa-report's marker) is
    cleaned file by file, also when named as OUT: the user's files and folders in it stay."""
    import matplotlib.pyplot as plt

    from osa_utils import figures, outdir, params
    from osa_utils.tables import Table, save_table

    repo = checkout
    for rel in ("output", "notebooks/output"):
        monkeypatch.setattr(params, "DEFAULT_FIGURES_DIR", repo / rel)
        folder = params.check_params().figures_dir  # the notebooks' first cell: makes it, with the marker
        assert json.loads((folder / outdir.MARKER).read_text())["kind"] == params.DEFAULT_FIGURES_KIND
        fig = plt.figure(figsize=(1, 1))
        figures.save(fig, "2.2", folder, ("png",), dpi=20)
        plt.close(fig)
        save_table(Table(["A"], [["1"]]), "2.2", folder)
        (folder / "notes.txt").write_text("my notes")
        (folder / "mine").mkdir()
        (folder / "mine" / "k.txt").write_text("k")
        # named like the notebooks' files, but not by a notebook (a second attack run lost these):
        (folder / "fig-mine.png").write_text("mine")  # no figure id of the report
        (folder / "mine" / "fig-2-2-chart.png").write_text("my copy")  # in a folder of the user's
    proc = subprocess.run(
        [BASE_PYTHON, "tools/clean.py", *out_args], cwd=repo, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for rel in ("output", "notebooks/output"):
        left = sorted(p.relative_to(repo / rel).as_posix() for p in (repo / rel).rglob("*"))
        assert left == ["fig-mine.png", "mine", "mine/fig-2-2-chart.png", "mine/k.txt", "notes.txt"], (rel, proc.stdout)
        assert (repo / rel / "notes.txt").read_text() == "my notes"
    assert "removed output\n" not in proc.stdout


def test_clean_never_removes_an_unmarked_notebooks_output_folder(checkout):
    """notebooks/output made by the user (no marker): its notebook files go, the folder stays (it
    was removed once emptied, though only folders carrying the marker may go)."""
    repo = checkout
    folder = repo / "notebooks" / "output"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tab-4-2.csv").write_text("a\n1\n")
    proc = subprocess.run([BASE_PYTHON, "tools/clean.py"], cwd=repo, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert folder.is_dir() and not any(folder.iterdir())


@pytest.mark.skipif(
    Path(sys.prefix).resolve() != (PROJECT_ROOT / ".venv").resolve(),
    reason="the suite does not run in the checkout's .venv",
)
def test_build_bench_runs_as_the_readme_writes_it():
    """`python benchmarks/build_bench.py` with a Python that lacks the packages runs itself under
    .venv/bin/python; its results go to a file git does not track unless --write."""
    script = PROJECT_ROOT / "benchmarks" / "build_bench.py"

    def run(*a):
        return subprocess.run(
            [BASE_PYTHON, str(script), *a], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120
        )

    proc = run("--check")
    assert proc.returncode == 0, proc.stderr
    assert f"python: {PROJECT_ROOT / '.venv' / 'bin' / 'python'}" in proc.stdout
    local = PROJECT_ROOT / "benchmarks" / "results-local.json"
    assert f"results would go to {local}" in proc.stdout
    ignored = subprocess.run(["git", "-C", str(PROJECT_ROOT), "check-ignore", "-q", str(local)])
    assert ignored.returncode == 0, "benchmarks/results-local.json must be ignored by git"
    proc = run("--check", "--write")
    assert f"results would go to {PROJECT_ROOT / 'benchmarks' / 'results.json'}" in proc.stdout
    proc = run("--out", "x.json", "--write")
    assert proc.returncode == 2 and "not allowed with argument" in proc.stderr


def test_build_bench_without_a_venv_says_how_to_make_one(tmp_path):
    (tmp_path / "benchmarks").mkdir()
    shutil.copyfile(PROJECT_ROOT / "benchmarks" / "build_bench.py", tmp_path / "benchmarks" / "build_bench.py")
    proc = subprocess.run(
        [BASE_PYTHON, "benchmarks/build_bench.py", "--repeat", "1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "run `make report`" in proc.stderr, proc.stderr
    assert list((tmp_path / "benchmarks").iterdir()) == [tmp_path / "benchmarks" / "build_bench.py"]


def test_extract_references_help_without_the_report_text(tmp_path):
    script = [BASE_PYTHON, str(PROJECT_ROOT / "tools" / "extract_references.py")]
    env = {**os.environ, "OSA_SOURCE_TEXT": str(tmp_path / "missing.txt")}
    proc = subprocess.run([*script, "--help"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "Extract the report's footnotes 1-270" in proc.stdout and "OUTPUT.csv" in proc.stdout
    assert list(tmp_path.iterdir()) == []  # no file named --help
    out = tmp_path / "refs.csv"
    proc = subprocess.run([*script, str(out)], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "missing.txt" in proc.stderr and "OSA_SOURCE_TEXT" in proc.stderr
    assert not out.exists()


def test_clean_holds_a_builds_lock_while_it_removes_that_output(tmp_path):
    """clean took the lock and let it go at once, then removed the report: a build starting in
    between chose that report as its previous one and lost it half-way. The lock is now held until
    the output is removed: a build starting then waits or says another build is writing."""
    import fcntl
    import importlib.util

    spec = importlib.util.spec_from_file_location("osa_clean", PROJECT_ROOT / "tools" / "clean.py")
    assert spec is not None and spec.loader is not None
    clean = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(clean)
    lock = tmp_path / ".report.lock"
    lock.write_text("")

    def free() -> bool:
        fd = os.open(lock, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    with clean._lock_holder(lock) as holder:
        assert holder is None  # nobody else held it
        assert not free()  # a build starting now cannot take it
    assert free()
