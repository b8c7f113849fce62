"""osa-report build on a small collection of fixture notebooks: cache, failure
isolation, atomic output, escaping, parameters."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from nbfixtures import notebook as _notebook
from nbfixtures import two_notebooks

from osa_utils.batch import cache, kernel
from osa_utils.build import BuildError, run

pytestmark = pytest.mark.slow


def _edit_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; *row* counted as in a spreadsheet (header = 1)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[row - 1][rows[0].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _states(result):
    return {r.name: (r.state, r.reason) for r in result.results}


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """One fixture collection built again and again, each build after one change, as a user would:
    every cache decision is read off this one history (each step runs only what it must, so the
    whole history costs fewer kernels than separate first builds). The tests using it share an
    xdist group (conftest.py), so it is made once per run."""
    import shutil

    from osa_utils import DEFAULT_DATA_DIR

    tmp = tmp_path_factory.mktemp("history")
    data, out = tmp / "data", tmp / "out"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    nbs = two_notebooks(tmp / "notebooks")
    steps = {}
    build_ = lambda **kw: run(data, out, notebooks_dir=nbs, jobs=1, **kw)  # noqa: E731
    steps["first"] = build_()
    steps["first_index"] = (out / "index.html").exists() and (out / "notebooks" / "a_tech.html").exists()
    steps["again"] = build_()
    steps["again_index"] = (out / "index.html").exists() and (out / "notebooks" / "a_tech.html").exists()
    os.utime(data / "technologies.csv")  # a touch without a change of content
    steps["touched"] = build_()
    _edit_cell(data / "dimensions.csv", 2, "note", "edited")
    steps["csv_edited"] = build_()
    steps["parameter"] = build_(overrides={"x": 2})
    steps["force"] = build_(overrides={"x": 2}, force=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cache, "package_hash", lambda: "changed")
        steps["osa_utils"] = build_(overrides={"x": 2})
    return steps


def test_second_build_executes_nothing(history):
    assert {s for s, _ in _states(history["first"]).values()} == {"ran"} and history["first_index"]
    assert _states(history["again"]) == {"a_tech": ("reused", "unchanged"), "b_dims": ("reused", "unchanged")}
    assert history["again_index"], "the reused build still publishes the report"


def test_changed_csv_reruns_exactly_the_notebooks_that_read_it(history):
    assert {s for s, _ in _states(history["touched"]).values()} == {"reused"}, "a touch reruns nothing"
    states = _states(history["csv_edited"])
    assert states["b_dims"] == ("ran", "data changed: dimensions.csv")
    assert states["a_tech"] == ("reused", "unchanged")


def test_reads_are_recorded_not_listed(history):
    reads = {r.name: {Path(p).name for p in r.reads} for r in history["first"].results}
    # technologies.csv references chapters.csv and figures.csv: they are read to check its foreign keys
    assert {"technologies.csv", "chapters.csv", "figures.csv", "datapackage.json"} <= reads["a_tech"]
    assert "dimensions.csv" not in reads["a_tech"] and "technologies.csv" not in reads["b_dims"]


def test_parameter_change_reruns(history):
    assert _states(history["parameter"]) == {
        "a_tech": ("ran", "parameters changed"),
        "b_dims": ("ran", "parameters changed"),
    }


def test_force_reruns(history):
    assert {r for _, r in _states(history["force"]).values()} == {"--force"}


def test_osa_utils_change_reruns_all(history):
    assert _states(history["osa_utils"]) == {
        "a_tech": ("ran", "osa_utils changed"),
        "b_dims": ("ran", "osa_utils changed"),
    }


def test_unknown_parameter_is_an_error(collection):
    nbs, data, out = collection
    with pytest.raises(BuildError, match="unknown parameter.*nope"):
        run(data, out, notebooks_dir=nbs, overrides={"nope": 1})
    assert not out.exists()


def test_unknown_notebook_is_an_error(collection):
    nbs, data, out = collection
    with pytest.raises(BuildError, match="unknown notebook"):
        run(data, out, notebooks_dir=nbs, only=["zz"])


def test_failing_notebook_does_not_stop_the_others(collection):
    """Also with a $TMPDIR too long for the fork server's socket (as on some clusters): the
    workers are spawned instead (test_the_workers_come_from_where_they_can)."""
    nbs, data, out = collection
    _notebook(nbs / "c_fail.ipynb", 'raise ValueError("deliberate failure")')
    temp = out.parent / ("long-temporary-folder-" + "t" * 90)
    temp.mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "osa_utils.cli",
            "build",
            "--data-dir",
            str(data),
            "--out",
            str(out),
            "--notebooks-dir",
            str(nbs),
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    assert proc.returncode == 1, proc.stderr
    assert "c_fail failed in cell 3: ValueError: deliberate failure" in proc.stderr
    assert "Traceback" not in proc.stderr
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "This notebook failed" in html and "deliberate failure" in html
    assert "raise ValueError(&#34;deliberate failure&#34;)" in html  # the failing cell, escaped
    assert (out / "notebooks" / "a_tech.ipynb").exists() and (out / "notebooks" / "b_dims.ipynb").exists()


def test_the_workers_come_from_where_they_can(tmp_path):
    """A fork server on Linux, unless its socket path (under $TMPDIR) would be too long for
    AF_UNIX, where Python 3.11-3.13 would stop with "AF_UNIX path too long": then spawn."""
    code = "from osa_utils.batch.workers import _pool_context; print(_pool_context().get_start_method())"
    long = tmp_path / ("t" * 100)
    long.mkdir()
    shown = {}
    for name, env in (
        ("default", {k: v for k, v in os.environ.items() if k != "TMPDIR"}),
        ("long", {**os.environ, "TMPDIR": str(long)}),
    ):
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        shown[name] = proc.stdout.strip()
    assert shown == {"default": "forkserver" if sys.platform.startswith("linux") else "spawn", "long": "spawn"}


def test_kernels_talk_over_unix_sockets_where_they_fit(tmp_path, monkeypatch):
    """No TCP ports to race for (a port taken between jupyter_client's choice and the kernel's bind
    killed a kernel at start); TCP only where the socket path would be too long."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with kernel.kernel_options() as options:
        folder = next(tmp_path.glob("osa-kernel-*"))
        km = options["config"]["KernelManager"]
        assert km["transport"] == "ipc" and km["ip"] == str(folder / "ipc")
        assert km["connection_file"] == str(folder / "kernel.json")
        assert options["shutdown_kernel"] == "immediate"
    assert not folder.exists(), "the kernel's folder is removed afterwards"
    long = tmp_path / ("t" * 100)
    long.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    with kernel.kernel_options() as options:
        assert "config" not in options  # TCP
    assert not list(long.iterdir())


def test_invalid_data_builds_nothing(collection):
    nbs, data, out = collection
    run(data, out, notebooks_dir=nbs, jobs=1, only=["a_tech"])  # a previous report (one kernel is enough)
    before = (out / "index.html").read_bytes()
    (data / "technologies.csv").write_text("broken\n", encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "osa_utils.cli",
            "build",
            "--data-dir",
            str(data),
            "--out",
            str(out),
            "--notebooks-dir",
            str(nbs),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "technologies.csv:1" in proc.stderr
    assert (out / "index.html").read_bytes() == before


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_interrupted_build_leaves_the_previous_report(collection, sig, request):
    nbs, data, out = collection
    run(data, out, notebooks_dir=nbs, jobs=1, only=["a_tech"])  # a previous report (one kernel is enough)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # Only this notebook runs (and waits), the report's others are kept. It starts a process of its
    # own naming a file with -f, as a kernel's command line names its connection file: the stopped
    # build removes the kernel's file, never that one.
    _notebook(
        nbs / "d_slow.ipynb",
        "import subprocess, sys, time\n"
        "own = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)', '-f', keep])\n"
        "time.sleep(pause)",
        params="pause = 0\nkeep = ''\n",
    )
    # As from a terminal, where Ctrl-C interrupts: Python's own SIGINT handler even when this test
    # runs with SIGINT ignored (a background job's commands ignore it, and exec keeps that).
    terminal = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from osa_utils.cli import main; sys.exit(main())"
    )
    # where the kernel's folder (connection file, sockets) goes: short, so that sockets fit in it
    temp = Path(tempfile.mkdtemp(prefix="osa-t-"))
    request.addfinalizer(lambda: shutil.rmtree(temp, ignore_errors=True))
    keep = temp / "users-own.json"
    keep.write_text("{}", encoding="utf-8")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            terminal,
            "build",
            "--data-dir",
            str(data),
            "--out",
            str(out),
            "--notebooks-dir",
            str(nbs),
            "--only",
            "d_slow",
            "-p",
            "pause",
            "60",
            "-p",
            "keep",
            str(keep),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.parent.glob(f".{out.name}.v-*/.cache/d_slow/reads.log")):
        time.sleep(0.2)
    time.sleep(1.5)  # the slow notebook is executing
    assert proc.stderr is not None
    assert proc.poll() is None, proc.stderr.read().decode(errors="replace") if proc.poll() is not None else ""
    (os.killpg if sig == signal.SIGKILL else os.kill)(proc.pid, sig)
    proc.wait(timeout=60)
    err = proc.stderr.read().decode(errors="replace")
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before, "the previous report changed"
    if sig != signal.SIGKILL:
        assert proc.returncode == 130, err
        left = sorted(str(p.relative_to(out.parent)) for p in out.parent.glob(f".{out.name}.v-*/**/*"))
        assert len(list(out.parent.glob(f".{out.name}.v-*"))) == 1, f"temporary build folder left behind: {left[:20]}"
        assert keep.exists(), "the build removed a file the notebook's own process named with -f"
        assert sorted(temp.glob("*.json")) == [keep], "the killed kernel's connection file was left behind"
        assert not list(temp.glob("osa-kernel-*")), "the killed kernel's folder was left behind"


def test_csv_markup_is_escaped_in_the_report(collection):
    nbs, data, out = collection
    _edit_cell(data / "errata.csv", 2, "issue", "<script>alert(1)</script>")
    _edit_cell(data / "actors.csv", 2, "description", "<script>alert(1)</script>")
    _notebook(
        nbs / "e_actors.ipynb",
        'from osa_utils.notebook import Chapter\nch = Chapter(data_dir, "figs", "png", 60, "en")\n'
        'ch.actor_table("2.1")',
    )
    result = run(data, out, notebooks_dir=nbs, jobs=1)
    assert not result.failed
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # errata section and the actor table


def test_kernels_see_the_environment_of_each_build(collection, monkeypatch):
    """A variable set between two builds of one process reaches the second build's kernels (the
    build passes its environment to each task, whatever start method made the workers)."""
    nbs, data, out = collection
    _notebook(
        nbs / "c_env.ipynb",
        'import os\nprint("MARK=" + os.environ.get("OSA_TEST_MARK", "unset"))',
        params="round_ = 0\n",
    )
    shown = lambda: json.loads((out / "notebooks" / "c_env.ipynb").read_text(encoding="utf-8"))  # noqa: E731
    text = lambda nb: "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))  # noqa: E731
    monkeypatch.delenv("OSA_TEST_MARK", raising=False)
    run(data, out, notebooks_dir=nbs, jobs=1, only=["c_env"])
    assert "MARK=unset" in text(shown())
    monkeypatch.setenv("OSA_TEST_MARK", "second")
    run(data, out, notebooks_dir=nbs, jobs=1, only=["c_env"], overrides={"round_": 2})
    assert "MARK=second" in text(shown())


def test_a_template_only_change_is_a_change_of_osa_utils(tmp_path, monkeypatch):
    """The page templates and their CSS are read by the page export and the report assembly: a
    change to them alone must not let a warm build reuse pages rendered with the old ones (it did:
    only osa_utils/**/*.py was hashed)."""
    import shutil

    from osa_utils import PROJECT_ROOT

    shutil.copytree(PROJECT_ROOT / "osa_utils", tmp_path / "osa_utils", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PROJECT_ROOT", tmp_path)
    before = cache.package_hash()
    css = tmp_path / "osa_utils" / "templates" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    assert cache.package_hash() != before
    (tmp_path / "osa_utils" / "__pycache__").mkdir(exist_ok=True)
    after = cache.package_hash()
    (tmp_path / "osa_utils" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    assert cache.package_hash() == after  # bytecode is not source
