"""Batch execution of the chapter notebooks with papermill, a data-aware cache,
and atomic replacement of the output folder.

A notebook is executed again only when something it depends on changed:

* its source (code and Markdown cells),
* a data file it read (recorded while it ran, through ``osa_utils.data``'s
  read log: not a hand-kept list),
* the ``osa_utils`` source,
* its parameters,
* the pinned environment (``constraints.txt``, ``pyproject.toml``, Python version).

Everything is keyed by content hashes and kept in ``OUT/.cache``. The new
output folder is assembled beside OUT and swapped in only when complete, so an
interrupted build leaves the previous report as it was.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import errno
import functools
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import PROJECT_ROOT, errors, readlog
from .text import strip_ansi

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
CACHE = ".cache"
ENV_FILES = ("constraints.txt", "pyproject.toml")


class BuildError(errors.UsageError, RuntimeError):
    """A user error in the build request (unknown notebook or parameter)."""


# --------------------------------------------------------------------------- hashing
def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    try:
        return sha256_bytes(Path(path).read_bytes())
    except OSError:
        return None


def notebook_hash(nb_path: Path) -> str:
    """Hash of the cells' types and sources (outputs and metadata do not count)."""
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    cells = [[c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"],
              sorted(c.get("metadata", {}).get("tags", []))] for c in nb["cells"]]
    return sha256_bytes(json.dumps(cells, ensure_ascii=False).encode())


def package_hash() -> str:
    """Hash of the osa_utils source: its modules and the files they read (the page templates and
    their CSS, the schemas), so a template-only change re-renders the pages instead of reusing them."""
    root = PROJECT_ROOT / "osa_utils"
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"):
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def environment_hash() -> str:
    h = hashlib.sha256(sys.version.encode())
    for name in ENV_FILES:
        h.update((sha256_file(PROJECT_ROOT / name) or "-").encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- notebooks and parameters
def discover(notebooks_dir: Path = NOTEBOOKS_DIR, only: list[str] | None = None) -> list[Path]:
    """The notebooks to run, in report order; *only* selects by name (with or without .ipynb)."""
    found = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if not p.name.startswith("."))
    if not only:
        return found
    by_name = {p.stem: p for p in found}
    wanted = list(dict.fromkeys(o[:-6] if o.endswith(".ipynb") else o for o in only))  # each once
    unknown = [o for o in wanted if o not in by_name]
    if unknown:
        raise BuildError(f"unknown notebook(s): {', '.join(unknown)}; known: {', '.join(by_name)}")
    return [by_name[o] for o in wanted]


def declared_parameters(nb_path: Path) -> dict:
    """Names and default values of the notebook's ``parameters`` cell.

    Read with :mod:`ast` (top-level assignments, plain ``x = 1`` or annotated ``x: int = 1``, as
    papermill reads them) so a build that executes nothing never imports papermill.
    """
    import ast

    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            out = {}
            for node in ast.parse(src).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target, value = node.targets[0], node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    target, value = node.target, node.value
                else:
                    continue
                if isinstance(target, ast.Name):
                    try:
                        out[target.id] = ast.literal_eval(value)
                    except ValueError:
                        out[target.id] = ast.unparse(value)
            return out
    return {}


def parse_value(text: str):
    """A -p value as papermill's CLI reads it: int, float, True/False/None, else string."""
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return {"True": True, "False": False, "None": None}.get(text, text)


#: Parameters the build sets itself: a -p for them conflicts with its own options.
BUILD_SET = {"data_dir": "--data-dir", "figures_dir": "--out (figures go to OUT/figures)",
             "output_dir": "--out (figures go to OUT/figures)"}


def _check_user_levels(path, data_dir) -> None:
    from .userlevels import load_user_levels

    load_user_levels(path, data_dir)


#: Parameters whose value is a user's file: a relative path is resolved against the folder the
#: command runs in (the kernels run in notebooks/), the file's content is checked before any kernel
#: starts (by the function given here: DataValidationError, exit 1) and is part of the cache key.
FILE_PARAMETERS = {"matrix_user_levels": _check_user_levels}


def resolve_file_parameters(overrides: dict, cwd: Path | None = None) -> dict:
    """*overrides* with every file parameter's path made absolute (relative to *cwd*, default the
    current folder); a missing file is a :class:`BuildError` naming the parameter."""
    out = dict(overrides)
    base = Path(cwd) if cwd is not None else Path.cwd()
    for name in FILE_PARAMETERS:
        value = out.get(name)
        if value is None:
            continue
        if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
            continue  # check_value says what is wrong with it
        path = Path(value).expanduser()
        path = (path if path.is_absolute() else base / path).resolve()
        if not path.is_file():
            what = "is a folder, not a file" if path.is_dir() else "no such file"
            raise BuildError(f"-p {name} {value}: {what} ({path}); a relative path is relative to the "
                             f"folder the command runs in ({base})")
        out[name] = str(path)
    return out


def check_input_files(params: dict[str, dict], data_dir: Path) -> None:
    """Check the content of every file parameter's file (once per file), before any kernel starts."""
    seen = set()
    for p in params.values():
        for name, value in p.items():
            if name in FILE_PARAMETERS and value is not None and (name, value) not in seen:
                seen.add((name, value))
                FILE_PARAMETERS[name](value, data_dir)


def input_hashes(params: dict) -> dict:
    """Content hash of each file parameter's file: a changed file re-runs the notebook, a touched one not."""
    return {name: sha256_file(Path(value)) for name, value in sorted(params.items())
            if name in FILE_PARAMETERS and value is not None}


def resolve_parameters(notebooks: list[Path], overrides: dict, data_dir: Path) -> dict[str, dict]:
    """Parameters per notebook, every value checked before any kernel starts.

    An override no selected notebook declares, one the build sets itself
    (``data_dir``, ``figures_dir``) or a value the notebooks would refuse
    (``dpi``, ``formats``, ``name_lang``: :func:`osa_utils.params.check_value`)
    is a :class:`BuildError`. A file parameter (:data:`FILE_PARAMETERS`) is made an absolute
    path, relative to the current folder (the kernels run in ``notebooks/``).
    """
    from .params import ParameterError, check_value

    declared = {nb.stem: declared_parameters(nb) for nb in notebooks}
    known = set().union(*declared.values()) if declared else set()
    conflicts = sorted(set(overrides) & set(BUILD_SET))
    if conflicts:
        raise BuildError("; ".join(f"-p {k} is set by the build: use {BUILD_SET[k]} instead" for k in conflicts))
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise BuildError(f"unknown parameter(s): {', '.join(unknown)}; the notebooks declare: "
                         + ", ".join(sorted(known - set(BUILD_SET))))
    overrides = resolve_file_parameters(overrides)
    for name, value in overrides.items():
        try:
            check_value(name, value)
        except ParameterError as exc:
            raise BuildError(str(exc)) from None
    out = {}
    for nb in notebooks:
        params = {k: v for k, v in overrides.items() if k in declared[nb.stem]}
        if "data_dir" in declared[nb.stem]:
            params["data_dir"] = str(Path(data_dir).resolve())
        out[nb.stem] = params
    return out


# --------------------------------------------------------------------------- execution (in worker processes)
#: How every notebook of the tool is run (the build's and ``assess``'s). The kernel is stopped at
#: once when the last cell has finished (``shutdown_kernel="immediate"``): every output has arrived
#: by then (nbclient waits for each cell's reply and its idle status), and the notebooks write their
#: files within their cells. A graceful stop costs each kernel its interpreter's shutdown (measured:
#: 0.3 s of CPU for an empty notebook, 0.7 s for a chapter) and, in about one stop in five with
#: ipykernel 7.4, 2.5 s more: the kernel's control thread blocks sending to its IOPub thread, which
#: has already stopped, until jupyter_client sends SIGTERM (seen with py-spy).
PAPERMILL_OPTIONS = {"kernel_name": "python3", "progress_bar": False, "log_output": False,
                     "request_save_on_cell_execute": False, "shutdown_kernel": "immediate"}
#: Prefix of the private folder of one kernel's connection file and sockets (:func:`kernel_options`).
KERNEL_FOLDER_PREFIX = "osa-kernel-"


def ipc_folder() -> str | None:
    """A new private folder (``$TMPDIR/osa-kernel-*``) for one kernel's Unix sockets, or None where
    they cannot work: not POSIX (Windows), no writable temporary folder, or a socket path that would
    be too long for AF_UNIX (a long ``$TMPDIR``). The sockets are ``<folder>/ipc-1`` ... ``ipc-5``.
    Used by :func:`kernel_options` (the build) and :mod:`osa_utils.provisioner` (every other client)."""
    import tempfile

    try:
        folder = tempfile.mkdtemp(prefix=KERNEL_FOLDER_PREFIX) if os.name == "posix" else None
    except OSError:  # no writable temporary folder: jupyter_client will say so for its own file
        folder = None
    if folder is not None and len(os.fsencode(os.path.join(folder, "ipc"))) + len("-99") > SUN_PATH_MAX:
        shutil.rmtree(folder, ignore_errors=True)
        folder = None
    if folder is not None:
        mark_kernel_folder(folder)  # so the next build can remove it if this run is killed
    return folder


@contextlib.contextmanager
def kernel_options():
    """:data:`PAPERMILL_OPTIONS` for one notebook run, with the kernel on Unix sockets (POSIX).

    Over TCP, jupyter_client picks five free ports and the kernel binds them about a second later,
    when its imports are done; a port taken meanwhile (any process's outgoing connection may get
    it) kills the kernel at start: "Kernel died before replying to kernel_info", after "Address
    already in use" in its log (seen in this suite). IPC sockets have no ports to race for, and no
    "running over TCP without encryption" warning. They and the connection file live in a private
    folder (:func:`ipc_folder`), removed afterwards; TCP where sockets are unavailable (Windows) or
    their path would be too long for AF_UNIX (a long ``$TMPDIR``).
    """
    folder = ipc_folder()
    if folder is None:
        yield dict(PAPERMILL_OPTIONS)
        return
    try:
        from traitlets.config import Config

        config = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "ipc"),
                                           "connection_file": os.path.join(folder, "kernel.json")}})
        yield {**PAPERMILL_OPTIONS, "config": config}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


#: The file that marks a kernel's private folder as ours, naming the process that made it.
KERNEL_FOLDER_MARKER = "osa-kernel-owner.json"


def _process_start(pid: int) -> float | None:
    """When process *pid* started (None if there is none): a pid alone may have been reused."""
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def mark_kernel_folder(folder) -> None:
    """Mark *folder* (a kernel's private folder, ``$TMPDIR/osa-kernel-*``) as made by this process,
    so that a later build can remove it once this process is gone (:func:`clean_kernel_folders`):
    a killed build's worker cannot remove the folder, which holds the kernel's HMAC key."""
    with contextlib.suppress(OSError):
        Path(folder, KERNEL_FOLDER_MARKER).write_text(
            json.dumps({"created_by": "osa-report", "pid": os.getpid(), "started": _process_start(os.getpid())}),
            encoding="utf-8")


def clean_kernel_folders(temp=None) -> list[Path]:
    """Remove the kernel folders (``osa-kernel-*`` in *temp*, default the temporary folder) that
    killed runs left: only real folders of this user that carry :data:`KERNEL_FOLDER_MARKER` naming a
    process that is gone (a folder of a running build, or without our marker, stays)."""
    import tempfile

    base = Path(temp if temp is not None else tempfile.gettempdir())
    removed = []
    try:
        candidates = sorted(base.glob(KERNEL_FOLDER_PREFIX + "*"))
    except OSError:
        return removed
    for folder in candidates:
        try:
            if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
                continue
            owner = json.loads((folder / KERNEL_FOLDER_MARKER).read_text(encoding="utf-8"))
            pid, started = int(owner["pid"]), owner.get("started")
        except (OSError, ValueError, KeyError, TypeError):
            continue
        now = _process_start(pid)
        if now is not None and (started is None or abs(now - float(started)) < 1.0):
            continue  # its process is still running
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


#: How long one notebook may run by default (``--timeout``): generous, as the longest chapter takes
#: well under a minute; a notebook that never ends (``while True: pass``) must not block the build.
DEFAULT_TIMEOUT = 1800.0
#: The file a worker writes into a notebook's cache folder when it starts that notebook (its pid).
WORKER_FILE = "worker.json"


def _execute(nb_path: str, out_nb: str, params: dict, read_log: str, html_out: str | None,
             env: dict | None = None, cwd: str | None = None, timeout: float | None = None) -> dict:
    """Run one notebook in its own kernel; never raises for a notebook error.

    *env* and *cwd* are the build's at the time of the build (a worker forked by the fork server
    would otherwise have the environment and folder of the server's start); the kernel inherits them.
    After *timeout* seconds the kernel is stopped and the notebook is reported as timed out.
    """
    import threading

    import papermill
    from papermill.exceptions import PapermillExecutionError

    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    if cwd is not None:
        os.chdir(cwd)
    readlog.start(read_log)
    Path(out_nb).with_name(WORKER_FILE).write_text(json.dumps({"pid": os.getpid()}), encoding="utf-8")
    # The kernel inherits this process's stderr: keep its log lines out of the build's output.
    start = time.perf_counter()
    error = None
    fired = threading.Event()
    started: list[tuple[int, bool]] = []  # (index, injected parameters?) of each cell as nbclient starts it

    def cell_started(cell, cell_index, **_):
        started.append((cell_index, "injected-parameters" in cell.get("metadata", {}).get("tags", [])))

    def last_cell() -> int | None:
        """1-based number, as written, of the cell that was running (None for papermill's own cell)."""
        if not started or started[-1][1]:
            return None
        index = started[-1][0]
        return index + 1 - sum(injected and i < index for i, injected in started)

    finished = threading.Event()

    def stop_kernel():
        """Kill the kernel, and again every half second until the run has ended: a timeout that
        passes before the kernel has started (--timeout 0.5) finds no kernel yet to kill."""
        fired.set()
        while True:
            _kill_children()
            if finished.wait(0.5):
                return

    watchdog = threading.Timer(timeout, stop_kernel) if timeout else None
    if watchdog is not None:
        watchdog.daemon = True
        watchdog.start()
    try:
        with stderr_to(Path(out_nb).with_name("kernel.log")), kernel_options() as options:
            try:
                papermill.execute_notebook(nb_path, out_nb, parameters=params, cwd=str(Path(nb_path).parent),
                                           on_cell_start=cell_started, **options)
            except PapermillExecutionError as exc:
                error = {"cell": _source_cell_number(out_nb, exc.cell_index), "ename": exc.ename,
                         "evalue": strip_ansi(exc.evalue) or _no_message(exc.ename), "source": exc.source}
            except Exception as exc:  # kernel died, bad notebook JSON, disk full, ...
                error = {"cell": last_cell(), "ename": type(exc).__name__,
                         "evalue": strip_ansi(str(exc)) or _no_message(type(exc).__name__), "source": ""}
                if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:  # the build stops: see _run_locked
                    error.update(errno=exc.errno, evalue=exc.strerror or str(exc), filename=exc.filename)
                if type(exc).__name__ == "DeadKernelError":
                    error["evalue"] = ("the kernel died (killed, or out of memory?) while the cell ran"
                                       if error["cell"] else "the kernel died")
    finally:
        finished.set()
        if watchdog is not None:
            watchdog.cancel()
        with contextlib.suppress(OSError):
            Path(out_nb).with_name(WORKER_FILE).unlink()  # only the build watching it needed it
    if fired.is_set() and error is not None:  # a run that ended well just as the timer fired stays good
        error = timed_out_error(timeout, last_cell())
    duration = time.perf_counter() - start
    if html_out and Path(out_nb).exists():
        try:
            export_html(Path(out_nb), Path(html_out), Path(nb_path).stem)
        except Exception as exc:  # pragma: no cover - report still lists the notebook
            Path(html_out).write_text(f"<p>HTML export failed: {type(exc).__name__}</p>", encoding="utf-8")
    return {"duration": duration, "error": error}


#: File-system errors that stop the whole build (the previous output stays): a notebook cannot be
#: said to have failed when its output could not be written.
DISK_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS, errno.EIO, errno.EFBIG}


def timed_out_error(timeout: float, cell: int | None = None) -> dict:
    """The error of a notebook stopped after *timeout* seconds."""
    return {"cell": cell, "ename": "Timeout", "evalue": f"timed out after {timeout:g} s; its kernel was stopped",
            "source": "", "timeout": True}


def _no_message(ename: str) -> str:
    """What to say for an exception without a message (MemoryError(), a bare raise of a class)."""
    if ename == "MemoryError":
        return "out of memory (the notebook asked for more memory than it could get)"
    return f"{ename} raised without a message"


def _kill_children() -> None:
    """Kill this process's descendants (its kernel) at once."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            child.kill()


@contextlib.contextmanager
def stderr_to(log_path: Path):
    """Send file descriptor 2 to *log_path* meanwhile: a kernel inherits this process's stderr, and its
    log lines (e.g. jupyter_client's "running over TCP without encryption") are not the user's business."""
    log = os.open(str(log_path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    saved = os.dup(2)
    os.dup2(log, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(log)


def _source_cell_number(executed: str, index: int) -> int:
    """1-based number of the failing cell in the notebook as written (papermill inserts a cell)."""
    try:
        cells = [c for c in json.loads(Path(executed).read_text(encoding="utf-8"))["cells"]
                 if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
        injected = sum("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in cells[:index])
    except (OSError, ValueError, KeyError):
        injected = 0
    return index - injected + 1


def export_html(nb_path: Path, html_path: Path, name: str | None = None) -> None:
    """The executed notebook as an inert, offline page.

    nbconvert's ``basic`` template gives the cells without its page shell (the
    ``lab`` shell loads require.js and MathJax from a CDN); the cells pass the
    report's allow-list sanitizer and go into ``templates/chapter.html.j2``, which
    carries the Content-Security-Policy.
    """
    import nbformat

    name = name or Path(html_path).stem
    html_path.write_text(notebook_page(nbformat.read(str(nb_path), as_version=4), name), encoding="utf-8")


def notebook_page(nb, name: str) -> str:
    """The page :func:`export_html` writes, for the notebook node *nb*."""
    from markupsafe import Markup

    from .pages import code_css, render, safe

    body, _ = _html_exporter().from_notebook_node(nb)
    return render("chapter.html.j2", title=f"{name} (executed notebook)", name=name, body=safe(body),
                  code_css=Markup(code_css()))


@functools.lru_cache(maxsize=1)
def _html_exporter():
    """One exporter per process, as nbconvert's own command uses one for all its notebooks: its
    template is compiled once (about 0.1 s per notebook less)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic")


def warm_up() -> None:
    """Do once, in the fork server, what every worker's first notebook would do again: compile
    nbconvert's template, its Markdown and highlighting patterns and the page templates (about
    0.5 s of CPU per worker and build), by making the page of a small executed notebook. A spawned
    worker (macOS, Windows) does it at its start instead, which costs about what it saves."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    cell = nbformat.v4.new_code_cell("import math\nprint(math.pi)  # a comment\nx = [1, 'a', None]", execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="3.14\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "x", "text/html": "<b>x</b>",
                                                     "text/markdown": "*x*", "image/png": "iVBORw0KGgo="}),
        nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1),
        nbformat.v4.new_output("error", ename="ValueError", evalue="v", traceback=["\x1b[31mValueError\x1b[0m: v"]),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nSome *text*, `code` and a [link](https://example.org).\n\n"
                                              "| a | b |\n|---|---|\n| 1 | 2 |"), cell]
    notebook_page(nb, "warm-up")


def _pool_context():
    """Where the workers come from.

    On Linux, a fork server: started once per process with :mod:`osa_utils.workerprep` imported
    (papermill, nbconvert), it forks each worker in milliseconds, where a spawned worker imports
    them again (about 2 s of CPU per worker and build). The server ends when the process that
    started it ends, and its workers with it (:func:`watch_parent`). Elsewhere, spawn: fork is
    unsafe with macOS system libraries and absent on Windows; spawn too where the fork server's
    socket would not fit (:func:`_socket_path_fits`).
    """
    if sys.platform.startswith("linux") and _socket_path_fits():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["osa_utils.workerprep"])
        return ctx
    return multiprocessing.get_context("spawn")


def _start_fork_server(context) -> None:
    """Start the fork server (if *context* uses one and it is not running) with SIGINT ignored.

    Ctrl-C reaches every process of the terminal's foreground group, the fork server too; it ignores
    SIGINT only once its preload (papermill, nbconvert: about 1.5 s) is done, so a Ctrl-C early in a
    build printed its KeyboardInterrupt traceback after the build's "interrupted" line. The server is
    started with SIGINT blocked (a signal mask is inherited), and :mod:`osa_utils.workerprep`, its
    preload, ignores SIGINT before unblocking it: a Ctrl-C meanwhile is dropped there, while this
    process, where SIGINT is blocked only during the start, receives it right after.
    Its standard error (and its workers', until :func:`_execute` sends theirs to the kernel's log) goes
    to the null device: a worker it forks after the build has stopped fails to read its task, and
    printed that traceback after "interrupted" too. A worker's own errors reach the build as results.
    """
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    import threading

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    null, saved = os.open(os.devnull, os.O_WRONLY), os.dup(2)
    try:
        os.dup2(null, 2)
        forkserver.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


#: Longest path of an AF_UNIX socket: sun_path is 108 bytes on Linux, 104 on macOS and the BSDs,
#: with the final NUL.
SUN_PATH_MAX = 107 if sys.platform.startswith("linux") else 103


def _socket_path_fits() -> bool:
    """Whether the fork server's socket fits: it listens at ``<temp>/pymp-XXXXXXXX/listener-XXXXXXXX``
    (multiprocessing's temporary folder, under ``$TMPDIR``), and Python 3.11-3.13 fail with
    "AF_UNIX path too long" when that is over :data:`SUN_PATH_MAX` (a long ``$TMPDIR``, as on some
    clusters). Then the workers are spawned instead: slower to start, same results."""
    from multiprocessing import util

    return len(os.fsencode(util.get_temp_dir())) + len("/listener-XXXXXXXX") <= SUN_PATH_MAX


def _init_worker(build_pid: int) -> None:
    # Ctrl-C is handled by the build, which stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A killed build (SIGKILL) cannot stop its workers: they watch it instead.
    signal.signal(signal.SIGTERM, _worker_exit)
    watch_parent(build_pid)
    import osa_utils.workerprep  # noqa: F401  (already imported when forked by the fork server)


def watch_parent(build_pid: int) -> None:
    """End this process (and its kernel) when the build (*build_pid*) goes away.

    The worker's parent is the build, or on Linux the build's fork server, which exits when the
    build does. On Linux the kernel sends SIGTERM at the parent's death (``PR_SET_PDEATHSIG``);
    everywhere a daemon thread checks every half second whether the parent changed or the
    build has ended, in case either happened before the signal was armed.
    """
    import threading

    import psutil

    parent = os.getppid()
    try:
        build = psutil.Process(build_pid)  # is_running() compares start times: a reused pid is not it
    except psutil.Error:
        _worker_exit(signal.SIGTERM, None)

    def gone() -> bool:
        try:
            return os.getppid() != parent or not build.is_running() or build.status() == psutil.STATUS_ZOMBIE
        except psutil.Error:
            return True

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def watch():
        while True:
            if gone():
                _worker_exit(signal.SIGTERM, None)
            time.sleep(0.5)

    if gone():
        _worker_exit(signal.SIGTERM, None)
    threading.Thread(target=watch, name="osa-parent-watch", daemon=True).start()


def _worker_exit(signum, frame) -> None:
    """Kill this worker's children (its Jupyter kernel) and exit at once.

    The kernel's connection file is removed too, as jupyter_client would have at the end: the
    ``-f FILE`` of the worker's own ``ipykernel_launcher`` child, a ``.json`` file that
    jupyter_client wrote in the temporary folder, or the private folder of :func:`kernel_options`
    holding it (nothing a notebook's own processes name).
    """
    try:
        import tempfile

        import psutil

        me = psutil.Process()
        kernels = {child.pid for child in me.children(recursive=False)}
        for child in me.children(recursive=True):
            try:
                args = child.cmdline()
                child.kill()
            except psutil.Error:
                continue
            if child.pid in kernels and "ipykernel_launcher" in args and "-f" in args[:-1]:
                conn, temp = Path(args[args.index("-f") + 1]), Path(tempfile.gettempdir())
                if conn.suffix == ".json" and conn.parent == temp:
                    with contextlib.suppress(OSError):
                        conn.unlink()
                elif (conn.name == "kernel.json" and conn.parent.parent == temp
                      and conn.parent.name.startswith(KERNEL_FOLDER_PREFIX)):
                    shutil.rmtree(conn.parent, ignore_errors=True)
    except Exception:  # noqa: BLE001 - exiting anyway
        pass
    os._exit(128 + signal.SIGTERM)


# --------------------------------------------------------------------------- results and cache
@dataclass
class NotebookResult:
    name: str
    state: str  # "ran", "reused", "failed"
    reason: str
    duration: float = 0.0
    error: dict | None = None
    reads: dict = field(default_factory=dict)  # relative path -> sha256
    stale_output: bool = False  # failed, but the last good output is kept
    parameters: dict = field(default_factory=dict)  # as the notebook ran (paths left out)
    failed_before: bool = False  # state "kept": that earlier run had failed


def _rel(path: str) -> str:
    p = Path(path)
    try:
        return str(p.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(p)


def _abs(rel: str) -> Path:
    p = Path(rel)
    return p if p.is_absolute() else PROJECT_ROOT / p


def cache_key(nb: Path, params: dict) -> dict:
    return {"notebook": notebook_hash(nb), "osa_utils": package_hash(), "parameters": params,
            "environment": environment_hash(), "inputs": input_hashes(params)}


def why_stale(entry: dict | None, key: dict) -> str | None:
    """None if the cached run is still valid, else the reason to run again."""
    if entry is None:
        return "no cached run"
    if entry.get("failed"):
        return "previous run failed"
    old = entry["key"]
    if old["notebook"] != key["notebook"]:
        return "notebook changed"
    if old["environment"] != key["environment"]:
        return "environment changed"
    if old["osa_utils"] != key["osa_utils"]:
        return "osa_utils changed"
    if old["parameters"] != key["parameters"]:
        return "parameters changed"
    if old.get("inputs", {}) != key.get("inputs", {}):
        changed = sorted(n for n in set(old.get("inputs", {})) | set(key.get("inputs", {}))
                         if old.get("inputs", {}).get(n) != key.get("inputs", {}).get(n))
        return "content changed: " + ", ".join(f"-p {n} file" for n in changed)
    # (an -p file that changed while it ran is recorded as such in the key's inputs: "content changed" above)
    during = [Path(p).name for p, h in sorted(entry["reads"].items()) if h == CHANGED_WHILE_RUNNING]
    if during:
        return "data changed while it last ran: " + ", ".join(during)
    changed = [Path(p).name for p, h in sorted(entry["reads"].items()) if sha256_file(_abs(p)) != h]
    if changed:
        return "data changed: " + ", ".join(changed)
    return None


# --------------------------------------------------------------------------- progress
class Progress:
    """One line per notebook with state and elapsed time: live on a terminal, plain lines otherwise."""

    def __init__(self, names: list[str], stream=None):
        from rich.console import Console

        self.console = Console(file=stream or sys.stderr, highlight=False, markup=False)
        self.live = None
        self.rows = {n: ["waiting", "", None] for n in names}
        if self.console.is_terminal:
            from rich.live import Live

            self.live = Live(self._table(), console=self.console, refresh_per_second=4, transient=False)
            self.live.start()

    def _table(self):
        from rich.table import Table

        t = Table(show_header=True, header_style="bold", box=None)
        for c in ("notebook", "state", "time", "why"):
            t.add_column(c)
        now = time.perf_counter()
        for name, (state, why, started) in self.rows.items():
            elapsed = f"{now - started:5.1f}s" if state == "running" and started else why.split("|")[-1] if "|" in why else ""
            t.add_row(name, state, elapsed, why.split("|")[0])
        return t

    def update(self, name: str, state: str, why: str = "", duration: float | None = None) -> None:
        started = time.perf_counter() if state == "running" else self.rows[name][2]
        shown = f"{why}|{duration:.1f}s" if duration is not None else why
        self.rows[name] = [state, shown, started]
        if self.live:
            self.live.update(self._table())
        elif state != "running":
            t = f" {duration:.1f}s" if duration is not None else ""
            self.console.print(f"[{state}] {name}{t}  ({why})" if why else f"[{state}] {name}{t}")

    def close(self) -> None:
        if self.live:
            self.live.update(self._table())
            self.live.stop()


# --------------------------------------------------------------------------- the build
@dataclass
class BuildResult:
    out: Path
    results: list[NotebookResult]
    assemble_seconds: float = 0.0
    pdf_message: str | None = None  # with pdf=True: where the PDF went, or why it was not written
    pdf_failed: bool = False  # with pdf=True: no PDF was written (the HTML report was): exit 1

    @property
    def failed(self) -> list[NotebookResult]:
        return [r for r in self.results if r.state == "failed"]


def prepare(data_dir: Path, out: Path, *, only=None, overrides=None, notebooks_dir: Path = NOTEBOOKS_DIR):
    """Everything checked before any work starts (and before the lock): the notebooks,
    the parameters, the output folder, the descriptor and the data. Returns
    (all notebooks, the selected ones, parameters per notebook, OUT's location)."""
    from . import outdir
    from .data import validate

    data_dir = Path(data_dir).resolve()
    everything = discover(notebooks_dir)
    if not everything:
        raise BuildError(f"no notebooks in {notebooks_dir}")
    selected = discover(notebooks_dir, only) if only else everything
    params = resolve_parameters(selected, overrides or {}, data_dir)
    try:
        loc = outdir.check(out, data_dir)
    except outdir.OutputError as exc:
        raise BuildError(str(exc)) from None
    validate(data_dir)  # bad data: DataValidationError, nothing touched
    check_input_files(params, data_dir)  # a user's file (-p matrix_user_levels): the same, before any kernel
    return everything, selected, params, loc


def run(data_dir: Path, out: Path, *, jobs: int | None = None, force: bool = False,
        only: list[str] | None = None, overrides: dict | None = None,
        notebooks_dir: Path = NOTEBOOKS_DIR, report: bool = True, progress_stream=None,
        wait: bool = False, timeout: float | None = DEFAULT_TIMEOUT, pdf: bool = False) -> BuildResult:
    """Execute the notebooks (with the cache) and publish OUT; see the module docstring.

    With *only*, the other notebooks keep their last results (cache, pages,
    figures) in the report: ``--only`` updates a report, it does not replace it.

    The notebooks run in worker processes (:func:`_pool_context`), so a script that calls this
    must do so under ``if __name__ == "__main__":``, as :mod:`multiprocessing` requires of every
    script that starts processes without plain fork (else the workers import the script again and
    fail); a notebook or an interactive session need nothing.

    Each notebook may run *timeout* seconds (None: no limit); one that runs longer is stopped and
    fails as "timed out". With *pdf*, the report is printed to ``report.pdf`` inside the new
    version, under the lock, before it is published (:attr:`BuildResult.pdf_message` says how it went).
    """
    from . import outdir

    data_dir = Path(data_dir).resolve()
    everything, selected, params, loc = prepare(data_dir, out, only=only, overrides=overrides,
                                                notebooks_dir=notebooks_dir)
    jobs = max(1, jobs or os.cpu_count() or 1)
    say = lambda msg: print(msg, file=progress_stream or sys.stderr)
    clean_kernel_folders()  # what killed runs' kernels left in the temporary folder
    with outdir.lock(loc, wait=wait, say=say):
        outdir.clean_leftovers(loc)
        previous = outdir.current(loc)
        tmp = outdir.new_version(loc)
        try:
            result = _run_locked(data_dir, tmp, previous, everything, selected, params, jobs, force,
                                 report, notebooks_dir, progress_stream, timeout)
            if pdf and report:
                result.pdf_message, result.pdf_failed = _print_pdf(tmp, loc)
            outdir.publish(tmp, loc)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    result.out = loc
    return result


def _print_pdf(version: Path, loc: Path) -> tuple[str, bool]:
    """Print the report of *version* (not yet published, under the lock) into it: never through the
    OUT symlink, which another build may point elsewhere as soon as this one lets go of the lock.
    Returns the line to print and whether printing failed (the HTML report is published either way)."""
    from .report import PdfError, print_pdf

    stop = _install_sigterm()  # a SIGTERM while Chromium prints: KeyboardInterrupt, so print_pdf stops it
    try:
        print_pdf(version / "index.html", version / "report.pdf")  # written, or PdfError
    except PdfError as exc:  # its paths are in the version folder, which is published as OUT
        return f"error: {str(exc).replace(str(version), str(loc))}", True
    finally:
        signal.signal(signal.SIGTERM, stop)  # as _run_locked restores it
    return f"PDF written to {loc / 'report.pdf'}", False


def _run_locked(data_dir, tmp, previous, everything, selected, params, jobs, force, report,
                notebooks_dir, progress_stream, timeout=DEFAULT_TIMEOUT) -> BuildResult:
    stop = _install_sigterm()
    pool = None
    chosen = {nb.stem for nb in selected}
    old_cache = (previous / CACHE) if previous is not None else tmp / "no-previous-build"
    kept = [nb for nb in everything if nb.stem not in chosen and _read_entry(old_cache / nb.stem)]
    progress = Progress([nb.stem for nb in selected], progress_stream)
    try:
        new_cache = tmp / CACHE
        new_cache.mkdir()
        results: dict[str, NotebookResult] = {}
        for nb in kept:  # --only: the other chapters stay as the report had them
            entry = _read_entry(old_cache / nb.stem)
            shutil.copytree(old_cache / nb.stem, new_cache / nb.stem, copy_function=_link_or_copy)
            results[nb.stem] = NotebookResult(
                nb.stem, "kept", "not in this build (--only): kept from the report it updates",
                entry.get("duration", 0.0), entry.get("error"), entry.get("reads", {}),
                stale_output=(new_cache / nb.stem / "last-good-figures").exists(),
                parameters=_shown_parameters(entry["key"]["parameters"]),
                failed_before=bool(entry.get("failed")))
        todo = []
        for nb in selected:
            name = nb.stem
            key = cache_key(nb, params[name])
            entry = _read_entry(old_cache / name)
            reason = "--force" if force else why_stale(entry, key)
            if reason is None:
                shutil.copytree(old_cache / name, new_cache / name, copy_function=_link_or_copy)
                results[name] = NotebookResult(name, "reused", "unchanged", entry["duration"], reads=entry["reads"],
                                               parameters=_shown_parameters(params[name]))
                progress.update(name, "reused", "unchanged")
            else:
                todo.append((nb, key, reason, entry))
        if todo:
            # Longest first (by the last recorded duration), so no long notebook starts last.
            todo.sort(key=lambda t: -(t[3] or {}).get("duration", 0.0))
            env, cwd = dict(os.environ), os.getcwd()
            # What each notebook may read, fingerprinted before any starts: a file that changes while
            # a notebook runs is known by its fingerprint afterwards, and never cached as read.
            since, before = time.time_ns(), _snapshot(data_dir, params)
            tasks = {}
            for nb, key, reason, entry in todo:
                d = new_cache / nb.stem
                p = dict(params[nb.stem])
                declared = declared_parameters(nb)
                for out_param in ("figures_dir", "output_dir"):  # outputs go into OUT, never elsewhere
                    if out_param in declared:
                        p[out_param] = str(d / "figures")
                tasks[nb.stem] = (str(nb), str(d / "executed.ipynb"), p, str(d / "reads.log"),
                                  str(d / "executed.html"), env, cwd, timeout)
            plan = {nb.stem: (nb, key, reason, entry) for nb, key, reason, entry in todo}
            runner = _Runner(tasks, jobs, timeout, lambda name: progress.update(name, "running", plan[name][2]))
            pool = runner  # stopped by _kill_pool on an interrupt
            for name, res in runner.results():
                nb, key, reason, entry = plan[name]
                d = new_cache / name
                if (res["error"] or {}).get("errno") in DISK_ERRNOS:
                    e = res["error"]
                    raise OSError(e["errno"], e["evalue"], e.get("filename"))
                reads, changed = _checked_reads(d / "reads.log", before, since)
                try:
                    now = cache_key(nb, params[name])  # the key taken before it ran must still hold
                except (OSError, ValueError, KeyError, TypeError):  # the notebook removed or broken meanwhile
                    now = {"notebook": None, "osa_utils": None, "environment": None, "inputs": {}}
                for n, h in key["inputs"].items():
                    if now["inputs"].get(n) != h:
                        key["inputs"][n] = CHANGED_WHILE_RUNNING
                        changed.append(f"-p {n} file")
                for part, what in (("notebook", "the notebook"), ("osa_utils", "osa_utils"),
                                   ("environment", "the environment")):
                    if now[part] != key[part]:
                        key[part] = CHANGED_WHILE_RUNNING
                        changed.append(what)
                if changed:
                    reason += f"; {', '.join(changed)} changed while it ran: it runs again at the next build"
                shown = _shown_parameters(params[name])
                if res["error"] is None:
                    _write_entry(d, {"key": key, "reads": reads, "duration": res["duration"], "failed": False})
                    results[name] = NotebookResult(name, "ran", reason, res["duration"], reads=reads,
                                                   parameters=shown)
                    progress.update(name, "ran", reason, res["duration"])
                else:
                    r = NotebookResult(name, "failed", reason, res["duration"], res["error"], reads,
                                       parameters=shown)
                    _keep_last_good(old_cache / name, d, entry, r)
                    _write_entry(d, {"key": key, "reads": reads, "duration": res["duration"], "failed": True,
                                     "error": res["error"]})
                    results[name] = r
                    progress.update(name, "failed", f"{res['error']['ename']}: {res['error']['evalue'][:80]}",
                                    res["duration"])
            pool = None
        ordered = [results[nb.stem] for nb in everything if nb.stem in results]
        t0 = time.perf_counter()
        _collect_outputs(tmp, ordered)
        if report:
            key = _report_key(data_dir, ordered, new_cache)
            old_key = _read_json(old_cache / "report.json")
            if old_key == key and previous is not None and (previous / "index.html").exists():
                # Nothing the report shows has changed: keep the assembled page.
                _link_or_copy(previous / "index.html", tmp / "index.html")
            else:
                from .report import write_report

                write_report(tmp, data_dir, ordered)
            (new_cache / "report.json").write_text(json.dumps(key, sort_keys=True), encoding="utf-8")
        return BuildResult(tmp, ordered, time.perf_counter() - t0)
    except BaseException:
        if pool is not None:
            _kill_pool(pool)
        raise
    finally:
        progress.close()
        signal.signal(signal.SIGTERM, stop)


def _shown_parameters(params: dict) -> dict:
    """The parameters a reader of the report needs (paths the build sets are left out)."""
    return {k: v for k, v in sorted(params.items()) if k not in BUILD_SET}


def _install_sigterm():
    """Turn SIGTERM into KeyboardInterrupt so a killed build cleans up after itself."""
    def handler(signum, frame):
        raise KeyboardInterrupt("terminated")

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not in the main thread
        return signal.SIG_DFL


def _kill_pool(pool) -> None:
    """Stop the workers (each kills its kernel) and wait until they are gone: a worker still
    running could write into the version folder the build removes next."""
    if isinstance(pool, _Runner):
        pool = pool.pool
        if pool is None:
            return
    procs = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.terminate()  # SIGTERM: _worker_exit kills its kernel, then the worker exits
        except Exception:
            pass
    for p in procs:
        try:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
        except Exception:
            pass


class _Runner:
    """The notebooks of one build on a pool of worker processes, each stopped after *timeout* seconds.

    A worker stops its own notebook's kernel at the timeout (:func:`_execute`). A worker that cannot
    (stopped with SIGSTOP, hung in C code) is killed by the build a while later; that breaks the pool,
    so the notebooks that had not finished are run again on a new one.
    """

    def __init__(self, tasks: dict, jobs: int, timeout: float | None, started):
        self.tasks, self.jobs, self.timeout, self.started = tasks, jobs, timeout, started
        self.pool = None

    def _grace(self) -> float:
        return min(60.0, max(5.0, self.timeout / 2))

    def results(self):
        """(name, result) of every task, as they finish."""
        from concurrent.futures.process import BrokenProcessPool

        left = list(self.tasks)
        timed_out: dict[str, float] = {}
        while left:
            context = _pool_context()
            _start_fork_server(context)
            self.pool = cf.ProcessPoolExecutor(max_workers=min(self.jobs, len(left)), mp_context=context,
                                               initializer=_init_worker, initargs=(os.getpid(),))
            futures = {}
            for name in left:
                folder = Path(self.tasks[name][1]).parent
                shutil.rmtree(folder, ignore_errors=True)  # a run again starts afresh
                (folder / "figures").mkdir(parents=True)
                futures[self.pool.submit(_execute, *self.tasks[name])] = name
                self.started(name)
            seen: dict[str, float] = {}
            waiting = set(futures)
            killed = False  # whether this pool lost a worker that the build killed (for its timeout)
            while waiting:
                done, waiting = cf.wait(waiting, timeout=1.0, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    name = futures[fut]
                    try:
                        res = fut.result()
                    except BrokenProcessPool:
                        if name not in timed_out:
                            if not killed:
                                raise  # not broken by the build: a worker died some other way
                            continue  # run again on a new pool
                        res = {"duration": timed_out[name], "error": timed_out_error(self.timeout)}
                    left.remove(name)
                    yield name, res
                if self.timeout:
                    killed = self._stop_overdue(futures, waiting, seen, timed_out) or killed
            self.pool.shutdown()
            self.pool = None
            if timed_out:
                clean_kernel_folders()  # a killed worker could not remove its kernel's folder

    def _stop_overdue(self, futures, waiting, seen, timed_out) -> bool:
        """Kill the workers whose notebook is past its timeout and grace period (True if any)."""
        now, killed = time.monotonic(), False
        for fut in waiting:
            name = futures[fut]
            info = Path(self.tasks[name][1]).with_name(WORKER_FILE)
            if name not in seen:
                if info.exists():
                    seen[name] = now
                continue
            if name in timed_out or now - seen[name] < self.timeout + self._grace():
                continue
            try:
                pid = json.loads(info.read_text(encoding="utf-8"))["pid"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if pid not in getattr(self.pool, "_processes", {}):
                continue
            timed_out[name] = now - seen[name]
            _kill_tree(pid)
            killed = True
        return killed


def _kill_tree(pid: int) -> None:
    """SIGKILL process *pid* and its descendants (a stopped process too)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        family = proc.children(recursive=True) + [proc]
    except psutil.Error:
        return
    for p in family:
        with contextlib.suppress(psutil.Error):
            p.kill()


def _fingerprint(path) -> tuple | None:
    """Content hash, size, modification time and inode of *path* (None if it cannot be read)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (sha256_file(Path(path)), st.st_size, st.st_mtime_ns, st.st_ino)


def _snapshot(data_dir: Path, params: dict[str, dict]) -> dict[str, tuple]:
    """Fingerprints of every file a notebook of this build may read through ``osa_utils.data``: the
    data folder's files and the file parameters' files."""
    files = {p for p in Path(data_dir).rglob("*") if p.is_file()}
    files |= {Path(v) for ps in params.values() for n, v in ps.items() if n in FILE_PARAMETERS and v is not None}
    return {str(p.resolve()): _fingerprint(p) for p in sorted(files)}


#: The hash recorded for a file that changed while the notebook that read it ran: never a file's hash,
#: so the next build runs the notebook again.
CHANGED_WHILE_RUNNING = "changed while the notebook ran"


def _checked_reads(log: Path, before: dict, since_ns: int) -> tuple[dict, list[str]]:
    """The files the notebook read (its read log) with the hash each had before it started, and the
    names of those that changed meanwhile (recorded as :data:`CHANGED_WHILE_RUNNING`). A file outside
    the snapshot counts as unchanged only if it was not modified since the build started."""
    reads, changed = {}, []
    for path in readlog.read(log):
        now, was = _fingerprint(path), before.get(path)
        held = now is not None and (now == was if was is not None else now[2] < since_ns)
        reads[_rel(path)] = now[0] if held else CHANGED_WHILE_RUNNING
        if not held:
            changed.append(Path(path).name)
    return reads, changed


def _link_or_copy(src, dst) -> None:
    """Hard-link a finished file into the new output (files are never modified in place)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _read_json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _report_key(data_dir: Path, results: list[NotebookResult], cache: Path) -> dict:
    """Everything the assembled report depends on, by content hash."""
    data = {p.name: sha256_file(p) for p in sorted(Path(data_dir).glob("*")) if p.is_file()}
    notebooks = {r.name: [r.state == "failed" or r.failed_before, r.state == "kept", r.parameters,
                          sha256_file(cache / r.name / "executed.ipynb")] for r in results}
    return {"data": data, "notebooks": notebooks, "osa_utils": package_hash(), "environment": environment_hash()}


def _read_entry(d: Path) -> dict | None:
    try:
        return json.loads((d / "entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_entry(d: Path, entry: dict) -> None:
    (d / "entry.json").write_text(json.dumps(entry, indent=1, sort_keys=True), encoding="utf-8")


def _keep_last_good(old: Path, new: Path, entry: dict | None, result: NotebookResult) -> None:
    """A failed notebook keeps its last successful figures beside the failure."""
    if entry is None or entry.get("failed") or not (old / "figures").exists():
        return
    shutil.copytree(old / "figures", new / "last-good-figures")
    if (old / "executed.ipynb").exists():
        shutil.copy2(old / "executed.ipynb", new / "last-good.ipynb")
    result.stale_output = True


def _collect_outputs(tmp: Path, results: list[NotebookResult]) -> None:
    """OUT/notebooks/*.ipynb|html and OUT/figures/ from the cache entries."""
    nb_dir, fig_dir = tmp / "notebooks", tmp / "figures"
    nb_dir.mkdir()
    fig_dir.mkdir()
    for r in results:
        d = tmp / CACHE / r.name
        for src, dst in (("executed.ipynb", f"{r.name}.ipynb"), ("executed.html", f"{r.name}.html")):
            if (d / src).exists():
                _link_or_copy(d / src, nb_dir / dst)
        figs = d / ("last-good-figures" if r.stale_output else "figures")
        if figs.exists():
            for f in sorted(figs.iterdir()):
                _link_or_copy(f, fig_dir / f.name)


def summary(result: BuildResult) -> str:
    ran = sum(r.state == "ran" for r in result.results)
    reused = sum(r.state == "reused" for r in result.results)
    kept = sum(r.state == "kept" for r in result.results)
    failed = [r.name for r in result.failed]
    text = f"{ran} notebook(s) ran, {reused} reused, {len(failed)} failed"
    if failed:  # the names belong to "failed", before any other clause
        text += ": " + ", ".join(failed)
    if kept:
        text += f"; {kept} other chapter(s) kept from the report it updates"
    return text


def results_json(result: BuildResult) -> str:
    return json.dumps([asdict(r) for r in result.results], indent=1)


# --------------------------------------------------------------------------- verify
def compare_figures(reference: Path, new: Path) -> list[tuple[str, str, str]]:
    """(file, verdict, detail) for every file in either folder; verdict is identical, differs,
    missing (in new) or unexpected (not in reference)."""
    from .outdir import MARKER

    listed = lambda d: {p.name for p in Path(d).iterdir() if p.is_file() and p.name != MARKER} \
        if Path(d).exists() else set()
    ref, got = listed(reference), listed(new)
    rows = []
    for name in sorted(ref | got):
        if name not in got:
            rows.append((name, "missing", "not produced by the notebooks"))
        elif name not in ref:
            rows.append((name, "unexpected", "not in the committed figures"))
        else:
            a, b = (Path(reference) / name).read_bytes(), (Path(new) / name).read_bytes()
            if a == b:
                rows.append((name, "identical", ""))
            elif name.endswith(".png"):
                try:
                    rows.append((name, "differs", _pixel_difference(Path(reference) / name, Path(new) / name)))
                except _Unreadable as exc:
                    rows.append((name, "unreadable", str(exc)))
            else:
                rows.append((name, "differs", f"{sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))} bytes differ"))
    return rows


class _Unreadable(ValueError):
    """A PNG that cannot be decoded (the message says which one and why)."""


def _pixel_difference(a: Path, b: Path) -> str:
    """How two PNGs differ: their sizes, or how many pixels differ (a count, so that one pixel of a
    large figure is not rounded to "0.000%", the words of a change of metadata only)."""
    import numpy as np
    from matplotlib.image import imread

    images = []
    for path, which in ((a, "the reference"), (b, "the rebuilt file")):
        try:
            images.append(imread(path))
        except Exception as exc:  # noqa: BLE001 - PIL raises several kinds for a broken file
            raise _Unreadable(f"{which} cannot be read as PNG ({path}: {type(exc).__name__}: "
                              f"{str(exc)[:100]})") from None
    x, y = images
    if x.shape[:2] != y.shape[:2]:
        return f"size {x.shape[1]}x{x.shape[0]} vs {y.shape[1]}x{y.shape[0]}"
    rgb = lambda im: im[..., :3] if im.ndim == 3 else np.repeat(im[..., None], 3, axis=-1)
    n, total = int(np.any(np.abs(rgb(x) - rgb(y)) > 1e-6, axis=-1).sum()), x.shape[0] * x.shape[1]
    if n == 0:
        return f"0 of {total} pixels differ: only the file's metadata changed"
    return f"{n} of {total} pixels differ ({100 * n / total:.3g}%)"
