#!/usr/bin/env python3
"""Three ways to give a notebook its kernel, measured side by side in one warm process.

A measurement, not a test. Run from the project root:

    .venv/bin/python benchmarks/kernel_bench.py [--repeat 5] [NOTEBOOK ...]

This process does what a build's worker does first (imports osa_utils.batch.workerprep: papermill,
nbconvert and the kernels' preload), then runs each notebook (default: an empty notebook that
imports pandas, matplotlib and seaborn, and 03_6g) --repeat times in each way, in alternation:

  stock      run_notebook with OSA_WARM_KERNEL=0: the kernelspec's command, a fresh interpreter
  fork       run_notebook as the build runs it: the kernel forked from this warm process
             (osa_utils.batch.warmkernel)
  inprocess  ipykernel's in-process kernel, in a child forked from this warm process (so that each
             notebook still has a process of its own), driven by papermill as the build drives it;
             ipykernel's InProcessKernelManager needs three shims for nbclient (below)

It prints the median, min and max wall time per way and notebook, and whether each way's executed
notebook has the same cells and outputs as the stock kernel's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _inprocess_manager():
    from ipykernel.inprocess.blocking import BlockingInProcessKernelClient
    from ipykernel.inprocess.manager import InProcessKernelManager

    class Client(BlockingInProcessKernelClient):
        def wait_for_ready(self, timeout=None):  # nbclient passes a timeout
            return super().wait_for_ready()

    class Manager(InProcessKernelManager):
        def shutdown_kernel(self, now=False, restart=False):  # nbclient passes now=
            return super().shutdown_kernel()

        def client(self, **kwargs):  # the client above (client_class is looked up in __main__, which IPython replaces)
            return Client(**{"parent": self, "session": self.session, "kernel": self.kernel, **kwargs})

    return Manager


def run_inprocess(nb: Path, out: Path, params: dict) -> float:
    """*nb* with an in-process kernel in a child forked from this process; wall seconds."""
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            import papermill

            from osa_utils.batch.kernel import PAPERMILL_OPTIONS

            os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
            options = {k: v for k, v in PAPERMILL_OPTIONS.items() if k != "shutdown_kernel"}
            papermill.execute_notebook(
                str(nb),
                str(out),
                parameters=params,
                cwd=str(nb.parent),
                kernel_manager_class=_inprocess_manager(),
                **options,
            )
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"inprocess: {nb.name} failed")
    return time.perf_counter() - t


def run_kernel(nb: Path, out: Path, params: dict, warm: bool) -> float:
    from osa_utils.batch.kernel import run_notebook

    os.environ["OSA_WARM_KERNEL"] = "1" if warm else "0"
    t = time.perf_counter()
    error = run_notebook(nb, out, params, log=out.with_suffix(".log"))
    elapsed = time.perf_counter() - t
    if error is not None:
        raise SystemExit(f"{nb.name}: {error}")
    return elapsed


def cells(path: Path) -> list:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        (c["cell_type"], c["source"], c.get("outputs"))
        for c in nb["cells"]
        if "injected-parameters" not in c["metadata"].get("tags", [])
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("notebooks", nargs="*", type=Path)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="osa-kernel-bench-"))
    import nbformat

    empty = nbformat.v4.new_notebook()
    empty.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    empty.cells = [nbformat.v4.new_code_cell("import pandas, matplotlib, seaborn")]
    nbformat.write(empty, str(work / "empty.ipynb"))
    notebooks = args.notebooks or [work / "empty.ipynb", ROOT / "notebooks" / "03_6g.ipynb"]

    t = time.perf_counter()
    import osa_utils.batch.workerprep  # noqa: F401  (what the fork server preloads)

    print(f"preload (papermill, nbconvert, the kernels' imports): {time.perf_counter() - t:.2f} s")
    ways = ("stock", "fork", "inprocess")
    times: dict[tuple[str, str], list[float]] = {}
    same: dict[tuple[str, str], bool] = {}
    for i in range(args.repeat):
        for nb in notebooks:
            params = {"figures_dir": str(work / "figures")} if nb.parent == ROOT / "notebooks" else {}
            for way in ways if i % 2 == 0 else reversed(ways):
                out = work / f"{nb.stem}-{way}-{i}.ipynb"
                if way == "inprocess":
                    s = run_inprocess(nb, out, params)
                else:
                    s = run_kernel(nb, out, params, warm=way == "fork")
                times.setdefault((nb.stem, way), []).append(s)
            ref = cells(work / f"{nb.stem}-stock-{i}.ipynb")
            for way in ways[1:]:
                key = (nb.stem, way)
                same[key] = same.get(key, True) and cells(work / f"{nb.stem}-{way}-{i}.ipynb") == ref
        print(f"round {i + 1}/{args.repeat} done", file=sys.stderr)
    print(f"{'notebook':<16} {'way':<10} {'median s':>9} {'min':>6} {'max':>6}  outputs as stock")
    for (stem, way), v in times.items():
        print(
            f"{stem:<16} {way:<10} {statistics.median(v):9.2f} {min(v):6.2f} {max(v):6.2f}  "
            f"{'-' if way == 'stock' else ('yes' if same[(stem, way)] else 'NO')}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
