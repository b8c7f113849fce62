#!/usr/bin/env python3
"""Measure the batch build against plain nbconvert and papermill loops, and against the floor.

A measurement, not a test. Run from the project root after `make report`:

    python benchmarks/build_bench.py [--repeat 3] [--jobs N] [--write]
    python benchmarks/build_bench.py --check      # the environment and where results go; runs nothing

Any Python starts it: it runs itself again with the project's .venv/bin/python (made by `make
report` or `make test`), or says how to make that first. Each scenario runs --repeat times, in
alternation (round-robin), so drift of the machine hits all alike. Prints medians with min/max and
the ratios ours/baseline, ours/floor and ours/limit, and writes them to benchmarks/results-local.json (not in
git; `make clean` removes it); --write updates the committed benchmarks/results.json instead (the
numbers the README's Performance section quotes).

Scenarios
  cold        osa-report build --force of the whole collection
  cold_stock  the same with OSA_WARM_KERNEL=0: every kernel a fresh interpreter (the build before
              its kernels were forked from the warm workers), for the ratio cold/cold_stock
  warm        osa-report build again, nothing changed
  one_csv     osa-report build after one CSV's content changed (in a scratch copy of data/)
  baseline_a  serial loop of `jupyter nbconvert --to notebook --execute` over the same notebooks
  baseline_b  serial loop of the `papermill` command line over the same notebooks
  floor       as many empty notebooks as the collection has, importing pandas, matplotlib and
              seaborn, run by papermill at --jobs in parallel (kernel start + imports, no work)
  limit       every notebook's code cells (parameters injected by papermill's own function, as the
              build injects them) executed in processes forked from one parent that has imported
              osa_utils, pandas, matplotlib and seaborn, --jobs at a time, writing the same figure
              and table files: no kernel, no nbconvert, no HTML export, no report
  import      python -c "import osa_utils"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
BIN = Path(sys.executable).parent
#: Results of a run without --write: not tracked by git (.gitignore), removed by `make clean`.
LOCAL_RESULTS = ROOT / "benchmarks" / "results-local.json"
#: The committed results the README quotes: written only with --write.
COMMITTED_RESULTS = ROOT / "benchmarks" / "results.json"
#: Written into the results, so that `make clean` (tools/clean.py) removes only a file this script wrote.
CREATED_BY = "benchmarks/build_bench.py"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Every scenario, in the order of a round (the next round runs them in reverse).
SCENARIOS = ("cold", "cold_stock", "warm", "one_csv", "baseline_a", "baseline_b", "floor", "limit", "import")


def timed(cmd, **kw) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t


ASSEMBLY: list[float] = []  # report assembly seconds, as printed by each cold build


def build(out: Path, data: Path, jobs: int, force: bool = False, stock: bool = False) -> float:
    """One `osa-report build`; *stock*: with OSA_WARM_KERNEL=0 (every kernel a fresh interpreter)."""
    cmd = [str(BIN / "osa-report"), "build", "--data-dir", str(data), "--out", str(out), "--jobs", str(jobs)]
    env = {**os.environ, "OSA_WARM_KERNEL": "0"} if stock else None
    t = time.perf_counter()
    proc = subprocess.run(cmd + (["--force"] if force else []), capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    if force and not stock:
        for line in proc.stdout.splitlines():
            if line.startswith("report assembled in "):
                ASSEMBLY.append(float(line.split()[3]))
    return elapsed


EDITED = "cbdc_pilots.csv"  # Figure 5.4's table: read by one chapter notebook


def edit_one_csv(data: Path, n: int) -> None:
    """Change the content of one CSV (a note cell), as a researcher would."""
    import csv
    import io

    path = data / EDITED
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[1][rows[0].index("note")] = f"benchmark edit {n}"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def readers_of(out: Path, name: str) -> list[str]:
    readers = []
    for entry in sorted((out / ".cache").glob("*/entry.json")):
        reads = json.loads(entry.read_text())["reads"]
        if any(Path(p).name == name for p in reads):
            readers.append(entry.parent.name)
    return readers


def baseline_a(tmp: Path, data: Path) -> float:
    t = time.perf_counter()
    for nb in NOTEBOOKS:
        # nbconvert cannot inject parameters: the notebooks' defaults write to notebooks/output.
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", str(nb), "--output-dir", str(tmp)],
            check=True,
            cwd=nb.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return time.perf_counter() - t


def baseline_b(tmp: Path, data: Path) -> float:
    t = time.perf_counter()
    for nb in NOTEBOOKS:
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(nb),
                str(tmp / nb.name),
                "-p",
                "data_dir",
                str(data),
                "-p",
                "figures_dir",
                str(tmp / "figs"),
                "--no-progress-bar",
            ],
            check=True,
            cwd=nb.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return time.perf_counter() - t


def _empty_run(args):
    import papermill

    from osa_utils.batch.kernel import PAPERMILL_OPTIONS

    papermill.execute_notebook(args[0], args[1], **PAPERMILL_OPTIONS)  # as the build runs them


def _floor_worker_init():
    from osa_utils.importtime import skip_rfc3987_grammar

    skip_rfc3987_grammar()  # as in the build's workers
    import papermill  # noqa: F401


def floor(tmp: Path, jobs: int) -> float:
    """Kernel start + the imports, for as many notebooks as the collection has, at --jobs.

    Executed like the build executes (papermill in warm worker processes), so the
    difference to the cold build is the notebooks' own work.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import pandas, matplotlib, seaborn")]
    empty = tmp / "empty.ipynb"
    nbformat.write(nb, str(empty))
    t = time.perf_counter()
    with ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_floor_worker_init
    ) as pool:
        list(pool.map(_empty_run, [(str(empty), str(tmp / f"e{i}.ipynb")) for i in range(len(NOTEBOOKS))]))
    return time.perf_counter() - t


def _code_cells(nb: Path, params: dict) -> list[str]:
    """*nb*'s code cells with the parameters injected by papermill's own function, as the build's
    papermill.execute_notebook injects them."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nbook = parameterize_notebook(load_notebook_node(str(nb)), params)
    return [cell.source for cell in nbook.cells if cell.cell_type == "code"]


def _limit_child(nb: Path, cells: list[str]) -> None:
    """In a forked child: run *nb*'s code *cells* as a kernel would, without one (then os._exit)."""
    os.chdir(nb.parent)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # what the cells print (tables, captions) goes nowhere, as no kernel reads it
    namespace: dict = {"__name__": "__main__"}
    for source in cells:
        exec(compile(source, f"<{nb.stem}>", "exec"), namespace)


def limit(tmp: Path, data: Path, jobs: int) -> float:
    """The notebooks' own work only: each notebook's code cells in a process forked from this one,
    which has imported what they import (osa_utils, pandas, matplotlib, seaborn), --jobs at a time,
    writing their figures and tables into *tmp*/figures. No kernel, no nbconvert, no report."""
    import matplotlib

    matplotlib.use("Agg")  # no kernel: no inline backend; the files written are the same
    import seaborn  # noqa: F401

    import osa_utils.assess  # noqa: F401
    import osa_utils.notebook  # noqa: F401
    from osa_utils.batch import plan
    from osa_utils.importtime import skip_rfc3987_grammar

    skip_rfc3987_grammar()  # as in the build's workers, before papermill imports jsonschema

    notebooks = plan.discover()
    params = plan.resolve_parameters(notebooks, {}, data)
    todo = [(nb, _code_cells(nb, plan.run_parameters(nb, params[nb.stem], tmp / "figures"))) for nb in notebooks]
    (tmp / "figures").mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    running: dict[int, str] = {}
    failed = []
    t = time.perf_counter()
    while todo or running:
        while todo and len(running) < jobs:
            nb, cells = todo.pop(0)
            pid = os.fork()
            if pid == 0:  # the child never returns into this loop
                code = 1
                try:
                    _limit_child(nb, cells)
                    code = 0
                except BaseException:  # noqa: BLE001 - reported by the exit status
                    import traceback

                    traceback.print_exc()
                finally:
                    os._exit(code)
            running[pid] = nb.stem
        pid, status = os.wait()
        if os.waitstatus_to_exitcode(status) != 0:
            failed.append(running[pid])
        del running[pid]
    elapsed = time.perf_counter() - t
    if failed:
        sys.exit(f"limit: notebook(s) failed: {', '.join(failed)}")
    return elapsed


def markdown(result: dict) -> str:
    """The README's performance table."""
    s, r = result["seconds"], result["ratios"]
    rows = [
        ("cold build (`osa-report build --force`)", "cold"),
        ("cold build, stock kernels (`OSA_WARM_KERNEL=0`)", "cold_stock"),
        ("warm build (nothing changed)", "warm"),
        ("one CSV changed", "one_csv"),
        ("report assembly (within the cold build)", "assembly"),
        ("baseline A: serial `jupyter nbconvert --execute`", "baseline_a"),
        ("baseline B: serial `papermill` CLI", "baseline_b"),
        ("floor: empty notebooks with the same imports, same parallelism", "floor"),
        ("limit: the notebooks' code forked from one warm process, no kernel, same parallelism", "limit"),
        ('`python -c "import osa_utils"`', "import"),
    ]
    lines = ["| scenario | median s | min | max |", "|---|---:|---:|---:|"]
    for label, k in rows:
        lines.append(f"| {label} | {s[k]['median']:.2f} | {s[k]['min']:.2f} | {s[k]['max']:.2f} |")
    lines.append("")
    lines.append(
        f"Ratios of medians: cold / baseline A = {r['cold/baseline_a']:.2f}, cold / baseline B = "
        f"{r['cold/baseline_b']:.2f}, cold / floor = {r['cold/floor']:.2f}, "
        f"cold / limit = {r['cold/limit']:.2f}, cold / cold with stock kernels = {r['cold/cold_stock']:.2f}. "
        f"{result['notebooks']} notebooks, --jobs {result['jobs']}, {result['repeat']} rounds, "
        f"{result['machine']['cores']} cores ({result['machine']['platform']}, Python {result['machine']['python']})."
    )
    return "\n".join(lines)


def in_project_venv() -> bool:
    return Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()


def ensure_project_venv(argv: list[str]) -> None:
    """Run this script again under the project's .venv/bin/python unless it runs there already;
    exit 2 with one line saying how to make the venv when there is none."""
    if in_project_venv():
        return
    if not VENV_PYTHON.exists():
        print(
            f"error: {CREATED_BY} runs in the project's virtual environment, which does not exist yet: "
            f"run `make report` in {ROOT} first (it creates .venv/), then this command again",
            file=sys.stderr,
        )
        sys.exit(2)
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *argv])


def check(out: Path) -> int:
    """--check: what a run would use and where it would write, without running anything."""
    missing = [name for name in ("osa-report", "jupyter", "papermill") if not (BIN / name).exists()]
    print(f"python: {sys.executable} (Python {platform.python_version()})")
    print(f"notebooks: {len(NOTEBOOKS)}; results would go to {out}")
    if missing:
        print(f"error: not in {BIN}: {', '.join(missing)}; run `make report` first", file=sys.stderr)
        return 1
    return 0


def run_scenario(k: str, i: int, work: Path, out: Path, data: Path, jobs: int, one_csv_reruns: list) -> float:
    """Seconds of one run of scenario *k* in round *i* (builds into *out*, scratch in *work*)."""
    d = Path(tempfile.mkdtemp(dir=work))
    if k == "cold":
        return build(out, data, jobs, force=True)
    if k == "cold_stock":
        return build(out, data, jobs, force=True, stock=True)
    if k == "warm":
        build(out, data, jobs)  # whatever ran before, then nothing changed
        return build(out, data, jobs)
    if k == "one_csv":
        build(out, data, jobs)
        edit_one_csv(data, i)
        elapsed = build(out, data, jobs)
        one_csv_reruns.append(readers_of(out, EDITED))
        return elapsed
    if k == "baseline_a":
        return baseline_a(d, data)
    if k == "baseline_b":
        return baseline_b(d, data)
    if k == "floor":
        return floor(d, jobs)
    if k == "limit":
        return limit(d, data, jobs)
    return timed([sys.executable, "-c", "import osa_utils"])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Every scenario runs with Python's default bytecode cache, as a user's Python has it (and as
    # `make test` runs): where PYTHONDONTWRITEBYTECODE is set (this project's machine), every command
    # of a fresh clone compiled osa_utils again, about 0.05 s per process, a sixth of a warm build.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    ap = argparse.ArgumentParser(
        prog="benchmarks/build_bench.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--repeat", type=int, default=3, help="rounds of every scenario (default: %(default)s)")
    ap.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="parallel notebooks of the builds (default: the number of cores, %(default)s)",
    )
    where = ap.add_mutually_exclusive_group()
    where.add_argument(
        "--out",
        type=Path,
        default=LOCAL_RESULTS,
        help="where to write the results (default: benchmarks/results-local.json, not in git)",
    )
    where.add_argument(
        "--write", action="store_true", help="write the results to the committed benchmarks/results.json"
    )
    ap.add_argument(
        "--scenarios",
        type=lambda text: [k.strip() for k in text.split(",") if k.strip()],
        default=list(SCENARIOS),
        help="comma-separated scenarios to run (default: all; --write needs all): " + ", ".join(SCENARIOS),
    )
    ap.add_argument(
        "--check",
        action="store_true",
        help="say which Python and notebooks a run would use and where it would write; run nothing",
    )
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.jobs < 1:
        ap.error("--repeat and --jobs must be at least 1")
    unknown = sorted(set(args.scenarios) - set(SCENARIOS))
    if unknown:
        ap.error(f"--scenarios: unknown {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    if args.write and set(args.scenarios) != set(SCENARIOS):
        ap.error("--write records every scenario: leave out --scenarios")
    ensure_project_venv(argv)
    if args.write:
        args.out = COMMITTED_RESULTS
    if args.check:
        return check(args.out)

    work = Path(tempfile.mkdtemp(prefix="osa-bench-"))
    data = work / "data"
    shutil.copytree(ROOT / "data", data)
    out = work / "report"
    chosen = [k for k in SCENARIOS if k in args.scenarios]
    times: dict[str, list[float]] = {k: [] for k in chosen}
    one_csv_reruns: list[list[str]] = []
    try:
        build(out, data, args.jobs, force=True)  # prime caches (validation cache, fonts)
        for i in range(args.repeat):
            print(f"round {i + 1}/{args.repeat}", file=sys.stderr)
            for k in chosen if i % 2 == 0 else chosen[::-1]:  # alternating order: drift hits all alike
                times[k].append(run_scenario(k, i, work, out, data, args.jobs, one_csv_reruns))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    times["assembly"] = ASSEMBLY[1:] or ASSEMBLY  # the priming build is not counted
    med = {k: statistics.median(v) for k, v in times.items()}
    ratios = {
        f"cold/{k}": med["cold"] / med[k]
        for k in ("baseline_a", "baseline_b", "floor", "limit", "cold_stock")
        if "cold" in med and k in med
    }
    result = {
        "created_by": CREATED_BY,
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "jobs": args.jobs,
        "repeat": args.repeat,
        "notebooks": len(NOTEBOOKS),
        "seconds": {k: {"median": med[k], "min": min(v), "max": max(v), "runs": v} for k, v in times.items()},
        "ratios": ratios,
        "one_csv_reran": one_csv_reruns[-1] if one_csv_reruns else [],
        "packages": {
            p: version(p) for p in ("papermill", "nbclient", "nbconvert", "ipykernel", "pandas", "matplotlib")
        },
        "command": f"python benchmarks/build_bench.py --repeat {args.repeat:d} --jobs {args.jobs:d}"
        + (" --write" if args.write else ""),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'scenario':<12} {'median s':>9} {'min':>7} {'max':>7}")
    for k in times:
        print(f"{k:<12} {med[k]:9.2f} {min(times[k]):7.2f} {max(times[k]):7.2f}")
    for k, v in ratios.items():
        print(f"{k:<16} {v:.2f}")
    print(f"one CSV changed ({EDITED}) re-ran: {', '.join(result['one_csv_reran'])}")
    if set(SCENARIOS) <= set(times):
        print()
        print(markdown(result))
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
