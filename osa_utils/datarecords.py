"""The file layer: what Table Schema cannot express and a spreadsheet user trips over.

A missing or empty file, a UTF-8 byte-order mark, bytes that are not UTF-8, Windows (CRLF) line
ends, quotes left open, missing/extra/renamed columns, ragged and empty rows, whitespace-only
required cells, URLs with a scheme other than http(s), too few rows. Done with the standard library;
the rows parsed here go on to the Table Schema checks (:mod:`osa_utils.dataschema`), so each file is
read once.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .datadescriptor import DESCRIPTOR
from .dataproblems import Problem

BOM = b"\xef\xbb\xbf"


@dataclass
class _Parsed:
    name: str
    file: str
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # rows with the right width
    row_numbers: list[int] = field(default_factory=list)  # their spreadsheet row numbers
    usable: bool = False  # header matches: Table Schema checks can run
    sha256: str = ""  # of the file's bytes as read and checked ("" for rows that came from elsewhere)


def _check_file(res: dict, data_dir: Path) -> tuple[_Parsed, list[Problem]]:
    fname = res["path"]
    parsed = _Parsed(res["name"], fname)
    problems: list[Problem] = []
    expected = [f["name"] for f in res.get("schema", {}).get("fields", [])]
    path = data_dir / fname
    if not path.is_file():
        problems.append(
            Problem(
                fname,
                None,
                None,
                "file is missing",
                "no such file",
                f"the table {res['name']!r} described in {DESCRIPTOR}",
            )
        )
        return parsed, problems
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if raw.startswith(BOM):
        problems.append(
            Problem(
                fname,
                1,
                None,
                "file starts with a UTF-8 byte-order mark",
                "BOM",
                "UTF-8 without BOM (in Excel: save as 'CSV UTF-8', then remove the BOM)",
            )
        )
        raw = raw[len(BOM) :]
    if not raw.strip():
        problems.append(
            Problem(fname, 1, None, "file is empty", "no header row", "a header row: " + ",".join(expected))
        )
        return parsed, problems
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _locate_bad_bytes(raw, exc.start)
        problems.append(
            Problem(
                fname,
                line,
                column,
                "bytes that are not UTF-8",
                f"byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                "UTF-8 text (re-save the file with UTF-8 encoding)",
            )
        )
        return parsed, problems
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(
            Problem(
                fname,
                line,
                None,
                "NUL byte in the file",
                "\\x00",
                "text without NUL bytes (a binary file, or one saved in UTF-16?)",
            )
        )
        return parsed, problems
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.append(Problem(fname, line, None, "Windows or old Mac line ends", "\\r\\n", "Unix line ends (\\n)"))
    records, quote_problem = read_records(fname, text)
    more_parsed, more = check_records(res, fname, records, quote_problem)
    more_parsed.sha256 = digest
    return more_parsed, problems + more


def check_records(
    res: dict,
    fname: str,
    records: list[list[str]],
    quote_problem: Problem | None = None,
    numbers: list[int] | None = None,
) -> tuple[_Parsed, list[Problem]]:
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
        problems.append(
            quote_problem
            or Problem(fname, 1, None, "file is empty", "no header row", "a header row: " + ",".join(expected))
        )
        return parsed, problems
    header, body = records[0], records[1:]
    width = len(header)  # field counts are checked against the header as written
    good, good_numbers = [], []
    for number, row in zip(numbers or range(2, len(body) + 2), body):
        if not row or all(not c.strip() for c in row) and len(row) <= 1:
            problems.append(Problem(fname, number, None, "empty row", "no cells", f"{width} cells"))
        elif len(row) != width:
            problems.append(
                Problem(
                    fname,
                    number,
                    None,
                    "ragged row",
                    f"{len(row)} cells",
                    f"{width} cells, one per column of the header",
                )
            )
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
            problems.append(
                Problem(
                    fname, 2, None, "table has a header and no rows", "0 rows", f"at least {max(min_rows, 1)} row(s)"
                )
            )
        elif len(body) < min_rows:
            problems.append(
                Problem(
                    fname,
                    len(body) + 2,
                    None,
                    "table is shorter than it may be",
                    f"{len(body)} rows",
                    f"at least {min_rows} rows (osa:minRows in {DESCRIPTOR}); truncated?",
                )
            )
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
                    fname,
                    row,
                    None,
                    "quote opened and never closed",
                    f"a cell starting with a quote on line {start} that runs to the end of the file (line {lines})",
                    'a closing quote; a quote inside a quoted cell is written twice ("")',
                )
            if "expected after" in msg:
                column = _quote_column(_lines(text)[start - 1 : reader.line_num], header, delimiter)
                return records, Problem(
                    fname,
                    row,
                    column,
                    "stray character after a closing quote",
                    f"text after a quoted cell on line {reader.line_num}",
                    'a delimiter right after the closing quote, or the whole cell quoted with "" inside',
                )
            return records, Problem(
                fname,
                row,
                None,
                "unreadable CSV record",
                f"{msg} on line {reader.line_num}",
                "a well-formed CSV record",
            )


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
                problems.append(
                    Problem(p.file, number, f["name"], "required cell holds only whitespace", repr(value), "a value")
                )
            if url and value:
                m = URL_SCHEME.match(value.strip())
                if m and m.group(1).lower() not in ("http", "https"):
                    problems.append(
                        Problem(
                            p.file,
                            number,
                            f["name"],
                            "URL with a scheme other than http(s)",
                            repr(m.group(0)),
                            "http://, https:// or a bare domain as printed",
                        )
                    )
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
            problems.append(
                Problem(fname, 1, c, "missing column", "no such column", f"column {expected.index(c) + 1} named {c!r}")
            )
    for c in extra:
        if c not in renamed:
            problems.append(Problem(fname, 1, c, "extra column", repr(c), "only the columns " + ",".join(expected)))
    if not missing and not extra and not dupes:
        problems.append(Problem(fname, 1, None, "columns in the wrong order", ",".join(header), ",".join(expected)))
    return problems
