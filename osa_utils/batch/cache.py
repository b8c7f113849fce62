"""The cache: content hashes, the key of each notebook's last run and why it no longer holds, the
entries kept in ``OUT/.cache/<notebook>/``, and what a notebook read while it ran.

A notebook is executed again only when something it depends on changed: its source (code and
Markdown cells), a data file it read (its read log, :mod:`osa_utils.readlog`: not a hand-kept
list), the ``osa_utils`` source, its parameters (with the content of a file parameter's file),
or the pinned environment (``constraints.txt``, ``pyproject.toml``, Python version).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from .. import PROJECT_ROOT, readlog
from ..data import DataPackage
from .plan import FILE_PARAMETERS
from .results import NotebookResult

#: The cache's folder inside OUT.
CACHE = ".cache"
ENV_FILES = ("constraints.txt", "pyproject.toml")
#: The hash recorded for a file that changed while the notebook that read it ran: never a file's hash,
#: so the next build runs the notebook again.
CHANGED_WHILE_RUNNING = "changed while the notebook ran"


# --------------------------------------------------------------------------- hashing
def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    try:
        return sha256_bytes(Path(path).read_bytes())
    except OSError:
        return None


def notebook_hash(nb_path: Path) -> str:
    """Hash of the cells' types and sources (outputs and metadata do not count)."""
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    cells = [
        [
            c["cell_type"],
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"],
            sorted(c.get("metadata", {}).get("tags", [])),
        ]
        for c in nb["cells"]
    ]
    return sha256_bytes(json.dumps(cells, ensure_ascii=False).encode())


def package_hash() -> str:
    """Hash of the osa_utils source: its modules and the files they read (the page templates and
    their CSS, the schemas), so a template-only change re-renders the pages instead of reusing them."""
    root = PROJECT_ROOT / "osa_utils"
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"):
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def environment_hash() -> str:
    h = hashlib.sha256(sys.version.encode())
    for name in ENV_FILES:
        h.update((sha256_file(PROJECT_ROOT / name) or "-").encode())
    return h.hexdigest()


def input_hashes(params: dict) -> dict:
    """Content hash of each file parameter's file: a changed file re-runs the notebook, a touched one not."""
    return {
        name: sha256_file(Path(value))
        for name, value in sorted(params.items())
        if name in FILE_PARAMETERS and value is not None
    }


# --------------------------------------------------------------------------- keys
def _rel(path: str) -> str:
    p = Path(path)
    try:
        return str(p.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(p)


def _abs(rel: str) -> Path:
    p = Path(rel)
    return p if p.is_absolute() else PROJECT_ROOT / p


def cache_key(nb: Path, params: dict, shared: dict | None = None) -> dict:
    """What a run of *nb* with *params* depends on. *shared*: the parts every notebook of one build
    shares (``osa_utils``, ``environment``: :func:`shared_key`), computed once for all of them
    (reading every file of osa_utils once per notebook took about a fifth of a build with nothing changed)."""
    shared = shared or shared_key()
    return {
        "notebook": notebook_hash(nb),
        "osa_utils": shared["osa_utils"],
        "parameters": params,
        "environment": shared["environment"],
        "inputs": input_hashes(params),
    }


def shared_key() -> dict:
    """The parts of :func:`cache_key` that are the same for every notebook, as they are now."""
    return {"osa_utils": package_hash(), "environment": environment_hash()}


def why_stale(entry: dict | None, key: dict) -> str | None:
    """None if the cached run is still valid, else the reason to run again."""
    if entry is None:
        return "no cached run"
    if entry.get("failed"):
        return "previous run failed"
    old = entry["key"]
    for part, reason in (
        ("notebook", "notebook changed"),
        ("environment", "environment changed"),
        ("osa_utils", "osa_utils changed"),
        ("parameters", "parameters changed"),
    ):
        if old[part] != key[part]:
            return reason
    if old.get("inputs", {}) != key.get("inputs", {}):
        changed = sorted(
            n
            for n in set(old.get("inputs", {})) | set(key.get("inputs", {}))
            if old.get("inputs", {}).get(n) != key.get("inputs", {}).get(n)
        )
        return "content changed: " + ", ".join(f"-p {n} file" for n in changed)
    # (an -p file that changed while it ran is recorded as such in the key's inputs: "content changed" above)
    during = [Path(p).name for p, h in sorted(entry["reads"].items()) if h == CHANGED_WHILE_RUNNING]
    if during:
        return "data changed while it last ran: " + ", ".join(during)
    changed = [Path(p).name for p, h in sorted(entry["reads"].items()) if sha256_file(_abs(p)) != h]
    if changed:
        return "data changed: " + ", ".join(changed)
    return None


def changed_while_running(nb: Path, params: dict, key: dict) -> list[str]:
    """What of *key* (taken before *nb* ran) no longer holds after the run: each such part of the key
    is marked :data:`CHANGED_WHILE_RUNNING` (so the next build runs the notebook again), and named."""
    try:
        now = cache_key(nb, params)
    except (OSError, ValueError, KeyError, TypeError):  # the notebook removed or broken meanwhile
        now = {"notebook": None, "osa_utils": None, "environment": None, "inputs": {}}
    changed = []
    for n, h in key["inputs"].items():
        if now["inputs"].get(n) != h:
            key["inputs"][n] = CHANGED_WHILE_RUNNING
            changed.append(f"-p {n} file")
    for part, what in (("notebook", "the notebook"), ("osa_utils", "osa_utils"), ("environment", "the environment")):
        if now[part] != key[part]:
            key[part] = CHANGED_WHILE_RUNNING
            changed.append(what)
    return changed


def report_key(package: DataPackage, results: list[NotebookResult], cache: Path) -> dict:
    """Everything the assembled report depends on, by content hash (the data's as validated)."""
    data = package.hashes
    notebooks = {
        r.name: [
            r.state == "failed" or r.failed_before,
            r.state == "kept",
            r.parameters,
            sha256_file(cache / r.name / "executed.ipynb"),
        ]
        for r in results
    }
    return {"data": data, "notebooks": notebooks, "osa_utils": package_hash(), "environment": environment_hash()}


# --------------------------------------------------------------------------- what a notebook read
def _fingerprint(path) -> tuple | None:
    """Content hash, size, modification time and inode of *path* (None if it cannot be read)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (sha256_file(Path(path)), st.st_size, st.st_mtime_ns, st.st_ino)


def snapshot(data_dir: Path, params: dict[str, dict]) -> dict[str, tuple | None]:
    """Fingerprints of every file a notebook of this build may read through ``osa_utils.data``: the
    data folder's files and the file parameters' files."""
    files = {p for p in Path(data_dir).rglob("*") if p.is_file()}
    files |= {Path(v) for ps in params.values() for n, v in ps.items() if n in FILE_PARAMETERS and v is not None}
    return {str(p.resolve()): _fingerprint(p) for p in sorted(files)}


def checked_reads(log: Path, before: dict, since_ns: int) -> tuple[dict, list[str]]:
    """The files the notebook read (its read log) with the hash each had before it started, and the
    names of those that changed meanwhile (recorded as :data:`CHANGED_WHILE_RUNNING`). A file outside
    the snapshot counts as unchanged only if it was not modified since the build started."""
    reads, changed = {}, []
    for path in readlog.read(log):
        now, was = _fingerprint(path), before.get(path)
        held = now is not None and (now == was if was is not None else now[2] < since_ns)
        reads[_rel(path)] = now[0] if now is not None and held else CHANGED_WHILE_RUNNING
        if not held:
            changed.append(Path(path).name)
    return reads, changed


# --------------------------------------------------------------------------- entries
def link_or_copy(src, dst) -> None:
    """Hard-link a finished file into the new output (files are never modified in place)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def read_json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_entry(d: Path) -> dict | None:
    try:
        return json.loads((d / "entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_entry(d: Path, entry: dict) -> None:
    (d / "entry.json").write_text(json.dumps(entry, indent=1, sort_keys=True), encoding="utf-8")


def copy_entry(old: Path, new: Path) -> None:
    """A notebook's cache folder into the new version (hard links)."""
    shutil.copytree(old, new, copy_function=link_or_copy)


def keep_last_good(old: Path, new: Path, entry: dict | None, result: NotebookResult) -> None:
    """A failed notebook keeps its last successful figures beside the failure."""
    if entry is None or entry.get("failed") or not (old / "figures").exists():
        return
    shutil.copytree(old / "figures", new / "last-good-figures")
    if (old / "executed.ipynb").exists():
        shutil.copy2(old / "executed.ipynb", new / "last-good.ipynb")
    result.stale_output = True
