"""Standard output and the standard descriptors while a command runs.

A command's output goes through :class:`GuardedStdout`: a failed write (a full disk, ``/dev/full``,
a closed descriptor) becomes one line and exit 1 (see :func:`osa_utils.cli.main`), a broken pipe
(``| head``) is not an error. Descriptors 0-2 closed at start are opened on the null device first.
"""

from __future__ import annotations

import errno
import os
import sys


class StdoutError(Exception):
    """Standard output is closed or cannot be written (a full disk, /dev/full): one line, exit 1.

    Not an OSError, so a command's file-system handlers do not mistake it for a failed write of
    its own files."""


class GuardedStdout:
    """``sys.stdout`` while a command runs: a failed write or flush raises :class:`StdoutError`
    (a broken pipe, ``| head``, stays a BrokenPipeError). *note* is what a command has done that
    a reader of the error should know (e.g. that the report was published)."""

    def __init__(self, stream):
        self._stream = stream
        self.note: str | None = None

    def _call(self, name, *args):
        if self._stream is None:  # started with stdout closed (`>&-`)
            raise StdoutError(os.strerror(errno.EBADF) + " (standard output is closed)")
        try:
            return getattr(self._stream, name)(*args)
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as exc:
            raise StdoutError(exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) from None

    def write(self, text):
        return self._call("write", text)

    def flush(self):
        if self._stream is not None:  # nothing was written to a closed stdout: nothing to flush
            return self._call("flush")

    def isatty(self):
        return self._stream is not None and self._stream.isatty()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def stdout_note(note: str) -> None:
    """What to add to a standard-output error from now on (the command's work is done)."""
    if isinstance(sys.stdout, GuardedStdout):
        sys.stdout.note = note


def open_std_fds() -> set[int]:
    """Descriptors 0-2 closed at start (``>&-``) are opened on the null device, so that files this
    command opens do not take their numbers and the kernels it starts inherit valid descriptors.
    Returns the numbers that were closed."""
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            new = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if new != fd:
                os.dup2(new, fd)
                os.close(new)
            os.set_inheritable(fd, True)  # os.open's descriptors are closed on exec: the kernels need it
            closed.add(fd)
    if 2 in closed and sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 - stderr for the whole run
    return closed


def silence_stdout() -> None:
    """After a failed write: standard output points at the null device, so Python's final flush of
    what is still buffered cannot print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass
