"""What the command line prints about errors, and the errors a command raises on the way up.

Every error reaches :func:`osa_utils.cli.main` as an :class:`~osa_utils.errors.OSAError`, which
:func:`print_error` prints once: ``error: <message>``, the data problems one per line, a failed
assessment notebook's message as it is. A command annotates an error with what it left unchanged
(:func:`leaves`) instead of catching and printing it.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from ..errors import Interrupted, NotebookFailed, OSAError, UsageError

#: Problems listed one per line before the rest are only counted.
MAX_LISTED = 1000

#: What bad data leaves when the command does not say otherwise.
DEFAULT_CONSEQUENCE = "nothing was built; the previous output is unchanged"

#: File-system errors that a different output folder avoids (exit 2, as a wrong --out); any other
#: (a full disk, an I/O error) is exit 1.
_USAGE_ERRNOS = {"EROFS", "EACCES", "EPERM", "ENAMETOOLONG", "ENOTDIR", "EISDIR", "ELOOP"}


class Reported(OSAError):
    """A failure already told on the way (the failed notebooks, the differing figures): exit 1 and
    nothing more printed."""


def _printable(text) -> str:
    from ..userdata import printable

    return printable(text)


def say(text, *, err: bool = False) -> None:
    """One line for the user, control characters escaped (it may hold what the user typed)."""
    print(_printable(text), file=sys.stderr if err else sys.stdout)


def print_problems(problems) -> None:
    for p in problems[:MAX_LISTED]:
        print(p, file=sys.stderr)
    if len(problems) > MAX_LISTED:
        print(
            f"... and {len(problems) - MAX_LISTED} more problem(s) not listed (first {MAX_LISTED} shown)",
            file=sys.stderr,
        )


@contextlib.contextmanager
def leaves(consequence: str) -> Iterator[None]:
    """Bad data met in this block is reported with *consequence* (what it left unchanged)."""
    try:
        yield
    except OSAError as exc:
        if not hasattr(exc, "consequence"):
            exc.consequence = consequence  # type: ignore[attr-defined]  # read by print_error
        raise


def print_error(exc: OSAError) -> None:
    """An error as the user reads it, on standard error."""
    if isinstance(exc, Reported):
        return
    if isinstance(exc, Interrupted):
        say(f"interrupted: {exc}", err=True)
        return
    if isinstance(exc, NotebookFailed):  # its message names the notebook, cell and error
        say(exc, err=True)
        return
    from ..data import DataValidationError  # loaded already: printable() is data's

    if isinstance(exc, DataValidationError):
        print_problems(exc.problems)
        consequence = getattr(exc, "consequence", DEFAULT_CONSEQUENCE)
        print(f"{len(exc.problems)} data problem(s): {consequence}", file=sys.stderr)
        return
    say(f"error: {exc}", err=True)


def new_file_problem(path: Path, option: str) -> str | None:
    """Why *path* may not be written as a new file (the tool never overwrites what it did not make)."""
    if path.is_symlink() or path.exists():
        return f"{option} {path} exists; it is written only as a new file (remove it first, or pick another name)"
    if not path.parent.is_dir():
        return f"{option} {path}: the folder {path.parent} does not exist"
    return None


def os_error(exc: OSError, folder: Path | None = None) -> str:
    """One line for a file-system error: what could not be written where (the file, else the folder
    being written), and why."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        _, dst, why = exc.args[0][0]  # copytree's list of (source, destination, reason)
        more = len(exc.args[0]) - 1
        return f"{why} (copying to {dst})" + (f" and {more} more file(s)" if more else "")
    why = exc.strerror or str(exc)
    where = f": {exc.filename}" if exc.filename else f" (writing in {folder})" if folder is not None else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        where += "; free some space, or choose an --out or TMPDIR on another disk"
    return f"{why}{where}"


def fs_error(message: str, exc: OSError) -> OSAError:
    """*message* about the file-system error *exc*: a usage error (exit 2) when another folder would
    avoid it (read-only, no permission, a bad name), else exit 1 (a full disk, an I/O error)."""
    usage = errno.errorcode.get(exc.errno or 0) in _USAGE_ERRNOS
    return UsageError(message) if usage else OSAError(message)


def report_failures(result) -> None:
    """The failed notebooks of a build, one line each on standard error."""
    for r in result.failed:
        e = r.error or {}
        if e.get("timeout"):  # "timed out after N s; its kernel was stopped"
            running = f" (it was running cell {e['cell']})" if e.get("cell") else ""
            say(f"notebook {r.name} {e.get('evalue')}{running}", err=True)
        else:
            cell = f" in cell {e['cell']}" if e.get("cell") else ""
            say(f"notebook {r.name} failed{cell}: {e.get('ename')}: {e.get('evalue')}", err=True)
