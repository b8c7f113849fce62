"""The works the report's footnotes cite, and the footnotes a figure rests on.

One work per *distinct work* (``data/sources.csv``), keyed by its ``source_id`` (e.g.
``abrami2014why``), with authors and editors (``source_authors.csv``) as family/given names or,
for organisations, literal names. Which footnote cites which work is ``footnote_sources.csv``.
:func:`works` gives them (all, those of a figure, or those of a footnote); :func:`own_entries`
adds the report itself and this collection. The rules saying which footnotes a figure rests on
are described in :mod:`osa_utils.cite`.

*data* is a :class:`osa_utils.data.DataPackage` (its tables are used as loaded) or a data folder
(each table is loaded, with the tables it references, by :func:`osa_utils.data.load_table`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import DEFAULT_DATA_DIR, PROJECT_ROOT, errors
from .data import DataPackage, load_table
from .text import is_missing
from .text import text as _text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: What the functions here read: the package as loaded, or a data folder (None: the collection's).
Data = DataPackage | str | Path | None


def _table(data: Data, name: str) -> pd.DataFrame:
    """Table *name* of *data*: the package's own frame, or loaded (and validated) from the folder."""
    return data.table(name) if isinstance(data, DataPackage) else load_table(name, data)


#: The report itself, as printed on its cover (no URL: the report's text prints none of its own).
REPORT = {
    "id": "ruhlig2023europes",
    "type": "report",
    "title": "Europe's Strategic Technology Autonomy from China: Assessing Foundational and Emerging Technologies",
    "editors_list": [{"family": "Rühlig", "given": "Tim"}],
    "publisher": "Digital Power China research consortium",
    "issued": "2023-01",
    "export_note": "The report whose footnotes cite the other entries",
}

#: This collection's citation file (Citation File Format 1.2.0): the one place the collection is
#: described. :func:`collection_entry` reads its entry from it.
CITATION_CFF = PROJECT_ROOT / "CITATION.cff"
#: The id of this collection's entry in every export.
COLLECTION_ID = "osareport2026collection"


def _cff_name(person: dict) -> dict:
    """A CFF person or entity as a family/given or literal name."""
    if person.get("family-names"):
        return {"family": str(person["family-names"]), "given": str(person.get("given-names", ""))}
    return {"literal": str(person.get("name", ""))}


class CitationFileError(errors.OSAError, ValueError):
    """CITATION.cff cannot be read or lacks what the collection's entry needs (exit 1)."""


def collection_entry(data: Data = None, cff: Path | None = None) -> dict:
    """This collection's entry, from CITATION.cff (*cff*, default :data:`CITATION_CFF`): its title,
    authors, version and abstract; issued is the year the data package (*data*) was created
    (``created`` in its datapackage.json), since the entry cites the collection as a dataset.
    Every value is read as the string written (``version: 1.10`` stays "1.10")."""
    import yaml

    path = Path(cff or CITATION_CFF)
    try:
        meta = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise CitationFileError(f"{path}: cannot be read as YAML: {reason}") from None
    if not isinstance(meta, dict):
        raise CitationFileError(f"{path}: not a mapping of CFF keys")
    missing = [k for k in ("title", "version", "authors") if not meta.get(k)]
    if missing:
        raise CitationFileError(f"{path}: no {', '.join(missing)} (CFF 1.2.0 needs them for this collection's entry)")
    authors = meta["authors"] if isinstance(meta["authors"], list) else []
    created = str(_descriptor(data).get("created", ""))
    abstract = " ".join(str(meta.get("abstract", "")).split()).rstrip(".")
    return {
        "id": COLLECTION_ID,
        "type": "dataset",
        "title": str(meta["title"]),
        "authors": [_cff_name(a) for a in authors if isinstance(a, dict)],
        "genre": "Jupyter notebook research collection",
        "version": str(meta["version"]),
        "issued": created[:4],
        # every format carries the note: the version goes there (CSL-JSON also has a variable)
        "export_note": f"Version {meta['version']}. {abstract}".strip(),
    }


def data_version(data: Data = None) -> str:
    """'the OSA report collection, data package osa-report-2023 1.0.0': the package an export comes from."""
    meta = _descriptor(data)
    return f"the OSA report collection, data package {meta.get('name', '?')} {meta.get('version', '(no version)')}"


def _descriptor(data: Data) -> dict:
    """The parsed datapackage.json of *data*."""
    import json

    if isinstance(data, DataPackage):
        return data.descriptor
    folder = Path(data) if data is not None else DEFAULT_DATA_DIR
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- figures
def _box1_rows(kf):
    """Box 1: key figures of chapter 1 whose note marks them as Box 1 ('Box 1; …')."""
    return kf[(kf["chapter"] == 1) & kf["note"].fillna("").str.match(r"Box 1\b")]


def _figure_5_3_rows(kf):
    """Figure 5.3 (USDC): the key figures citing footnote 134, where the text states its values."""
    return kf[kf["footnote"] == 134]


#: Report figures whose ``tables`` include key_figures, and which key_figures rows each shows.
REPORT_FIGURE_RULES: dict[str, Callable] = {"box1": _box1_rows, "5.3": _figure_5_3_rows}


def _ints(values: Iterable) -> list[int]:
    import pandas as pd

    return sorted({int(v) for v in values if not pd.isna(v)})


def figure_footnotes(figure_id: str, data_dir: Data = None, tables: dict | None = None) -> list[int]:
    """Footnotes (sorted, unique) that figure *figure_id* rests on; KeyError for an unknown id.

    Raises ValueError when a report figure is drawn from key_figures but has no
    rule in :data:`REPORT_FIGURE_RULES`, or its rule selects no row: the data
    changed and the mapping needs a look, rather than a silent empty list.
    *data_dir* is a :class:`osa_utils.data.DataPackage` or a data folder. *tables* (``{name: DataFrame}``
    of the same package, as from ``load_package``) saves reading them again when asking for many
    figures of a folder; a DataPackage needs none.
    """

    def table(name):
        return tables[name] if tables is not None else _table(data_dir, name)

    figure_id = str(figure_id)
    sup = table("supplementary_figures")
    hit = sup[sup["figure_id"] == figure_id]
    if len(hit):
        raw = hit.iloc[0]["key_figure_ids"]
        if is_missing(raw) or not str(raw).strip():
            return []  # cross-chapter views (x9.N) draw on other tables and show no key figures
        kf = table("key_figures").set_index("key_figure_id")
        ids = str(raw).split(";")
        missing = [i for i in ids if i not in kf.index]
        if missing:
            raise ValueError(f"figure {figure_id!r} lists key figures not in key_figures.csv: {missing}")
        return _ints(kf.loc[ids, "footnote"])
    figs = table("figures")
    hit = figs[figs["figure_id"] == figure_id]
    if not len(hit):
        known = sorted(figs["figure_id"]) + sorted(sup["figure_id"])
        raise KeyError(
            f"figure {figure_id!r} is neither in figures.csv nor in supplementary_figures.csv; "
            f"known: {', '.join(known)}"
        )
    drawn_from = str(hit.iloc[0]["tables"]).split(";") if not is_missing(hit.iloc[0]["tables"]) else []
    if "key_figures" not in drawn_from:
        return []
    rule = REPORT_FIGURE_RULES.get(figure_id)
    if rule is None:
        raise ValueError(
            f"figure {figure_id!r} is drawn from key_figures but osa_utils.cite has no rule "
            "saying which key figures it shows (add one to REPORT_FIGURE_RULES)"
        )
    rows = rule(table("key_figures"))
    if not len(rows):
        raise ValueError(f"the rule for figure {figure_id!r} selects no row of key_figures.csv")
    return _ints(rows["footnote"])


# --------------------------------------------------------------------------- works
def works(data: Data = None, figure_id: str | None = None, footnote: int | None = None) -> list[dict]:
    """The distinct cited works: all of them, those figure *figure_id* rests on, or those footnote *footnote* cites.

    Each work is a dict: ``id`` (the source_id), every column of sources.csv by name
    (empty cells as ""; ``accessed`` as an ISO date; ``et_al`` a bool), ``authors`` and
    ``editors_list`` (dicts with ``family``/``given`` or ``literal``, in printed order) and
    ``footnotes`` (every footnote that cites the work, ascending). All works are in the
    order of their first citation; a footnote's works in printed order. An unknown
    footnote number is a KeyError (a footnote that cites nothing gives ``[]``). *data* is the
    :class:`osa_utils.data.DataPackage` (its tables as loaded) or a data folder (None: the collection's).
    """
    sources = _table(data, "sources")
    names = _table(data, "source_authors")
    links = _table(data, "footnote_sources").sort_values(["footnote", "position"])
    out: dict[str, dict] = {}
    # rows as dicts: iterrows builds a Series per row, ~10x slower here
    for r in sources.to_dict("records"):
        w: dict[str, Any] = {k: _text(v) for k, v in r.items()}
        w["id"] = w["source_id"]
        w["footnote"] = int(r["footnote"])
        w["et_al"] = bool(r["et_al"])
        w["accessed"] = "" if is_missing(r["accessed"]) else r["accessed"].date().isoformat()
        w["authors"], w["editors_list"], w["footnotes"] = [], [], []
        out[w["id"]] = w
    for n in names.sort_values(["source_id", "role", "position"]).to_dict("records"):
        name = (
            {"literal": str(n["literal"])}
            if not is_missing(n["literal"])
            else {k: str(n[k]) for k in ("family", "given") if not is_missing(n[k])}
        )
        out[str(n["source_id"])]["authors" if n["role"] == "author" else "editors_list"].append(name)
    order: list[str] = []
    by_note: dict[int, list[str]] = {}
    for link in links.to_dict("records"):
        sid, fn = str(link["source_id"]), int(link["footnote"])
        if fn not in out[sid]["footnotes"]:
            out[sid]["footnotes"].append(fn)
        by_note.setdefault(fn, [])
        if sid not in by_note[fn]:
            by_note[fn].append(sid)
        if sid not in order:
            order.append(sid)
    order += [sid for sid in out if sid not in order]  # (none: every source is cited; kept total)
    if footnote is not None:
        known = {int(n) for n in _table(data, "references")["footnote"]}
        if int(footnote) not in known:
            raise KeyError(f"footnote {footnote} does not exist; the report's footnotes are {min(known)}–{max(known)}")
        return [out[sid] for sid in by_note.get(int(footnote), [])]
    if figure_id is not None:
        wanted = set()
        for fn in figure_footnotes(figure_id, data):
            wanted.update(by_note.get(fn, []))
        return [out[sid] for sid in order if sid in wanted]
    return [out[sid] for sid in order]


def footnotes_without_work(data: Data = None) -> list[int]:
    """Footnotes that cite no work (explanatory notes), ascending."""
    cited = {int(n) for n in _table(data, "footnote_sources")["footnote"]}
    return sorted(int(n) for n in _table(data, "references")["footnote"] if int(n) not in cited)


# --------------------------------------------------------------------------- the report and this collection
_EMPTY_WORK = {
    "title": "",
    "title_translation": "",
    "container_title": "",
    "collection_title": "",
    "number": "",
    "genre": "",
    "version": "",
    "volume": "",
    "issue": "",
    "page": "",
    "publisher": "",
    "publisher_place": "",
    "issued": "",
    "url": "",
    "doi": "",
    "accessed": "",
    "editors": "",
    "et_al": False,
    "note": "",
    "authors": [],
    "editors_list": [],
    "footnotes": [],
}


def own_entries(data: Data = None) -> list[dict]:
    """Entries for the report itself (:data:`REPORT`) and for this collection
    (:func:`collection_entry`), shaped like :func:`works`' works."""
    return [{**_EMPTY_WORK, **REPORT}, {**_EMPTY_WORK, **collection_entry(data)}]
