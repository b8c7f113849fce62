#!/usr/bin/env python3
"""Where the notebooks spend their time: run the code cells of notebooks 0* in one process under
cProfile and print the time in saving, captions, data loading and drawing. A measurement, not a test.

    cd notebooks && ../.venv/bin/python ../benchmarks/profile_notebooks.py
"""

import cProfile
import pstats
import time
from pathlib import Path

import matplotlib
import nbformat

matplotlib.use("Agg")

pr = cProfile.Profile()
t0 = time.perf_counter()
for nb in sorted(Path(".").glob("0*.ipynb")):
    n = nbformat.read(nb, as_version=4)
    g: dict[str, object] = {}
    for c in n.cells:
        if c.cell_type == "code":
            src = c.source
            if "parameters" in c.metadata.get("tags", []):
                src += "\nfigures_dir='/tmp/osa-profile-out'"
            pr.enable()
            exec(src, g)
            pr.disable()
total = time.perf_counter() - t0
st = pstats.Stats(pr)
# Stats.stats ((file, line, name) -> (cc, nc, tt, ct, callers)) is not in typeshed's stub; get_stats_profile()
# keys by bare function name, which would merge same-named functions of different files.
funcs = {k: v for k, v in st.stats.items()}  # type: ignore[attr-defined]


def cum(name, file_part):
    return sum(v[3] for k, v in funcs.items() if k[2] == name and file_part in k[0])


print(f"in-process total {total:.1f} s")
for label, name, part in [
    ("figures.save (PNG+SVG writing)", "save", "osa_utils/figures.py"),
    ("style.add_caption (layout draw)", "add_caption", "osa_utils/style.py"),
    ("data.load_table", "load_table", "osa_utils/data.py"),
    ("plots: drawing the charts", "threat_matrix", "plots/matrix.py"),
]:
    print(f"{label:40s} {cum(name, part):6.1f} s")
st.sort_stats("tottime").print_stats(8)
