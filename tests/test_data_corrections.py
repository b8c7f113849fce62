"""Regression tests for the data corrections of an audit (issue 11, part D).

Each test fails on the data as it was before the correction: a footnote URL cut
at a page break, errata that were wrong (chapter, claimed conflicts, a non-slip),
Figure 5.3's status, a descriptor pointing to a missing file, units of an
organisation counted as separate actors, a state platform grouped as a company,
a package the stock Frictionless validator rejects, and evidence texts of the
errata that did not say exactly what the report prints.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

HUAWEI_AUDI = "https://www.huawei.com/en/news/2018/10/huawei-audi-l4-automatic-driving"


def _errata(package):
    return package["errata"].set_index("erratum_id")


# --------------------------------------------------------------------------- 1. footnote URLs
def test_footnote_187_url_continues_after_the_page_break(package):
    refs = package["references"].set_index("footnote")
    assert refs.loc[187, "url"] == HUAWEI_AUDI
    assert f"<{HUAWEI_AUDI}>" in refs.loc[187, "citation"]
    assert "hand override" in refs.loc[187, "note"]


def test_every_url_fragment_of_the_text_is_in_a_footnote(package, source_lines):
    """Every URL (or URL tail left on its own line by a page break) the text prints is part of
    some footnote's citation: none is cut off, as footnote 187's was."""
    citations = " ".join(package["references"]["citation"])
    token = re.compile(
        r"(?:https?://|www\.)[^\s<>\[\]()]+"
        r"|\b[\w.-]+\.(?:com|org|net|cn|eu|de|html?|pdf)/[^\s<>()\[\]]*"
        r"|\b[\w-]+/[\w/-]+/[^\s<>()\[\]]*"
    )
    lost = []
    for i, line in enumerate(source_lines, start=1):
        for m in token.finditer(line):
            t = m.group(0).rstrip(".,;>")
            if len(t) >= 8 and t not in citations:
                lost.append(f"line {i}: {t}")
    assert not lost, "URL text in the report that no footnote carries:\n" + "\n".join(lost)


def test_every_url_is_complete_in_its_citation(package):
    refs = package["references"].dropna(subset=["url"])
    for fn, cit, url in zip(refs["footnote"], refs["citation"], refs["url"]):
        assert url in cit, fn
        # a bare domain is only right where the citation prints nothing after it
        if re.fullmatch(r"(https?://)?[^/]+/?", url):
            after = cit[cit.index(url) + len(url) :]
            assert not re.match(r">*\.? *\S*/", after), (fn, url)


def test_extract_references_reproduces_references_csv(tmp_path, data_dir, source, project_root):
    from osa_utils.fidelity import source_path

    out = tmp_path / "references.csv"
    env = {"OSA_SOURCE_TEXT": str(source_path()), "PATH": ""}
    run = subprocess.run(
        [sys.executable, str(project_root / "tools" / "extract_references.py"), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert out.read_bytes() == (data_dir / "references.csv").read_bytes()


def test_extract_references_stops_on_a_url_tail_no_footnote_takes(tmp_path, source, project_root):
    """Without the hand override for footnote 187, the script refuses instead of truncating."""
    from osa_utils.fidelity import source_path

    script = (project_root / "tools" / "extract_references.py").read_text(encoding="utf-8")
    assert "    187: [1897, 1919],\n" in script
    copy = tmp_path / "tools" / "extract_references.py"
    copy.parent.mkdir()
    copy.write_text(script.replace("    187: [1897, 1919],\n", ""), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(copy), str(tmp_path / "out.csv")],
        capture_output=True,
        text=True,
        env={"OSA_SOURCE_TEXT": str(source_path()), "PATH": ""},
        timeout=120,
    )
    assert run.returncode != 0 and "1919" in run.stderr
    assert not (tmp_path / "out.csv").exists()


# --------------------------------------------------------------------------- 2, 3, 5. errata rows
def test_errata_on_footnotes_carry_the_footnotes_chapter(package):
    """e24 (footnotes 177-178) said chapter 7; the footnotes are in chapter 6."""
    refs = package["references"].set_index("footnote")["chapter"]
    checked = 0
    for eid, e in _errata(package).iterrows():
        m = re.match(r"Footnotes? (\d+)", e["location"])
        if m:
            assert int(e["chapter"]) == int(refs.loc[int(m.group(1))]), eid
            checked += 1
    assert checked >= 10
    assert int(_errata(package).loc["e24", "chapter"]) == 6


def test_figure_5_1_and_the_text_are_not_listed_as_conflicting(package):
    """'12.7 billion RMB (Jan. to Aug. 2022)' vs the cumulative 'approximately 100 billion yuan'
    and '360 million (in 2022)' vs the lower bound 'over 8.08 million': no conflict."""
    errata = _errata(package)
    assert "e28" not in errata.index
    assert not errata["printed"].str.contains("12.7 billion RMB", regex=False).any()
    kf = package["key_figures"].set_index("key_figure_id")
    for k in ("kf091", "kf092", "kf095", "kf096"):
        note = str(kf.loc[k, "note"])
        assert "Disagrees" not in note and ("does not conflict" in note or "do not conflict" in note), k
    assert kf.loc["kf095", "qualifier"] == "more than"
    sup = package["supplementary_figures"].set_index("figure_id")
    s53 = sup.loc["s5.3"]
    assert "disagree" not in (s53["caption"] + " " + s53["note"]).lower()
    assert "e28" not in s53["note"]


def test_pbc_is_not_an_erratum(package):
    """'Part of the PBC' uses the People's Bank of China's own English abbreviation."""
    errata = _errata(package)
    assert "e6" not in errata.index
    assert "Part of the PBC" not in set(errata["printed"])


def test_every_erratum_id_mentioned_in_the_data_exists(package, data_dir):
    ids = set(_errata(package).index)
    mentioned = set()
    for p in sorted(data_dir.glob("*.csv")) + [data_dir / "datapackage.json"]:
        if p.name == "errata.csv":
            continue
        mentioned |= set(re.findall(r"\berrat(?:a|um) (e\d+)\b", p.read_text(encoding="utf-8")))
    assert mentioned and mentioned <= ids, sorted(mentioned - ids)


# --------------------------------------------------------------------------- 4. Figure 5.3
def test_figure_5_3_is_not_reproducible(package):
    f = package["figures"].set_index("figure_id").loc["5.3"]
    assert f["status"] == "not_reproducible"
    assert pd.isna(f["tables"])
    assert "footnote 134" in f["status_reason"]


# --------------------------------------------------------------------------- 6. README
def test_files_the_descriptor_names_exist(data_dir):
    """The key_figures description pointed to key_figures_notes.md, which never existed."""
    text = (data_dir / "datapackage.json").read_text(encoding="utf-8")
    named = set(re.findall(r"[\w./-]+\.md\b", text))
    assert "README.md" in " ".join(named)
    for name in named:
        if "/" not in name:
            assert (data_dir / name).is_file(), name
    readme = (data_dir / "README.md").read_text(encoding="utf-8")
    for heading in ("## Conventions", "## How rows are numbered", "## Key figures"):
        assert heading in readme


# --------------------------------------------------------------------------- 7. parent_actor_id
def test_units_name_their_organisation(package, descriptor):
    a = package["actors"]
    parent = a.set_index(["figure", "row"])["parent_actor_id"]
    assert parent[("3.3", 3)] == "huawei"  # Huawei & Huawei Cloud
    assert parent[("3.3", 11)] == "ndrc"  # NDRC departments
    assert parent[("4.1", 10)] == "ndrc"  # 'Policy think tank under the NDRC'
    assert parent[("5.2", 2)] == "pboc"  # 'Part of the PBC'
    assert pd.isna(parent[("4.1", 5)])  # Huawei itself
    ids = set(a["actor_id"])
    parents = set(a["parent_actor_id"].dropna())
    assert parents <= ids
    # one level: a parent is an organisation of its own, and no row is its own parent
    assert a[a["actor_id"].isin(parents)]["parent_actor_id"].isna().all()
    assert not (a["parent_actor_id"] == a["actor_id"]).any()
    res = next(r for r in descriptor["resources"] if r["name"] == "actors")
    names = [f["name"] for f in res["schema"]["fields"]]
    assert names.index("parent_actor_id") == names.index("actor_id") + 1
    assert {"fields": ["parent_actor_id"], "reference": {"resource": "", "fields": ["actor_id"]}} in res["schema"][
        "foreignKeys"
    ]


def test_an_unknown_parent_is_refused(data_copy):
    from osa_utils.data import check

    p = data_copy / "actors.csv"
    text = p.read_text(encoding="utf-8")
    assert ",huawei_and_huawei_cloud,huawei," in text
    p.write_text(
        text.replace(",huawei_and_huawei_cloud,huawei,", ",huawei_and_huawei_cloud,huawei_group,"), encoding="utf-8"
    )
    problems = check(data_copy)
    assert any(pr.file == "actors.csv" and "parent_actor_id" in str(pr.column) for pr in problems), problems


def test_recurrence_is_counted_per_organisation(tmp_path, data_dir):
    from osa_utils.notebook import Chapter

    f = Chapter(data_dir, tmp_path, "png", 50, "en").recurring_actor_frame().set_index("actor_id")
    assert f.loc["huawei", "chapters"] == 4  # 3.3 (with Huawei Cloud), 4.1, 6.1, 7.1
    assert f.loc["ndrc", "chapters"] == 3  # 3.3 (departments), 4.1, 6.1
    assert "huawei_and_huawei_cloud" not in f.index


# --------------------------------------------------------------------------- 8. actor types
def test_imt2020_promotion_group_is_not_a_company(package):
    from osa_utils.plots.actors import actor_type_group

    a = package["actors"]
    row = a[a["actor_id"] == "imt_2020_5g_promotion_group"].iloc[0]
    assert "established by state actors" in row["description"]
    assert actor_type_group(row["actor_type"]) != "company"
    for t in a["actor_type"]:
        if actor_type_group(t) == "company":
            assert re.search(r"company|corporation", t, re.I), t


# --------------------------------------------------------------------------- 9. the stock validator
def test_every_resource_declares_its_csv_dialect(descriptor, data_dir):
    for res in descriptor["resources"]:
        d = res.get("dialect")
        assert d == {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True, "lineTerminator": "\n"}, (
            res["name"]
        )
        raw = (data_dir / res["path"]).read_bytes()
        assert b"\r\n" not in raw and raw.endswith(b"\n"), res["path"]


def test_stock_frictionless_validate_reports_valid(project_root):
    exe = Path(sys.executable).parent / "frictionless"
    if not exe.exists():
        pytest.skip(f"no frictionless executable beside {sys.executable}")
    run = subprocess.run(
        [str(exe), "validate", "data/datapackage.json"], cwd=project_root, capture_output=True, text=True, timeout=600
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    assert "INVALID" not in out and "VALID" in out


# --------------------------------------------------------------------------- 10. errata sweep
QUOTED = re.compile(r"(?<![\w])'(\S.*?\S|\S)'(?!\w)")


def test_every_erratum_quotes_the_report_exactly(package, source):
    """The printed slip, and every passage the evidence quotes, is in the report's text."""
    bad = []
    for eid, e in _errata(package).iterrows():
        if not source.contains(e["printed"]):
            bad.append(f"{eid} printed: {e['printed']!r}")
        for q in QUOTED.findall(e["evidence"]):
            if not source.contains(q):
                bad.append(f"{eid} evidence: {q!r}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    "eid,wrong",
    [
        ("e5", "Every other bank in the table"),  # BOCOM, MYbank, WeBank... are not initials in order
        ("e10", "'State Key Laboratory'/国家重点实验室"),  # row 1 prints 國家重點實驗室
        ("e15", "The same sentence says"),  # 2019 is in the sentence before
        ("e16", "chapters 4 and 6 print"),  # the chapter 4 text prints no '(NDRC)'
        ("e17", "Chapter 4 and Figure 4.1 print 'Cyberspace Administration of China (CAC)'"),  # Figure 4.1 has no (CAC)
        ("e24", "Footnote 177's URL ends"),  # its first URL is electronicdesign.com
    ],
)
def test_evidence_texts_that_misquoted_are_corrected(package, eid, wrong):
    assert wrong not in _errata(package).loc[eid, "evidence"]


def test_figure_4_1_prints_no_cac_abbreviation(source_lines):
    """The fact behind e17's corrected evidence."""
    row = [l for l in source_lines if l.startswith("Policy Institution\t Cyberspace Administration of China")]
    assert len(row) == 1 and "(CAC)" not in row[0]


NEW_ERRATA = {  # id: printed
    "e37": "Megavii (facial recognition)",
    "e38": "Hofung Hung",
    "e39": "Center for Security and Emerging Technology (CEST)",
    "e40": "The Center for Security and Emerging Technologies",
    "e41": "China Academy of Information and Communication Technology (CAICT)",
    "e42": "MERICs",
    "e43": "Cyber Administration of China",
    "e44": "China Cyberspace Administration",
    "e45": "Sensetime",
    "e46": "Bytedance",
    "e47": "CETC's HikVision",
    "e48": "Alipay and WechatPay",
    "e49": "German Council on Foreign Relation",
    "e50": "Swedish Institution of International Affairs",
    "e51": "Tik Tok",
}


def test_slips_found_by_the_sweep_are_listed(package, source):
    errata = _errata(package)
    for eid, printed in NEW_ERRATA.items():
        assert errata.loc[eid, "printed"] == printed
        assert source.contains(printed), eid
    # the other spelling the evidence relies on is printed too
    for other in (
        "Megvii",
        "Ho-fung Hung",
        "Center for Security and Emerging Technology",
        "China Academy of Information and Communications Technology (CAICT)",
        "MERICS",
        "Cyberspace Administration of China",
        "SenseTime",
        "ByteDance",
        "CETC/Hikvision",
        "WeChatPay",
        "German Council on Foreign Relations",
        "Swedish Institute of International Affairs",
        "TikTok",
    ):
        assert source.contains(other), other
