"""Notebook parameters: checked once, at the top of every notebook.

A wrong value stops the notebook at once with :class:`ParameterError`, whose
message names the parameter and the values it accepts.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NAME_LANGS = ("en", "zh", "en+zh")
FORMATS = ("png", "svg", "pdf")
DPI_RANGE = (50, 600)


class ParameterError(ValueError):
    """A notebook parameter has a value it does not accept."""


@dataclass(frozen=True)
class Params:
    data_dir: Path
    figures_dir: Path
    formats: tuple[str, ...]
    dpi: int
    name_lang: str


def _name_lang(value) -> str:
    if value not in NAME_LANGS:
        raise ParameterError(f"parameter name_lang={value!r} is not allowed; allowed values: "
                             + ", ".join(repr(v) for v in NAME_LANGS))
    return value


def _formats(value) -> tuple[str, ...]:
    if isinstance(value, str):
        fmts = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    elif isinstance(value, (list, tuple)):
        fmts = tuple(str(f).strip().lower() for f in value)
    else:
        fmts = ()
    bad = [f for f in fmts if f not in FORMATS]
    if not fmts or bad:
        raise ParameterError(f"parameter formats={value!r} is not allowed; give a comma-separated "
                             "list of: " + ", ".join(FORMATS))
    return tuple(dict.fromkeys(fmts))


def _dpi(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value \
            or not DPI_RANGE[0] <= value <= DPI_RANGE[1]:
        raise ParameterError(f"parameter dpi={value!r} is not allowed; allowed values: an integer from "
                             f"{DPI_RANGE[0]} to {DPI_RANGE[1]}")
    return int(value)


MATRIX_COLOURS = ("derived", "printed")


def _matrix_colours(value) -> str:
    if value not in MATRIX_COLOURS:
        raise ParameterError(f"parameter matrix_colours={value!r} is not allowed; allowed values: "
                             + ", ".join(repr(v) for v in MATRIX_COLOURS))
    return value


def _matrix_user_levels(value):
    """None (no user reading) or the path of an existing file (CSV or .xlsx; its content is checked by
    osa_utils.userlevels.load_user_levels). A relative path is relative to the current folder."""
    import os

    if value is None:
        return None
    if isinstance(value, (str, os.PathLike)) and str(value).strip():
        path = Path(value).expanduser()
        if path.is_file():
            return path
        raise ParameterError(f"parameter matrix_user_levels={str(value)!r}: no such file ({path.resolve()}); "
                             "allowed values: None or the path of a CSV/.xlsx file with one row per dot "
                             "(technology_id, dimension_id, level)")
    raise ParameterError(f"parameter matrix_user_levels={value!r} is not allowed; allowed values: None or the "
                         "path of a CSV/.xlsx file with one row per dot (technology_id, dimension_id, level)")


#: The checks of the parameters every chapter notebook shares, by name (matrix_colours,
#: matrix_user_levels: notebooks 00 and 01).
CHECKS = {"name_lang": _name_lang, "formats": _formats, "dpi": _dpi, "matrix_colours": _matrix_colours,
          "matrix_user_levels": _matrix_user_levels}


def check_value(name: str, value):
    """Check one parameter's value (names without a check pass); ParameterError if refused.

    The same checks run in the notebook (:func:`check_params`) and, before any
    kernel starts, in the batch build, so a bad ``-p`` is refused at once.
    """
    check = CHECKS.get(name)
    return check(value) if check else value


def check_params(data_dir, figures_dir, formats="png,svg", dpi=150, name_lang="en") -> Params:
    """Validate the standard notebook parameters and return them normalized."""
    name_lang = check_value("name_lang", name_lang)
    fmts = check_value("formats", formats)
    dpi = check_value("dpi", dpi)
    data = Path(data_dir)
    if not (data / "datapackage.json").is_file():
        raise ParameterError(f"parameter data_dir={str(data_dir)!r} is not a data package folder "
                             "(no datapackage.json in it); allowed values: a folder like the collection's data/")
    return Params(data, Path(figures_dir), fmts, dpi, name_lang)
