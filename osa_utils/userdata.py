"""Tables a user hands the tool (an assessment form, an authorships list): read them as a
spreadsheet user expects, then check them with the data package's own rules.

One reader for every such file, :func:`load_user_table`:

* CSV in UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), with LF,
  CRLF or CR line ends (read by Python's ``csv`` module as it reads a file opened with
  ``newline=''``: a line break or CR inside a quoted cell stays in the cell), separated by ``,`` or ``;``
  (a European Excel): the separator is detected from the header and said in
  :attr:`ReadInfo.description`;
* ``.xlsx`` (first sheet, or the one named by *sheet*), read through pandas with
  openpyxl; whole numbers stored as floats by Excel (``4.0``) read as ``4``.

Then the same checks and the same ``file:row:column`` messages as
``osa-report validate`` (:func:`osa_utils.data.check_records`, Table Schema by
frictionless, foreign keys into the package); for a workbook the location is the
sheet, the spreadsheet row and the column letter (``form.xlsx[Sheet1]:3:C (importance)``).

Limits (a user's file is not trusted; each is a located message, never a long read):
:data:`MAX_FILE_BYTES` for a CSV, :data:`MAX_UNPACKED_BYTES` for a workbook's unpacked parts
(checked before anything is parsed), :data:`MAX_ROWS` rows below the header (a workbook is streamed
in openpyxl's read-only mode and stops at the first row past it), :data:`MAX_COLUMNS` columns and
:data:`MAX_CELL_BYTES` bytes (UTF-8) per cell. Files that are not a CSV in UTF-8 or an .xlsx are named
as what they are (UTF-16 "Unicode text", ``.xls``, ``.ods``); a NUL byte, a formula without a saved
value and an error cell (``#N/A``) are problems at their cell; a hidden sheet is never read unless
named with *sheet*.

The data package itself stays strict (UTF-8 without BOM, LF, commas).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import data as D
from . import readlog
from .text import ZERO_WIDTH as ZERO_WIDTH  # re-exported
from .text import clean_text as clean_text  # re-exported: text as compared
from .text import control_characters as control_characters  # re-exported: the forms' callers use it from here
from .text import printable as printable  # re-exported (for a terminal)
from .workbook import (
    EXCEL_SUFFIXES,
    MAX_CELL_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    SAVE_AS,
    problem,
    read_workbook,
    sniff,
    utf16,
)
from .workbook import MAX_UNPACKED_BYTES as MAX_UNPACKED_BYTES  # re-exported: a form's limits

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

DELIMITERS = (",", ";")
#: Largest CSV read (bytes).
MAX_FILE_BYTES = 10 * 1024 * 1024


def markdown_text(text) -> str:
    """*text* shown as itself in Markdown: every ASCII punctuation character backslash-escaped
    (CommonMark), control characters as escapes (a file name holding ``<img ...>`` or ``[x](...)``)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", printable(text))


@dataclass
class ReadInfo:
    """How a user's file was read (shown to the user, kept in the frame's ``attrs``)."""

    file: str
    kind: str  # "csv" or "xlsx"
    delimiter: str = ","
    bom: bool = False
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    line_ends: str = "LF"  # "LF", "CRLF", "CR" or "mixed"

    @property
    def description(self) -> str:
        if self.kind == "xlsx":
            return f"{self.file}: Excel workbook, sheet {self.sheet!r}" + "".join(f"; {n}" for n in self.notes)
        ends = {
            "LF": "LF line ends",
            "CRLF": "Windows (CRLF) line ends",
            "CR": "old Mac (CR only) line ends",
            "mixed": "mixed line ends (LF, CRLF and/or CR)",
        }[self.line_ends]
        parts = [
            "CSV",
            {",": "comma-separated", ";": "semicolon-separated"}[self.delimiter],
            "UTF-8 with a byte-order mark" if self.bom else "UTF-8",
            ends,
        ]
        return f"{self.file}: " + ", ".join(parts) + "".join(f"; {n}" for n in self.notes)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _decode(path: Path, raw: bytes, info: ReadInfo) -> str:
    if utf16(raw):
        raise problem(
            path,
            "UTF-16 text (Excel's 'Unicode text'), not UTF-8",
            "a UTF-16 byte-order mark"
            if raw.startswith((b"\xff\xfe", b"\xfe\xff"))
            else "a NUL byte beside every character",
            "UTF-8 text (in Excel: save as 'CSV UTF-8')",
        )
    if raw.startswith(D.BOM):
        info.bom = True
        raw = raw[len(D.BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = D._locate_bad_bytes(raw, exc.start)
        raise D.DataValidationError(
            [
                D.Problem(
                    path.name,
                    line,
                    column,
                    "bytes that are not UTF-8",
                    f"byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                    "UTF-8 text (in Excel: save as 'CSV UTF-8')",
                )
            ]
        ) from None
    if "\x00" in text:
        line, column = D._locate_bad_bytes(raw.replace(b"\x00", b"\xff"), raw.index(b"\x00"))
        raise D.DataValidationError(
            [
                D.Problem(
                    path.name,
                    line,
                    column,
                    "NUL byte in the file",
                    "\\x00",
                    "text without NUL bytes (a binary file, or one saved in UTF-16?)",
                )
            ]
        )
    return text  # line ends as they are: the csv module reads CR, LF and CRLF (see _row_ends)


#: A line end as the csv module reads a file opened with ``newline=''``: CRLF, CR or LF.
LINE_END = re.compile(r"\r\n|\r|\n")


def _row_ends(text: str, delimiter: str) -> str:
    """ "LF", "CRLF", "CR" or "mixed": the line ends that end records, as the csv module reads them.

    A line break inside a quoted cell (Excel writes LF there even in a CRLF file) is part of the
    cell, not a line end of the file. The physical lines are those of ``io.StringIO(text, newline="")``
    (CR, LF and CRLF, kept as they are); the line that ends a record is the last one the reader took
    for it. A record the reader cannot parse ends the count (the parse itself names the problem)."""
    ends: set[str] = set()
    last = [""]

    def lines():
        for line in io.StringIO(text, newline=""):
            last[0] = line
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        for _ in reader:
            m = LINE_END.search(last[0], len(last[0]) - 2)
            if m:
                ends.add(m.group(0))
    except csv.Error:
        pass
    if ends <= {"\n"}:
        return "LF"
    return {"\r\n": "CRLF", "\r": "CR"}.get(ends.pop(), "mixed") if len(ends) == 1 else "mixed"


def _detect_delimiter(text: str, expected: list[str]) -> str:
    """',' or ';': the one whose header row names more of the expected columns (',' on a tie)."""
    first = LINE_END.split(text, 1)[0]
    score = {d: len(set(next(csv.reader([first], delimiter=d), [])) & set(expected)) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (score[d], d == ","))


def _schema_order(records: list[list[str]], schema: dict) -> list[list[str]]:
    """A user's columns in the schema's order, when the header names only schema columns, each once
    (a spreadsheet user should not have to keep an order); anything else is left for the checks."""
    if not records:
        return records
    names = [f["name"] for f in schema.get("fields", [])]
    header = records[0]
    if len(set(header)) != len(header) or not set(header) <= set(names):
        return records
    order = sorted(range(len(header)), key=lambda i: names.index(header[i]))
    if order == list(range(len(header))):
        return records
    return [[header[i] for i in order]] + [[r[i] for i in order] if len(r) == len(header) else r for r in records[1:]]


def _too_many_rows(path: Path, text: str, delimiter: str, max_rows: int) -> None:
    """DataValidationError if the CSV has more than *max_rows* records below the header (reading stops
    at the first one past it)."""
    if text.count("\n") + text.count("\r") <= max_rows:  # at most as many records as line ends + 1
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for n, _ in enumerate(reader, start=1):
            if n > max_rows + 1:
                raise problem(
                    path,
                    "file longer than a form may be",
                    f"a record at row {n}",
                    f"at most {max_rows} rows below the header",
                    row=n,
                )
    except csv.Error:
        return  # the full parse names the problem


def _cell_size_problems(fname: str, records: list[list[str]], letters: bool = False) -> list[D.Problem]:
    """Rows wider than MAX_COLUMNS and cells longer than MAX_CELL_BYTES; *letters*: columns named as a
    workbook's (``B (challenge)``)."""
    header = records[0] if records else []
    problems = []
    for number, record in enumerate(records, start=1):
        if len(record) > MAX_COLUMNS:
            problems.append(
                D.Problem(
                    fname,
                    number,
                    None,
                    "row wider than a form may be",
                    f"{len(record)} cells",
                    f"at most {MAX_COLUMNS} columns",
                )
            )
            continue
        for i, cell in enumerate(record):
            size = len(cell.encode("utf-8", "surrogatepass"))
            if size > MAX_CELL_BYTES:
                name = header[i] if i < len(header) and number != 1 else ""
                where = (
                    (f"{column_letter(i)} ({name})" if name else column_letter(i))
                    if letters
                    else (name or f"column {i + 1}")
                )
                problems.append(
                    D.Problem(
                        fname,
                        number,
                        where,
                        "cell too long",
                        f"{size} bytes",
                        f"at most {MAX_CELL_BYTES} bytes (UTF-8) in a cell",
                    )
                )
    return problems


#: What :func:`not_a_file` says of a path that is not a regular file.
FOLDER, MISSING, NOT_REGULAR = "a folder", "no such file", "not a regular file"


def not_a_file(path) -> str | None:
    """What *path* is when it is not a regular file (:data:`FOLDER`, :data:`MISSING` or
    :data:`NOT_REGULAR`, e.g. a FIFO), or None for a file: the one test of every form's path."""
    path = Path(path)
    if path.is_file():
        return None
    if path.is_dir():
        return FOLDER
    return MISSING if not path.exists() else NOT_REGULAR


def check_form_path(path) -> str | None:
    """Why *path* cannot be a form (missing, a folder), or None."""
    what = not_a_file(path)
    if what == FOLDER:
        return f"{path} is not a file but a folder; give the filled-in form itself (.csv or .xlsx)"
    if what == MISSING:
        return f"{path} is not a file (no such file); give the filled-in form (.csv or .xlsx)"
    if what == NOT_REGULAR:
        return f"{path} is not a regular file; give the filled-in form (.csv or .xlsx)"
    return None


def read_user_records(
    path, schema: dict, sheet: str | None = None, max_rows: int = MAX_ROWS
) -> tuple[list[list[str]], D.Problem | None, ReadInfo]:
    """The file's records (header first), a quote problem if the parse stopped, and how it was read."""
    path = Path(path)
    what = not_a_file(path)
    if what == FOLDER:
        raise problem(path, "is a folder, not a file", str(path), "the form itself (.csv or .xlsx)")
    if what:
        raise problem(path, "file is missing", "no such file", str(path))
    expected = [f["name"] for f in schema.get("fields", [])]
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
        size = path.stat().st_size
    except OSError as exc:
        raise problem(path, "file cannot be read", exc.strerror or type(exc).__name__, "a file you may read") from None
    other = sniff(path, head)
    if other:
        raise problem(path, f"file is {other}", f"{path.suffix or 'no suffix'}, {size} bytes", SAVE_AS)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        notes: list[str] = []
        try:
            records, name = read_workbook(path, sheet, max_rows, notes)
        except OSError as exc:
            raise problem(
                path, "file cannot be read", exc.strerror or type(exc).__name__, "a file you may read"
            ) from None
        problems = _cell_size_problems(f"{path.name}[{name}]", records, letters=True)
        if problems:
            raise D.DataValidationError(problems)
        return records, None, ReadInfo(path.name, "xlsx", sheet=name, notes=notes)
    if sheet is not None:
        raise D.DataValidationError(
            [
                D.Problem(
                    path.name,
                    None,
                    None,
                    "a sheet was given for a CSV file",
                    f"--sheet {sheet}",
                    "a sheet name only with an .xlsx file",
                )
            ]
        )
    if size > MAX_FILE_BYTES:
        raise problem(
            path,
            "file larger than a form may be",
            f"{size / 1e6:.1f} MB",
            f"at most {MAX_FILE_BYTES // 2**20} MB ({max_rows} rows, {MAX_CELL_BYTES} bytes a cell)",
        )
    info = ReadInfo(path.name, "csv")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise problem(path, "file cannot be read", exc.strerror or type(exc).__name__, "a file you may read") from None
    text = _decode(path, raw, info)
    info.delimiter = _detect_delimiter(text, expected)
    _too_many_rows(path, text, info.delimiter, max_rows)
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, MAX_FILE_BYTES + 1))
    try:
        records, quote_problem = D.read_records(path.name, text, info.delimiter)
    finally:
        csv.field_size_limit(old)
    problems = _cell_size_problems(path.name, records)
    if problems:
        raise D.DataValidationError(problems)
    info.line_ends = _row_ends(text, info.delimiter)
    return records, quote_problem, info


def _locate_xlsx(problem: D.Problem, header: list[str], info: ReadInfo) -> D.Problem:
    column = problem.column
    if column:
        letters = [f"{column_letter(header.index(c))} ({c})" if c in header else c for c in column.split(",")]
        column = ",".join(letters)
    return D.Problem(
        f"{info.file}[{info.sheet}]", problem.row, column, problem.problem, problem.found, problem.expected
    )


def non_ascii_named(text: str) -> str:
    """The non-ASCII characters of *text* named ('U+0456 CYRILLIC SMALL LETTER ...'), or ""."""
    import unicodedata

    odd = [c for c in dict.fromkeys(text) if ord(c) > 0x7E]
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')}" for c in odd)


def _non_ascii(problem: D.Problem) -> D.Problem:
    """An id problem whose found value holds non-ASCII characters, with them named: a look-alike
    ('resilіence' with a Cyrillic і) then does not read like the valid id beside it."""
    named = non_ascii_named(problem.found)
    if not named or not (problem.column or "").endswith("_id"):
        return problem
    return D.Problem(
        problem.file,
        problem.row,
        problem.column,
        problem.problem,
        f"{problem.found.encode('ascii', 'backslashreplace').decode('ascii')}, which holds non-ASCII {named}",
        problem.expected,
    )


def load_user_table(
    path,
    schema: dict,
    data_dir=None,
    name: str | None = None,
    sheet: str | None = None,
    skip=None,
    max_rows: int = MAX_ROWS,
) -> pd.DataFrame:
    """A user's table checked against *schema* (a Table Schema whose foreign keys may point into the
    package, e.g. ``dimensions``): a typed frame, or DataValidationError listing every problem.

    *skip*, if given, is called with each row as ``{column: text}`` and returns True for a row to
    leave out before the checks (e.g. the unfilled rows of a blank form); problems keep naming the
    rows as the spreadsheet numbers them.

    ``frame.attrs``: ``read`` describes how the file was read (delimiter, BOM, line ends, sheet),
    ``skipped`` counts the rows left out, ``canonical_csv`` is the table as read (UTF-8, LF, commas).
    *max_rows*: most rows below the header (a longer file is refused before it is parsed further).
    """
    path = Path(path)
    ddir = D._data_dir(data_dir)
    descriptor = D.read_descriptor(ddir)
    res = {
        "name": name or "external-" + re.sub(r"[^-a-z0-9._]", "-", path.stem.lower()),
        "path": path.name,
        "schema": schema,
    }
    records, quote_problem, info = read_user_records(path, schema, sheet, max_rows)
    original_header = list(records[0]) if records else []
    records = _schema_order(records, schema)
    numbers = list(range(2, len(records) + 1))
    skipped = 0
    if skip is not None and records:
        header = records[0]
        kept = [
            (n, r) for n, r in zip(numbers, records[1:]) if not (len(r) == len(header) and skip(dict(zip(header, r))))
        ]
        skipped = len(records) - 1 - len(kept)
        records = [header] + [r for _, r in kept]
        numbers = [n for n, _ in kept]
    parsed, problems = D.check_records(res, path.name, records, quote_problem, numbers)
    if parsed.usable:
        problems += D._resource_problems(res, parsed)
        refs = [fk["reference"]["resource"] for fk in schema.get("foreignKeys", []) if fk["reference"].get("resource")]
        package = D._parse(ddir, refs) if refs else {}
        combined = {"resources": descriptor["resources"] + [res]}
        problems += [
            p for p in D._foreign_key_problems(combined, {**package, res["name"]: parsed}) if p.file == path.name
        ]
        readlog.record([ddir / D.DESCRIPTOR] + [ddir / D.resource(descriptor, n)["path"] for n in package])
    if problems:
        problems = [_non_ascii(p) for p in problems]
        if info.kind == "xlsx":
            problems = [_locate_xlsx(p, original_header, info) for p in problems]
        raise D.DataValidationError(problems, path.parent)
    frame = D._frame(parsed, res)
    frame.attrs["read"] = info.description
    frame.attrs["skipped"] = skipped
    frame.attrs["canonical_csv"] = canonical_csv([parsed.header] + parsed.rows)
    frame.attrs["xlsx"] = (
        {"file": f"{info.file}[{info.sheet}]", "header": original_header} if info.kind == "xlsx" else None
    )
    return frame


def relocate(problem: D.Problem, attrs: dict) -> D.Problem:
    """A problem found after reading (e.g. by the caller's own rule) located like the reader's
    problems: for a workbook, sheet and column letter."""
    x = attrs.get("xlsx")
    if not x:
        return problem
    return _locate_xlsx(
        problem, x["header"], ReadInfo(x["file"].split("[")[0], "xlsx", sheet=x["file"].split("[", 1)[1][:-1])
    )


def canonical_csv(records: list[list[str]]) -> str:
    """Records as the data package writes CSV: UTF-8 text, commas, LF, quotes only where needed."""
    from .tables import csv_text

    return csv_text(records)  # a cell holding a CR is quoted (the csv module alone would write it bare)
