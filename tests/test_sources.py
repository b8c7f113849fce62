"""The cited works (sources.csv, source_authors.csv, footnote_sources.csv) against the footnotes as printed.

Read with the csv module, independently of osa_utils.cite. Text is compared after the fidelity
tests' normalisation (osa_utils.fidelity.normalize: markdown emphasis, markup and layout
whitespace removed; quotes, dashes and case kept). The hand-checked sample at the end was
written from the footnotes' printed text, not from the data.
"""

from __future__ import annotations

import re

import pytest
from conftest import csv_records

from osa_utils.fidelity import normalize

MONTHS = [
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
ABBREV = {11: "Nov.", 12: "Dec.", 9: "Sept.", 10: "Oct.", 8: "Aug.", 1: "Jan.", 2: "Feb."}

#: Footnotes that cite no work (read from the report: acknowledgement, definitions, explanations).
EXPLANATORY = {1, 20, 134, 167, 169, 176, 259}


@pytest.fixture(scope="module")
def names(data_dir):
    out: dict[str, list[dict]] = {}
    for r in csv_records(data_dir, "source_authors"):
        out.setdefault(r["source_id"], []).append(r)
    return out


@pytest.fixture(scope="module")
def by_note(links):
    out: dict[int, list[dict]] = {}
    for r in links:
        out.setdefault(int(r["footnote"]), []).append(r)
    return {n: sorted(v, key=lambda r: int(r["position"])) for n, v in out.items()}


def _verbatim_fields(descriptor, table):
    res = next(r for r in descriptor["resources"] if r["name"] == table)
    return [f["name"] for f in res["schema"]["fields"] if f.get("osa:verbatim")]


def _authors(names, sid, role="author"):
    return [
        r["literal"] or (r["family"], r["given"])
        for r in sorted(names.get(sid, []), key=lambda r: int(r["position"]))
        if r["role"] == role
    ]


# --------------------------------------------------------------------------- verbatim
def test_text_fields_are_pieces_of_their_footnote(descriptor, sources, refs):
    fields = _verbatim_fields(descriptor, "sources")
    assert {"title", "container_title", "publisher", "publisher_place", "editors", "title_translation"} <= set(fields)
    bad = []
    for sid, s in sources.items():
        footnote = normalize(refs[int(s["footnote"])]["citation"])
        for f in fields:
            if s[f] and normalize(s[f]) not in footnote:
                bad.append(f"{sid}.{f}: {s[f]!r} not in footnote {s['footnote']}")
    assert not bad, "\n".join(bad)


def test_names_are_pieces_of_their_footnote(descriptor, sources, names, refs):
    fields = _verbatim_fields(descriptor, "source_authors")
    assert set(fields) == {"family", "given", "literal"}
    bad = []
    for sid, rows in names.items():
        footnote = normalize(refs[int(sources[sid]["footnote"])]["citation"])
        for r in rows:
            assert bool(r["literal"]) != bool(r["family"]), (sid, r)  # a person or an organisation
            for f in fields:
                if r[f] and normalize(r[f]) not in footnote:
                    bad.append(f"{sid} {r['role']} {r['position']}.{f}: {r[f]!r}")
    assert not bad, "\n".join(bad)


def test_no_markdown_or_link_markup_in_any_field(sources, names):
    for sid, s in sources.items():
        for f, v in s.items():
            assert "*" not in v and "\\" not in v and "](" not in v, (sid, f, v)
            if f != "note":
                assert not v.startswith("<") and not v.endswith(">"), (sid, f, v)
        # the quotation marks around a printed title are not part of it
        assert not re.fullmatch(r"“[^“”]*”|\"[^\"]*\"|‘[^‘’]*’", s["title"]), (sid, s["title"])
    for rows in names.values():
        for r in rows:
            assert "*" not in "".join(r.values())


def test_the_source_is_transcribed_from_its_first_full_citation(sources, links):
    full: dict = {}
    for r in links:
        if not r["backref_note"]:
            full.setdefault(r["source_id"], []).append(int(r["footnote"]))
    assert set(full) == set(sources), "every work is cited in full at least once"
    for sid, s in sources.items():
        assert int(s["footnote"]) == min(full[sid]), sid


# --------------------------------------------------------------------------- dates
def _printed_forms(iso: str) -> list[str]:
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 1:
        return [str(parts[0])]
    month = [MONTHS[parts[1] - 1]] + ([ABBREV[parts[1]]] if parts[1] in ABBREV else [])
    if len(parts) == 2:
        return [f"{m} {parts[0]}" for m in month] + [f"({m} {parts[0]})" for m in month]
    return [f"{parts[2]} {m}{sep} {parts[0]}" for m in month for sep in ("", ",")]


def test_dates_are_parsed_from_the_printed_date(sources, refs):
    for sid, s in sources.items():
        text = refs[int(s["footnote"])]["citation"]
        for col in ("issued", "accessed"):
            if s[col]:
                assert any(form in text for form in _printed_forms(s[col])), (sid, col, s[col])
        if s["accessed"]:
            assert re.search(r"accessed " + "|".join(re.escape(f) for f in _printed_forms(s["accessed"])), text), sid


def test_footnotes_printing_no_date_have_none(sources, by_note, refs):
    for n in (6, 173, 188, 260):  # "[n.d.]" or "no date" printed
        assert re.search(r"\[n\.d\.\]|no date", refs[n]["citation"]), n
        sid = by_note[n][0]["source_id"]
        assert sources[sid]["issued"] == "", n
        assert "n.d." in sources[sid]["note"] or "no date" in sources[sid]["note"], n


# --------------------------------------------------------------------------- links
def test_every_footnote_cites_a_work_or_is_explanatory(refs, by_note):
    assert set(refs) - set(by_note) == EXPLANATORY
    for n in EXPLANATORY:
        assert "(note " not in refs[n]["citation"], n


def test_positions_run_from_one_in_each_footnote(by_note):
    for n, rows in by_note.items():
        assert [int(r["position"]) for r in rows] == list(range(1, len(rows) + 1)), n


def test_back_references_follow_the_printed_note(refs, by_note, data_dir):
    slips = {}
    for e in csv_records(data_dir, "errata"):
        m = re.fullmatch(r"Footnote (\d+)", e["location"])
        if m and "(note " in e["printed"]:
            slips[int(m.group(1))] = e["erratum_id"]
    checked = 0
    for n, rows in by_note.items():
        printed = [int(m) for m in re.findall(r"\(note (\d+)\)", refs[n]["citation"])]
        backrefs = [r for r in rows if r["backref_note"]]
        assert len(backrefs) == len(printed), n
        for r, p in zip(backrefs, printed):
            target = int(r["backref_note"])
            if target != p:  # only where errata.csv records the printed number as a slip
                assert n in slips and slips[n] in r["note"], (n, p, target)
            # the linked work is one the pointed-to note cites
            assert r["source_id"] in {x["source_id"] for x in by_note[target]}, (n, target)
            checked += 1
    assert checked == 42  # every "(note N)" printed in the footnotes


def test_errata_pointer_slips_link_the_intended_work(by_note):
    assert [(r["source_id"], r["backref_note"]) for r in by_note[42]] == [("us2022implementation", "29")]
    assert "e18" in by_note[42][0]["note"]
    for n, eid in ((139, "e19"), (164, "e20")):
        bansal = [r for r in by_note[n] if r["backref_note"] == "129"]
        assert len(bansal) == 1 and bansal[0]["source_id"] == "bansal2021china" and eid in bansal[0]["note"], n


def test_duplicates_are_merged(sources, names, links, by_note):
    merged = [r for r in links if "merged" in r["note"]]
    # a full citation (no back-reference) of a work whose first full citation is in an earlier footnote
    repeats = [
        r for r in links if not r["backref_note"] and int(sources[r["source_id"]]["footnote"]) < int(r["footnote"])
    ]
    assert merged == repeats
    assert {25, 49, 50, 66, 68, 104, 118, 207, 227} <= {int(r["footnote"]) for r in merged}
    for r in merged:
        assert not r["backref_note"]
        assert int(sources[r["source_id"]]["footnote"]) < int(r["footnote"])
    # no two works share a URL, or a first author, a title and its printed translation (footnote 58 cites the
    # Chinese plan, footnotes 80 and 207 DigiChina's translation of it: two works)
    urls = [s["url"] for s in sources.values() if s["url"]]
    assert len(urls) == len(set(urls))
    keys = [
        (str(_authors(names, sid)[:1]), re.sub(r"\W+", " ", s["title"].lower()).strip(), s["title_translation"])
        for sid, s in sources.items()
        if s["title"]
    ]
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]


def test_counts(sources, links, refs, by_note):
    assert len(refs) == 270
    assert len(sources) == len({r["source_id"] for r in links})  # every work is cited, none twice over
    assert len(set(refs) - set(by_note)) == 7
    assert sum(1 for r in links if r["backref_note"]) == 42
    multi = [n for n, rows in by_note.items() if len({r["source_id"] for r in rows}) > 1]
    assert 146 in multi and 63 in multi


# --------------------------------------------------------------------------- hand-checked sample
EXPECTED: dict[int, list[tuple[str, dict, list | None]]] = {
    # footnote: [(source_id, {field: value}, authors)]
    2: [
        (
            "abrami2014why",
            dict(
                type="article-magazine",
                title="Why China can't innovate",
                container_title="Harvard Business Review",
                issued="2014-03",
                url="https://hbr.org/2014/03/why-china-cant-innovate",
            ),
            [("Abrami", "Regina M."), ("Kirby", "William C."), ("McFarlan", "F. Warren")],
        )
    ],
    104: [("abrami2014why", {}, None)],  # the same article again, merged
    116: [
        (
            "chorzempa2021china",
            dict(
                type="article-journal",
                container_title="China Economic Journal",
                volume="14",
                issue="1",
                page="102–115",
                issued="2021-01",
                doi="10.1080/17538963.2020.1870278",
            ),
            [("Chorzempa", "Martin")],
        )
    ],
    65: [
        (
            "chen2020vision",
            dict(
                type="article-journal",
                container_title="IEEE Wireless Communications",
                volume="27",
                issue="2",
                page="218–228",
                issued="2020-04",
                et_al="true",
            ),
            [("Chen", "Shanzhi")],
        )
    ],
    37: [
        (
            "lockett2022china",
            dict(
                type="article-newspaper",
                container_title="Financial Times",
                issued="2022-10-10",
                title="China chip stocks lose $8.6bn in wipeout due to US export controls",
            ),
            [("Lockett", "Hudson")],
        )
    ],
    265: [
        (
            "milmo2022tiktok",
            dict(type="article-newspaper", container_title="The Guardian", issued="2022-11-02"),
            [("Milmo", "Dan")],
        )
    ],
    267: [("milmo2022tiktok", {}, None)],
    41: [
        (
            "kleinhans2022analysisb",
            dict(
                type="report",
                publisher="Stiftung Neue Verantwortung",
                issued="2022-09",
                title="Analysis of the EU Chips Act: The Crisis Response Toolbox",
            ),
            [("Kleinhans", "Jan-Peter"), ("Hess", "Julia")],
        )
    ],
    4: [
        (
            "allison2021great",
            dict(
                type="report",
                publisher="Belfer Center for Science and International Relations",
                publisher_place="Cambridge, MA",
                issued="2021-12",
                et_al="true",
            ),
            [("Allison", "Graham")],
        )
    ],
    156: [
        (
            "hung2015china",
            dict(
                type="book",
                publisher="Columbia University Press",
                publisher_place="New York",
                issued="2015",
                title="The China Boom: Why China Will Not Rule the World",
            ),
            [("Hung", "Ho-fung")],
        )
    ],
    99: [
        (
            "chorzempa2022cashless",
            dict(type="book", publisher="Public Affairs", publisher_place="New York", issued="2022"),
            [("Chorzempa", "Martin")],
        )
    ],
    34: [
        (
            "naughton2022grand",
            dict(
                type="chapter",
                editors="Frank N. Pieke and Bert Hofman",
                publisher="NUS Press",
                container_title="CPC Futures: The New Era of Socialism with Chinese Characteristics",
                issued="2022-09-07",
            ),
            [("Naughton", "Barry")],
        )
    ],
    143: [
        (
            "knoerich2021china",
            dict(type="chapter", page="145–166", publisher="Peter Lang", publisher_place="Bern", issued="2021"),
            [("Knoerich", "Jan")],
        )
    ],
    59: [
        (
            "universityndwe",
            dict(
                type="webpage",
                title="We are 6G Flagship: Welcome aboard",
                issued="",
                accessed="2022-12-18",
                url="https://www.6gflagship.com/",
            ),
            ["University of Oulu", "6G Flagship"],
        )
    ],
    270: [
        (
            "tiktokndour",
            dict(type="webpage", title="Our Commitment", issued="", accessed="2022-12-04"),
            ["TikTok Transparency Center"],
        )
    ],
    255: [
        (
            "cac2022",
            dict(
                type="legislation", title="互联网信息服务算法推荐管理规定", issued="2022-01-04", accessed="2022-12-02"
            ),
            ["CAC"],
        )
    ],
    23: [
        (
            "cyber2021",
            dict(
                type="legislation",
                issued="2021-07-13",
                title="工业和信息化部 国家互联网信息办公室 公安部关于印发网络产品安全漏洞管理规定的通知",
            ),
            ["Cyber Administration of China"],
        )
    ],
    128: [
        (
            "zhou2020understanding",
            dict(publisher="China Finance 40 Forum", issued="2020-12-13"),
            [("Zhou", "Xiaochuan")],
        )
    ],  # a Chinese name printed family name first
    146: [
        ("tran2021digital", {}, None),
        (
            "brunnermeier2022digital",
            dict(type="report", publisher="European Parliament", publisher_place="Luxembourg", issued="2022"),
            [("Brunnermeier", "Markus K."), ("Landau", "Jean-Pierre")],
        ),
    ],
    150: [("brunnermeier2022digital", {}, None)],
    42: [("us2022implementation", dict(issued="2022-10-13"), ["US Industry and Security Bureau"])],
    187: [
        (
            "huawei2018huawei",
            dict(
                url="https://www.huawei.com/en/news/2018/10/huawei-audi-l4-automatic-driving",
                container_title="Huawei",
                issued="2018-10-11",
                accessed="2022-12-13",
            ),
            [],
        )
    ],
    22: [
        (
            "heubl2022schweizer",
            dict(
                title="Schweizer Behörden setzen auf chinesische Sicherheitskameras",
                title_translation="Swiss authorities rely on Chinese security cameras",
                container_title="SFR",
            ),
            [("Heubl", "Bernd"), ("Schürer", "Christian")],
        )
    ],
    166: [
        (
            "fischione2022ai",
            dict(page="47–64", issued="2022-01"),
            [("Fischione", "Carlo"), ("van der Lugt", "Sanne"), ("van der Putten", "Frans-Paul")],
        )
    ],
    1: [],
    167: [],
}


@pytest.mark.parametrize("footnote", sorted(EXPECTED))
def test_hand_checked_footnotes(footnote, sources, names, by_note):
    expected = EXPECTED[footnote]
    got = by_note.get(footnote, [])
    assert [r["source_id"] for r in got] == [sid for sid, _, _ in expected]
    for sid, fields, authors in expected:
        s = sources[sid]
        for k, v in fields.items():
            assert s[k] == v, (footnote, sid, k)
        if authors is not None:
            assert _authors(names, sid) == authors, (footnote, sid)


def test_sample_covers_the_kinds_the_issue_lists(sources):
    kinds = {sources[sid]["type"] for rows in EXPECTED.values() for sid, _, _ in rows}
    assert {"article-journal", "article-newspaper", "report", "book", "chapter", "webpage", "legislation"} <= kinds
    assert len(EXPECTED) >= 20
