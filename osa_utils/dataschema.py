"""The schema layer: Table Schema checks by ``frictionless`` (types, required, enum, range, pattern,
unique, primary key) on the rows :mod:`osa_utils.datarecords` parsed, and the foreign keys between tables.

A resource that passed is remembered (in memory and in the user's cache folder, see
:func:`_resource_problems`), so notebooks in fresh kernels do not validate unchanged files again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .cachedir import user_cache_dir
from .datadescriptor import resource
from .dataproblems import Problem
from .datarecords import _Parsed
from .importtime import skip_rfc3987_grammar

_VALID: set[str] = set()  # hashes of resources that passed the Table Schema checks
#: The checks' own code is part of a pass's key: a change here validates every file again.
_SELF_HASH = hashlib.sha256(Path(__file__).read_bytes()).digest()


def _frictionless():
    skip_rfc3987_grammar()
    import frictionless

    return frictionless


def _schema_problems(descriptor: dict, parsed: dict[str, _Parsed]) -> list[Problem]:
    """Table Schema checks of each usable resource, then the foreign keys between them."""
    problems = []
    for name, p in parsed.items():
        if p.usable:
            problems += _resource_problems(resource(descriptor, name), p)
    problems += _foreign_key_problems(descriptor, parsed)
    return problems


def _resource_problems(res: dict, p: _Parsed) -> list[Problem]:
    """Types, required, enum, range, pattern, unique and primary key, by frictionless.

    A resource that passed is remembered by the hash of its schema, its rows and
    this module's source: in memory, and on disk under the user's cache folder,
    so notebooks in fresh kernels do not validate unchanged files again.
    """
    key = hashlib.sha256(
        json.dumps([res["schema"], p.header, p.rows], ensure_ascii=False).encode() + _SELF_HASH
    ).hexdigest()
    cache = user_cache_dir("valid-resources", "OSA_NO_VALIDATION_CACHE")
    marker = cache / key if cache is not None else None
    if key in _VALID or (marker is not None and marker.exists()):
        _VALID.add(key)
        return []
    fl = _frictionless()
    schema = {k: v for k, v in res["schema"].items() if k != "foreignKeys"}
    report = fl.Resource(name=res["name"], data=[p.header] + p.rows, schema=fl.Schema.from_descriptor(schema)).validate(
        limit_errors=10**9
    )
    problems = [q for q in (_problem_from_error(e, p, res) for e in report.tasks[0].errors) if q is not None]
    if not problems:
        _VALID.add(key)
        if marker is not None:
            try:
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.touch()
            except OSError:
                pass
    return problems


def _foreign_key_problems(descriptor: dict, parsed: dict[str, _Parsed]) -> list[Problem]:
    """Every non-empty foreign-key value must exist in the referenced table."""
    problems = []
    for name, p in parsed.items():
        if not p.usable:
            continue
        res = resource(descriptor, name)
        for fk in res["schema"].get("foreignKeys", []):
            ref_name = fk["reference"].get("resource") or name
            ref = parsed.get(ref_name)
            if ref is None or not ref.usable:
                continue  # that table has its own problems, reported already
            fields, ref_fields = fk["fields"], fk["reference"]["fields"]
            fields = [fields] if isinstance(fields, str) else fields
            ref_fields = [ref_fields] if isinstance(ref_fields, str) else ref_fields
            idx = [p.header.index(f) for f in fields]
            ridx = [ref.header.index(f) for f in ref_fields]
            known = {tuple(r[i] for i in ridx) for r in ref.rows}
            for row, number in zip(p.rows, p.row_numbers):
                values = tuple(row[i] for i in idx)
                if all(v == "" for v in values) or values in known:
                    continue
                problems.append(
                    Problem(
                        p.file,
                        number,
                        ",".join(fields),
                        "unknown reference",
                        ",".join(repr(v) for v in values),
                        f"a {','.join(ref_fields)} listed in {ref.file}",
                    )
                )
    return problems


def _field(res: dict, name: str | None) -> dict:
    return next((f for f in res["schema"]["fields"] if f["name"] == name), {})


def _problem_from_error(err, p: _Parsed, res: dict) -> Problem | None:
    row_number = getattr(err, "row_number", None)
    row = p.row_numbers[row_number - 2] if row_number and row_number - 2 < len(p.row_numbers) else row_number
    kind = err.type
    column = getattr(err, "field_name", None)
    cell = getattr(err, "cell", "")
    if kind == "type-error":
        f = _field(res, column)
        return Problem(p.file, row, column, "wrong type", repr(cell), f.get("type", "?"))
    if kind == "constraint-error":
        f = _field(res, column)
        c = f.get("constraints", {})
        note = err.note
        if '"required"' in note:
            return Problem(p.file, row, column, "empty required cell", "empty cell", "a value")
        if '"enum"' in note:
            return Problem(
                p.file, row, column, "value not allowed", repr(cell), "one of " + ", ".join(map(str, c.get("enum", [])))
            )
        if '"minimum"' in note or '"maximum"' in note:
            return Problem(
                p.file,
                row,
                column,
                "value out of range",
                repr(cell),
                f"{c.get('minimum', '-inf')} to {c.get('maximum', 'inf')}",
            )
        if '"pattern"' in note:
            return Problem(
                p.file, row, column, "value does not match the pattern", repr(cell), f"pattern {c.get('pattern')}"
            )
        return Problem(p.file, row, column, "constraint violated", repr(cell), note)
    if kind == "unique-error":
        pk = res["schema"].get("primaryKey", [])
        if pk in ([column], column):  # reported once, as a duplicate key
            return None
        return Problem(p.file, row, column, "duplicate value in a unique column", repr(cell), "unique values")
    if kind == "primary-key":
        pk = res["schema"].get("primaryKey", [])
        pk = [pk] if isinstance(pk, str) else pk
        values = _values(p, row_number, pk)
        return Problem(p.file, row, ",".join(pk), "duplicate key", values, "a key no other row has")
    if kind == "blank-row":
        return Problem(p.file, row, None, "empty row", "no values", "a value in each required cell")
    return Problem(p.file, row, column, kind, repr(cell) if cell else "", err.note)


def _values(p: _Parsed, row_number: int | None, fields: list[str]) -> str:
    if not row_number or row_number - 2 >= len(p.rows):
        return "?"
    row = p.rows[row_number - 2]
    return ",".join(repr(row[p.header.index(f)]) for f in fields if f in p.header)
