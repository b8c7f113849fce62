"""Panel assessments (issue 13, part 4): medians, ranges, Krippendorff's ordinal alpha."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from osa_utils.panel import PanelError, combine, ordinal_alpha, round_median, summarise


def test_krippendorffs_own_worked_example():
    """Krippendorff (2011), 'Computing Krippendorff's Alpha-Reliability', section C: 4 observers,
    12 units, missing values; the published ordinal alpha is 0.815."""
    nan = math.nan
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    alpha = ordinal_alpha(data)
    assert alpha is not None
    assert round(alpha, 3) == 0.815


def test_alpha_is_undefined_without_variation():
    assert ordinal_alpha([[2, 2], [2, 2]]) is None


@pytest.mark.parametrize("median, level", [(1.0, 1), (2.5, 3), (3.5, 4), (3.0, 3), (1.5, 2)])
def test_rounding_rule(median, level):
    assert round_median(median) == level


def _form(rows):
    df = pd.DataFrame(rows, columns=["dimension_id", "challenge", "importance"])
    df["importance"] = pd.array(df["importance"], dtype="Int64")
    df["instrument"] = pd.array([pd.NA] * len(df), dtype="string")
    return df


def test_three_assessors():
    a = _form(
        [
            ("supply_chain", "Rare earths", 4),
            ("national_security", "Remote access", 3),
            ("competitiveness", "Talent", 2),
        ]
    )
    b = _form(
        [
            ("supply_chain", "rare  earths ", 3),
            ("national_security", "Remote access", 1),
            ("competitiveness", "Talent", 2),
        ]
    )
    c = _form(
        [
            ("supply_chain", "Rare earths", 4),
            ("national_security", "Remote access", 2),
            ("values_sustainability", "Surveillance exports", 4),
        ]
    )
    s = summarise(combine([("A", a), ("B", b), ("C", c)]), ["supply_chain", "national_security"])
    assert s.assessors == ["A", "B", "C"]
    top = s.challenges.iloc[0]
    assert (top["challenge"], top["range"], top["median"], top["level"]) == ("Remote access", 2, 2.0, 2)
    rare = s.challenges[s.challenges["challenge"] == "Rare earths"].iloc[0]  # matched despite spacing/case
    assert rare["n"] == 3 and rare["median"] == 4.0 and rare["scores"] == {"A": 4, "B": 3, "C": 4}
    talent = s.challenges[s.challenges["challenge"] == "Talent"].iloc[0]
    assert talent["n"] == 2 and talent["range"] == 0
    assert s.single["challenge"].tolist() == ["Surveillance exports"] and s.units_in_alpha == 3
    assert s.alpha is not None and -1 <= s.alpha <= 1
    # the consensus keeps the forms' order (first appearance), one rounded median per challenge
    assert s.consensus["challenge"].tolist() == ["Rare earths", "Remote access", "Talent", "Surveillance exports"]
    assert s.consensus["importance"].tolist() == [4, 2, 2, 4]


def test_half_medians_round_up_in_the_consensus():
    a = _form([("supply_chain", "x", 2)])
    b = _form([("supply_chain", "x", 3)])
    s = summarise(combine([("A", a), ("B", b)]))
    assert s.challenges["median"].tolist() == [2.5] and s.consensus["importance"].tolist() == [3]


def test_one_table_with_an_assessor_column():
    t = _form([("supply_chain", "x", 2), ("supply_chain", "x", 4), ("supply_chain", "y", 1)])
    t["assessor"] = ["ann", "bo", "ann"]
    s = summarise(combine([("ignored", t)]))
    assert s.assessors == ["ann", "bo"] and s.challenges.iloc[0]["scores"] == {"ann": 2, "bo": 4}


def test_a_challenge_scored_twice_by_one_assessor_is_refused():
    with pytest.raises(PanelError, match="'A' scores the challenge 'x'"):
        combine([("A", _form([("supply_chain", "x", 2), ("supply_chain", "X", 3)]))])


def test_a_single_assessor_has_no_alpha():
    s = summarise(combine([("A", _form([("supply_chain", "x", 2), ("national_security", "y", 3)]))]))
    assert s.alpha is None and len(s.single) == 2


@pytest.mark.slow
def test_three_assessor_example_from_the_command_line(tmp_path):
    """The README's panel example: one table with an assessor column, three fictional assessors."""
    import subprocess
    import sys

    from osa_utils import PROJECT_ROOT

    out = tmp_path / "panel"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "osa_utils.cli",
            "assess",
            str(PROJECT_ROOT / "data/examples/assessment_quantum_panel.csv"),
            "--id",
            "quantum_panel",
            "--label",
            "Quantum computing (panel)",
            "--out",
            str(out),
            "--formats",
            "png",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    table = (out / "tab-assessment-quantum_panel-panel.csv").read_text(encoding="utf-8")
    assert table.splitlines()[0].startswith(
        "DIMENSION,CHALLENGE,SCORE: ASSESSOR A,SCORE: ASSESSOR B,SCORE: ASSESSOR C,MEDIAN,RANGE,PANEL LEVEL"
    )
    assert "Krippendorff's alpha (ordinal) = 0.464" in table and "rounded up" in table
    assert "Illustration with user-supplied data: not a finding of the report." in table
    assert (out / "fig-assessment-quantum_panel-panel.png").exists()
    # the panel's rounded medians feed the risk table
    risks = (out / "tab-assessment-quantum_panel-risks.csv").read_text(encoding="utf-8")
    assert "4 / 3" in risks  # national security: medians 4 and 3
