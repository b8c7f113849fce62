"""``build``, ``figures`` and ``verify``: the commands that run the chapter notebooks."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click

from ..errors import Interrupted, OSAError, UsageError
from . import options
from .messages import Reported, fs_error, os_error, report_failures, say
from .stdout import stdout_note


def _build(unchanged: str, **kwargs):
    """The batch build; an interruption or a file-system error becomes an error saying that
    *unchanged* (what the build was to replace) is as it was."""
    from ..build import run

    failure: OSAError
    try:
        return run(**kwargs)
    except KeyboardInterrupt:
        failure = Interrupted(f"{unchanged} unchanged")
    except OSError as exc:
        failure = fs_error(f"{os_error(exc, Path(kwargs['out']).absolute().parent)}; {unchanged} unchanged", exc)
    # raised here, not in the handler: the build's frames (its worker pool) go with the caught exception
    # at once, not at the interpreter's exit through a reference cycle
    raise failure


@contextlib.contextmanager
def _scratch_build(unchanged: str, report: bool = False, **kwargs) -> Iterator:
    """Every notebook with its defaults, forced, into a scratch folder (the report page assembled
    only with *report*), removed afterwards."""
    try:
        work = Path(tempfile.mkdtemp(prefix="osa-figures-"))
    except OSError as exc:
        raise fs_error(
            f"no scratch folder for the figures: {exc.strerror or exc} (in {tempfile.gettempdir()}; "
            f"set TMPDIR to a folder with space); {unchanged} unchanged",
            exc,
        ) from None
    try:
        yield _build(unchanged, out=work / "build", force=True, report=report, **kwargs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@click.command(
    short_help="execute the notebooks and build the regenerated report",
    help="Execute the chapter notebooks with papermill (re-running only those whose source, data, "
    "osa_utils, parameters or environment changed) and assemble OUT/index.html. The previous "
    "report is replaced only when the new one is complete.\n\nNAME... (or --only NAME...): build "
    "only these notebooks (e.g. 02_chip_design).\n\nOn Linux each notebook's kernel is forked from a worker "
    "that has ipykernel, pandas, matplotlib and osa_utils imported; elsewhere (Windows, macOS), or with "
    "OSA_WARM_KERNEL=0, each kernel is a fresh interpreter, as JupyterLab and papermill start it. The "
    "output is the same.",
)
@options.data_dir
@options.out(Path("report"), "output folder (default: report)")
@options.jobs
@click.option("--force", is_flag=True, help="execute every notebook, ignoring the cache")
@click.option("--only", multiple=True, metavar="NAME", help="build only these notebooks (e.g. 02_chip_design)")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option(
    "-p",
    "parameters",
    nargs=2,
    multiple=True,
    metavar="KEY VALUE",
    help="set a notebook parameter for all notebooks that declare it (e.g. -p name_lang zh)",
)
@click.option("--pdf", is_flag=True, help="also print OUT/report.pdf with headless Chromium")
@options.wait("if another build is writing OUT, wait for it instead of exiting with status 3")
@options.notebooks_dir
@options.timeout
def build(
    data_dir: Path,
    out: Path,
    jobs: int | None,
    force: bool,
    only: tuple[str, ...],
    names: tuple[str, ...],
    parameters: tuple[tuple[str, str], ...],
    pdf: bool,
    wait: bool,
    notebooks_dir: Path,
    timeout: float,
) -> None:
    from ..batch.plan import parse_value
    from ..batch.progress import summary

    if pdf:  # a wrong OSA_PDF_TIMEOUT is a usage error before anything is built
        from ..pdf import pdf_timeout

        pdf_timeout()
    overrides = {k: parse_value(v) for k, v in parameters}
    result = _build(
        "the previous report is",
        data_dir=data_dir,
        out=out,
        jobs=jobs,
        force=force,
        only=[*only, *names] or None,
        overrides=overrides,
        notebooks_dir=notebooks_dir,
        wait=wait,
        timeout=timeout,
        pdf=pdf,
    )
    stdout_note(f"the report was published: {result.out / 'index.html'}")
    try:
        say(summary(result))
        print(f"report assembled in {result.assemble_seconds:.2f} s")
        if result.pdf_message:
            say(result.pdf_message, err=result.pdf_failed)
        say(f"report: {result.out / 'index.html'}")
    finally:  # the failed notebooks are named on stderr even when stdout cannot be written
        report_failures(result)
    if result.failed or result.pdf_failed:
        raise Reported()


@click.command(
    short_help="regenerate the committed reference figures (figures/)",
    help="Execute every notebook with its default parameters and replace the figures folder with their output.",
)
@options.data_dir
@options.out(options.PROJECT_ROOT / "figures", f"figures folder (default: {options.PROJECT_ROOT / 'figures'})")
@options.jobs
@options.wait("wait for another run writing OUT instead of exiting")
@options.notebooks_dir
@options.timeout
def figures(data_dir: Path, out: Path, jobs: int | None, wait: bool, notebooks_dir: Path, timeout: float) -> None:
    """OUT follows the output-folder rule (missing, empty or made by this tool) and is locked while
    it is written; each file is replaced atomically, and files this command wrote before and no
    longer produces are removed (none other)."""
    from .. import outdir
    from ..batch.progress import summary

    loc = outdir.check(out, data_dir, kind="figures")
    try:
        with (
            outdir.lock(loc, wait=wait, say=lambda m: print(m, file=sys.stderr)),
            _scratch_build(
                f"{loc} is", data_dir=data_dir, jobs=jobs, notebooks_dir=notebooks_dir, timeout=timeout
            ) as result,
        ):
            say(summary(result))
            if result.failed:
                report_failures(result)
                say(f"{loc} left unchanged because a notebook failed", err=True)
                raise Reported()
            names = outdir.publish_in_place(result.out / "figures", loc)
            stdout_note(f"the figures of {loc} were replaced")
    except OSError as exc:  # a full disk or a read-only folder while the figures were replaced
        failure = fs_error(f"{os_error(exc, loc)}; the files of {loc} not yet replaced are unchanged", exc)
    else:
        say(f"{len(names)} figure and table files written to {loc}")
        return
    raise failure  # outside the handler, as in _build


@click.command(
    short_help="rebuild every figure and compare with the committed figures/",
    help="For reviewers: rebuild all figures and tables, and the report page with them, into a "
    "temporary folder (one run also shows that the report builds), compare them with "
    "figures/ and print one line per file (identical, differs with the number of differing "
    "pixels, missing, unexpected, unreadable for a PNG that cannot be decoded). Exit 1 on any "
    "difference.",
)
@options.data_dir
@options.reference_figures
@options.jobs
@options.notebooks_dir
@options.timeout
def verify(data_dir: Path, reference: Path, jobs: int | None, notebooks_dir: Path, timeout: float) -> None:
    """Rebuild every figure into a temporary folder and compare with the committed figures/."""
    from ..verify import compare_figures

    if not reference.is_dir():
        raise UsageError(f"--figures {reference} is not a folder of reference figures")
    with _scratch_build(
        "the reference figures are",
        report=True,  # the whole build, page included: one run proves the report builds and matches
        data_dir=data_dir,
        jobs=jobs,
        notebooks_dir=notebooks_dir,
        timeout=timeout,
    ) as result:
        rows = compare_figures(reference, result.out / "figures")
        width = max(len(r[0]) for r in rows) if rows else 10
        print(f"{'file':<{width}}  verdict     detail")
        for name, verdict, detail in rows:
            print(f"{name:<{width}}  {verdict:<10}  {detail}")
        bad = [r for r in rows if r[1] != "identical"]
        report_failures(result)
        if (result.out / "index.html").is_file():
            print("report page: built (index.html)")
        print(f"{len(rows) - len(bad)} identical, {len(bad)} different, missing, unexpected or unreadable")
        if bad or result.failed:
            raise Reported()


@click.command(
    short_help="build, verify and package a release (data, report, citation, checksums)",
    help="Build every notebook and the report into a scratch folder, compare the figures with the "
    "committed reference figures (as verify does), then write OUT: a folder "
    "osa-report-collection-<code>-data-<data>/ (the data package, the built report, CITATION.cff, "
    "CHANGELOG.md, the licences, RELEASE.json and SHA256SUMS) and the same as one .zip (with its "
    "checksum beside it, NAME.zip.sha256), from the "
    "files as committed. Refused, with nothing written, from a git checkout with uncommitted, "
    "untracked or hidden (skip-worktree) files, without a semantic data package version or a "
    "readable CITATION.cff of the code's version (all checked before any kernel starts), when a "
    "notebook fails, a file changes while it builds or a figure differs. OUT follows the build's "
    "output-folder rules, must not lie inside a checkout unless git ignores it, and an earlier "
    "release in it is replaced only if it holds nothing but that release.",
)
@options.data_dir
@click.option("--out", type=options.PATH, required=True, metavar="OUT", help="release folder (required)")
@options.reference_figures
@options.jobs
@options.wait("wait for another release writing OUT instead of exiting")
@options.notebooks_dir
@options.timeout
def release(
    data_dir: Path, out: Path, reference: Path, jobs: int | None, wait: bool, notebooks_dir: Path, timeout: float
) -> None:
    """See :mod:`osa_utils.release`."""
    from .. import release as rel

    try:
        zipped = rel.release(
            out,
            data_dir=data_dir,
            notebooks_dir=notebooks_dir,
            reference=reference,
            jobs=jobs,
            timeout=timeout,
            say=lambda m: say(m, err=True),
            wait=wait,
        )
    except KeyboardInterrupt:
        raise Interrupted(f"no release written; {out} unchanged") from None
    except OSError as exc:
        failure = fs_error(f"{os_error(exc, Path(out).absolute().parent)}; {out} unchanged", exc)
    else:
        say(f"release written: {zipped} and {zipped.with_suffix('')}/ (SHA256SUMS inside)")
        return
    raise failure
