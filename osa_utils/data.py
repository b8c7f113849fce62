"""Load and validate the collection's data package (``data/datapackage.json``).

The descriptor is the single source of truth: field names, types, constraints,
keys and descriptions all come from it; nothing here lists a column.

Validation happens in two layers:

1. File-level checks that Table Schema cannot express and a spreadsheet user
   trips over: missing or empty file, a UTF-8 byte-order mark, bytes that are not
   UTF-8, Windows (CRLF) line ends, missing/extra/renamed columns, ragged and
   empty rows.  These are done with the standard library (:mod:`osa_utils.datarecords`).
2. Table Schema checks (types, required, enum, range, unique, primary and
   foreign keys), done by `frictionless` on the rows parsed in step 1, so each
   file is read once (:mod:`osa_utils.dataschema`).

The descriptor itself is checked first (:mod:`osa_utils.datadescriptor`). Every problem
becomes a :class:`Problem` (:mod:`osa_utils.dataproblems`); rows are counted as in a
spreadsheet (the header is row 1).  :func:`validate` raises :class:`DataValidationError`
carrying all problems, never only the first.

This module is the public face: :func:`load_table`, :func:`load_package`, :func:`validate`,
:func:`check`, and :class:`DataPackage`, the package as a value (validated once, with the
hash of every file), which the build hands to the report and the bibliography.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import readlog
from .datadescriptor import (
    DESCRIPTOR,
    FIELD_TYPES,
    _data_dir,
    _dependencies,
    descriptor_problems,
    read_descriptor,
    resource,
)
from .dataproblems import DataValidationError, Problem
from .datarecords import (
    BOM,
    URL_SCHEME,
    _check_file,
    _locate_bad_bytes,
    _Parsed,
    check_records,
    read_records,
)
from .dataschema import _foreign_key_problems, _resource_problems, _schema_problems

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "BOM",
    "DESCRIPTOR",
    "FALSE_VALUES",
    "FIELD_TYPES",
    "TRUE_VALUES",
    "URL_SCHEME",
    "DataPackage",
    "DataValidationError",
    "Problem",
    "as_package",
    "check",
    "check_records",
    "descriptor_problems",
    "load_package",
    "load_table",
    "read_descriptor",
    "read_records",
    "resource",
    "validate",
    # private, used by osa_utils.userdata (a user's own tables go through the same checks)
    "_data_dir",
    "_foreign_key_problems",
    "_frame",
    "_locate_bad_bytes",
    "_parse",
    "_resource_problems",
]

TRUE_VALUES = ("true",)
FALSE_VALUES = ("false",)


_CACHE: dict[tuple, dict[str, _Parsed]] = {}


def _signature(data_dir: Path, descriptor: dict, names: list[str]) -> tuple:
    sig = []
    for path in [data_dir / DESCRIPTOR] + [data_dir / resource(descriptor, n)["path"] for n in names]:
        try:
            st = path.stat()
            sig.append((str(path), st.st_mtime_ns, st.st_size))
        except OSError:
            sig.append((str(path), None, None))
    return (str(data_dir.resolve()), tuple(names), tuple(sig))


def check(data_dir=None, tables: Iterable[str] | None = None) -> list[Problem]:
    """Every problem in the package (or in *tables* and the tables they reference)."""
    try:
        _parse(data_dir, tables)
    except DataValidationError as exc:
        return exc.problems
    return []


def _parse(data_dir, tables) -> dict[str, _Parsed]:
    ddir = _data_dir(data_dir)
    descriptor = read_descriptor(ddir)
    names = _dependencies(descriptor, tables) if tables else [r["name"] for r in descriptor["resources"]]
    key = _signature(ddir, descriptor, names)
    if key in _CACHE:
        return _CACHE[key]
    parsed, problems = {}, []
    for name in names:
        p, probs = _check_file(resource(descriptor, name), ddir)
        parsed[name] = p
        problems += probs
    problems += _schema_problems(descriptor, parsed)
    if problems:
        raise DataValidationError(problems, ddir)
    _CACHE[key] = parsed
    return parsed


def validate(data_dir=None, tables: Iterable[str] | None = None) -> dict:
    """Raise :class:`DataValidationError` listing every problem; return the descriptor if valid."""
    _parse(data_dir, tables)
    return read_descriptor(data_dir)


def _frame(p: _Parsed, res: dict) -> pd.DataFrame:
    import pandas as pd

    columns = {}
    for i, f in enumerate(res["schema"]["fields"]):
        raw = [row[i] for row in p.rows]
        values = [None if v == "" else v for v in raw]
        t = f.get("type", "string")
        if t in ("integer", "year"):
            columns[f["name"]] = pd.array([None if v is None else int(v) for v in values], dtype="Int64")
        elif t == "number":
            columns[f["name"]] = pd.array([None if v is None else float(v) for v in values], dtype="Float64")
        elif t == "boolean":
            columns[f["name"]] = pd.array(
                [None if v is None else v.lower() in TRUE_VALUES for v in values], dtype="boolean"
            )
        elif t == "date":
            columns[f["name"]] = pd.to_datetime(pd.Series(values, dtype="object"), format="%Y-%m-%d")
        else:
            columns[f["name"]] = pd.array(values, dtype="string")
    return pd.DataFrame(columns)


def load_table(name: str, data_dir=None) -> pd.DataFrame:
    """Table *name* (e.g. ``"actors"``) as a DataFrame typed per its schema.

    The table and every table it references are validated first; on any problem
    :class:`DataValidationError` is raised and no frame is returned.  Empty cells
    are ``<NA>``.
    """
    ddir = _data_dir(data_dir)
    descriptor = read_descriptor(ddir)
    res = resource(descriptor, name)
    parsed = _parse(ddir, [name])
    readlog.record([ddir / DESCRIPTOR] + [ddir / resource(descriptor, n)["path"] for n in parsed])
    return _frame(parsed[name], res)


def load_package(data_dir=None) -> dict[str, pd.DataFrame]:
    """Every table of the package, validated together, as ``{name: DataFrame}``."""
    ddir = _data_dir(data_dir)
    descriptor = read_descriptor(ddir)
    parsed = _parse(ddir, None)
    readlog.record([ddir / DESCRIPTOR] + [ddir / r["path"] for r in descriptor["resources"]])
    return {r["name"]: _frame(parsed[r["name"]], r) for r in descriptor["resources"]}


# --------------------------------------------------------------------------- the package as a value
@dataclass(frozen=True, eq=False)
class DataPackage:
    """The data package as a value: validated once, with the hash of every file it was read from.

    Made by :meth:`load` (or :func:`as_package`); handed to the report, the bibliography and the
    build's cache key instead of a folder each would read, validate and hash again.

    * ``path``: the data folder, as given;
    * ``descriptor``: the parsed ``datapackage.json``;
    * ``hashes``: sha256 (hex) of each file by its name in the folder: ``datapackage.json`` first,
      then every resource's ``path`` in descriptor order; a CSV's hash is of the very bytes validated;
    * ``digest``: one sha256 over ``hashes`` (a change to any file changes it).

    Tables are built from the validated rows when first asked for (:meth:`table`, :attr:`tables`),
    typed per their schema as by :func:`load_table`, and then kept: treat them as read-only.
    """

    path: Path
    descriptor: dict = field(repr=False)
    hashes: dict[str, str] = field(repr=False)
    _parsed: dict[str, _Parsed] = field(repr=False)
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, data_dir=None) -> DataPackage:
        """Validate the whole package in *data_dir* (default: the collection's) and hash its files.

        Raises :class:`DataValidationError` listing every problem, as :func:`validate`.
        """
        ddir = _data_dir(data_dir)
        parsed = _parse(ddir, None)
        descriptor_bytes = (ddir / DESCRIPTOR).read_bytes()
        descriptor = read_descriptor(ddir)
        hashes = {DESCRIPTOR: hashlib.sha256(descriptor_bytes).hexdigest()}
        hashes.update({r["path"]: parsed[r["name"]].sha256 for r in descriptor["resources"]})
        readlog.record([ddir / name for name in hashes])
        return cls(ddir, descriptor, hashes, parsed)

    @property
    def digest(self) -> str:
        """One sha256 over :attr:`hashes`: a change to any file changes it."""
        return hashlib.sha256(json.dumps(self.hashes, sort_keys=True).encode()).hexdigest()

    def __repr__(self) -> str:
        return f"DataPackage(path={self.path!r}, digest={self.digest!r})"

    @property
    def names(self) -> list[str]:
        """The tables' names, in descriptor order."""
        return [r["name"] for r in self.descriptor["resources"]]

    def resource(self, name: str) -> dict:
        """The descriptor's entry of table *name* (KeyError naming the known tables)."""
        return resource(self.descriptor, name)

    def file(self, name: str) -> Path:
        """The CSV file of table *name*."""
        return self.path / self.resource(name)["path"]

    def sha256(self, name: str) -> str:
        """The sha256 of table *name*'s file, as validated."""
        return self.hashes[self.resource(name)["path"]]

    def table(self, name: str) -> pd.DataFrame:
        """Table *name* as a DataFrame typed per its schema (as :func:`load_table`; empty cells ``<NA>``)."""
        if name not in self._frames:
            res = self.resource(name)  # an unknown name: KeyError listing the known tables
            self._frames[name] = _frame(self._parsed[name], res)
        return self._frames[name]

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table as ``{name: DataFrame}``, in descriptor order (as :func:`load_package`)."""
        return {name: self.table(name) for name in self.names}


def as_package(data: DataPackage | str | Path | None = None) -> DataPackage:
    """*data* itself if it is a :class:`DataPackage`, else the package loaded from that folder
    (None: the collection's)."""
    return data if isinstance(data, DataPackage) else DataPackage.load(data)
