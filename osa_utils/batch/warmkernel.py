"""Warm kernels: the tool's kernels forked from a process that has already imported ipykernel and
what the notebooks import, instead of a fresh ``python -m ipykernel_launcher`` that pays the
interpreter's start and those imports again for every notebook (about 1.5 s of CPU each).

How: the build's fork server imports the modules (:func:`preload`, from
:mod:`osa_utils.batch.workerprep`), so every worker it forks has them; :func:`run_notebook
<osa_utils.batch.kernel.run_notebook>` asks jupyter_client for a :func:`manager_class` kernel
manager, whose provisioner (:class:`osa_utils.provisioner.IPCProvisioner`, the venv's ``python3``
kernelspec names it) then forks the worker (:func:`fork_kernel`) where it would have started the
kernelspec's command. The child becomes the kernel that command would have started: its own session,
the kernel's environment, folder, arguments, a fresh interpreter's ``sys.path`` and warnings filters,
no handlers or exit functions of the worker, and then ipykernel's own start-up. Each notebook still
has a process of its own that starts clean (nothing of another notebook: the worker runs no notebook
code), and the same bytes come out (``osa-report verify`` compares).

The stock kernel (the kernelspec's command) is used wherever this cannot hold: no ``fork`` (Windows)
or not Linux (macOS: forking a process that has loaded system frameworks is unsafe), a process
without the preload (``assess`` and ``app-check``, one notebook each; a worker spawned where the
fork server cannot run imports the preload itself), a kernelspec whose command is not this
interpreter's ``ipykernel_launcher``, an interpreter started with options a fresh one would not
have (``-X dev``, ``-W``, ``-O``), an environment whose ``PYTHON*`` variables, ``MPLBACKEND`` or
the folders matplotlib reads when the preload imports it (:data:`IMPORT_ENV`: ``HOME``, ``XDG_*``,
``MPLCONFIGDIR``) differ from the preload's, or ``OSA_WARM_KERNEL=0``.
JupyterLab and the ``papermill`` command line never use it: they use the stock kernel manager.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import subprocess
import sys
import warnings
from pathlib import Path

#: Set to 0 to start every kernel the stock way (the kernelspec's command), e.g. to compare.
ENV = "OSA_WARM_KERNEL"
#: What ipykernel sets as matplotlib's backend when the environment names none.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: What the preload imports: ipykernel's application, then what the notebooks import.
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    # what a kernel imports while it starts, before the first cell (debugpy for its debugger: about 0.3 s)
    "ipykernel.debugger",
    "debugpy.server.api",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.extensions.storemagic",
    "tornado.platform.asyncio",
    "tornado.queues",
    "sqlite3",
    "IPython.core.oinspect",
    "IPython.utils.wildcard",
    "faulthandler",
    "runpy",
)
NOTEBOOK_MODULES = (
    "pandas",
    "matplotlib",
    "osa_utils.notebook",
    "osa_utils.assess",
    # what every notebook imports at its first chart or table (about 0.3 s of CPU per kernel): pyplot
    # (not its inline backend, whose import hooks it into the running IPython: the kernel's own),
    # the savers of the default formats, pandas' Styler (Jinja2), and our chart and section modules
    "matplotlib.pyplot",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_svg",
    "pandas.io.formats.style",
    "PIL.PngImagePlugin",
    "osa_utils.pages",
    "osa_utils.outdir",
    "osa_utils.plots.*",
    "osa_utils.sections.*",
)

#: The preload's facts (None: no preload in this process): set by :func:`preload`.
_template: dict | None = None
#: pid -> connection file of the kernels this process forked (for the worker's exit to clean up).
FORKED: dict[int, str] = {}


def supported() -> bool:
    """Whether kernels can be forked here at all (Linux with ``fork``) and are not turned off."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and os.environ.get(ENV, "1") != "0"


#: Variables besides ``PYTHON*`` that the preload's imports read once (matplotlib's configuration and
#: cache folders, its font list and style library): a kernel of an environment where one differs from
#: the fork server's is a stock one, which reads them again.
IMPORT_ENV = (
    "HOME",
    "MPLCONFIGDIR",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "MPL_IGNORE_SYSTEM_FONTS",
)


def _python_env(env) -> dict:
    return {k: v for k, v in env.items() if k.startswith("PYTHON") or k in IMPORT_ENV}


#: Flags a fresh ``python -m ipykernel_launcher`` would not have (set by options of the build's
#: interpreter, which its fork server inherits): with any of them the kernels start the stock way.
FLAGS = (
    "debug",
    "inspect",
    "interactive",
    "optimize",
    "dont_write_bytecode",
    "no_user_site",
    "no_site",
    "ignore_environment",
    "verbose",
    "bytes_warning",
    "quiet",
    "isolated",
    "dev_mode",
    "safe_path",
)
#: The environment variables that set those flags in a fresh interpreter.
FLAG_ENV = {"optimize": "PYTHONOPTIMIZE", "dont_write_bytecode": "PYTHONDONTWRITEBYTECODE", "verbose": "PYTHONVERBOSE",
            "no_user_site": "PYTHONNOUSERSITE", "dev_mode": "PYTHONDEVMODE", "safe_path": "PYTHONSAFEPATH",
            "debug": "PYTHONDEBUG", "inspect": "PYTHONINSPECT"}  # fmt: skip

_fresh: dict | None = None  # what this interpreter had before the preload imported anything


def note_fresh_state() -> None:
    """Note this interpreter's warnings filters before anything is imported (the fork server, first
    thing): a fresh kernel process starts with these."""
    global _fresh
    _fresh = {"filters": list(warnings.filters)}


def _fresh_path() -> list[str] | None:
    """The ``sys.path`` a fresh ``python -m ipykernel_launcher`` has once the launcher has removed its
    folder: ``PYTHONPATH``, then this interpreter's own entries (the standard library and
    site-packages, and what ``.pth`` files there add); without what the process that started the fork
    server added (its script's folder, pytest's root). None if this interpreter's flags differ from a
    fresh one's."""
    for name in FLAGS:
        if getattr(sys.flags, name) and not os.environ.get(FLAG_ENV.get(name, "-")):
            return None
    if sys.warnoptions != [w for w in os.environ.get("PYTHONWARNINGS", "").split(",") if w]:
        return None
    import site

    prefixes = {os.path.abspath(p) + os.sep for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    sitedirs = [*site.getsitepackages()]
    if site.ENABLE_USER_SITE:
        sitedirs.append(site.getusersitepackages())
    added = set(sitedirs)
    for d in sitedirs:
        try:
            names = sorted(n for n in os.listdir(d) if n.endswith(".pth"))
        except OSError:
            continue
        for n in names:
            try:
                lines = Path(d, n).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            added.update(
                os.path.abspath(os.path.join(d, line.strip()))
                for line in lines
                if line.strip() and not line.startswith(("#", "import ", "import\t"))
            )
    pythonpath = [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    own = [p for p in sys.path if p and (p in added or any(os.path.abspath(p).startswith(x) for x in prefixes))]
    return list(dict.fromkeys(pythonpath + [p for p in own if os.path.abspath(p) not in pythonpath]))


def _expand(names) -> list[str]:
    """*names*, with ``package.*`` standing for every module of that package (not networkx: the
    modules import it inside the one function that draws with it)."""
    import pkgutil

    out = []
    for name in names:
        if name.endswith(".*"):
            package = importlib.import_module(name[:-2])
            out += [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
        else:
            out.append(name)
    return out


def preload() -> None:
    """Import :data:`KERNEL_MODULES` and :data:`NOTEBOOK_MODULES` into this process (the fork server) and note what a fresh kernel
    process would have that this one may not: ``sys.path`` and warnings filters of a fresh
    interpreter (:func:`note_fresh_state`), the ``PYTHON*`` variables and the backend matplotlib was
    imported with."""
    global _template
    if not supported() or _fresh is None:
        return
    path = _fresh_path()
    if path is None:
        return
    backend = os.environ.get("MPLBACKEND") or INLINE_BACKEND
    saved = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = backend  # as ipykernel sets it before anything imports matplotlib
    added = []  # the warnings filters each group of imports added (numpy's, IPython's, ...)
    try:
        for group in (KERNEL_MODULES, NOTEBOOK_MODULES):
            before = list(warnings.filters)
            for name in _expand(group):
                importlib.import_module(name)
            added.append([f for f in warnings.filters if f not in before])
    except Exception:  # noqa: BLE001 - only a speed-up: kernels start the stock way
        return
    finally:
        if saved is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = saved
    _template = {
        "path": path,
        "filters": added[0] + _fresh["filters"],  # a fresh interpreter's, then ipykernel's imports'
        "notebook_filters": added[1],  # added when a notebook imports pandas (numpy's), after the kernel started
        "backend": backend,
        "python_env": _python_env(os.environ),
    }


def preloaded() -> bool:
    """Whether this process has the preload (a build's worker forked by the fork server)."""
    return _template is not None and supported()


def can_fork(cmd: list[str], env: dict | None) -> bool:
    """Whether the kernel of command *cmd* (the kernelspec's, formatted) with environment *env* can
    be forked from this process: see the module's text."""
    if _template is None or not supported():
        return False
    if len(cmd) < 5 or cmd[1:4] != ["-m", "ipykernel_launcher", "-f"]:
        return False
    if os.path.abspath(os.path.expanduser(cmd[0])) != os.path.abspath(sys.executable):
        return False
    env = dict(os.environ if env is None else env)
    if (env.get("MPLBACKEND") or INLINE_BACKEND) != _template["backend"]:
        return False
    return _python_env(env) == _template["python_env"]


class ForkedProcess:
    """The little of :class:`subprocess.Popen` that jupyter_client's provisioner uses, for a child
    made with ``os.fork``."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid: int = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = 0  # reaped elsewhere
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if timeout is not None:
                import time

                end = time.monotonic() + timeout
                while self.poll() is None:
                    if time.monotonic() > end:
                        raise subprocess.TimeoutExpired(str(self.pid), timeout)
                    time.sleep(0.01)
            else:
                try:
                    _, status = os.waitpid(self.pid, 0)
                    self.returncode = os.waitstatus_to_exitcode(status)
                except ChildProcessError:
                    self.returncode = 0
        FORKED.pop(self.pid, None)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)


def fork_kernel(cmd: list[str], env: dict | None, cwd: str | None) -> ForkedProcess:
    """Fork this process into the kernel *cmd* would start (:func:`can_fork` said yes)."""
    env = dict(os.environ if env is None else env)
    env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    pid = os.fork()
    if pid == 0:  # the kernel: never returns into the caller's code
        code = 1
        try:
            code = _become_kernel(cmd, env, cwd)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # noqa: BLE001 - printed to the kernel's stderr, as a kernel's crash is
            import traceback

            with contextlib.suppress(Exception):
                traceback.print_exc()
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
    FORKED[pid] = cmd[4]
    return ForkedProcess(pid)


def _become_kernel(cmd: list[str], env: dict, cwd: str | None) -> int:
    """In the forked child: the state a fresh ``python -m ipykernel_launcher`` has, then ipykernel."""
    import asyncio
    import atexit
    import signal

    _name_process(b"ipykernel")  # what ps, top and psutil's name() show (its command line stays the worker's)
    os.setsid()  # a session of its own, as jupyter_client's launcher starts it (interrupts go to its group)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # the launcher gives a pipe it closes at once: end of file either way
    os.close(null)
    for sig in signal.valid_signals():  # handlers of the worker go (an exec resets them); ignored stay ignored
        with contextlib.suppress(OSError, ValueError, TypeError):
            if callable(signal.getsignal(sig)) and sig != signal.SIGINT:
                signal.signal(sig, signal.SIG_DFL)
    atexit._clear()  # the worker's exit functions are not the kernel's
    helpers = sys.modules.get("matplotlib._pylab_helpers")
    if helpers is not None:  # preloaded: what its import registers, as a stock kernel has it once pyplot is in
        atexit.register(helpers.Gcf.destroy_all)
    asyncio.set_event_loop_policy(None)  # no event loop of the worker
    os.environ.clear()
    os.environ.update(env)
    if cwd:
        os.chdir(cwd)
    assert _template is not None
    sys.path[:] = _template["path"]
    warnings.filters[:] = _template["filters"]  # type: ignore[index]
    _filters_changed()
    from importlib.util import find_spec

    launcher = find_spec("ipykernel_launcher")
    sys.argv = [getattr(launcher, "origin", None) or "ipykernel_launcher", *cmd[3:]]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    # Read from the environment when ipykernel was imported (in the preload): read them now.
    app.parent_handle = int(env.get("JPY_PARENT_PID") or 0)
    app.interrupt = int(env.get("JPY_INTERRUPT_EVENT") or 0)
    app.initialize(sys.argv[1:])
    warnings.filters[:0] = _template["notebook_filters"]  # type: ignore[index]
    _filters_changed()
    app.start()
    return 0


def _filters_changed() -> None:
    """Tell the warnings machinery that its filter list was replaced (Python 3.11-3.13 keep a version
    number of the list, which the modules' registries of warnings already shown compare with)."""
    changed = getattr(warnings, "_filters_mutated", None)
    if changed is not None:
        changed()
    else:  # a Python that renamed it: resetting bumps the version too; the caller refills the list
        saved = list(warnings.filters)
        warnings.resetwarnings()
        warnings.filters[:] = saved  # type: ignore[index]


def _name_process(name: bytes) -> None:
    """Set this process's name (Linux: ``prctl(PR_SET_NAME)``, at most 15 bytes)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(15, ctypes.c_char_p(name[:15]), 0, 0, 0)  # PR_SET_NAME


@functools.cache
def manager_class():
    """The tool's kernel manager (jupyter_client's ``AsyncKernelManager``): its provisioner forks the
    kernel from this warm process where :func:`can_fork` (``warm_fork``), and its client is ready as
    soon as the kernel has answered (:func:`_client_class`)."""
    from jupyter_client import AsyncKernelManager
    from traitlets import default

    client = _client_class()

    class ToolKernelManager(AsyncKernelManager):
        warm_fork = True

        @default("client_factory")
        def _client_factory_default(self):
            return client

    return ToolKernelManager


def _client_class():
    """jupyter_client's ``AsyncKernelClient`` without the fixed 0.2 s at every kernel start.

    jupyter_client's ``wait_for_ready`` sends ``kernel_info`` until the reply comes and an IOPub
    message shows that IOPub is connected, then reads IOPub until it has been silent for 0.2 s
    (measured: 0.2 s of every notebook's run, the kernel idle). This one does the same and then reads
    only what has already arrived: nbclient takes from IOPub only the messages of the request it sent
    (by the parent header's msg_id), so a kernel_info status message that comes later is passed over
    as before; nothing it writes depends on the flush.
    """
    import asyncio
    import time
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class QuickReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.time() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:  # IOPub connected? (else the reply's status message is lost: ask again)
                            await self.iopub_channel.get_msg(timeout=0.2)
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(msg)
                            break
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.time() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
                await asyncio.sleep(0)
            while True:  # what has arrived already, without waiting for silence
                try:
                    await self.iopub_channel.get_msg(timeout=0)
                except Empty:
                    break

    return QuickReadyClient
