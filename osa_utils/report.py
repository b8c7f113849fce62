"""Assemble the regenerated report: one self-contained ``index.html``.

Every string that comes from a CSV or a notebook's text goes through
:func:`html.escape`; the only raw HTML inserted is HTML this package generated
itself (tables from :mod:`osa_utils.tables`, which escape their cells).
"""
from __future__ import annotations

import hashlib
import html
from pathlib import Path

from . import DEFAULT_DATA_DIR

REPORT_TITLE = "Europe's Strategic Technology Autonomy from China"
REPORT_SUBTITLE = "Assessing Foundational and Emerging Technologies"
REPORT_EDITOR = "Tim Rühlig (ed.)"
REPORT_DATE = "January 2023"
REPORT_CONSORTIUM = "Digital Power China research consortium"

STATUS_LABEL = {
    "reproduced": "reproduced",
    "reconstructed_from_text": "reconstructed from the text",
    "partial": "partial",
    "not_reproducible": "not reproducible",
}

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.9rem;margin-bottom:.2rem} h2{border-bottom:2px solid #ccc;padding-bottom:.2rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.86rem} th,td{border:1px solid #bbb;padding:.25rem .45rem;vertical-align:top;text-align:left}
th{background:#eef1f4} .title-page{border:1px solid #ccc;padding:1.5rem;margin-bottom:2rem;background:#fafafa}
.status{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;font-size:.78rem;color:#fff}
.status-reproduced{background:#2b7a3d}.status-reconstructed_from_text{background:#7a5b2b}.status-partial{background:#9a6a00}.status-not_reproducible{background:#8a2b2b}
.source{font-size:.8rem;color:#555} figure{margin:1.2rem 0} img{max-width:100%;height:auto;border:1px solid #eee}
code{font-size:.85em} .failed{border:2px solid #b00;padding:.6rem;background:#fff3f3}
"""


def esc(value) -> str:
    """HTML-escape any value; missing values become an empty string."""
    if value is None:
        return ""
    try:
        import pandas as pd

        if value is pd.NA or (isinstance(value, float) and value != value):
            return ""
    except ImportError:  # pragma: no cover
        pass
    return html.escape(str(value), quote=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def title_page() -> str:
    return (f'<div class="title-page"><h1>{esc(REPORT_TITLE)}</h1><p><strong>{esc(REPORT_SUBTITLE)}</strong></p>'
            f"<p>{esc(REPORT_EDITOR)} · {esc(REPORT_CONSORTIUM)} · {esc(REPORT_DATE)}</p>"
            "<p>Reproducible edition: every table and figure regenerated from the CSV data package of this "
            "collection. This is not the original report; see the reproduction status of each figure.</p></div>")


def status_badge(status: str) -> str:
    return f'<span class="status status-{esc(status)}">{esc(STATUS_LABEL.get(status, status))}</span>'


def status_section(tables: dict) -> str:
    figs = tables["figures"]
    rows = "".join(
        f"<tr><td>{esc(f.number_printed)}</td><td>{esc(f.caption)}</td><td>{status_badge(f.status)}</td>"
        f"<td>{esc(f.status_reason)}</td></tr>" for f in figs.itertuples())
    return ('<section id="reproduction-status"><h2>Reproduction status</h2>'
            "<p>Every figure and box of the report, with how far this collection reproduces it "
            "(from <code>data/figures.csv</code>).</p>"
            f"<table><thead><tr><th>Figure</th><th>Caption as printed</th><th>Status</th><th>Why</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>")


def errata_section(tables: dict) -> str:
    e = tables["errata"]
    rows = "".join(
        f"<tr><td>{esc(r.location)}</td><td>{esc(r.printed)}</td><td>{esc(r.issue)}</td>"
        f"<td>{esc(r.evidence)}</td><td>{esc(r.confidence)}</td></tr>" for r in e.itertuples())
    return ('<section id="errata"><h2>Errata</h2><p>Slips in the source report. The data keeps the printed '
            "text; this list (<code>data/errata.csv</code>) says where it is wrong.</p>"
            "<table><thead><tr><th>Where</th><th>Printed</th><th>Issue</th><th>Evidence</th><th>Confidence</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></section>")


def data_section(descriptor: dict, tables: dict, data_dir: Path) -> str:
    parts = ['<section id="data"><h2>Data</h2><p>The data package <code>data/datapackage.json</code>: '
             "each table with its description, fields, row count and SHA-256 of the CSV file.</p>"]
    for res in descriptor["resources"]:
        path = Path(data_dir) / res["path"]
        fields = "".join(
            f"<tr><td><code>{esc(f['name'])}</code></td><td>{esc(f.get('type', 'string'))}</td>"
            f"<td>{esc(f.get('description', ''))}</td></tr>" for f in res["schema"]["fields"])
        sources = ", ".join(esc(s.get("title", "")) for s in res.get("sources", []))
        parts.append(
            f'<h3 id="data-{esc(res["name"])}">{esc(res["path"])}</h3><p>{esc(res.get("description", ""))}</p>'
            f"<p class=\"source\">Source: {sources} · {len(tables[res['name']])} rows · "
            f"SHA-256 <code>{sha256(path)}</code></p>"
            f"<table><thead><tr><th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>{fields}</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>'
            f"<body>{body}</body></html>\n")


def data_only_report(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """The report's data-derived sections (title, status, errata, data), without notebooks."""
    from .data import load_package, read_descriptor

    tables = load_package(data_dir)
    descriptor = read_descriptor(data_dir)
    toc = ('<nav id="toc"><h2>Contents</h2><ol><li><a href="#reproduction-status">Reproduction status</a></li>'
           '<li><a href="#errata">Errata</a></li><li><a href="#data">Data</a></li></ol></nav>')
    return page(REPORT_TITLE, title_page() + toc + status_section(tables) + errata_section(tables)
                + data_section(descriptor, tables, data_dir))
