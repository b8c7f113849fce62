"""``osa-report``: the collection's command line.

Subcommands import what they need when they run, so ``osa-report --help`` is quick.
A user's mistake (bad data, a wrong parameter) ends with a message and exit 1,
not a traceback; a traceback means a bug in this package.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _cmd_validate(args) -> int:
    from .data import check, read_descriptor
    from .userdata import printable

    problems = check(args.data_dir)
    if problems:
        _print_problems(problems)
        print(printable(f"{len(problems)} problem(s) found in {args.data_dir}"), file=sys.stderr)
        return 1
    n = len(read_descriptor(args.data_dir)["resources"])
    print(printable(f"{args.data_dir}: {n} tables valid against datapackage.json"))
    return 0


def _new_file_problem(path: Path, option: str) -> str | None:
    """Why *path* may not be written as a new file (the tool never overwrites what it did not make)."""
    if path.is_symlink() or path.exists():
        return f"{option} {path} exists; it is written only as a new file (remove it first, or pick another name)"
    if not path.parent.is_dir():
        return f"{option} {path}: the folder {path.parent} does not exist"
    return None


#: Problems listed one per line before the rest are only counted.
MAX_LISTED = 1000


def _print_problems(problems) -> None:
    for p in problems[:MAX_LISTED]:
        print(p, file=sys.stderr)
    if len(problems) > MAX_LISTED:
        print(f"... and {len(problems) - MAX_LISTED} more problem(s) not listed (first {MAX_LISTED} shown)",
              file=sys.stderr)


def _data_problems(exc, consequence: str = "nothing was built; the previous output is unchanged") -> int:
    _print_problems(exc.problems)
    print(f"{len(exc.problems)} data problem(s): {consequence}", file=sys.stderr)
    return 1


def _overrides(pairs) -> dict:
    from .build import parse_value

    return {k: parse_value(v) for k, v in (pairs or [])}


def _build(unchanged: str, **kwargs):
    """Run the batch build; a user error becomes a message and an exit code, not a traceback.

    Returns (result, None) or (None, exit code): 2 for a wrong command line or
    parameter (as argparse), 1 for bad data (as ``validate``), 3 when another build
    is writing the same output, 130 when interrupted. *unchanged* names what an
    error leaves as it was.
    """
    from .build import BuildError, run
    from .data import DataValidationError
    from .outdir import BusyError, OutputError
    from .userdata import printable

    try:
        return run(**kwargs), None
    except DataValidationError as exc:
        return None, _data_problems(exc)
    except (BuildError, OutputError) as exc:
        print(printable(f"error: {exc}"), file=sys.stderr)
        return None, 2
    except BusyError as exc:
        print(printable(f"error: {exc}"), file=sys.stderr)
        return None, 3
    except KeyboardInterrupt:
        print(printable(f"interrupted: {unchanged} unchanged"), file=sys.stderr)
        return None, 130
    except OSError as exc:
        print(printable(f"error: {_os_error(exc, Path(kwargs['out']).absolute().parent)}; {unchanged} unchanged"),
              file=sys.stderr)
        return None, _os_error_status(exc)


#: File-system errors that a different output folder avoids (exit 2, as a wrong --out); any other
#: (a full disk, an I/O error) is exit 1.
_USAGE_ERRNOS = {"EROFS", "EACCES", "EPERM", "ENAMETOOLONG", "ENOTDIR", "EISDIR", "ELOOP"}


def _os_error(exc: OSError, folder: Path | None = None) -> str:
    """One line for a file-system error: what could not be written where (the file, else the folder
    being written), and why."""
    import errno
    import shutil

    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        _, dst, why = exc.args[0][0]  # copytree's list of (source, destination, reason)
        more = len(exc.args[0]) - 1
        return f"{why} (copying to {dst})" + (f" and {more} more file(s)" if more else "")
    why = exc.strerror or str(exc)
    where = f": {exc.filename}" if exc.filename else f" (writing in {folder})" if folder is not None else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        where += "; free some space, or choose an --out or TMPDIR on another disk"
    return f"{why}{where}"


def _os_error_status(exc: OSError) -> int:
    import errno

    return 2 if errno.errorcode.get(exc.errno) in _USAGE_ERRNOS else 1


def _report_failures(result) -> None:
    from .userdata import printable

    for r in result.failed:
        e = r.error or {}
        if e.get("timeout"):  # "timed out after N s; its kernel was stopped"
            running = f" (it was running cell {e['cell']})" if e.get("cell") else ""
            print(printable(f"notebook {r.name} {e.get('evalue')}{running}"), file=sys.stderr)
        else:
            cell = f" in cell {e['cell']}" if e.get("cell") else ""
            print(printable(f"notebook {r.name} failed{cell}: {e.get('ename')}: {e.get('evalue')}"), file=sys.stderr)


def _cmd_build(args) -> int:
    from .build import summary
    from .userdata import printable

    if args.pdf:  # a wrong OSA_PDF_TIMEOUT is a usage error before anything is built
        from .report import PdfError, pdf_timeout

        try:
            pdf_timeout()
        except PdfError as exc:
            print(printable(f"error: {exc}"), file=sys.stderr)
            return 2
    result, rc = _build("the previous report is", data_dir=args.data_dir, out=args.out, jobs=args.jobs,
                        force=args.force, only=args.only, overrides=_overrides(args.p),
                        notebooks_dir=args.notebooks_dir, wait=args.wait, timeout=args.timeout, pdf=args.pdf)
    if result is None:
        return rc
    _stdout_note(f"the report was published: {result.out / 'index.html'}")
    try:
        print(printable(summary(result)))
        print(f"report assembled in {result.assemble_seconds:.2f} s")
        if result.pdf_message:
            print(printable(result.pdf_message), file=sys.stderr if result.pdf_failed else sys.stdout)
        print(printable(f"report: {result.out / 'index.html'}"))
    finally:  # the failed notebooks are named on stderr even when stdout cannot be written
        _report_failures(result)
    return 1 if result.failed or result.pdf_failed else 0


def _scratch_build(unchanged: str, args):
    """Every notebook with its defaults, forced, into a scratch folder (no report).

    Returns (scratch folder, result, exit code or None); the caller removes the folder.
    """
    import shutil
    import tempfile

    from .userdata import printable

    try:
        work = Path(tempfile.mkdtemp(prefix="osa-figures-"))
    except OSError as exc:
        print(printable(f"error: no scratch folder for the figures: {exc.strerror or exc} (in {tempfile.gettempdir()}; "
                        f"set TMPDIR to a folder with space); {unchanged} unchanged"), file=sys.stderr)
        return None, None, _os_error_status(exc)
    try:
        result, rc = _build(unchanged, data_dir=args.data_dir, out=work / "build", jobs=args.jobs,
                            force=True, report=False, notebooks_dir=args.notebooks_dir, timeout=args.timeout)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return work, result, rc


def _cmd_figures(args) -> int:
    """Regenerate the committed reference figures: every notebook with its defaults.

    OUT follows the output-folder rule (missing, empty or made by this tool) and is
    locked while it is written; each file is replaced atomically, and files this
    command wrote before and no longer produces are removed (none other).
    """
    import shutil

    from . import outdir
    from .build import summary
    from .userdata import printable

    try:
        loc = outdir.check(args.out, args.data_dir, kind="figures")
    except outdir.OutputError as exc:
        print(printable(f"error: {exc}"), file=sys.stderr)
        return 2
    try:
        with outdir.lock(loc, wait=args.wait, say=lambda m: print(m, file=sys.stderr)):
            work, result, rc = _scratch_build(f"{loc} is", args)
            if work is None:
                return rc
            try:
                if result is None:
                    return rc
                print(printable(summary(result)))
                if result.failed:
                    _report_failures(result)
                    print(printable(f"{loc} left unchanged because a notebook failed"), file=sys.stderr)
                    return 1
                names = outdir.publish_in_place(result.out / "figures", loc)
                _stdout_note(f"the figures of {loc} were replaced")
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except OSError as exc:  # a full disk or a read-only folder while the figures were replaced
        print(printable(f"error: {_os_error(exc, loc)}; the files of {loc} not yet replaced are unchanged"),
              file=sys.stderr)
        return _os_error_status(exc)
    except outdir.BusyError as exc:
        print(printable(f"error: {exc}"), file=sys.stderr)
        return 3
    except outdir.OutputError as exc:
        print(printable(f"error: {exc}"), file=sys.stderr)
        return 2
    print(printable(f"{len(names)} figure and table files written to {loc}"))
    return 0


def _cmd_verify(args) -> int:
    """Rebuild every figure into a temporary folder and compare with the committed figures/."""
    import shutil

    from .build import compare_figures
    from .userdata import printable

    if not args.figures.is_dir():
        print(printable(f"error: --figures {args.figures} is not a folder of reference figures"), file=sys.stderr)
        return 2
    work, result, rc = _scratch_build("the reference figures are", args)
    if work is None:
        return rc
    try:
        if result is None:
            return rc
        rows = compare_figures(args.figures, result.out / "figures")
        width = max(len(r[0]) for r in rows) if rows else 10
        print(f"{'file':<{width}}  verdict     detail")
        for name, verdict, detail in rows:
            print(f"{name:<{width}}  {verdict:<10}  {detail}")
        bad = [r for r in rows if r[1] != "identical"]
        _report_failures(result)
        print(f"{len(rows) - len(bad)} identical, {len(bad)} different, missing, unexpected or unreadable")
        return 1 if bad or result.failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _cmd_cite(args) -> int:
    from .cite import main as cite_main
    from .data import DataValidationError
    from .userdata import printable

    try:
        text = cite_main(args.format, args.figure, args.data_dir, footnote=args.footnote)
    except DataValidationError as exc:
        return _data_problems(exc)
    except KeyError as exc:
        print(printable(f"error: {exc.args[0] if exc.args else exc}"), file=sys.stderr)
        return 2
    if not text.strip() or text.strip() == "[]":
        what = f"footnote {args.footnote}" if args.footnote is not None else \
            f"figure {args.figure}" if args.figure else "the data"
        print(printable(f"{what} cites no work: nothing to export"), file=sys.stderr)
    if args.output and str(args.output) != "-":
        problem = _new_file_problem(args.output, "--output")
        if problem:
            print(printable(f"error: {problem}"), file=sys.stderr)
            return 2
        try:
            fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            print(printable(f"error: cannot write {args.output}: {exc.strerror or exc}"), file=sys.stderr)
            return 2
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:  # e.g. the disk is full: remove the half-written file this run created
            Path(args.output).unlink(missing_ok=True)
            print(printable(f"error: cannot write {args.output}: {exc.strerror or exc}; nothing was written"),
                  file=sys.stderr)
            return 1
        print(printable(f"written {args.output}"), file=sys.stderr)
    elif text:  # a footnote or figure citing no work: no output at all (CSL-JSON still prints [])
        _stdout_note(f"the {args.format} bibliography is missing or incomplete")
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _write_template(path: Path, write) -> int:
    """--template of assess and app-check: a blank form written only as a new .csv or .xlsx file."""
    from .data import DataValidationError
    from .userdata import printable

    problem = _new_file_problem(path, "--template")
    if problem:
        print(printable(f"error: {problem}"), file=sys.stderr)
        return 2
    if path.suffix.lower() not in (".csv", ".xlsx"):
        print(printable(f"error: --template {path}: give a file name ending in .csv or .xlsx"), file=sys.stderr)
        return 2
    try:
        written = write(path)
    except DataValidationError as exc:
        return _data_problems(exc, "no form was written")
    except FileExistsError:  # made by someone else since the check above: not touched
        problem = _new_file_problem(path, "--template") or f"--template {path} exists; it is written only as a new file"
        print(printable(f"error: {problem}"), file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only folder: the half-written form is already removed
        print(printable(f"error: --template {path}: cannot write it: {exc.strerror or exc}; no form was written"),
              file=sys.stderr)
        return _os_error_status(exc)
    _stdout_note(f"the blank form was written: {written}")
    print(printable(f"blank form written to {written}"))
    return 0


def _run_tool(run, out) -> int:
    """Run a tool (assess, app-check) whose forms are checked before its notebook starts: exit 2 for
    a wrong parameter or output folder, 1 for a bad form or a failing notebook, 0 with the files listed."""
    from .assess import AssessmentError
    from .data import DataValidationError
    from .panel import PanelError
    from .params import ParameterError

    from .userdata import printable

    try:
        files = run()
    except (ParameterError, PanelError) as exc:
        print(f"error: {printable(exc)}", file=sys.stderr)
        return 2
    except AssessmentError as exc:
        print(printable(exc), file=sys.stderr)
        return 1
    except DataValidationError as exc:
        return _data_problems(exc, "nothing was run")
    except OSError as exc:  # a full disk, a read-only TMPDIR: execute_tool removed the folder if it made it
        gone = "; the folder this run created was removed" if not Path(out).exists() else ""
        print(printable(f"error: cannot write the output folder {out}: {_os_error(exc)}{gone}"), file=sys.stderr)
        return _os_error_status(exc)
    _stdout_note(f"{len(files)} file(s) were written to {out}")
    for f in files:
        print(printable(f))
    print(f"{len(files)} file(s) written to {printable(out)}", file=sys.stderr)
    return 0


def _say_read(frame) -> None:
    """How a form was read; its file name comes from the user and is printed with control characters
    escaped (as every other terminal line of assess and app-check)."""
    from .userdata import printable

    skipped = frame.attrs.get("skipped")
    print(printable(f"read {frame.attrs['read']}" + (f"; {skipped} unfilled row(s) of the form skipped"
                                                      if skipped else "")), file=sys.stderr)


def _form_path_problem(paths) -> str | None:
    """Why a form given on the command line cannot be read (a folder, missing, a name with control
    characters): the same words and exit 2 in assess and app-check."""
    from .assess import check_form_name
    from .params import ParameterError
    from .userdata import check_form_path, printable

    for path in paths:
        problem = check_form_path(path)
        if problem:
            return printable(problem)
        try:
            check_form_name(path)
        except ParameterError as exc:
            return str(exc)
    return None


def _cmd_assess(args) -> int:
    from .assess import load_assessment, run_assessment, write_template

    if args.template:
        return _write_template(args.template, write_template)
    if not args.csv or args.id is None or args.label is None:
        print("error: give the form(s), --id and --label (or --template FILE to write a blank form)", file=sys.stderr)
        return 2
    from .assess import MAX_TECHNOLOGY_ID, TECHNOLOGY_ID_PATTERN, check_label
    from .params import ParameterError
    from .userdata import non_ascii_named, printable

    import re

    if not re.fullmatch(TECHNOLOGY_ID_PATTERN, args.id) or len(args.id) > MAX_TECHNOLOGY_ID:
        shown = args.id if len(args.id) <= 60 else args.id[:60] + f"... ({len(args.id)} characters)"
        odd = non_ascii_named(shown)
        shown = ascii(shown) + (f", which holds non-ASCII {odd}" if odd else "")
        print(printable(f"error: --id {shown} is not allowed; allowed values: 1 to {MAX_TECHNOLOGY_ID} lower-case "
                        f"letters, digits and '_' (pattern {TECHNOLOGY_ID_PATTERN}), e.g. quantum_computing"),
              file=sys.stderr)
        return 2
    try:
        check_label(args.label)
    except ParameterError as exc:
        print(printable(f"error: --label: {exc}"), file=sys.stderr)
        return 2
    problem = _form_path_problem(args.csv)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    out = args.out or Path(f"assessment-{args.id}")

    def run():
        for form in args.csv:  # read and checked here, before any kernel starts
            _say_read(load_assessment(form, args.data_dir, args.sheet))
        return run_assessment(args.csv if len(args.csv) > 1 else args.csv[0], args.id, args.label, out,
                              data_dir=args.data_dir, formats=args.formats, dpi=args.dpi,
                              name_lang=args.name_lang, sheet=args.sheet,
                              executed_notebook=Path(out) / f"new_assessment-{args.id}.ipynb")

    return _run_tool(run, out)


def _cmd_app_check(args) -> int:
    """Chapter 8's checklist filled in by the user for one app: --template writes the blank form;
    otherwise the form, --app and --out are checked before the notebook runs."""
    from .appcheck import app_slug, load_app_check, run_app_check, write_template

    if args.template:
        if args.form is not None:
            print("error: give either a form to check or --template FILE, not both", file=sys.stderr)
            return 2
        return _write_template(args.template, lambda path: write_template(path, args.data_dir))
    if args.form is None or args.app is None or args.out is None:
        print("error: give the form, --app NAME and --out DIR (or --template FILE to write a blank form)",
              file=sys.stderr)
        return 2
    problem = _form_path_problem([args.form])
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2

    def run():
        slug = app_slug(args.app)
        _say_read(load_app_check(args.form, args.data_dir, args.sheet))  # before any kernel starts
        return run_app_check(args.form, args.app, args.out, data_dir=args.data_dir, formats=args.formats,
                             dpi=args.dpi, executed_notebook=Path(args.out) / f"app_check-{slug}.ipynb",
                             sheet=args.sheet)

    return _run_tool(run, args.out)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    from . import DEFAULT_DATA_DIR, PROJECT_ROOT

    DEFAULT_TIMEOUT = 1800.0  # = osa_utils.build.DEFAULT_TIMEOUT (a test checks), not imported: --help stays quick

    parser = argparse.ArgumentParser(
        prog="osa-report",
        description="Validate, build and check the reproducible edition of 'Europe's Strategic "
                    "Technology Autonomy from China' (Digital Power China, 2023).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check data/ against data/datapackage.json",
                       description="Check every CSV against data/datapackage.json and print every "
                                   "problem as file:row:column: problem (found X, expected Y).")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("build", help="execute the notebooks and build the regenerated report",
                       description="Execute the chapter notebooks with papermill (re-running only those whose "
                                   "source, data, osa_utils, parameters or environment changed) and assemble "
                                   "OUT/index.html. The previous report is replaced only when the new one is complete.")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.add_argument("--out", type=Path, default=Path("report"), help="output folder (default: %(default)s)")
    p.add_argument("--jobs", type=_positive, default=None, help="notebooks run in parallel (default: number of CPUs)")
    p.add_argument("--force", action="store_true", help="execute every notebook, ignoring the cache")
    p.add_argument("--only", nargs="+", metavar="NAME", help="build only these notebooks (e.g. 02_chip_design)")
    p.add_argument("-p", nargs=2, action="append", metavar=("KEY", "VALUE"),
                   help="set a notebook parameter for all notebooks that declare it (e.g. -p name_lang zh)")
    p.add_argument("--pdf", action="store_true", help="also print OUT/report.pdf with headless Chromium")
    p.add_argument("--wait", action="store_true",
                   help="if another build is writing OUT, wait for it instead of exiting with status 3")
    p.add_argument("--notebooks-dir", type=Path, default=PROJECT_ROOT / "notebooks",
                   help="folder of the notebooks to run (default: %(default)s)")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="stop a notebook that runs longer than this and report it as timed out; the other "
                        "notebooks go on (default: %(default)g)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("figures", help="regenerate the committed reference figures (figures/)",
                       description="Execute every notebook with its default parameters and replace the "
                                   "figures folder with their output.")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "figures", help="figures folder (default: %(default)s)")
    p.add_argument("--jobs", type=_positive, default=None, help="notebooks run in parallel (default: number of CPUs)")
    p.add_argument("--wait", action="store_true", help="wait for another run writing OUT instead of exiting")
    p.add_argument("--notebooks-dir", type=Path, default=PROJECT_ROOT / "notebooks",
                   help="folder of the notebooks to run (default: %(default)s)")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="stop a notebook that runs longer than this and report it as timed out; the other "
                        "notebooks go on (default: %(default)g)")
    p.set_defaults(func=_cmd_figures)

    p = sub.add_parser("verify", help="rebuild every figure and compare with the committed figures/",
                       description="For reviewers: rebuild all figures and tables into a temporary folder, "
                                   "compare them with figures/ and print one line per file (identical, "
                                   "differs with the number of differing pixels, missing, unexpected, "
                                   "unreadable for a PNG that cannot be decoded). Exit 1 on any difference.")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.add_argument("--figures", type=Path, default=PROJECT_ROOT / "figures",
                   help="committed reference figures (default: %(default)s)")
    p.add_argument("--jobs", type=_positive, default=None, help="notebooks run in parallel (default: number of CPUs)")
    p.add_argument("--notebooks-dir", type=Path, default=PROJECT_ROOT / "notebooks",
                   help="folder of the notebooks to run (default: %(default)s)")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="stop a notebook that runs longer than this and report it as timed out; the other "
                        "notebooks go on (default: %(default)g)")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("cite", help="export the works the report's footnotes cite as a bibliography",
                       description="Export the distinct works the footnotes cite (data/sources.csv) as BibTeX, "
                                   "biblatex, CSL-JSON or RIS: all of them (with entries for the report itself "
                                   "and for this collection), those a figure rests on (--figure) or those one "
                                   "footnote cites (--footnote; no output, exit 0, when it cites none).")
    p.add_argument("--format", choices=["bibtex", "biblatex", "csl-json", "ris"], default="bibtex",
                   help="output format: bibtex (classic: standard entry types, year/month; for BibTeX, natbib, "
                        "bibtexparser), biblatex (@online, @report, date, urldate; for biber), csl-json (Zotero, "
                        "pandoc, citeproc), ris (EndNote, Zotero) (default: %(default)s)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--figure", metavar="ID", help="only the works figure ID rests on (e.g. box1, s3.1)")
    which.add_argument("--footnote", metavar="N", type=int, help="only the works footnote N cites, in printed order")
    p.add_argument("--output", "-o", type=Path, help="write to a file instead of standard output")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.set_defaults(func=_cmd_cite)

    p = sub.add_parser("assess", help="apply the report's method to a new technology",
                       description="Run notebooks/new_assessment on a CSV with one row per challenge "
                                   "(dimension_id, challenge, importance 1-4, optional instrument): the chapter-"
                                   "style risk table and profile, the Figure 0.1 matrix with the new technology as "
                                   "an eighth row, and Figure 0.3's typical instruments for dimensions scored 3-4.")
    p.add_argument("csv", type=Path, nargs="*", metavar="FORM",
                   help="the assessment form: .csv (comma or semicolon, UTF-8 with or without BOM, LF or CRLF) "
                        "or .xlsx (example: data/examples/assessment_quantum.csv); several forms are a panel, "
                        "one per assessor (named by file name), or give one form with an 'assessor' column")
    p.add_argument("--id", help="technology id, [a-z0-9_]+, not one of the report's")
    p.add_argument("--label", help="row label for the matrix")
    p.add_argument("--sheet", help="the sheet of an .xlsx form (default: the first)")
    p.add_argument("--template", type=Path, metavar="FILE.csv|FILE.xlsx",
                   help="write a blank form (dimension ids, importance scale, one example row) and stop")
    p.add_argument("--out", type=Path, help="output folder (default: assessment-ID)")
    p.add_argument("--formats", default="png,svg", help="png, svg, pdf (default: %(default)s)")
    p.add_argument("--dpi", type=int, default=150)
    p.add_argument("--name-lang", default="en", choices=["en", "zh", "en+zh"])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.set_defaults(func=_cmd_assess)

    p = sub.add_parser("app-check", help="check an AI-based consumer app with chapter 8's criteria",
                       description="Run notebooks/tools/app_check on a form with one row per criterion of "
                                   "chapter 8's checklist (criterion_id, finding: concern, no_concern, unclear or "
                                   "not_assessed, evidence, source_url, checked_on YYYY-MM-DD): the user's findings "
                                   "beside the chapter's evidence for TikTok, WeChat and Face++ (table and chart) "
                                   "and a count per finding. Every output is the user's assessment, not the report's.")
    p.add_argument("form", type=Path, nargs="?", metavar="FORM",
                   help="the filled-in form: .csv (comma or semicolon, UTF-8 with or without BOM, LF or CRLF) or "
                        ".xlsx (example: data/examples/app_check_example.csv)")
    p.add_argument("--app", metavar="NAME", help="the app's name as shown in titles, e.g. 'ExampleChat'")
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (missing, empty or made by osa-report)")
    p.add_argument("--sheet", help="the sheet of an .xlsx form (default: the first)")
    p.add_argument("--template", type=Path, metavar="FILE.csv|FILE.xlsx",
                   help="write a blank form (every criterion's id and printed name, the allowed findings) and stop")
    p.add_argument("--formats", default="png,svg", help="png, svg, pdf (default: %(default)s)")
    p.add_argument("--dpi", type=int, default=150)
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.set_defaults(func=_cmd_app_check)
    return parser


class StdoutError(Exception):
    """Standard output is closed or cannot be written (a full disk, /dev/full): one line, exit 1.

    Not an OSError, so a command's file-system handlers do not mistake it for a failed write of
    its own files."""


class _GuardedStdout:
    """``sys.stdout`` while a command runs: a failed write or flush raises :class:`StdoutError`
    (a broken pipe, ``| head``, stays a BrokenPipeError). *note* is what a command has done that
    a reader of the error should know (e.g. that the report was published)."""

    def __init__(self, stream):
        self._stream = stream
        self.note: str | None = None

    def _call(self, name, *args):
        import errno

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


def _stdout_note(note: str) -> None:
    """What to add to a standard-output error from now on (the command's work is done)."""
    if isinstance(sys.stdout, _GuardedStdout):
        sys.stdout.note = note


def _open_std_fds() -> set[int]:
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
        sys.stderr = open(2, "w", closefd=False)
    return closed


def _silence_stdout() -> None:
    """After a failed write: standard output points at the null device, so Python's final flush of
    what is still buffered cannot print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    closed = _open_std_fds()
    parser = build_parser()
    args = parser.parse_args(argv)
    real = sys.stdout
    guard = _GuardedStdout(None if 1 in closed else real)
    sys.stdout = guard
    try:
        rc = args.func(args)
        sys.stdout.flush()
        return rc
    except BrokenPipeError:  # output piped into `head` and the like: not an error of the tool
        _silence_stdout()
        return 0
    except StdoutError as exc:
        from .userdata import printable

        _silence_stdout()
        note = f"; {guard.note}" if guard.note else ""
        print(printable(f"error: cannot write to standard output: {exc}{note}"), file=sys.stderr)
        return 1
    finally:
        sys.stdout = real if real is not None else open(1, "w", closefd=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
