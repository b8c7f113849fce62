"""Export the report's footnotes (``references.csv``) as BibTeX or CSL-JSON.

One entry per footnote, keyed ``fn001`` … ``fn270``. The printed footnote text is
exported as it stands (``note`` in BibTeX, ``title`` in both formats): authors,
titles and years are *not* parsed out of it, since the free-text footnotes give
no reliable structure and parsing would invent some. Only the columns the data
package derives (``url``, ``accessed``, ``see_note``) become fields of their own.

Back-references. A footnote such as "European Commission (note 9)." has
``see_note`` set. It stays an entry of its own (so every footnote number can be
cited) but points to the cited note's entry instead of repeating it: BibTeX
``xref = {fn009}`` (biblatex's cross-reference *without* field inheritance, so
nothing of note 9 is copied into it) and "see note 9" in the ``addendum``; CSL
``note`` "…; see note 9". Footnotes that add material of their own and also
cite an earlier note ("…; Working Group … (note 122).") point the same way;
:func:`entries` tells the two apart with ``backref_only``.

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

import json
import re
from typing import Callable, Iterable

#: How an entry's provenance is named (BibTeX ``addendum``, CSL ``note``).
SOURCE = "Rühlig (ed.) 2023"

#: A back-reference as printed in a footnote: "(note 56)".
BACKREF = re.compile(r"\(note (\d+)\)")
#: A footnote that is *only* a back-reference: "Author (note 56)." (one reference, nothing else).
BACKREF_ONLY = re.compile(r"[^;<>()]*\(note \d+\)\.?")

#: BibTeX/LaTeX escapes of the characters that are special in a braced field value.
#: Braces become \textbraceleft{}/\textbraceright{} (not \{ \}) because BibTeX counts
#: braces without regard to backslashes: an unbalanced brace in a footnote would
#: otherwise end the field early. Every replacement is balanced and self-delimiting.
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

FORMATS = ("bibtex", "csl-json")


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


def figure_footnotes(figure_id: str, data_dir=None) -> list[int]:
    """Footnotes (sorted, unique) that figure *figure_id* rests on; KeyError for an unknown id.

    Raises ValueError when a report figure is drawn from key_figures but has no
    rule in :data:`REPORT_FIGURE_RULES`, or its rule selects no row: the data
    changed and the mapping needs a look, rather than a silent empty list.
    """
    from .data import load_table

    figure_id = str(figure_id)
    sup = load_table("supplementary_figures", data_dir)
    hit = sup[sup["figure_id"] == figure_id]
    if len(hit):
        raw = hit.iloc[0]["key_figure_ids"]
        if _isna(raw) or not str(raw).strip():
            return []  # cross-chapter views (x9.N) draw on other tables and show no key figures
        kf = load_table("key_figures", data_dir).set_index("key_figure_id")
        ids = str(raw).split(";")
        missing = [i for i in ids if i not in kf.index]
        if missing:
            raise ValueError(f"figure {figure_id!r} lists key figures not in key_figures.csv: {missing}")
        return _ints(kf.loc[ids, "footnote"])
    figs = load_table("figures", data_dir)
    hit = figs[figs["figure_id"] == figure_id]
    if not len(hit):
        known = sorted(figs["figure_id"]) + sorted(sup["figure_id"])
        raise KeyError(f"figure {figure_id!r} is neither in figures.csv nor in supplementary_figures.csv; "
                       f"known: {', '.join(known)}")
    tables = str(hit.iloc[0]["tables"]).split(";") if not _isna(hit.iloc[0]["tables"]) else []
    if "key_figures" not in tables:
        return []
    rule = REPORT_FIGURE_RULES.get(figure_id)
    if rule is None:
        raise ValueError(f"figure {figure_id!r} is drawn from key_figures but osa_utils.cite has no rule "
                         "saying which key figures it shows (add one to REPORT_FIGURE_RULES)")
    rows = rule(load_table("key_figures", data_dir))
    if not len(rows):
        raise ValueError(f"the rule for figure {figure_id!r} selects no row of key_figures.csv")
    return _ints(rows["footnote"])


def _isna(value) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


# --------------------------------------------------------------------------- entries
def entries(data_dir=None, figure_id: str | None = None) -> list[dict]:
    """One dict per footnote, in footnote order: all 270, or those of *figure_id*.

    Keys: ``id`` ("fn042"), ``footnote``, ``chapter``, ``citation`` (as printed),
    ``url`` and ``accessed`` (ISO date) or None, ``see_note`` (the data's column)
    or None, ``see_notes`` (every existing note the footnote refers back to,
    ``see_note`` first), ``backref_only`` (the footnote is nothing but such a
    back-reference) and ``remark`` (references.csv's note column) or None.

    For a figure, the notes its footnotes refer back to are included too (and
    theirs, and so on), so that every ``xref`` of the export resolves.
    """
    from .data import load_table

    refs = load_table("references", data_dir)
    known = {int(n) for n in refs["footnote"]}
    out = {}
    for _, r in refs.iterrows():
        n = int(r["footnote"])
        citation = str(r["citation"])
        see = None if _isna(r["see_note"]) else int(r["see_note"])
        others = [int(m) for m in BACKREF.findall(citation)]
        see_notes = list(dict.fromkeys(([see] if see is not None else [])
                                       + [m for m in others if m in known and m != n]))
        out[n] = {
            "id": key(n),
            "footnote": n,
            "chapter": int(r["chapter"]),
            "citation": citation,
            "url": None if _isna(r["url"]) else str(r["url"]),
            "accessed": None if _isna(r["accessed"]) else r["accessed"].date().isoformat(),
            "see_note": see,
            "see_notes": see_notes,
            "backref_only": see is not None and BACKREF_ONLY.fullmatch(citation.strip()) is not None,
            "remark": None if _isna(r["note"]) else str(r["note"]),
        }
    if figure_id is None:
        return [out[n] for n in sorted(out)]
    wanted, todo = set(), list(figure_footnotes(figure_id, data_dir))
    while todo:
        n = todo.pop()
        if n in wanted or n not in out:
            continue
        wanted.add(n)
        todo.extend(out[n]["see_notes"])
    return [out[n] for n in sorted(wanted)]


def key(footnote: int) -> str:
    """Citation key of a footnote: 42 -> 'fn042'."""
    return f"fn{int(footnote):03d}"


def provenance(entry: dict) -> str:
    """'Footnote 42 of Rühlig (ed.) 2023, chapter 2'."""
    return f"Footnote {entry['footnote']} of {SOURCE}, chapter {entry['chapter']}"


def _pointers(entry: dict) -> str:
    return "; ".join(f"see note {n}" for n in entry.get("see_notes") or [])


# --------------------------------------------------------------------------- BibTeX
def escape_bibtex(text: str) -> str:
    """*text* with every BibTeX/LaTeX special character escaped (see :data:`BIBTEX_ESCAPES`)."""
    return _BIBTEX_SPECIAL.sub(lambda m: BIBTEX_ESCAPES[m.group(0)], text)


def escape_url(url: str) -> str:
    r"""*url* for ``\url{…}`` inside a BibTeX field: ``%`` and ``#`` escaped (as needed when
    ``\url`` sits in another command's argument, as in biblatex's .bbl); a backslash, brace or
    whitespace, which no valid URL holds, is percent-encoded."""
    url = re.sub(r"[\\{}\s]", lambda m: "%{:02X}".format(ord(m.group(0))), url)
    return url.replace("%", r"\%").replace("#", r"\#")


def to_bibtex(entries: Iterable[dict]) -> str:
    """``@misc`` entries, one per footnote, UTF-8 text (Unicode kept, specials escaped)."""
    blocks = []
    for e in entries:
        fields = [("title", "{" + escape_bibtex(e["citation"]) + "}"),  # inner braces: keep case
                  ("note", escape_bibtex(e["citation"]))]
        if e.get("url"):
            fields.append(("howpublished", r"\url{" + escape_url(e["url"]) + "}"))
        if e.get("accessed"):
            fields.append(("urldate", e["accessed"]))
        if e.get("see_notes"):
            fields.append(("xref", key(e["see_notes"][0])))
        addendum = provenance(e) + (f"; {_pointers(e)}" if e.get("see_notes") else "")
        fields.append(("addendum", escape_bibtex(addendum)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        blocks.append(f"@misc{{{e['id']},\n{body}\n}}\n")
    return "\n".join(blocks)


# --------------------------------------------------------------------------- CSL-JSON
def csl_item(entry: dict) -> dict:
    """One CSL-JSON item (type 'document'; the printed footnote as title)."""
    item = {"id": entry["id"], "type": "document", "title": entry["citation"]}
    if entry.get("url"):
        item["URL"] = entry["url"]
    if entry.get("accessed"):
        y, m, d = (int(p) for p in entry["accessed"].split("-"))
        item["accessed"] = {"date-parts": [[y, m, d]]}
    item["note"] = provenance(entry) + (f"; {_pointers(entry)}" if entry.get("see_notes") else "")
    return item


def to_csl_json(entries: Iterable[dict]) -> str:
    """A JSON array of CSL-JSON items, in the order given, keys sorted, UTF-8 (not \\u-escaped)."""
    return json.dumps([csl_item(e) for e in entries], ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --------------------------------------------------------------------------- entry point
def main(fmt: str = "bibtex", figure_id: str | None = None, data_dir=None) -> str:
    """The footnotes (all, or *figure_id*'s) as *fmt*: 'bibtex' or 'csl-json' ('csl', 'json' too)."""
    name = {"bib": "bibtex", "csl": "csl-json", "json": "csl-json", "csljson": "csl-json"}.get(fmt, fmt)
    if name not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    items = entries(data_dir, figure_id=figure_id)
    return to_bibtex(items) if name == "bibtex" else to_csl_json(items)
