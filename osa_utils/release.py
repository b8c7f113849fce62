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
   ``.zip`` (files in sorted order with fixed dates: the same content gives the same bytes).
"""

from __future__ import annotations

import hashlib
import json
import os
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


def git_state(folder: Path) -> tuple[str, list[str]]:
    """(commit, uncommitted or untracked paths) of the whole git checkout holding *folder*."""
    folder = Path(folder)

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)

    try:
        head = git("rev-parse", "HEAD")
    except FileNotFoundError:
        raise ReleaseError("git is not installed: a release names the commit it was made from") from None
    if head.returncode != 0:
        raise ReleaseError(
            f"{folder} is not in a git checkout with a commit: a release names the commit it was made from"
        )
    status = git("status", "--porcelain", "--untracked-files=all")
    return head.stdout.strip(), [line[3:] for line in status.stdout.splitlines() if line.strip()]


def check_clean(*folders: Path) -> dict[str, str]:
    """The commit of each folder's checkout; a ReleaseError naming the changed files if any."""
    commits = {}
    for folder in folders:
        commit, dirty = git_state(folder)
        if dirty:
            shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
            raise ReleaseError(
                f"{folder} has uncommitted changes ({shown}); commit them first: a release is made "
                "from committed files only. Nothing was written"
            )
        commits[str(folder)] = commit
    return commits


def release(
    out: Path,
    *,
    data_dir: Path,
    notebooks_dir: Path,
    reference: Path,
    jobs: int | None = None,
    timeout: float | None = build.DEFAULT_TIMEOUT,
    say: Callable[[str], None] = print,
) -> Path:
    """Build, verify and write the release into OUT; returns the zip's path (see the module docstring)."""
    loc = outdir.check(out, data_dir, kind=KIND)  # OutputError (a UsageError, exit 2)
    if not Path(reference).is_dir():
        raise errors.UsageError(f"--figures {reference} is not a folder of reference figures")
    package = DataPackage.load(data_dir)  # a DataError names file, row and column
    version = str(package.descriptor.get("version") or "")
    if not version:
        raise ReleaseError(f"{Path(data_dir) / 'datapackage.json'} has no version; a release needs one")
    commits = check_clean(*(f for f in (CODE_ROOT, Path(data_dir), Path(notebooks_dir)) if f is not None))
    name = f"osa-report-collection-{__version__}-data-{version}"
    with outdir.lock(loc, say=say):
        work = Path(tempfile.mkdtemp(prefix="osa-release-"))
        try:
            say(f"building every notebook and the report into a scratch folder for {name}")
            result = build.run(
                data_dir, work / "report", jobs=jobs, force=True, notebooks_dir=notebooks_dir, timeout=timeout
            )
            if result.failed:
                names = ", ".join(r.name for r in result.failed)
                raise ReleaseError(f"notebook(s) {names} failed; nothing was written")
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
            (stage / outdir.MARKER).write_text(outdir.marker_text(KIND), encoding="utf-8")
            try:
                _assemble(stage / name, package, built, commits, version)
                zipped = _zip(stage / name, stage / f"{name}.zip")
                _swap(stage, loc)
            except BaseException:
                shutil.rmtree(stage, ignore_errors=True)
                raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return loc / zipped.name


def _assemble(bundle: Path, package: DataPackage, built: Path, commits: dict[str, str], version: str) -> None:
    bundle.mkdir()
    data = bundle / "data"
    data.mkdir()
    for file in package.hashes:  # datapackage.json and every resource: the files that were validated
        (data / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package.path / file, data / file)
    shutil.copytree(built, bundle / "report", ignore=shutil.ignore_patterns(outdir.MARKER, ".*"))
    for file in PROJECT_FILES:
        if (PROJECT_ROOT / file).is_file():
            shutil.copyfile(PROJECT_ROOT / file, bundle / file)
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
