"""``osa-report``: the collection's command line.

One click group; each subcommand is a function in :mod:`.datacmds` (validate, cite),
:mod:`.buildcmds` (build, figures, verify) or :mod:`.toolcmds` (assess, app-check), with the options
they share declared once in :mod:`.options`. Subcommands import what they need when they run, so
``osa-report --help`` is quick.

A subcommand reports a user's mistake (bad data, a wrong parameter, a busy output folder) by raising
an :class:`~osa_utils.errors.OSAError`; :func:`main` prints it once and exits with its status (1 data
or a failed notebook, 2 usage, 3 busy, 130 interrupted). A traceback means a bug in this package.

A new subcommand: a function decorated with ``@click.command`` (and the shared options it takes from
:mod:`.options`) in the module of its kind, added to the tuple below; it prints its results with
:func:`.messages.say`, raises an ``OSAError`` subclass for what the user must change, and imports
the heavy modules inside the function.
"""

from __future__ import annotations

import io
import sys

import click

from ..errors import OSAError
from . import buildcmds, datacmds, toolcmds
from .messages import print_error, say
from .stdout import GuardedStdout, StdoutError, open_std_fds, silence_stdout


class _Commands(click.Group):
    """The subcommands, listed in the order they are added (a user's order: check, build, use); what
    one raises is printed once and becomes the exit status (``main`` and click's test runner alike)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSAError as exc:
            print_error(exc)
            status = exc.exit_code
        ctx.exit(status)  # outside the handler: the error and the frames it holds are let go first


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Validate, build and check the reproducible edition of 'Europe's Strategic Technology "
    "Autonomy from China' (Digital Power China, 2023).",
)
def cli() -> None:
    pass


for _command in (
    datacmds.validate,
    buildcmds.build,
    buildcmds.figures,
    buildcmds.verify,
    datacmds.cite,
    toolcmds.assess,
    toolcmds.app_check,
):
    cli.add_command(_command)


def _invoke(args: list[str]) -> int:
    """Parse *args* and run the subcommand; its exit status."""
    try:
        with cli.make_context("osa-report", args) as ctx:
            cli.invoke(ctx)
    except click.exceptions.Exit as exc:  # --help, or an OSAError printed by _Commands.invoke
        return exc.exit_code
    except click.ClickException as exc:  # a wrong command line: exit 2
        shown = io.StringIO()
        exc.show(file=shown)
        for line in shown.getvalue().splitlines():  # what the user typed, control characters escaped
            say(line, err=True)
        return exc.exit_code
    return 0


def main(argv: list[str] | None = None) -> int:
    """``osa-report``: returns the exit status (the console script exits with it)."""
    closed = open_std_fds()
    real = sys.stdout
    guard = GuardedStdout(None if 1 in closed else real)
    sys.stdout = guard
    try:
        rc = _invoke(sys.argv[1:] if argv is None else list(argv))
        sys.stdout.flush()
        return rc
    except BrokenPipeError:  # output piped into `head` and the like: not an error of the tool
        silence_stdout()
        return 0
    except StdoutError as exc:
        from ..userdata import printable

        silence_stdout()
        note = f"; {guard.note}" if guard.note else ""
        print(printable(f"error: cannot write to standard output: {exc}{note}"), file=sys.stderr)
        return 1
    finally:
        sys.stdout = real if real is not None else open(1, "w", closefd=False)  # noqa: SIM115 - stays open
