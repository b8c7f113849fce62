"""osa_utils.model: the derived Figure 0.1 matrix, the fractional counting method, names."""

from __future__ import annotations

import pandas as pd
import pytest

from osa_utils import model


def test_fractional_counts_on_fixture(project_root):
    a = pd.read_csv(project_root / "tests/fixtures/authorships.csv")
    c = model.fractional_counts(a).set_index("region")
    # p1: EU 1; p2: China 1; p3: EU 1/4, China 1/4, US 2/4
    assert c.loc["EU", "papers"] == pytest.approx(1.25)
    assert c.loc["China", "papers"] == pytest.approx(1.25)
    assert c.loc["US", "papers"] == pytest.approx(0.5)
    assert c["papers"].sum() == pytest.approx(3)  # every paper counted exactly once
    assert c["share"].sum() == pytest.approx(100)
    assert list(c.index) == ["China", "EU", "US"]  # ties broken by name, deterministic


def test_fractional_counts_rejects_wrong_columns():
    with pytest.raises(model.ModelError, match="paper_id"):
        model.fractional_counts(pd.DataFrame({"paper": [1], "region": ["EU"]}))


def test_derive_matrix_on_real_data(package):
    m = model.derive_matrix(package["threat_matrix_printed"], package["risk_challenges"])
    dots = m.groupby(["technology_id", "dimension_id"]).size()
    printed = package["threat_matrix_printed"].set_index(["technology_id", "dimension_id"])["notifications"]
    assert (dots == printed.reindex(dots.index)).all()
    bc = m[(m.technology_id == "blockchain") & (m.dimension_id == "competitiveness")]
    assert bc["level"].tolist() == [4, 3]  # Figure 4.2: scores 4 and 3, highest first
    assert not m[m.technology_id.isin(["ecny", "ai_ethics"])]["level_known"].any()
    assert m[m.technology_id == "ecny"]["level"].isna().all()


def test_derive_matrix_detects_disagreement(package):
    rc = package["risk_challenges"].copy()
    rc.loc[(rc.technology_id == "chip_design") & (rc.dimension_id == "supply_chain"), "importance"] = 2
    extra = rc[(rc.technology_id == "chip_design") & (rc.dimension_id == "supply_chain")].assign(item=9, importance=4)
    with pytest.raises(model.ModelError, match="chip_design/supply_chain"):
        model.derive_matrix(package["threat_matrix_printed"], pd.concat([rc, extra]))


def test_add_assessment_appends_a_row():
    base = pd.DataFrame(columns=["technology_id", "dimension_id", "dot", "level", "level_known"])
    ch = pd.DataFrame(
        {
            "dimension_id": ["supply_chain", "supply_chain", "competitiveness"],
            "importance": [3, 1, 4],
            "item": [1, 2, 1],
        }
    )
    m = model.add_assessment(base, ch, "quantum")
    assert m.query("dimension_id == 'supply_chain'")["level"].tolist() == [3, 1]
    assert len(m) == 3


@pytest.mark.parametrize("lang,expected", [("en", "Huawei"), ("zh", "华为"), ("en+zh", "Huawei (华为)")])
def test_actor_name(lang, expected):
    assert model.actor_name({"name_en": "Huawei", "name_zh": "华为"}, lang) == expected


def test_actor_name_falls_back_to_english_without_chinese():
    assert model.actor_name({"name_en": "Alibaba", "name_zh": pd.NA}, "zh") == "Alibaba"
