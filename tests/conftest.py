"""Shared fixtures: the real data package, a scratch copy of it, and the report text."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from osa_utils import DEFAULT_DATA_DIR, PROJECT_ROOT


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
        reason = ("report text not found: set OSA_SOURCE_TEXT or place it at "
                  "../shared/reference/000_c1b4ff3702dc90eb.txt")
        if os.environ.get("OSA_REQUIRE_SOURCE"):
            pytest.fail(reason)
        pytest.skip(reason)
    return Source(path)


@pytest.fixture(scope="session")
def source_lines(source):
    from osa_utils.fidelity import source_path

    return source_path().read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


#: Session fixtures that build the whole collection, and the xdist group of the tests using each:
#: a group runs on one worker, so each build is made once per run (pytest-xdist runs session
#: fixtures once per worker).
COLLECTION_BUILDS = {"built": "collection", "built_zh": "collection_zh"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture, group in COLLECTION_BUILDS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.xdist_group(group))
                item.add_marker(pytest.mark.slow)
                break


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The whole collection, built once with default parameters."""
    from osa_utils.build import run as _run

    from osa_utils.figures import LAYOUT_CHECK_ENV

    out = tmp_path_factory.mktemp("build") / "report"
    # Every figure is checked for clipping as it is saved (figures.save raises in the kernels).
    os.environ[LAYOUT_CHECK_ENV] = "1"
    try:
        result = _run(DEFAULT_DATA_DIR, out, jobs=2)
    finally:
        del os.environ[LAYOUT_CHECK_ENV]
    result.layout_checked = True
    return result


@pytest.fixture(scope="session")
def built_zh(tmp_path_factory):
    from osa_utils.build import run as _run

    out = tmp_path_factory.mktemp("build_zh") / "report"
    # Chinese names are what this build checks: PNG only, at screen resolution, to keep it quick.
    return _run(DEFAULT_DATA_DIR, out, jobs=2, overrides={"name_lang": "zh", "formats": "png", "dpi": 72})


