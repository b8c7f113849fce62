"""The report's four-step method applied to a new technology (notebook new_assessment).

The frame every method takes is :func:`osa_utils.assess.load_assessment`'s:
one row per challenge (dimension_id, challenge, importance, instrument, item).
Its outputs are not figures of the report: they are not looked up in
figures.csv, every caption and source line says so, and the files are named
``fig-assessment-<technology_id>-*`` / ``tab-assessment-<technology_id>-*``.
"""

from __future__ import annotations

import pandas as pd

from .. import figures as F
from .. import model, style
from ..tables import NEUTRALISED, Table, display_table
from ..text import text as _text
from .base import Base

#: Source line of every assessment output.
NOT_FROM_REPORT = "New assessment by the user, not from the report."
#: Extra line of every output drawn from a shipped example CSV (data/examples/).
ILLUSTRATION = "Illustration with user-supplied data: not a finding of the report."
#: Suffix of the new technology's row label in the Figure 0.1 matrix.
ROW_SUFFIX = "(new assessment, not from the report)"
ROW_SHADE = "#e8f1f8"

ASSESSMENT_COLUMNS = [
    "DIMENSION OF STRATEGIC AUTONOMY",
    "SHORT DESCRIPTION OF CHALLENGE IN KEYWORDS",
    "RELATIVE IMPORTANCE OF CHALLENGE ON A SCALE OF 1 TO 4",
    "POLICY INSTRUMENTS FOR TACKLING CHALLENGE IN KEYWORDS",
]
TOOLKIT_COLUMNS = [
    "DIMENSION OF OPEN STRATEGIC AUTONOMY",
    "HIGHEST IMPORTANCE IN THE ASSESSMENT",
    "PREDOMINANT POLICY GOAL (FIGURE 0.3)",
    "TYPE OF POLICY INSTRUMENTS THAT TEND TO BE MOST EFFECTIVE (FIGURE 0.3)",
    "INSTRUMENTS NAMED IN THE ASSESSMENT",
]
NO_CHALLENGE = "(no challenge listed in the assessment)"


def matrix_rows(
    matrix: pd.DataFrame, technologies: pd.DataFrame, challenges: pd.DataFrame, technology_id: str, label: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Figure 0.1 data with one more row: (matrix with the new dots, technologies with the new row last).

    The new row's dots are the distinct importance levels per dimension of
    *challenges* (model.add_assessment), its label ends with ROW_SUFFIX.
    """
    if technology_id in set(technologies["technology_id"]):
        raise ValueError(f"technology_id {technology_id!r} is already a row of the matrix")
    m = model.add_assessment(matrix, challenges[["dimension_id", "importance", "item"]], technology_id)
    order = int(technologies["order"].max()) + 1 if len(technologies) else 1
    row = {c: pd.NA for c in technologies.columns}
    row.update(technology_id=technology_id, order=order, label=f"{label} {ROW_SUFFIX}", short_label=f"{label} (new)")
    techs = pd.concat([technologies, pd.DataFrame([row]).astype(technologies.dtypes.to_dict())], ignore_index=True)
    return m, techs


class AssessmentMixin(Base):
    """Step 2 (table, profile, matrix) and step 4 (typical instruments) for a user's assessment CSV."""

    # -- provenance and output
    def _assessment_footer(self, df: pd.DataFrame, tables: list[str]) -> tuple[str, str]:
        """(source line, illustration line or "") of an assessment output."""
        name = df.attrs.get("source_file") or "the user's assessment CSV"
        used = ", ".join(f"{t}.csv" for t in tables)
        source = (
            f"Source: {NOT_FROM_REPORT} Data: {name} (user-supplied)"
            + (f"; {used} of the data package" if used else "")
            + f". Method: the four-step process of {F.REPORT_REF} (Figure 0.2)."
        )
        return source, (ILLUSTRATION if df.attrs.get("is_example") else "")

    @staticmethod
    def _assessment_header(df: pd.DataFrame, text: str) -> str:
        """*text* with, for the shipped example, its mark as an illustration, said once: the example's label
        ("Quantum computing (illustration)") already says "illustration", so it is not said again."""
        if not df.attrs.get("is_example"):
            return text
        if "illustration" in text.lower():
            return text + " – not a finding of the report"
        return text + " (illustration, not a finding of the report)"

    def _assessment_figure(
        self, fig, output_id: str, header: str, source: str, note: str, illustration: str = ""
    ) -> None:
        """Caption, save and show a figure that is not in figures.csv (file fig-<output_id>.*).

        The footer is the source line and *note*, then *illustration* on a line of its own.
        """
        footer = f"{source} {note}".strip()
        texts = style.add_caption(fig, header, footer, illustration)
        paths = F.save(fig, output_id, self.params.figures_dir, self.params.formats, self.params.dpi)
        bbox = F.tight_bbox(fig, self.params.dpi)  # the box save used, for the page's crop
        self.written += paths
        caption = {  # the report's figcaption: one title and one source line, as for the report's figures
            "caption": header,
            "source": f"{footer} {illustration}".strip(),
            "status_text": "the user's own assessment with the report's method, not a finding of the report",
            "alt": header,
            "caption_rows": F.caption_rows(texts, bbox, self.params.dpi),
        }
        F.display_figure(fig, output_id, paths, self.params.dpi, caption)

    def _assessment_table(self, table: Table, output_id: str, header: str, source: str, note: str) -> None:
        """Caption, save and show a table that is not in figures.csv (tab-<output_id>.csv/html).

        The CSV has a last column SOURCE repeating the source line and note on every row,
        so the file carries its provenance when it travels alone. The CSV is for people (opened in a
        spreadsheet): cells of the user's text that start like a formula (``=``, ``+``, ``-``, ``@``,
        tab, CR) get a ``'`` before them and SOURCE says so (:data:`osa_utils.tables.NEUTRALISED`);
        the HTML table keeps every cell as written.
        """
        table.header, table.source, table.note = header, source, note
        provenance = " ".join(s for s in (source, note) if s)
        if table.has_formula_cells():
            provenance = f"{provenance} {NEUTRALISED}"
        csv_table = Table(table.columns + ["SOURCE"], [list(r) + [provenance] for r in table.rows])
        base = F.stem(output_id, "tab")
        out = self.params.figures_dir
        paths = [
            F.write_text(out / f"{base}.csv", csv_table.to_csv(neutralise_formulas=True)),
            F.write_text(out / f"{base}.html", table.to_html()),
        ]
        self.written += paths
        display_table(table, output_id, paths)

    @staticmethod
    def _note(*parts: str) -> str:
        return " ".join(p for p in parts if p)

    # -- step 2: the challenges
    def assessment_table(self, df: pd.DataFrame, technology_id: str, label: str) -> None:
        """The chapter-style risk table: one row per dimension, challenges and instruments as bullets,
        the importance of each challenge (several joined by ' / ', in file order)."""
        dims = self.t("dimensions").sort_values("order")
        rows = []
        for d in dims.itertuples():
            c = df[df["dimension_id"] == d.dimension_id].sort_values("item")
            if c.empty:
                rows.append([d.label_risk_tables, NO_CHALLENGE, "", ""])
                continue
            score = " / ".join(str(int(v)) for v in c["importance"])
            instruments = list(dict.fromkeys(_text(v) for v in c["instrument"] if _text(v)))
            rows.append([d.label_risk_tables, c["challenge"].tolist(), score, instruments])
        source, illus = self._assessment_footer(df, ["dimensions"])
        header = self._assessment_header(
            df, f"New assessment – {label}: challenges to the four dimensions of Open Strategic Autonomy"
        )
        note = self._note(
            illus,
            "Laid out like the chapters' risk tables (e.g. Figure 2.2); one score per "
            "challenge, in the order of the CSV.",
        )
        self._assessment_table(
            Table(ASSESSMENT_COLUMNS, rows, numeric={2}), f"assessment-{technology_id}-risks", header, source, note
        )

    def assessment_profile(self, df: pd.DataFrame, technology_id: str, label: str) -> None:
        """Chart of the importance of each challenge by dimension (as CoreMixin.risk_profile), the scores
        labelled as the user's: nothing on it calls them printed (issue #21)."""
        from ..plots.risk import risk_profile

        fig = risk_profile(df, self.t("dimensions"), scores="user")
        source, illus = self._assessment_footer(df, ["dimensions"])
        header = self._assessment_header(df, f"New assessment – {label}: risk profile (the user's scores)")
        note = (
            "Dots: the user's score (1–4, ordinal) of each challenge of the CSV, at its level; "
            "challenges of a dimension in file order."
        )
        self._assessment_figure(fig, f"assessment-{technology_id}-profile", header, source, note, illus)

    def assessment_matrix_data(
        self, df: pd.DataFrame, technology_id: str, label: str
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(matrix, technologies) of Figure 0.1 with the new technology as the last row (see matrix_rows)."""
        return matrix_rows(self.derived_matrix(), self.t("technologies"), df, technology_id, label)

    def assessment_matrix(self, df: pd.DataFrame, technology_id: str, label: str) -> None:
        """Figure 0.1 with an eighth row for the new technology, shaded, labelled as not from the report."""
        from ..plots.matrix import threat_matrix

        m, techs = self.assessment_matrix_data(df, technology_id, label)
        fig = threat_matrix(m, techs, self.t("dimensions"), self.t("threat_levels"), highlight={technology_id})
        ax = fig.axes[0]
        y = len(techs) - 1  # the new row is drawn last (highest order)
        ax.axhspan(y - 0.5, y + 0.5, color=ROW_SHADE, zorder=0, lw=0)
        ax.axhline(y - 0.5, color=style.CATEGORICAL[0], lw=1.6, zorder=2)
        source, illus = self._assessment_footer(
            df, ["threat_matrix_printed", "risk_challenges", "threat_levels", "technologies", "dimensions"]
        )
        header = self._assessment_header(df, f"New assessment – {label} beside Figure 0.1 of the report")
        dims = self.t("dimensions").sort_values("order")
        empty = dims.loc[~dims["dimension_id"].isin(set(df["dimension_id"])), "label"].tolist()
        note = " ".join(
            (
                f"Rows 1-{len(techs) - 1}: Figure 0.1 of the report, dot colours derived from the chapters' risk tables "
                "(importance 1-4 read as the legend level); the e-CNY and AI ethics dots are drawn white: their levels "
                "are not stated in the text.",
                f"Last row (shaded): {label}, {NOT_FROM_REPORT.lower().rstrip('.')}: one dot per distinct importance "
                f"level of its challenges in a dimension, from {df.attrs.get('source_file') or 'the CSV'}."
                + (f" No challenge listed for: {'; '.join(empty)}." if empty else ""),
            )
        )
        self._assessment_figure(fig, f"assessment-{technology_id}-matrix", header, source, note, illus)

    # -- step 4: the toolkit
    def typical_instruments(self, df: pd.DataFrame, technology_id: str | None = None, label: str | None = None) -> None:
        """For each dimension scored 3 or 4: Figure 0.3's predominant policy goal and instrument types."""
        dims = self.t("dimensions").sort_values("order")
        pi = self.t("policy_instruments")
        pi = pi[pi["figure"] == "0.3"]
        rows = []
        for d in dims.itertuples():
            c = df[df["dimension_id"] == d.dimension_id]
            top = int(c["importance"].max()) if len(c) else 0
            if top < 3:
                continue
            types = pi[pi["dimension_id"] == d.dimension_id].sort_values("item")["instrument"].tolist()
            own = list(dict.fromkeys(_text(v) for v in c.sort_values("item")["instrument"] if _text(v)))
            rows.append([d.label_fig03, str(top), d.policy_goal, types, own])
        if not rows:
            rows.append(["No dimension is scored 3 or 4 in the assessment", "", "", "", ""])
        tid = technology_id or df.attrs.get("technology_id") or "new"
        name = label or df.attrs.get("technology_label") or tid
        source, illus = self._assessment_footer(df, ["dimensions", "policy_instruments"])
        source += " Policy goals and instrument types: Figure 0.3 of the report."
        header = self._assessment_header(
            df,
            f"New assessment – {name}: typical policy instruments for the "
            "dimensions with a high or very high degree of threat (3 or 4)",
        )
        note = self._note(
            illus,
            "Step 4 of the method: the instrument types the report's Figure 0.3 names for "
            "each dimension; which of them fit the technology is the user's judgement.",
        )
        self._assessment_table(
            Table(TOOLKIT_COLUMNS, rows, numeric={1}), f"assessment-{tid}-instruments", header, source, note
        )
