"""The last data slips of the cited works and the errata (issue 21, deliverable 3).

Each test fails on the data before the correction. Counts are derived from the data (merges change
them); the rules the tests apply are the package's own (datapackage.json's field descriptions).
Read with the csv module, independently of osa_utils.cite, except where the export is the contract.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from conftest import csv_records

from osa_utils.fidelity import normalize


@pytest.fixture(scope="module")
def errata(data_dir):
    return {r["erratum_id"]: r for r in csv_records(data_dir, "errata")}


def _first_author(data_dir, sid):
    rows = [r for r in csv_records(data_dir, "source_authors") if r["source_id"] == sid and r["role"] == "author"]
    rows.sort(key=lambda r: int(r["position"]))
    return rows[0] if rows else None


# --------------------------------------------------------------------------- 1. one document, one work
def _document_number(number: str) -> tuple[str, str] | None:
    """(year, number) of an EU document number: 'COM (2021) 350 final' and 'SWD(2021) 350 final' -> ('2021', '350')."""
    m = re.search(r"\((\d{4})\)\s*(\d+)", number)
    return (m.group(1), m.group(2)) if m else None


def test_a_document_number_is_one_work(sources):
    seen: dict[tuple[str, str], str] = {}
    for sid, s in sources.items():
        key = _document_number(s["number"])
        if key:
            assert key not in seen, f"{sid} and {seen[key]} are both document {key[1]} of {key[0]}"
            seen[key] = sid
    assert ("2021", "350") in seen


def test_the_repeat_of_document_350_says_what_it_prints_differently(sources, links, errata):
    (link,) = [r for r in links if r["footnote"] == "49"]
    assert link["source_id"] == "european2021communication" and "merged" in link["note"]
    assert "'SWD(2021) 350 final'" in link["note"] and "'COM (2021) 350 final'" in link["note"]
    slip = [e for e in errata.values() if e["printed"] == "SWD(2021) 350 final"]
    assert len(slip) == 1 and slip[0]["location"] == "Footnote 49"
    assert (
        slip[0]["erratum_id"] in link["note"] and slip[0]["erratum_id"] in sources["european2021communication"]["note"]
    )


# --------------------------------------------------------------------------- renamed ids stay findable
def test_renamed_ids_stay_findable(sources):
    old = {o: sid for sid, s in sources.items() for o in s["old_ids"].split(";") if o}
    assert {"european2021updating", "gowacka2021digital"} <= set(old)
    assert old["european2021updating"] == "european2021communication"
    assert old["gowacka2021digital"] == "glowacka2021digital"
    assert not set(old) & set(sources), "an old id is never reused for another work"


def test_biblatex_keeps_the_old_ids_as_key_aliases(data_dir):
    from bibtexparser.bparser import BibTexParser

    from osa_utils import cite

    parser = BibTexParser(common_strings=False)
    parser.ignore_nonstandard_types = False
    entries = {e["ID"]: e for e in parser.parse(cite.main("biblatex", data_dir=data_dir)).entries}
    assert entries["european2021communication"]["ids"] == "european2021updating"
    assert entries["glowacka2021digital"]["ids"] == "gowacka2021digital"
    assert "gowacka2021digital" not in entries


#: Latin letters NFKD leaves whole: the package's ASCII form writes them as their base letter.
FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "œ": "oe"})


def test_ids_begin_with_the_ascii_form_of_the_first_author(data_dir, sources):
    """source_id: 'first author's or body's name … lower-case ASCII' ('Rühlig' -> ruhlig, 'Głowacka' -> glowacka)."""
    checked = 0
    for sid in sources:
        a = _first_author(data_dir, sid)
        if a is None:
            continue
        name = a["family"] or a["literal"].split()[0]
        folded = unicodedata.normalize("NFKD", name.translate(FOLD)).encode("ascii", "ignore").decode().lower()
        assert sid.startswith(re.sub(r"[^a-z0-9]", "", folded)), (sid, name)
        checked += 1
    assert checked > len(sources) // 2


# --------------------------------------------------------------------------- 2. series vs English name
def test_a_series_is_printed_after_the_title(sources, refs):
    """collection_title is the series a work belongs to, printed after its title (as 'IAI Commentaries 21/44');
    text printed before the title is not a series (footnote 162: the report's English name)."""
    for sid, s in sources.items():
        if s["collection_title"] and s["title"]:
            text = normalize(refs[int(s["footnote"])]["citation"])
            assert text.find(normalize(s["collection_title"])) > text.find(normalize(s["title"])), sid
    assert "Fintech Research Feature: Detailed Explanation of Digital RMB" in sources["sinand"]["note"]


# --------------------------------------------------------------------------- 3. types, doi, number
@pytest.mark.parametrize(
    "sid,site", [("hui2021uk", "Quartz"), ("allenebrahimianndbeijing", "Axios"), ("heath2022watch", "Politico")]
)
def test_news_sites_are_magazine_articles(sources, sid, site):
    """type: 'a newspaper or news agency: article-newspaper; a magazine, trade or news site: article-magazine'."""
    assert sources[sid]["container_title"] == site
    assert sources[sid]["type"] == "article-magazine"


def test_a_pdf_is_not_typed_as_a_web_page(sources):
    """A printed URL to a PDF file is a document (the white papers of footnote 63 are typed alike)."""
    pdfs = {sid: s for sid, s in sources.items() if s["url"].split("?")[0].lower().endswith(".pdf")}
    assert pdfs
    assert not [sid for sid, s in pdfs.items() if s["type"] == "webpage"]
    assert sources["ericssonnd6g"]["type"] == sources["huaweind6g"]["type"]


DOI_URL = re.compile(r"^https?://(?:dx\.)?(?:doi\.org|data\.europa\.eu/doi)/(10\.\d{4,}/\S+)$")


def test_doi_is_filled_where_the_url_is_a_doi_link(sources):
    matches = {sid: DOI_URL.match(s["url"]) for sid, s in sources.items()}
    links = {sid: m.group(1) for sid, m in matches.items() if m}
    assert {"moreau2021could", "petry2022beyond", "degoede2022infrastructural", "cagnin2022shaping"} <= set(links)
    for sid, doi in links.items():
        assert sources[sid]["doi"] == doi, sid


def test_a_number_is_printed_without_its_label(sources, refs):
    """number: the number in its series ('ADB Working Papers no. 482' -> series 'ADB Working Papers',
    number '482'); 'no.' and the series name are never part of it."""
    with_number = {sid: s for sid, s in sources.items() if s["number"]}
    assert len(with_number) >= 5
    for sid, s in with_number.items():
        assert not re.search(r"(?i)\bno\.", s["number"]), sid
        text = normalize(refs[int(s["footnote"])]["citation"])
        m = re.search(r"(\S[^,;]*?) no\. " + re.escape(s["number"]), text)
        if m:
            assert normalize(s["collection_title"]) and m.group(1).endswith(normalize(s["collection_title"])), sid


# --------------------------------------------------------------------------- 4. merge notes
URLS = re.compile(r"<[^\s]*>|https?://\S+")
LEAD = re.compile(r"^(?:See e\.g\.,? |See also |See |and |On [^.;]*? see )")


def _words(text: str) -> list[str]:
    return re.findall(r"[^\s,;:\"“”‘’()\[\]<>*]+", URLS.sub(" ", normalize(text)))


def test_merge_notes_say_what_the_repeat_prints_differently(sources, links, refs):
    """Every word a merged repeat prints that the full citation it repeats does not is quoted in its note."""
    merged = [r for r in links if "merged" in r["note"]]
    assert merged
    bad = []
    for r in merged:
        first = refs[int(sources[r["source_id"]]["footnote"])]["citation"]
        repeat = LEAD.sub("", normalize(refs[int(r["footnote"])]["citation"]))
        known = set(_words(first))
        for w in _words(repeat):
            if w not in known and not re.search(rf"(?<![\w]){re.escape(w)}(?!\w)", r["note"]):
                bad.append(f"footnote {r['footnote']}: {w!r}")
    assert not bad, "\n".join(bad)


# --------------------------------------------------------------------------- 5. errata
def test_errata_name_every_chapter_their_footnotes_are_in(errata, refs):
    """An erratum on several footnotes lists the chapter of each (chapter, then other_chapters)."""
    checked = 0
    for eid, e in errata.items():
        m = re.match(r"Footnotes? ([\d ,and]+)", e["location"])
        if not m:
            continue
        notes = [int(n) for n in re.findall(r"\d+", m.group(1))]
        listed = {int(e["chapter"])} | {int(c) for c in e["other_chapters"].split(";") if c}
        assert listed == {int(refs[n]["chapter"]) for n in notes}, eid
        assert int(e["chapter"]) == int(refs[notes[0]]["chapter"]), eid
        checked += 1
    assert checked >= 10
    assert errata["e22"]["other_chapters"] == "8" and errata["e42"]["other_chapters"] == "8"
    assert errata["e25"]["other_chapters"] == "3"


def _errata_on_footnote(errata, n: int) -> list[str]:
    out = []
    for eid, e in errata.items():
        m = re.match(r"Footnotes? ([\d ,and]+)", e["location"])
        if m and n in {int(x) for x in re.findall(r"\d+", m.group(1))}:
            out.append(eid)
    return out


def test_a_date_that_disagrees_with_its_url_is_an_erratum(sources, errata):
    """A printed day that differs from the /YYYY/MM/DD/ of the URL the footnote cites is listed (e53, e62)."""
    checked = 0
    for sid, s in sources.items():
        m = re.search(r"/(20\d\d)/(\d\d)/(\d\d)/", s["url"])
        if not m or len(s["issued"]) != 10:
            continue
        checked += 1
        if s["issued"] != "-".join(m.groups()):
            assert _errata_on_footnote(errata, int(s["footnote"])), (sid, s["issued"], s["url"])
    assert checked >= 5


def test_every_doubled_word_of_the_text_is_an_erratum(source_lines, errata):
    doubled = []
    for line in source_lines:
        for m in re.finditer(r"\b(\w+)\s+\1\b(?!-)", line):
            if not m.group(1).isdigit():
                doubled.append(line[max(0, m.start() - 30) : m.end() + 30])
    assert doubled
    for passage in doubled:
        assert any(e["printed"] in passage for e in errata.values()), passage


#: The sweep of issue 21: id -> (printed, a passage of the report the evidence rests on).
SWEEP: dict[str, tuple[str, str]] = {
    "e52": ("SWD(2021) 350 final", "COM (2021) 350 final"),
    "e53": (
        "Information Technology and Innovation Foundation, 30 November 2022",
        "publications/2020/11/30/great-5g-race",
    ),
    "e54": ("found that that over 90% of the cameras", "found that that"),
    "e55": ("The megacity Chong Qing", "the Chongqing (China-Singapore) Demonstration Initiative"),
    "e56": ("European Parliamentary Research Service (EPRSP)", "EPRS_STU"),
    "e57": ("et. al.", "Dorota Głowacka et al."),
    "e58": ("Abdelfatteh Haidine (eds)", "Damien Ma (ed.)"),
    "e59": ("Liesbet van der Perre", "Liesbet Van der Perre"),
    "e60": ("[“14th Five-Year Plan to Advance the Informatization of National Government Affairs]", "Affairs],"),
    "e61": ('TikTok, How TikTok recommends videos #For You"', 'TikTok, "Privacy Policy"'),
    "e62": ("7 September 2022", "2022/09/02/gridlock"),
    "e63": ("International Telecommunications Union (ITU)", "(ITU)"),
}


@pytest.mark.parametrize("eid", list(SWEEP))
def test_slips_found_by_reading_are_listed(errata, source, eid):
    printed, other = SWEEP[eid]
    e = errata[eid]
    assert e["printed"] == printed
    assert source.contains(printed) and source.contains(other), eid
    assert e["evidence"] and e["confidence"] in {"certain", "likely", "possible"}
    if e["confidence"] == "possible":
        assert (
            "outside knowledge" in e["evidence"].lower() or "does not say which" in e["issue"] or "may" in e["evidence"]
        )


@pytest.mark.parametrize("eid", [e for e in SWEEP if e not in {"e54", "e55", "e59", "e63"}])
def test_the_data_points_to_the_erratum_of_its_footnote(errata, sources, links, eid):
    """A slip in a footnote is named where the data transcribes that footnote: the note of a work
    transcribed from it, or of its link in footnote_sources.csv."""
    notes: list[str] = []
    for n in re.findall(r"\d+", errata[eid]["location"]):
        notes += [s["note"] for s in sources.values() if s["footnote"] == n]
        notes += [r["note"] for r in links if r["footnote"] == n]
    assert any(re.search(rf"\b{eid}\b", note) for note in notes), eid
