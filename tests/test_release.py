"""`osa-report release --out DIR` on the small fixture collection (two notebooks, a copy of the data):
the bundle unpacks, its checksums verify with coreutils' `sha256sum -c`, and the stock `frictionless`
validates the unpacked data package; a dirty checkout or a differing figure writes nothing.

The command runs in-process (click's CliRunner) so the test can point the code checkout the release
inspects (``release.CODE_ROOT``) at the fixture's own git repository: the project's checkout may carry
a developer's uncommitted work, which would (rightly) refuse the release."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import skip_unless_ci, tree

from osa_utils import __version__
from osa_utils import release as rel
from osa_utils.cli import cli

BIN = rel.PROJECT_ROOT / ".venv" / "bin"


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def checkout(collection, tmp_path, monkeypatch):
    """The fixture collection committed in a git repository of its own; (notebooks, data, out, ref)."""
    if shutil.which("git") is None:
        skip_unless_ci("git is not installed")
    nbs, data, out = collection
    ref = tmp_path / "ref"
    ref.mkdir()
    # the project's own ignore rules (the build's lock files beside OUT), and the test's folders
    ignore = (rel.PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8")
    (tmp_path / ".gitignore").write_text(ignore + "\n/out/\n/ref/\n", encoding="utf-8")
    for name in rel.PROJECT_FILES:  # the checkout's own citation file, changelog and licences
        shutil.copyfile(rel.PROJECT_ROOT / name, tmp_path / name)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "fixture")
    monkeypatch.setattr(rel, "CODE_ROOT", tmp_path)
    return nbs, data, out, ref


def _release(nbs, data, out, ref):
    args = ["release", "--out", out, "--data-dir", data, "--notebooks-dir", nbs, "--figures", ref, "--jobs", "1"]
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_the_release_unpacks_and_its_checksums_and_data_package_verify(checkout, tmp_path):
    nbs, data, out, ref = checkout
    done = _release(nbs, data, out, ref)
    assert done.exit_code == 0, done.output
    version = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))["version"]
    name = f"osa-report-collection-{__version__}-data-{version}"
    zipped = out / f"{name}.zip"
    assert zipped.is_file() and (out / name).is_dir(), sorted(p.name for p in out.iterdir())
    archive = subprocess.run(["sha256sum", "-c", f"{name}.zip.sha256"], cwd=out, capture_output=True, text=True)
    assert archive.returncode == 0, archive.stdout + archive.stderr
    unpacked = tmp_path / "unpacked"
    subprocess.run([sys.executable, "-m", "zipfile", "-e", str(zipped), str(unpacked)], check=True)
    bundle = unpacked / name
    assert tree(bundle) == tree(out / name), "the zip holds the folder, byte for byte"
    sums = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=bundle, capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    listed = {line.split("  ", 1)[1] for line in (bundle / "SHA256SUMS").read_text(encoding="utf-8").splitlines()}
    assert listed == {str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    for needed in ("report/index.html", "data/datapackage.json", "CITATION.cff", "CHANGELOG.md", "LICENSE"):
        assert (bundle / needed).is_file(), needed
    assert {p.name for p in (bundle / "report" / "notebooks").glob("*.ipynb")} == {"a_tech.ipynb", "b_dims.ipynb"}
    meta = json.loads((bundle / "RELEASE.json").read_text(encoding="utf-8"))
    assert meta["data_version"] == version and meta["code_version"] == __version__
    assert set(meta["commits"]) == {"code", "data", "notebooks"} and str(tmp_path) not in json.dumps(meta)
    assert (bundle / "data" / "README.md").is_file(), "every tracked file of the data folder"
    frictionless = subprocess.run(
        [str(BIN / "frictionless"), "validate", "datapackage.json"], cwd=bundle / "data", capture_output=True, text=True
    )
    assert frictionless.returncode == 0, frictionless.stdout[-2000:]
    # one change to a file, and the checksums say so
    (bundle / "CITATION.cff").write_text("changed\n", encoding="utf-8")
    again = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=bundle, capture_output=True, text=True)
    assert again.returncode != 0 and "CITATION.cff: FAILED" in again.stdout


def test_a_dirty_checkout_releases_nothing(checkout):
    nbs, data, out, ref = checkout
    (data / "new.csv").write_text("a\n1\n", encoding="utf-8")
    done = _release(nbs, data, out, ref)
    assert done.exit_code == 1, done.output
    assert "uncommitted changes" in done.output and "data/new.csv" in done.output
    assert not out.exists()


def test_a_differing_figure_releases_nothing_and_keeps_the_last_release(checkout):
    nbs, data, out, ref = checkout
    assert _release(nbs, data, out, ref).exit_code == 0
    before = tree(out)
    (ref / "fig-9-9.png").write_bytes(b"a reference the notebooks do not make")
    done = _release(nbs, data, out, ref)
    assert done.exit_code == 1 and "differ" in done.output and "fig-9-9.png" in done.output, done.output
    assert tree(out) == before, "the last release stays as it was"


def test_the_build_output_rules_apply_to_out(checkout, tmp_path):
    """An --out holding files osa-report did not write is refused before any kernel (exit 2), untouched."""
    nbs, data, _, ref = checkout
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.docx").write_bytes(b"years of work")
    done = _release(nbs, data, precious, ref)
    assert done.exit_code == 2 and "did not write" in done.output, done.output
    assert tree(precious) == {"thesis.docx": b"years of work"}


def _commit(repo):
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "change")


def test_a_file_of_yours_in_an_earlier_release_folder_is_never_deleted(checkout):
    nbs, data, out, ref = checkout
    assert _release(nbs, data, out, ref).exit_code == 0
    (out / "my-notes.txt").write_text("mine\n", encoding="utf-8")
    before = tree(out)
    done = _release(nbs, data, out, ref)
    assert done.exit_code == 2 and "my-notes.txt" in done.output, done.output
    assert tree(out) == before


def test_out_inside_the_checkout_and_not_ignored_is_refused(checkout, tmp_path):
    nbs, data, _, ref = checkout
    done = _release(nbs, data, tmp_path / "dist", ref)
    assert done.exit_code == 2 and "git does not ignore it" in done.output, done.output
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize("version", ["banana 1/../x", 1.1, "1.1"])
def test_a_version_that_is_not_semantic_is_refused_before_any_kernel(checkout, version):
    nbs, data, out, ref = checkout
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["version"] = version
    (data / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8")
    _commit(data.parent)
    done = _release(nbs, data, out, ref)
    assert done.exit_code == 1 and "semantic version" in done.output and "building" not in done.output, done.output
    assert not out.exists()


def test_a_file_hidden_from_git_status_is_refused(checkout):
    nbs, data, out, ref = checkout
    _git(data.parent, "update-index", "--skip-worktree", "LICENSE")
    (data.parent / "LICENSE").write_text("an uncommitted line\n", encoding="utf-8")
    done = _release(nbs, data, out, ref)
    assert done.exit_code == 1 and "LICENSE (hidden from git status)" in done.output, done.output
