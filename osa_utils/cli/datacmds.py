"""``validate`` and ``cite``: the commands that read the data package only."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import OSAError, UsageError
from . import options
from .messages import Reported, new_file_problem, print_problems, say
from .stdout import stdout_note

CITE_FORMATS = ("bibtex", "biblatex", "csl-json", "ris")


@click.command(
    short_help="check data/ against data/datapackage.json",
    help="Check every CSV against data/datapackage.json and print every problem as "
    "file:row:column: problem (found X, expected Y).",
)
@options.data_dir
def validate(data_dir: Path) -> None:
    from ..data import check, read_descriptor

    problems = check(data_dir)
    if problems:
        print_problems(problems)
        say(f"{len(problems)} problem(s) found in {data_dir}", err=True)
        raise Reported()
    n = len(read_descriptor(data_dir)["resources"])
    say(f"{data_dir}: {n} tables valid against datapackage.json")


@click.command(
    short_help="export the works the report's footnotes cite as a bibliography",
    help="Export the distinct works the footnotes cite (data/sources.csv) as BibTeX, biblatex, "
    "CSL-JSON or RIS: all of them (with entries for the report itself and for this collection), "
    "those a figure rests on (--figure) or those one footnote cites (--footnote; no output, "
    "exit 0, when it cites none).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(CITE_FORMATS),
    default="bibtex",
    help="output format: bibtex (classic: standard entry types, year/month; for BibTeX, natbib, "
    "bibtexparser), biblatex (@online, @report, date, urldate; for biber), csl-json (Zotero, "
    "pandoc, citeproc), ris (EndNote, Zotero) (default: bibtex)",
)
@click.option("--figure", metavar="ID", help="only the works figure ID rests on (e.g. box1, s3.1)")
@click.option("--footnote", type=int, metavar="N", help="only the works footnote N cites, in printed order")
@click.option("--output", "-o", type=options.PATH, metavar="OUTPUT", help="write to a file instead of standard output")
@options.data_dir
def cite(fmt: str, figure: str | None, footnote: int | None, output: Path | None, data_dir: Path) -> None:
    from ..cite import main as cite_main

    if figure is not None and footnote is not None:
        raise click.UsageError("--figure and --footnote cannot be used together")
    if output and str(output) != "-":
        from ..outdir import protected

        found = protected(output, data_dir)  # data/, notebooks/, osa_utils/, figures/, .git/ stay ours
        if found is not None:
            how, what, where = found
            raise UsageError(f"--output {output} {how} {what} ({where}); write the bibliography elsewhere")
    try:
        text = cite_main(fmt, figure, data_dir, footnote=footnote)
    except KeyError as exc:  # an unknown figure or footnote
        raise UsageError(exc.args[0] if exc.args else exc) from None
    if not text.strip() or text.strip() == "[]":
        what = f"footnote {footnote}" if footnote is not None else f"figure {figure}" if figure else "the data"
        say(f"{what} cites no work: nothing to export", err=True)
    if output and str(output) != "-":
        _write_new(output, text)
        say(f"written {output}", err=True)
    elif text:  # a footnote or figure citing no work: no output at all (CSL-JSON still prints [])
        stdout_note(f"the {fmt} bibliography is missing or incomplete")
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _write_new(output: Path, text: str) -> None:
    """*text* into the new file *output* (never over an existing one, never through a link)."""
    problem = new_file_problem(output, "--output")
    if problem:
        raise UsageError(problem)
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:  # e.g. the disk is full: remove the half-written file this run created
        Path(output).unlink(missing_ok=True)
        raise OSAError(f"cannot write {output}: {exc.strerror or exc}; nothing was written") from None
