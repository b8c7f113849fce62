"""Output folders the tool may write, one writer at a time, swapped in whole.

Rules (checked before any work starts, see :func:`check`):

* ``--out`` is written only when it is missing, an empty folder, or carries the
  marker file :data:`MARKER` that this tool writes into everything it creates;
  anything else is refused with a message naming the folder.
* ``--out`` may not be a file, may not be or contain the repository root or the
  home folder, and may not be or lie inside (or contain) the data folder,
  ``notebooks/`` or ``osa_utils/``.

Publishing:

* **versioned** (the report): the build writes a fresh folder ``.OUT.v-<stamp>``
  beside OUT and then points the symlink OUT at it with one atomic
  :func:`os.replace`; at every instant OUT is a complete report (the old one or
  the new one). The previous version is removed afterwards.
* **in place** (the committed ``figures/``, a real folder in git): each file is
  written beside its target and renamed over it; files the tool wrote before
  (listed in the marker) and no longer produces are removed; files it did not
  write are left alone.

One writer per OUT: :func:`lock` takes ``.OUT.lock`` beside OUT with
:mod:`filelock`; a second build fails at once with the first one's pid (or waits,
when asked). Under the lock, leftovers of killed builds of the same OUT
(``.OUT.tmp-*``, ``.OUT.v-*`` not in use, ``.OUT.link-*``) are removed, and only
those that carry the marker: nothing the tool did not create is touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path

from . import PROJECT_ROOT, errors

MARKER = ".osa-report.json"
LOCK_SUFFIX = ".lock"


class OutputError(errors.UsageError, ValueError):
    """OUT may not be written (a user error: exit 2)."""


class BusyError(errors.BusyError, RuntimeError):
    """Another build holds the lock of OUT."""


# --------------------------------------------------------------------------- paths
def location(out) -> Path:
    """Absolute path of *out* with its parent resolved but *out* itself not followed."""
    a = Path(os.path.abspath(out))
    return a.parent.resolve() / a.name


def _is_or_inside(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b)


def check(out, data_dir=None, *, kind: str = "report") -> Path:
    """Raise :class:`OutputError` unless the tool may write *out*; return its location.

    *kind* is what the command writes: ``report`` (a symlink to version folders), ``figures``,
    ``assessment``, ``app_check`` (real folders). A folder the tool made for another kind is
    refused too: a report build must not swap out the committed ``figures/``.
    """
    loc = location(out)
    found = protected(loc, data_dir, figures_itself=kind == "figures")
    if found is not None:
        how, what, p = found
        where = "of its own" if how == "is or contains" else "outside it"
        raise OutputError(f"--out {out} {how} {what} ({p}); choose a folder {where}, e.g. --out report")
    _check_writable(out, loc, kind)
    if loc.is_symlink():
        target = _link_target(loc)
        if target is None:
            raise OutputError(
                f"--out {out} is a symlink that osa-report did not make (it points to "
                f"{os.readlink(loc)}); remove it or choose another --out"
            )
        if kind != "report":
            raise OutputError(
                f"--out {out} is a report made by osa-report build; {kind.replace('_', ' ')} "
                "output goes into a folder of its own"
            )
        return loc
    if loc.exists() and not loc.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder; choose a folder, e.g. --out report")
    if loc.is_dir() and any(loc.iterdir()) and not (loc / MARKER).is_file():
        raise OutputError(
            f"--out {out} already holds files that osa-report did not write (it has no "
            f"{MARKER}); nothing was changed. Choose a new or empty folder, or move those "
            "files away first"
        )
    made_for = _marker_kind(loc) if loc.is_dir() else None
    if made_for == VERSION_KIND:
        raise OutputError(
            f"--out {out} is one version of a report that osa-report keeps behind a symlink "
            "beside it; give that symlink (e.g. --out report) instead"
        )
    if loc.is_dir() and any(loc.iterdir()) and made_for != kind:
        raise OutputError(
            f"--out {out} holds the output of another osa-report command ({made_for or 'unknown'}), "
            f"not {kind.replace('_', ' ')} output; nothing was changed. Choose a folder of its own"
        )
    return loc


def protected(path, data_dir=None, *, figures_itself: bool = False) -> tuple[str, str, Path] | None:
    """Whether no tool output may be written at *path*: ``(how, what, where)`` for the message
    ("is or contains", "the repository root", its path), else None.

    *path* may not be or contain the repository root or the home folder, and may not be, lie inside
    or contain the data folder *data_dir*, ``notebooks/``, ``osa_utils/``, ``.venv/`` or ``.git/``.
    Nor may it be or lie inside the committed reference figures ``figures/`` (a subfolder there
    would be untracked output in a tracked folder, and no command cleans it), except
    ``figures/`` itself where *figures_itself* (``osa-report figures``, i.e. ``make figures``).
    Checked for the path as given (its parent resolved) and for where it leads. The notebooks'
    ``figures_dir`` is checked by the same rule (osa_utils.params).
    """
    loc = location(path)
    targets = {loc, loc.resolve()}
    root = PROJECT_ROOT.resolve()
    protected_above = [(root, "the repository root"), (Path.home().resolve(), "your home folder")]
    protected_below = [
        (root / "notebooks", "the notebooks folder"),
        (root / "osa_utils", "the osa_utils package"),
        (root / ".venv", "the virtual environment"),
        (root / ".git", "git's own folder"),
    ]
    if data_dir is not None:
        protected_below.insert(0, (Path(data_dir).resolve(), "the data folder"))
    figures = root / "figures"
    for t in targets:
        for p, what in protected_above:
            if _is_or_inside(p, t):
                return "is or contains", what, p
        if _is_or_inside(t, figures) and not (figures_itself and t == figures):
            return "is or lies inside", "the committed reference figures, which only `make figures` writes", figures
        for p, what in protected_below:
            if _is_or_inside(t, p) or _is_or_inside(p, t):
                return "is, lies inside or contains", what, p
    return None


#: Bytes the longest name the tool makes beside OUT adds to OUT's name: ``.OUT.v-<stamp>-<pid>-<hex>``
#: for a report, ``.OUT.lock.pid.<pid>.tmp`` for the other kinds.
_NAME_EXTRA = {"report": len(".") + len(".v-20261207T200247-4194304-abcdef"), "other": len("..lock.pid.4194304.tmp")}


def _check_writable(out, loc: Path, kind: str) -> None:
    """OUT's name must leave room for the names made beside it (NAME_MAX), and the folder it is written
    in must be writable: refused before anything is made, not half-way with a file left behind."""
    existing = loc.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        name_max = os.pathconf(existing, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        name_max = 255
    longest = len(os.fsencode(loc.name)) + _NAME_EXTRA["report" if kind == "report" else "other"]
    if longest > name_max:
        raise OutputError(
            f"--out {out}: the name {loc.name[:40]}... is too long ({len(os.fsencode(loc.name))} "
            f"bytes): osa-report makes files named after it beside it, which must fit in {name_max} "
            f"bytes; choose a name of at most {name_max - longest + len(os.fsencode(loc.name))} bytes"
        )
    folders = [existing] + ([loc] if loc.is_dir() and not loc.is_symlink() else [])
    for folder in folders:
        if not os.access(folder, os.W_OK | os.X_OK):
            try:
                read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
            except (OSError, AttributeError):
                read_only = False
            why = "it is on a read-only file system" if read_only else "permission denied"
            raise OutputError(f"--out {out}: cannot write in {folder}: {why}; choose a folder you can write")


#: The marker kind of a report's version folder (the target of the OUT symlink), never an OUT itself.
VERSION_KIND = "report-version"


def _marker_kind(folder: Path) -> str | None:
    try:
        return json.loads((folder / MARKER).read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        return None


def _link_target(loc: Path) -> Path | None:
    """The version folder the symlink *loc* points to, if it is one of ours."""
    try:
        raw = os.readlink(loc)
    except OSError:
        return None
    target = loc.parent / raw
    if Path(raw).parent != Path(".") or not raw.startswith(f".{loc.name}.v-"):
        return None
    return target if (target / MARKER).is_file() or not target.exists() else None


def marker_text(kind: str, files: list[str] | None = None) -> str:
    """The marker's content: deterministic (no dates, no pids), so committed output stays byte-stable."""
    note = (
        "Written by osa-report: this folder may be replaced by the next run. Do not keep your own files here."
        if kind != "notebook_output"
        # output/ of notebooks run by hand (params.DEFAULT_FIGURES_KIND)
        else "Made by a notebook of the OSA report collection: the notebooks write their fig-*/tab-* files here; "
        "make clean removes those and keeps your own files."
    )
    data: dict[str, str | list[str]] = {"created_by": "osa-report", "kind": kind, "note": note}
    if files is not None:
        data["files"] = sorted(files)
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def _ours(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and (path / MARKER).is_file()


# --------------------------------------------------------------------------- the lock
@contextlib.contextmanager
def lock(loc: Path, *, wait: bool = False, say=print):
    """Hold ``.OUT.lock`` beside OUT for the duration; raise :class:`BusyError` if taken."""
    from filelock import FileLock

    loc.parent.mkdir(parents=True, exist_ok=True)
    lock_path = loc.parent / f".{loc.name}{LOCK_SUFFIX}"
    info = loc.parent / f".{loc.name}{LOCK_SUFFIX}.pid"
    for planted in (lock_path, info):
        if planted.is_symlink():  # never write through a link someone put in our place
            raise OutputError(f"{planted} is a symlink, not a lock file osa-report made; remove it and run again")
    fl = FileLock(str(lock_path))
    try:
        holder = _acquire_or_holder(fl, info)
        if holder is not None:
            if not wait:
                raise BusyError(
                    f"another build{holder} is writing {loc}; wait for it to finish, or run again with --wait"
                )
            say(f"waiting for another build{holder} writing {loc} to finish ...")
            fl.acquire()
    except OSError as exc:
        raise OutputError(f"cannot create the lock file {lock_path}: {exc.strerror or exc}") from None
    try:
        _write_new(info, json.dumps({"pid": os.getpid(), "since": time.time()}))
        yield
    finally:
        with contextlib.suppress(OSError):
            info.unlink()
        fl.release()


def _acquire_or_holder(fl, info: Path, patience: float = 1.0) -> str | None:
    """Take the lock (None), or say who holds it (" (pid N)", or "" if that cannot be known).

    The holder writes its pid just after taking the lock and removes it just before letting go:
    for a moment the lock is held with no pid to read. Within *patience* seconds the lock is
    tried again while the pid is unknown, so a second build names the first one's pid, or gets
    the lock the first one was releasing.
    """
    from filelock import Timeout

    deadline = time.monotonic() + patience
    while True:
        try:
            fl.acquire(timeout=0)
            return None
        except Timeout:
            holder = _holder(info)
            if holder or time.monotonic() >= deadline:
                return holder
            time.sleep(0.05)


def _write_new(path: Path, text: str) -> None:
    """Write *path* as a new file of ours, whole at once: the text goes to a file created exclusively
    without following links, then replaces *path* (a stale file or a planted symlink there is
    replaced, never written through), so a reader never sees it half written."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:  # a full disk: no half-written file of ours left behind
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _holder(info: Path) -> str:
    try:
        return f" (pid {json.loads(info.read_text(encoding='utf-8'))['pid']})"
    except (OSError, ValueError, KeyError, TypeError):
        return ""


# --------------------------------------------------------------------------- leftovers and staging
def clean_leftovers(loc: Path) -> list[Path]:
    """Remove what killed builds of OUT left beside it (only what carries the marker); call under the lock."""
    current = _link_target(loc) if loc.is_symlink() else None
    removed = []
    for p in sorted(loc.parent.glob(f".{loc.name}.*")):
        if p.name.endswith((LOCK_SUFFIX, LOCK_SUFFIX + ".pid")):
            continue
        if current is not None and p == current:
            continue
        if p.is_symlink() and p.name.startswith(f".{loc.name}.link-") and _link_target_named(p, loc.name):
            p.unlink()
            removed.append(p)
        elif _ours(p) and p.name.startswith((f".{loc.name}.tmp-", f".{loc.name}.v-", f".{loc.name}.old-")):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def _link_target_named(link: Path, name: str) -> bool:
    try:
        return os.readlink(link).startswith(f".{name}.v-")
    except OSError:
        return False


def new_version(loc: Path, kind: str = VERSION_KIND) -> Path:
    """A fresh folder beside OUT that will become its next version (marker written first)."""
    loc.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    d = loc.parent / f".{loc.name}.v-{stamp}-{os.getpid()}-{os.urandom(3).hex()}"
    d.mkdir()
    (d / MARKER).write_text(marker_text(kind), encoding="utf-8")
    return d


def publish(version: Path, loc: Path) -> None:
    """Point OUT at *version* atomically and remove the version it pointed to before."""
    old = _link_target(loc) if loc.is_symlink() else None
    link = loc.parent / f".{loc.name}.link-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(version.name, link)
    if loc.is_dir() and not loc.is_symlink():
        # First versioned build into a real folder: it is empty or ours (checked); move it aside.
        if any(loc.iterdir()):
            aside = loc.parent / f".{loc.name}.old-{os.getpid()}"
            os.rename(loc, aside)
            old = aside
        else:
            loc.rmdir()
    os.replace(link, loc)
    if old is not None and old != version and _ours(old):
        shutil.rmtree(old, ignore_errors=True)


def current(loc: Path) -> Path | None:
    """The folder OUT's content lives in now (its version folder, or OUT itself), if any."""
    if loc.is_symlink():
        return _link_target(loc)
    return loc if loc.is_dir() else None


def publish_in_place(src: Path, loc: Path, kind: str = "figures") -> list[str]:
    """Copy every file of *src* into the real folder OUT, each replaced atomically; files the
    tool wrote before and no longer produces are removed. Returns the names written."""
    loc.mkdir(parents=True, exist_ok=True)
    before = _marker_files(loc)
    names = sorted(p.name for p in src.iterdir() if p.is_file() and p.name != MARKER)
    for name in names:
        tmp = loc / f".{name}.tmp-{os.getpid()}"
        try:
            shutil.copyfile(src / name, tmp)
            os.replace(tmp, loc / name)
        except BaseException:  # a full disk: no half-written copy left beside the figures
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    for name in sorted(set(before) - set(names)):
        with contextlib.suppress(FileNotFoundError):
            (loc / name).unlink()
    tmp = loc / f".{MARKER}.tmp-{os.getpid()}"
    try:
        tmp.write_text(marker_text(kind, names), encoding="utf-8")
        os.replace(tmp, loc / MARKER)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return names


def _marker_files(loc: Path) -> list[str]:
    try:
        files = json.loads((loc / MARKER).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [f for f in files if isinstance(f, str) and "/" not in f and f not in (".", "..", MARKER)]
