"""Chapter 8's app checklist and every chapter's recommendations as data (issue 13).

The verbatim cells of app_criteria.csv, app_evidence.csv and recommendations.csv are
checked against the report text by test_fidelity.py like every other table; this file
checks their structure against the text: how many criteria each level prints, the
paragraph the last three micro criteria share, the findings the chapter states, that
every recommendations section has rows and every row's dimension has a basis or a
reason. Each check is a function returning a list of problems, so the tests at the end
can show it fails on a corrupted copy.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from osa_utils.fidelity import ELISION, Source, normalize

DIMENSIONS = {"supply_chain", "national_security", "values_sustainability", "competitiveness"}
CHECKLIST = "Criteria for assessing Chinese AI-based consumer applications for use within the EU"


def _s(value) -> str:
    """A cell as text: '' for an empty cell."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _in_order(cell: str, text: str) -> bool:
    """The pieces of *cell* between ' […] ' occur in *text*, in order (both normalized)."""
    return Source._in_order([normalize(p) for p in ELISION.split(cell)], normalize(text))


def _footnotes(cell) -> list[int]:
    return [int(n) for n in _s(cell).split(";") if n]


# --------------------------------------------------------------------------- the text
def _section(lines: list[str], heading: str, end: str = "Authors:") -> list[str]:
    start = lines.index(heading)
    stop = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(end))
    return lines[start + 1 : stop]


def printed_criteria(lines: list[str]) -> dict[str, int]:
    """Criteria per level as the text prints them: one per top-level bullet, and in the
    micro list's last bullet one per italic name (it names three criteria)."""
    body = _section(lines, CHECKLIST, end="Policy recommendations for the EU")
    split = next(i for i, line in enumerate(body) if line.startswith("At the micro-level"))

    def bullets(part):
        # top-level bullets; the algorithm's sub-list of factors is indented, except its last
        # item, which follows a page break: an item whose previous text line ends in ';' is a sub-item
        text = [line for line in part if line.strip()]
        return [
            line
            for k, line in enumerate(text)
            if line.startswith("- ") and not (k and text[k - 1].rstrip().endswith(";"))
        ]

    macro, micro = bullets(body[:split]), bullets(body[split:])
    last = micro[-1]
    return {"macro": len(macro), "micro": len(micro) - 1 + len(re.findall(r"\*[^*]+\*", last))}


# --------------------------------------------------------------------------- checks
def criteria_problems(crit: pd.DataFrame, source) -> list[str]:
    out = []
    for level, frame in crit.groupby("level"):
        orders = sorted(int(o) for o in frame["order"])
        if orders != list(range(1, len(orders) + 1)):
            out.append(f"{level}: order is not 1..{len(orders)}: {orders}")
    own = crit[crit["name_is_collections"].astype(bool)]
    if list(own["criterion_id"]) != ["legal_data_requests"]:
        out.append(
            f"exactly the first macro criterion has a name of this collection's, found {list(own['criterion_id'])}"
        )
    for _, r in own.iterrows():
        if not (r["level"] == "macro" and int(r["order"]) == 1 and "collection" in _s(r["note"])):
            out.append(f"{r['criterion_id']}: a collection's name must be the first macro criterion's, with a note")
    for _, r in crit[~crit["name_is_collections"].astype(bool)].iterrows():
        if not source.contains(r["name"]):
            out.append(f"{r['criterion_id']}: name {r['name']!r} is not printed in the report")
    return out


def shared_paragraph_problems(crit: pd.DataFrame) -> list[str]:
    """The last three micro criteria share one printed paragraph, which names all three."""
    out = []
    micro = crit[crit["level"] == "micro"].sort_values("order")
    last3 = micro.tail(3)
    paragraphs = set(last3["explanation"])
    if len(paragraphs) != 1:
        out.append(f"the last three micro criteria have {len(paragraphs)} different explanations, expected one shared")
    else:
        paragraph = paragraphs.pop()
        for _, r in last3.iterrows():
            if r["name"] not in paragraph:
                out.append(f"{r['criterion_id']}: the shared paragraph does not name {r['name']!r}")
            if "share" not in _s(r["note"]):
                out.append(f"{r['criterion_id']}: the note must say the paragraph is shared")
        if paragraph in set(crit.drop(last3.index)["explanation"]):
            out.append("another criterion repeats the shared paragraph")
    return out


def evidence_problems(ev: pd.DataFrame, crit: pd.DataFrame) -> list[str]:
    out = []
    explanation = crit.set_index("criterion_id")["explanation"]
    for i, r in ev.iterrows():
        where = f"app_evidence row {i + 2} ({r['criterion_id']}, {r['app']})"
        quote = _s(r["quote"]).strip()
        if not quote:
            out.append(f"{where}: an evidence row without a quote")
            continue
        if r["criterion_id"] not in explanation.index:
            out.append(f"{where}: unknown criterion")
            continue
        if not _in_order(quote, explanation[r["criterion_id"]]):
            out.append(f"{where}: the quote is not part of the criterion's printed text")
        finding = _s(r["stated_finding"])
        if finding and not (_in_order(finding, quote) or _in_order(finding, explanation[r["criterion_id"]])):
            out.append(f"{where}: stated_finding is not in the quote or the criterion's text")
    if ev.duplicated(["criterion_id", "app"]).any():
        out.append("a criterion x app pair has more than one row")
    return out


def recommendation_problems(rec: pd.DataFrame, refs: pd.DataFrame) -> list[str]:  # noqa: C901 - one check after another, each a few lines
    out = []
    fn_chapter = refs.set_index("footnote")["chapter"]
    for ch, frame in rec.groupby("chapter"):
        orders = sorted(int(o) for o in frame["order"])
        if orders != list(range(1, len(orders) + 1)):
            out.append(f"chapter {ch}: order is not 1..{len(orders)}")
        if frame["section"].nunique() != 1:
            out.append(f"chapter {ch}: more than one section heading")
    for i, r in rec.iterrows():
        where = f"recommendations row {i + 2} ({r['recommendation_id']})"
        if r["recommendation_id"] != f"r{int(r['chapter'])}_{int(r['order']):02d}":
            out.append(f"{where}: id does not follow r<chapter>_<order>")
        dim, reason = _s(r["dimension_id"]), _s(r["dimension_reason"])
        basis, printed = _s(r["dimension_basis"]), _s(r["dimension_printed"])
        others = [d for d in _s(r["other_dimension_ids"]).split(";") if d]
        if dim:
            if reason:
                out.append(f"{where}: a dimension and a reason for having none")
            if not (basis and printed):
                out.append(f"{where}: a dimension without dimension_basis and dimension_printed")
            if basis in ("lead", "text"):
                field = r["lead"] if basis == "lead" else r["text"]
                if not _in_order(printed, _s(field)):
                    out.append(f"{where}: dimension_printed is not in the row's {basis}")
            if dim in others or len(set(others)) != len(others) or not set(others) <= DIMENSIONS:
                out.append(f"{where}: other_dimension_ids {others} repeat dimension_id or are not dimensions")
        else:
            if not reason.strip():
                out.append(f"{where}: no dimension and no reason")
            if basis or printed or others:
                out.append(f"{where}: no dimension_id but a basis, printed words or other dimensions")
        if _s(r["form"]) in ("heading", "lead") and not _s(r["lead"]):
            out.append(f"{where}: form {r['form']} without a lead")
        if _s(r["form"]) in ("bullet", "paragraph") and _s(r["lead"]):
            out.append(f"{where}: form {r['form']} with a lead")
        for fn in _footnotes(r["footnotes"]):
            if fn not in fn_chapter.index or int(fn_chapter[fn]) != int(r["chapter"]):
                out.append(f"{where}: footnote {fn} is not a footnote of chapter {r['chapter']}")
    return out


# --------------------------------------------------------------------------- the checklist
def test_criteria_per_level_as_printed(package, source_lines):
    printed = printed_criteria(source_lines)
    assert printed == {"macro": 4, "micro": 8}, printed  # what the text prints (and the issue lists)
    counts = package["app_criteria"]["level"].value_counts().to_dict()
    assert counts == printed


def test_criteria_names_and_order(package, source):
    assert criteria_problems(package["app_criteria"], source) == []


def test_spelling_as_printed(package):
    names = set(package["app_criteria"]["name"])
    assert "platform democratization opportunities" in names
    assert not any("democratis" in n for n in names)


def test_last_three_micro_criteria_share_one_paragraph(package):
    crit = package["app_criteria"]
    assert shared_paragraph_problems(crit) == []
    last3 = crit[crit["level"] == "micro"].sort_values("order").tail(3)
    assert list(last3["criterion_id"]) == ["cross_border_obstacles", "content_censorship", "platform_democratization"]


def test_criteria_footnotes_are_chapter_8s(package):
    refs = package["references"].set_index("footnote")["chapter"]
    for table in ("app_criteria", "app_evidence"):
        for cell in package[table]["footnotes"]:
            for fn in _footnotes(cell):
                assert int(refs[fn]) == 8, (table, fn)


# --------------------------------------------------------------------------- the evidence
def test_every_evidence_row_has_a_quote_from_its_criterion(package):
    assert evidence_problems(package["app_evidence"], package["app_criteria"]) == []


@pytest.mark.parametrize(
    "criterion, app, finding",
    [
        ("content_censorship", "TikTok", "has not thus far been clearly detected"),
        ("content_censorship", "WeChat", "has not thus far been clearly detected"),
        ("platform_democratization", "TikTok", "yet to set up such structures"),
        ("platform_democratization", "WeChat", "yet to set up such structures"),
        ("platform_democratization", "Face++", "yet to set up such structures"),
    ],
)
def test_stated_findings_quoted_in_the_issue(package, criterion, app, finding):
    ev = package["app_evidence"].set_index(["criterion_id", "app"])
    assert ev.loc[(criterion, app), "stated_finding"] == finding


def test_no_row_where_the_chapter_gives_no_evidence(package):
    ev = package["app_evidence"]
    pairs = set(zip(ev["criterion_id"], ev["app"]))
    # content censorship: the text names TikTok and WeChat Europe, not Face++
    assert ("content_censorship", "Face++") not in pairs
    # repressive surveillance names only Face++; bans name TikTok and Face++, not WeChat
    assert {a for c, a in pairs if c == "repressive_surveillance_use"} == {"Face++"}
    assert {a for c, a in pairs if c == "partner_country_bans"} == {"TikTok", "Face++"}
    # the explanation of a micro criterion about one app gives no row for the others
    assert {a for c, a in pairs if c == "algorithm_features"} == {"TikTok"}


def test_findings_are_only_where_stated(package):
    ev = package["app_evidence"]
    with_finding = ev[ev["stated_finding"].notna()]
    # every finding is words of the text, never a verdict word of this collection's
    for finding in with_finding["stated_finding"]:
        assert finding.lower() not in {"concern", "no_concern", "unclear", "yes", "no"}
    # examples of what might happen carry no finding
    examples = ev[
        ev["criterion_id"].isin(
            ["legal_data_requests", "repressive_surveillance_use", "partner_country_bans", "cross_border_obstacles"]
        )
    ]
    assert examples["stated_finding"].isna().all()


# --------------------------------------------------------------------------- recommendations
def test_every_recommendations_section_has_rows(package, source_lines):
    rec = package["recommendations"]
    sections = rec.groupby("chapter")["section"].first()
    assert set(sections.index) == set(range(2, 9)), "chapters 2-8 each print a recommendations section"
    stripped = [line.strip() for line in source_lines]
    for ch, heading in sections.items():
        assert heading in stripped, f"chapter {ch}: section heading {heading!r} is not a printed line"
    # the executive summary and introduction print none (their method is in method_steps.csv)
    assert not set(rec["chapter"]) & {0, 1}


def test_recommendation_rows_are_consistent(package):
    assert recommendation_problems(package["recommendations"], package["references"]) == []


def test_counts_per_chapter(package, source_lines):
    rec = package["recommendations"]
    counts = rec["chapter"].value_counts().to_dict()
    # bullets as printed: chapters 5, 6 and 8 (one row per bullet or lead)
    for ch, heading in [
        (5, "Policy recommendations"),
        (6, "Recommendations for EU and EU member state policymakers"),
        (
            8,
            "Policy recommendations for the EU / EU member states in relation to the different dimensions of strategic autonomy",
        ),
    ]:
        bullets = [line for line in _section(source_lines, heading) if re.match(r"- \S", line)]
        assert counts[ch] == len(bullets), (ch, len(bullets))
    # headings as printed lines: chapters 2 and 7
    stripped = {line.strip() for line in source_lines}
    for ch in (2, 7):
        leads = rec.loc[rec["chapter"] == ch, "lead"]
        assert leads.map(lambda lead: lead in stripped).all(), ch
    assert counts == {2: 4, 3: 9, 4: 8, 5: 4, 6: 8, 7: 6, 8: 8}


def test_chapter_5_recommendations_carry_their_dimensions(package):
    ch5 = package["recommendations"].query("chapter == 5")
    assert ch5["dimension_id"].notna().all()
    assert set(ch5["dimension_id"]) == DIMENSIONS
    assert (ch5["dimension_basis"] == "text").all()


def test_dimension_headings_tie_chapters_4_6_7(package):
    rec = package["recommendations"].set_index("recommendation_id")
    assert list(rec.loc[["r4_01", "r4_02", "r4_03", "r4_04"], "dimension_id"]) == [
        "supply_chain",
        "national_security",
        "values_sustainability",
        "competitiveness",
    ]
    ch6 = rec[rec["chapter"] == 6]
    assert (
        ch6["dimension_id"].tolist()
        == ["supply_chain"] * 3 + ["national_security"] + ["values_sustainability"] * 2 + ["competitiveness"] * 2
    )
    assert (ch6["dimension_basis"] == "heading").all()


def test_every_row_without_a_dimension_has_a_reason(package):
    rec = package["recommendations"]
    empty = rec[rec["dimension_id"].isna()]
    assert len(empty) > 0
    assert empty["dimension_reason"].fillna("").str.strip().str.len().gt(0).all()
    assert rec[rec["dimension_id"].notna()]["dimension_reason"].isna().all()


# --------------------------------------------------------------------------- the checks can fail
def test_checks_fail_on_corrupted_copies(package, source):
    crit = package["app_criteria"].copy()
    ev = package["app_evidence"].copy()
    rec = package["recommendations"].copy()
    refs = package["references"]

    bad = crit.copy()
    bad.loc[bad["criterion_id"] == "content_censorship", "explanation"] = "Content censorship is not a concern."
    assert shared_paragraph_problems(bad)

    bad = crit.copy()
    bad.loc[bad["criterion_id"] == "content_censorship", "name"] = "Content censorship (invented)"
    assert criteria_problems(bad, source)

    bad = ev.copy()
    bad.loc[0, "quote"] = "   "
    assert any("without a quote" in p for p in evidence_problems(bad, crit))

    bad = ev.copy()
    i = bad.index[(bad["criterion_id"] == "content_censorship") & (bad["app"] == "TikTok")][0]
    bad.loc[i, "stated_finding"] = "has been clearly detected and is a concern"
    assert evidence_problems(bad, crit)

    bad = rec.copy()
    bad.loc[bad["recommendation_id"] == "r8_01", "dimension_reason"] = pd.NA
    assert any("no dimension and no reason" in p for p in recommendation_problems(bad, refs))

    bad = rec.copy()
    bad.loc[bad["recommendation_id"] == "r5_02", "dimension_printed"] = "To safeguard supply chains"
    assert recommendation_problems(bad, refs)

    bad = rec.copy()
    bad.loc[bad["recommendation_id"] == "r2_01", "footnotes"] = "48;49;260"
    assert any("footnote 260" in p for p in recommendation_problems(bad, refs))


def test_printed_criteria_counter_reads_the_text(source_lines):
    lines = list(source_lines)
    i = next(k for k, line in enumerate(lines) if line.startswith("- *Scope of data transfer:*"))
    del lines[i]
    assert printed_criteria(lines)["micro"] == 7
