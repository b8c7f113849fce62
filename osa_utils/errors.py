"""The one error contract of osa-report.

Every error the tool reports to a user is an :class:`OSAError`: its message is printed as is after
``error: ``, and its class says the exit status. The command line maps them in one place
(``osa_utils.cli``: the subcommands raise, the group prints the message once and exits with
``exit_code``). Each module's own error subclasses one of these and keeps its builtin base
(``ParameterError(UsageError, ValueError)``), so ``except ValueError`` clauses keep working; an error
is raised once with its final message, not caught and re-raised as another class on the way up.
Two are shown differently: a :class:`NotebookFailed` without the prefix (its message names the
notebook, cell and error), an :class:`Interrupted` after ``interrupted:``; the data problems of
``osa_utils.data.DataValidationError`` are listed one per line.

=====  =====================================================================
exit   meaning
=====  =====================================================================
0      done
1      the data or a notebook failed (:class:`OSAError`)
2      usage: a wrong option, parameter, form or output folder (:class:`UsageError`)
3      busy: another run holds the output (:class:`BusyError`)
130    interrupted (Ctrl-C, SIGTERM)
=====  =====================================================================
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3
EXIT_INTERRUPTED = 130


class OSAError(Exception):
    """An error reported to the user: the data or a notebook failed (exit 1)."""

    exit_code: int = EXIT_FAILED


class UsageError(OSAError):
    """The user asked for something that cannot be done as asked (exit 2)."""

    exit_code = EXIT_USAGE


class BusyError(OSAError):
    """Another run holds what this one needs (exit 3)."""

    exit_code = EXIT_BUSY


class NotebookFailed(OSAError):
    """A notebook stopped (exit 1); the message names the notebook, its cell and its error, and is
    shown as it is, without the ``error:`` prefix."""


class Interrupted(OSAError):
    """Stopped by Ctrl-C or SIGTERM (exit 130); the message says what was left unchanged and is shown
    after ``interrupted:``."""

    exit_code = EXIT_INTERRUPTED
