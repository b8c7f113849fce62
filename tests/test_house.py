"""The house rules that `make lint` cannot state by itself: every module of osa_utils has its place
in the import layers (pyproject.toml), and no module grows past what one job needs."""

from __future__ import annotations

import tomllib

from osa_utils import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "osa_utils"


def _layers() -> list[str]:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")["layers"]
    return [m.strip() for layer in layers for m in layer.split("|")]


def _top_level_modules() -> set[str]:
    found = {f"osa_utils.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    found |= {f"osa_utils.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")}
    return found


def test_every_module_has_its_place_in_the_layers():
    """A new module must be placed in [tool.importlinter]'s layers: lint-imports ignores one it is not told of."""
    listed = _layers()
    assert len(listed) == len(set(listed)), "a module is listed twice"
    assert _top_level_modules() - set(listed) == set(), "place the new module(s) in pyproject.toml's layers"
    assert set(listed) - _top_level_modules() == set(), "the layers name a module that does not exist"


def test_no_module_over_500_lines():
    long = {
        str(p.relative_to(PROJECT_ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}, "split the module by job (CONTRIBUTING.md)"


def test_the_build_conductor_stays_short():
    assert len((PACKAGE / "build.py").read_text(encoding="utf-8").splitlines()) <= 350
