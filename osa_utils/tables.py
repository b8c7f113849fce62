"""Tables as the report prints them: escaped HTML for notebooks and the report, CSV for reuse.

A cell is a string or a list of strings (a bulleted cell). Every string is
HTML-escaped, so a cell holding markup shows as text.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

#: Styles of a table shown on its own (a notebook output); the report's pages carry the same rules.
TABLE_CSS = (
    ".osa-table{border-collapse:collapse;font-size:.85rem;margin:.4rem 0}"
    ".osa-table th,.osa-table td{border:1px solid #bbb;padding:.3rem .5rem;vertical-align:top;text-align:left}"
    ".osa-table th{background:#eef1f4;font-weight:600}.osa-table ul{margin:0;padding-left:1.1rem}"
    ".osa-table td.num{text-align:center}.osa-caption{font-weight:700;margin:.6rem 0 .2rem}"
    ".osa-source{font-size:.78rem;color:#555;margin:.2rem 0 1rem}")


def _text(value) -> str:
    if value is None:
        return ""
    s = str(value)
    return "" if s in ("<NA>", "nan") else s


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
        return render("table.html.j2", css=Markup(TABLE_CSS), header=self.header, columns=self.columns,
                      rows=rows, source=self.source, note=self.note)

    def to_csv(self) -> str:
        """Long-form CSV: list cells joined with ' • ' (the printed bullet)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        for row in self.rows:
            w.writerow([" • ".join(str(c) for c in cell) if isinstance(cell, (list, tuple)) else
                        ("" if cell is None or str(cell) == "<NA>" else cell) for cell in row])
        return buf.getvalue()

    def _repr_html_(self) -> str:
        return self.to_html()


def save_table(table: Table, figure_id: str, figures_dir) -> list[Path]:
    """Write tab-<id>.csv and tab-<id>.html."""
    from .figures import stem, write_text

    out = Path(figures_dir)
    base = stem(figure_id, "tab")
    return [write_text(out / f"{base}.csv", table.to_csv()),
            write_text(out / f"{base}.html", table.to_html())]


def display_table(table: Table, figure_id: str, paths) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover
        return
    if get_ipython() is not None:
        display(HTML(table.to_html()), metadata={"osa": {"figure_id": figure_id, "table": True,
                                                          "files": [Path(p).name for p in paths]}})
