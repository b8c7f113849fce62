"""The command line on a full disk, a read-only folder, a closed or full standard output, and with
control characters in what the user typed: one line, the documented exit status, no traceback,
nothing half-made left behind, nothing printed raw. Through ``osa-report`` in a subprocess where the
process itself is the point (its standard descriptors, the kernels it starts), else in this process
through click's test runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import skip_unless_ci
from nbfixtures import READS_TECHNOLOGIES, notebook

from osa_utils import PROJECT_ROOT
from osa_utils.cli import cli

CLI = [sys.executable, "-m", "osa_utils.cli"]
EXAMPLES = PROJECT_ROOT / "data" / "examples"
ESC = "\x1b[31m"


def _osa(*args, stdout=subprocess.PIPE, shell_redirect: str | None = None, env=None, timeout=600):
    """Run osa-report; *shell_redirect* (e.g. ``>&-``) is applied by a shell around it."""
    cmd = [*CLI, *map(str, args)]
    if shell_redirect:
        cmd = ["sh", "-c", f'exec "$@" {shell_redirect}', "sh", *cmd]
        stdout = None if "&-" in shell_redirect or "/dev/full" in shell_redirect else stdout
    return subprocess.run(
        cmd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def _invoke(*args, env=None):
    """osa-report in this process; an exception that is not a user's error fails the test."""
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def _one_error(proc) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def _tmpfs(folder: Path, options: str) -> Path:
    folder.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        skip_unless_ci("mounting a small file system needs root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if proc.returncode:
        skip_unless_ci(f"cannot mount a tmpfs: {proc.stderr.decode(errors='replace').strip()}")
    return folder


@pytest.fixture
def full_disk(tmp_path):
    """A 600 kB file system filled up."""
    disk = _tmpfs(tmp_path / "full", "size=600k")
    try:
        fd = os.open(disk / "fill", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


@pytest.fixture
def read_only(tmp_path):
    disk = _tmpfs(tmp_path / "ro", "ro,size=100k")
    yield disk
    subprocess.run(["umount", str(disk)], check=False)


# --------------------------------------------------------------------------- a full disk: --out
TOOLS = {
    "assess": [EXAMPLES / "assessment_quantum.csv", "--id", "q", "--label", "q"],
    "app-check": [EXAMPLES / "app_check_example.csv", "--app", "ExampleChat"],
}


@pytest.mark.parametrize("tool", TOOLS)
def test_tool_on_a_full_disk_is_one_line_and_leaves_no_folder(tool, full_disk):
    """The marker written into --out failed with ENOSPC: a traceback, and a folder with an empty
    marker that the next run refused as another command's output."""
    out = full_disk / "a"
    proc = _invoke(tool, *TOOLS[tool], "--out", out)
    assert proc.exit_code == 1, proc.stderr
    line = _one_error(proc)
    assert str(out) in line and "No space left on device" in line, line
    assert not out.exists(), "the folder this run created was left behind"


def test_tool_on_a_full_disk_keeps_a_folder_it_did_not_create(full_disk):
    out = full_disk / "mine"
    out.mkdir()  # the user's empty folder: allowed as --out, and not this run's to remove
    proc = _invoke("assess", *TOOLS["assess"], "--out", out)
    assert proc.exit_code == 1, proc.stderr
    _one_error(proc)
    assert out.is_dir() and not any(out.iterdir()), "the user's folder was removed or a half marker left in it"


# --------------------------------------------------------------------------- --template
@pytest.mark.parametrize("tool", ["assess", "app-check"])
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_template_on_a_full_disk_is_one_line_and_leaves_no_file(tool, suffix, full_disk):
    form = full_disk / f"form{suffix}"
    proc = _invoke(tool, "--template", form)
    assert proc.exit_code == 1, proc.stderr
    line = _one_error(proc)
    assert str(form) in line and "No space left on device" in line, line
    assert not form.exists(), "a half-written form was left (and a re-run is refused as 'exists')"


@pytest.mark.parametrize("tool", ["assess", "app-check"])
def test_template_in_a_read_only_folder_is_one_line_and_exit_2(tool, read_only):
    proc = _invoke(tool, "--template", read_only / "form.xlsx")
    assert proc.exit_code == 2, proc.stderr
    assert "Read-only file system" in _one_error(proc)


# --------------------------------------------------------------------------- standard output
@pytest.mark.parametrize("redirect", [">&-", ">/dev/full"])
def test_validate_into_a_closed_or_full_stdout_is_one_line_and_exit_1(redirect):
    if "full" in redirect and not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    proc = _osa("validate", shell_redirect=redirect)
    assert proc.returncode == 1, proc.stderr
    assert _one_error(proc).startswith("error: cannot write to standard output: "), proc.stderr


def test_assess_with_stdout_closed_stops_before_the_kernel_with_one_line(tmp_path):
    """Stopped before any kernel: a bad --id with stdout closed is still the usual usage error."""
    proc = _osa(
        "assess", *TOOLS["assess"][:1], "--id", "Bad", "--label", "q", "--out", tmp_path / "o", shell_redirect=">&-"
    )
    assert proc.returncode == 2 and "--id" in _one_error(proc)
    assert not (tmp_path / "o").exists()


def test_a_closed_stdout_is_replaced_by_a_descriptor_the_kernels_inherit():
    """The null device main() opens on a closed descriptor 1 must survive exec (os.open's are closed on
    exec): else every kernel started its Python without stdout and died before replying to kernel_info."""
    code = (
        "import subprocess, sys\nfrom osa_utils.cli.stdout import open_std_fds\nopen_std_fds()\n"
        "sys.exit(subprocess.run([sys.executable, '-c', 'import sys; sys.exit(sys.stdout is None)']).returncode)"
    )
    proc = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, "a process started by osa-report had no standard output\n" + proc.stderr


@pytest.fixture
def one_notebook(tmp_path, data_copy):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    notebook(nbs / "a_tech.ipynb", READS_TECHNOLOGIES)
    return nbs, data_copy


@pytest.mark.slow
def test_build_with_stdout_closed_or_full_runs_its_kernel_and_says_the_report_was_published(one_notebook):
    """Kernels inherited the closed descriptor 1 ('Kernel died before replying to kernel_info'); the
    summary printed into a full stdout was a traceback after publishing. Also: the --out path,
    which holds an escape sequence, is printed escaped."""
    nbs, data = one_notebook
    short = Path(tempfile.mkdtemp(prefix="osa-io-"))  # kernels' sockets need a short TMPDIR
    try:
        out = short / f"r{ESC}x"
        common = ["build", "--data-dir", data, "--notebooks-dir", nbs, "--out", out, "--jobs", "1"]
        env = {"TMPDIR": str(short)}
        proc = _osa(*common, "--force", shell_redirect=">&-", env=env)
        assert proc.returncode == 1, proc.stderr
        line = _one_error(proc)
        assert line.startswith("error: cannot write to standard output: ") and "report was published" in line
        assert ESC not in proc.stderr and "\\x1b[31m" in line, line
        assert "notebook a_tech failed" not in proc.stderr and "Kernel died" not in proc.stderr, proc.stderr
        assert (out / "index.html").is_file()

        proc = _osa(*common, env=env)  # reused from the cache: no kernel
        assert proc.returncode == 0, proc.stderr
        assert ESC not in proc.stdout and f"report: {short}/r\\x1b[31mx/index.html" in proc.stdout, proc.stdout

        proc = _osa(*common, shell_redirect=">/dev/full", env=env)
        assert proc.returncode == 1, proc.stderr
        assert "report was published" in _one_error(proc)
    finally:
        shutil.rmtree(short, ignore_errors=True)


# --------------------------------------------------------------------------- control characters
def test_unknown_notebook_name_is_printed_escaped():
    proc = _invoke("build", "--only", "03\x1b[2J", "--out", "/nonexistent-io-test/r")
    assert proc.exit_code == 2
    line = _one_error(proc)
    assert "\x1b" not in proc.stderr and "03\\x1b[2J" in line, line


def test_cite_output_file_name_is_printed_escaped(tmp_path):
    target = tmp_path / f"{ESC}.bib"
    proc = _invoke("cite", "-o", target)
    assert proc.exit_code == 0, proc.stderr
    assert target.is_file() and ESC not in proc.stderr and "\\x1b[31m.bib" in proc.stderr, proc.stderr


# --------------------------------------------------------------------------- summary, --pdf
def test_summary_names_the_failed_chapter_as_failed_not_as_kept():
    from osa_utils.batch.progress import summary
    from osa_utils.build import BuildResult, NotebookResult

    text = summary(
        BuildResult(
            Path("r"),
            [
                NotebookResult("03_6g", "kept", "not selected"),
                NotebookResult("00_executive_summary", "failed", "timed out"),
            ],
        )
    )
    assert text == (
        "0 notebook(s) ran, 0 reused, 1 failed: 00_executive_summary; "
        "1 other chapter(s) kept from the report it updates"
    ), text


def test_pdf_failure_names_the_published_report_not_the_version_folder(tmp_path, monkeypatch):
    from osa_utils import build
    from osa_utils import pdf as pdf_module

    version, loc = tmp_path / ".r.v-123", tmp_path / "r"

    def failing(index, pdf):
        raise pdf_module.PdfError(f"PDF not written: no Chromium found; the HTML report was built: {index}")

    monkeypatch.setattr(pdf_module, "print_pdf", failing)
    message, failed = build._print_pdf(version, loc)
    assert failed and str(version) not in message and str(loc / "index.html") in message, message


@pytest.mark.parametrize("value", ["abc", "0", "-5", "inf"])
def test_bad_osa_pdf_timeout_is_a_usage_error_before_the_build(value, tmp_path):
    out = tmp_path / "r"
    proc = _invoke("build", "--pdf", "--only", "03_6g", "--out", out, env={"OSA_PDF_TIMEOUT": value})
    assert proc.exit_code == 2, proc.stderr
    assert "OSA_PDF_TIMEOUT" in _one_error(proc)
    assert not out.exists(), "the build started"
