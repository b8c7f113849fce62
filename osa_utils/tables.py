"""Tables as the report prints them: escaped HTML for notebooks and the report, CSV for reuse.

A cell is a string or a list of strings (a bulleted cell). Every string is
HTML-escaped, so a cell holding markup shows as text.
"""
from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

TABLE_CSS = (
    "<style>.osa-table{border-collapse:collapse;font-size:.85rem;margin:.4rem 0}"
    ".osa-table th,.osa-table td{border:1px solid #bbb;padding:.3rem .5rem;vertical-align:top;text-align:left}"
    ".osa-table th{background:#eef1f4;font-weight:600}.osa-table ul{margin:0;padding-left:1.1rem}"
    ".osa-table td.num{text-align:center}.osa-caption{font-weight:700;margin:.6rem 0 .2rem}"
    ".osa-source{font-size:.78rem;color:#555;margin:.2rem 0 1rem}</style>")


def _e(value) -> str:
    if value is None:
        return ""
    s = str(value)
    return "" if s == "<NA>" or s == "nan" else html.escape(s, quote=True)


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
        head = "".join(f"<th>{_e(c)}</th>" for c in self.columns)
        body = []
        for row in self.rows:
            cells = []
            for i, cell in enumerate(row):
                cls = ' class="num"' if i in self.numeric else ""
                if isinstance(cell, (list, tuple)):
                    items = [c for c in cell if _e(c)]
                    inner = ("<ul>" + "".join(f"<li>{_e(c)}</li>" for c in items) + "</ul>") if len(items) > 1 \
                        else (_e(items[0]) if items else "")
                else:
                    inner = _e(cell)
                cells.append(f"<td{cls}>{inner}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        parts = [TABLE_CSS]
        if self.header:
            parts.append(f'<p class="osa-caption">{_e(self.header)}</p>')
        parts.append(f'<table class="osa-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')
        if self.source or self.note:
            parts.append(f'<p class="osa-source">{_e(self.source)}{"<br>" + _e(self.note) if self.note else ""}</p>')
        return "".join(parts)

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
