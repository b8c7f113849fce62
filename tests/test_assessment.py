"""A new technology assessed with the report's method (osa_utils.assess, notebook new_assessment).

The notebook runs twice through papermill (the shipped example; one bad CSV);
everything else runs in this process, so the file takes well under a minute.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from osa_utils import PROJECT_ROOT, style
from osa_utils.assess import NOTEBOOK, check_technology, is_example, load_assessment
from osa_utils.data import DataValidationError
from osa_utils.params import ParameterError
from osa_utils.sections.assessment import ILLUSTRATION, NOT_FROM_REPORT, ROW_SUFFIX
from osa_utils.tools import run_assessment

EXAMPLE = PROJECT_ROOT / "data" / "examples" / "assessment_quantum.csv"
LABEL = "Quantum computing (illustration)"
HEADER = b"dimension_id,challenge,importance,instrument\n"
#: A technology the report does not cover, assessed by "a user": 3 rows over 2 dimensions.
OWN_CSV = HEADER + (
    b"supply_chain,Dependence on Chinese cell and precursor suppliers,4,Diversification incentives\n"
    b"supply_chain,Few non-Chinese refiners of graphite,3,\n"
    b"competitiveness,Scale advantage of Chinese gigafactories,2,R&D investment\n"
)


def _outputs(tid: str, formats=("png", "svg")) -> set[str]:
    return {f"fig-assessment-{tid}-{k}.{f}" for k in ("matrix", "profile") for f in formats} | {
        f"tab-assessment-{tid}-{k}.{f}" for k in ("risks", "instruments") for f in ("csv", "html")
    }


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("assessment") / "out"
    return out, run_assessment(EXAMPLE, "quantum_example", LABEL, out)


@pytest.fixture
def chapter(tmp_path):
    from osa_utils.notebook import Chapter

    return Chapter(PROJECT_ROOT / "data", tmp_path / "out", formats="png", dpi=72)  # fast; svg: notebook run


@pytest.fixture
def captions(monkeypatch):
    """Every (header, source, note) given to style.add_caption while the test runs."""
    seen = []
    original = style.add_caption

    def spy(fig, header, source, note=""):
        seen.append((header, source, note))
        return original(fig, header, source, note)

    monkeypatch.setattr(style, "add_caption", spy)
    return seen


# --------------------------------------------------------------------------- the notebook
def test_notebook_is_written_like_the_chapters():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    first, second = cells[0], cells[1]
    text = "".join(first["source"])
    assert first["cell_type"] == "markdown" and text.startswith("# ")
    steps = pd.read_csv(PROJECT_ROOT / "data" / "method_steps.csv")["name"]
    for name in steps:  # the step names as the report words them
        assert name in text, name
    assert "not a finding of the report" in text
    assert "parameters" in second["metadata"].get("tags", [])
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in cells if c["cell_type"] == "code")
    namespace: dict = {}
    exec("".join(second["source"]), namespace)
    defaults = {k: v for k, v in namespace.items() if not k.startswith("__")}
    defaults.pop("__annotations__", None)
    # None: the worked example, the collection's data/ and output/assessment, wherever the kernel runs
    assert defaults == {
        "assessment_csv": None,
        "assessment_sheet": None,
        "technology_id": "quantum_example",
        "technology_label": LABEL,
        "figures_dir": None,
        "output_dir": None,
        "data_dir": None,
        "formats": "png,svg",
        "dpi": 150,
        "name_lang": "en",
    }


def test_example_notebook_writes_the_four_outputs(example_run):
    out, files = example_run
    assert {p.name for p in files} == _outputs("quantum_example")
    assert all(p.parent == out and p.stat().st_size > 0 for p in files)
    for kind in ("risks", "instruments"):
        for ext in ("html", "csv"):
            text = (out / f"tab-assessment-quantum_example-{kind}.{ext}").read_text(encoding="utf-8")
            assert NOT_FROM_REPORT in text and ILLUSTRATION in text, (kind, ext)
    risks = pd.read_csv(out / "tab-assessment-quantum_example-risks.csv", dtype=str)
    assert len(risks) == 4  # one row per dimension
    assert risks.iloc[1, 2] == "4 / 3"  # national security: one score per challenge, in file order
    tools = pd.read_csv(out / "tab-assessment-quantum_example-instruments.csv", dtype=str)
    # scored 3 or 4: supply chains (3), national security (4), competitiveness (3); not values (2)
    assert tools.iloc[:, 0].tolist() == [
        "Resilience of supply chains",
        "Criticality/national security",
        "Technological competitiveness",
    ]
    assert "Regulation • Certification • Standardization • Like-minded sourcing" in tools.iloc[:, 3].tolist()


def test_a_bad_row_stops_before_the_notebook_with_its_location(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(HEADER + b"supply_chain,Dependence on one supplier,5,\n")
    with pytest.raises(DataValidationError) as info:
        run_assessment(bad, "battery_cells", "Battery cells", tmp_path / "out")
    assert "bad.csv:2:importance: value out of range (found '5', expected 1 to 4)" in str(info.value)
    assert not (tmp_path / "out").exists(), "nothing is written"


# --------------------------------------------------------------------------- in process
def test_the_example_is_labelled_an_illustration_everywhere(chapter, captions):
    df = load_assessment(EXAMPLE)
    assert df.attrs["is_example"] and is_example(EXAMPLE)
    chapter.assessment_profile(df, "quantum_example", LABEL)
    chapter.assessment_matrix(df, "quantum_example", LABEL)
    assert len(captions) == 2
    for header, source, note in captions:
        assert "not a finding of the report" in header
        assert source.startswith(f"Source: {NOT_FROM_REPORT}")
        assert note == ILLUSTRATION


def test_own_csv_of_another_technology(chapter, captions, tmp_path):
    own = tmp_path / "battery.csv"
    own.write_bytes(OWN_CSV)
    df = load_assessment(own)
    assert df["item"].tolist() == [1, 2, 1] and not df.attrs["is_example"]
    tid, label = "battery_cells", "Battery cells"
    chapter.assessment_table(df, tid, label)
    chapter.assessment_profile(df, tid, label)
    chapter.assessment_matrix(df, tid, label)
    chapter.typical_instruments(df, tid, label)
    assert {p.name for p in chapter.written} == _outputs(tid, formats=("png",))
    for header, source, note in captions:
        assert NOT_FROM_REPORT in source and ILLUSTRATION not in source + note + header
    risks = pd.read_csv(tmp_path / "out" / f"tab-assessment-{tid}-risks.csv", dtype=str, keep_default_na=False)
    assert risks.iloc[0, 2] == "4 / 3" and "no challenge listed" in risks.iloc[1, 1]
    html = (tmp_path / "out" / f"tab-assessment-{tid}-instruments.html").read_text(encoding="utf-8")
    assert "Diversification" in html and "Technical and vendor trustworthiness" not in html  # only dims at 3-4
    assert ILLUSTRATION not in html and NOT_FROM_REPORT in html


def test_matrix_has_an_eighth_row_marked_as_not_from_the_report(chapter):
    df = load_assessment(EXAMPLE)
    m, techs = chapter.assessment_matrix_data(df, "quantum_example", LABEL)
    assert len(techs) == 8 and m["technology_id"].nunique() == 8
    last = techs.sort_values("order").iloc[-1]
    assert last["technology_id"] == "quantum_example"
    assert last["label"] == f"{LABEL} {ROW_SUFFIX}" and "not from the report" in last["label"]
    new = m[m["technology_id"] == "quantum_example"]
    assert new.groupby("dimension_id")["level"].apply(list).to_dict() == {
        "supply_chain": [3, 2],
        "national_security": [4, 3],
        "values_sustainability": [2],
        "competitiveness": [3, 2],
    }
    report_rows = m[m["technology_id"] != "quantum_example"].reset_index(drop=True)
    pd.testing.assert_frame_equal(report_rows, chapter.derived_matrix())  # the report's rows are untouched


# --------------------------------------------------------------------------- bad input
BAD_ROWS = {
    "missing column": (b"dimension_id,challenge,instrument\nsupply_chain,x,\n", "bad.csv:1:importance: missing column"),
    "wrong type": (
        HEADER + b"supply_chain,x,high,\n",
        "bad.csv:2:importance: wrong type (found 'high', expected integer)",
    ),
    "importance 0": (
        HEADER + b"supply_chain,x,0,\n",
        "bad.csv:2:importance: value out of range (found '0', expected 1 to 4)",
    ),
    "importance 5": (
        HEADER + b"supply_chain,x,5,\n",
        "bad.csv:2:importance: value out of range (found '5', expected 1 to 4)",
    ),
    "unknown dimension": (
        HEADER + b"supply_chain,x,2,\nsupply_chian,y,2,\n",
        "bad.csv:3:dimension_id: unknown reference (found 'supply_chian'",
    ),
    "empty challenge": (HEADER + b"supply_chain,,2,\n", "bad.csv:2:challenge: empty required cell"),
    "ragged row": (
        HEADER + b"supply_chain,x,2,\nsupply_chain,y,2,a,b\n",
        "bad.csv:3: ragged row (found 5 cells, expected 4 cells",
    ),
    "non-UTF-8": (
        HEADER + b"supply_chain,caf\xe9,2,\n",
        "bad.csv:2:challenge: bytes that are not UTF-8 (found byte 0xe9",
    ),
    "quote left open": (HEADER + b'supply_chain,"x,2,\n', "bad.csv:2: quote opened and never closed"),
}


@pytest.mark.parametrize("content,expected", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_each_bad_row_has_its_located_message(tmp_path, content, expected):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    with pytest.raises(DataValidationError) as info:
        load_assessment(bad)
    assert len(info.value.problems) == 1, [str(p) for p in info.value.problems]
    assert str(info.value.problems[0]).startswith(expected)
    assert expected in str(info.value)


def test_every_problem_is_listed_not_only_the_first(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(HEADER + b"supply_chain,x,5,\nnowhere,y,2,\nsupply_chain,,1,\n")
    with pytest.raises(DataValidationError) as info:
        load_assessment(bad)
    assert sorted((p.row, p.column) for p in info.value.problems) == [
        (2, "importance"),
        (3, "dimension_id"),
        (4, "challenge"),
    ]


# --------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("tid", ["chip_design", "6g", "ai_ethics"])
def test_technology_id_of_the_report_is_refused(tmp_path, tid):
    with pytest.raises(ParameterError, match=f"parameter technology_id='{tid}' is the id of a technology"):
        run_assessment(EXAMPLE, tid, "Anything", tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "tid,label,name",
    [
        ("Quantum", "Q", "technology_id"),
        ("quantum-x", "Q", "technology_id"),
        ("", "Q", "technology_id"),
        ("quantum", "  ", "technology_label"),
    ],
)
def test_bad_technology_parameters(tid, label, name):
    with pytest.raises(ParameterError, match=f"parameter {name}="):
        check_technology(tid, label)


def test_other_parameters_are_checked_before_running(tmp_path):
    with pytest.raises(ParameterError, match="parameter dpi="):
        run_assessment(EXAMPLE, "q", "Q", tmp_path / "out", dpi=5000)
    with pytest.raises(ParameterError, match="parameter csv_path="):
        run_assessment(tmp_path / "nope.csv", "q", "Q", tmp_path / "out")
