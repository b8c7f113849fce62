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


def check_params(data_dir, figures_dir, formats="png,svg", dpi=150, name_lang="en") -> Params:
    """Validate the standard notebook parameters and return them normalized."""
    if name_lang not in NAME_LANGS:
        raise ParameterError(f"parameter name_lang={name_lang!r} is not allowed; allowed values: "
                             + ", ".join(repr(v) for v in NAME_LANGS))
    if isinstance(formats, str):
        fmts = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    else:
        fmts = tuple(str(f).strip().lower() for f in formats)
    bad = [f for f in fmts if f not in FORMATS]
    if not fmts or bad:
        raise ParameterError(f"parameter formats={formats!r} is not allowed; give a comma-separated "
                             "list of: " + ", ".join(FORMATS))
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or int(dpi) != dpi \
            or not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise ParameterError(f"parameter dpi={dpi!r} is not allowed; allowed values: an integer from "
                             f"{DPI_RANGE[0]} to {DPI_RANGE[1]}")
    data = Path(data_dir)
    if not (data / "datapackage.json").is_file():
        raise ParameterError(f"parameter data_dir={str(data_dir)!r} is not a data package folder "
                             "(no datapackage.json in it); allowed values: a folder like the collection's data/")
    return Params(data, Path(figures_dir), tuple(dict.fromkeys(fmts)), int(dpi), name_lang)
