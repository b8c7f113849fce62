"""A panel's assessment: several assessors' forms for one technology (notebook new_assessment).

The panel's scores (one per challenge: the rounded median, :mod:`osa_utils.panel`) feed the
same outputs as a single assessor's form; these methods add what only a panel has: the
scores side by side with median and range, their chart, and the agreement (Krippendorff's
ordinal alpha). None of it is a figure of the report; every output says it is the users'.
"""

from __future__ import annotations

import pandas as pd

from ..panel import ROUNDING, PanelSummary
from ..tables import Table
from .assessment import AssessmentMixin
from .base import Base


def agreement_sentence(summary: PanelSummary) -> str:
    """Krippendorff's alpha in words, with what it was computed on."""
    singles = summary.single["challenge"].tolist()
    left_out = (
        (
            f" {len(singles)} challenge(s) scored by one assessor only are listed and left out of alpha: "
            + "; ".join(singles)
            + "."
        )
        if singles
        else ""
    )
    if summary.alpha is None:
        why = (
            "fewer than two assessors"
            if len(summary.assessors) < 2
            else "no challenge scored by two or more assessors"
            if summary.units_in_alpha == 0
            else "no variation in the scores"
        )
        return f"Agreement (Krippendorff's alpha, ordinal) is undefined here: {why}.{left_out}"
    return (
        f"Agreement between the {len(summary.assessors)} assessors: Krippendorff's alpha (ordinal) = "
        f"{summary.alpha:.3f}, over {summary.units_in_alpha} challenge(s) scored by two or more assessors "
        f"(1 = perfect agreement, 0 = no better than chance).{left_out}"
    )


class PanelMixin(AssessmentMixin):
    """Outputs of a panel assessment (ids ``tab-assessment-<id>-panel``, ``fig-assessment-<id>-panel``)."""

    def panel_table(self, df: pd.DataFrame, summary: PanelSummary, technology_id: str, label: str) -> None:
        """Every assessor's score per challenge, with median, range and the level the panel's row of
        Figure 0.1 uses; widest disagreement first."""
        dims = dict(zip(self.t("dimensions")["dimension_id"], self.t("dimensions")["label_risk_tables"]))
        columns = (
            ["DIMENSION", "CHALLENGE"]
            + [f"SCORE: {a.upper()}" for a in summary.assessors]
            + ["MEDIAN", "RANGE", "PANEL LEVEL (ROUNDED MEDIAN)"]
        )
        rows = []
        for c in summary.challenges.itertuples():
            scores = [str(c.scores[a]) if a in c.scores else "–" for a in summary.assessors]
            median = f"{c.median:g}"
            rows.append(
                [
                    dims.get(c.dimension_id, c.dimension_id),
                    c.challenge + ("  (one assessor: not in alpha)" if c.n < 2 else ""),
                    *scores,
                    median,
                    str(c.range),
                    str(c.level),
                ]
            )
        source, illus = self._assessment_footer(df, ["dimensions"])
        header = self._assessment_header(df, f"Panel assessment – {label}: every assessor's score per challenge")
        note = self._note(
            illus,
            f"Widest disagreement first. {agreement_sentence(summary)} Panel level: {ROUNDING}.",
            *(n[0].upper() + n[1:] + "." for n in summary.notes),
        )
        numeric = set(range(2, len(columns)))
        self._assessment_table(
            Table(columns, rows, numeric=numeric), f"assessment-{technology_id}-panel", header, source, note
        )

    def panel_chart(self, df: pd.DataFrame, summary: PanelSummary, technology_id: str, label: str) -> None:
        """Chart of every assessor's score per challenge (a chart of this collection)."""
        from ..plots.panel import panel_scores

        fig = panel_scores(summary, self.t("dimensions"))
        source, illus = self._assessment_footer(df, ["dimensions"])
        header = self._assessment_header(df, f"Panel assessment – {label}: the assessors' scores per challenge")
        alpha = "undefined" if summary.alpha is None else f"{summary.alpha:.3f}"
        self._assessment_figure(
            fig,
            f"assessment-{technology_id}-panel",
            header,
            source,
            f"Krippendorff's alpha (ordinal) = {alpha}.",
            illus,
        )


class PanelView(PanelMixin, Base):
    """The panel outputs in a notebook: ``PanelView(data_dir, output_dir, formats, dpi, name_lang)``."""
