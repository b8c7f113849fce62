"""Batch execution of the chapter notebooks with papermill, a data-aware cache,
and atomic replacement of the output folder.

The conductor, read top to bottom: a :class:`~osa_utils.batch.plan.Plan` is made and checked
before anything is touched (:func:`prepare`); under the output's lock, the notebooks whose cache
entry still holds are reused, the others are executed on the workers, their outputs collected and
the report assembled into a new version folder (:func:`_run_locked`), which is swapped in only
when complete, so an interrupted build leaves the previous report as it was. Each job is a module
of :mod:`osa_utils.batch`: the plan, the cache (what makes a notebook run again), the kernel, the
workers and the progress display.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from . import outdir, pdf
from . import report as report_page
from .batch.cache import (
    CACHE,
    cache_key,
    changed_while_running,
    checked_reads,
    copy_entry,
    keep_last_good,
    link_or_copy,
    read_entry,
    read_json,
    report_key,
    shared_key,
    snapshot,
    why_stale,
    write_entry,
)
from .batch.kernel import DISK_ERRNOS, clean_kernel_folders
from .batch.plan import (
    DEFAULT_TIMEOUT,
    NOTEBOOKS_DIR,
    BuildError,
    Plan,
    check_input_files,
    discover,
    resolve_parameters,
    run_parameters,
    shown_parameters,
)
from .batch.progress import Progress
from .batch.results import BuildResult, NotebookResult
from .batch.workers import Runner, Task, install_sigterm
from .data import DataPackage

#: A notebook to execute: (notebook, its cache key, why it runs, its previous cache entry).
Todo = tuple[Path, dict, str, dict | None]


def prepare(data_dir: Path, out: Path, *, only=None, overrides=None, notebooks_dir: Path = NOTEBOOKS_DIR) -> Plan:
    """Everything checked before any work starts (and before the lock): the notebooks,
    the parameters, the output folder, the descriptor and the data."""
    data_dir = Path(data_dir).resolve()
    everything = discover(notebooks_dir)
    if not everything:
        raise BuildError(f"no notebooks in {notebooks_dir}")
    selected = discover(notebooks_dir, only) if only else everything
    params = resolve_parameters(selected, overrides or {}, data_dir)
    loc = outdir.check(out, data_dir)  # a wrong --out: OutputError (a UsageError, exit 2)
    package = DataPackage.load(data_dir)  # validated once, with its hashes; bad data: DataValidationError
    check_input_files(params, data_dir)  # a user's file (-p matrix_user_levels): the same, before any kernel
    return Plan(data_dir, package, loc, everything, selected, params)


def run(
    data_dir: Path,
    out: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    only: list[str] | None = None,
    overrides: dict | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    report: bool = True,
    progress_stream=None,
    wait: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT,
    pdf: bool = False,
) -> BuildResult:
    """Execute the notebooks (with the cache) and publish OUT; see the module docstring.

    With *only*, the other notebooks keep their last results (cache, pages,
    figures) in the report: ``--only`` updates a report, it does not replace it.

    The notebooks run in worker processes (:mod:`osa_utils.batch.workers`), so a script that calls
    this must do so under ``if __name__ == "__main__":``, as :mod:`multiprocessing` requires of every
    script that starts processes without plain fork (else the workers import the script again and
    fail); a notebook or an interactive session need nothing.

    Each notebook may run *timeout* seconds (None: no limit); one that runs longer is stopped and
    fails as "timed out". With *pdf*, the report is printed to ``report.pdf`` inside the new
    version, under the lock, before it is published (:attr:`BuildResult.pdf_message` says how it went).
    """
    plan = prepare(data_dir, out, only=only, overrides=overrides, notebooks_dir=notebooks_dir)
    plan.jobs, plan.force, plan.report = max(1, jobs or os.cpu_count() or 1), force, report
    plan.timeout, plan.progress_stream = timeout, progress_stream
    loc = plan.out

    def say(msg: str) -> None:
        print(msg, file=progress_stream or sys.stderr)

    clean_kernel_folders()  # what killed runs' kernels left in the temporary folder
    with outdir.lock(loc, wait=wait, say=say):
        outdir.clean_leftovers(loc)
        plan.previous = outdir.current(loc)
        plan.version = tmp = outdir.new_version(loc)
        try:
            result = _run_locked(plan)
            if pdf and report:
                result.pdf_message, result.pdf_failed = _print_pdf(tmp, loc)
            outdir.publish(tmp, loc)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    result.out = loc
    return result


def _print_pdf(version: Path, loc: Path) -> tuple[str, bool]:
    """Print the report of *version* (not yet published, under the lock) into it: never through the
    OUT symlink, which another build may point elsewhere as soon as this one lets go of the lock.
    Returns the line to print and whether printing failed (the HTML report is published either way)."""
    stop = install_sigterm()  # a SIGTERM while Chromium prints: KeyboardInterrupt, so print_pdf stops it
    try:
        pdf.print_pdf(version / "index.html", version / "report.pdf")  # written, or PdfError
    except pdf.PdfError as exc:  # its paths are in the version folder, which is published as OUT
        return f"error: {str(exc).replace(str(version), str(loc))}", True
    finally:
        signal.signal(signal.SIGTERM, stop)  # as _run_locked restores it
    return f"PDF written to {loc / 'report.pdf'}", False


def _run_locked(plan: Plan) -> BuildResult:
    """Reuse, execute, collect and assemble into ``plan.version`` (under the lock)."""
    stop = install_sigterm()
    old_cache = plan.previous / CACHE if plan.previous is not None else plan.version / "no-previous-build"
    new_cache = plan.version / CACHE
    progress = Progress([nb.stem for nb in plan.selected], plan.progress_stream)
    try:
        new_cache.mkdir()
        results = _keep_others(plan, old_cache, new_cache)
        todo = _reuse(plan, old_cache, new_cache, results, progress)
        if todo:
            _execute(plan, todo, old_cache, new_cache, results, progress)
        ordered = [results[nb.stem] for nb in plan.everything if nb.stem in results]
        t0 = time.perf_counter()
        _collect_outputs(plan.version, ordered)
        if plan.report:
            _assemble(plan, ordered, old_cache, new_cache)
        return BuildResult(plan.version, ordered, time.perf_counter() - t0)
    finally:
        progress.close()
        signal.signal(signal.SIGTERM, stop)


def _keep_others(plan: Plan, old_cache: Path, new_cache: Path) -> dict[str, NotebookResult]:
    """--only: the chapters not selected stay as the report had them."""
    chosen = {nb.stem for nb in plan.selected}
    results = {}
    for nb in plan.everything:
        entry = read_entry(old_cache / nb.stem) if nb.stem not in chosen else None
        if not entry:
            continue
        copy_entry(old_cache / nb.stem, new_cache / nb.stem)
        results[nb.stem] = NotebookResult(
            nb.stem,
            "kept",
            "not in this build (--only): kept from the report it updates",
            entry.get("duration", 0.0),
            entry.get("error"),
            entry.get("reads", {}),
            stale_output=(new_cache / nb.stem / "last-good-figures").exists(),
            parameters=shown_parameters(entry["key"]["parameters"]),
            failed_before=bool(entry.get("failed")),
        )
    return results


def _reuse(plan: Plan, old_cache: Path, new_cache: Path, results: dict, progress: Progress) -> list[Todo]:
    """Reuse every selected notebook whose cache entry still holds; return the others, to execute."""
    todo: list[Todo] = []
    shared = shared_key()
    for nb in plan.selected:
        name = nb.stem
        key = cache_key(nb, plan.params[name], shared)
        entry = read_entry(old_cache / name)
        reason = "--force" if plan.force else why_stale(entry, key)
        if reason is None and entry is not None:
            copy_entry(old_cache / name, new_cache / name)
            results[name] = NotebookResult(
                name,
                "reused",
                "unchanged",
                entry["duration"],
                reads=entry["reads"],
                parameters=shown_parameters(plan.params[name]),
            )
            progress.update(name, "reused", "unchanged")
        else:
            todo.append((nb, key, reason or "no cached run", entry))
    return todo


def _execute(plan: Plan, todo: list[Todo], old_cache: Path, new_cache: Path, results: dict, progress: Progress) -> None:
    """Run *todo* on the workers and record each notebook as it finishes."""
    # Longest first (by the last recorded duration), so no long notebook starts last.
    todo.sort(key=lambda t: -(t[3] or {}).get("duration", 0.0))
    env, cwd = dict(os.environ), os.getcwd()
    # What each notebook may read, fingerprinted before any starts: a file that changes while
    # a notebook runs is known by its fingerprint afterwards, and never cached as read.
    since, before = time.time_ns(), snapshot(plan.data_dir, plan.params)
    tasks = {}
    for nb, *_ in todo:
        d = new_cache / nb.stem
        tasks[nb.stem] = Task(
            str(nb),
            str(d / "executed.ipynb"),
            run_parameters(nb, plan.params[nb.stem], d / "figures"),
            str(d / "reads.log"),
            str(d / "executed.html"),
            env,
            cwd,
            plan.timeout,
        )
    waiting = {t[0].stem: t for t in todo}
    runner = Runner(tasks, plan.jobs, plan.timeout, lambda name: progress.update(name, "running", waiting[name][2]))
    try:
        for name, res in runner.results():
            r = results[name] = _record(plan, waiting[name], res, old_cache / name, new_cache / name, before, since)
            if r.error is None:
                progress.update(name, "ran", r.reason, r.duration)
            else:
                progress.update(name, "failed", f"{r.error['ename']}: {r.error['evalue'][:80]}", r.duration)
    except BaseException:
        runner.kill()  # an interrupt, or a full disk: the workers stop before the version folder goes
        raise


def _record(plan: Plan, todo: Todo, res: dict, old: Path, d: Path, before: dict, since: int) -> NotebookResult:
    """The result of one executed notebook, and its cache entry written; a file-system error that
    stops the build (:data:`~osa_utils.batch.kernel.DISK_ERRNOS`) is raised as the OSError it was."""
    nb, key, reason, entry = todo
    error = res["error"]
    if (error or {}).get("errno") in DISK_ERRNOS:
        raise OSError(error["errno"], error["evalue"], error.get("filename"))
    reads, changed = checked_reads(d / "reads.log", before, since)
    changed += changed_while_running(nb, plan.params[nb.stem], key)  # the key taken before it ran must hold
    if changed:
        reason += f"; {', '.join(changed)} changed while it ran: it runs again at the next build"
    shown = shown_parameters(plan.params[nb.stem])
    if error is None:
        write_entry(d, {"key": key, "reads": reads, "duration": res["duration"], "failed": False})
        return NotebookResult(
            nb.stem, "ran", reason, res["duration"], reads=reads, parameters=shown, changed_inputs=changed
        )
    r = NotebookResult(
        nb.stem, "failed", reason, res["duration"], error, reads, parameters=shown, changed_inputs=changed
    )
    keep_last_good(old, d, entry, r)
    write_entry(d, {"key": key, "reads": reads, "duration": res["duration"], "failed": True, "error": error})
    return r


def _collect_outputs(tmp: Path, results: list[NotebookResult]) -> None:
    """OUT/notebooks/*.ipynb|html and OUT/figures/ from the cache entries."""
    nb_dir, fig_dir = tmp / "notebooks", tmp / "figures"
    nb_dir.mkdir()
    fig_dir.mkdir()
    for r in results:
        d = tmp / CACHE / r.name
        for src, dst in (("executed.ipynb", f"{r.name}.ipynb"), ("executed.html", f"{r.name}.html")):
            if (d / src).exists():
                link_or_copy(d / src, nb_dir / dst)
        figs = d / ("last-good-figures" if r.stale_output else "figures")
        if figs.exists():
            for f in sorted(figs.iterdir()):
                link_or_copy(f, fig_dir / f.name)


def _assemble(plan: Plan, ordered: list[NotebookResult], old_cache: Path, new_cache: Path) -> None:
    """The report page, kept from the previous version when nothing it shows has changed."""
    key = report_key(plan.package, ordered, new_cache)
    previous = plan.previous
    if read_json(old_cache / "report.json") == key and previous is not None and (previous / "index.html").exists():
        link_or_copy(previous / "index.html", plan.version / "index.html")
    else:
        report_page.write_report(plan.version, plan.package, ordered)
    (new_cache / "report.json").write_text(json.dumps(key, sort_keys=True), encoding="utf-8")


__all__ = ["DEFAULT_TIMEOUT", "NOTEBOOKS_DIR", "BuildError", "BuildResult", "NotebookResult", "prepare", "run"]
