"""osa_utils.cite: the cited works exported as BibTeX, biblatex, CSL-JSON and RIS, read back with real clients.

Expectations are computed from sources.csv, source_authors.csv and footnote_sources.csv (read with
the csv module) and from the CSL 1.0.2 specification, never copied from the module's own output.
BibTeX and biblatex are read back with bibtexparser 1.x, CSL-JSON rendered with citeproc-py; the
imports with pandoc, rispy and bibtexparser's default settings are in test_cite_clients.py.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import bibtexparser  # test-only dependency, pinned 1.4.4: a missing pin fails loudly, not as a skip
import pytest
from bibtexparser.bparser import BibTexParser
from conftest import csv_records

from osa_utils import cite, citerender

# --------------------------------------------------------------------------- CSL 1.0.2
# From the CSL 1.0.2 specification, Appendix III (Types) and Appendix IV (Variables).
CSL_TYPES = {
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "bill",
    "book",
    "broadcast",
    "chapter",
    "classic",
    "collection",
    "dataset",
    "document",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "event",
    "figure",
    "graphic",
    "hearing",
    "interview",
    "legal_case",
    "legislation",
    "manuscript",
    "map",
    "motion_picture",
    "musical_score",
    "pamphlet",
    "paper-conference",
    "patent",
    "performance",
    "periodical",
    "personal_communication",
    "post",
    "post-weblog",
    "regulation",
    "report",
    "review",
    "review-book",
    "software",
    "song",
    "speech",
    "standard",
    "thesis",
    "treaty",
    "webpage",
}
CSL_STANDARD = {
    "abstract",
    "annote",
    "archive",
    "archive_collection",
    "archive_location",
    "archive-place",
    "authority",
    "call-number",
    "citation-key",
    "citation-label",
    "collection-title",
    "container-title",
    "container-title-short",
    "dimensions",
    "division",
    "DOI",
    "event",
    "event-title",
    "event-place",
    "genre",
    "ISBN",
    "ISSN",
    "jurisdiction",
    "keyword",
    "language",
    "license",
    "medium",
    "note",
    "original-publisher",
    "original-publisher-place",
    "original-title",
    "part-title",
    "PMCID",
    "PMID",
    "publisher",
    "publisher-place",
    "references",
    "reviewed-genre",
    "reviewed-title",
    "scale",
    "source",
    "status",
    "title",
    "title-short",
    "URL",
    "volume-title",
    "year-suffix",
}
CSL_NUMBER = {
    "chapter-number",
    "citation-number",
    "collection-number",
    "edition",
    "first-reference-note-number",
    "issue",
    "locator",
    "number",
    "number-of-pages",
    "number-of-volumes",
    "page",
    "page-first",
    "part-number",
    "printing-number",
    "section",
    "supplement-number",
    "version",
    "volume",
}
CSL_DATE = {"accessed", "available-date", "event-date", "issued", "original-date", "submitted"}
CSL_NAME = {
    "author",
    "chair",
    "collection-editor",
    "compiler",
    "composer",
    "container-author",
    "contributor",
    "curator",
    "director",
    "editor",
    "editorial-director",
    "editor-translator",
    "executive-producer",
    "guest",
    "host",
    "illustrator",
    "interviewer",
    "narrator",
    "organizer",
    "original-author",
    "performer",
    "producer",
    "recipient",
    "reviewed-author",
    "script-writer",
    "series-creator",
    "translator",
}
CSL_NAME_PARTS = {
    "family",
    "given",
    "dropping-particle",
    "non-dropping-particle",
    "suffix",
    "comma-suffix",
    "static-ordering",
    "literal",
    "parse-names",
}
CSL_DATE_PARTS = {"date-parts", "season", "circa", "literal", "raw"}

RIS_TYPES = {
    "ABST",
    "ADVS",
    "AGGR",
    "ANCIENT",
    "ART",
    "BILL",
    "BLOG",
    "BOOK",
    "CASE",
    "CHAP",
    "CHART",
    "CLSWK",
    "COMP",
    "CONF",
    "CPAPER",
    "CTLG",
    "DATA",
    "DBASE",
    "DICT",
    "EBOOK",
    "ECHAP",
    "EDBOOK",
    "EJOUR",
    "ELEC",
    "ENCYC",
    "EQUA",
    "FIGURE",
    "GEN",
    "GOVDOC",
    "GRANT",
    "HEAR",
    "ICOMM",
    "INPR",
    "JFULL",
    "JOUR",
    "LEGAL",
    "MANSCPT",
    "MAP",
    "MGZN",
    "MPCT",
    "MULTI",
    "MUSIC",
    "NEWS",
    "PAMP",
    "PAT",
    "PCOMM",
    "RPRT",
    "SER",
    "SLIDE",
    "SOUND",
    "STAND",
    "STAT",
    "THES",
    "UNPB",
    "VIDEO",
}


# --------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def names(data_dir):
    out: dict[tuple[str, str], list[dict]] = {}
    for r in sorted(csv_records(data_dir, "source_authors"), key=lambda r: int(r["position"])):
        out.setdefault((r["source_id"], r["role"]), []).append(r)
    return out


@pytest.fixture(scope="module")
def cited_by(data_dir):
    out: dict[str, set[int]] = {}
    for r in csv_records(data_dir, "footnote_sources"):
        out.setdefault(r["source_id"], set()).add(int(r["footnote"]))
    return out


@pytest.fixture(scope="module")
def key_figures(data_dir):
    return csv_records(data_dir, "key_figures")


#: The entries every whole export adds to the works of sources.csv: the report itself, this collection.
OWN_IDS = {"ruhlig2023europes", "osareport2026collection"}


@pytest.fixture(scope="module")
def bibtex(data_dir):
    return cite.main("bibtex", data_dir=data_dir)


@pytest.fixture(scope="module")
def biblatex(data_dir):
    return cite.main("biblatex", data_dir=data_dir)


@pytest.fixture(scope="module")
def classic_entries(bibtex):
    """The BibTeX export as bibtexparser reads it with its default settings (parsed once: it is slow)."""
    return parse_classic(bibtex)


@pytest.fixture(scope="module")
def biblatex_entries(biblatex):
    return parse_bibtex(biblatex)


@pytest.fixture(scope="module")
def csl(data_dir):
    return json.loads(cite.main("csl-json", data_dir=data_dir))


def parse_bibtex(text: str) -> dict[str, dict]:
    """biblatex as bibtexparser 1.x reads it when told to keep non-standard types."""
    parser = BibTexParser(common_strings=False, ignore_nonstandard_types=False, interpolate_strings=False)
    db = bibtexparser.loads(text, parser=parser)
    return {e["ID"]: e for e in db.entries}


def parse_classic(text: str) -> dict[str, dict]:
    """BibTeX as bibtexparser 1.x reads it with its default settings (standard types only, month macros expanded)."""
    return {e["ID"]: e for e in bibtexparser.loads(text).entries}


# Undo the escaping independently of the module: one left-to-right pass, so '\textbackslash{}%'
# cannot be misread as an escaped '%'; LaTeX quotes (``x'' and `x') back to the straight ones printed.
_UNESCAPE = {
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciitilde": "~",
    "textasciicircum": "^",
}
_ESCAPED = re.compile(
    r"\\(textbackslash|textbraceleft|textbraceright|textasciitilde|textasciicircum)\{\}"
    r"|\\([%&#_$])|(``|''|`)"
)


def unescape(value: str) -> str:
    def one(m):
        if m.group(1):
            return _UNESCAPE[m.group(1)]
        if m.group(2):
            return m.group(2)
        return "'" if m.group(3) == "`" else '"'

    return _ESCAPED.sub(one, value)


def unbrace(value: str) -> str:
    """A field braced whole ('{Belfer Center … and …}') as its text."""
    assert value.startswith("{") and value.endswith("}"), value
    return value[1:-1]


def brace_depths_ok(text: str) -> bool:
    """BibTeX's own view: braces counted regardless of backslashes, never below zero, balanced."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def unescaped_specials(value: str) -> list[str]:
    rest = _ESCAPED.sub("", value)
    return [c for c in rest if c in "\\%&#_$~^"]


def bib_names(value: str) -> list[str]:
    """'{Hung}, Ho-fung and {Org}' -> ['Hung, Ho-fung', 'Org'] (protecting braces dropped, escapes undone)."""
    out, parts, depth, start = [], [], 0, 0
    for i, ch in enumerate(value):  # split at " and " outside braces, as BibTeX does
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0 and value.startswith(" and ", i):
            parts.append(value[start:i])
            start = i + 5
    parts.append(value[start:])
    for n in parts:
        m = re.fullmatch(r"\{(.*)\}(?:, (.*))?", n)
        if m:
            out.append(unescape(m.group(1)) + (f", {unescape(m.group(2))}" if m.group(2) else ""))
        else:
            out.append(unescape(n))
    return out


def expected_names(names, sid, role):
    out = []
    for r in names.get((sid, role), []):
        out.append(r["literal"] or (f"{r['family']}, {r['given']}" if r["given"] else r["family"]))
    return out


def _all_strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _all_strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _all_strings(v)


# --------------------------------------------------------------------------- CSL-JSON
def test_csl_json_has_one_item_per_work(csl, sources):
    assert [i["id"] for i in csl].count(csl[0]["id"]) == 1
    assert sorted(i["id"] for i in csl) == sorted([*sources, *OWN_IDS])
    assert len(csl) == len(sources) + len(OWN_IDS)


def test_csl_json_uses_only_csl_1_0_2_types_and_variables(csl):
    for item in csl:
        assert item["type"] in CSL_TYPES, item["id"]
        for key, value in item.items():
            if key in ("id", "type"):
                continue
            assert key in CSL_STANDARD | CSL_NUMBER | CSL_DATE | CSL_NAME, (item["id"], key)
            if key in CSL_NAME:
                assert isinstance(value, list) and value
                for name in value:
                    assert set(name) <= CSL_NAME_PARTS, (item["id"], name)
                    assert ("literal" in name) != ("family" in name), (item["id"], name)
            elif key in CSL_DATE:
                assert set(value) <= CSL_DATE_PARTS and len(value["date-parts"]) == 1
                assert all(isinstance(p, int) for p in value["date-parts"][0])
            else:
                assert isinstance(value, str) and value, (item["id"], key)


def test_csl_json_fields_equal_the_data(csl, sources, names, cited_by):
    for item in (i for i in csl if i["id"] not in OWN_IDS):
        s = sources[item["id"]]
        assert item["type"] == s["type"]
        title = s["title"] + (f" [{s['title_translation']}]" if s["title_translation"] else "")
        assert item.get("title", "") == title.strip()
        for col, var in (
            ("container_title", "container-title"),
            ("publisher", "publisher"),
            ("page", "page"),
            ("publisher_place", "publisher-place"),
            ("url", "URL"),
            ("doi", "DOI"),
            ("volume", "volume"),
            ("issue", "issue"),
            ("number", "number"),
            ("genre", "genre"),
            ("collection_title", "collection-title"),
        ):
            assert item.get(var, "") == s[col], (item["id"], var)
        for col in ("issued", "accessed"):
            if s[col]:
                assert item[col] == {"date-parts": [[int(p) for p in s[col].split("-")]]}
            else:
                assert col not in item
        for role, var in (("author", "author"), ("editor", "editor")):
            got = [
                n.get("literal") or (f"{n['family']}, {n['given']}" if n.get("given") else n["family"])
                for n in item.get(var, [])
            ]
            assert got == expected_names(names, item["id"], role), (item["id"], role)
        notes = sorted(cited_by[item["id"]])
        assert item["note"].startswith("Cited in Rühlig (ed.) 2023, note")
        assert re.findall(r"\d+", item["note"].split(";")[0].replace("2023", "")) == [str(n) for n in notes]


def test_no_markdown_in_any_exported_field(csl, bibtex, biblatex, data_dir):
    for item in csl:
        for text in _all_strings(item):
            assert "*" not in text and "<http" not in text and "](" not in text, (item["id"], text)
    ris = cite.main("ris", data_dir=data_dir)
    assert "*" not in bibtex and "*" not in biblatex and "*" not in ris


def test_every_exported_note_names_the_data_package_version(data_dir, project_root):
    """Every entry of every format says which version of the data package it was exported from."""
    package = json.loads((project_root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    words = f"data package {package['name']} {package['version']}"
    for item in json.loads(cite.main("csl-json", data_dir=data_dir)):
        assert words in item["note"], item["id"]
    for fmt, tag in (("bibtex", "note = "), ("biblatex", "addendum = "), ("ris", "N1  - ")):
        text = cite.main(fmt, data_dir=data_dir)
        notes = [line for line in text.splitlines() if line.strip().startswith(tag)]
        assert notes and all(words in n for n in notes), fmt


def test_csl_json_is_deterministic(data_dir):
    a = cite.main("csl-json", data_dir=data_dir)
    assert a == cite.main("csl-json", data_dir=data_dir)
    assert a == json.dumps(json.loads(a), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert "Rühlig" in a  # not \u-escaped


def test_a_merged_work_lists_every_footnote_citing_it(csl):
    by_id = {i["id"]: i for i in csl}
    data = f"; from {cite.data_version()}"
    assert by_id["milmo2022tiktok"]["note"] == "Cited in Rühlig (ed.) 2023, notes 265, 267" + data
    assert by_id["brunnermeier2022digital"]["note"] == "Cited in Rühlig (ed.) 2023, notes 146, 150" + data
    assert by_id["abrami2014why"]["note"] == "Cited in Rühlig (ed.) 2023, notes 2, 104" + data
    assert by_id["allison2021great"]["note"].endswith("; author list printed with 'et al.'")


# --------------------------------------------------------------------------- BibTeX (classic) and biblatex
#: BibTeX's standard entry types (those of its standard styles), from the BibTeX documentation
#: (Patashnik, "BibTeXing", 1988): the only ones bibtexparser 1.x keeps with its default settings.
BIBTEX_STANDARD_TYPES = {
    "article",
    "book",
    "booklet",
    "conference",
    "inbook",
    "incollection",
    "inproceedings",
    "manual",
    "mastersthesis",
    "misc",
    "phdthesis",
    "proceedings",
    "techreport",
    "unpublished",
}
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def test_data_holds_no_latex_quote_marks(sources):
    """unescape() maps `` '' ` back to straight quotes: valid only while the data has none of them."""
    for sid, s in sources.items():
        for col, value in s.items():
            assert "`" not in value and "''" not in value, (sid, col)


@pytest.mark.xdist_group("cite_bibtex")  # the parsed exports are made once, on one worker
def test_bibtex_parses_with_one_entry_per_work(bibtex, biblatex, classic_entries, biblatex_entries, sources):
    for text, parsed in ((bibtex, classic_entries), (biblatex, biblatex_entries)):
        assert sorted(parsed) == sorted([*sources, *OWN_IDS])
        assert brace_depths_ok(text)
        for block in text.split("\n@"):
            assert brace_depths_ok(block if block.startswith("@") else "@" + block)
    assert {e["ENTRYTYPE"] for e in classic_entries.values()} <= BIBTEX_STANDARD_TYPES
    assert {e["ENTRYTYPE"] for e in biblatex_entries.values()} <= {
        "article",
        "book",
        "incollection",
        "inproceedings",
        "report",
        "online",
        "unpublished",
        "misc",
        "dataset",
    }


def _check_common(e, s, names, sid):
    """Fields written alike in BibTeX and biblatex: names (with 'others'), url and doi as printed."""
    authors = expected_names(names, sid, "author")
    if authors:
        assert bib_names(e["author"]) == authors + (["others"] if s["et_al"] == "true" else []), sid
    else:
        assert "author" not in e, sid
    editors = expected_names(names, sid, "editor")
    if editors:
        assert bib_names(e["editor"]) == editors, sid
    for col in ("url", "doi"):
        if s[col]:
            assert e[col] == s[col], (sid, col)  # the same string: no \\%, nothing to undo
        else:
            assert col not in e, (sid, col)
    if s["page"]:
        assert e["pages"] == s["page"].replace("–", "--")
    if s["accessed"]:
        assert e["urldate"] == s["accessed"]


@pytest.mark.xdist_group("cite_bibtex")
def test_bibtex_fields_round_trip_to_the_data(classic_entries, sources, names):
    parsed = classic_entries
    for sid, s in sources.items():
        e = parsed[sid]
        _check_common(e, s, names, sid)
        title = (s["title"] + (f" [{s['title_translation']}]" if s["title_translation"] else "")).strip()
        if title:
            assert unescape(unbrace(e["title"])) == title, sid
            assert not unescaped_specials(e["title"]), sid
        if s["issued"]:
            parts = s["issued"].split("-")
            assert e["year"] == parts[0], sid
            # bibtexparser expands the month macro (jan…) to the month's name
            assert e.get("month") == (MONTH_NAMES[int(parts[1]) - 1] if len(parts) > 1 else None), sid
        else:
            assert "year" not in e and "month" not in e, sid
        if s["type"].startswith("article"):
            assert e["ENTRYTYPE"] == "article", sid
            if s["container_title"]:
                assert unescape(unbrace(e["journal"])) == s["container_title"], sid
        if s["type"] in ("chapter", "paper-conference"):
            assert unescape(unbrace(e["booktitle"])) == s["container_title"], sid
        if s["type"] == "report":
            assert e["ENTRYTYPE"] == "techreport", sid
            if s["publisher"]:
                assert unescape(unbrace(e["institution"])) == s["publisher"], sid
        if s["type"] in ("book", "chapter") and s["publisher"]:
            assert unescape(unbrace(e["publisher"])) == s["publisher"], sid
        if s["publisher_place"]:
            assert unescape(unbrace(e["address"])) == s["publisher_place"], sid
        assert e["note"].startswith("Cited in Rühlig (ed.) 2023, note"), sid


@pytest.mark.xdist_group("cite_bibtex")
def test_biblatex_fields_round_trip_to_the_data(biblatex_entries, sources, names):
    parsed = biblatex_entries
    for sid, s in sources.items():
        e = parsed[sid]
        _check_common(e, s, names, sid)
        if s["title"]:
            assert e["title"].startswith("{") and e["title"].endswith("}")
            assert unescape(e["title"][1:-1]) == s["title"], sid
            assert not unescaped_specials(e["title"]), sid
        if s["issued"]:
            assert e["date"] == s["issued"]
        else:
            assert "date" not in e
        if s["type"] in ("article-journal", "article-magazine", "article-newspaper") and s["container_title"]:
            assert unescape(unbrace(e["journaltitle"])) == s["container_title"], sid
        if s["type"] in ("chapter", "paper-conference"):
            assert unescape(unbrace(e["booktitle"])) == s["container_title"], sid
        if s["type"] == "report" and s["publisher"]:
            assert unescape(unbrace(e["institution"])) == s["publisher"], sid
        if s["publisher_place"]:
            assert unescape(unbrace(e["location"])) == s["publisher_place"], sid


@pytest.mark.xdist_group("cite_bibtex")
def test_organisations_with_and_are_braced_whole(classic_entries, biblatex_entries, sources):
    """biblatex, biber and pandoc read publisher, institution, organization and location as lists
    split at ' and ': 'Belfer Center for Science and International Relations' must be one name."""
    with_and = {
        (sid, s[col]) for sid, s in sources.items() for col in ("publisher", "container_title") if " and " in s[col]
    }
    assert len(with_and) >= 5, with_and  # the data has them: keep the test meaningful
    for parsed in (classic_entries, biblatex_entries):
        for field in ("publisher", "institution", "organization", "location", "address"):
            for e in parsed.values():
                if field in e:
                    assert brace_depths_ok(e[field]) and e[field].startswith("{") and e[field].endswith("}"), (
                        e["ID"],
                        field,
                        e[field],
                    )
                    inner = e[field][1:-1]
                    assert brace_depths_ok(inner), (e["ID"], field)  # braced as one group, not '{a} and {b}'


@pytest.mark.xdist_group("cite_bibtex")
def test_bibtex_special_characters_are_escaped(bibtex, biblatex, classic_entries, biblatex_entries, sources):
    found = {ch: sid for sid, s in sorted(sources.items()) for ch in "&%$#_" if ch in s["title"] + s["container_title"]}
    assert {"&", "%", "$"} <= set(found), found  # the data has them; keep the test meaningful
    for text, parsed, fields in (
        (bibtex, classic_entries, ("title", "journal", "booktitle")),
        (biblatex, biblatex_entries, ("title", "journaltitle", "booktitle")),
    ):
        for ch, sid in found.items():
            e = parsed[sid]
            for field in fields:
                if field in e:
                    assert not unescaped_specials(e[field]), (ch, sid, field)
        assert r"Policy \& Internet" in text  # footnote 117's journal


@pytest.mark.xdist_group("cite_bibtex")
def test_opening_quotes_are_latex_quotes(classic_entries, biblatex_entries, sources):
    """A straight ' opening a quotation is a right quote in LaTeX and pandoc ('’emerging’'): written `."""
    opening = {sid: s["title"] for sid, s in sources.items() if re.search(r"(^|\s)'\w", s["title"])}
    assert "torres2022bis" in opening
    for parsed in (classic_entries, biblatex_entries):
        for sid, title in opening.items():
            value = parsed[sid]["title"]
            assert not re.search(r"(^\{|\s)'\w", value), (sid, value)
            assert unescape(unbrace(value)).startswith(title), sid
        assert "`emerging and foundational technologies'" in parsed["torres2022bis"]["title"]
        assert '"' not in "".join(parsed["kleinhans2022false"]["title"]), parsed["kleinhans2022false"]["title"]


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_constructed_entry_with_every_special_character_round_trips(fmt):
    text = r"A {b} }unbalanced{ 100% & R#D a_b $5 back\slash ~tilde^caret “Ünïcødé” — 中文" + " 'q' \"dq\""
    url = "https://example.org/a_b%20c?x=1&y=2#frag~z"
    w = {
        "id": "test1999x",
        "type": "report",
        "title": text,
        "title_translation": "",
        "container_title": "",
        "collection_title": "",
        "number": "",
        "genre": "",
        "volume": "",
        "issue": "",
        "page": "",
        "publisher": "P & Q",
        "publisher_place": "",
        "issued": "1999-12",
        "url": url,
        "doi": "10.1000/a_b%c#d",
        "accessed": "2022-12-16",
        "editors": "",
        "et_al": True,
        "note": "",
        "footnotes": [5, 9],
        "authors": [{"family": "Hung", "given": "Ho-fung"}, {"literal": "A & B {Group}"}],
        "editors_list": [],
    }
    out = cite.to_bibtex([w]) if fmt == "bibtex" else cite.to_biblatex([w])
    assert brace_depths_ok(out)
    e = (parse_classic if fmt == "bibtex" else parse_bibtex)(out)["test1999x"]
    assert e["ENTRYTYPE"] == ("techreport" if fmt == "bibtex" else "report")
    assert unescape(e["title"][1:-1]) == text
    assert e["url"] == url and e["doi"] == "10.1000/a_b%c#d"
    if fmt == "bibtex":
        assert e["year"] == "1999" and e["month"] == "December"
    else:
        assert e["date"] == "1999-12"
    assert e["urldate"] == "2022-12-16"
    assert bib_names(e["author"]) == ["Hung, Ho-fung", "A & B {Group}", "others"]
    assert unescape(unbrace(e["institution"])) == "P & Q"


def test_url_that_would_break_the_entry_is_percent_encoded():
    w = dict(cite.own_entries()[1], url="https://example.org/a b{c}\\d")
    for out in (cite.to_bibtex([w]), cite.to_biblatex([w])):
        assert brace_depths_ok(out)
        assert parse_bibtex(out)[w["id"]]["url"] == "https://example.org/a%20b%7Bc%7D%5Cd"


# --------------------------------------------------------------------------- RIS
def parse_ris(text: str) -> list[list[tuple[str, str]]]:
    records, current = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = re.fullmatch(r"([A-Z][A-Z0-9])  - ?(.*)", line)
        assert m, line
        current.append((m.group(1), m.group(2)))
        if m.group(1) == "ER":
            records.append(current)
            current = []
    assert not current, "a record without ER"
    return records


def test_ris_has_one_record_per_work(data_dir, sources, names):
    records = parse_ris(cite.main("ris", data_dir=data_dir))
    assert len(records) == len(sources) + len(OWN_IDS)
    assert {dict(rec)["ID"] for rec in records} == {*sources, *OWN_IDS}
    for rec in records:
        assert rec[0][0] == "TY" and rec[0][1] in RIS_TYPES
        tags = dict(rec)
        sid = tags["ID"]
        if sid in OWN_IDS:
            continue
        s = sources[sid]
        assert tags.get("TI", "") == s["title"]
        assert [v for t, v in rec if t == "AU"] == expected_names(names, sid, "author")
        assert [v for t, v in rec if t == "A2"] == expected_names(names, sid, "editor")
        if s["issued"]:
            assert tags["PY"] == s["issued"][:4]
            assert tags["DA"].startswith(s["issued"].replace("-", "/"))
        if s["url"]:
            assert tags["UR"] == s["url"]
        if s["accessed"]:
            assert tags["Y2"] == s["accessed"].replace("-", "/") + "/"
        if s["title_translation"]:
            assert tags["TT"] == s["title_translation"]


# --------------------------------------------------------------------------- --footnote
def test_footnote_exports_its_works_in_printed_order(data_dir):
    assert [w["id"] for w in cite.works(data_dir, footnote=146)] == ["tran2021digital", "brunnermeier2022digital"]
    assert [w["id"] for w in cite.works(data_dir, footnote=267)] == ["milmo2022tiktok"]  # "Milmo (note 265)"
    items = json.loads(cite.main("csl-json", data_dir=data_dir, footnote=139))
    assert [i["id"] for i in items] == ["bilotta2021international", "bansal2021china", "heath2022watch"]
    assert set(parse_bibtex(cite.main("bibtex", data_dir=data_dir, footnote=63))) == {
        "nokiandwhite",
        "ericssonnd6g",
        "samsungndnext",
        "huaweind6g",
    }


def test_footnote_citing_no_work_exports_nothing(data_dir):
    assert cite.works(data_dir, footnote=167) == []
    assert cite.main("bibtex", data_dir=data_dir, footnote=1) == ""
    assert cite.main("ris", data_dir=data_dir, footnote=1) == ""
    assert json.loads(cite.main("csl-json", data_dir=data_dir, footnote=1)) == []
    with pytest.raises(KeyError):
        cite.works(data_dir, footnote=271)


def test_cli_footnote_citing_no_work_prints_nothing_and_exits_0():
    cli = [sys.executable, "-m", "osa_utils.cli", "cite"]
    out = subprocess.run(cli + ["--footnote", "167"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout == "", out.stderr
    out = subprocess.run(cli + ["--footnote", "265", "--format", "ris"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "AU  - Milmo, Dan" in out.stdout
    out = subprocess.run(cli + ["--footnote", "999"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 2 and "999" in out.stderr and "Traceback" not in out.stderr


def test_unknown_format_raises(data_dir):
    with pytest.raises(ValueError):
        cite.main("endnote-xml", data_dir=data_dir)


# --------------------------------------------------------------------------- citeproc-py
@pytest.fixture(scope="module")
def rendered():
    import warnings

    items = cite.works()
    out = {}
    for style in ("chicago", "apa"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an unsupported variable or style element fails the test
            out[style] = dict(cite.render(items, style))
    return out


def test_citeproc_renders_every_work_in_apa_and_chicago(rendered, sources):
    for style, entries in rendered.items():
        assert sorted(entries) == sorted(sources), style
        assert all(html.strip() for html in entries.values()), style


def test_no_n_d_where_the_footnote_prints_a_date(rendered, sources):
    for style, entries in rendered.items():
        for sid, html in entries.items():
            if sources[sid]["issued"]:
                assert "n.d." not in html, (style, sid, html)
    # footnotes 188 and 260 print "no date" and "[n.d.]": no invented date either
    assert "n.d." in rendered["apa"]["metzndaudi"] and "n.d." in rendered["apa"]["yangndtiktok"]


def test_chicago_names_are_rendered_whole(rendered):
    chicago = rendered["chicago"]
    assert chicago["hung2015china"].startswith("Hung, Ho-fung.")
    assert chicago["abrami2014why"].startswith("Abrami, Regina M., William C. Kirby, and F. Warren McFarlan.")
    assert chicago["zhou2020understanding"].startswith("Zhou, Xiaochuan.")
    assert chicago["fischione2022ai"].startswith("Fischione, Carlo, Sanne van der Lugt, and Frans-Paul van der Putten.")
    assert chicago["creemers2022getting"].startswith("Creemers, Rogier.")
    assert chicago["kleinhans2022false"].startswith("Kleinhans, Jan-Peter, and Tim Rühlig.")
    assert chicago["cyber2021"].startswith("Cyber Administration of China.")
    for sid, html in chicago.items():
        assert not re.search(r"\b[A-Z]\.-\.|\.-\. |\s\.\s|\bEdition\.", html), (sid, html)


def test_render_bibliography_lists_footnotes_and_is_cached(data_copy, tmp_path, monkeypatch, cited_by):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("OSA_NO_BIBLIOGRAPHY_CACHE", raising=False)
    first = cite.render_bibliography(data_copy)
    assert len(first) == len(cited_by) and len({e["id"] for e in first}) == len(cited_by)
    assert all(e["footnotes"] == sorted(cited_by[e["id"]]) for e in first)
    files = list((tmp_path / "cache" / "osa-report" / "bibliography").glob("*.json"))
    assert len(files) == 1

    def boom(*a, **k):
        raise AssertionError("rendered again although the data did not change")

    monkeypatch.setattr(citerender, "render", boom)  # what render_bibliography calls
    assert cite.render_bibliography(data_copy) == first  # from the cache
    # a change to the data is a new key: rendered again
    path = data_copy / "footnote_sources.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("printed pointer", "Printed pointer"), encoding="utf-8")
    with pytest.raises(AssertionError, match="rendered again"):
        cite.render_bibliography(data_copy)


# --------------------------------------------------------------------------- figures
def _footnotes_of(rows) -> list[int]:
    return sorted({int(r["footnote"]) for r in rows if r["footnote"]})


def test_box1_footnotes(data_dir, key_figures):
    box = [r for r in key_figures if r["chapter"] == "1" and r["note"].startswith("Box 1")]
    assert [r["key_figure_id"] for r in box] == ["kf001", "kf002", "kf003", "kf004", "kf005"]
    from osa_utils.sections import keyfigures as S

    assert {r["key_figure_id"] for r in box} == {S.BOX1_TOTAL, *S.BOX1_SHARES, S.BOX1_IMPORT_SHARE}
    assert _footnotes_of(box) == [7]
    assert cite.figure_footnotes("box1", data_dir) == [7]
    assert [w["id"] for w in cite.works(data_dir, figure_id="box1")] == ["european2021commission"]


def test_figure_5_3_footnotes(data_dir, key_figures):
    rows = [r for r in key_figures if r["footnote"] == "134"]
    from osa_utils.sections import keyfigures as S

    assert set(S.USDC_ROWS) <= {r["key_figure_id"] for r in rows}
    figure = next(r for r in csv_records(data_dir, "figures") if r["figure_id"] == "5.3")
    drawn = "key_figures" in (figure["tables"] or "").split(";")
    assert cite.figure_footnotes("5.3", data_dir) == (_footnotes_of(rows) if drawn else [])
    assert _footnotes_of(rows) == [134]
    # footnote 134 explains the method and cites no work: the figure exports nothing
    assert cite.works(data_dir, figure_id="5.3") == []


def test_supplementary_figure_footnotes(data_dir, key_figures):
    by_id = {r["key_figure_id"]: r for r in key_figures}
    sup = csv_records(data_dir, "supplementary_figures")
    assert {"s2.1", "s3.1", "s5.3"} <= {r["figure_id"] for r in sup}
    for r in sup:
        ids = [i for i in r["key_figure_ids"].split(";") if i]
        expected = _footnotes_of(by_id[i] for i in ids)
        assert cite.figure_footnotes(r["figure_id"], data_dir) == expected, r["figure_id"]


def test_figure_export_is_the_works_of_its_footnotes(data_dir, key_figures):
    links = csv_records(data_dir, "footnote_sources")
    sup = {r["figure_id"]: r for r in csv_records(data_dir, "supplementary_figures")}
    by_id = {r["key_figure_id"]: r for r in key_figures}
    notes = _footnotes_of(by_id[i] for i in sup["s5.3"]["key_figure_ids"].split(";"))
    assert notes
    expected = {r["source_id"] for r in links if int(r["footnote"]) in notes}
    parsed = parse_bibtex(cite.main("bibtex", figure_id="s5.3", data_dir=data_dir))
    assert set(parsed) == expected
    csl = json.loads(cite.main("csl-json", figure_id="s5.3", data_dir=data_dir))
    assert {i["id"] for i in csl} == expected and len(csl) == len(expected)


def test_supplementary_chart_without_key_figures_exports_nothing(data_dir):
    empty = [r["figure_id"] for r in csv_records(data_dir, "supplementary_figures") if not r["key_figure_ids"]]
    if not empty:
        pytest.skip("no supplementary row without key figures in this data")
    for fid in empty:
        assert cite.figure_footnotes(fid, data_dir) == []
        assert json.loads(cite.main("csl-json", figure_id=fid, data_dir=data_dir)) == []


def test_report_figure_without_footnotes_exports_nothing(data_dir):
    figures = {r["figure_id"]: r for r in csv_records(data_dir, "figures")}
    assert "key_figures" not in figures["2.2"]["tables"].split(";")
    assert cite.figure_footnotes("2.2", data_dir) == []
    assert cite.works(data_dir, figure_id="2.2") == []
    assert cite.main("bibtex", figure_id="2.2", data_dir=data_dir) == ""
    assert json.loads(cite.main("csl-json", figure_id="2.2", data_dir=data_dir)) == []
    for fid, r in figures.items():
        if "key_figures" not in (r["tables"] or "").split(";"):
            assert cite.figure_footnotes(fid, data_dir) == [], fid


def test_unknown_figure_raises_key_error(data_dir):
    with pytest.raises(KeyError):
        cite.figure_footnotes("9.9", data_dir)
    with pytest.raises(KeyError):
        cite.works(data_dir, figure_id="s9.1")
    with pytest.raises(KeyError):
        cite.main("bibtex", figure_id="box2", data_dir=data_dir)


def test_key_figures_figure_without_a_rule_is_an_error(data_copy):
    """A report figure newly drawn from key_figures must get an explicit rule, not a silent []."""
    path = data_copy / "figures.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("tables")
    for row in rows[1:]:
        if row[0] == "2.2":
            row[col] = "key_figures"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    with pytest.raises(ValueError, match="no rule"):
        cite.figure_footnotes("2.2", data_copy)


def test_ris_values_cannot_forge_tags_and_html_is_escaped():
    """Found by an attack run: a line break in a title forged RIS records; '<b>' in a title was
    rendered as markup in the References."""
    from osa_utils.cite import render, to_ris, works

    w = dict(works()[0])
    w["title"] = "A title\nER  - \nTY  - JOUR"
    ris = to_ris([w])
    assert ris.count("TY  - ") == 1 and ris.count("ER  - ") == 1
    w["title"] = "The <b>EU</b> & <10 nm chips"
    html = dict(render([w]))[w["id"]]
    assert "<b>" not in html and "&lt;b&gt;EU&lt;/b&gt;" in html and "&amp;" in html


# --------------------------------------------------------------------------- the report and this collection
def _squash(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).upper()


def test_report_entry_is_the_report_as_printed(csl, source_lines):
    """Editor, title, publisher and date as the cover prints them; no URL: the text prints none of its own."""
    item = next(i for i in csl if i["id"] == "ruhlig2023europes")
    cover = _squash(" ".join(source_lines[:40]))
    assert item["type"] == "report" and item["editor"] == [{"family": "Rühlig", "given": "Tim"}]
    assert "author" not in item
    main_title, subtitle = item["title"].split(": ")
    assert _squash(main_title) in cover and _squash(subtitle) in cover
    assert "EDITOR: TIM RÜHLIG" in cover and "JANUARY 2023" in cover and item["issued"] == {"date-parts": [[2023, 1]]}
    assert item["publisher"] == "Digital Power China research consortium"
    assert _squash(f"About the {item['publisher']}") in cover
    assert "URL" not in item and "DOI" not in item


def test_collection_entry_says_only_what_the_project_states(csl, project_root):
    """Title, authors and version as CITATION.cff states them (the one source), issued the year the
    data package was created; no URL, DOI or editor (none is stated)."""
    import json

    import yaml

    item = next(i for i in csl if i["id"] == "osareport2026collection")
    heading = (project_root / "README.md").read_text(encoding="utf-8").splitlines()[0]
    assert heading == f"# {item['title']}"
    cff = yaml.safe_load((project_root / "CITATION.cff").read_text(encoding="utf-8"))
    assert item["title"] == cff["title"] and item["version"] == str(cff["version"])
    assert item["author"] == [{"literal": a["name"]} for a in cff["authors"]]
    assert item["note"].startswith(f"Version {cff['version']}. ")
    created = json.loads((project_root / "data" / "datapackage.json").read_text(encoding="utf-8"))["created"]
    assert item["issued"] == {"date-parts": [[int(created[:4])]]}
    assert not {"URL", "DOI", "editor"} & set(item)


def test_own_entries_only_in_the_whole_bibliography(data_dir):
    for fmt in cite.FORMATS:
        assert "ruhlig2023europes" not in cite.main(fmt, data_dir=data_dir, footnote=2)
        assert "osareport2026collection" not in cite.main(fmt, data_dir=data_dir, figure_id="box1")
        whole = cite.main(fmt, data_dir=data_dir)
        assert "ruhlig2023europes" in whole and "osareport2026collection" in whole
