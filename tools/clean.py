#!/usr/bin/env python3
"""Remove what osa-report and the README's examples wrote into this checkout (`make clean`).

Standard library only: it runs with any python3, also when .venv/ is broken or gone.

    python3 tools/clean.py [--dry-run] [OUT ...]

What is removed, and nothing else:

* every output folder carrying osa-report's marker (``.osa-report.json``), at the top of the
  checkout and one folder down (``out/quantum``): a report (the symlink OUT and its version
  folders ``.OUT.v-*``), an assessment, an app check. Never ``figures/`` (committed) nor a
  folder holding files git tracks, nor the notebooks' own output folders (below), whatever marker
  they carry. A folder of the same name without the marker is yours: kept;
* what builds leave beside an output: ``.OUT.v-*``, ``.OUT.tmp-*``, ``.OUT.old-*`` folders carrying
  the marker, ``.OUT.link-*`` symlinks to a version, and the lock files ``.OUT.lock`` (empty) and
  ``.OUT.lock.pid`` (osa-report's pid record) when no build holds the lock. While a build holds
  it, that output is left alone, the command says so and exits 3 (``make clean`` then keeps .venv);
* a folder (``out/``) that held only such outputs, once it is empty;
* in the notebooks' own output folders (``output/``, ``notebooks/output/``, not in git) only the
  files the notebooks write there (``fig-*.png|svg|pdf``, ``tab-*.csv|html``, their ``.tmp``) and
  osa-report's marker, then the folders left empty: a file of yours there stays, with its folder;
* ``benchmarks/results-local.json`` when ``benchmarks/build_bench.py`` wrote it; the caches
  ``.pytest_cache/``, ``.hypothesis/``, ``.mypy_cache/``, ``.ruff_cache/``, ``.import_linter_cache/``, ``__pycache__/`` (outside .venv/) and the editable
  install's ``*.egg-info/``.

An OUT given on the command line (``make clean OUT=…``) is cleaned by the same rules. Exit
status: 0 done, 2 usage, 3 a build holds an output's lock.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = ".osa-report.json"  # osa_utils.outdir.MARKER (this script does not import the package)
#: The notebooks' default output folders (``figures_dir``/``output_dir`` of the notebooks).
NOTEBOOK_OUTPUT = ("output", "notebooks/output")
#: A file a notebook writes: figures.save (fig-<id>.<fmt>) and save_table (tab-<id>.csv/.html).
#: Only the names the notebooks give (a report figure id with '.' as '-': fig-0-1, fig-s3-2, fig-x9-2,
#: fig-box1-chart, tab-2-recommendations, fig-0-1-user; the tools' fig-assessment-<id>-*, tab-appcheck-<app>-*),
#: so a file of the user's such as fig-mine.png is never taken for one.
NOTEBOOK_FILE = re.compile(
    r"^(fig|tab)-(?:(?:\d+|s\d+|x\d+|box\d+)(?:-\d+)?(?:-(?:chart|user|recommendations|criteria))?"
    r"|(?:assessment|appcheck)-[A-Za-z0-9._-]+)\.(png|svg|pdf|csv|html)(\.tmp)?$"
)
#: The subfolders the tools' notebooks write into by default (output/assessment, output/app_check).
NOTEBOOK_SUBFOLDERS = ("assessment", "app_check")
BENCH_RESULTS = ("benchmarks/results-local.json", "benchmarks/build_bench.py")
SIBLING = re.compile(r"^\.(?P<out>.+)\.(?P<what>v-|tmp-|old-|link-)[^/]*$")
LOCK = re.compile(r"^\.(?P<out>.+)\.lock(?P<pid>\.pid)?$")
NEVER = {".git", ".venv", "figures"}


class Cleaner:
    def __init__(self, dry_run: bool = False):
        self.dry_run = dry_run
        self.removed: list[Path] = []
        self.busy: list[Path] = []  # report folders kept because a build is writing them
        self.tracked = _tracked_dirs()

    # ------------------------------------------------------------------ helpers
    def _rm(self, path: Path, quiet: bool = False) -> None:
        if not self.dry_run:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        self.removed.append(path)
        if not quiet:
            print(f"{'would remove' if self.dry_run else 'removed'} {_shown(path)}")

    def holds_tracked(self, path: Path) -> bool:
        try:
            rel = path.relative_to(ROOT).as_posix()
        except ValueError:
            return False
        if self.tracked is None:  # no git: the checkout's own folders are never touched
            return rel.split("/")[0] in {
                "data",
                "notebooks",
                "osa_utils",
                "figures",
                "tests",
                "tools",
                "benchmarks",
                ".ci",
            }
        return rel in self.tracked

    # ------------------------------------------------------------------ outputs of osa-report
    def clean_outputs(self, folder: Path, only: str | None = None) -> bool:  # noqa: C901 - one kind of leftover after another
        """Remove the outputs in *folder* (or only the output named *only*) and what builds left
        beside them; True if something was removed."""
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return False
        outs: dict[str, list[Path]] = {}
        for p in entries:
            m = SIBLING.match(p.name) or LOCK.match(p.name)
            name = m.group("out") if m else p.name
            outs.setdefault(name, []).append(p)
        before = len(self.removed)
        for name, paths in outs.items():
            if only is not None and name != only:
                continue
            loc = folder / name
            with _lock_holder(folder / f".{name}.lock") as holder:
                if holder is not None:
                    self.busy.append(loc)
                    print(
                        f"kept {_shown(loc)}: a build{holder} is writing it; run make clean again when it is done",
                        file=sys.stderr,
                    )
                    continue
                if loc.is_symlink():
                    if _version_target(loc) is not None:
                        self._rm(loc)
                elif _notebook_output(loc):
                    pass  # output/, notebooks/output/: file by file (clean_notebook_output), whatever marker
                elif loc.is_dir() and name not in NEVER and _ours(loc) and not self.holds_tracked(loc):
                    self._rm(loc)
                for p in paths:
                    if p == loc:
                        continue
                    m = SIBLING.match(p.name)
                    if m and m.group("what") == "link-":
                        if p.is_symlink() and os.readlink(p).startswith(f".{name}.v-"):
                            self._rm(p)
                    elif m:
                        if _ours(p):
                            self._rm(p)
                    elif LOCK.match(p.name) and _our_lock_file(p):
                        self._rm(p)
        return len(self.removed) > before

    def clean_checkout(self) -> None:
        self.clean_outputs(ROOT)
        for sub in sorted(p for p in ROOT.iterdir() if p.is_dir() and not p.is_symlink()):
            if sub.name in NEVER or sub.name in NOTEBOOK_OUTPUT or self.holds_tracked(sub) or _ours(sub):
                continue
            if self.clean_outputs(sub) and not self.dry_run and not any(sub.iterdir()):
                self._rm(sub)  # out/ after out/quantum: it held only our outputs

    # ------------------------------------------------------------------ the notebooks' output folders
    def clean_notebook_output(self, folder: Path) -> None:
        """Remove, in *folder* and its default subfolders only (not in any other subfolder: a user's
        copies there stay), the files named as the notebooks name theirs (:data:`NOTEBOOK_FILE`) and
        our marker; a subfolder left empty goes, and *folder* itself only where it carries our marker
        (a notebook made it) and nothing of the user's is left in it."""
        if not folder.is_dir() or folder.is_symlink():
            return
        marked = (folder / MARKER).is_file() and _marker_kind(folder) is not None
        files = 0
        places = [folder] + [
            folder / sub for sub in NOTEBOOK_SUBFOLDERS if (folder / sub).is_dir() and not (folder / sub).is_symlink()
        ]
        for here in reversed(places):  # the subfolders first, so that an emptied one can go
            for p in sorted(here.iterdir()):
                if p.is_file() and not p.is_symlink() and NOTEBOOK_FILE.match(p.name):
                    self._rm(p, quiet=True)
                    files += 1
            if here != folder and marked and not self.dry_run and not any(here.iterdir()):
                self._rm(here, quiet=True)
        if marked and not self.dry_run:
            self._rm(folder / MARKER, quiet=True)  # the notebooks mark it again when they next make it
            if not any(folder.iterdir()):
                self._rm(folder, quiet=True)
        if files:
            gone = "" if folder.exists() or self.dry_run else ", and the folder"
            print(
                f"{'would remove' if self.dry_run else 'removed'} {files} file(s) the notebooks wrote in "
                f"{_shown(folder)}{gone}"
            )

    # ------------------------------------------------------------------ caches and the benchmark's results
    def clean_caches(self) -> None:
        results, writer = BENCH_RESULTS
        p = ROOT / results
        if p.is_file() and not p.is_symlink():
            try:
                ours = json.loads(p.read_text(encoding="utf-8")).get("created_by") == writer
            except (OSError, ValueError, AttributeError):
                ours = False
            if ours:
                self._rm(p)
        for name in (".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache", ".import_linter_cache"):
            if (ROOT / name).is_dir() and not (ROOT / name).is_symlink():
                self._rm(ROOT / name)
        for p in sorted(ROOT.glob("*.egg-info")):
            if p.is_dir() and (p / "PKG-INFO").is_file() and not self.holds_tracked(p):
                self._rm(p)
        for dirpath, dirnames, _ in os.walk(ROOT):
            dirnames[:] = sorted(d for d in dirnames if d not in NEVER - {"figures"})
            if "__pycache__" in dirnames:
                cache = Path(dirpath) / "__pycache__"
                dirnames.remove("__pycache__")
                if not cache.is_symlink() and all(f.suffix == ".pyc" for f in cache.iterdir()):
                    self._rm(cache)


# ---------------------------------------------------------------------- module helpers
def _shown(path: Path) -> str:
    """*path* as printed: relative to the checkout where it lies in it, control characters escaped
    (a name typed in `make clean OUT=...` could hold escape sequences)."""
    try:
        text = path.relative_to(ROOT).as_posix()
    except ValueError:
        text = str(path)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _tracked_dirs() -> set[str] | None:
    """Every path git tracks in the checkout and every folder above one, or None without git."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, timeout=30, check=True
        ).stdout.decode("utf-8", "surrogateescape")
    except (OSError, subprocess.SubprocessError):
        return None
    tracked = set()
    for f in filter(None, out.split("\0")):
        parts = f.split("/")
        for i in range(1, len(parts) + 1):
            tracked.add("/".join(parts[:i]))
    return tracked


def _notebook_output(path: Path) -> bool:
    """Whether *path* is one of the notebooks' own output folders (:data:`NOTEBOOK_OUTPUT`): a folder the
    user may keep files in, never removed whole, even when a notebook marked it as the tool's."""
    here = {Path(os.path.abspath(path))}
    if not path.is_symlink():
        here.add(path.resolve())
    for rel in NOTEBOOK_OUTPUT:
        folder = ROOT / rel
        if here & {folder, folder.resolve()}:
            return True
    return False


def _marker_kind(folder: Path) -> str | None:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("created_by") != "osa-report":
        return None
    return str(data.get("kind"))


def _ours(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and (path / MARKER).is_file() and _marker_kind(path) is not None


def _version_target(link: Path) -> Path | None:
    """The version folder the symlink OUT points to, if it is one of osa-report's."""
    try:
        raw = os.readlink(link)
    except OSError:
        return None
    if "/" in raw or not raw.startswith(f".{link.name}.v-"):
        return None
    target = link.parent / raw
    return target if _ours(target) or not target.exists() else None


def _our_lock_file(p: Path) -> bool:
    """An empty lock file (filelock's), or a pid record {"pid": …, "since": …} as osa-report writes."""
    if p.is_symlink() or not p.is_file():
        return False
    if not p.name.endswith(".pid"):
        return p.stat().st_size == 0
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "pid" in data and set(data) <= {"pid", "since"}


@contextlib.contextmanager
def _lock_holder(lock: Path):
    """Yield None when no process holds *lock* (or there is none), else " (pid N)" or "". While the
    body runs, the lock stays taken by this process: a build that starts meanwhile waits (or says
    another build is writing) instead of choosing a report that is being removed under it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: cannot tell; osa-report's lock file is then left alone
        yield "" if lock.exists() else None
        return
    try:
        fd = os.open(lock, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        yield None
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                pid = json.loads(lock.with_name(lock.name + ".pid").read_text(encoding="utf-8"))["pid"]
                yield f" (pid {pid})"
            except (OSError, ValueError, KeyError, TypeError):
                yield ""
            return
        yield None  # held until the caller has removed what it guards
    finally:
        os.close(fd)  # releases the lock


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="tools/clean.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("out", nargs="*", type=Path, help="further output folders (a report's OUT) to clean")
    ap.add_argument("--dry-run", action="store_true", help="say what would be removed, remove nothing")
    args = ap.parse_args(argv)
    c = Cleaner(dry_run=args.dry_run)
    c.clean_checkout()
    for out in args.out:
        loc = Path(os.path.abspath(out))
        if loc.parent.is_dir():
            c.clean_outputs(loc.parent, only=loc.name)
    for rel in NOTEBOOK_OUTPUT:
        c.clean_notebook_output(ROOT / rel)
    c.clean_caches()
    if not c.removed:
        print("nothing to clean")
    return 3 if c.busy else 0


if __name__ == "__main__":
    sys.exit(main())
