"""Tables as the report prints them: escaped HTML for notebooks and the report, CSV for reuse.

A cell is a string or a list of strings (a bulleted cell). Every string is
HTML-escaped, so a cell holding markup shows as text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from . import outputmeta
from .text import text as _text

#: Styles of a table shown on its own (a notebook output); the report's pages carry the same rules.
TABLE_CSS = (
    ".osa-table{border-collapse:collapse;font-size:.85rem;margin:.4rem 0}"
    ".osa-table th,.osa-table td{border:1px solid #bbb;padding:.3rem .5rem;vertical-align:top;text-align:left}"
    ".osa-table th{background:#eef1f4;font-weight:600}.osa-table ul{margin:0;padding-left:1.1rem}"
    ".osa-table td.num{text-align:center}.osa-caption{font-weight:700;margin:.6rem 0 .2rem}"
    ".osa-source{font-size:.78rem;color:#555;margin:.2rem 0 1rem}"
)


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Said in every CSV written for people in which a cell was neutralised.
NEUTRALISED = (
    "Cells that began with =, +, -, @, a tab or a carriage return are written with a ' before them, "
    "so a spreadsheet shows them as text, never runs them as a formula (OWASP's rule for CSV "
    "injection); the .html table of the same name keeps them as written."
)


def neutralise(value: str) -> str:
    """*value* with a ``'`` before it if it starts like a formula (see :data:`FORMULA_TRIGGERS`)."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) else value


def csv_text(records) -> str:
    """*records* as CSV text: commas, LF line ends, quotes only where needed, except that a record
    with a carriage return in a cell is quoted whole. (Python's csv module quotes a cell only for the
    characters of its line terminator, so a lone CR would be written bare, and a spreadsheet or the
    csv module would end the row there.)"""
    buf = io.StringIO()
    plain = csv.writer(buf, lineterminator="\n")
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for record in records:
        (quoted if any(isinstance(c, str) and "\r" in c for c in record) else plain).writerow(record)
    return buf.getvalue()


@dataclass
class Table:
    """A table with printed header labels; ``rows`` hold strings or lists of strings."""

    columns: list[str]
    rows: list[list]
    header: str = ""  # "Figure 2.2 – Main Chinese ..."
    source: str = ""
    note: str = ""
    numeric: set = field(default_factory=set)  # column indexes centred

    def to_html(self) -> str:
        """The table as HTML from ``templates/table.html.j2`` (autoescaped: markup in a cell shows as text)."""
        from markupsafe import Markup

        from .pages import render

        rows = []
        for row in self.rows:
            cells = []
            for i, cell in enumerate(row):
                items = [_text(c) for c in cell] if isinstance(cell, (list, tuple)) else [_text(cell)]
                cells.append({"items": [c for c in items if c], "numeric": i in self.numeric})
            rows.append(cells)
        return render(
            "table.html.j2",
            css=Markup(TABLE_CSS),
            header=self.header,
            columns=self.columns,
            rows=rows,
            source=self.source,
            note=self.note,
        )

    def csv_records(self) -> list[list[str]]:
        """Header and rows as the CSV holds them: list cells joined with ' • ' (the printed bullet)."""
        return [list(self.columns)] + [
            [
                " • ".join(str(c) for c in cell)
                if isinstance(cell, (list, tuple))
                else ("" if cell is None or str(cell) == "<NA>" else str(cell))
                for cell in row
            ]
            for row in self.rows
        ]

    def to_csv(self, neutralise_formulas: bool = False) -> str:
        """Long-form CSV: list cells joined with ' • ' (the printed bullet). With *neutralise_formulas*
        (tables of user-supplied text, opened by people in a spreadsheet), a cell that starts like a
        formula gets a ``'`` before it (:func:`neutralise`); the report's own tables are written as they are."""
        records = self.csv_records()
        return csv_text([[neutralise(c) for c in r] for r in records] if neutralise_formulas else records)

    def has_formula_cells(self) -> bool:
        """True if a header or cell of the CSV starts like a formula."""
        return any(neutralise(c) != c for record in self.csv_records() for c in record)

    def _repr_html_(self) -> str:
        return self.to_html()


def save_table(table: Table, figure_id: str, figures_dir) -> list[Path]:
    """Write tab-<id>.csv and tab-<id>.html."""
    from .figures import stem, write_text

    out = Path(figures_dir)
    base = stem(figure_id, "tab")
    return [write_text(out / f"{base}.csv", table.to_csv()), write_text(out / f"{base}.html", table.to_html())]


def display_table(table: Table, figure_id: str, paths) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover
        return
    if get_ipython() is not None:
        display(HTML(table.to_html()), metadata=outputmeta.table(figure_id, [Path(p).name for p in paths]))
