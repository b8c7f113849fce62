"""Reading a spreadsheet a user saved (.xlsx, .xlsm) as the records a CSV would hold, within a form's limits.

openpyxl's read-only (streaming) mode through its public API; a sheet with formulas is opened a
second time for the values the spreadsheet saved. Every problem is a
:class:`osa_utils.data.DataValidationError` located at its sheet, row and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import data as D

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: What other spreadsheet files are, by their first bytes or suffix, with what to do instead.
SAVE_AS = "save it as .xlsx or as 'CSV UTF-8' and give that file"
#: Largest total size of a workbook's parts once unpacked (a 5 KB .xlsx can unpack to gigabytes).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: Most rows below the header.
MAX_ROWS = 10_000
#: Most columns of a form.
MAX_COLUMNS = 50
#: Largest cell, in bytes of UTF-8.
MAX_CELL_BYTES = 4_000


def problem(path: Path, problem: str, found: str, expected: str, row=None, column=None) -> D.DataValidationError:
    """One problem with a user's file, as the error that reports it."""
    return D.DataValidationError([D.Problem(path.name, row, column, problem, found, expected)])


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


def _check_unpacked_size(path: Path) -> None:
    """DataValidationError if the workbook's parts unpack to more than MAX_UNPACKED_BYTES (before parsing)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise problem(
            path, "not a readable Excel workbook", type(exc).__name__, "an .xlsx file saved by a spreadsheet"
        ) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        big = max(infos, key=lambda i: i.file_size)
        raise problem(
            path,
            "workbook too large once unpacked",
            f"{total / 1e6:.0f} MB unpacked ({big.filename}: {big.file_size / 1e6:.0f} MB) from "
            f"{path.stat().st_size / 1e3:.0f} KB",
            f"at most {MAX_UNPACKED_BYTES // 2**20} MB (a form of at most {MAX_ROWS} rows, "
            f"{MAX_CELL_BYTES} bytes a cell)",
        )


def _pick_sheet(path: Path, book, sheet: str | None) -> tuple[Any, list[str]]:
    """The worksheet to read and notes on the choice: *sheet* by name (a hidden one is said), else the
    first visible sheet (hidden sheets before it are said, never read)."""
    names = book.sheetnames
    if sheet is not None:
        if sheet not in names:
            raise problem(path, "no such sheet", repr(sheet), "one of " + ", ".join(map(repr, names)))
        ws = book[sheet]
        return ws, ([f"the sheet is {ws.sheet_state} in the workbook"] if ws.sheet_state != "visible" else [])
    visible = [book[n] for n in names if book[n].sheet_state == "visible"]
    if not visible:
        raise problem(
            path,
            "no visible sheet",
            "only hidden sheets: " + ", ".join(map(repr, names)),
            "a visible sheet, or --sheet NAME",
        )
    ws = visible[0]
    hidden = [n for n in names[: names.index(ws.title)]]
    notes = (
        [f"hidden sheet(s) {', '.join(map(repr, hidden))} before it not read (--sheet NAME reads one)"]
        if hidden
        else []
    )
    return ws, notes


def _open_workbook(path: Path, data_only: bool):
    """The workbook opened in openpyxl's read-only (streaming) mode: with the formulas, or (*data_only*)
    with the values the spreadsheet saved for them."""
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 - a user's file: any failure is a message
        raise problem(
            path, "not a readable Excel workbook", type(exc).__name__, "an .xlsx file saved by a spreadsheet"
        ) from None


def _sheet_cells(ws) -> Iterator[tuple[int, int, object, str]]:
    """(row, column, value, data type) of every cell the sheet's XML holds, streamed; the sheet's
    stated dimensions are ignored (a file may state them wrong, or not at all)."""
    import warnings

    from openpyxl.cell.read_only import EmptyCell

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws.reset_dimensions()
        for row in ws.iter_rows():
            for c in row:
                if not isinstance(c, EmptyCell):  # EmptyCell: a gap openpyxl fills in
                    yield c.row, c.column, c.value, c.data_type


def _dimension(ws) -> str:
    """The sheet's dimension as the file states it (e.g. ``A1:D5``), or ``not stated``."""
    try:
        return ws.calculate_dimension() if ws.max_row else "not stated"
    except ValueError:  # openpyxl: "unsized" (half a dimension)
        return "not stated"


def _error_cell(where: str, r: int, c: int, value) -> D.Problem:
    from openpyxl.utils import get_column_letter

    return D.Problem(
        where,
        r,
        get_column_letter(c),
        "error value in the cell",
        str(value),
        "a value (the formula's error is not data)",
    )


def read_workbook(
    path: Path, sheet: str | None = None, max_rows: int = MAX_ROWS, notes: list[str] | None = None
) -> tuple[list[list[str]], str]:
    """Records (header first) of a workbook's sheet, as text; trailing empty rows and columns dropped.

    Read in openpyxl's read-only (streaming) mode within the limits; the first visible sheet unless
    *sheet* names one. A formula without a saved value and an error cell (``#N/A``) are problems at
    their cell; *notes* receives what the reader chose (e.g. hidden sheets skipped). A sheet with
    formulas is read twice: their saved values come from a second read-only opening.
    """
    from openpyxl.utils import get_column_letter

    _check_unpacked_size(path)
    book = _open_workbook(path, data_only=False)
    try:
        ws, chosen = _pick_sheet(path, book, sheet)
        title = ws.title
        where = f"{path.name}[{title}]"
        stated = _dimension(ws)
        grid: dict[int, dict[int, str]] = {}
        problems: list[D.Problem] = []
        formulas: list[tuple[int, int]] = []
        for r, c, value, kind in _sheet_cells(ws):
            if r > max_rows + 1:
                raise D.DataValidationError(
                    [
                        D.Problem(
                            where,
                            r,
                            None,
                            "sheet longer than a form may be",
                            f"a row at {r} (sheet dimension {stated})",
                            f"at most {max_rows} rows below the header; delete the rows below the form",
                        )
                    ]
                )
            if kind == "f":
                formulas.append((r, c))
                continue
            if value is None or value == "":
                continue
            if c > MAX_COLUMNS:
                raise D.DataValidationError(
                    [
                        D.Problem(
                            where,
                            r,
                            get_column_letter(c),
                            "cell beyond the columns a form may have",
                            f"a value in column {get_column_letter(c)}",
                            f"at most {MAX_COLUMNS} columns (A to {get_column_letter(MAX_COLUMNS)})",
                        )
                    ]
                )
            if kind == "e":
                problems.append(_error_cell(where, r, c, value))
                continue
            grid.setdefault(r, {})[c] = _cell_text(value)
    finally:
        book.close()
    if formulas:  # the values the spreadsheet saved for its formulas
        problems += _saved_values(path, title, where, formulas, grid)
    if problems:
        raise D.DataValidationError(sorted(problems, key=lambda p: (p.row or 0, len(p.column or ""), p.column or "")))
    height = max(grid, default=0)
    width = max((max(row) for row in grid.values() if row), default=0)
    records = [[grid.get(r, {}).get(c, "") for c in range(1, width + 1)] for r in range(1, height + 1)]
    if notes is not None:
        notes.extend(chosen)
    return records, title


def _saved_values(
    path: Path, title: str, where: str, formulas: list[tuple[int, int]], grid: dict[int, dict[int, str]]
) -> list[D.Problem]:
    """The saved values of the cells *formulas* put into *grid*; problems for error values and for
    formulas without a saved value."""
    from openpyxl.utils import get_column_letter

    problems: list[D.Problem] = []
    wanted, saved = set(formulas), set()
    book = _open_workbook(path, data_only=True)
    try:
        for r, c, value, kind in _sheet_cells(book[title]):
            if (r, c) not in wanted:
                continue
            wanted.discard((r, c))
            if value is None:
                if kind == "str":  # a text result saved empty (="" in Excel): an empty cell
                    saved.add((r, c))
                continue
            saved.add((r, c))
            if kind == "e":
                problems.append(_error_cell(where, r, c, value))
                continue
            grid.setdefault(r, {})[c] = _cell_text(value)
    finally:
        book.close()
    for r, c in formulas:
        if (r, c) not in saved:
            problems.append(
                D.Problem(
                    where,
                    r,
                    get_column_letter(c),
                    "formula without a saved value",
                    "a formula whose result the file does not hold (saved by a program that does not calculate)",
                    "a value: open and save the file in a spreadsheet, or type the value",
                )
            )
    return problems


def sniff(path: Path, head: bytes) -> str | None:
    """What a file that is not a CSV in UTF-8 nor an .xlsx is, in words, or None."""
    import zipfile

    suffix = path.suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") or suffix == ".xls":
        return "an Excel 97-2003 workbook (.xls)"
    if suffix in (".ods", ".fods"):
        return "an OpenDocument spreadsheet (.ods)"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                if "mimetype" in names and z.getinfo("mimetype").file_size < 200:
                    kind = z.read("mimetype").decode("ascii", "replace")
                    if "opendocument.spreadsheet" in kind:
                        return "an OpenDocument spreadsheet (.ods)"
                if "xl/workbook.xml" in names and suffix not in EXCEL_SUFFIXES:
                    return f"an Excel workbook (.xlsx) named {suffix or 'without a suffix'}"
        except (zipfile.BadZipFile, OSError, KeyError):
            pass
        if suffix not in EXCEL_SUFFIXES:
            return "a ZIP archive"
    return None


def utf16(raw: bytes) -> bool:
    """True for UTF-16 text (Excel's "Unicode text"): its byte-order mark, or NULs at every other byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = raw[:2000]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return even.count(0) > 0.4 * len(even) or odd.count(0) > 0.4 * len(odd)
