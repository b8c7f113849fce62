"""The options several subcommands share, declared once, and the value types they check.

Only light modules are imported here (no pandas, no papermill): ``osa-report --help`` stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import DEFAULT_DATA_DIR, PROJECT_ROOT
from ..params import NAME_LANGS

#: = osa_utils.batch.plan.DEFAULT_TIMEOUT (a test checks), not imported: --help stays quick.
DEFAULT_TIMEOUT = 1800.0
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


class PathType(click.ParamType):
    """A path as typed, not checked (each command says itself what is wrong with it)."""

    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        return value if isinstance(value, Path) else Path(value)


class PositiveInt(click.ParamType):
    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            number = int(value)
        except ValueError:
            self.fail(f"{value!r} is not a whole number", param, ctx)
        if number < 1:
            self.fail(f"{number} is not at least 1", param, ctx)
        return number


class Seconds(click.ParamType):
    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        try:
            number = float(value)
        except ValueError:
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not number > 0 or number == float("inf"):
            self.fail(f"{value} is not a positive number of seconds", param, ctx)
        return number


PATH = PathType()


def data_dir(f):
    return click.option(
        "--data-dir",
        type=PATH,
        default=DEFAULT_DATA_DIR,
        metavar="DATA_DIR",
        help=f"data package folder (default: {DEFAULT_DATA_DIR})",
    )(f)


def out(default: Path | None, help: str, metavar: str = "OUT"):
    return click.option("--out", type=PATH, default=default, metavar=metavar, help=help)


def jobs(f):
    return click.option(
        "--jobs",
        type=PositiveInt(),
        default=None,
        metavar="JOBS",
        help="notebooks run in parallel (default: number of CPUs)",
    )(f)


def wait(help: str):
    return click.option("--wait", is_flag=True, help=help)


def notebooks_dir(f):
    return click.option(
        "--notebooks-dir",
        type=PATH,
        default=NOTEBOOKS_DIR,
        metavar="NOTEBOOKS_DIR",
        help=f"folder of the notebooks to run (default: {NOTEBOOKS_DIR})",
    )(f)


def reference_figures(f):
    """``--figures``: the committed figures a rebuild is compared with (verify, release)."""
    return click.option(
        "--figures",
        "reference",
        type=PATH,
        default=PROJECT_ROOT / "figures",
        metavar="FIGURES",
        help=f"committed reference figures (default: {PROJECT_ROOT / 'figures'})",
    )(f)


def timeout(f):
    return click.option(
        "--timeout",
        type=Seconds(),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="stop a notebook that runs longer than this and report it as timed out; the other "
        f"notebooks go on (default: {DEFAULT_TIMEOUT:g})",
    )(f)


def notebook_run(f):
    """The options of every command that runs the notebooks: --jobs, --notebooks-dir, --timeout."""
    return jobs(notebooks_dir(timeout(f)))


def template(help: str):
    return click.option("--template", type=PATH, metavar="FILE.csv|FILE.xlsx", help=help)


def sheet(f):
    return click.option("--sheet", metavar="SHEET", help="the sheet of an .xlsx form (default: the first)")(f)


def formats(f):
    return click.option("--formats", default="png,svg", metavar="FORMATS", help="png, svg, pdf (default: png,svg)")(f)


def dpi(f):
    return click.option("--dpi", type=int, default=150, metavar="DPI")(f)


def name_lang(f):
    return click.option("--name-lang", type=click.Choice(NAME_LANGS), default=NAME_LANGS[0])(f)
