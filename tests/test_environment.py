"""The pins in pyproject.toml, constraints.txt and environment.yml are one list."""

import re
import tomllib

import yaml


def _pins(lines):
    out = {}
    for line in lines:
        line = line.split("#")[0].strip()
        m = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)", line)
        if m:
            out[re.sub(r"[-_.]+", "-", m.group(1).lower())] = m.group(2)
    return out


def test_direct_pins_are_exact_and_agree(project_root):
    meta = tomllib.loads((project_root / "pyproject.toml").read_text())["project"]
    direct = meta["dependencies"] + sum(meta["optional-dependencies"].values(), [])
    pyproject = _pins(direct)
    assert len(pyproject) == len(direct), "every dependency in pyproject.toml is pinned with =="

    env = yaml.safe_load((project_root / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda = _pins(pip_section)
    assert conda == pyproject, "environment.yml pins differ from pyproject.toml"
    assert "python>=3.11,<3.14" in env["dependencies"], "environment.yml allows the supported Pythons"

    locked = _pins((project_root / "constraints.txt").read_text().splitlines())
    for name, version in pyproject.items():
        assert locked.get(name) == version, f"{name}: constraints.txt has {locked.get(name)}, pyproject {version}"


def test_supported_pythons_agree(project_root):
    """The Makefile's list (which .ci/run also reads) is the range environment.yml and pyproject allow."""
    supported = re.search(r"^PY_SUPPORTED := (.+)$", (project_root / "Makefile").read_text(), re.M)
    assert supported is not None, "the Makefile sets PY_SUPPORTED"
    make = supported.group(1).split()
    env = yaml.safe_load((project_root / "environment.yml").read_text())
    pin = re.fullmatch(
        r"python>=3\.(\d+),<3\.(\d+)", next(d for d in env["dependencies"] if str(d).startswith("python"))
    )
    assert pin is not None, "environment.yml pins python>=3.x,<3.y"
    low, high = pin.groups()
    assert make == [f"3.{minor}" for minor in range(int(low), int(high))]
    meta = tomllib.loads((project_root / "pyproject.toml").read_text())["project"]
    assert meta["requires-python"] == f">={make[0]}"


def test_constraints_pin_everything(project_root):
    lines = [
        l for l in (project_root / "constraints.txt").read_text().splitlines() if l.strip() and not l.startswith("#")
    ]
    assert lines and all("==" in l for l in lines), "constraints.txt holds only exact pins"


def test_installed_versions_match_pins(project_root):
    """The running environment is the pinned one (catches a stale .venv)."""
    from importlib.metadata import version

    meta = tomllib.loads((project_root / "pyproject.toml").read_text())["project"]
    for name, pinned in _pins(meta["dependencies"]).items():
        assert version(name) == pinned, f"{name} {version(name)} installed, {pinned} pinned"
