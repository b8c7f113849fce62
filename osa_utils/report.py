"""Assemble the regenerated report: one self-contained ``index.html``.

The page is rendered from ``templates/report.html.j2`` with autoescape: values
from CSVs and notebooks are text. HTML taken from notebook outputs (the
collection's tables) and Markdown rendered to HTML pass :func:`osa_utils.pages.sanitize`
(an allow-list) first; the page carries a Content-Security-Policy without scripts.

The data comes in as one :class:`osa_utils.data.DataPackage` (validated once, with its files'
hashes), which the page, its References and the list of data files all read.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from pathlib import Path

from . import __version__, outputmeta, pagecrop
from .cite import data_version, figure_footnotes, render_bibliography
from .data import DataPackage, as_package
from .pagecrop import crop_caption, png_size  # noqa: F401  (the page's names for them)
from .text import strip_ansi
from .text import text as _text

REPORT = {
    "title": "Europe's Strategic Technology Autonomy from China",
    "subtitle": "Assessing Foundational and Emerging Technologies",
    "editor": "Tim Rühlig (ed.)",
    "date": "January 2023",
    "consortium": "Digital Power China research consortium",
}

STATUS_LABEL = {
    "reproduced": "reproduced",
    "reconstructed_from_text": "reconstructed from the text",
    "partial": "partial",
    "not_reproducible": "not reproducible",
    "supplementary": "supplementary: added by this collection",
    "reading": "supplementary: this collection's reading of the text",
    "synthesis": "cross-chapter view of this collection",
    "derived_chart": "chart drawn by this collection",
}

#: CSS pixels per inch of a figure in the report: every PNG is shown at this one scale, so the type
#: size is the same in every figure (9 pt text at 96 px/in is 12 CSS px).
REPORT_PX_PER_INCH = 96

STATE_LABEL = {
    "ran": "ran",
    "reused": "reused from cache",
    "failed": "FAILED",
    "kept": "kept from an earlier build (not in this one)",
}


def sha256(path: Path) -> str:
    """The sha256 (hex) of the file at *path*."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else (value or "")


def _figure_status(tables: dict) -> dict:
    st = {r.figure_id: r.status for r in tables["figures"].itertuples()}
    if "supplementary_figures" in tables:
        sup = tables["supplementary_figures"]
        st.update(
            {
                r["figure_id"]: (
                    _text(r.get("status")) or ("synthesis" if r["figure_id"].startswith("x") else "supplementary")
                )
                for r in sup.to_dict("records")
            }
        )
    return st


def display_width(data: bytes, dpi=None) -> int | None:
    """CSS width of a figure: its size in inches at REPORT_PX_PER_INCH, so every figure of the report
    is shown at one scale (the same type size), not scaled to the column."""

    width, _, png_dpi = png_size(data)
    dpi = dpi or png_dpi
    if not width or not dpi:
        return None
    return round(width * REPORT_PX_PER_INCH / float(dpi))


#: What a download link of a figure or table calls each kind of file it saved.
FILE_KIND = {".png": "PNG", ".svg": "SVG", ".pdf": "PDF", ".csv": "data (CSV)", ".html": "HTML"}
#: Tag of a notebook's Markdown cell addressed to its user (how to set a parameter), left out of the
#: report page, which is written for a reader.
NOTEBOOK_ONLY = "notebook-only"


def downloads(names: list[str], existing: set[str] | None) -> list[dict]:
    """The links of a figure's or table's files (relative: ``figures/<name>``, so the folder works
    moved or zipped), in a fixed order, only for a file that is in the report's ``figures/``
    (*existing*: the report's files, as paths relative to it; None: every name)."""
    order = list(FILE_KIND)
    shown = [
        n
        for n in dict.fromkeys(names)
        if Path(n).suffix in FILE_KIND and "/" not in n and (existing is None or f"figures/{n}" in existing)
    ]
    shown.sort(key=lambda n: (order.index(Path(n).suffix), n))
    return [{"href": f"figures/{n}", "label": FILE_KIND[Path(n).suffix], "name": n} for n in shown]


def output_part(
    out: dict, status: dict, footnotes: dict, existing: set[str] | None = None, crops: Path | None = None
) -> dict | None:
    """One notebook output as a part of the page (see ``report.html.j2``), or None.

    *existing*: the report's files, as paths relative to it (``figures/fig-2-2.png``): a download
    link is shown only for a file that is there; None links every file the output lists."""
    from .pages import markdown, safe

    osa = outputmeta.of(out)
    if osa.get("notebook_only"):  # a hint for the notebook's user (a parameter), not for the reader
        return None
    data = out.get("data", {})
    otype = out.get("output_type")
    if otype == "error":
        return {"kind": "error", "text": strip_ansi("\n".join(out.get("traceback", [])))}
    if otype == "stream":
        return {"kind": "pre", "text": _joined(out.get("text", ""))}
    fid = str(osa.get("figure_id") or "")
    common = {
        "fid": fid,
        "files": outputmeta.files(out),
        "downloads": downloads(outputmeta.files(out), existing),
        "status": status.get(fid),
        "footnotes": footnotes.get(fid) or [],
    }
    if "image/png" in data:
        png = _joined(data["image/png"]).strip()
        try:
            raw = base64.b64decode(png, validate=True)
        except ValueError:
            return {"kind": "pre", "text": "[an image output that is not valid base64 was left out]"}
        dpi = pagecrop.output_dpi(osa)
        caption = {k: _text(osa.get(k)) for k in ("caption", "source", "status_text", "note", "alt")}
        inputs = pagecrop.crop_inputs(out)
        cropped = pagecrop.cropped(*inputs, folder=crops) if inputs is not None else None
        if cropped is not None:
            raw, png = cropped, base64.b64encode(cropped).decode("ascii")
        return {
            "kind": "figure",
            "src": f"data:image/png;base64,{png}",
            "width": display_width(raw, dpi),
            # the image without its title and source: the figcaption shows them (else the image has them)
            "cropped": cropped is not None,
            **common,
            **caption,
            "alt": caption["alt"] or (f"Figure {fid}" if fid else "figure"),
        }
    if "text/html" in data and osa.get("table"):
        return {"kind": "table", "html": safe(_joined(data["text/html"])), **common}
    if "text/markdown" in data:
        if osa.get("caption_of"):  # a figure's caption note, shown in the notebook; the figcaption has it
            return None
        html = markdown(_joined(data["text/markdown"]))
        if osa.get("placeholder_of"):  # in place of a report figure that is not drawn: its anchor
            return {"kind": "placeholder", "html": html, **common, "fid": str(osa["placeholder_of"])}
        return {"kind": "html", "html": html}
    if "text/plain" in data:
        return {"kind": "pre", "text": _joined(data["text/plain"])}
    return None


def _tags(cell) -> list[str]:
    meta = cell.get("metadata")
    tags = meta.get("tags", []) if isinstance(meta, dict) else []
    return [str(t) for t in tags] if isinstance(tags, list) else []


def chapter(
    nb: dict, result, status: dict, footnotes: dict, existing: set[str] | None = None, crops: Path | None = None
) -> dict:
    """The context of one executed notebook's section. A Markdown cell tagged NOTEBOOK_ONLY (how to
    set a parameter) is left out; *existing* as for :func:`output_part`."""
    from .pages import markdown

    title, parts = result.name, []
    for i, cell in enumerate(nb.get("cells", [])):
        src = _source(cell)
        if cell.get("cell_type") == "markdown":
            if i == 0 and src.lstrip().startswith("# "):
                title = src.lstrip()[2:].splitlines()[0].strip()
            if NOTEBOOK_ONLY in _tags(cell):
                continue
            parts.append({"kind": "html", "html": markdown(src)})
        elif cell.get("cell_type") == "code":
            for out in cell.get("outputs", []):
                part = output_part(out, status, footnotes, existing, crops)
                if part is not None:
                    parts.append(part)
    failed = result.state == "failed" or getattr(result, "failed_before", False)
    error = None
    if failed:
        e = result.error or {}
        error = {
            "cell": e.get("cell"),
            "ename": _text(e.get("ename")),
            "evalue": _text(e.get("evalue")),
            "source": _text(e.get("source")),
        }
    return {
        "name": result.name,
        "notebook_links": existing is None or f"notebooks/{result.name}.html" in existing,
        "title": title,
        "state_label": STATE_LABEL.get(result.state, result.state),
        # what a reader must know under the chapter's heading (failed, kept from an earlier build); how
        # it ran and how long it took are the Build section's
        "state_note": "" if result.state in ("ran", "reused") else STATE_LABEL.get(result.state, result.state),
        "duration": float(result.duration or 0.0),
        "failed": failed,
        "error": error,
        "stale_output": result.stale_output,
        "parameters": getattr(result, "parameters", {}) or {},
        "parts": parts,
    }


def build_notice(results) -> list[str]:
    """What a reader must know about how this report was put together (--only, mixed parameters)."""
    lines = []
    kept = [r.name for r in results if r.state == "kept"]
    if kept:
        ran = [r.name for r in results if r.state != "kept"]
        lines.append(
            f"This build ran {', '.join(ran)} (--only); the other chapters ({', '.join(kept)}) are "
            "kept from the report it updated."
        )
    shown: dict[str, list[str]] = {}
    for r in results:
        shown.setdefault(repr(sorted((getattr(r, "parameters", {}) or {}).items())), []).append(r.name)
    if len(shown) > 1:
        lines.append(
            "The chapters were not all built with the same parameters: see the parameters line of each chapter."
        )
    return lines


def build_metadata(results, package: DataPackage | Path) -> dict:
    """How the report was built: when, from which commit, with what, from which data folder and
    notebooks (*package*: the data package, or its folder)."""
    import datetime
    import platform
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    try:
        commit = (
            subprocess.run(
                ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent, timeout=5
            ).stdout.strip()
            or "unknown"
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], capture_output=True, text=True, cwd=Path(__file__).parent, timeout=5
        ).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    pkgs = []
    for name in ("pandas", "matplotlib", "seaborn", "papermill", "nbclient", "frictionless", "networkx", "jupytext"):
        with contextlib.suppress(PackageNotFoundError):
            pkgs.append(f"{name} {version(name)}")
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return {
        "now": now,
        "commit": commit,
        "python": platform.python_version(),
        "packages": pkgs,
        "data_dir": str(package.path if isinstance(package, DataPackage) else package),
        "code_version": __version__,
        "data_version": data_version(package),
        "results": [
            {
                "name": r.name,
                "state": r.state,
                "reason": r.reason,
                "duration": float(r.duration or 0),
                "parameters": getattr(r, "parameters", {}) or {},
            }
            for r in results
        ],
    }


#: The markup a footnote of references.csv carries as extracted (see tools/extract_references.py):
#: an http(s) address in angle brackets, doubled by the extraction (``<<https://…>>``), single
#: (``<https://…>``, the printed form) or as a markdown link (``<[https://…](https://…)>``), and
#: ``*…*`` around a title (italics in print).
_CITATION_MARKUP = re.compile(
    r"<<(?P<dbl>https?://[^\s<>]+)>>"
    r"|<\[(?P<text>https?://[^\s\]]+)\]\((?P<target>https?://[^\s]+?)\)>"
    r"|<(?P<url>https?://[^\s<>]+)>"
    r"|\*(?P<em>[^\s*](?:[^*]*[^\s*])?)\*"
)


def citation_html(text: str):
    """A footnote as printed, its markup rendered: ``*Title*`` in italics, every http(s) address a
    link, shown in the angle brackets the report prints around it ("<https://…>").

    Every piece of the text is escaped first and only this function's own ``<em>`` and ``<a href>``
    are added (links only for http and https addresses); the result passes the allow-list
    sanitizer as well. Anything else (``<doi: …>``, a lone ``*``) stays text.
    """
    from markupsafe import escape

    from .pages import safe

    out, pos = [], 0
    for m in _CITATION_MARKUP.finditer(text):
        out.append(str(escape(text[pos : m.start()])))
        if m.group("em") is not None:
            out.append(f"<em>{escape(m.group('em'))}</em>")
        else:
            href = m.group("dbl") or m.group("target") or m.group("url")
            shown = re.sub(r"\\([()])", r"\1", m.group("text")) if m.group("text") else href
            out.append(f'&lt;<a href="{escape(href)}">{escape(shown)}</a>&gt;')
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return safe("".join(out))


def references_context(package: DataPackage) -> tuple[list[dict], list[dict]]:
    """The footnotes as printed (each with the works it cites) and the bibliography of cited works,
    rendered by citeproc-py from the structured data (:func:`osa_utils.cite.render_bibliography`)."""
    from .pages import safe

    works = [
        {"id": w["id"], "html": safe(w["html"]), "footnotes": w["footnotes"]} for w in render_bibliography(package)
    ]
    tables = package.tables
    number = {w["id"]: i for i, w in enumerate(works, start=1)}
    cites: dict[int, list[str]] = {}
    for row in tables["footnote_sources"].sort_values(["footnote", "position"]).to_dict("records"):
        cites.setdefault(int(row["footnote"]), []).append(row["source_id"])
    references = [
        {
            "footnote": int(r["footnote"]),
            "citation": citation_html(_text(r["citation"])),
            "works": [{"id": sid, "number": number[sid]} for sid in cites.get(int(r["footnote"]), []) if sid in number],
        }
        for r in tables["references"].to_dict("records")
    ]
    return references, works


def _records(df) -> list[dict]:
    """A table's rows as dicts of text (missing values as "")."""
    return [{k: _text(v) for k, v in row.items()} for row in df.to_dict("records")]


def _with_anchor(rows: list[dict], shown: set[str]) -> list[dict]:
    """*rows* of figures.csv or supplementary_figures.csv, each with the anchor of the figure or table
    that shows it on the page ("" when none does; a box is shown by this collection's chart of it)."""
    for row in rows:
        fid = row["figure_id"]
        row["anchor"] = next((a for a in (f"fig-{fid}", f"tab-{fid}", f"fig-{fid}-chart") if a in shown), "")
    return rows


def write_report(out: Path, package: DataPackage | Path, results) -> Path:
    """Assemble OUT/index.html from the executed notebooks in OUT/.cache.

    *package* is the validated :class:`osa_utils.data.DataPackage`; a data folder is loaded
    (and validated) first.
    """
    import json

    from .pages import render

    package = as_package(package)
    tables = package.tables
    descriptor = package.descriptor
    status = _figure_status(tables)
    footnotes = {fid: figure_footnotes(fid, package) for fid in status}
    existing = {p.relative_to(out).as_posix() for sub in ("figures", "notebooks") for p in (Path(out) / sub).glob("*")}
    chapters = []
    for r in results:
        nb_path = Path(out) / ".cache" / r.name / "executed.ipynb"
        try:
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            nb = {"cells": []}
        chapters.append(chapter(nb, r, status, footnotes, existing, nb_path.parent / pagecrop.FOLDER))
    resources = [
        {
            "name": res["name"],
            "path": res["path"],
            "description": res.get("description", ""),
            "sources": [s.get("title", "") for s in res.get("sources", [])],
            "rows": len(tables[res["name"]]),
            "sha256": package.hashes[res["path"]],
            "fields": [
                {"name": f["name"], "type": f.get("type", "string"), "description": f.get("description", "")}
                for f in res["schema"]["fields"]
            ],
        }
        for res in descriptor["resources"]
    ]
    references, works = references_context(package)
    shown = {
        f"{'tab' if part['kind'] == 'table' else 'fig'}-{part['fid']}"
        for ch in chapters
        for part in ch["parts"]
        if part.get("fid") and part["kind"] in ("figure", "table", "placeholder")
    }
    html = render(
        "report.html.j2",
        title=REPORT["title"],
        report=REPORT,
        status_label=STATUS_LABEL,
        chapters=chapters,
        build_notice=build_notice(results),
        figures=_with_anchor(_records(tables["figures"]), shown),
        collection=_with_anchor(_records(tables["supplementary_figures"]), shown)
        if "supplementary_figures" in tables
        else [],
        errata=_records(tables["errata"]),
        references=references,
        works=works,
        resources=resources,
        build=build_metadata(results, package),
    )
    index = Path(out) / "index.html"
    index.write_text(html, encoding="utf-8")
    return index
