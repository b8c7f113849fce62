"""osa_utils.cite: footnotes exported as BibTeX and CSL-JSON, parsed back and compared with the CSVs.

Expectations are computed from references.csv, key_figures.csv and the figure tables here,
never copied from the module's own output. BibTeX is read back with bibtexparser 1.x.
"""
from __future__ import annotations

import csv
import json
import re

import pytest

import bibtexparser  # test-only dependency, pinned 1.4.4: a missing pin fails loudly, not as a skip
from bibtexparser.bparser import BibTexParser

from osa_utils import cite


# --------------------------------------------------------------------------- helpers
def _rows(data_dir, name):
    with open(data_dir / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def refs(data_dir):
    return {int(r["footnote"]): r for r in _rows(data_dir, "references")}


@pytest.fixture(scope="module")
def key_figures(data_dir):
    return _rows(data_dir, "key_figures")


@pytest.fixture(scope="module")
def bibtex(data_dir):
    return cite.main("bibtex", data_dir=data_dir)


def parse_bibtex(text: str) -> dict[str, dict]:
    parser = BibTexParser(common_strings=False, ignore_nonstandard_types=False, interpolate_strings=False)
    db = bibtexparser.loads(text, parser=parser)
    return {e["ID"]: e for e in db.entries}


# Undo the escaping independently of the module: one left-to-right pass, so '\textbackslash{}%'
# cannot be misread as an escaped '%'.
_UNESCAPE = {"textbackslash": "\\", "textbraceleft": "{", "textbraceright": "}",
             "textasciitilde": "~", "textasciicircum": "^"}
_ESCAPED = re.compile(r"\\(textbackslash|textbraceleft|textbraceright|textasciitilde|textasciicircum)\{\}"
                      r"|\\([%&#_$])")


def unescape(value: str) -> str:
    return _ESCAPED.sub(lambda m: _UNESCAPE[m.group(1)] if m.group(1) else m.group(2), value)


def unwrap_url(value: str) -> str:
    m = re.fullmatch(r"\\url\{(.*)\}", value)
    assert m, value
    return m.group(1).replace(r"\%", "%").replace(r"\#", "#")


def brace_depths_ok(text: str) -> bool:
    """BibTeX's own view: braces counted regardless of backslashes, never below zero, balanced."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def unescaped_specials(value: str) -> list[str]:
    """Special characters of an escaped field value that are not part of an escape."""
    rest = _ESCAPED.sub("", value)
    return [c for c in rest if c in "\\%&#_$~^{}"]


# --------------------------------------------------------------------------- BibTeX
def test_bibtex_has_one_entry_per_footnote(bibtex, refs):
    parsed = parse_bibtex(bibtex)
    assert len(parsed) == len(refs) == 270
    assert sorted(parsed) == [f"fn{n:03d}" for n in range(1, 271)]
    assert all(e["ENTRYTYPE"] == "misc" for e in parsed.values())
    # the file itself keeps the footnote order
    assert re.findall(r"^@misc\{(fn\d{3}),$", bibtex, flags=re.M) == [f"fn{n:03d}" for n in range(1, 271)]


def test_bibtex_note_and_title_round_trip_to_the_printed_citation(bibtex, refs):
    parsed = parse_bibtex(bibtex)
    for n, r in refs.items():
        e = parsed[f"fn{n:03d}"]
        assert unescape(e["note"]) == r["citation"], n
        assert e["title"].startswith("{") and e["title"].endswith("}")
        assert unescape(e["title"][1:-1]) == r["citation"], n
        assert not unescaped_specials(e["note"]), (n, unescaped_specials(e["note"]))


def test_bibtex_urls_and_dates_equal_the_columns(bibtex, refs):
    parsed = parse_bibtex(bibtex)
    for n, r in refs.items():
        e = parsed[f"fn{n:03d}"]
        if r["url"]:
            assert unwrap_url(e["howpublished"]) == r["url"], n
        else:
            assert "howpublished" not in e, n
        if r["accessed"]:
            assert e["urldate"] == r["accessed"], n
        else:
            assert "urldate" not in e, n
        assert e["addendum"].startswith(f"Footnote {n} of Rühlig (ed.) 2023, chapter {r['chapter']}")


def test_bibtex_is_utf8_with_unicode_kept_and_braces_balanced(bibtex, refs):
    bibtex.encode("utf-8")
    assert "Rühlig" in bibtex and "“" in bibtex and "–" in bibtex
    assert brace_depths_ok(bibtex)
    for block in bibtex.split("\n@"):
        assert brace_depths_ok(block if block.startswith("@") else "@" + block)


def test_special_characters_from_the_data_survive(bibtex, refs):
    specials = {"&": None, "%": None, "_": None, "#": None, "$": None, "\\": None, "~": None}
    for n, r in sorted(refs.items()):
        for ch in specials:
            if specials[ch] is None and ch in r["citation"]:
                specials[ch] = n
    found = {ch: n for ch, n in specials.items() if n is not None}
    assert {"&", "%", "_"} <= set(found), found  # the data has them; keep the test meaningful
    parsed = parse_bibtex(bibtex)
    for ch, n in found.items():
        e = parsed[f"fn{n:03d}"]
        assert unescape(e["note"]) == refs[n]["citation"], (ch, n)
        assert ch in unescape(e["note"])
    # footnote 25 prints a markdown-escaped '\(' (a backslash in the cell)
    assert "\\(" in refs[25]["citation"]
    assert r"\textbackslash{}(" in parsed["fn025"]["note"]


def test_constructed_entry_with_every_special_character_round_trips():
    text = r"A {b} }unbalanced{ 100% & R#D a_b $5 back\slash ~tilde^caret “Ünïcødé” — 中文"
    url = "https://example.org/a_b%20c?x=1&y=2#frag~z"
    entry = {"id": "fn999", "footnote": 999, "chapter": 5, "citation": text, "url": url,
             "accessed": "2022-12-16", "see_note": None, "see_notes": [], "backref_only": False, "remark": None}
    out = cite.to_bibtex([entry])
    assert brace_depths_ok(out)
    e = parse_bibtex(out)["fn999"]
    assert unescape(e["note"]) == text
    assert unescape(e["title"][1:-1]) == text
    assert unwrap_url(e["howpublished"]) == url
    assert e["urldate"] == "2022-12-16"


def test_back_references_point_to_the_cited_entry_without_copying_it(bibtex, refs):
    parsed = parse_bibtex(bibtex)
    with_see = {n: int(r["see_note"]) for n, r in refs.items() if r["see_note"]}
    assert with_see, "references.csv has back-references"
    for n, target in with_see.items():
        e = parsed[f"fn{n:03d}"]
        assert e["xref"] == f"fn{target:03d}" and e["xref"] in parsed, n
        assert f"see note {target}" in e["addendum"], n
        assert unescape(e["note"]) == refs[n]["citation"], n  # its own text, not the target's
        if not refs[n]["url"]:
            assert "howpublished" not in e, n  # nothing inherited or duplicated from the target
    e10 = parsed["fn010"]
    assert refs[10]["citation"] == "European Commission (note 9)." and e10["xref"] == "fn009"
    # entries without a back-reference carry no xref
    assert all("xref" not in parsed[f"fn{n:03d}"] for n in refs if n not in with_see
               and not any(int(m) in refs for m in re.findall(r"\(note (\d+)\)", refs[n]["citation"])))


def test_backref_only_flag(data_dir, refs):
    by_n = {e["footnote"]: e for e in cite.entries(data_dir)}
    assert by_n[10]["backref_only"] and by_n[10]["see_notes"] == [9]
    assert by_n[175]["backref_only"]  # "Quectel, (note 171)."
    # footnotes with material of their own plus a back-reference are not "only" one
    assert not by_n[123]["backref_only"] and by_n[123]["see_notes"] == [122]
    assert not by_n[139]["backref_only"]
    # a back-reference to a note that does not exist points nowhere (note 42 prints "(note 299)")
    assert "(note 299)" in refs[42]["citation"] and by_n[42]["see_notes"] == [] and by_n[42]["see_note"] is None
    for e in by_n.values():
        if e["see_note"] is not None:
            assert e["see_notes"][0] == e["see_note"]
        if e["backref_only"]:
            assert e["url"] is None and e["see_note"] is not None


# --------------------------------------------------------------------------- CSL-JSON
def test_csl_json_items_match_the_columns(data_dir, refs):
    text = cite.main("csl-json", data_dir=data_dir)
    items = json.loads(text)
    assert isinstance(items, list) and len(items) == 270
    assert [i["id"] for i in items] == [f"fn{n:03d}" for n in range(1, 271)]
    for item in items:
        n = int(item["id"][2:])
        r = refs[n]
        assert item["type"] == "document"
        assert item["title"] == r["citation"]
        assert item.get("URL") == (r["url"] or None)
        if r["accessed"]:
            y, m, d = (int(p) for p in r["accessed"].split("-"))
            assert item["accessed"] == {"date-parts": [[y, m, d]]}
        else:
            assert "accessed" not in item
        assert item["note"].startswith(f"Footnote {n} of Rühlig (ed.) 2023, chapter {r['chapter']}")
        if r["see_note"]:
            assert f"see note {r['see_note']}" in item["note"]


def test_csl_json_is_deterministic(data_dir):
    a = cite.main("csl-json", data_dir=data_dir)
    assert a == cite.main("csl-json", data_dir=data_dir)
    assert a == json.dumps(json.loads(a), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert "Rühlig" in a  # not \u-escaped
    assert cite.main("bibtex", data_dir=data_dir) == cite.main("bibtex", data_dir=data_dir)


# --------------------------------------------------------------------------- figures
def _footnotes_of(rows) -> list[int]:
    return sorted({int(r["footnote"]) for r in rows if r["footnote"]})


def test_box1_footnotes(data_dir, key_figures):
    box = [r for r in key_figures if r["chapter"] == "1" and r["note"].startswith("Box 1")]
    assert [r["key_figure_id"] for r in box] == ["kf001", "kf002", "kf003", "kf004", "kf005"]
    # the same rows the Box 1 chart draws
    from osa_utils.sections import keyfigures as S

    assert {r["key_figure_id"] for r in box} == {S.BOX1_TOTAL, *S.BOX1_SHARES, S.BOX1_IMPORT_SHARE}
    assert _footnotes_of(box) == [7]
    assert cite.figure_footnotes("box1", data_dir) == [7]
    assert [e["id"] for e in cite.entries(data_dir, figure_id="box1")] == ["fn007"]


def test_figure_5_3_footnotes(data_dir, key_figures):
    rows = [r for r in key_figures if r["footnote"] == "134"]
    from osa_utils.sections import keyfigures as S

    assert set(S.USDC_ROWS) <= {r["key_figure_id"] for r in rows}
    assert cite.figure_footnotes("5.3", data_dir) == _footnotes_of(rows) == [134]


def test_supplementary_figure_footnotes(data_dir, key_figures):
    by_id = {r["key_figure_id"]: r for r in key_figures}
    sup = _rows(data_dir, "supplementary_figures")
    assert {"s2.1", "s3.1", "s5.3"} <= {r["figure_id"] for r in sup}
    for r in sup:
        ids = [i for i in r["key_figure_ids"].split(";") if i]
        expected = _footnotes_of(by_id[i] for i in ids)
        assert cite.figure_footnotes(r["figure_id"], data_dir) == expected, r["figure_id"]


def test_supplementary_chart_without_key_figures_exports_nothing(data_dir):
    """Rows listing no key figures (the cross-chapter views x9.N) rest on no footnote."""
    empty = [r["figure_id"] for r in _rows(data_dir, "supplementary_figures") if not r["key_figure_ids"]]
    if not empty:
        pytest.skip("no supplementary row without key figures in this data")
    for fid in empty:
        assert cite.figure_footnotes(fid, data_dir) == []
        assert json.loads(cite.main("csl-json", figure_id=fid, data_dir=data_dir)) == []


def test_s5_3_export(data_dir, key_figures, refs):
    sup = {r["figure_id"]: r for r in _rows(data_dir, "supplementary_figures")}
    by_id = {r["key_figure_id"]: r for r in key_figures}
    expected = _footnotes_of(by_id[i] for i in sup["s5.3"]["key_figure_ids"].split(";"))
    assert expected  # the chart's numbers cite notes
    parsed = parse_bibtex(cite.main("bibtex", figure_id="s5.3", data_dir=data_dir))
    # the figure's footnotes, plus any note they refer back to (so each xref resolves)
    assert {f"fn{n:03d}" for n in expected} <= set(parsed)
    for e in parsed.values():
        if "xref" in e:
            assert e["xref"] in parsed
    csl = json.loads(cite.main("csl-json", figure_id="s5.3", data_dir=data_dir))
    assert [i["id"] for i in csl] == sorted(parsed)


def test_figure_exports_are_closed_under_back_references(data_dir):
    figure_ids = [r["figure_id"] for r in _rows(data_dir, "figures")] + \
                 [r["figure_id"] for r in _rows(data_dir, "supplementary_figures")]
    for fid in figure_ids:
        got = cite.entries(data_dir, figure_id=fid)
        numbers = {e["footnote"] for e in got}
        assert set(cite.figure_footnotes(fid, data_dir)) <= numbers, fid
        for e in got:
            assert set(e["see_notes"]) <= numbers, fid


def test_report_figure_without_footnotes_exports_nothing(data_dir):
    figures = {r["figure_id"]: r for r in _rows(data_dir, "figures")}
    assert "key_figures" not in figures["2.2"]["tables"].split(";")
    assert cite.figure_footnotes("2.2", data_dir) == []
    assert cite.entries(data_dir, figure_id="2.2") == []
    assert parse_bibtex(cite.main("bibtex", figure_id="2.2", data_dir=data_dir)) == {}
    assert json.loads(cite.main("csl-json", figure_id="2.2", data_dir=data_dir)) == []
    for fid, r in figures.items():
        if "key_figures" not in (r["tables"] or "").split(";"):
            assert cite.figure_footnotes(fid, data_dir) == [], fid


def test_unknown_figure_raises_key_error(data_dir):
    with pytest.raises(KeyError):
        cite.figure_footnotes("9.9", data_dir)
    with pytest.raises(KeyError):
        cite.entries(data_dir, figure_id="s9.1")
    with pytest.raises(KeyError):
        cite.main("bibtex", figure_id="box2", data_dir=data_dir)


def test_unknown_format_raises(data_dir):
    with pytest.raises(ValueError):
        cite.main("ris", data_dir=data_dir)


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
