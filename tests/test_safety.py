"""Safe under misuse (issue 9): the build never deletes what it did not create, one writer
per output, a killed build leaves nothing running, --only updates, bad input stops first.

The finding each test covers is named in its docstring ("finding N" of the issue).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import tree
from nbfixtures import notebook

from osa_utils import PROJECT_ROOT, outdir
from osa_utils.build import run
from osa_utils.errors import UsageError

CLI = [sys.executable, "-m", "osa_utils.cli"]


def _cli(*args, timeout=300):
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, timeout=timeout)


# --------------------------------------------------------------------------- A: the output-folder rule (no kernels)
def test_out_with_foreign_files_is_refused(tmp_path, data_copy):
    """Finding 1: --out pointing at a folder of the user's is refused, its files untouched, exit 2."""
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "precious.txt").write_text("keep", encoding="utf-8")
    for cmd in (["build", "--only", "08_ai_ethics"], ["figures"]):
        proc = _cli(*cmd, "--data-dir", data_copy, "--out", precious, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert "did not write" in proc.stderr and str(precious) in proc.stderr and "Traceback" not in proc.stderr
        assert (precious / "precious.txt").read_text(encoding="utf-8") == "keep"
        assert sorted(p.name for p in precious.iterdir()) == ["precious.txt"]
        assert not list(tmp_path.glob(".precious.*")), "nothing is created beside it either"


@pytest.mark.parametrize("where", ["data", "data/sub", "repo", "notebooks", "osa_utils/x", "home", "file"])
def test_out_may_not_be_a_protected_place(tmp_path, data_copy, where):
    """Finding 1: --out equal to (or inside) the data, notebooks or osa_utils folders, or equal to or
    containing the repository or the home folder, or a file, is refused before any work."""
    out = {
        "data": data_copy,
        "data/sub": data_copy / "sub",
        "repo": PROJECT_ROOT,
        "notebooks": PROJECT_ROOT / "notebooks",
        "osa_utils/x": PROJECT_ROOT / "osa_utils" / "x",
        "home": Path.home(),
        "file": data_copy / "actors.csv",
    }[where]
    before = tree(data_copy)
    with pytest.raises(UsageError, match="--out"):  # outdir.OutputError: exit 2, as every usage error
        run(data_copy, out, only=["08_ai_ethics"])
    assert tree(data_copy) == before
    assert not (Path(out).parent / f".{Path(out).name}.lock").exists()


def test_out_containing_the_repository_is_refused():
    proc = _cli("build", "--out", PROJECT_ROOT.parent, timeout=60)
    assert proc.returncode == 2 and "repository root" in proc.stderr


def test_defaults_stay_valid(tmp_path):
    """The default outputs (report/ and the committed figures/) pass the rule; figures/ carries
    the marker, whose content is deterministic and lists exactly the committed files."""
    assert outdir.check(PROJECT_ROOT / "report", PROJECT_ROOT / "data") == PROJECT_ROOT / "report"
    assert outdir.check(PROJECT_ROOT / "figures", PROJECT_ROOT / "data", kind="figures") == PROJECT_ROOT / "figures"
    marker = PROJECT_ROOT / "figures" / outdir.MARKER
    files = sorted(p.name for p in (PROJECT_ROOT / "figures").iterdir() if p.name != outdir.MARKER)
    assert marker.read_text(encoding="utf-8") == outdir.marker_text("figures", files)
    assert "20" not in json.loads(marker.read_text())["note"]  # no date in it


def test_figures_are_published_in_place_and_only_own_files_removed(tmp_path):
    """make figures' publishing: files replaced, files it wrote before and no longer makes removed,
    a user's file left alone; the marker is rewritten deterministically."""
    out, src = tmp_path / "figs", tmp_path / "src"
    src.mkdir()
    (src / "fig-1.png").write_bytes(b"one")
    (src / "fig-2.png").write_bytes(b"two")
    outdir.publish_in_place(src, out)
    (out / "mine.txt").write_text("user", encoding="utf-8")
    (src / "fig-2.png").unlink()
    (src / "fig-1.png").write_bytes(b"ONE")
    outdir.publish_in_place(src, out)
    assert sorted(p.name for p in out.iterdir()) == [outdir.MARKER, "fig-1.png", "mine.txt"]
    assert (out / "fig-1.png").read_bytes() == b"ONE"
    assert (out / outdir.MARKER).read_text() == outdir.marker_text("figures", ["fig-1.png"])


def test_marker_file_names_cannot_reach_outside(tmp_path):
    """A hostile marker listing ../x or absolute paths makes the publisher delete nothing outside."""
    out, src = tmp_path / "figs", tmp_path / "src"
    src.mkdir()
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    (out / outdir.MARKER).write_text(json.dumps({"files": ["../victim.txt", str(victim), "/etc/hostname"]}))
    outdir.publish_in_place(src, out)
    assert victim.read_text(encoding="utf-8") == "keep"


def test_leftovers_are_cleaned_only_when_ours(tmp_path):
    """Finding 11: orphans of killed builds are removed by the next build of the same --out, and only
    folders that carry the marker; a user's look-alike folder stays."""
    loc = tmp_path / "report"
    ours = outdir.new_version(loc)
    theirs = tmp_path / ".report.v-mine"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("keep", encoding="utf-8")
    os.symlink(ours.name, tmp_path / ".report.link-999")
    with outdir.lock(loc):
        removed = outdir.clean_leftovers(loc)
    assert ours in removed and not ours.exists()
    assert (theirs / "notes.txt").exists()
    assert not (tmp_path / ".report.link-999").is_symlink()


def test_lock_refuses_a_second_writer_with_the_pid(tmp_path):
    """Finding 3 (unit): while one holder has the lock, a second gets BusyError naming its pid."""
    loc = tmp_path / "report"
    with outdir.lock(loc), pytest.raises(outdir.BusyError, match=rf"pid {os.getpid()}.*{loc.name}"), outdir.lock(loc):
        pass
    with outdir.lock(loc):  # released
        pass


def test_a_second_writer_names_the_pid_written_just_after_the_lock(tmp_path):
    """The holder writes its pid just after taking the lock: a second writer arriving in between
    waits a moment for it instead of saying 'another build' without a pid (seen in a race of two
    builds)."""
    from filelock import FileLock

    loc = tmp_path / "report"
    info = tmp_path / ".report.lock.pid"
    held = FileLock(str(tmp_path / ".report.lock"))
    held.acquire()
    try:
        writer = threading.Timer(0.3, lambda: info.write_text(json.dumps({"pid": 4242}), encoding="utf-8"))
        writer.start()
        with pytest.raises(outdir.BusyError, match=r"\(pid 4242\)"), outdir.lock(loc):
            pass
        writer.join()
    finally:
        held.release()


# --------------------------------------------------------------------------- D: checked before any kernel
@pytest.mark.parametrize(
    "args, message",
    [
        (["-p", "dpi", "10000"], "dpi=10000"),
        (["-p", "formats", "gif"], "formats='gif'"),
        (["-p", "name_lang", "fr"], "name_lang='fr'"),
        (["-p", "nope", "1"], "unknown parameter"),
        (["-p", "data_dir", "/tmp"], "use --data-dir"),
        (["-p", "figures_dir", "/tmp"], "set by the build"),
    ],
)
def test_bad_parameters_stop_before_any_kernel(tmp_path, args, message):
    """Finding 9: a bad -p is exit 2 with the parameter named, the previous report untouched,
    nothing created (no kernel was started: no version folder beside OUT)."""
    out = tmp_path / "report"
    version = outdir.new_version(out)
    (version / "index.html").write_text("previous report", encoding="utf-8")
    outdir.publish(version, out)
    before = tree(out)
    proc = _cli("build", "--out", out, *args, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".report.lock", version.name, "report"] or sorted(
        p.name for p in tmp_path.iterdir()
    ) == [version.name, "report"]


def test_bad_data_stops_before_any_kernel(tmp_path, data_copy):
    (data_copy / "threat_levels.csv").write_text("level,label\n", encoding="utf-8")
    proc = _cli("build", "--data-dir", data_copy, "--out", tmp_path / "report", timeout=60)
    assert proc.returncode == 1 and "threat_levels.csv" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "report").exists()


# --------------------------------------------------------------------------- B, C: builds (fixture notebooks)
@pytest.mark.slow
def test_only_updates_the_report(collection):
    """Finding 8: --only X into an existing report keeps the other chapters, their cache and pages,
    and the report says which chapters this build ran and which parameters each used."""
    nbs, data, out = collection
    run(data, out, notebooks_dir=nbs, jobs=1)
    result = run(data, out, notebooks_dir=nbs, jobs=1, only=["a_tech"], overrides={"x": 5})
    assert {r.name: r.state for r in result.results} == {"a_tech": "ran", "b_dims": "kept"}
    assert (out / "notebooks" / "b_dims.html").exists() and (out / ".cache" / "b_dims" / "entry.json").exists()
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="nb-b_dims"' in html and 'id="nb-a_tech"' in html
    assert "This build ran a_tech (--only)" in html and "(b_dims) are kept" in html
    assert "not all built with the same parameters" in html and "<code>x=5</code>" in html
    # the kept chapter is still reusable by a later full build
    again = run(data, out, notebooks_dir=nbs, jobs=1, overrides={"x": 5})
    assert {r.name: r.state for r in again.results} == {"a_tech": "reused", "b_dims": "ran"}


@pytest.mark.slow
def test_two_builds_into_one_out(collection):
    """Finding 3: two builds started together into one --out, 5 times: each either completes or
    exits 3 naming the other's pid; never a traceback, and the report is always complete."""
    nbs, data, out = collection
    outcomes = []
    for round_ in range(5):
        force = ["--force"] if round_ == 0 else []  # later rounds reuse the cache: quick, still racing
        procs = [
            subprocess.Popen(
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
                    *force,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = []
        for p in procs:
            assert p.stderr is not None
            results.append((p.wait(timeout=300), p.stderr.read()))
        for rc, err in results:
            assert rc in (0, 3), err
            assert "Traceback" not in err
            if rc == 3:
                assert "another build (pid" in err and str(out) in err
        assert any(rc == 0 for rc, _ in results)
        outcomes.append(tuple(sorted(rc for rc, _ in results)))
        html = (out / "index.html").read_text(encoding="utf-8")
        assert 'id="nb-a_tech"' in html and 'id="nb-b_dims"' in html and html.rstrip().endswith("</html>")
        assert len(list(out.parent.glob(f".{out.name}.v-*"))) == 1
    print("outcomes:", outcomes)


@pytest.mark.slow
def test_a_complete_report_exists_at_every_instant(collection):
    """Finding 11: while a build replaces the report, OUT/index.html is always a complete page."""
    nbs, data, out = collection
    run(data, out, notebooks_dir=nbs, jobs=1)
    seen, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            try:
                seen.append((out / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>"))
            except OSError:
                seen.append(False)
            time.sleep(0.002)  # hundreds of looks per second, without taking a core from the other tests

    t = threading.Thread(target=watch)
    t.start()
    try:
        run(data, out, notebooks_dir=nbs, jobs=1, force=True)
        run(data, out, notebooks_dir=nbs, jobs=1)  # reused: a swap without kernels
    finally:
        stop.set()
        t.join()
    assert len(seen) > 100 and all(seen)


def _descendants(pid: int) -> list:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.slow
def test_sigkill_leaves_no_process_running(collection):
    """Finding 10: SIGKILL of the build (the parent alone) leaves no worker or kernel alive after 5 s;
    the next build cleans the orphaned folder (finding 11) and publishes a complete report."""
    import psutil

    nbs, data, out = collection
    notebook(nbs / "d_slow.ipynb", "import time\ntime.sleep(sleep)")
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
            "-p",
            "sleep",
            "120",
            "--jobs",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 90
    while time.time() < deadline and not list(out.parent.glob(f".{out.name}.v-*/.cache/d_slow/reads.log")):
        time.sleep(0.2)
    time.sleep(2)  # the slow notebook is executing in its kernel
    family = _descendants(proc.pid)
    # a kernel from the kernelspec names ipykernel in its command line, one forked from a warm worker in its name
    kernel = lambda p: p.name() == "ipykernel" or "ipykernel" in " ".join(p.cmdline())  # noqa: E731
    assert any(kernel(p) for p in family if p.is_running()), "a kernel was running"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    gone, alive = psutil.wait_procs(family, timeout=5)
    assert alive == [], f"still running 5 s after SIGKILL: {[p.cmdline() for p in alive]}"
    assert list(out.parent.glob(f".{out.name}.v-*")), "the killed build left its folder (cleaned next)"
    (nbs / "d_slow.ipynb").unlink()
    run(data, out, notebooks_dir=nbs, jobs=1)
    assert len(list(out.parent.glob(f".{out.name}.v-*"))) == 1
    assert (out / "index.html").exists()


def test_a_version_folder_is_not_an_output(tmp_path):
    """--out at the folder a report symlink points to would move it from under the symlink: refused."""
    out = tmp_path / "report"
    version = outdir.new_version(out)
    outdir.publish(version, out)
    with pytest.raises(outdir.OutputError, match="one version of a report"):
        outdir.check(version)
    proc = _cli("build", "--out", version, "--only", "08_ai_ethics", timeout=60)
    assert proc.returncode == 2 and out.resolve() == version.resolve() and version.is_dir()


@pytest.mark.parametrize(
    "command, target",
    [
        (["build", "--only", "08_ai_ethics"], "figures"),
        (["build", "--only", "08_ai_ethics"], "assessment"),
        (["figures"], "assessment"),
        (["assess", "data/examples/assessment_quantum.csv", "--id", "q_x", "--label", "Q"], "figures"),
    ],
)
def test_one_commands_output_is_not_anothers(tmp_path, command, target):
    """A build into the committed figures/ (which carries the marker) would have swapped it for a
    report symlink and deleted it; each command writes only into output of its own kind."""
    out = tmp_path / target
    out.mkdir()
    (out / outdir.MARKER).write_text(outdir.marker_text(target), encoding="utf-8")
    (out / "fig-1.png").write_bytes(b"keep")
    before = tree(out)
    proc = _cli(*command, "--out", out, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "another osa-report command" in proc.stderr and "Traceback" not in proc.stderr
    assert tree(out) == before and not out.is_symlink()


@pytest.mark.parametrize("sub", ["", "sub"])
def test_build_refuses_the_committed_figures(sub):
    """figures/ itself, and a folder inside it (its notebooks' figures_dir would be inside figures/,
    untracked output in a tracked folder that no command cleans)."""
    proc = _cli("build", "--out", PROJECT_ROOT / "figures" / sub, "--only", "08_ai_ethics", timeout=60)
    assert proc.returncode == 2 and "committed reference figures" in proc.stderr, proc.stderr
    assert (PROJECT_ROOT / "figures").is_dir() and not (PROJECT_ROOT / "figures").is_symlink()
    assert not (PROJECT_ROOT / "figures" / "sub").exists()


# --------------------------------------------------------------------------- found by an attack run
def test_a_planted_symlink_in_place_of_the_lock_files_is_not_written_through(tmp_path):
    loc = tmp_path / "report"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    for name in (".report.lock.pid", ".report.lock"):
        link = tmp_path / name
        link.symlink_to(victim)
        with pytest.raises(outdir.OutputError, match="is a symlink"), outdir.lock(loc):
            pass
        assert victim.read_text(encoding="utf-8") == "keep"
        link.unlink()


def test_cite_never_overwrites(tmp_path):
    target = tmp_path / "thesis.txt"
    target.write_text("my thesis", encoding="utf-8")
    link = tmp_path / "link.bib"
    link.symlink_to(target)
    for out in (target, link, tmp_path):
        proc = _cli("cite", "-o", out, "--footnote", "1", timeout=60)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert target.read_text(encoding="utf-8") == "my thesis"
    proc = _cli("cite", "-o", tmp_path / "no" / "such" / "x.bib", timeout=60)
    assert proc.returncode == 2 and "does not exist" in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["build", "--jobs", "0"],
        ["build", "--jobs", "-5"],
        ["verify", "--jobs", "x"],
        ["verify", "--figures", "/nonexistent"],
    ],
)
def test_bad_numbers_and_folders_on_the_command_line(args):
    proc = _cli(*args, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_text_with_dollars_is_drawn_as_printed():
    """'US$5 billion to US$13bn' must not turn into maths notation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from osa_utils import style

    style.apply()
    fig = plt.figure()
    t = fig.text(0.1, 0.5, "from US$5 billion to almost US$13bn")
    # Text._preprocess_math (private, not in matplotlib's type hints) decides whether a text is drawn as maths
    drawn = t._preprocess_math(t.get_text())  # type: ignore[attr-defined]
    assert drawn == ("from US$5 billion to almost US$13bn", False)
    plt.close(fig)
