"""Assemble the regenerated report: one self-contained ``index.html``.

Every string that comes from a CSV or a notebook's text goes through
:func:`html.escape`; the only raw HTML inserted is HTML this package generated
itself (tables from :mod:`osa_utils.tables`, which escape their cells).
"""
from __future__ import annotations

import hashlib
import html
from pathlib import Path


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
.status-reproduced{background:#2b7a3d}.status-reconstructed_from_text{background:#7a5b2b}.status-partial{background:#9a6a00}.status-not_reproducible{background:#8a2b2b}.status-supplementary,.status-synthesis{background:#3b5b8a}
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


# --------------------------------------------------------------------------- the full report
def _markdown(text: str) -> str:
    """Markdown to HTML with raw HTML disabled (markup in the text shows as text)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).render(text)


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _figure_status(tables: dict) -> dict:
    st = {r.figure_id: r.status for r in tables["figures"].itertuples()}
    if "supplementary_figures" in tables:
        st.update({r.figure_id: "synthesis" if r.figure_id.startswith("x") else "supplementary"
                   for r in tables["supplementary_figures"].itertuples()})
    return st


STATUS_LABEL["supplementary"] = "supplementary chart of this collection"
STATUS_LABEL["synthesis"] = "cross-chapter view of this collection"


def notebook_section(nb: dict, name: str, result, status: dict) -> tuple[str, str]:
    """HTML of one executed notebook (prose, figures, tables) and its title for the contents."""
    cells = nb.get("cells", [])
    title = name
    parts = []
    for i, cell in enumerate(cells):
        src = _source(cell)
        if cell["cell_type"] == "markdown":
            if i == 0 and src.lstrip().startswith("# "):
                title = src.lstrip()[2:].splitlines()[0].strip()
            parts.append(_markdown(src))
            continue
        if cell["cell_type"] != "code":
            continue
        for out in cell.get("outputs", []):
            parts.append(_output_html(out, status))
    badge = {"ran": "ran", "reused": "reused from cache", "failed": "FAILED"}[result.state]
    head = (f'<section class="chapter" id="nb-{esc(name)}"><p class="source">Notebook '
            f'<a href="notebooks/{esc(name)}.html">{esc(name)}</a> (<a href="notebooks/{esc(name)}.ipynb">ipynb</a>)'
            f" · {esc(badge)} · {result.duration:.1f} s</p>")
    if result.state == "failed":
        e = result.error or {}
        cell_no = e.get("cell")
        head += (f'<div class="failed"><strong>This notebook failed</strong>'
                 f"{' in cell ' + str(cell_no) if cell_no is not None else ''}: "
                 f"<code>{esc(e.get('ename'))}: {esc(e.get('evalue'))}</code>"
                 f"<pre>{esc(e.get('source', ''))}</pre>"
                 + ("<p>The figures of its last successful run are kept in figures/.</p>" if result.stale_output else "")
                 + "</div>")
    return head + "".join(parts) + "</section>", title


def _output_html(out: dict, status: dict) -> str:
    meta = out.get("metadata", {})
    osa = meta.get("osa", {}) if isinstance(meta, dict) else {}
    data = out.get("data", {})
    otype = out.get("output_type")
    if otype == "error":
        import re

        tb = re.sub("\x1b\\[[0-9;]*[A-Za-z]", "", "\n".join(out.get("traceback", [])))
        return f'<div class="failed"><pre>{esc(tb)}</pre></div>'
    if otype == "stream":
        return f"<pre>{esc(''.join(out.get('text', '')))}</pre>"
    fid = osa.get("figure_id")
    badge = f" {status_badge(status[fid])}" if fid in status else ""
    notes = FOOTNOTES.get(fid) or []
    if notes:
        badge += " · footnotes " + ", ".join(f'<a href="#fn-{n}">{n}</a>' for n in notes)
    if "image/png" in data:
        png = data["image/png"]
        png = "".join(png) if isinstance(png, list) else png
        alt = f"Figure {fid}" if fid else "figure"
        return (f'<figure id="fig-{esc(fid or "")}"><img alt="{esc(alt)}" src="data:image/png;base64,{png.strip()}">'
                f"<figcaption class=\"source\">{esc(', '.join(osa.get('files', [])))}{badge}</figcaption></figure>")
    if "text/html" in data and osa.get("table"):
        # HTML generated by osa_utils.tables.Table: every cell already escaped.
        html_ = data["text/html"]
        files = esc(", ".join(osa.get("files", [])))
        return (f'<div class="table" id="tab-{esc(fid or "")}">' + ("".join(html_) if isinstance(html_, list) else html_)
                + f'<p class="source">{files}{badge}</p></div>')
    if "text/markdown" in data:
        md = data["text/markdown"]
        return _markdown("".join(md) if isinstance(md, list) else md)
    if "text/plain" in data:
        txt = data["text/plain"]
        return f"<pre>{esc(''.join(txt) if isinstance(txt, list) else txt)}</pre>"
    return ""


FOOTNOTES: dict[str, list[int]] = {}  # figure id -> footnotes it rests on (set by write_report)


def references_section(tables: dict) -> str:
    refs = tables["references"]
    items = "".join(f'<li id="fn-{int(r.footnote)}" value="{int(r.footnote)}">{esc(r.citation)}</li>'
                    for r in refs.itertuples())
    return ('<section id="references"><h2>References</h2><p>The report\'s footnotes as printed '
            "(<code>data/references.csv</code>; export with <code>osa-report cite</code>).</p>"
            f"<ol class=\"refs\">{items}</ol></section>")


def build_metadata(results, data_dir: Path, assemble_note: str = "") -> str:
    import datetime
    import platform
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).parent, timeout=5).stdout.strip() or "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True,
                               cwd=Path(__file__).parent, timeout=5).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    pkgs = []
    for name in ("pandas", "matplotlib", "seaborn", "papermill", "nbclient", "frictionless", "networkx", "jupytext"):
        try:
            pkgs.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            pass
    rows = "".join(f"<tr><td>{esc(r.name)}</td><td>{esc(r.state)}</td><td>{esc(r.reason)}</td>"
                   f"<td>{r.duration:.1f} s</td></tr>" for r in results)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return ('<section id="build"><h2>Build</h2>'
            f"<p>Built {esc(now)} from commit <code>{esc(commit)}</code> with Python {esc(platform.python_version())}; "
            f"{esc(', '.join(pkgs))}. Data: <code>{esc(data_dir)}</code>. A later build that changes nothing "
            "this page shows (data, notebooks, code, environment) keeps this page, so the states below are "
            "those of the build that assembled it.</p>"
            "<table><thead><tr><th>Notebook</th><th>State</th><th>Why</th><th>Duration</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>")


def write_report(out: Path, data_dir: Path, results) -> Path:
    """Assemble OUT/index.html from the executed notebooks in OUT/.cache."""
    import json

    from .data import load_package, read_descriptor

    from .cite import figure_footnotes

    tables = load_package(data_dir)
    descriptor = read_descriptor(data_dir)
    status = _figure_status(tables)
    FOOTNOTES.clear()
    FOOTNOTES.update({fid: figure_footnotes(fid, data_dir) for fid in status})
    sections, toc = [], []
    for r in results:
        nb_path = out / ".cache" / r.name / "executed.ipynb"
        nb = json.loads(nb_path.read_text(encoding="utf-8")) if nb_path.exists() else {"cells": []}
        html_, title = notebook_section(nb, r.name, r, status)
        sections.append(html_)
        flag = " (failed)" if r.state == "failed" else ""
        toc.append(f'<li><a href="#nb-{esc(r.name)}">{esc(title)}</a>{esc(flag)}</li>')
    toc_html = ('<nav id="toc"><h2>Contents</h2><ol>' + "".join(toc)
                + '<li><a href="#reproduction-status">Reproduction status</a></li>'
                  '<li><a href="#errata">Errata</a></li><li><a href="#references">References</a></li>'
                  '<li><a href="#data">Data</a></li><li><a href="#build">Build</a></li></ol></nav>')
    body = (title_page() + toc_html + "".join(sections) + status_section(tables) + errata_section(tables)
            + references_section(tables) + data_section(descriptor, tables, data_dir)
            + build_metadata(results, data_dir))
    index = out / "index.html"
    index.write_text(page(REPORT_TITLE, body), encoding="utf-8")
    return index


def find_chromium() -> str | None:
    import shutil

    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def print_pdf(index: Path, pdf: Path) -> str:
    """Print the report to PDF with headless Chromium; a message either way."""
    import subprocess
    import tempfile

    exe = find_chromium()
    if exe is None:
        return ("PDF not written: no Chromium found (Debian: apt-get install chromium). "
                "The HTML report was built.")
    with tempfile.TemporaryDirectory() as profile:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf}", index.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if proc.returncode != 0 or not pdf.exists():
        return f"PDF not written: Chromium exited with {proc.returncode}. The HTML report was built."
    return f"PDF written to {pdf}"
