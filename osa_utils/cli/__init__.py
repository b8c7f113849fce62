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
import re
import sys

import click

from ..errors import OSAError
from . import buildcmds, datacmds, toolcmds
from .messages import print_error, say
from .stdout import GuardedStdout, StdoutError, open_std_fds, silence_stdout

#: A value that may start with '-' as it is (argparse's rule): a negative number.
_NEGATIVE_NUMBER = re.compile(r"-\d+|-\d*\.\d+")


def refuse_options_as_values(command: click.Command, args: list[str], ctx: click.Context) -> None:
    """A usage error (exit 2) where an option's value would be the next option: `cite -o --footnote 2`
    must not write a file named `--footnote`, and `build --out --force` must not build into
    `./--force` (argparse refused these; click would take the option as the value). A value that
    starts with '-' is given as `--out=-x`; a negative number is a value as it is."""
    takes: dict[str, click.Option] = {
        name: param
        for param in command.params
        if isinstance(param, click.Option) and not param.is_flag and not param.count
        for name in param.opts + param.secondary_opts
    }
    i = 0
    while i < len(args) and args[i] != "--":
        option = takes.get(args[i])
        n = option.nargs if option is not None else 0
        for value in args[i + 1 : i + 1 + n]:
            if value.startswith("-") and value != "-" and not _NEGATIVE_NUMBER.fullmatch(value):
                assert option is not None
                wanted = "an argument" if n == 1 else f"{n} arguments"
                long = [o for o in option.opts if o.startswith("--")]
                hint = f" (a value that starts with '-' is written {long[0]}=VALUE)" if n == 1 and long else ""
                raise click.UsageError(f"Option '{args[i]}' requires {wanted}, not the option {value!r}{hint}", ctx)
        i += 1 + n


class _Commands(click.Group):
    """The subcommands, listed in the order they are added (a user's order: check, build, use); what
    one raises is printed once and becomes the exit status (``main`` and click's test runner alike)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            refuse_options_as_values(command, rest, ctx)
        return name, command, rest

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSAError as exc:
            print_error(exc)
            status = exc.exit_code
        ctx.exit(status)  # outside the handler: the error and the frames it holds are let go first


def versions() -> str:
    """The code's version and the data package's (the collection's data/datapackage.json)."""
    import json

    from .. import DEFAULT_DATA_DIR, __version__

    try:
        package = json.loads((DEFAULT_DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
        if not isinstance(package, dict):
            raise ValueError("not a JSON object")
        data = f"data package {package.get('name', '?')} {package.get('version', '(no version)')}"
    except (OSError, ValueError) as exc:
        data = f"data package unreadable ({DEFAULT_DATA_DIR / 'datapackage.json'}: {exc})"
    return f"osa-report {__version__} (code); {data} ({DEFAULT_DATA_DIR})"


def _print_versions(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        say(versions())
        ctx.exit()


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Validate, build and check the reproducible edition of 'Europe's Strategic Technology "
    "Autonomy from China' (Digital Power China, 2023).",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_versions,
    help="show the code's version and the data package's, and exit",
)
def cli() -> None:
    pass


for _command in (
    datacmds.validate,
    buildcmds.build,
    buildcmds.figures,
    buildcmds.verify,
    buildcmds.release,
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
