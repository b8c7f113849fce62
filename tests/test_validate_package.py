"""The data package as a value (osa_utils.data.DataPackage): validated once, with the hash of each file."""

from __future__ import annotations

import hashlib
import json

import pytest

from osa_utils import cite, citerender, errors, report
from osa_utils.data import DESCRIPTOR, DataPackage, DataValidationError, as_package, load_package, load_table


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_hashes_are_the_files_and_the_digest_covers_them(data_dir):
    pkg = DataPackage.load(data_dir)
    files = [DESCRIPTOR] + [r["path"] for r in pkg.descriptor["resources"]]
    assert list(pkg.hashes) == files  # the descriptor first, then the tables in descriptor order
    assert all(pkg.hashes[f] == _sha(data_dir / f) for f in files)
    assert pkg.digest == hashlib.sha256(json.dumps(pkg.hashes, sort_keys=True).encode()).hexdigest()
    assert pkg.sha256("sources") == _sha(data_dir / "sources.csv")
    assert pkg.file("sources") == data_dir / "sources.csv"
    assert pkg.names == [r["name"] for r in pkg.descriptor["resources"]]
    assert "descriptor" not in repr(pkg) and pkg.digest in repr(pkg)  # a readable repr, not the whole JSON


def test_tables_are_those_load_table_gives(data_dir):
    pkg = DataPackage.load(data_dir)
    assert pkg.table("actors").equals(load_table("actors", data_dir))
    assert pkg.table("actors") is pkg.table("actors")  # built once
    tables = pkg.tables
    assert list(tables) == list(load_package(data_dir))
    assert all(tables[n].equals(f) for n, f in load_package(data_dir).items())
    with pytest.raises(KeyError, match="no table 'nope' in the data package; known tables: "):
        pkg.table("nope")


def test_a_changed_file_changes_the_digest(data_copy):
    before = DataPackage.load(data_copy)
    path = data_copy / "footnote_sources.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("printed pointer", "Printed pointer"), encoding="utf-8")
    after = DataPackage.load(data_copy)
    assert after.digest != before.digest
    changed = [f for f in after.hashes if after.hashes[f] != before.hashes[f]]
    assert changed == ["footnote_sources.csv"]


def test_bad_data_is_an_error_with_every_problem(data_copy):
    (data_copy / "actors.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        DataPackage.load(data_copy)
    assert any(p.file == "actors.csv" and p.problem == "file is empty" for p in exc.value.problems)
    # one error contract: exit 1, and still a ValueError for code that caught it as one
    assert isinstance(exc.value, errors.OSAError) and isinstance(exc.value, ValueError)
    assert exc.value.exit_code == errors.EXIT_FAILED


def test_as_package_takes_a_package_or_a_folder(data_dir):
    pkg = DataPackage.load(data_dir)
    assert as_package(pkg) is pkg
    assert as_package(data_dir).digest == pkg.digest
    assert as_package(None).path == DataPackage.load().path


def test_the_bibliography_uses_the_package_as_loaded(data_dir, monkeypatch, tmp_path):
    """With a package, the works come from its tables and the cache key from its hashes: no file is read again."""
    monkeypatch.setenv("OSA_NO_BIBLIOGRAPHY_CACHE", "1")
    pkg = DataPackage.load(data_dir)
    expected = cite.works(data_dir)
    assert citerender._data_hash(pkg) == citerender._data_hash(data_dir)

    def no_reading(*a, **k):
        raise AssertionError("a table was loaded from the folder although the package holds it")

    monkeypatch.setattr("osa_utils.citeworks.load_table", no_reading)
    assert cite.works(pkg) == expected
    assert cite.figure_footnotes("box1", pkg) == [7]
    monkeypatch.setattr(citerender, "render", lambda items, style="chicago": [(w["id"], w["id"]) for w in items])
    entries = cite.render_bibliography(pkg)
    assert [e["id"] for e in entries] == [w["id"] for w in expected]


def test_report_build_metadata_names_the_data_folder(data_dir):
    pkg = DataPackage.load(data_dir)
    assert report.build_metadata([], pkg)["data_dir"] == str(data_dir)
    assert report.build_metadata([], data_dir)["data_dir"] == str(data_dir)
