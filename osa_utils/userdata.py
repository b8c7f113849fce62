"""Tables a user hands the tool (an assessment form, an authorships list): read them as a
spreadsheet user expects, then check them with the data package's own rules.

One reader for every such file, :func:`load_user_table`:

* CSV in UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), with LF or
  CRLF line ends (Python's ``csv`` module, Windows), separated by ``,`` or ``;``
  (a European Excel): the separator is detected from the header and said in
  :attr:`ReadInfo.description`;
* ``.xlsx`` (first sheet, or the one named by *sheet*), read through pandas with
  openpyxl; whole numbers stored as floats by Excel (``4.0``) read as ``4``.

Then the same checks and the same ``file:row:column`` messages as
``osa-report validate`` (:func:`osa_utils.data.check_records`, Table Schema by
frictionless, foreign keys into the package); for a workbook the location is the
sheet, the spreadsheet row and the column letter (``form.xlsx[Sheet1]:3:C (importance)``).

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

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";")


@dataclass
class ReadInfo:
    """How a user's file was read (shown to the user, kept in the frame's ``attrs``)."""

    file: str
    kind: str  # "csv" or "xlsx"
    delimiter: str = ","
    bom: bool = False
    crlf: bool = False
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        if self.kind == "xlsx":
            return f"{self.file}: Excel workbook, sheet {self.sheet!r}"
        parts = ["CSV", {",": "comma-separated", ";": "semicolon-separated"}[self.delimiter],
                 "UTF-8 with a byte-order mark" if self.bom else "UTF-8",
                 "Windows (CRLF) line ends" if self.crlf else "LF line ends"]
        return f"{self.file}: " + ", ".join(parts)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell_text(value) -> str:
    """A workbook cell as the text a CSV would hold."""
    import datetime
    import math

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def read_workbook(path: Path, sheet: str | None = None) -> tuple[list[list[str]], str]:
    """Records (header first) of a workbook's sheet, as text; trailing empty rows and columns dropped."""
    import pandas as pd

    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - a user's file: any failure is a message
        raise D.DataValidationError([D.Problem(path.name, None, None, "not a readable Excel workbook",
                                               type(exc).__name__, "an .xlsx file saved by a spreadsheet")])
    names = book.sheet_names
    name = sheet if sheet is not None else names[0]
    if name not in names:
        raise D.DataValidationError([D.Problem(path.name, None, None, "no such sheet", repr(sheet),
                                               "one of " + ", ".join(map(repr, names)))])
    frame = pd.read_excel(book, sheet_name=name, header=None, dtype=object)
    records = [[_cell_text(v) for v in row] for row in frame.itertuples(index=False)]
    while records and not any(records[-1]):
        records.pop()
    width = max((max((i + 1 for i, v in enumerate(r) if v), default=0) for r in records), default=0)
    return [r[:width] for r in records], name


def _decode(path: Path, raw: bytes, info: ReadInfo) -> str:
    if raw.startswith(D.BOM):
        info.bom = True
        raw = raw[len(D.BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = D._locate_bad_bytes(raw, exc.start)
        raise D.DataValidationError([D.Problem(path.name, line, column, "bytes that are not UTF-8",
                                               f"byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                                               "UTF-8 text (in Excel: save as 'CSV UTF-8')")]) from None
    if "\r" in text:
        info.crlf = True
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _detect_delimiter(text: str, expected: list[str]) -> str:
    """',' or ';': the one whose header row names more of the expected columns (',' on a tie)."""
    first = text.split("\n", 1)[0]
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
    return [[header[i] for i in order]] + [[r[i] for i in order] if len(r) == len(header) else r
                                                     for r in records[1:]]


def read_user_records(path, schema: dict, sheet: str | None = None) -> tuple[list[list[str]], D.Problem | None,
                                                                              ReadInfo]:
    """The file's records (header first), a quote problem if the parse stopped, and how it was read."""
    path = Path(path)
    if not path.is_file():
        raise D.DataValidationError([D.Problem(path.name, None, None, "file is missing", "no such file",
                                               str(path))])
    expected = [f["name"] for f in schema.get("fields", [])]
    if path.suffix.lower() in EXCEL_SUFFIXES:
        records, name = read_workbook(path, sheet)
        return records, None, ReadInfo(path.name, "xlsx", sheet=name)
    if sheet is not None:
        raise D.DataValidationError([D.Problem(path.name, None, None, "a sheet was given for a CSV file",
                                               f"--sheet {sheet}", "a sheet name only with an .xlsx file")])
    info = ReadInfo(path.name, "csv")
    text = _decode(path, path.read_bytes(), info)
    info.delimiter = _detect_delimiter(text, expected)
    records, quote_problem = D.read_records(path.name, text, info.delimiter)
    return records, quote_problem, info


def _locate_xlsx(problem: D.Problem, header: list[str], info: ReadInfo) -> D.Problem:
    column = problem.column
    if column:
        letters = [f"{column_letter(header.index(c))} ({c})" if c in header else c for c in column.split(",")]
        column = ",".join(letters)
    return D.Problem(f"{info.file}[{info.sheet}]", problem.row, column, problem.problem, problem.found,
                     problem.expected)


def load_user_table(path, schema: dict, data_dir=None, name: str | None = None,
                    sheet: str | None = None, skip=None) -> "pd.DataFrame":
    """A user's table checked against *schema* (a Table Schema whose foreign keys may point into the
    package, e.g. ``dimensions``): a typed frame, or DataValidationError listing every problem.

    *skip*, if given, is called with each row as ``{column: text}`` and returns True for a row to
    leave out before the checks (e.g. the unfilled rows of a blank form); problems keep naming the
    rows as the spreadsheet numbers them.

    ``frame.attrs``: ``read`` describes how the file was read (delimiter, BOM, line ends, sheet),
    ``skipped`` counts the rows left out, ``canonical_csv`` is the table as read (UTF-8, LF, commas).
    """
    path = Path(path)
    ddir = D._data_dir(data_dir)
    descriptor = D.read_descriptor(ddir)
    res = {"name": name or "external-" + re.sub(r"[^-a-z0-9._]", "-", path.stem.lower()),
           "path": path.name, "schema": schema}
    records, quote_problem, info = read_user_records(path, schema, sheet)
    original_header = list(records[0]) if records else []
    records = _schema_order(records, schema)
    numbers = list(range(2, len(records) + 1))
    skipped = 0
    if skip is not None and records:
        header = records[0]
        kept = [(n, r) for n, r in zip(numbers, records[1:])
                if not (len(r) == len(header) and skip(dict(zip(header, r))))]
        skipped = len(records) - 1 - len(kept)
        records = [header] + [r for _, r in kept]
        numbers = [n for n, _ in kept]
    parsed, problems = D.check_records(res, path.name, records, quote_problem, numbers)
    if parsed.usable:
        problems += D._resource_problems(res, parsed)
        refs = [fk["reference"]["resource"] for fk in schema.get("foreignKeys", [])
                if fk["reference"].get("resource")]
        package = D._parse(ddir, refs) if refs else {}
        combined = {"resources": descriptor["resources"] + [res]}
        problems += [p for p in D._foreign_key_problems(combined, {**package, res["name"]: parsed})
                     if p.file == path.name]
        D._record([ddir / D.DESCRIPTOR] + [ddir / D.resource(descriptor, n)["path"] for n in package])
    if problems:
        if info.kind == "xlsx":
            problems = [_locate_xlsx(p, original_header, info) for p in problems]
        raise D.DataValidationError(problems, path.parent)
    frame = D._frame(parsed, res)
    frame.attrs["read"] = info.description
    frame.attrs["skipped"] = skipped
    frame.attrs["canonical_csv"] = canonical_csv([parsed.header] + parsed.rows)
    frame.attrs["xlsx"] = {"file": f"{info.file}[{info.sheet}]", "header": original_header} if info.kind == "xlsx" else None
    return frame


def relocate(problem: D.Problem, attrs: dict) -> D.Problem:
    """A problem found after reading (e.g. by the caller's own rule) located like the reader's
    problems: for a workbook, sheet and column letter."""
    x = attrs.get("xlsx")
    if not x:
        return problem
    return _locate_xlsx(problem, x["header"], ReadInfo(x["file"].split("[")[0], "xlsx",
                                                          sheet=x["file"].split("[", 1)[1][:-1]))


def canonical_csv(records: list[list[str]]) -> str:
    """Records as the data package writes CSV: UTF-8 text, commas, LF, quotes only where needed."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(records)
    return buf.getvalue()
