"""The build under hostile conditions (issue 19): data edited while a notebook runs, --pdf and the lock,
kernel folders of killed runs, notebooks that never end, file-system errors, broken reference PNGs,
a dead kernel, Ctrl-C while the workers start.

How each file-system condition is made is said in the test: a real read-only folder (a read-only
bind mount when run as root, where chmod does not stop writes; chmod otherwise), a real full disk
(a small tmpfs, root only: skipped where mounts are not permitted), or, where neither is possible,
OSError(ENOSPC) raised at the OS boundary (``os.link``/``shutil.copyfile``) in the CLI's own process.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import skip_unless_ci, tree
from nbfixtures import READS_DIMENSIONS, notebook

from osa_utils.batch import plan
from osa_utils.build import run

CLI = [sys.executable, "-m", "osa_utils.cli"]


def _cli(*args, env=None, timeout=300):
    return subprocess.run(
        CLI + [str(a) for a in args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def _beside(out: Path) -> list[str]:
    """What the tool keeps beside OUT: its versions, lock files, links (names only)."""
    return sorted(p.name for p in out.parent.glob(f".{out.name}.*"))


@pytest.fixture
def temp(request):
    """A short private $TMPDIR for the build's kernels (their sockets must fit in AF_UNIX paths)."""
    folder = Path(tempfile.mkdtemp(prefix="osa-t-"))
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    return folder


def _one_line_error(proc) -> str:
    lines = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


# --------------------------------------------------------------------------- the cache
@pytest.mark.slow
def test_a_csv_edited_while_its_notebook_runs_is_not_cached_as_read(collection, tmp_path):
    """The notebook reads dimensions.csv, then the CSV is edited before the notebook ends: the next
    build must run it again (it said "[reused] (unchanged)" and kept output drawn from the old data)."""
    nbs, data, out = collection
    (nbs / "a_tech.ipynb").unlink()
    read, go = tmp_path / "read", tmp_path / "go"
    notebook(
        nbs / "b_dims.ipynb",
        READS_DIMENSIONS + "\nimport pathlib, time\n"
        "pathlib.Path(read_flag).touch()\n"
        "for _ in range(1200):\n    if pathlib.Path(go_flag).exists(): break\n    time.sleep(0.1)",
        params="read_flag = ''\ngo_flag = ''\n",
    )
    proc = subprocess.Popen(
        CLI
        + [
            "build",
            "--data-dir",
            str(data),
            "--out",
            str(out),
            "--notebooks-dir",
            str(nbs),
            "--jobs",
            "1",
            "-p",
            "read_flag",
            str(read),
            "-p",
            "go_flag",
            str(go),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(1200):
            if read.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert read.exists(), "the notebook did not start"
        from test_build import _edit_cell

        _edit_cell(data / "dimensions.csv", 2, "note", "edited while the notebook ran")
        go.touch()
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "dimensions.csv changed while it ran" in stderr
    again = run(data, out, notebooks_dir=nbs, jobs=1, overrides={"read_flag": str(read), "go_flag": str(go)})
    assert {r.name: (r.state, r.reason) for r in again.results} == {
        "b_dims": ("ran", "data changed while it last ran: dimensions.csv")
    }
    third = run(data, out, notebooks_dir=nbs, jobs=1, overrides={"read_flag": str(read), "go_flag": str(go)})
    assert [r.state for r in third.results] == ["reused"], "a run with stable data is cached as before"


# --------------------------------------------------------------------------- --pdf
@pytest.mark.slow
def test_pdf_is_printed_under_the_lock_into_the_builds_own_version(collection, monkeypatch, capsys):
    """--pdf printed through the OUT symlink after the lock was released: a second build could have
    swapped OUT by then, and the PDF landed in that build's version. Chromium is replaced here by a
    stand-in that records where it was asked to write and whether the lock was held."""
    from osa_utils import cli
    from osa_utils import pdf as pdf_module

    nbs, data, out = collection
    seen = {}

    def fake_print_pdf(index, pdf):
        seen["lock held"] = (out.parent / f".{out.name}.lock.pid").exists()
        seen["published"] = out.exists() and Path(pdf).resolve().parent == out.resolve()
        seen["pdf"] = Path(pdf).resolve()
        Path(pdf).write_bytes(b"%PDF-1.4 stand-in")
        return f"PDF written to {pdf}"

    monkeypatch.setattr(pdf_module, "print_pdf", fake_print_pdf)
    rc = cli.main(
        [
            "build",
            "--data-dir",
            str(data),
            "--out",
            str(out),
            "--notebooks-dir",
            str(nbs),
            "--only",
            "a_tech",
            "--jobs",
            "1",
            "--pdf",
        ]
    )
    printed = capsys.readouterr().out
    assert rc == 0
    assert seen["lock held"], "the PDF was printed after the lock was released"
    assert not seen["published"], "the PDF was printed into the report already published, through OUT"
    assert seen["pdf"].parent == out.resolve(), "the PDF is in the version this build published"
    assert (out / "report.pdf").read_bytes() == b"%PDF-1.4 stand-in"
    assert f"PDF written to {out / 'report.pdf'}" in printed


# --------------------------------------------------------------------------- kernel folders
@pytest.mark.slow
def test_kernel_folders_of_killed_runs_are_removed_by_the_next_build(collection, temp):
    """A killed run leaves $TMPDIR/osa-kernel-* with kernel.json (the kernel's HMAC key): the next
    build removes those it marked as its own whose process is gone, and no other."""
    nbs, data, out = collection
    code = (
        "import sys, time; from osa_utils.batch.kernel import kernel_options\n"
        "with kernel_options() as o:\n"
        "    print(o['config']['KernelManager']['connection_file'], flush=True); time.sleep(60)"
    )
    killed = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(temp)}
    )
    assert killed.stdout is not None
    connection = Path(killed.stdout.readline().strip())
    connection.write_text('{"key": "secret"}', encoding="utf-8")  # as jupyter_client writes it
    killed.kill()
    killed.wait(timeout=30)
    left = connection.parent
    assert left.is_dir() and left.name.startswith("osa-kernel-")
    foreign = temp / "osa-kernel-users-own"  # a look-alike without our marker
    foreign.mkdir()
    (foreign / "kernel.json").write_text("{}", encoding="utf-8")
    alive = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(temp)}
    )  # ours, and its process still runs
    try:
        assert alive.stdout is not None
        running = Path(alive.stdout.readline().strip()).parent
        proc = _cli(
            "build",
            "--data-dir",
            data,
            "--out",
            out,
            "--notebooks-dir",
            nbs,
            "--only",
            "a_tech",
            "--jobs",
            "1",
            env={"TMPDIR": str(temp)},
        )
    finally:
        alive.kill()
        alive.wait(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert not left.exists(), "the killed run's kernel folder (with its key) was left"
    assert (foreign / "kernel.json").exists() and running.is_dir()
    assert sorted(temp.glob("osa-kernel-*")) == sorted([foreign, running])


def test_only_names_a_notebook_once():
    """--only X X ran X twice into one folder (FileExistsError)."""
    nbs = plan.NOTEBOOKS_DIR
    assert plan.discover(nbs, ["08_ai_ethics", "08_ai_ethics.ipynb"]) == [nbs / "08_ai_ethics.ipynb"]


# --------------------------------------------------------------------------- notebooks that never end or die
@pytest.mark.slow
def test_a_notebook_that_never_ends_times_out_and_the_build_goes_on(collection, temp):
    """`while True: pass` blocked the build forever; a dead kernel was "failed in cell None"; a kernel's
    MemoryError came without a reason."""
    import psutil

    nbs, data, out = collection
    notebook(nbs / "c_loop.ipynb", "while True:\n    pass")
    notebook(nbs / "d_dead.ipynb", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    notebook(nbs / "e_memory.ipynb", "raise MemoryError()")
    proc = _cli(
        "build",
        "--data-dir",
        data,
        "--out",
        out,
        "--notebooks-dir",
        nbs,
        "--jobs",
        "2",
        "--timeout",
        "6",  # a_tech must finish within it while the suite loads both cores (3 s was too tight)
        "--only",
        "a_tech",
        "c_loop",
        "d_dead",
        "e_memory",
        env={"TMPDIR": str(temp)},
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "notebook c_loop timed out after 6 s; its kernel was stopped (it was running cell 3)" in proc.stderr
    assert "notebook d_dead failed in cell 3: DeadKernelError: the kernel died" in proc.stderr
    assert "notebook e_memory failed in cell 3: MemoryError: out of memory" in proc.stderr
    assert "3 failed" in proc.stdout and (out / "notebooks" / "a_tech.html").exists()
    assert "timed out after 6 s" in (out / "index.html").read_text(encoding="utf-8")
    assert not list(temp.glob("osa-kernel-*")), "a stopped kernel's folder was left"
    assert not [p for p in psutil.process_iter(["cmdline"]) if str(temp) in " ".join(p.info["cmdline"] or [])]


def test_a_timeout_that_passes_before_the_kernel_starts_still_stops_it(collection, temp):
    """`--timeout 0.01` fired before the kernel existed: nothing was killed, the notebook ran to its
    end and was then called "timed out". The kernel must be stopped as soon as it is there."""
    nbs, data, out = collection
    marker = temp / "reached-the-end"
    notebook(nbs / "c_late.ipynb", f"import time\ntime.sleep(3)\nopen({str(marker)!r}, 'w').close()")
    proc = _cli(
        "build",
        "--data-dir",
        data,
        "--out",
        out,
        "--notebooks-dir",
        nbs,
        "--jobs",
        "1",
        "--timeout",
        "0.01",
        "--only",
        "c_late",
        env={"TMPDIR": str(temp)},
    )
    assert proc.returncode == 1, proc.stderr
    assert "notebook c_late timed out after 0.01 s" in proc.stderr
    time.sleep(4)  # had the kernel lived on, its cell would have finished by now
    assert not marker.exists(), "the notebook ran to its end after its timeout"


def _is_kernel(p) -> bool:
    """Whether process *p* is a kernel: started from the kernelspec (its command line names
    ipykernel) or forked from a warm worker (osa_utils.batch.warmkernel names it ipykernel)."""
    import psutil

    try:
        return p.name() == "ipykernel" or "ipykernel" in " ".join(p.cmdline())
    except psutil.Error:  # gone, or a zombie meanwhile
        return False


@pytest.mark.slow
def test_a_stopped_worker_times_out_too(collection, temp):
    """A worker that cannot stop its own kernel (SIGSTOPped) is killed by the build after the timeout
    and a grace period; the notebook is reported as timed out and the build ends."""
    import psutil

    nbs, data, out = collection
    notebook(nbs / "c_slow.ipynb", "import time\ntime.sleep(sleep)")
    proc = subprocess.Popen(
        CLI
        + [
            "build",
            "--data-dir",
            str(data),
            "--out",
            str(out),
            "--notebooks-dir",
            str(nbs),
            "--only",
            "c_slow",
            "-p",
            "sleep",
            "300",
            "--jobs",
            "1",
            "--timeout",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    worker = None
    try:
        for _ in range(600):
            kernels = [p for p in psutil.Process(proc.pid).children(recursive=True) if _is_kernel(p)]
            if kernels:
                worker = kernels[0].parent()
                break
            time.sleep(0.1)
        assert worker is not None, "no kernel started"
        worker.suspend()  # SIGSTOP
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    assert "notebook c_slow timed out after 2 s" in err and "Traceback" not in err
    assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE


def test_cli_default_timeout_is_the_builds():
    from osa_utils.cli import cli

    for command in ("build", "figures", "verify"):
        assert cli.commands[command].make_context(command, []).params["timeout"] == plan.DEFAULT_TIMEOUT


# --------------------------------------------------------------------------- file-system errors
@pytest.fixture
def read_only(tmp_path):
    """A folder no write can go into: a read-only bind mount as root (chmod does not stop root), else
    a folder without write permission."""
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "sub").mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    proc = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True)
    if proc.returncode != 0:
        skip_unless_ci(f"a read-only bind mount is not permitted here: {proc.stderr.decode(errors='replace')}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize(
    "command",
    [
        ["build", "--only", "08_ai_ethics"],
        ["figures"],
        ["assess", "data/examples/assessment_quantum.csv", "--id", "q_x", "--label", "Q"],
        ["app-check", "data/examples/app_check_example.csv", "--app", "X"],
    ],
)
def test_a_read_only_out_is_one_line_and_exit_2(read_only, command):
    """assess and app-check made OUT in a read-only folder half-way: a traceback (build and figures
    already said so in one line when they could not make their lock file)."""
    from osa_utils import PROJECT_ROOT

    before = sorted(p.name for p in read_only.rglob("*"))
    for out in (read_only / "out", read_only / "sub"):
        proc = subprocess.run(
            CLI + [*command, "--out", str(out)], capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT
        )
        assert proc.returncode == 2, proc.stderr
        line = _one_line_error(proc)
        assert str(read_only) in line
        assert ("read-only file system" if os.geteuid() == 0 else "permission denied") in line.lower()
    assert sorted(p.name for p in read_only.rglob("*")) == before


@pytest.mark.parametrize("command", [["build", "--only", "08_ai_ethics"], ["figures"]])
def test_an_out_name_over_name_max_is_refused_before_anything_is_made(tmp_path, command):
    """The lock file (.NAME.lock, 246 bytes) was made before the version folder's name failed."""
    out = tmp_path / ("r" * 240)
    proc = _cli(*command, "--out", out, timeout=60)
    assert proc.returncode == 2 and "too long" in _one_line_error(proc)
    assert list(tmp_path.iterdir()) == []


#: Runs the CLI with every hard link and file copy into *place* failing as on a full disk.
DISK_FULL = """
import errno, os, shutil, sys
place = os.environ["OSA_TEST_FULL"]
def full(real):
    def call(src, dst, *args, **kwargs):
        if os.path.abspath(dst).startswith(place):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst, *args, **kwargs)
    return call
os.link = full(os.link)
shutil.copyfile = full(shutil.copyfile)
from osa_utils.cli import main
sys.exit(main())
"""


@pytest.mark.slow
def test_a_full_disk_during_the_build_is_one_line_and_leaves_the_previous_report(collection, temp):
    nbs, data, out = collection
    run(data, out, notebooks_dir=nbs, jobs=1, only=["a_tech"])  # the previous report
    before, beside = tree(out), _beside(out)
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            DISK_FULL,
            "build",
            "--data-dir",
            str(data),
            "--out",
            str(out),
            "--notebooks-dir",
            str(nbs),
            "--only",
            "b_dims",
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OSA_TEST_FULL": str(out.parent), "TMPDIR": str(temp)},
    )
    assert proc.returncode == 1
    line = _one_line_error(proc)
    assert "No space left on device" in line and "the previous report is unchanged" in line
    assert tree(out) == before and _beside(out) == beside, "something was left beside the report"
    assert not list(temp.glob("osa-kernel-*"))


@pytest.mark.slow
def test_a_full_temporary_folder_for_verify_leaves_no_scratch(tmp_path, temp):
    from test_cli import FIGURE_NOTEBOOK

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    notebook(nbs / "figs.ipynb", FIGURE_NOTEBOOK, params='figures_dir = "out"\n')
    proc = subprocess.run(
        [sys.executable, "-c", DISK_FULL, "verify", "--notebooks-dir", str(nbs), "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OSA_TEST_FULL": str(temp), "TMPDIR": str(temp)},
    )
    assert proc.returncode == 1
    assert "No space left on device" in _one_line_error(proc)
    assert list(temp.iterdir()) == [], "verify's scratch folder was left behind"


@pytest.fixture
def small_disk(tmp_path):
    """A real file system of 3 MB (a tmpfs: root only; skipped where mounts are not permitted)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)], capture_output=True)
    if proc.returncode != 0:
        skip_unless_ci(f"mounting a tmpfs is not permitted here: {proc.stderr.decode(errors='replace')}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.slow
@pytest.mark.parametrize("room", [0, 16 * 1024])
def test_a_really_full_disk_in_the_cache_is_one_line(collection, small_disk, temp, room):
    """The disk is full: with no room left, the lock's pid file cannot be written; with 16 kB, the
    notebook's output in the cache (written by the worker; seen on a tmpfs). Each time: exit 1, one
    line, the previous report as it was, nothing left beside it. (A full disk while the build itself
    copies into the new version: test_a_full_disk_during_the_build_is_one_line...)"""
    nbs, data, out = collection
    out = small_disk / "report"
    run(data, out, notebooks_dir=nbs, jobs=1, only=["a_tech"])
    before, beside = tree(out), _beside(out)
    filler = small_disk / "filler"
    with open(filler, "wb", buffering=0) as fh:  # fill the disk to the last block
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        fh.truncate(max(0, filler.stat().st_size - room))
    for _ in range(2):  # twice: the first failure leaves nothing that makes the second different
        proc = _cli(
            "build",
            "--data-dir",
            data,
            "--out",
            out,
            "--notebooks-dir",
            nbs,
            "--jobs",
            "1",
            "--force",
            env={"TMPDIR": str(temp)},
        )
        assert proc.returncode == 1
        assert "No space left on device" in _one_line_error(proc)
        assert tree(out) == before and _beside(out) == beside
    assert not list(temp.glob("osa-kernel-*"))


# --------------------------------------------------------------------------- Ctrl-C while the workers start
@pytest.mark.slow
def test_ctrl_c_while_the_fork_server_starts_prints_no_traceback(collection):
    """Ctrl-C reaches the whole foreground group, the fork server too, which ignored SIGINT only after
    importing papermill and nbconvert (~1.5 s): its KeyboardInterrupt traceback followed "interrupted"."""
    import psutil

    if not sys.platform.startswith("linux"):
        pytest.skip("the fork server is used on Linux only")
    nbs, data, out = collection
    terminal = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from osa_utils.cli import main; sys.exit(main())"
    )
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
            "--jobs",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    server = None
    try:
        for _ in range(3000):
            try:
                server = next(
                    (p for p in psutil.Process(proc.pid).children() if "forkserver" in " ".join(p.cmdline())), None
                )
            except psutil.Error:
                break
            if server is not None:
                break
            time.sleep(0.01)
        assert server is not None, "no fork server was started"
        os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: every process of the group
        _, err = proc.communicate(timeout=120)
        time.sleep(0.5)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err and "KeyboardInterrupt" not in err, err
