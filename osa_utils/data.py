"""Load and validate the collection's data package (``data/datapackage.json``).

The descriptor is the single source of truth: field names, types, constraints,
keys and descriptions all come from it; nothing here lists a column.

Validation happens in two layers:

1. File-level checks that Table Schema cannot express and a spreadsheet user
   trips over: missing or empty file, a UTF-8 byte-order mark, bytes that are not
   UTF-8, Windows (CRLF) line ends, missing/extra/renamed columns, ragged and
   empty rows.  These are done here with the standard library.
2. Table Schema checks (types, required, enum, range, unique, primary and
   foreign keys), done by `frictionless` on the rows parsed in step 1, so each
   file is read once.

Every problem becomes a :class:`Problem`; rows are counted as in a spreadsheet
(the header is row 1).  :func:`validate` raises :class:`DataValidationError`
carrying all problems, never only the first.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from . import DEFAULT_DATA_DIR, errors, readlog
from .importtime import skip_rfc3987_grammar

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

DESCRIPTOR = "datapackage.json"
BOM = b"\xef\xbb\xbf"
TRUE_VALUES = ("true",)
FALSE_VALUES = ("false",)

_VALID: set[str] = set()  # hashes of resources that passed the Table Schema checks
_SELF_HASH = hashlib.sha256(Path(__file__).read_bytes()).digest()


# --------------------------------------------------------------------------- problems
@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located as a spreadsheet user would look for it."""

    file: str
    row: int | None
    column: str | None
    problem: str
    found: str = ""
    expected: str = ""

    def __str__(self) -> str:
        loc = self.file
        if self.row is not None:
            loc += f":{self.row}"
        if self.column:
            loc += f":{self.column}" if self.row is not None else f"::{self.column}"
        return _printable(f"{loc}: {self.problem} (found {self.found}, expected {self.expected})")

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("file", "row", "column", "problem", "found", "expected")}


#: Control characters (C0, DEL, C1) shown as escapes, so a hostile cell cannot drive the terminal.
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c not in (0x09,)}


def _printable(text: str) -> str:
    return text.translate(_CONTROL)


class DataValidationError(errors.OSAError, ValueError):
    """The data package has problems; ``.problems`` lists all of them."""

    def __init__(self, problems: list[Problem], data_dir: Path | str | None = None):
        self.problems = list(problems)
        self.data_dir = data_dir
        where = f" in {data_dir}" if data_dir else ""
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} data problem(s){where}:\n{lines}")


# --------------------------------------------------------------------------- descriptor
def _data_dir(data_dir) -> Path:
    return Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR


def read_descriptor(data_dir=None) -> dict:
    """The parsed ``datapackage.json`` (raises DataValidationError when unreadable)."""
    path = _data_dir(data_dir) / DESCRIPTOR
    if not path.is_file():
        raise DataValidationError([Problem(DESCRIPTOR, None, None, "descriptor is missing",
                                           "no file", f"{path}")], data_dir)
    try:
        text = path.read_text(encoding="utf-8")
        descriptor = json.loads(text)
    except RecursionError:
        raise DataValidationError([Problem(DESCRIPTOR, None, None, "descriptor is nested too deeply to read",
                                           "JSON nested beyond Python's limit",
                                           "a Frictionless Data Package descriptor")], data_dir) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        row = getattr(exc, "lineno", None)
        raise DataValidationError([Problem(DESCRIPTOR, row, None, "descriptor is not valid JSON",
                                           str(exc), "a Frictionless Data Package descriptor")],
                                  data_dir) from None
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
FIELD_TYPES = ("string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime",
               "year", "yearmonth", "duration", "geopoint", "geojson", "any")


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
        return [_dproblem("", "descriptor is not a JSON object", type(descriptor).__name__,
                          "an object with a 'resources' list")]
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        return [_dproblem("resources", "descriptor has no resources", repr(resources)[:60],
                          "a non-empty list of table resources")]
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
            problems.append(_dproblem(f"{at}.osa:minRows", "minimum row count is not a whole number",
                                      repr(min_rows), "an integer >= 0"))
        schema = res.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not fields:
            problems.append(_dproblem(f"{at}.schema.fields", "resource has no fields", repr(fields)[:60],
                                      "a list of fields, each with a name and a type"))
            continue
        for j, f in enumerate(fields):
            fat = f"{at}.schema.fields[{j}]"
            if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f.get("name"):
                problems.append(_dproblem(fat, "field has no name", repr(f)[:60], "an object with a 'name'"))
            elif f.get("type", "string") not in FIELD_TYPES:
                problems.append(_dproblem(f"{fat}.type", "unknown field type", repr(f.get("type")),
                                          "one of " + ", ".join(FIELD_TYPES)))
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
        return [_dproblem(f"{where}.constraints", "constraints are not an object", repr(c)[:60],
                          "an object such as {'required': true}")]
    pattern = c.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            return [_dproblem(f"{where}.constraints.pattern", "pattern is not a regular expression",
                              repr(pattern)[:60], f"a valid regular expression ({exc})")]
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
            problems.append(_dproblem(f"resources[{i}].path",
                                      "resource path resolves outside the data folder (not opened)",
                                      f"{path!r} -> {target}", _PATH_EXPECTED))
    return problems


def _key_problems(name: str, res: dict, names: dict, i: int) -> list[Problem]:
    """Primary and foreign keys name fields and resources that exist."""
    at = f"resources[{i}].schema"
    schema = res.get("schema") if isinstance(res.get("schema"), dict) else {}
    fields = schema.get("fields") if isinstance(schema.get("fields"), list) else []
    own = {f.get("name") for f in fields if isinstance(f, dict)}
    as_list = lambda v: [v] if isinstance(v, str) else v if isinstance(v, list) else None
    problems = []
    pk = as_list(schema.get("primaryKey", []))
    if pk is None or any(k not in own for k in pk):
        problems.append(_dproblem(f"{at}.primaryKey", "primary key names a field the table lacks",
                                  repr(schema.get("primaryKey")), "field names of " + name))
    for k, fk in enumerate(schema.get("foreignKeys", []) if isinstance(schema.get("foreignKeys", []), list) else [None]):
        kat = f"{at}.foreignKeys[{k}]"
        ref = fk.get("reference") if isinstance(fk, dict) else None
        fields = as_list(fk.get("fields")) if isinstance(fk, dict) else None
        if not isinstance(ref, dict) or fields is None:
            problems.append(_dproblem(kat, "foreign key is malformed", repr(fk)[:60],
                                      "{'fields': [...], 'reference': {'resource': ..., 'fields': [...]}}"))
            continue
        target_name = ref.get("resource") or name
        target = names.get(target_name)
        ref_fields = as_list(ref.get("fields"))
        if target is None:
            problems.append(_dproblem(f"{kat}.reference.resource", "foreign key to a table that does not exist",
                                      repr(target_name), "one of " + ", ".join(sorted(names))))
            continue
        tschema = target.get("schema") if isinstance(target.get("schema"), dict) else {}
        tfields = tschema.get("fields") if isinstance(tschema.get("fields"), list) else []
        theirs = {f.get("name") for f in tfields if isinstance(f, dict)}
        if any(f not in own for f in fields):
            problems.append(_dproblem(f"{kat}.fields", "foreign key names a field the table lacks",
                                      repr(fields), "field names of " + name))
        if ref_fields is None or len(ref_fields) != len(fields) or any(f not in theirs for f in ref_fields):
            problems.append(_dproblem(f"{kat}.reference.fields", "foreign key names a field the referenced "
                                      "table lacks", repr(ref.get("fields")), "field names of " + target_name))
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


# --------------------------------------------------------------------------- file layer
@dataclass
class _Parsed:
    name: str
    file: str
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # rows with the right width
    row_numbers: list[int] = field(default_factory=list)  # their spreadsheet row numbers
    usable: bool = False  # header matches: Table Schema checks can run


def _check_file(res: dict, data_dir: Path) -> tuple[_Parsed, list[Problem]]:
    fname = res["path"]
    parsed = _Parsed(res["name"], fname)
    problems: list[Problem] = []
    expected = [f["name"] for f in res.get("schema", {}).get("fields", [])]
    path = data_dir / fname
    if not path.is_file():
        problems.append(Problem(fname, None, None, "file is missing", "no such file",
                                f"the table {res['name']!r} described in {DESCRIPTOR}"))
        return parsed, problems
    raw = path.read_bytes()
    if raw.startswith(BOM):
        problems.append(Problem(fname, 1, None, "file starts with a UTF-8 byte-order mark", "BOM",
                                "UTF-8 without BOM (in Excel: save as 'CSV UTF-8', then remove the BOM)"))
        raw = raw[len(BOM):]
    if not raw.strip():
        problems.append(Problem(fname, 1, None, "file is empty", "no header row",
                                "a header row: " + ",".join(expected)))
        return parsed, problems
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _locate_bad_bytes(raw, exc.start)
        problems.append(Problem(fname, line, column, "bytes that are not UTF-8",
                                f"byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                                "UTF-8 text (re-save the file with UTF-8 encoding)"))
        return parsed, problems
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(fname, line, None, "NUL byte in the file", "\\x00",
                                "text without NUL bytes (a binary file, or one saved in UTF-16?)"))
        return parsed, problems
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.append(Problem(fname, line, None, "Windows or old Mac line ends", "\\r\\n",
                                "Unix line ends (\\n)"))
    records, quote_problem = read_records(fname, text)
    more_parsed, more = check_records(res, fname, records, quote_problem)
    return more_parsed, problems + more


def check_records(res: dict, fname: str, records: list[list[str]],
                  quote_problem: Problem | None = None,
                  numbers: list[int] | None = None) -> tuple[_Parsed, list[Problem]]:
    """The checks of a parsed table: header, field counts, empty rows, cells, minimum rows.

    *records* are the table's records, header first; *quote_problem* is what
    :func:`read_records` returned when it stopped early; *numbers* are the
    spreadsheet row numbers of the records after the header (default 2, 3, ...),
    for a caller that left some rows out.
    """
    parsed = _Parsed(res["name"], fname)
    problems: list[Problem] = []
    expected = [f["name"] for f in res.get("schema", {}).get("fields", [])]
    if not records:
        problems.append(quote_problem or Problem(fname, 1, None, "file is empty", "no header row",
                                                 "a header row: " + ",".join(expected)))
        return parsed, problems
    header, body = records[0], records[1:]
    width = len(header)  # field counts are checked against the header as written
    good, good_numbers = [], []
    for number, row in zip(numbers or range(2, len(body) + 2), body):
        if not row or all(not c.strip() for c in row) and len(row) <= 1:
            problems.append(Problem(fname, number, None, "empty row", "no cells", f"{width} cells"))
        elif len(row) != width:
            problems.append(Problem(fname, number, None, "ragged row", f"{len(row)} cells",
                                    f"{width} cells, one per column of the header"))
        else:
            good.append(row)
            good_numbers.append(number)
    header, parsed.rows = _add_optional_columns(res, header, good)
    parsed.row_numbers = good_numbers
    parsed.header = header
    optional = {f["name"] for f in res.get("schema", {}).get("fields", []) if f.get("osa:optionalColumn")}
    problems += _check_header(fname, header, [c for c in expected if c in header or c not in optional])
    if quote_problem is not None:
        problems.append(quote_problem)
    parsed.usable = header == expected and quote_problem is None
    if parsed.usable:
        problems += _cell_problems(res, parsed)
        min_rows = res.get("osa:minRows", 0)
        if not body:
            problems.append(Problem(fname, 2, None, "table has a header and no rows", "0 rows",
                                    f"at least {max(min_rows, 1)} row(s)"))
        elif len(body) < min_rows:
            problems.append(Problem(fname, len(body) + 2, None, "table is shorter than it may be",
                                    f"{len(body)} rows",
                                    f"at least {min_rows} rows (osa:minRows in {DESCRIPTOR}); truncated?"))
    return parsed, problems


def read_records(fname: str, text: str, delimiter: str = ",") -> tuple[list[list[str]], Problem | None]:
    """Parse CSV *text* into records; a quote problem stops the parse and is returned.

    Counted in records, not lines, so a quoted cell that spans lines stays legal; a
    quote left open at the end of the file, or a stray character after a closed
    quoted cell, is a :class:`Problem` naming the spreadsheet row and the line
    where the record starts (Python's csv module in strict mode finds both).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    while True:
        start = reader.line_num + 1
        try:
            records.append(next(reader))
        except StopIteration:
            return records, None
        except csv.Error as exc:
            row = len(records) + 1
            msg = str(exc)
            header = records[0] if records else []
            if "unexpected end of data" in msg or "EOF" in msg:
                lines = len(_lines(text))
                return records, Problem(
                    fname, row, None, "quote opened and never closed",
                    f"a cell starting with a quote on line {start} that runs to the end of the file "
                    f"(line {lines})", 'a closing quote; a quote inside a quoted cell is written twice ("")')
            if "expected after" in msg:
                column = _quote_column(_lines(text)[start - 1:reader.line_num], header, delimiter)
                return records, Problem(
                    fname, row, column, "stray character after a closing quote",
                    f"text after a quoted cell on line {reader.line_num}",
                    'a delimiter right after the closing quote, or the whole cell quoted with "" inside')
            return records, Problem(fname, row, None, "unreadable CSV record", f"{msg} on line {reader.line_num}",
                                    "a well-formed CSV record")


def _lines(text: str) -> list[str]:
    """*text*'s lines as the csv module counts them (``newline=''``: CR, LF and CRLF end a line),
    without their line ends."""
    return [line.rstrip("\r\n") for line in io.StringIO(text, newline="")]


def _quote_column(lines: list[str], header: list[str], delimiter: str = ",") -> str | None:
    """The header name of the cell whose quote is the problem: the quoted cell, opened at the
    start of a cell, that is followed by something other than a delimiter once closed."""
    text = "\n".join(lines)
    cell, i, quoted = 0, 0, False
    start = True
    while i < len(text):
        c = text[i]
        if quoted:
            if c == '"':
                if i + 1 < len(text) and text[i + 1] == '"':
                    i += 1
                elif i + 1 < len(text) and text[i + 1] not in delimiter + "\r\n":
                    return header[cell] if cell < len(header) else f"column {cell + 1}"
                else:
                    quoted = False
        elif c == '"' and start:
            quoted = True
        elif c == delimiter:
            cell += 1
        elif c == "\n":
            cell = 0
        start = c in delimiter + "\n" and not quoted
        i += 1
    return None


def _cell_problems(res: dict, p: _Parsed) -> list[Problem]:
    """Checks Table Schema does not make: required cells that hold only whitespace, and
    URL fields (``"osa:url": true``) with a scheme other than http(s)."""
    problems = []
    for i, f in enumerate(res["schema"]["fields"]):
        required = f.get("constraints", {}).get("required")
        url = f.get("osa:url")
        if not (required or url):
            continue
        for row, number in zip(p.rows, p.row_numbers):
            value = row[i]
            if required and value and not value.strip():
                problems.append(Problem(p.file, number, f["name"], "required cell holds only whitespace",
                                        repr(value), "a value"))
            if url and value:
                m = URL_SCHEME.match(value.strip())
                if m and m.group(1).lower() not in ("http", "https"):
                    problems.append(Problem(p.file, number, f["name"], "URL with a scheme other than http(s)",
                                            repr(m.group(0)), "http://, https:// or a bare domain as printed"))
    return problems


#: A URL's scheme ("javascript:", "data:", "file:"); a bare domain ("www.example.eu") has none.
URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def _add_optional_columns(res: dict, header: list[str], body: list[list[str]]):
    """Insert empty columns for fields marked ``"osa:optionalColumn": true`` that the file lacks."""
    fields = res.get("schema", {}).get("fields", [])
    optional = [f["name"] for f in fields if f.get("osa:optionalColumn") and f["name"] not in header]
    if not optional:
        return header, body
    names = [f["name"] for f in fields]
    present = [n for n in names if n not in optional]
    if header != present:  # other problems: report them against the header as written
        return header, body
    index = [names.index(n) for n in optional]
    new_header, new_body = list(header), []
    for i in sorted(index):
        new_header.insert(i, names[i])
    for row in body:
        row = list(row)
        if len(row) == len(header):
            for i in sorted(index):
                row.insert(i, "")
        new_body.append(row)
    return new_header, new_body


def _locate_bad_bytes(raw: bytes, offset: int) -> tuple[int, str | None]:
    """Spreadsheet row and column of the first undecodable byte."""
    records = list(csv.reader(io.StringIO(raw.decode("utf-8", errors="replace"), newline="")))
    header = records[0] if records else []
    for number, record in enumerate(records, start=1):
        for i, cell in enumerate(record):
            if "\ufffd" in cell:
                return number, header[i] if i < len(header) else None
    return raw[:offset].count(b"\n") + 1, None


def _check_header(fname: str, header: list[str], expected: list[str]) -> list[Problem]:
    if header == expected:
        return []
    problems = []
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    dupes = sorted({c for c in header if header.count(c) > 1})
    for c in dupes:
        problems.append(Problem(fname, 1, c, "column appears more than once", f"{header.count(c)} times", "once"))
    # A column in the place of a missing one is most likely the same column, renamed.
    renamed = set()
    for i, c in enumerate(header):
        if c in extra and i < len(expected) and expected[i] in missing:
            problems.append(Problem(fname, 1, c, "unknown column (renamed?)", repr(c), repr(expected[i])))
            renamed |= {c, expected[i]}
    for c in missing:
        if c not in renamed:
            problems.append(Problem(fname, 1, c, "missing column", "no such column",
                                    f"column {expected.index(c) + 1} named {c!r}"))
    for c in extra:
        if c not in renamed:
            problems.append(Problem(fname, 1, c, "extra column", repr(c),
                                    "only the columns " + ",".join(expected)))
    if not missing and not extra and not dupes:
        problems.append(Problem(fname, 1, None, "columns in the wrong order", ",".join(header),
                                ",".join(expected)))
    return problems


# --------------------------------------------------------------------------- schema layer
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
    key = hashlib.sha256(json.dumps([res["schema"], p.header, p.rows], ensure_ascii=False).encode()
                         + _SELF_HASH).hexdigest()
    marker = _cache_dir() / key if _cache_dir() else None
    if key in _VALID or (marker is not None and marker.exists()):
        _VALID.add(key)
        return []
    fl = _frictionless()
    schema = {k: v for k, v in res["schema"].items() if k != "foreignKeys"}
    report = fl.Resource(name=res["name"], data=[p.header] + p.rows,
                         schema=fl.Schema.from_descriptor(schema)).validate(limit_errors=10**9)
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


def _cache_dir() -> Path | None:
    if os.environ.get("OSA_NO_VALIDATION_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "osa-report" / "valid-resources"


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
                problems.append(Problem(p.file, number, ",".join(fields), "unknown reference",
                                        ",".join(repr(v) for v in values),
                                        f"a {','.join(ref_fields)} listed in {ref.file}"))
    return problems


def _field(res: dict, name: str) -> dict:
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
            return Problem(p.file, row, column, "value not allowed", repr(cell),
                           "one of " + ", ".join(map(str, c.get("enum", []))))
        if '"minimum"' in note or '"maximum"' in note:
            return Problem(p.file, row, column, "value out of range", repr(cell),
                           f"{c.get('minimum', '-inf')} to {c.get('maximum', 'inf')}")
        if '"pattern"' in note:
            return Problem(p.file, row, column, "value does not match the pattern", repr(cell),
                           f"pattern {c.get('pattern')}")
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
        return Problem(p.file, row, ",".join(pk), "duplicate key", values,
                       "a key no other row has")
    if kind == "blank-row":
        return Problem(p.file, row, None, "empty row", "no values", "a value in each required cell")
    return Problem(p.file, row, column, kind, repr(cell) if cell else "", err.note)


def _values(p: _Parsed, row_number: int | None, fields: list[str]) -> str:
    if not row_number or row_number - 2 >= len(p.rows):
        return "?"
    row = p.rows[row_number - 2]
    return ",".join(repr(row[p.header.index(f)]) for f in fields if f in p.header)


# --------------------------------------------------------------------------- public API
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


def _frame(p: _Parsed, res: dict) -> "pd.DataFrame":
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
            columns[f["name"]] = pd.array([None if v is None else v.lower() in TRUE_VALUES for v in values],
                                          dtype="boolean")
        elif t == "date":
            columns[f["name"]] = pd.to_datetime(pd.Series(values, dtype="object"), format="%Y-%m-%d")
        else:
            columns[f["name"]] = pd.array(values, dtype="string")
    return pd.DataFrame(columns)


def load_table(name: str, data_dir=None) -> "pd.DataFrame":
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


def load_package(data_dir=None) -> dict[str, "pd.DataFrame"]:
    """Every table of the package, validated together, as ``{name: DataFrame}``."""
    ddir = _data_dir(data_dir)
    descriptor = read_descriptor(ddir)
    parsed = _parse(ddir, None)
    readlog.record([ddir / DESCRIPTOR] + [ddir / r["path"] for r in descriptor["resources"]])
    return {r["name"]: _frame(parsed[r["name"]], r) for r in descriptor["resources"]}
