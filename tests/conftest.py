"""Shared fixtures: the real data package, a scratch copy of it, and the report text."""

from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path

import pytest

from osa_utils import DEFAULT_DATA_DIR, PROJECT_ROOT

# As in the build's workers (osa_utils.batch.workers._init_worker): jsonschema, imported with nbformat by
# several test modules, would build the grammar of rfc3987_syntax (never used for notebooks) at
# import: ~3.5 s of collection in every xdist worker.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None makes the import fail fast


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test drew (only where it used pyplot: no import for the others)."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DEFAULT_DATA_DIR


def csv_records(data_dir: Path, name: str) -> list[dict]:
    """The rows of ``<data_dir>/<name>.csv`` as dicts of text, read with the csv module (not with the
    loader the tests check)."""
    with open(data_dir / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def refs(data_dir):
    """references.csv by footnote number."""
    return {int(r["footnote"]): r for r in csv_records(data_dir, "references")}


@pytest.fixture(scope="module")
def sources(data_dir):
    """sources.csv by source_id."""
    return {r["source_id"]: r for r in csv_records(data_dir, "sources")}


@pytest.fixture(scope="module")
def links(data_dir):
    """footnote_sources.csv, in its order."""
    return csv_records(data_dir, "footnote_sources")


@pytest.fixture(scope="session")
def package(data_dir):
    from osa_utils.data import load_package

    return load_package(data_dir)


@pytest.fixture(scope="session")
def descriptor(data_dir):
    from osa_utils.data import read_descriptor

    return read_descriptor(data_dir)


@pytest.fixture
def data_copy(tmp_path, data_dir) -> Path:
    """A writable copy of data/ to corrupt."""
    dst = tmp_path / "data"
    shutil.copytree(data_dir, dst)
    return dst


@pytest.fixture(scope="session")
def source():
    """The report's text, or a skip (a failure when OSA_REQUIRE_SOURCE is set, as in CI)."""
    from osa_utils.fidelity import Source, source_path

    path = source_path()
    if path is None:
        reason = (
            "report text not found: set OSA_SOURCE_TEXT or place it at ../shared/reference/000_c1b4ff3702dc90eb.txt"
        )
        if os.environ.get("OSA_REQUIRE_SOURCE"):
            pytest.fail(reason)
        pytest.skip(reason)
    return Source(path)


@pytest.fixture(scope="session")
def source_lines(source):
    from osa_utils.fidelity import source_path

    path = source_path()
    assert path is not None  # the source fixture has skipped (or failed) otherwise
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


#: Session fixtures that build the whole collection, and the xdist group of the tests using each:
#: with ``--dist loadgroup`` a group runs on one worker. Each build is also shared between workers
#: through a folder under a file lock (:func:`_shared_build`), so it is made once per run even if
#: the grouping fails: pytest 9.2 silently broke xdist's loadgroup (pytest-dev/pytest-xdist#1386),
#: which made every run build the collection twice; pytest is pinned to 9.1.1 for it.
COLLECTION_BUILDS = {"built": "collection", "built_zh": "collection_zh"}
#: Module fixtures that are costly to make (a build history, the bibliography rendered in two
#: styles): the tests using one share a group too, else each xdist worker would make it again.
SHARED_MODULE_FIXTURES = {"history": "build_history", "rendered": "citeproc"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        names = getattr(item, "fixturenames", ())
        for fixture, group in COLLECTION_BUILDS.items():
            if fixture in names:
                item.add_marker(pytest.mark.xdist_group(group))
                item.add_marker(pytest.mark.slow)
                break
        else:
            for fixture, group in SHARED_MODULE_FIXTURES.items():
                if fixture in names:
                    item.add_marker(pytest.mark.xdist_group(group))
                    break


def _shared_build(tmp_path_factory, name: str, **kwargs):
    """``osa_utils.build.run`` of the whole collection, made by the first xdist worker that asks
    and read back by the others (the pattern pytest-xdist documents for session fixtures)."""
    import pickle

    from filelock import FileLock

    from osa_utils.build import run as _run

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, shared by the workers
    folder, saved = root / f"shared-{name}", root / f"shared-{name}" / "result.pickle"
    with FileLock(str(root / f"shared-{name}.lock")):
        if saved.is_file():
            return pickle.loads(saved.read_bytes())
        folder.mkdir(exist_ok=True)
        result = _run(DEFAULT_DATA_DIR, folder / "report", jobs=2, **kwargs)
        saved.write_bytes(pickle.dumps(result))
        return result


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The whole collection, built once with default parameters; every figure is checked for
    clipping as it is saved (figures.save raises in the kernels)."""
    from osa_utils.figures import LAYOUT_CHECK_ENV

    os.environ[LAYOUT_CHECK_ENV] = "1"
    try:
        result = _shared_build(tmp_path_factory, "built")
    finally:
        del os.environ[LAYOUT_CHECK_ENV]
    result.layout_checked = True
    return result


#: The zh build runs one chapter (the actor table and chart every chapter draws with the same
#: code) and the cross-chapter views (recurring actors, the network); that every Chinese character
#: of the data has a glyph is checked for all tables at once in test_fonts.py.
ZH_NOTEBOOKS = ["03_6g", "09_cross_chapter"]


@pytest.fixture(scope="session")
def built_zh(tmp_path_factory):
    # Chinese names are what this build checks: PNG only, at screen resolution, to keep it quick.
    return _shared_build(
        tmp_path_factory, "built_zh", only=ZH_NOTEBOOKS, overrides={"name_lang": "zh", "formats": "png", "dpi": 72}
    )


def skip_unless_ci(reason: str) -> None:
    """Skip a test whose means (a tmpfs or bind mount, as root) this machine lacks, but fail under CI,
    which runs as root and must run it (a skipped test there proves nothing)."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must be able to run this test: {reason}")
    pytest.skip(reason)


def chromium_or_skip(what: str) -> str:
    """The Chromium to drive, for *what* (e.g. "to open the pages in"); skipped where none is
    installed, but a failure under CI, which installs it (a skipped browser test there proves nothing)."""
    from osa_utils.pdf import find_chromium

    exe = find_chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (.ci/run does)")
        pytest.skip(f"no Chromium {what}")
    return exe


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under *folder* with its bytes: what a test compares before and after."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def collection(tmp_path, data_copy):
    """A small collection to build: two fixture notebooks (tests/nbfixtures.two_notebooks), a copy of
    the data, and where the report goes: (notebooks folder, data folder, OUT)."""
    from nbfixtures import two_notebooks

    return two_notebooks(tmp_path / "notebooks"), data_copy, tmp_path / "out"
