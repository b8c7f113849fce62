"""The descriptor (``datapackage.json``): read it, and check what makes it unusable before any file is opened.

Structure (resources with names, safe paths and typed fields), keys that name existing fields and
tables, and resource paths that stay inside the data folder (symlinks followed). Each problem is
located by its JSON path (``resources[3].path``).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from . import DEFAULT_DATA_DIR
from .dataproblems import DataValidationError, Problem

DESCRIPTOR = "datapackage.json"


def _data_dir(data_dir) -> Path:
    return Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR


def read_descriptor(data_dir=None) -> dict:
    """The parsed ``datapackage.json`` (raises DataValidationError when unreadable)."""
    path = _data_dir(data_dir) / DESCRIPTOR
    if not path.is_file():
        raise DataValidationError(
            [Problem(DESCRIPTOR, None, None, "descriptor is missing", "no file", f"{path}")], data_dir
        )
    try:
        text = path.read_text(encoding="utf-8")
        descriptor = json.loads(text)
    except RecursionError:
        raise DataValidationError(
            [
                Problem(
                    DESCRIPTOR,
                    None,
                    None,
                    "descriptor is nested too deeply to read",
                    "JSON nested beyond Python's limit",
                    "a Frictionless Data Package descriptor",
                )
            ],
            data_dir,
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        row = getattr(exc, "lineno", None)
        raise DataValidationError(
            [
                Problem(
                    DESCRIPTOR,
                    row,
                    None,
                    "descriptor is not valid JSON",
                    str(exc),
                    "a Frictionless Data Package descriptor",
                )
            ],
            data_dir,
        ) from None
    # The structural checks depend on the text only: remembered per text (a notebook reads the
    # descriptor once per table it loads). Where the paths resolve is checked on every read.
    problems = list(_structure_problems(text)) + _resolve_problems(descriptor, _data_dir(data_dir))
    if problems:
        raise DataValidationError(problems, data_dir)
    return descriptor


@functools.lru_cache(maxsize=16)
def _structure_problems(text: str) -> tuple:
    """:func:`descriptor_problems` of a descriptor's text, folder aside (see :func:`read_descriptor`)."""
    return tuple(descriptor_problems(json.loads(text)))


#: Field types of Table Schema (v1); anything else in a descriptor is a typo.
FIELD_TYPES = (
    "string",
    "number",
    "integer",
    "boolean",
    "object",
    "array",
    "date",
    "time",
    "datetime",
    "year",
    "yearmonth",
    "duration",
    "geopoint",
    "geojson",
    "any",
)


def _dproblem(where: str, problem: str, found, expected: str) -> Problem:
    return Problem(DESCRIPTOR, None, where, problem, str(found), expected)


def descriptor_problems(descriptor, data_dir: Path | None = None) -> list[Problem]:
    """What makes *descriptor* unusable, located by its JSON path (``resources[3].path``).

    Structure (an object with a list of resources, each with a name, a safe path and
    a schema of named, typed fields), keys that name existing fields and resources,
    and resource paths: a path that is absolute, contains ``..`` or resolves
    (symlinks included) outside *data_dir* is refused without being opened.
    """
    if not isinstance(descriptor, dict):
        return [
            _dproblem(
                "", "descriptor is not a JSON object", type(descriptor).__name__, "an object with a 'resources' list"
            )
        ]
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        return [
            _dproblem(
                "resources", "descriptor has no resources", repr(resources)[:60], "a non-empty list of table resources"
            )
        ]
    problems: list[Problem] = []
    names: dict[str, dict] = {}
    for i, res in enumerate(resources):
        at = f"resources[{i}]"
        if not isinstance(res, dict):
            problems.append(_dproblem(at, "resource is not an object", type(res).__name__, "an object"))
            continue
        name = res.get("name")
        if not isinstance(name, str) or not name:
            problems.append(_dproblem(f"{at}.name", "resource has no name", repr(name), "a name like 'actors'"))
        elif name in names:
            problems.append(_dproblem(f"{at}.name", "resource name used twice", repr(name), "unique names"))
        else:
            names[name] = res
        problems += _path_problems(res.get("path"), f"{at}.path")
        min_rows = res.get("osa:minRows", 0)
        if isinstance(min_rows, bool) or not isinstance(min_rows, int) or min_rows < 0:
            problems.append(
                _dproblem(
                    f"{at}.osa:minRows", "minimum row count is not a whole number", repr(min_rows), "an integer >= 0"
                )
            )
        schema = res.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not fields:
            problems.append(
                _dproblem(
                    f"{at}.schema.fields",
                    "resource has no fields",
                    repr(fields)[:60],
                    "a list of fields, each with a name and a type",
                )
            )
            continue
        for j, f in enumerate(fields):
            fat = f"{at}.schema.fields[{j}]"
            if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f.get("name"):
                problems.append(_dproblem(fat, "field has no name", repr(f)[:60], "an object with a 'name'"))
            elif f.get("type", "string") not in FIELD_TYPES:
                problems.append(
                    _dproblem(
                        f"{fat}.type", "unknown field type", repr(f.get("type")), "one of " + ", ".join(FIELD_TYPES)
                    )
                )
            else:
                problems += _constraint_problems(f, fat)
    for name, res in names.items():
        problems += _key_problems(name, res, names, resources.index(res))
    if data_dir is not None:
        problems += _resolve_problems(descriptor, data_dir)
    return problems


def _constraint_problems(f: dict, where: str) -> list[Problem]:
    """A field's constraints that cannot be applied: not an object, or a pattern that is no regex."""
    c = f.get("constraints", {})
    if not isinstance(c, dict):
        return [
            _dproblem(
                f"{where}.constraints",
                "constraints are not an object",
                repr(c)[:60],
                "an object such as {'required': true}",
            )
        ]
    pattern = c.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            return [
                _dproblem(
                    f"{where}.constraints.pattern",
                    "pattern is not a regular expression",
                    repr(pattern)[:60],
                    f"a valid regular expression ({exc})",
                )
            ]
    return []


_PATH_EXPECTED = "a relative path inside the data folder, without '..'"


def _path_problems(path, where: str) -> list[Problem]:
    """What is wrong with a resource path as written (the folder is not looked at)."""
    if not isinstance(path, str) or not path.strip():
        return [_dproblem(where, "resource has no path", repr(path), "a CSV file name inside the data folder")]
    if os.path.isabs(path) or path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return [_dproblem(where, "resource path is absolute (not opened)", repr(path), _PATH_EXPECTED)]
    if ".." in Path(path.replace("\\", "/")).parts:
        return [_dproblem(where, "resource path leaves the data folder (not opened)", repr(path), _PATH_EXPECTED)]
    return []


def _resolve_problems(descriptor, data_dir: Path) -> list[Problem]:
    """Resource paths (well formed ones) that resolve, symlinks followed, outside *data_dir*."""
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return []
    root = os.path.realpath(data_dir)
    problems = []
    for i, res in enumerate(descriptor["resources"]):
        path = res.get("path") if isinstance(res, dict) else None
        if not isinstance(path, str) or _path_problems(path, ""):
            continue  # reported by the structural checks, never opened
        target = os.path.realpath(os.path.join(root, path))
        if os.path.commonpath([root, target]) != root:
            problems.append(
                _dproblem(
                    f"resources[{i}].path",
                    "resource path resolves outside the data folder (not opened)",
                    f"{path!r} -> {target}",
                    _PATH_EXPECTED,
                )
            )
    return problems


def _as_list(v) -> list | None:
    """A key's field list as written: one name, a list of names, or None when it is neither."""
    return [v] if isinstance(v, str) else v if isinstance(v, list) else None


def _key_problems(name: str, res: dict, names: dict, i: int) -> list[Problem]:
    """Primary and foreign keys name fields and resources that exist."""
    at = f"resources[{i}].schema"
    schema: dict = res["schema"] if isinstance(res.get("schema"), dict) else {}
    own_fields: list = schema["fields"] if isinstance(schema.get("fields"), list) else []
    own = {f.get("name") for f in own_fields if isinstance(f, dict)}
    as_list = _as_list
    problems = []
    pk = as_list(schema.get("primaryKey", []))
    if pk is None or any(k not in own for k in pk):
        problems.append(
            _dproblem(
                f"{at}.primaryKey",
                "primary key names a field the table lacks",
                repr(schema.get("primaryKey")),
                "field names of " + name,
            )
        )
    for k, fk in enumerate(
        schema.get("foreignKeys", []) if isinstance(schema.get("foreignKeys", []), list) else [None]
    ):
        kat = f"{at}.foreignKeys[{k}]"
        ref = fk.get("reference") if isinstance(fk, dict) else None
        fields = as_list(fk.get("fields")) if isinstance(fk, dict) else None
        if not isinstance(ref, dict) or fields is None:
            problems.append(
                _dproblem(
                    kat,
                    "foreign key is malformed",
                    repr(fk)[:60],
                    "{'fields': [...], 'reference': {'resource': ..., 'fields': [...]}}",
                )
            )
            continue
        target_name = ref.get("resource") or name
        target = names.get(target_name)
        ref_fields = as_list(ref.get("fields"))
        if target is None:
            problems.append(
                _dproblem(
                    f"{kat}.reference.resource",
                    "foreign key to a table that does not exist",
                    repr(target_name),
                    "one of " + ", ".join(sorted(names)),
                )
            )
            continue
        tschema: dict = target["schema"] if isinstance(target.get("schema"), dict) else {}
        tfields: list = tschema["fields"] if isinstance(tschema.get("fields"), list) else []
        theirs = {f.get("name") for f in tfields if isinstance(f, dict)}
        if any(f not in own for f in fields):
            problems.append(
                _dproblem(
                    f"{kat}.fields", "foreign key names a field the table lacks", repr(fields), "field names of " + name
                )
            )
        if ref_fields is None or len(ref_fields) != len(fields) or any(f not in theirs for f in ref_fields):
            problems.append(
                _dproblem(
                    f"{kat}.reference.fields",
                    "foreign key names a field the referenced table lacks",
                    repr(ref.get("fields")),
                    "field names of " + target_name,
                )
            )
    return problems


def resource(descriptor: dict, name: str) -> dict:
    for res in descriptor.get("resources", []):
        if res["name"] == name:
            return res
    known = ", ".join(sorted(r["name"] for r in descriptor.get("resources", [])))
    raise KeyError(f"no table {name!r} in the data package; known tables: {known}")


def _dependencies(descriptor: dict, names: Iterable[str]) -> list[str]:
    """*names* plus every resource they reach through foreign keys, in descriptor order."""
    want, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in want:
            continue
        want.add(name)
        for fk in resource(descriptor, name).get("schema", {}).get("foreignKeys", []):
            ref = fk["reference"].get("resource") or name
            todo.append(ref)
    return [r["name"] for r in descriptor["resources"] if r["name"] in want]
