"""The plan of a build: which notebooks run, with which parameters, every value checked before any
kernel starts; :class:`Plan` carries it to the conductor (``osa_utils.build``)."""

from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .. import PROJECT_ROOT
from ..data import DataPackage
from ..errors import UsageError
from ..params import check_value
from ..userlevels import load_user_levels

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
#: How long one notebook may run by default (``--timeout``): generous, as the longest chapter takes
#: well under a minute; a notebook that never ends (``while True: pass``) must not block the build.
DEFAULT_TIMEOUT = 1800.0


class BuildError(UsageError, RuntimeError):
    """A user error in the build request (unknown notebook or parameter): exit 2."""


@dataclass
class Plan:
    """Everything one build does, decided before it starts (:func:`osa_utils.build.prepare`); the
    version folder and the version it updates are set under the output's lock."""

    data_dir: Path
    package: DataPackage  # the data package, validated once with its hashes (the report and its cache key use it)
    out: Path  # OUT's location, checked (outdir.check)
    everything: list[Path]  # every notebook of the collection, in report order
    selected: list[Path]  # those this build runs (--only), the others keep their last results
    params: dict[str, dict]  # parameters per selected notebook (resolve_parameters)
    jobs: int = 1
    force: bool = False
    report: bool = True
    timeout: float | None = DEFAULT_TIMEOUT
    progress_stream: TextIO | None = None
    version: Path = Path()  # the new version folder being assembled (under the lock)
    previous: Path | None = None  # the published version it updates, if any


# --------------------------------------------------------------------------- notebooks and parameters
def discover(notebooks_dir: Path = NOTEBOOKS_DIR, only: list[str] | None = None) -> list[Path]:
    """The notebooks to run, in report order; *only* selects by name (with or without .ipynb)."""
    found = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if not p.name.startswith("."))
    if not only:
        return found
    by_name = {p.stem: p for p in found}
    wanted = list(dict.fromkeys(o[:-6] if o.endswith(".ipynb") else o for o in only))  # each once
    unknown = [o for o in wanted if o not in by_name]
    if unknown:
        raise BuildError(f"unknown notebook(s): {', '.join(unknown)}; known: {', '.join(by_name)}")
    return [by_name[o] for o in wanted]


def declared_parameters(nb_path: Path) -> dict:
    """Names and default values of the notebook's ``parameters`` cell.

    Read with :mod:`ast` (top-level assignments, plain ``x = 1`` or annotated ``x: int = 1``, as
    papermill reads them) so a build that executes nothing never imports papermill.
    """
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            return _assignments(src)
    return {}


def _assignments(src: str) -> dict:
    out = {}
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                out[target.id] = ast.literal_eval(value)
            except ValueError:
                out[target.id] = ast.unparse(value)
    return out


def parse_value(text: str):
    """A -p value as papermill's CLI reads it: int, float, True/False/None, else string."""
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return {"True": True, "False": False, "None": None}.get(text, text)


#: Parameters the build sets itself: a -p for them conflicts with its own options.
BUILD_SET = {
    "data_dir": "--data-dir",
    "figures_dir": "--out (figures go to OUT/figures)",
    "output_dir": "--out (figures go to OUT/figures)",
}


def _check_user_levels(path, data_dir) -> None:
    load_user_levels(path, data_dir)


#: Parameters whose value is a user's file: a relative path is resolved against the folder the
#: command runs in (the kernels run in notebooks/), the file's content is checked before any kernel
#: starts (by the function given here: DataValidationError, exit 1) and is part of the cache key.
FILE_PARAMETERS = {"matrix_user_levels": _check_user_levels}


def resolve_file_parameters(overrides: dict, cwd: Path | None = None) -> dict:
    """*overrides* with every file parameter's path made absolute (relative to *cwd*, default the
    current folder); a missing file is a :class:`BuildError` naming the parameter."""
    out = dict(overrides)
    base = Path(cwd) if cwd is not None else Path.cwd()
    for name in FILE_PARAMETERS:
        value = out.get(name)
        if value is None:
            continue
        if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
            continue  # check_value says what is wrong with it
        path = Path(value).expanduser()
        path = (path if path.is_absolute() else base / path).resolve()
        if not path.is_file():
            what = "is a folder, not a file" if path.is_dir() else "no such file"
            raise BuildError(
                f"-p {name} {value}: {what} ({path}); a relative path is relative to the "
                f"folder the command runs in ({base})"
            )
        out[name] = str(path)
    return out


def check_input_files(params: dict[str, dict], data_dir: Path) -> None:
    """Check the content of every file parameter's file (once per file), before any kernel starts."""
    seen = set()
    for p in params.values():
        for name, value in p.items():
            if name in FILE_PARAMETERS and value is not None and (name, value) not in seen:
                seen.add((name, value))
                FILE_PARAMETERS[name](value, data_dir)


def resolve_parameters(notebooks: list[Path], overrides: dict, data_dir: Path) -> dict[str, dict]:
    """Parameters per notebook, every value checked before any kernel starts.

    An override no selected notebook declares, one the build sets itself
    (``data_dir``, ``figures_dir``) or a value the notebooks would refuse
    (``dpi``, ``formats``, ``name_lang``: :func:`osa_utils.params.check_value`, a ParameterError)
    is a usage error (exit 2). A file parameter (:data:`FILE_PARAMETERS`) is made an absolute
    path, relative to the current folder (the kernels run in ``notebooks/``).
    """
    declared = {nb.stem: declared_parameters(nb) for nb in notebooks}
    known = set().union(*declared.values()) if declared else set()
    conflicts = sorted(set(overrides) & set(BUILD_SET))
    if conflicts:
        raise BuildError("; ".join(f"-p {k} is set by the build: use {BUILD_SET[k]} instead" for k in conflicts))
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise BuildError(
            f"unknown parameter(s): {', '.join(unknown)}; the notebooks declare: "
            + ", ".join(sorted(known - set(BUILD_SET)))
        )
    overrides = resolve_file_parameters(overrides)
    for name, value in overrides.items():
        check_value(name, value)  # ParameterError (a UsageError, exit 2)
    out = {}
    for nb in notebooks:
        params = {k: v for k, v in overrides.items() if k in declared[nb.stem]}
        if "data_dir" in declared[nb.stem]:
            params["data_dir"] = str(Path(data_dir).resolve())
        out[nb.stem] = params
    return out


def run_parameters(nb: Path, params: dict, figures: Path) -> dict:
    """The parameters *nb* runs with: *params*, and its outputs into *figures* (in OUT, never elsewhere)."""
    p = dict(params)
    declared = declared_parameters(nb)
    for out_param in ("figures_dir", "output_dir"):
        if out_param in declared:
            p[out_param] = str(figures)
    return p


def shown_parameters(params: dict) -> dict:
    """The parameters a reader of the report needs (paths the build sets are left out)."""
    return {k: v for k, v in sorted(params.items()) if k not in BUILD_SET}
