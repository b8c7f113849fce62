"""CITATION.cff, read by its real client: cffconvert (what GitHub's "Cite this repository" and Zenodo
follow), run from the tool venv that `make cff-validate` makes (it needs jsonschema<4, which the
project's pins exclude). And the collection's entry of `osa-report cite` is derived from it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import skip_unless_ci

from osa_utils import PROJECT_ROOT, __version__

CFF = PROJECT_ROOT / "CITATION.cff"
TOOL = PROJECT_ROOT / ".venv" / "tools" / "cffconvert" / "bin" / "cffconvert"


@pytest.fixture(scope="module")
def cffconvert() -> str:
    """The tool venv's cffconvert, made through the Makefile target if missing (needs PyPI)."""
    if not TOOL.exists():
        if shutil.which("make") is None:
            skip_unless_ci("make is not installed")
        made = subprocess.run(
            # the tool venv's own target: it never touches .venv itself (no PYTHON= given either)
            ["make", "-s", ".venv/tools/cffconvert/.installed-stamp"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )
        if made.returncode != 0 or not TOOL.exists():
            skip_unless_ci(f"could not install cffconvert (no package index?): {made.stderr[-500:]}")
    return str(TOOL)


def _validate(cffconvert: str, path) -> subprocess.CompletedProcess:
    return subprocess.run([cffconvert, "--validate", "-i", str(path)], capture_output=True, text=True)


def test_cffconvert_validates_the_citation_file(cffconvert):
    done = _validate(cffconvert, CFF)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid according to schema version 1.2.0" in done.stdout


def test_cffconvert_can_fail(cffconvert, tmp_path):
    """The check can fail: the same file without its required authors is refused."""
    broken = tmp_path / "CITATION.cff"
    broken.write_text(CFF.read_text(encoding="utf-8").replace("\nauthors:", "\nauthorz:"), encoding="utf-8")
    assert _validate(cffconvert, broken).returncode != 0


def test_the_citation_names_the_report_and_the_versions_agree():
    cff = yaml.safe_load(CFF.read_text(encoding="utf-8"))
    import tomllib

    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert str(cff["version"]) == __version__ == pyproject["version"], "one code version in all three files"
    report = cff["references"][0]
    assert report["type"] == "report" and report["title"].startswith("Europe's Strategic Technology Autonomy")
    assert report["editors"] == [{"family-names": "Rühlig", "given-names": "Tim"}]
    assert (report["year"], report["month"]) == (2023, 1)
    assert sorted(cff["license"]) == ["CC-BY-4.0", "MIT"]


def test_osa_report_cite_derives_the_collection_entry_from_the_citation_file(tmp_path, monkeypatch):
    """Through the CLI: with a CITATION.cff that says another title and version, `osa-report cite`
    prints those (CSL-JSON), so the entry is read from the file, not written a second time in code."""
    from click.testing import CliRunner

    from osa_utils import citeworks
    from osa_utils.cli import cli

    cff = yaml.safe_load(CFF.read_text(encoding="utf-8"))
    changed = tmp_path / "CITATION.cff"
    changed.write_text(yaml.safe_dump({**cff, "title": "A changed title", "version": "9.9.9"}), encoding="utf-8")
    monkeypatch.setattr(citeworks, "CITATION_CFF", changed)
    out = CliRunner().invoke(cli, ["cite", "--format", "csl-json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    mine = next(e for e in json.loads(out.stdout) if e["id"] == citeworks.COLLECTION_ID)
    assert (mine["title"], mine["version"]) == ("A changed title", "9.9.9")
    assert mine["author"] == [{"literal": "The OSA report collection contributors"}]


def test_version_names_the_code_and_the_data_package():
    """`osa-report --version`, run as users run it, prints the package's version and the data
    package's (data/datapackage.json), exit 0."""
    package = json.loads((PROJECT_ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    out = subprocess.run([sys.executable, "-m", "osa_utils.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert f"osa-report {__version__} (code)" in out.stdout
    assert f"data package {package['name']} {package['version']}" in out.stdout


def test_the_data_package_is_versioned_and_licensed():
    """A semantic version, a creation date, contributors, and CC BY 4.0 for the collection's work
    (not 'other-closed'), whose title keeps the report's text the authors'."""
    import re
    from datetime import datetime

    package = json.loads((PROJECT_ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["version"])
    datetime.fromisoformat(package["created"].replace("Z", "+00:00"))
    assert package["contributors"] and all(c.get("title") for c in package["contributors"])
    (licence,) = package["licenses"]
    assert licence["name"] == "CC-BY-4.0" and "osa:verbatim" in licence["title"]
    assert (PROJECT_ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_changelog_keys_data_corrections_by_the_package_version():
    """Every 'Data corrections' heading of CHANGELOG.md names a data package version, none newer than
    the package's own, and the package's own version is there (its corrections are listed)."""
    import re

    package = json.loads((PROJECT_ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    changelog = (PROJECT_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#### Data corrections(.*)$", changelog, re.M)
    assert headings, "CHANGELOG.md lists data corrections"
    versions = []
    for rest in headings:
        found = re.fullmatch(r" \(data package (\d+)\.(\d+)\.(\d+)\)", rest)
        assert found, f"a Data corrections heading without its data package version: {rest!r}"
        versions.append(tuple(int(n) for n in found.groups()))
    current = tuple(int(n) for n in package["version"].split("."))
    assert max(versions) == current, f"the newest data corrections are keyed {max(versions)}, the package is {current}"


def test_each_table_with_quoted_fields_says_which_text_remains_the_authors():
    """`osa:rights` on exactly the resources with osa:verbatim fields, naming each of those fields."""
    package = json.loads((PROJECT_ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        verbatim = [f["name"] for f in resource["schema"]["fields"] if f.get("osa:verbatim")]
        rights = resource.get("osa:rights", "")
        if not verbatim:
            assert not rights, resource["name"]
            continue
        assert "not under CC BY 4.0" in rights, resource["name"]
        named = rights.split(" quoted from the report")[0]
        assert all(re.search(rf"\b{re.escape(v)}\b", named) for v in verbatim), (resource["name"], verbatim, named)


def test_the_report_names_the_code_and_data_versions(built):
    """The title page and the Build section of the built report show both versions and the licences."""
    from html import unescape

    package = json.loads((PROJECT_ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    html = unescape((built.out / "index.html").read_text(encoding="utf-8"))
    title_page = html.split('<div class="title-page">', 1)[1].split("</div>", 1)[0]
    build = html.split('<section id="build">', 1)[1]
    words = f"data package {package['name']} {package['version']}"
    assert f"osa-report {__version__}" in title_page and words in title_page
    assert words in build
    assert "MIT" in title_page and "CC BY 4.0" in title_page and "remain the authors'" in title_page


@pytest.mark.parametrize(
    "content, words",
    [
        ("title: [unclosed\n", "cannot be read as YAML"),
        ("", "not a mapping"),
        ("- a list\n", "not a mapping"),
        ("cff-version: 1.2.0\nversion: 1.0.0\nauthors:\n  - name: x\n", "no title"),
    ],
)
def test_a_broken_citation_file_is_one_line_naming_it(tmp_path, monkeypatch, content, words):
    """`osa-report cite` with a broken CITATION.cff: one line naming the file, exit 1, no traceback."""
    import contextlib
    import io

    from osa_utils import citeworks
    from osa_utils.cli import main

    broken = tmp_path / "CITATION.cff"
    broken.write_text(content, encoding="utf-8")
    monkeypatch.setattr(citeworks, "CITATION_CFF", broken)

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(["cite", "--format", "ris"])
    assert rc == 1, err.getvalue()
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and str(broken) in lines[0] and words in lines[0], lines


def test_a_version_is_read_as_written(tmp_path, monkeypatch):
    """YAML would read `version: 1.10` as the number 1.1; the entry keeps "1.10"."""
    from osa_utils import citeworks

    cff = CFF.read_text(encoding="utf-8").replace(f"version: {__version__}", "version: 1.10")
    (tmp_path / "CITATION.cff").write_text(cff, encoding="utf-8")
    assert citeworks.collection_entry(cff=tmp_path / "CITATION.cff")["version"] == "1.10"
