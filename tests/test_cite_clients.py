"""The citation exports imported by the tools people use, through ``osa-report cite``.

pandoc --citeproc (the pandoc that pypandoc_binary ships) reads the .bib (classic BibTeX and
biblatex) and the CSL-JSON and renders every entry; rispy reads the RIS. Expectations come from
sources.csv and source_authors.csv (read with the csv module): every work plus the two entries for
the report and this collection, URLs as the same string, organisations whole, opening quotes as
opening quotes, "et al." kept. Also: a full or closed standard output is a one-line error.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys

import pypandoc  # test-only dependency (pypandoc_binary, pinned): a missing pin fails loudly, not as a skip
import pytest
import rispy  # test-only dependency, pinned
from conftest import csv_records

#: One xdist worker runs this module: the exports and pandoc's renderings are made once.
pytestmark = pytest.mark.xdist_group("cite_clients")

CLI = [sys.executable, "-m", "osa_utils.cli", "cite"]
#: The entries every whole export adds to the works of sources.csv: the report itself, this collection.
OWN_IDS = {"ruhlig2023europes", "osareport2026collection"}
#: Export format -> file name pandoc is given (pandoc picks its reader by the extension: .bib is
#: read as biblatex, .bibtex as BibTeX; a user's file is usually .bib, so BibTeX is read both ways).
PANDOC_FILES = {
    "bibtex": ["refs.bib", "refs.bibtex"],
    "biblatex": ["refs-biblatex.bib"],
    "csl-json": ["refs.json"],
    "ris": ["refs.ris"],
}


@pytest.fixture(scope="module")
def literal_names(data_dir):
    return {r["literal"] for r in csv_records(data_dir, "source_authors") if r["literal"]}


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """Each format written by the command a user types (``osa-report cite --format F -o FILE``)."""
    folder = tmp_path_factory.mktemp("cite-exports")
    out = {}
    for fmt in ("bibtex", "biblatex", "csl-json", "ris"):
        path = folder / f"export-{fmt}"
        proc = subprocess.run(CLI + ["--format", fmt, "-o", str(path)], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        out[fmt] = path.read_text(encoding="utf-8")
    return out


def _entries(rendered_html: str) -> dict[str, str]:
    """pandoc's HTML bibliography -> {id: entry as plain text}, with each entry's link targets appended
    as ' <href>' so URL checks see the link, not only the text."""
    out = {}
    for m in re.finditer(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>(.*?)</div>', rendered_html, re.S):
        body = m.group(2)
        hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', body)]
        text = html.unescape(re.sub(r"<[^>]+>", "", body))
        out[m.group(1)] = " ".join(text.split()) + "".join(f" <{h}>" for h in hrefs)
    return out


@pytest.fixture(scope="module")
def pandoc(exports, tmp_path_factory):
    """{file name: {id: rendered entry}}: pandoc --citeproc on a small document citing every entry."""
    exe = pypandoc.get_pandoc_path()
    folder = tmp_path_factory.mktemp("pandoc")
    doc = folder / "doc.md"
    doc.write_text("---\nnocite: '@*'\n---\n\nEvery work.\n", encoding="utf-8")
    out = {}
    for fmt, names in PANDOC_FILES.items():
        for name in names:
            (folder / name).write_text(exports[fmt], encoding="utf-8")
            proc = subprocess.run(
                [exe, str(doc), "--citeproc", "--bibliography", str(folder / name), "-t", "html", "--wrap=none"],
                capture_output=True,
                text=True,
                timeout=300,
                cwd=folder,
            )
            assert proc.returncode == 0, proc.stderr
            assert "[WARNING]" not in proc.stderr, (name, proc.stderr)
            out[name] = _entries(proc.stdout)
    return out


def _all_files():
    return [name for names in PANDOC_FILES.values() for name in names]


def _typeset_files():
    """The files whose readers typeset punctuation (BibTeX, biblatex, CSL-JSON); pandoc's RIS reader
    takes RIS's plain text as it is, straight quotes included."""
    return [name for name in _all_files() if not name.endswith(".ris")]


# --------------------------------------------------------------------------- pandoc --citeproc
@pytest.mark.parametrize("name", _all_files())
def test_pandoc_renders_every_work_and_the_two_own_entries(pandoc, sources, name):
    entries = pandoc[name]
    assert set(entries) == {*sources, *OWN_IDS}
    assert len(entries) == len(sources) + len(OWN_IDS)
    assert all(entries.values())


@pytest.mark.parametrize("name", _all_files())
def test_pandoc_links_the_printed_urls(pandoc, sources, name):
    entries = pandoc[name]
    with_url = {sid: s["url"] for sid, s in sources.items() if s["url"]}
    assert any("%" in u for u in with_url.values()) and any("#" in u for u in with_url.values())
    for sid, url in with_url.items():
        doi = sources[sid]["doi"]
        if doi and url.endswith("/" + doi):  # a DOI resolver link (data.europa.eu/doi/…): styles link the DOI instead
            assert f" <https://doi.org/{doi}>" in entries[sid], (sid, url, entries[sid])
            continue
        assert f" <{url}>" in entries[sid], (sid, url, entries[sid])
    for sid, s in sources.items():
        if s["doi"]:
            assert s["doi"] in entries[sid], (sid, s["doi"])
    assert not any("\\" in text for text in entries.values())  # no \% (nor any other escape) left


@pytest.mark.parametrize("name", _all_files())
def test_pandoc_keeps_organisations_whole(pandoc, sources, literal_names, name):
    """'Belfer Center for Science and International Relations', not '… Science; International Relations'."""
    entries = pandoc[name]
    orgs = {
        (sid, s[col]) for sid, s in sources.items() for col in ("publisher", "container_title") if " and " in s[col]
    }
    assert len(orgs) >= 5, orgs  # the data has them: keep the test meaningful
    shown = 0
    for sid, org in orgs:
        text = entries[sid].lower()
        assert org.lower().replace(" and ", "; ") not in text, (sid, org, entries[sid])
        if org.split(" and ")[0].lower() in text:  # the style shows it (CSL styles omit some publishers)
            assert org.lower() in text, (sid, org, entries[sid])
            shown += 1
    assert shown >= 5, shown
    split = [n for n in literal_names if " and " in n]
    for text in entries.values():
        for n in split:
            assert n.replace(" and ", "; ") not in text and n.replace(" and ", ", ") not in text


@pytest.mark.parametrize("name", _typeset_files())
def test_pandoc_opening_quotes_open(pandoc, sources, name):
    """A straight ' that opens a quotation ('emerging …') must not come out as a right quote (’emerging)."""
    opening = {sid: re.findall(r"(?:^|\s)'(\w+)", s["title"]) for sid, s in sources.items()}
    opening = {sid: words for sid, words in opening.items() if words}
    assert "torres2022bis" in opening
    for sid, words in opening.items():
        text = pandoc[name][sid]
        for word in words:
            assert not re.search(r"’" + re.escape(word), text, re.I), (sid, word, text)
            assert re.search(r"[‘“]" + re.escape(word), text, re.I), (sid, word, text)


@pytest.mark.parametrize("name", ["refs.bib", "refs.bibtex", "refs-biblatex.bib"])
def test_pandoc_prints_et_al_from_the_bib(pandoc, sources, name):
    et_al = [sid for sid, s in sources.items() if s["et_al"] == "true"]
    assert et_al
    for sid in et_al:
        assert "et al." in pandoc[name][sid], (sid, pandoc[name][sid])


def test_pandoc_reads_the_et_al_note_from_csl_json(exports, sources, tmp_path):
    """CSL-JSON has no 'et al.' marker: the note says so, and survives pandoc's CSL-JSON reader."""
    path = tmp_path / "refs.json"
    path.write_text(exports["csl-json"], encoding="utf-8")
    proc = subprocess.run(
        [pypandoc.get_pandoc_path(), "-f", "csljson", "-t", "csljson", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    items = {i["id"]: i for i in json.loads(proc.stdout)}
    assert set(items) == {*sources, *OWN_IDS}
    for sid, s in sources.items():
        assert ("et al." in items[sid].get("note", "")) == (s["et_al"] == "true"), sid
        if s["url"]:
            assert items[sid]["URL"] == s["url"], sid


#: The .bib files and the reader pandoc uses for each (as PANDOC_FILES: .bib is biblatex, .bibtex BibTeX).
BIB_READERS = [("bibtex", "biblatex"), ("bibtex", "bibtex"), ("biblatex", "biblatex")]


def _plain_quotes(text: str) -> str:
    return re.sub("[‘’]", "'", re.sub("[“”]", '"', text))


@pytest.mark.parametrize("fmt,reader", BIB_READERS)
def test_pandoc_keeps_the_printed_case_of_container_and_series_titles(exports, sources, tmp_path, fmt, reader):
    """pandoc sentence-cases an English title field it reads unbraced ("… with chinese characteristics"):
    the journal, book and series titles it reads (CSL container-title, collection-title) and the
    printed translation of a title are the printed text of sources.csv, case and all."""
    path = tmp_path / ("refs.bib" if reader == "biblatex" else "refs.bibtex")
    path.write_text(exports[fmt], encoding="utf-8")
    proc = subprocess.run(
        [pypandoc.get_pandoc_path(), "-f", reader, "-t", "csljson", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    items = {i["id"]: i for i in json.loads(proc.stdout)}
    checked = cased = 0
    for sid, s in sources.items():
        for field, col in (("container-title", "container_title"), ("collection-title", "collection_title")):
            if field not in items[sid]:
                continue
            assert s[col], (sid, field)
            assert _plain_quotes(items[sid][field]) == _plain_quotes(s[col]), (sid, field, items[sid][field], s[col])
            checked += 1
            words = s[col].split()[1:]
            cased += any(w[:1].isupper() and not w.isupper() for w in words)  # sentence case would lower it
        if s["title_translation"]:
            assert _plain_quotes(s["title_translation"]) in _plain_quotes(items[sid]["title"]), (sid, items[sid])
    # every journal/journaltitle/booktitle/series field the export wrote was read back and compared
    written = len(re.findall(r"^  (?:journal|journaltitle|booktitle|series) = ", exports[fmt], re.M))
    assert checked == written and written >= sum(bool(s["container_title"]) for s in sources.values()) // 2
    assert cased >= 10, cased  # the data has title-cased container titles: keep the test meaningful


@pytest.mark.parametrize("name", _all_files())
def test_pandoc_renders_the_report_and_the_collection(pandoc, name):
    report = pandoc[name]["ruhlig2023europes"]
    assert report.startswith("Rühlig, Tim, ed. 2023."), report
    assert (
        "Europe's Strategic Technology Autonomy from China: Assessing Foundational and Emerging Technologies".lower()
        in report.replace("’", "'").lower()
    )  # typeset as ’ except from plain RIS
    assert "Digital Power China research consortium" in report and "<" not in report  # no link: none printed
    collection = pandoc[name]["osareport2026collection"]
    assert "the osa report collection" in collection.lower() and "2026" in collection and "<" not in collection


# --------------------------------------------------------------------------- rispy
def test_rispy_reads_every_record(exports, sources, data_dir):
    records = rispy.loads(exports["ris"])
    by_id = {r["id"]: r for r in records}
    assert len(records) == len(by_id) == len(sources) + len(OWN_IDS)
    assert set(by_id) == {*sources, *OWN_IDS}
    authors: dict[str, list[str]] = {}
    for r in sorted(csv_records(data_dir, "source_authors"), key=lambda r: int(r["position"])):
        if r["role"] == "author":
            authors.setdefault(r["source_id"], []).append(
                r["literal"] or (f"{r['family']}, {r['given']}" if r["given"] else r["family"])
            )
    for sid, s in sources.items():
        rec = by_id[sid]
        assert rec.get("urls", []) == ([s["url"]] if s["url"] else []), sid
        assert rec.get("doi", "") == s["doi"], sid
        assert rec.get("authors", []) == authors.get(sid, []), sid
        notes = " ".join(rec.get("notes", []))
        assert ("et al." in notes) == (s["et_al"] == "true"), sid
        assert rec.get("title", "") == s["title"], sid
    assert by_id["ruhlig2023europes"]["secondary_authors"] == ["Rühlig, Tim"]
    assert "urls" not in by_id["ruhlig2023europes"] and "urls" not in by_id["osareport2026collection"]


# --------------------------------------------------------------------------- output errors
def test_cite_into_a_full_device_is_one_line_and_exit_1():
    try:
        full = open("/dev/full", "w")  # noqa: SIM115 (closed by the with below; opening may fail: skip)
    except OSError:
        pytest.skip("no /dev/full on this system")
    with full:
        proc = subprocess.run(CLI, stdout=full, stderr=subprocess.PIPE, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "standard output" in lines[0] and "Traceback" not in proc.stderr, proc.stderr


def test_cite_with_stdout_closed_is_one_line_and_exit_1():
    proc = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *CLI, "--format", "ris"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "standard output" in lines[0] and "Traceback" not in proc.stderr, proc.stderr


def test_cite_output_file_that_cannot_be_written_whole_is_removed(tmp_path):
    """A write that fails half-way (here: a 1 kB file size limit) leaves no half file reported as written."""
    resource = pytest.importorskip("resource")
    import signal

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    target = tmp_path / "refs.bib"
    proc = subprocess.run(CLI + ["-o", str(target)], capture_output=True, text=True, timeout=300, preexec_fn=limit)
    assert proc.returncode == 1, proc.stderr
    assert not target.exists()
    assert "Traceback" not in proc.stderr and "written" not in proc.stderr.replace("nothing was written", "")
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_cite_output_file_is_written_only_as_a_new_file(tmp_path):
    """README: -o FILE writes only a new file; an existing one is refused (exit 2) and left as it was."""
    target = tmp_path / "refs.bib"
    target.write_text("mine", encoding="utf-8")
    proc = subprocess.run(CLI + ["-o", str(target)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "only as a new file" in proc.stderr, proc.stderr
    assert target.read_text(encoding="utf-8") == "mine"
