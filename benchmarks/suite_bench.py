"""How long `make test` takes, measured so that a noisy machine shows as such.

Each round runs, in this process, a fixed pure-Python workload (the baseline: it measures how fast
the machine is at that moment), then the suite exactly as `make test` runs it, then the baseline
again. The machine's busy CPU time during the suite comes from /proc/stat (Linux), so the CPU of
kernels and fork-server workers counts too. Medians, the ratio suite / baseline and every round go
to benchmarks/suite_results.json.

    python benchmarks/suite_bench.py --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"]


def baseline() -> float:
    """Seconds for a fixed pure-Python loop: the machine's speed right now."""
    start = time.perf_counter()
    s = 0
    for i in range(20_000_000):
        s += i
    return time.perf_counter() - start


def busy_seconds() -> float | None:
    """CPU seconds all cores spent busy since boot (user, nice, system, irq, softirq), or None."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def suite() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as `make test`
    cpu0, t0 = busy_seconds(), time.perf_counter()
    proc = subprocess.run(COMMAND, cwd=ROOT, env=env, capture_output=True, text=True)
    wall, cpu1 = time.perf_counter() - t0, busy_seconds()
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    passed = re.search(r"(\d+) passed", last)
    failures = [l for l in proc.stdout.splitlines() if l.startswith(("FAILED", "ERROR"))]
    return {
        "wall_s": round(wall, 2),
        "busy_cpu_s": round(cpu1 - cpu0, 1) if cpu0 is not None and cpu1 is not None else None,
        "returncode": proc.returncode,
        "passed": int(passed.group(1)) if passed else None,
        "summary": last,
        "failures": failures,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "suite_results.json")
    args = ap.parse_args()
    rounds = []
    for i in range(args.rounds):
        before = baseline()
        run = suite()
        after = baseline()
        run.update(baseline_before_s=round(before, 2), baseline_after_s=round(after, 2))
        rounds.append(run)
        print(
            f"round {i + 1}: suite {run['wall_s']:.0f} s ({run['summary']}), busy CPU {run['busy_cpu_s']} s, "
            f"baseline {before:.2f} / {after:.2f} s",
            *run["failures"],
            sep="\n  ",
            flush=True,
        )
    walls = [r["wall_s"] for r in rounds]
    base = [b for r in rounds for b in (r["baseline_before_s"], r["baseline_after_s"])]
    result = {
        "command": " ".join(COMMAND[1:]) + "  (PYTHONDONTWRITEBYTECODE unset, as make test)",
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}",
        "rounds": rounds,
        "median_wall_s": statistics.median(walls),
        "min_wall_s": min(walls),
        "max_wall_s": max(walls),
        "median_busy_cpu_s": statistics.median(r["busy_cpu_s"] for r in rounds) if rounds[0]["busy_cpu_s"] else None,
        "median_baseline_s": round(statistics.median(base), 2),
        "min_baseline_s": min(base),
        "max_baseline_s": max(base),
        "ratio_suite_to_baseline": round(statistics.median(walls) / statistics.median(base), 1),
        "all_passed": all(r["returncode"] == 0 for r in rounds),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"median {result['median_wall_s']:.0f} s (min {min(walls):.0f}, max {max(walls):.0f}); "
        f"baseline median {result['median_baseline_s']} s (range {min(base)}-{max(base)}); "
        f"ratio {result['ratio_suite_to_baseline']}; written to {args.out}"
    )
    return 0 if result["all_passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
