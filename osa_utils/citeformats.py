"""The cited works written as BibTeX, biblatex, CSL-JSON or RIS.

* :func:`to_bibtex` (classic BibTeX: standard entry types, ``year``/``month``), :func:`to_biblatex`,
  :func:`to_csl_json`, :func:`to_ris` write works shaped as :func:`osa_utils.citeworks.works` gives them;
* :func:`csl_item` is one work as a CSL-JSON item (also what citeproc-py renders).

Pure functions of the works: nothing here reads a file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

#: How the report is named in each entry's note ("Cited in …, notes 2, 104").
SOURCE = "Rühlig (ed.) 2023"

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


def _provenance(w: dict) -> str:
    notes = w.get("footnotes") or []
    label = "note" if len(notes) == 1 else "notes"
    return f"Cited in {SOURCE}, {label} {', '.join(str(n) for n in notes)}" if notes else f"Cited in {SOURCE}"


def _note(w: dict) -> str:
    """The entry's note: its own (the report, this collection) or the footnotes that cite it, and
    the data package version it was exported from (``data_version``, set by :func:`osa_utils.cite.main`)."""
    note = w.get("export_note") or _provenance(w)
    return f"{note}; from {w['data_version']}" if w.get("data_version") else note


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
CSL_FIELDS = {
    "container_title": "container-title",
    "collection_title": "collection-title",
    "number": "number",
    "genre": "genre",
    "volume": "volume",
    "issue": "issue",
    "page": "page",
    "publisher": "publisher",
    "publisher_place": "publisher-place",
    "url": "URL",
    "doi": "DOI",
}


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
    if w.get("version"):
        item["version"] = w["version"]
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
BIBTEX_TYPES = {
    "article": "article",
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "webpage": "misc",
    "post-weblog": "misc",
    "manuscript": "unpublished",
    "legislation": "misc",
    "bill": "misc",
    "regulation": "misc",
    "document": "misc",
    "speech": "misc",
    "broadcast": "misc",
    "dataset": "misc",
}

#: CSL type -> biblatex entry type
BIBLATEX_TYPES = {
    "article": "article",
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "report",
    "webpage": "online",
    "post-weblog": "online",
    "manuscript": "unpublished",
    "legislation": "misc",
    "bill": "misc",
    "regulation": "misc",
    "document": "misc",
    "speech": "misc",
    "broadcast": "misc",
    "dataset": "dataset",
}

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
    return re.sub(r"[\\{}\s]", lambda m: f"%{ord(m.group(0)):02X}", url)


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
        f.append(
            (
                {"report": "institution", "online": "organization", "misc": "organization"}.get(kind, "publisher"),
                tex(w["publisher"]),
            )
        )
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


def _biblatex_entry_fields(w: dict) -> list[tuple[str, str]]:
    """The biblatex fields, then ``ids``: the keys this work had before a merge or rename
    (sources.csv ``old_ids``), which biber resolves as aliases of the entry's key."""
    old = w.get("old_ids") or ""
    return _biblatex_fields(w) + ([("ids", old.replace(";", ","))] if old else [])


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
    return _entries(items, lambda w: BIBLATEX_TYPES[w["type"]], _biblatex_entry_fields)


# --------------------------------------------------------------------------- RIS
#: CSL type -> RIS reference type
RIS_TYPES = {
    "article": "GEN",
    "article-journal": "JOUR",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "book": "BOOK",
    "chapter": "CHAP",
    "paper-conference": "CPAPER",
    "report": "RPRT",
    "webpage": "ELEC",
    "post-weblog": "BLOG",
    "manuscript": "UNPB",
    "legislation": "STAT",
    "bill": "BILL",
    "regulation": "STAT",
    "document": "GOVDOC",
    "speech": "GEN",
    "broadcast": "VIDEO",
    "dataset": "DATA",
}


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
        for tag, col in (
            ("TI", "title"),
            ("TT", "title_translation"),
            ("T2", "container_title"),
            ("T3", "collection_title"),
            ("M1", "number"),
            ("M3", "genre"),
            ("VL", "volume"),
            ("IS", "issue"),
        ):
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
