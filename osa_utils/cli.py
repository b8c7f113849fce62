"""``osa-report``: the collection's command line.

Subcommands import what they need when they run, so ``osa-report --help`` is quick.
A user's mistake (bad data, a wrong parameter) ends with a message and exit 1,
not a traceback; a traceback means a bug in this package.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_validate(args) -> int:
    from .data import check, read_descriptor

    problems = check(args.data_dir)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{len(problems)} problem(s) found in {args.data_dir}", file=sys.stderr)
        return 1
    n = len(read_descriptor(args.data_dir)["resources"])
    print(f"{args.data_dir}: {n} tables valid against datapackage.json")
    return 0


def _data_problems(exc) -> int:
    for p in exc.problems:
        print(p, file=sys.stderr)
    print(f"{len(exc.problems)} data problem(s): nothing was built; the previous output is unchanged",
          file=sys.stderr)
    return 1


def _overrides(pairs) -> dict:
    from .build import parse_value

    return {k: parse_value(v) for k, v in (pairs or [])}


def _build(unchanged: str, **kwargs):
    """Run the batch build; a user error becomes a message and an exit code, not a traceback.

    Returns (result, None) or (None, exit code). *unchanged* names what an error leaves as it was.
    """
    from .build import BuildError, run
    from .data import DataValidationError

    try:
        return run(**kwargs), None
    except DataValidationError as exc:
        return None, _data_problems(exc)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None, 2
    except KeyboardInterrupt:
        print(f"interrupted: {unchanged} is unchanged", file=sys.stderr)
        return None, 130


def _report_failures(result) -> None:
    for r in result.failed:
        e = r.error or {}
        print(f"notebook {r.name} failed in cell {e.get('cell')}: {e.get('ename')}: {e.get('evalue')}",
              file=sys.stderr)


def _cmd_build(args) -> int:
    from .build import summary

    result, rc = _build("the previous report", data_dir=args.data_dir, out=args.out, jobs=args.jobs,
                        force=args.force, only=args.only, overrides=_overrides(args.p),
                        notebooks_dir=args.notebooks_dir)
    if result is None:
        return rc
    print(summary(result))
    print(f"report assembled in {result.assemble_seconds:.2f} s")
    if args.pdf:
        from .report import print_pdf

        print(print_pdf(result.out / "index.html", result.out / "report.pdf"))
    print(f"report: {result.out / 'index.html'}")
    _report_failures(result)
    return 1 if result.failed else 0


def _cmd_figures(args) -> int:
    """Regenerate the committed reference figures: every notebook with its defaults."""
    import shutil
    import tempfile

    from .build import replace_dir, summary

    out = args.out.resolve()
    work = Path(tempfile.mkdtemp(prefix="osa-figures-"))
    try:
        result, rc = _build(str(out), data_dir=args.data_dir, out=work / "build", jobs=args.jobs,
                            force=True, report=False)
        if result is None:
            return rc
        print(summary(result))
        if result.failed:
            _report_failures(result)
            print(f"{out} left unchanged because a notebook failed", file=sys.stderr)
            return 1
        staged = out.with_name(f".{out.name}.new")
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(work / "build" / "figures", staged)
        replace_dir(staged, out)
        print(f"figures written to {out}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _cmd_verify(args) -> int:
    """Rebuild every figure into a temporary folder and compare with the committed figures/."""
    import shutil
    import tempfile

    from .build import compare_figures

    work = Path(tempfile.mkdtemp(prefix="osa-verify-"))
    try:
        result, rc = _build("nothing", data_dir=args.data_dir, out=work / "build", jobs=args.jobs,
                            force=True, report=False)
        if result is None:
            return rc
        rows = compare_figures(args.figures, work / "build" / "figures")
        width = max(len(r[0]) for r in rows) if rows else 10
        print(f"{'file':<{width}}  verdict     detail")
        for name, verdict, detail in rows:
            print(f"{name:<{width}}  {verdict:<10}  {detail}")
        bad = [r for r in rows if r[1] != "identical"]
        _report_failures(result)
        print(f"{len(rows) - len(bad)} identical, {len(bad)} different, missing or unexpected")
        return 1 if bad or result.failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _cmd_cite(args) -> int:
    from .cite import main as cite_main
    from .data import DataValidationError

    try:
        text = cite_main(args.format, args.figure, args.data_dir)
    except DataValidationError as exc:
        return _data_problems(exc)
    except KeyError as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"written {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _cmd_assess(args) -> int:
    from .assess import AssessmentError, run_assessment
    from .params import ParameterError

    out = args.out or Path(f"assessment-{args.id}")
    Path(out).mkdir(parents=True, exist_ok=True)  # keeps the executed notebook, also of a failed run
    try:
        files = run_assessment(args.csv, args.id, args.label, out, data_dir=args.data_dir,
                               formats=args.formats, dpi=args.dpi, name_lang=args.name_lang,
                               executed_notebook=Path(out) / f"new_assessment-{args.id}.ipynb")
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AssessmentError as exc:
        print(exc, file=sys.stderr)
        return 1
    for f in files:
        print(f)
    print(f"{len(files)} file(s) written to {out}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import DEFAULT_DATA_DIR, PROJECT_ROOT

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
    p.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: number of CPUs)")
    p.add_argument("--force", action="store_true", help="execute every notebook, ignoring the cache")
    p.add_argument("--only", nargs="+", metavar="NAME", help="build only these notebooks (e.g. 02_chip_design)")
    p.add_argument("-p", nargs=2, action="append", metavar=("KEY", "VALUE"),
                   help="set a notebook parameter for all notebooks that declare it (e.g. -p name_lang zh)")
    p.add_argument("--pdf", action="store_true", help="also print OUT/report.pdf with headless Chromium")
    p.add_argument("--notebooks-dir", type=Path, default=PROJECT_ROOT / "notebooks",
                   help="folder of the notebooks to run (default: %(default)s)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("figures", help="regenerate the committed reference figures (figures/)",
                       description="Execute every notebook with its default parameters and replace the "
                                   "figures folder with their output.")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "figures", help="figures folder (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: number of CPUs)")
    p.set_defaults(func=_cmd_figures)

    p = sub.add_parser("verify", help="rebuild every figure and compare with the committed figures/",
                       description="For reviewers: rebuild all figures and tables into a temporary folder, "
                                   "compare them with figures/ and print one line per file (identical, "
                                   "differs with the share of differing pixels, missing, unexpected). "
                                   "Exit 1 on any difference.")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.add_argument("--figures", type=Path, default=PROJECT_ROOT / "figures",
                   help="committed reference figures (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run in parallel (default: number of CPUs)")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("cite", help="export the report's footnotes as a bibliography",
                       description="Export references.csv as BibTeX or CSL-JSON: all 270 footnotes, or those "
                                   "a figure rests on (--figure).")
    p.add_argument("--format", choices=["bibtex", "csl-json"], default="bibtex")
    p.add_argument("--figure", metavar="ID", help="only the footnotes figure ID rests on (e.g. box1, s3.1)")
    p.add_argument("--output", "-o", type=Path, help="write to a file instead of standard output")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.set_defaults(func=_cmd_cite)

    p = sub.add_parser("assess", help="apply the report's method to a new technology",
                       description="Run notebooks/new_assessment on a CSV with one row per challenge "
                                   "(dimension_id, challenge, importance 1-4, optional instrument): the chapter-"
                                   "style risk table and profile, the Figure 0.1 matrix with the new technology as "
                                   "an eighth row, and Figure 0.3's typical instruments for dimensions scored 3-4.")
    p.add_argument("csv", type=Path, help="the assessment CSV (example: data/examples/assessment_quantum.csv)")
    p.add_argument("--id", required=True, help="technology id, [a-z0-9_]+, not one of the report's")
    p.add_argument("--label", required=True, help="row label for the matrix")
    p.add_argument("--out", type=Path, help="output folder (default: assessment-ID)")
    p.add_argument("--formats", default="png,svg", help="png, svg, pdf (default: %(default)s)")
    p.add_argument("--dpi", type=int, default=150)
    p.add_argument("--name-lang", default="en", choices=["en", "zh", "en+zh"])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data package folder (default: %(default)s)")
    p.set_defaults(func=_cmd_assess)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
