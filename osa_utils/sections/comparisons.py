"""Comparison tables and reconstructed diagrams: Figures 0.2/1.4, 0.3/1.3, 1.1, 5.1, 5.4, 8.1."""

from __future__ import annotations

import pandas as pd

from ..tables import Table
from ..text import text as _text
from .base import Base

#: Header labels exactly as printed in the report.
POLICY_GOALS_COLUMNS = [
    "DIMENSION OF OPEN STRATEGIC AUTONOMY",
    "PREDOMINANT POLICY GOAL",
    "TYPE OF POLICY INSTRUMENTS THAT TEND TO BE MOST EFFECTIVE",
]
ECNY_COLUMNS = ["CRITERIA", "THE DIGITAL YUAN/ 数字人民币", "THE DIGITAL EURO"]
AI_ETHICS_COLUMNS = ["DIMENSION", "EU", "CHINA"]
#: Figure 5.4 prints these as row labels (one column per project); here they head the columns.
PILOTS_COLUMNS = ["NAME", "Partners", "Time"]

RECONSTRUCTED_NOTE = "Reconstructed from the text: the original diagram is not in the source."


class ComparisonsMixin(Base):
    """Figures 0.2/1.4, 0.3/1.3, 1.1, 5.1, 5.4 and 8.1."""

    def _printed_as(self, figure_id: str) -> str:
        """The figure whose data a reprint uses ('1.3' -> '0.3'); the id itself otherwise."""
        f = self.t("figures")
        dup = f.loc[f["figure_id"] == figure_id, "duplicate_of"]
        return str(dup.iloc[0]) if len(dup) and pd.notna(dup.iloc[0]) else figure_id

    # -- Figure 0.3 / 1.3
    def policy_goals_table(self, figure_id: str = "0.3") -> None:
        """Policy goal and instrument types per dimension, instruments as a bulleted cell."""
        dims = self.t("dimensions").sort_values("order")
        pi = self.t("policy_instruments")
        pi = pi[pi["figure"] == self._printed_as(figure_id)]
        rows = [
            [
                d.label_fig03,
                d.policy_goal,
                pi[pi["dimension_id"] == d.dimension_id].sort_values("item")["instrument"].tolist(),
            ]
            for d in dims.itertuples()
        ]
        self.show_table(Table(POLICY_GOALS_COLUMNS, rows), figure_id, tables=["dimensions", "policy_instruments"])

    # -- Figure 0.2 / 1.4
    def method_diagram(self, figure_id: str = "0.2") -> None:
        """The four-step process, redrawn from the introduction's prose (the diagram is lost)."""
        from ..plots.diagrams import method_diagram

        steps = self.t("method_steps").sort_values("step")
        fig = method_diagram(steps)
        without = steps[steps["result"].isna()]
        note = (
            f"{RECONSTRUCTED_NOTE} Boxes hold the step names and the 'The result of this step should be ...' "
            "sentences of the introduction"
            + (
                "; for "
                + ", ".join(f"step {int(s)}" for s in without["step"])
                + ", which prints no such sentence, the box holds what the text says of the step, its opening "
                "sentence (for step 4: 'Based on the three previous steps, the EU will be able to identify the "
                "appropriate policy tools'; the executive summary says the same: policymakers 'should use "
                "different policy tools' depending on which dimension is affected)"
                if len(without)
                else ""
            )
            + ". Layout and arrows are this collection's."
        )
        what = (
            "Four boxes joined by arrows, one per step of the method, each with its name and what the text "
            "says the step yields."
        )
        data = steps.assign(
            shown=[r if isinstance(r, str) and r.strip() else s for r, s in zip(steps["result"], steps["summary"])]
        )[["step", "name", "shown"]]
        self.show_figure(fig, figure_id, tables=["method_steps"], note=note, what=what, data=data)

    # -- Figure 1.1
    def dimensions_diagram(self, figure_id: str = "1.1") -> None:
        """The four dimensions as a 2 x 2 grid, redrawn from the introduction's numbered list."""
        from ..plots.diagrams import dimensions_diagram

        summary = self.t("dimension_summary")
        fig = dimensions_diagram(summary)
        note = (
            f"{RECONSTRUCTED_NOTE} Boxes hold the numbered headings of the introduction and the first "
            "sentence(s) of each paragraph (a footnote the text extraction placed inside a sentence, marked "
            "'[…]' in dimension_summary.csv, is left out: nothing printed is omitted). Layout is this "
            "collection's."
        )
        what = "Four numbered boxes in a two-by-two grid, one per dimension, each with its heading and summary."
        data = summary.sort_values("number")[["number", "heading", "summary"]]
        self.show_figure(fig, figure_id, tables=["dimension_summary"], note=note, what=what, data=data)

    # -- Figure 5.1
    def ecny_vs_euro_table(self, figure_id: str = "5.1") -> None:
        """e-CNY vs. the digital euro, one row per printed criterion."""
        e = self.t("ecny_digital_euro").sort_values("row")
        rows = [[r.feature, r.ecny, r.digital_euro] for r in e.itertuples()]
        same = int((e["ecny"] == e["digital_euro"]).sum())
        note = f"{same} of {len(e)} rows print the same text in both columns; kept as printed." if same else ""
        self.show_table(Table(ECNY_COLUMNS, rows), figure_id, tables=["ecny_digital_euro"], note=note)

    # -- Figure 8.1
    def ai_ethics_table(self, figure_id: str = "8.1") -> None:
        """Key dimensions of AI ethics in the EU and China, each cell's text as printed."""
        a = self.t("ai_ethics_comparison").sort_values("row")
        rows = [[r.dimension, r.eu, r.china] for r in a.itertuples()]
        note = (
            "Many cells are printed as bulleted lists whose bullet breaks do not always separate "
            "self-contained items; each cell is shown as its continuous printed text (bullet markers "
            "removed, nothing added). Printed bullets per cell are in ai_ethics_comparison.csv "
            "(eu_bullets, china_bullets)."
        )
        self.show_table(Table(AI_ETHICS_COLUMNS, rows), figure_id, tables=["ai_ethics_comparison"], note=note)

    # -- Figure 5.4
    def _pilots(self) -> pd.DataFrame:
        return self.t("cbdc_pilots").sort_values("row")

    def pilots_table(self, figure_id: str = "5.4") -> None:
        """The pilot projects, one row per project (the report prints one column per project)."""
        p = self._pilots()
        rows = [[r.name, r.partners, _text(r.time)] for r in p.itertuples()]
        note = (
            "The report prints this table transposed (one column per project, rows NAME, Partners, Time); "
            "here one row per project, in printed left-to-right order."
        )
        self.show_table(Table(PILOTS_COLUMNS, rows), figure_id, tables=["cbdc_pilots"], note=note)

    def pilots_timeline(self, figure_id: str = "5.4") -> None:
        """This collection's chart of table 5.4 (saved as '5.4-chart'): one bar per project over its printed years."""
        from ..plots.timeline import ONGOING_LABEL, pilots_timeline

        cid = self.chart_id(figure_id)
        p = self._pilots()
        fig = pilots_timeline(p)
        n_open = int(p["end_year"].isna().sum())
        note = (
            f"The report prints Figure {figure_id} as a table (shown above); this timeline of it is this "
            "collection's. Bars span the printed years (start_year to end_year, each year counted in full)."
            + (
                f" {n_open} project(s) print an open-ended period (e.g. '2021–'): drawn faded, continuing "
                f"as an arrow, labelled '{ONGOING_LABEL}'."
                if n_open
                else ""
            )
        )
        what = "One horizontal bar per pilot project over the years the table prints for it."
        data = p[["row", "name", "time", "start_year", "end_year"]].assign(
            drawn_to=[ONGOING_LABEL if pd.isna(e) else str(int(e)) for e in p["end_year"]]
        )
        self.show_figure(fig, cid, tables=["cbdc_pilots"], note=note, what=what, data=data)
