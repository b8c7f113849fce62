"""The works the report's footnotes cite, exported as BibTeX, biblatex, CSL-JSON or RIS.

One entry per *distinct work* (``data/sources.csv``), keyed by its ``source_id``
(e.g. ``abrami2014why``), with authors and editors (``source_authors.csv``) as
family/given names or, for organisations, literal names, and the date only as
precise as the footnote prints it. Which footnote cites which work is
``footnote_sources.csv``: a work cited in several footnotes (in full or by a
back-reference such as "Milmo (note 265)") is one entry listing all of them, a
footnote citing several works links each, and a footnote that cites no work (an
explanatory note such as footnote 1 or 167) is no entry at all.

* :func:`works` gives the works (all, those of a figure, or those of a footnote);
  :func:`own_entries` adds the report itself and this collection to the whole bibliography
  (:mod:`osa_utils.citeworks`);
* :func:`to_bibtex` (classic BibTeX: standard entry types, ``year``/``month``), :func:`to_biblatex`,
  :func:`to_csl_json`, :func:`to_ris` write them (:mod:`osa_utils.citeformats`);
* :func:`render_bibliography` renders them with citeproc-py in a CSL style (Chicago
  notes-bibliography 16th edition by default) for the report's References section,
  cached on the data's hash (:mod:`osa_utils.citerender`);
* :func:`main` is what ``osa-report cite`` runs.

The works are read from a :class:`osa_utils.data.DataPackage` (as the report passes it) or a data
folder. This module is the public face: the names of its parts are importable from here.

Figures. :func:`figure_footnotes` gives the footnotes a figure rests on:

* supplementary charts (``s3.1``…): the footnotes of the key figures listed in
  their ``key_figure_ids``; the cross-chapter views (``x9.1``…), which list none
  and are drawn from tables without footnotes: none;
* report figures drawn from ``key_figures`` have an explicit rule each
  (:data:`REPORT_FIGURE_RULES`): Box 1 shows the chapter-1 key figures whose note
  starts "Box 1" (kf001–kf005); Figure 5.3 those citing footnote 134;
* every other report figure: none (its tables carry no footnotes).

Nothing here parses arguments; ``osa-report cite`` wires :func:`main`.
"""

from __future__ import annotations

from pathlib import Path

from .citeformats import (
    BIBLATEX_TYPES,
    BIBTEX_ESCAPES,
    BIBTEX_TYPES,
    BRACED_FIELDS,
    CSL_FIELDS,
    MONTHS,
    RIS_TYPES,
    SOURCE,
    bibtex_name,
    bibtex_type,
    braced,
    csl_item,
    escape_bibtex,
    escape_url,
    tex,
    tex_quotes,
    to_biblatex,
    to_bibtex,
    to_csl_json,
    to_ris,
)
from .citerender import STYLES, render, render_bibliography, style_path
from .citeworks import (
    COLLECTION_ID,
    REPORT,
    REPORT_FIGURE_RULES,
    collection_entry,
    data_version,
    figure_footnotes,
    footnotes_without_work,
    own_entries,
    works,
)
from .data import DataPackage

__all__ = [
    "ALIASES",
    "BIBLATEX_TYPES",
    "BIBTEX_ESCAPES",
    "BIBTEX_TYPES",
    "BRACED_FIELDS",
    "COLLECTION_ID",
    "collection_entry",
    "data_version",
    "CSL_FIELDS",
    "FORMATS",
    "MONTHS",
    "REPORT",
    "REPORT_FIGURE_RULES",
    "RIS_TYPES",
    "SOURCE",
    "STYLES",
    "bibtex_name",
    "bibtex_type",
    "braced",
    "csl_item",
    "escape_bibtex",
    "escape_url",
    "figure_footnotes",
    "footnotes_without_work",
    "main",
    "own_entries",
    "render",
    "render_bibliography",
    "style_path",
    "tex",
    "tex_quotes",
    "to_biblatex",
    "to_bibtex",
    "to_csl_json",
    "to_ris",
    "works",
]

FORMATS = ("bibtex", "biblatex", "csl-json", "ris")
ALIASES = {"bib": "bibtex", "csl": "csl-json", "json": "csl-json", "csljson": "csl-json"}


# --------------------------------------------------------------------------- entry point
def main(
    fmt: str = "bibtex",
    figure_id: str | None = None,
    data_dir: DataPackage | str | Path | None = None,
    footnote: int | None = None,
) -> str:
    """The cited works (all, *figure_id*'s or *footnote*'s) as *fmt*: 'bibtex', 'biblatex', 'csl-json' or 'ris'.

    The whole bibliography (no figure, no footnote) ends with entries for the report itself and for
    this collection (:func:`own_entries`). A footnote or figure that cites no work gives an empty
    text for BibTeX, biblatex and RIS and ``[]`` for CSL-JSON.
    """
    name = ALIASES.get(fmt, fmt)
    if name not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if figure_id is not None and footnote is not None:
        raise ValueError("give a figure or a footnote, not both")
    items = works(data_dir, figure_id=figure_id, footnote=footnote)
    if figure_id is None and footnote is None:
        items += own_entries(data_dir)
    version = data_version(data_dir)
    items = [{**w, "data_version": version} for w in items]
    return {"csl-json": to_csl_json, "bibtex": to_bibtex, "biblatex": to_biblatex, "ris": to_ris}[name](items)
