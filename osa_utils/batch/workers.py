"""The workers: the processes that run the build's notebooks, one notebook each at a time.

On Linux they are forked by a fork server that has imported papermill and nbconvert once
(:func:`_pool_context`); each watches the build and ends with it (:func:`watch_parent`), killing
its kernel (:func:`_worker_exit`). :class:`Runner` hands them the notebooks, stops those past
their timeout and, on an interrupt, the workers themselves (:meth:`Runner.kill`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from .. import pagecrop, readlog
from ..pages import export_html
from . import warmkernel
from .kernel import (
    SUN_PATH_MAX,
    clean_kernel_folders,
    is_kernel_connection_file,
    kernel_folder_of,
    kill_tree,
    run_notebook,
    timed_out_error,
)

#: The file a worker writes into a notebook's cache folder when it starts that notebook (its pid).
WORKER_FILE = "worker.json"


class Task(NamedTuple):
    """One notebook for a worker (the arguments of :func:`_execute`)."""

    nb_path: str
    out_nb: str  # the executed notebook, in the notebook's cache folder
    params: dict
    read_log: str
    html_out: str | None
    env: dict | None  # the build's environment and folder: a forked worker has the fork server's
    cwd: str | None
    timeout: float | None


# --------------------------------------------------------------------------- in a worker
def _execute(
    nb_path: str,
    out_nb: str,
    params: dict,
    read_log: str,
    html_out: str | None,
    env: dict | None = None,
    cwd: str | None = None,
    timeout: float | None = None,
) -> dict:
    """Run one notebook in its own kernel (:func:`.kernel.run_notebook`); never raises for a notebook error.

    *env* and *cwd* are the build's at the time of the build (a worker forked by the fork server
    would otherwise have the environment and folder of the server's start); the kernel inherits them.
    After *timeout* seconds the kernel is stopped and the notebook is reported as timed out.
    """
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    if cwd is not None:
        os.chdir(cwd)
    readlog.start(read_log)
    info = Path(out_nb).with_name(WORKER_FILE)
    info.write_text(json.dumps({"pid": os.getpid()}), encoding="utf-8")
    start = time.perf_counter()
    try:
        # The kernel inherits this process's stderr: keep its log lines out of the build's output.
        error = run_notebook(
            Path(nb_path), Path(out_nb), params, log=Path(out_nb).with_name("kernel.log"), timeout=timeout
        )
    finally:
        with contextlib.suppress(OSError):
            info.unlink()  # only the build watching it needed it
    duration = time.perf_counter() - start
    if html_out and Path(out_nb).exists():
        try:
            export_html(Path(out_nb), Path(html_out), Path(nb_path).stem)
        except Exception as exc:  # pragma: no cover - report still lists the notebook
            Path(html_out).write_text(f"<p>HTML export failed: {type(exc).__name__}</p>", encoding="utf-8")
        with contextlib.suppress(Exception):  # only a speed-up: the assembly crops what is not there
            pagecrop.prepare(Path(out_nb), Path(out_nb).with_name(pagecrop.FOLDER))
    return {"duration": duration, "error": error.record() if error is not None else None}


def _init_worker(build_pid: int) -> None:
    # Ctrl-C is handled by the build, which stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A killed build (SIGKILL) cannot stop its workers: they watch it instead.
    signal.signal(signal.SIGTERM, _worker_exit)
    watch_parent(build_pid)
    # Imported for its effects (papermill and nbconvert loaded and warmed up): already done when
    # forked by the fork server; a spawned worker does it here. Never at the top: it ignores SIGINT.
    import osa_utils.batch.workerprep  # noqa: F401


def watch_parent(build_pid: int) -> None:
    """End this process (and its kernel) when the build (*build_pid*) goes away.

    The worker's parent is the build, or on Linux the build's fork server, which exits when the
    build does. On Linux the kernel sends SIGTERM at the parent's death (``PR_SET_PDEATHSIG``);
    everywhere a daemon thread checks every half second whether the parent changed or the
    build has ended, in case either happened before the signal was armed.
    """
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
    ``-f FILE`` of the worker's own ``ipykernel_launcher`` child (or of a kernel it forked,
    :data:`.warmkernel.FORKED`), a ``.json`` file that
    jupyter_client wrote in the temporary folder, or the private folder of
    :func:`.kernel.kernel_options` holding it (nothing a notebook's own processes name).
    """
    try:
        import psutil

        me = psutil.Process()
        kernels = {child.pid for child in me.children(recursive=False)}
        for child in me.children(recursive=True):
            try:
                args = child.cmdline()
                child.kill()
            except psutil.Error:
                continue
            if child.pid in kernels and child.pid in warmkernel.FORKED:  # a kernel forked from this worker
                conn = Path(warmkernel.FORKED[child.pid])
            elif child.pid in kernels and "ipykernel_launcher" in args and "-f" in args[:-1]:
                conn = Path(args[args.index("-f") + 1])
            else:
                continue
            folder = kernel_folder_of(conn)
            if is_kernel_connection_file(conn):
                with contextlib.suppress(OSError):
                    conn.unlink()
            elif folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
    except Exception:  # noqa: BLE001 - exiting anyway
        pass
    os._exit(128 + signal.SIGTERM)


# --------------------------------------------------------------------------- in the build
def install_sigterm():
    """Turn SIGTERM into KeyboardInterrupt so a killed build cleans up after itself; returns the
    handler it replaced (for ``signal.signal`` to restore)."""

    def handler(signum, frame):
        raise KeyboardInterrupt("terminated")

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not in the main thread
        return signal.SIG_DFL


def _pool_context():
    """Where the workers come from.

    On Linux, a fork server: started once per process with :mod:`osa_utils.batch.workerprep` imported
    (papermill, nbconvert), it forks each worker in milliseconds, where a spawned worker imports
    them again (about 2 s of CPU per worker and build). The server ends when the process that
    started it ends, and its workers with it (:func:`watch_parent`). Elsewhere, spawn: fork is
    unsafe with macOS system libraries and absent on Windows; spawn too where the fork server's
    socket would not fit (:func:`_socket_path_fits`).
    """
    if sys.platform.startswith("linux") and _socket_path_fits():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["osa_utils.batch.workerprep"])
        return ctx
    return multiprocessing.get_context("spawn")


def _start_fork_server(context) -> None:
    """Start the fork server (if *context* uses one and it is not running) with SIGINT ignored.

    Ctrl-C reaches every process of the terminal's foreground group, the fork server too; it ignores
    SIGINT only once its preload (papermill, nbconvert: about 1.5 s) is done, so a Ctrl-C early in a
    build printed its KeyboardInterrupt traceback after the build's "interrupted" line. The server is
    started with SIGINT blocked (a signal mask is inherited), and :mod:`osa_utils.batch.workerprep`, its
    preload, ignores SIGINT before unblocking it: a Ctrl-C meanwhile is dropped there, while this
    process, where SIGINT is blocked only during the start, receives it right after.
    Its standard error (and its workers', until :func:`_execute` sends theirs to the kernel's log) goes
    to the null device: a worker it forks after the build has stopped fails to read its task, and
    printed that traceback after "interrupted" too. A worker's own errors reach the build as results.
    Its standard output goes there as well (nothing of the build's is printed there): holding the
    build's, it kept a pipe such as ``osa-report build | tee log`` open for about 0.3 s after the build
    had ended, while the server and its workers exited.
    """
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    null, saved = os.open(os.devnull, os.O_WRONLY), {fd: os.dup(fd) for fd in (1, 2)}
    try:
        for fd in saved:
            os.dup2(null, fd)
        forkserver.ensure_running()
    finally:
        for fd, copy in saved.items():
            os.dup2(copy, fd)
            os.close(copy)
        os.close(null)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _socket_path_fits() -> bool:
    """Whether the fork server's socket fits: it listens at ``<temp>/pymp-XXXXXXXX/listener-XXXXXXXX``
    (multiprocessing's temporary folder, under ``$TMPDIR``), and Python 3.11-3.13 fail with
    "AF_UNIX path too long" when that is over :data:`.kernel.SUN_PATH_MAX` (a long ``$TMPDIR``, as on
    some clusters). Then the workers are spawned instead: slower to start, same results."""
    from multiprocessing import util

    return len(os.fsencode(util.get_temp_dir())) + len("/listener-XXXXXXXX") <= SUN_PATH_MAX


def _kill_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Stop the workers (each kills its kernel) and wait until they are gone: a worker still
    running could write into the version folder the build removes next."""
    procs = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.terminate()  # SIGTERM: _worker_exit kills its kernel, then the worker exits
    for p in procs:
        try:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
        except Exception:  # noqa: BLE001 - stopping anyway
            pass


class Runner:
    """The notebooks of one build on a pool of worker processes, each stopped after *timeout* seconds.

    A worker stops its own notebook's kernel at the timeout (:func:`_execute`). A worker that cannot
    (stopped with SIGSTOP, hung in C code) is killed by the build a while later; that breaks the pool,
    so the notebooks that had not finished are run again on a new one.
    """

    def __init__(self, tasks: dict[str, Task], jobs: int, timeout: float | None, started: Callable[[str], None]):
        self.tasks, self.jobs, self.timeout, self.started = tasks, jobs, timeout, started
        self.pool: cf.ProcessPoolExecutor | None = None

    def kill(self) -> None:
        """Stop the workers now (an interrupt): see :func:`_kill_pool`."""
        if self.pool is not None:
            _kill_pool(self.pool)

    def _grace(self, timeout: float) -> float:
        return min(60.0, max(5.0, timeout / 2))

    def _start(self, left: list[str]) -> dict[cf.Future, str]:
        """A new pool with the notebooks *left* submitted, each into a fresh cache folder."""
        context = _pool_context()
        _start_fork_server(context)
        self.pool = pool = cf.ProcessPoolExecutor(
            max_workers=min(self.jobs, len(left)), mp_context=context, initializer=_init_worker, initargs=(os.getpid(),)
        )
        futures = {}
        for name in left:
            folder = Path(self.tasks[name].out_nb).parent
            shutil.rmtree(folder, ignore_errors=True)  # a run again starts afresh
            (folder / "figures").mkdir(parents=True)
            futures[pool.submit(_execute, *self.tasks[name])] = name
            self.started(name)
        return futures

    def results(self) -> Iterator[tuple[str, dict]]:
        """(name, result) of every task, as they finish."""
        from concurrent.futures.process import BrokenProcessPool

        left = list(self.tasks)
        timed_out: dict[str, float] = {}
        while left:
            futures = self._start(left)
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
                        res = {"duration": timed_out[name], "error": timed_out_error(self.timeout or 0.0)}
                    left.remove(name)
                    yield name, res
                if self.timeout:
                    killed = self._stop_overdue(self.timeout, futures, waiting, seen, timed_out) or killed
            if self.pool is not None:
                self.pool.shutdown()
            self.pool = None
            if timed_out:
                clean_kernel_folders()  # a killed worker could not remove its kernel's folder

    def _stop_overdue(self, timeout: float, futures, waiting, seen, timed_out) -> bool:
        """Kill the workers whose notebook is past its timeout and grace period (True if any)."""
        now, killed = time.monotonic(), False
        for fut in waiting:
            name = futures[fut]
            info = Path(self.tasks[name].out_nb).with_name(WORKER_FILE)
            if name not in seen:
                if info.exists():
                    seen[name] = now
                continue
            if name in timed_out or now - seen[name] < timeout + self._grace(timeout):
                continue
            try:
                pid = json.loads(info.read_text(encoding="utf-8"))["pid"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if pid not in getattr(self.pool, "_processes", {}):
                continue
            timed_out[name] = now - seen[name]
            kill_tree(pid)
            killed = True
        return killed
