"""The kernel: how a notebook's kernel is reached (Unix sockets in a private folder), and
:func:`run_notebook`, the one way the tool runs a notebook (the build's workers, ``assess`` and
``app-check``), which turns a failure into a :class:`NotebookError`.

Light to import (standard library only at the top): :mod:`osa_utils.provisioner` imports it in
every kernel start; papermill and psutil are imported where they are used.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..text import strip_ansi

#: How every notebook of the tool is run (the build's and ``assess``'s). The kernel is stopped at
#: once when the last cell has finished (``shutdown_kernel="immediate"``): every output has arrived
#: by then (nbclient waits for each cell's reply and its idle status), and the notebooks write their
#: files within their cells. A graceful stop costs each kernel its interpreter's shutdown (measured:
#: 0.3 s of CPU for an empty notebook, 0.7 s for a chapter) and, in about one stop in five with
#: ipykernel 7.4, 2.5 s more: the kernel's control thread blocks sending to its IOPub thread, which
#: has already stopped, until jupyter_client sends SIGTERM (seen with py-spy).
PAPERMILL_OPTIONS = {
    "kernel_name": "python3",
    "progress_bar": False,
    "log_output": False,
    "request_save_on_cell_execute": False,
    "shutdown_kernel": "immediate",
}
#: Prefix of the private folder of one kernel's connection file and sockets (:func:`kernel_options`).
KERNEL_FOLDER_PREFIX = "osa-kernel-"
#: The file that marks a kernel's private folder as ours, naming the process that made it.
KERNEL_FOLDER_MARKER = "osa-kernel-owner.json"
#: Longest path of an AF_UNIX socket: sun_path is 108 bytes on Linux, 104 on macOS and the BSDs,
#: with the final NUL.
SUN_PATH_MAX = 107 if sys.platform.startswith("linux") else 103
#: File-system errors that stop the whole build (the previous output stays): a notebook cannot be
#: said to have failed when its output could not be written.
DISK_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS, errno.EIO, errno.EFBIG}


# --------------------------------------------------------------------------- processes
def process_start(pid: int) -> float | None:
    """When process *pid* started (None if there is none): a pid alone may have been reused."""
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def kill_tree(pid: int | None = None) -> None:
    """SIGKILL process *pid* and its descendants (a stopped process too); with no *pid*, this
    process's descendants only (its kernel and what the kernel started)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        family = proc.children(recursive=True) + ([proc] if pid is not None else [])
    except psutil.Error:
        return
    for p in family:
        with contextlib.suppress(psutil.Error):
            p.kill()


# --------------------------------------------------------------------------- transport
def ipc_folder() -> str | None:
    """A new private folder (``$TMPDIR/osa-kernel-*``) for one kernel's Unix sockets, or None where
    they cannot work: not POSIX (Windows), no writable temporary folder, or a socket path that would
    be too long for AF_UNIX (a long ``$TMPDIR``). The sockets are ``<folder>/ipc-1`` ... ``ipc-5``.
    Used by :func:`kernel_options` (the build) and :mod:`osa_utils.provisioner` (every other client)."""
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
def kernel_options() -> Iterator[dict]:
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

        config = Config(
            {
                "KernelManager": {
                    "transport": "ipc",
                    "ip": os.path.join(folder, "ipc"),
                    "connection_file": os.path.join(folder, "kernel.json"),
                }
            }
        )
        yield {**PAPERMILL_OPTIONS, "config": config}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def mark_kernel_folder(folder) -> None:
    """Mark *folder* (a kernel's private folder, ``$TMPDIR/osa-kernel-*``) as made by this process,
    so that a later build can remove it once this process is gone (:func:`clean_kernel_folders`):
    a killed build's worker cannot remove the folder, which holds the kernel's HMAC key."""
    with contextlib.suppress(OSError):
        Path(folder, KERNEL_FOLDER_MARKER).write_text(
            json.dumps({"created_by": "osa-report", "pid": os.getpid(), "started": process_start(os.getpid())}),
            encoding="utf-8",
        )


def clean_kernel_folders(temp=None) -> list[Path]:
    """Remove the kernel folders (``osa-kernel-*`` in *temp*, default the temporary folder) that
    killed runs left: only real folders of this user that carry :data:`KERNEL_FOLDER_MARKER` naming a
    process that is gone (a folder of a running build, or without our marker, stays)."""
    base = Path(temp if temp is not None else tempfile.gettempdir())
    removed: list[Path] = []
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
        now = process_start(pid)
        if now is not None and (started is None or abs(now - float(started)) < 1.0):
            continue  # its process is still running
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def is_kernel_connection_file(conn: Path) -> bool:
    """Whether *conn* (the ``-f FILE`` of an ``ipykernel_launcher``) is a connection file that
    jupyter_client wrote in the temporary folder; its private folder (:func:`kernel_options`) is
    :func:`kernel_folder_of` instead."""
    return conn.suffix == ".json" and conn.parent == Path(tempfile.gettempdir())


def kernel_folder_of(conn: Path) -> Path | None:
    """The private folder (:func:`ipc_folder`) holding connection file *conn*, if it is one of ours."""
    if (
        conn.name == "kernel.json"
        and conn.parent.parent == Path(tempfile.gettempdir())
        and conn.parent.name.startswith(KERNEL_FOLDER_PREFIX)
    ):
        return conn.parent
    return None


@contextlib.contextmanager
def stderr_to(log_path: Path) -> Iterator[None]:
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


# --------------------------------------------------------------------------- running one notebook
@dataclass
class NotebookError:
    """Why a notebook run stopped: what the build records (:meth:`record`) and the tools report."""

    ename: str  # the exception's class (in the notebook, or of the run: DeadKernelError, OSError)
    message: str  # its message, terminal colour codes stripped; may be empty
    cell: int | None = None  # 1-based number of the cell as written (None: papermill's own, or none)
    source: str = ""  # the failing cell's source (an error raised by a cell)
    extra: dict = field(default_factory=dict)  # errno and filename of a disk error; timeout

    def record(self) -> dict:
        """The error as the build keeps it (``entry.json``, ``NotebookResult.error``)."""
        return {
            "cell": self.cell,
            "ename": self.ename,
            "evalue": self.message or _no_message(self.ename),
            "source": self.source,
            **self.extra,
        }


def timed_out(timeout: float, cell: int | None = None) -> NotebookError:
    """The error of a notebook stopped after *timeout* seconds."""
    return NotebookError(
        "Timeout", f"timed out after {timeout:g} s; its kernel was stopped", cell, "", {"timeout": True}
    )


def timed_out_error(timeout: float, cell: int | None = None) -> dict:
    """The recorded error of a notebook stopped after *timeout* seconds."""
    return timed_out(timeout, cell).record()


def _no_message(ename: str) -> str:
    """What to say for an exception without a message (MemoryError(), a bare raise of a class)."""
    if ename == "MemoryError":
        return "out of memory (the notebook asked for more memory than it could get)"
    return f"{ename} raised without a message"


def _source_cell_number(executed: Path, index: int) -> int:
    """1-based number of the failing cell in the notebook as written (papermill inserts a cell)."""
    try:
        cells = [
            c
            for c in json.loads(Path(executed).read_text(encoding="utf-8"))["cells"]
            if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])
        ]
        injected = sum("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in cells[:index])
    except (OSError, ValueError, KeyError):
        injected = 0
    return index - injected + 1


class _Cells:
    """Which cell nbclient started last (papermill's ``on_cell_start`` hook)."""

    def __init__(self) -> None:
        self.started: list[tuple[int, bool]] = []  # (index, injected parameters?) of each cell started

    def __call__(self, cell, cell_index, **_) -> None:
        self.started.append((cell_index, "injected-parameters" in cell.get("metadata", {}).get("tags", [])))

    def last(self) -> int | None:
        """1-based number, as written, of the cell that was running (None for papermill's own cell)."""
        if not self.started or self.started[-1][1]:
            return None
        index = self.started[-1][0]
        return index + 1 - sum(injected and i < index for i, injected in self.started)


def _run_error(exc: Exception, cell: int | None) -> NotebookError:
    """The error of a run that stopped for a reason other than a cell's exception."""
    error = NotebookError(type(exc).__name__, strip_ansi(str(exc)), cell)
    if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:  # the build stops: see its conductor
        error.message = exc.strerror or str(exc)
        error.extra = {"errno": exc.errno, "filename": exc.filename}
    if error.ename == "DeadKernelError":
        error.message = "the kernel died (killed, or out of memory?) while the cell ran" if cell else "the kernel died"
    return error


class _Watchdog:
    """Kill the kernel after *timeout* seconds, and again every half second until the run has ended:
    a timeout that passes before the kernel has started (--timeout 0.5) finds no kernel yet to kill."""

    def __init__(self, timeout: float | None) -> None:
        self.fired, self.finished = threading.Event(), threading.Event()
        self.timer = threading.Timer(timeout, self._stop) if timeout else None
        if self.timer is not None:
            self.timer.daemon = True
            self.timer.start()

    def _stop(self) -> None:
        self.fired.set()
        while True:
            kill_tree()
            if self.finished.wait(0.5):
                return

    def cancel(self) -> None:
        self.finished.set()
        if self.timer is not None:
            self.timer.cancel()


def run_notebook(
    notebook: Path, executed: Path, parameters: dict, *, log: Path, timeout: float | None = None, contain: bool = True
) -> NotebookError | None:
    """Run *notebook* with papermill in its own kernel (:func:`kernel_options`, in the notebook's
    folder, the kernel's stderr sent to *log*), writing *executed*; None if it ran to its end.
    In a build's worker on Linux the kernel is forked from the warm worker
    (:mod:`osa_utils.batch.warmkernel`), elsewhere it is the kernelspec's command.

    An exception raised by a cell is a :class:`NotebookError` naming the cell as written. After
    *timeout* seconds the kernel is stopped and the error is :func:`timed_out` (a run that ended well
    just as the timer fired stays good). Any other failure of the run (the kernel died, bad notebook
    JSON, a full disk) is a :class:`NotebookError` too with *contain*, else it is raised.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from . import warmkernel

    cells, watchdog = _Cells(), _Watchdog(timeout)
    error = None
    manager = {"kernel_manager_class": warmkernel.manager_class()}
    try:
        with stderr_to(log), kernel_options() as options:
            try:
                papermill.execute_notebook(
                    str(notebook),
                    str(executed),
                    parameters=parameters,
                    cwd=str(Path(notebook).parent),
                    on_cell_start=cells,
                    **manager,
                    **options,
                )
            except PapermillExecutionError as exc:
                error = NotebookError(
                    exc.ename, strip_ansi(exc.evalue), _source_cell_number(executed, exc.cell_index), exc.source
                )
            except Exception as exc:  # kernel died, bad notebook JSON, disk full, ...
                if not contain:
                    raise
                error = _run_error(exc, cells.last())
    finally:
        watchdog.cancel()
    if watchdog.fired.is_set() and error is not None and timeout:
        error = timed_out(timeout, cells.last())
    return error
