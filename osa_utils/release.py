"""``osa-report release --out DIR``: the archive a repository such as Zenodo holds.

A release is made from what is committed, never from a stale ``report/``:

1. OUT is checked by the build's rules (:func:`osa_utils.outdir.check`, kind ``release``), the data
   package is validated and must have a ``version``, and the git checkouts holding the code, the data
   package and the notebooks must be clean (no uncommitted or untracked file that git does not
   ignore), all before any kernel starts;
2. every notebook is executed into a scratch folder, with the report page (:func:`osa_utils.build.run`);
3. its figures are compared with the committed reference figures, as ``osa-report verify`` does:
   any difference, or any failed notebook, and nothing is written;
4. the bundle is assembled beside OUT and swapped in: a folder ``osa-report-collection-<code>-data-<data>/``
   holding the data package (``data/``), the built report (``report/``: index.html, figures,
   executed notebooks), ``CITATION.cff``, ``CHANGELOG.md``, the licences, ``RELEASE.json`` (versions and
   commit) and ``SHA256SUMS`` (``sha256sum -c SHA256SUMS`` checks it), and the same folder as one
   ``.zip`` (files in sorted order with fixed dates: the same content gives the same bytes) with its
   own checksum beside it (``NAME.zip.sha256``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from . import PROJECT_ROOT, __version__, build, errors, outdir
from .data import DataPackage
from .verify import compare_figures

#: The checkout of the code, checked for uncommitted changes too (None where the package is not
#: run from a git checkout, e.g. installed from a wheel).
CODE_ROOT: Path | None = PROJECT_ROOT if (PROJECT_ROOT / ".git").exists() else None
#: The project's files every release carries beside the data and the report.
PROJECT_FILES = ("CITATION.cff", "CHANGELOG.md", "LICENSE", "LICENSE-DATA.md", "README.md")
KIND = "release"
#: A zip entry's date: fixed, so the archive's bytes depend on its content only (zip's earliest date).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class ReleaseError(errors.OSAError, RuntimeError):
    """No release can be made from this state (exit 1); nothing was written."""


def _git(folder: Path, *args: str, text: bool = True) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=text)
    except FileNotFoundError:
        raise ReleaseError("git is not installed: a release names the commit it was made from") from None


def git_state(folder: Path) -> tuple[str, list[str]]:
    """(commit, changed paths) of the whole git checkout holding *folder*: uncommitted or untracked
    files, and files hidden from ``git status`` (skip-worktree, assume-unchanged)."""
    folder = Path(folder)
    head = _git(folder, "rev-parse", "HEAD")
    if head.returncode != 0:
        raise ReleaseError(
            f"{folder} is not in a git checkout with a commit: a release names the commit it was made from"
        )
    status = _git(folder, "status", "--porcelain", "--untracked-files=all")
    changed = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    # `git ls-files -v`: a lower-case tag is assume-unchanged, S is skip-worktree
    hidden = _git(folder, "ls-files", "-v").stdout.splitlines()
    changed += [f"{line[2:]} (hidden from git status)" for line in hidden if line[:1].islower() or line[:1] == "S"]
    return head.stdout.strip(), changed


def check_clean(folders: dict[str, Path]) -> dict[str, str]:
    """The commit of each folder's checkout (by role: code, data, notebooks); a ReleaseError naming
    the changed files if any."""
    commits = {}
    for role, folder in folders.items():
        commit, dirty = git_state(folder)
        if dirty:
            shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
            raise ReleaseError(
                f"{folder} has uncommitted changes ({shown}); commit them first: a release is made "
                "from committed files only. Nothing was written"
            )
        commits[role] = commit
    return commits


def committed(folder: Path, name: str) -> bytes:
    """The bytes of file *name* (relative to *folder*) as committed (HEAD) in the checkout holding
    *folder*: one ``git show HEAD:./name`` (git resolves ``./`` from the folder it runs in)."""
    shown = _git(folder, "show", f"HEAD:./{name}", text=False)
    if shown.returncode != 0:
        raise ReleaseError(f"{Path(folder) / name} is not committed; a release is made from committed files only")
    return shown.stdout


def _inside_unignored(out: Path, folders: dict[str, Path]) -> Path | None:
    """The checkout that *out* lies inside without git ignoring it (the release would make it dirty)."""
    for folder in folders.values():
        top = _git(folder, "rev-parse", "--show-toplevel").stdout.strip()
        inside = bool(top) and outdir.location(out).is_relative_to(Path(top).resolve())
        if inside and _git(folder, "check-ignore", "-q", f"{outdir.location(out)}/").returncode != 0:
            return Path(top)
    return None


def _cff_problem() -> str | None:
    """What is wrong with CITATION.cff for a release: unreadable, no title, another version."""
    from .citeworks import collection_entry

    try:
        entry = collection_entry()
    except errors.OSAError as exc:
        return str(exc)
    if entry["version"] != __version__:
        return f"CITATION.cff says version {entry['version']!r}, the code is {__version__}"
    return None


#: A semantic version: MAJOR.MINOR.PATCH, digits only.
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


def release(
    out: Path,
    *,
    data_dir: Path,
    notebooks_dir: Path,
    reference: Path,
    jobs: int | None = None,
    timeout: float | None = build.DEFAULT_TIMEOUT,
    say: Callable[[str], None] = print,
    wait: bool = False,
) -> Path:
    """Build, verify and write the release into OUT; returns the zip's path (see the module docstring)."""
    loc = outdir.check(out, data_dir, kind=KIND)  # OutputError (a UsageError, exit 2)
    _only_ours(loc)
    if not Path(reference).is_dir():
        raise errors.UsageError(f"--figures {reference} is not a folder of reference figures")
    folders = {"data": Path(data_dir), "notebooks": Path(notebooks_dir)}
    if CODE_ROOT is not None:
        folders = {"code": CODE_ROOT, **folders}
    inside = _inside_unignored(out, folders)
    if inside is not None:
        raise errors.UsageError(
            f"--out {out} lies inside the git checkout {inside} and git does not ignore it: the release "
            "would make the checkout dirty. Choose a folder outside it"
        )
    package = DataPackage.load(data_dir)  # a DataError names file, row and column
    version = package.descriptor.get("version")
    where = Path(data_dir) / "datapackage.json"
    if not isinstance(version, str) or not SEMVER.fullmatch(version):
        raise ReleaseError(f"{where}: version must be a semantic version such as 1.2.0, not {version!r}")
    if CODE_ROOT is not None and (problem := _cff_problem()):
        raise ReleaseError(f"{problem}; fix CITATION.cff before a release")
    commits = check_clean(folders)
    # the files as committed: what the release names is what it holds, whatever happens meanwhile
    data_files = {name: committed(Path(data_dir), name) for name in _tracked(Path(data_dir))}
    for name, digest in package.hashes.items():
        if hashlib.sha256(data_files.get(name, b"")).hexdigest() != digest:
            raise ReleaseError(f"{where.parent / name} differs from its committed version; nothing was written")
    project = {f: committed(CODE_ROOT, f) for f in PROJECT_FILES if CODE_ROOT and (CODE_ROOT / f).is_file()}
    name = f"osa-report-collection-{__version__}-data-{version}"
    with outdir.lock(loc, wait=wait, say=say):
        outdir.clean_leftovers(loc)  # a killed release's staging folder (it carries the marker)
        work = Path(tempfile.mkdtemp(prefix="osa-release-"))
        try:
            say(f"building every notebook and the report into a scratch folder for {name}")
            result = build.run(
                data_dir, work / "report", jobs=jobs, force=True, notebooks_dir=notebooks_dir, timeout=timeout
            )
            if result.failed:
                names = ", ".join(r.name for r in result.failed)
                raise ReleaseError(f"notebook(s) {names} failed; nothing was written")
            moved = [f"{r.name} ({', '.join(r.changed_inputs)})" for r in result.results if r.changed_inputs]
            if moved or check_clean(folders) != commits:
                raise ReleaseError(
                    "files changed while the release was built ("
                    + ("; ".join(moved) or "a new commit or uncommitted changes")
                    + "); nothing was written. Run it again on a quiet checkout"
                )
            built = Path(os.path.realpath(work / "report"))
            bad = [r for r in compare_figures(reference, built / "figures") if r[1] != "identical"]
            if bad:
                listed = "; ".join(f"{n} {v}" for n, v, _ in bad[:5]) + (" …" if len(bad) > 5 else "")
                raise ReleaseError(
                    f"the rebuilt figures differ from {reference} ({len(bad)}: {listed}); run osa-report verify "
                    "for the details. Nothing was written"
                )
            stage = loc.parent / f".{loc.name}.tmp-{os.getpid()}"
            shutil.rmtree(stage, ignore_errors=True)
            stage.mkdir(parents=True)
            files = [name, f"{name}.zip", f"{name}.zip.sha256"]
            (stage / outdir.MARKER).write_text(outdir.marker_text(KIND, files), encoding="utf-8")
            try:
                _assemble(stage / name, data_files, project, built, package, commits, version)
                zipped = _zip(stage / name, stage / f"{name}.zip")
                # the archive's own sum beside it (`sha256sum -c NAME.zip.sha256`), as repositories ask
                (stage / f"{name}.zip.sha256").write_text(f"{_sha256(zipped)}  {zipped.name}\n", encoding="utf-8")
                _swap(stage, loc)
            except BaseException:
                shutil.rmtree(stage, ignore_errors=True)
                raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return loc / zipped.name


def _tracked(folder: Path) -> list[str]:
    """The files git tracks under *folder*, relative to it (data/README.md and examples too)."""
    listed = _git(folder, "ls-files", "-z", "--", ".").stdout
    return sorted(p for p in listed.split("\0") if p)


def _only_ours(loc: Path) -> None:
    """Refuse (exit 2) an earlier release folder that holds a file the release did not write."""
    if not loc.is_dir() or loc.is_symlink():
        return
    try:
        wrote = set(json.loads((loc / outdir.MARKER).read_text(encoding="utf-8")).get("files", []))
    except (OSError, ValueError, AttributeError):
        wrote = set()
    foreign = sorted(p.name for p in loc.iterdir() if p.name != outdir.MARKER and p.name not in wrote)
    if foreign and (loc / outdir.MARKER).is_file():
        raise errors.UsageError(
            f"--out {loc} holds files the release did not write ({', '.join(foreign[:5])}); move them "
            "away or choose another folder. Nothing was changed"
        )


def _assemble(
    bundle: Path,
    data_files: dict[str, bytes],
    project: dict[str, bytes],
    built: Path,
    package: DataPackage,
    commits: dict[str, str],
    version: str,
) -> None:
    """The bundle folder: the committed data files and project files, the built report, RELEASE.json
    (versions, data digest, commits by role: no local paths) and SHA256SUMS."""
    bundle.mkdir()
    for name, content in {**{f"data/{n}": c for n, c in data_files.items()}, **project}.items():
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_bytes(content)
    shutil.copytree(built, bundle / "report", ignore=shutil.ignore_patterns(outdir.MARKER, ".*"))
    meta = {
        "code_version": __version__,
        "data_package": package.descriptor.get("name"),
        "data_version": version,
        "data_digest": package.digest,
        "commits": commits,
    }
    (bundle / "RELEASE.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    lines = [f"{_sha256(p)}  {p.relative_to(bundle).as_posix()}" for p in _files(bundle)]
    (bundle / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _files(folder: Path) -> list[Path]:
    return sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _zip(folder: Path, target: Path) -> Path:
    """*folder* as one zip (entries under the folder's name), sorted, with fixed dates and modes."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in _files(folder):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, path.read_bytes())
    return target


def _swap(stage: Path, loc: Path) -> None:
    """Put *stage* in OUT's place: OUT, if it exists, is a release of ours (checked), moved aside first."""
    aside = None
    if loc.exists():
        aside = loc.parent / f".{loc.name}.old-{os.getpid()}"
        os.rename(loc, aside)
    os.rename(stage, loc)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
