"""``assess`` and ``app-check``: the tools that run one notebook on a form the user filled in.

Their forms are read and checked before the notebook starts: a wrong parameter or output folder is
exit 2, a bad form or a failing notebook exit 1; ``--template`` writes a blank form and stops.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from ..errors import OSAError, UsageError
from . import options
from .messages import fs_error, leaves, new_file_problem, os_error, say
from .stdout import stdout_note

FORM_HELP = "the filled-in form: .csv (comma or semicolon, UTF-8 with or without BOM, LF or CRLF) or .xlsx"


def write_template(path: Path, write: Callable[[Path], Path]) -> None:
    """--template of assess and app-check: a blank form written only as a new .csv or .xlsx file."""
    problem = new_file_problem(path, "--template")
    if problem:
        raise UsageError(problem)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"--template {path}: give a file name ending in .csv or .xlsx")
    try:
        with leaves("no form was written"):
            written = write(path)
    except FileExistsError:  # made by someone else since the check above: not touched
        raise UsageError(
            new_file_problem(path, "--template") or f"--template {path} exists; it is written only as a new file"
        ) from None
    except OSError as exc:  # a full disk, a read-only folder: the half-written form is already removed
        raise fs_error(f"--template {path}: cannot write it: {exc.strerror or exc}; no form was written", exc) from None
    stdout_note(f"the blank form was written: {written}")
    say(f"blank form written to {written}")


def run_tool(run: Callable[[], list], out: Path) -> None:
    """Run a tool whose forms are checked before its notebook starts, and list the files it wrote."""
    failure: OSAError | None = None
    try:
        with leaves("nothing was run"):
            files = run()
    except OSError as exc:  # a full disk, a read-only TMPDIR: execute_tool removed the folder if it made it
        gone = "; the folder this run created was removed" if not Path(out).exists() else ""
        failure = fs_error(f"cannot write the output folder {out}: {os_error(exc)}{gone}", exc)
    if failure is not None:  # raised outside the handler: the notebook run's frames go with its exception
        raise failure
    stdout_note(f"{len(files)} file(s) were written to {out}")
    for f in files:
        say(f)
    say(f"{len(files)} file(s) written to {out}", err=True)


def say_read(frame) -> None:
    """How a form was read; its file name comes from the user and is printed with control characters
    escaped (as every other terminal line of assess and app-check)."""
    skipped = frame.attrs.get("skipped")
    say(
        f"read {frame.attrs['read']}" + (f"; {skipped} unfilled row(s) of the form skipped" if skipped else ""),
        err=True,
    )


def check_form_paths(paths) -> None:
    """A form given on the command line that cannot be read (a folder, missing, a name with control
    characters): the same words and exit 2 in assess and app-check."""
    from ..assess import check_form_name
    from ..userdata import check_form_path

    for path in paths:
        problem = check_form_path(path)
        if problem:
            raise UsageError(problem)
        check_form_name(path)  # ParameterError


def _check_id(technology_id: str) -> None:
    from ..assess import MAX_TECHNOLOGY_ID, TECHNOLOGY_ID_PATTERN, is_technology_id
    from ..text import shorten
    from ..userdata import non_ascii_named

    if not is_technology_id(technology_id):
        shown = shorten(technology_id)
        odd = non_ascii_named(shown)
        shown = ascii(shown) + (f", which holds non-ASCII {odd}" if odd else "")
        raise UsageError(
            f"--id {shown} is not allowed; allowed values: 1 to {MAX_TECHNOLOGY_ID} lower-case "
            f"letters, digits and '_' (pattern {TECHNOLOGY_ID_PATTERN}), e.g. quantum_computing"
        )


@click.command(
    short_help="apply the report's method to a new technology",
    help="Run notebooks/new_assessment on a CSV with one row per challenge (dimension_id, challenge, "
    "importance 1-4, optional instrument): the chapter-style risk table and profile, the Figure 0.1 "
    "matrix with the new technology as an eighth row, and Figure 0.3's typical instruments for "
    "dimensions scored 3-4.\n\nFORM: the assessment form: .csv (comma or semicolon, UTF-8 with or "
    "without BOM, LF or CRLF) or .xlsx (example: data/examples/assessment_quantum.csv); several "
    "forms are a panel, one per assessor (named by file name), or give one form with an "
    "'assessor' column",
)
@click.argument("forms", nargs=-1, type=options.PATH, metavar="[FORM]...")
@click.option("--id", "technology_id", metavar="ID", help="technology id, [a-z0-9_]+, not one of the report's")
@click.option("--label", metavar="LABEL", help="row label for the matrix")
@options.sheet
@options.template("write a blank form (dimension ids, importance scale, one example row) and stop")
@options.out(None, "output folder (default: assessment-ID)")
@options.formats
@options.dpi
@options.name_lang
@options.data_dir
def assess(
    forms: tuple[Path, ...],
    technology_id: str | None,
    label: str | None,
    sheet: str | None,
    template: Path | None,
    out: Path | None,
    formats: str,
    dpi: int,
    name_lang: str,
    data_dir: Path,
) -> None:
    from .. import assess as tool
    from .. import tools
    from ..params import ParameterError

    if template:
        write_template(template, tool.write_template)
        return
    if not forms or technology_id is None or label is None:
        raise UsageError("give the form(s), --id and --label (or --template FILE to write a blank form)")
    _check_id(technology_id)
    try:
        tool.check_label(label)
    except ParameterError as exc:
        raise UsageError(f"--label: {exc}") from None
    check_form_paths(forms)
    folder = out or Path(f"assessment-{technology_id}")

    def run():
        for form in forms:  # read and checked here, before any kernel starts
            say_read(tool.load_assessment(form, data_dir, sheet))
        return tools.run_assessment(
            list(forms) if len(forms) > 1 else forms[0],
            technology_id,
            label,
            folder,
            data_dir=data_dir,
            formats=formats,
            dpi=dpi,
            name_lang=name_lang,
            sheet=sheet,
            executed_notebook=Path(folder) / f"new_assessment-{technology_id}.ipynb",
        )

    run_tool(run, folder)


@click.command(
    "app-check",
    short_help="check an AI-based consumer app with chapter 8's criteria",
    help="Run notebooks/tools/app_check on a form with one row per criterion of chapter 8's checklist "
    "(criterion_id, finding: concern, no_concern, unclear or not_assessed, evidence, source_url, "
    "checked_on YYYY-MM-DD): the user's findings beside the chapter's evidence for TikTok, WeChat "
    "and Face++ (table and chart) and a count per finding. Every output is the user's assessment, "
    f"not the report's.\n\nFORM: {FORM_HELP} (example: data/examples/app_check_example.csv)",
)
@click.argument("form", required=False, type=options.PATH, metavar="[FORM]")
@click.option("--app", metavar="NAME", help="the app's name as shown in titles, e.g. 'ExampleChat'")
@options.out(None, "output folder (missing, empty or made by osa-report)", metavar="DIR")
@options.sheet
@options.template("write a blank form (every criterion's id and printed name, the allowed findings) and stop")
@options.formats
@options.dpi
@options.data_dir
def app_check(
    form: Path | None,
    app: str | None,
    out: Path | None,
    sheet: str | None,
    template: Path | None,
    formats: str,
    dpi: int,
    data_dir: Path,
) -> None:
    """Chapter 8's checklist filled in by the user for one app: --template writes the blank form;
    otherwise the form, --app and --out are checked before the notebook runs."""
    from .. import appcheck as tool
    from .. import tools

    if template:
        if form is not None:
            raise UsageError("give either a form to check or --template FILE, not both")
        write_template(template, lambda path: tool.write_template(path, data_dir))
        return
    if form is None or app is None or out is None:
        raise UsageError("give the form, --app NAME and --out DIR (or --template FILE to write a blank form)")
    check_form_paths([form])
    folder = out

    def run():
        slug = tool.app_slug(app)
        say_read(tool.load_app_check(form, data_dir, sheet))  # before any kernel starts
        return tools.run_app_check(
            form,
            app,
            folder,
            data_dir=data_dir,
            formats=formats,
            dpi=dpi,
            executed_notebook=Path(folder) / f"app_check-{slug}.ipynb",
            sheet=sheet,
        )

    run_tool(run, folder)
