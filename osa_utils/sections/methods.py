"""The report's methods as tables and charts in the chapter notebooks: every chapter's policy
recommendations (recommendations.csv) and chapter 8's checklist (app_criteria.csv, app_evidence.csv).

None of these outputs is a figure of the report: the report prints its recommendations and the
checklist as text. They are this collection's tables and chart (supplementary_figures.csv: ids
'<chapter>-recommendations', '8-criteria', 's8.1'), never badged "reproduced"; s8.1 has status
'reading', as it draws this collection's reading of the text. Every cell is text as
printed; a dimension is shown only where the chapter ties a recommendation to one, and the checklist
chart marks what the chapter gives for an app (a stated finding, evidence, or none), a stated finding
coloured by this collection's reading of its words (adverse, open, not adverse), recorded with its
reason in app_evidence.csv and labelled as this collection's in the image: never the report's verdict.
"""

from __future__ import annotations

import pandas as pd

from ..tables import Table
from ..text import text as _text
from .base import Base

#: Output ids (supplementary_figures.csv).
CRITERIA_TABLE = "8-criteria"
CHECKLIST_CHART = "s8.1"
RECOMMENDATION_CHAPTERS = tuple(range(2, 9))


def recommendations_id(chapter: int) -> str:
    """Id of chapter *chapter*'s recommendations table ('2-recommendations', file tab-2-recommendations)."""
    chapter = int(chapter)
    if chapter not in RECOMMENDATION_CHAPTERS:
        raise ValueError(f"chapter {chapter}: only chapters 2 to 8 print recommendations")
    return f"{chapter}-recommendations"


#: How a recommendation is tied to its dimension (recommendations.csv dimension_basis), in words.
BASIS_WORDS = {
    "heading": "it stands under the heading",
    "lead": "its heading or lead names it",
    "text": "its text names it",
    "preceding_text": "it continues a discussion that names it",
    "figure": "the chapter's risk table prints the same measure in this dimension's row",
}
#: Status words of these tables (the source line of a table file that travels alone).
TABLE_STATUS = (
    "not a figure of the report: this collection's table of text the report prints (verbatim, from the data package)"
)


def _footnotes(value) -> str:
    return ", ".join(_text(value).split(";")) if _text(value) else ""


def split_ids(value) -> list[str]:
    """A ';'-separated list cell as a list ('' / NA -> [])."""
    return [v for v in _text(value).split(";") if v]


def tied_dimensions(row) -> list[str]:
    """The dimensions the chapter ties a recommendation to: dimension_id, then other_dimension_ids."""
    first = _text(row["dimension_id"])
    return ([first] if first else []) + [d for d in split_ids(row["other_dimension_ids"]) if d != first]


class MethodsMixin(Base):
    """recommendations(chapter), criteria_table(), checklist_chart()."""

    # -- recommendations
    def recommendation_rows(self, chapter: int) -> pd.DataFrame:
        """recommendations.csv rows of *chapter*, in printed order."""
        rec = self.t("recommendations")
        return rec[rec["chapter"] == int(chapter)].sort_values("order").reset_index(drop=True)

    def _dimension_cell(self, row) -> list[str] | str:
        """Where the chapter ties the recommendation: the dimension, how, in which printed words; else
        the reason there is none."""
        labels = dict(zip(self.t("dimensions")["dimension_id"], self.t("dimensions")["label_risk_tables"]))
        dims = tied_dimensions(row)
        if not dims:
            return f"none: {_text(row['dimension_reason'])}"
        basis = _text(row["dimension_basis"])
        printed = _text(row["dimension_printed"])
        cell = [
            labels[dims[0]]
            + (f" ({BASIS_WORDS.get(basis, basis)}: “{printed}”)" if printed else f" ({BASIS_WORDS.get(basis, basis)})")
        ]
        if len(dims) > 1:
            cell.append("also tied to: " + "; ".join(labels[d] for d in dims[1:]))
        return cell

    def recommendations_table(self, chapter: int) -> Table:
        """The Table of chapter *chapter*'s recommendations (no output written)."""
        rows = self.recommendation_rows(chapter)
        columns = [
            "NO.",
            "LEAD OR HEADING (AS PRINTED)",
            "RECOMMENDATION (AS PRINTED)",
            "FOOTNOTES",
            "DIMENSION THE CHAPTER TIES IT TO (OR WHY NONE)",
        ]
        body = [
            [
                str(int(r["order"])),
                _text(r["lead"]) or "(none printed)",
                _text(r["text"]),
                _footnotes(r["footnotes"]),
                self._dimension_cell(r),
            ]
            for _, r in rows.iterrows()
        ]
        return Table(columns, body, numeric={0})

    def recommendations(self, chapter: int) -> None:
        """Chapter *chapter*'s policy recommendations as printed (tab-<chapter>-recommendations): lead,
        text, footnotes, and the dimension the chapter ties each to, or the reason it has none."""
        fid = recommendations_id(chapter)
        rows = self.recommendation_rows(chapter)
        if rows.empty:
            raise ValueError(f"recommendations.csv has no rows for chapter {chapter}")
        section = _text(rows.iloc[0]["section"])
        tech = self.t("technologies")
        label = tech.loc[tech["chapter"] == int(chapter), "label"]
        what = f"{label.iloc[0]} (chapter {chapter})" if len(label) else f"Chapter {chapter}"
        header = f"{what}: the chapter's policy recommendations as printed (this collection's table)"
        n_tied = sum(bool(tied_dimensions(r)) for _, r in rows.iterrows())
        note = (
            f"The chapter's section '{section}' as {len(rows)} recommendations (one per printed heading, lead, "
            f"bullet or recommending paragraph; recommendations.csv), text verbatim; ' […] ' marks a footnote "
            "marker or page furniture left out. Not a figure of the report: the report prints these as text. "
            f"{n_tied} of {len(rows)} are tied to a dimension by the chapter itself; the cell says how and "
            "quotes the printed words. The others carry the reason they have none; no dimension is inferred."
        )
        self.show_table(
            self.recommendations_table(chapter),
            fid,
            header=header,
            tables=["recommendations", "dimensions"],
            note=note,
            status_text=TABLE_STATUS,
        )

    # -- chapter 8's checklist
    def criteria_table(self, figure_id: str = CRITERIA_TABLE) -> None:
        """Chapter 8's checklist as a table (tab-8-criteria): level, the criterion's name as printed
        (the first macro criterion's name is this collection's, marked), explanation verbatim, footnotes."""
        from ..appcheck import LEVELS, criteria
        from .appcheck import COLLECTIONS_NAME

        crit = criteria(self.params.data_dir)
        self.t("app_criteria")  # recorded as read
        columns = ["LEVEL", "CRITERION (NAME AS PRINTED)", "EXPLANATION (AS PRINTED)", "FOOTNOTES"]
        rows = [
            [
                LEVELS[r.level],
                str(r.name) + (COLLECTIONS_NAME if bool(r.name_is_collections) else ""),
                str(r.explanation),
                _footnotes(r.footnotes),
            ]
            for r in crit.itertuples()
        ]
        shared = crit[crit.duplicated("explanation", keep=False)]["name"].tolist()
        note = (
            "Chapter 8 prints its 'Criteria for assessing Chinese AI-based consumer applications for use within "
            "the EU' as text, not as a numbered figure; this table of it is this collection's (app_criteria.csv). "
            "The chapter says the ordering of the criteria is not informed by a weighted hierarchy of "
            "likelihood of impact. ' […] ' marks a footnote marker or page furniture left out."
        )
        if shared:
            note += (
                f" The last {len(shared)} micro criteria are named inside one printed paragraph, repeated as "
                "the explanation of each."
            )
        header = (
            "AI ethics (chapter 8): criteria for assessing Chinese AI-based consumer applications for use "
            "within the EU, as printed (this collection's table)"
        )
        self.show_table(
            Table(columns, rows), figure_id, header=header, tables=["app_criteria"], note=note, status_text=TABLE_STATUS
        )

    def checklist_cells(self) -> dict[tuple[str, str], str]:
        """(criterion_id, app) -> what chapter 8 gives: a stated finding in this collection's reading
        ("adverse", "open", "not_adverse": app_evidence.csv finding_reading; "stated" where a stated
        finding has no reading), "evidence" or "none", for every criterion and reference app."""
        from ..appcheck import REFERENCE_APPS, criteria
        from .appcheck import reference_kind

        ev = self.t("app_evidence")
        crit = criteria(self.params.data_dir)
        reading = {
            (r.criterion_id, r.app): _text(r.finding_reading)
            for r in ev.itertuples()
            if "finding_reading" in ev.columns and _text(r.finding_reading)
        }
        cells = {}
        for c in crit["criterion_id"]:
            for a in REFERENCE_APPS:
                kind = reference_kind(ev, c, a)
                cells[(c, a)] = reading.get((c, a), kind) if kind == "stated" else kind
        return cells

    def checklist_frame(self, cells: dict[tuple[str, str], str]) -> pd.DataFrame:
        """The cells of the checklist chart as a tidy table (one row per cell, as drawn; fig-s8-1.csv)."""
        from ..appcheck import LEVELS, criteria
        from ..plots.checklist import REFERENCE_MARKS

        crit = criteria(self.params.data_dir).set_index("criterion_id")
        ev = self.t("app_evidence").set_index(["criterion_id", "app"])
        rows = []
        for (c, a), kind in cells.items():
            hit = ev.loc[(c, a)] if (c, a) in ev.index else None
            rows.append(
                {
                    "level": LEVELS[crit.loc[c, "level"]],
                    "criterion_id": c,
                    "criterion": crit.loc[c, "name"],
                    "app": a,
                    "cell": " ".join(REFERENCE_MARKS[kind][0].split()),
                    "stated_finding": _text(hit["stated_finding"]) if hit is not None else "",
                    "reading_by_this_collection": _text(hit.get("finding_reading")) if hit is not None else "",
                    "reason": _text(hit.get("finding_reading_reason")) if hit is not None else "",
                }
            )
        return pd.DataFrame(rows)

    def checklist_chart(self, figure_id: str = CHECKLIST_CHART) -> None:
        """This collection's chart of chapter 8's checklist (fig-s8-1): criteria x TikTok, WeChat, Face++,
        each cell marking what the chapter gives: a stated finding in this collection's reading (adverse,
        open, not adverse; app_evidence.csv finding_reading), evidence only, or no evidence in the text."""
        from ..appcheck import LEVELS, REFERENCE_APPS, criteria
        from ..plots.checklist import COLLECTIONS_NAME_KEY, READINGS, REFERENCE_MARKS, checklist_grid

        info = self.info(figure_id)
        if info.status != "reading":
            raise ValueError(f"{figure_id} must have status reading in supplementary_figures.csv")
        crit = criteria(self.params.data_dir)
        cells = self.checklist_cells()
        fig = checklist_grid(crit, {}, cells, None, REFERENCE_APPS, {}, LEVELS)
        counts = pd.Series(list(cells.values())).value_counts()
        ev = self.t("app_evidence").set_index(["criterion_id", "app"])
        names = crit.set_index("criterion_id")["name"]
        stated = [
            f"{a}, '{names[c]}': “{ev.loc[(c, a), 'stated_finding']}” (read as {REFERENCE_MARKS[k][0]})"
            for (c, a), k in cells.items()
            if k in READINGS or k == "stated"
        ]
        n_stated = sum(int(counts.get(k, 0)) for k in (*READINGS, "stated"))
        by_reading = ", ".join(
            f"{int(counts.get(k, 0))} {REFERENCE_MARKS[k][0]}" for k in READINGS if int(counts.get(k, 0))
        )
        note = (
            "Chapter 8 prints its checklist as text; this chart of it is this collection's, not a figure of the "
            f"report. Of {len(cells)} cells, the text states a finding in {n_stated} (in this collection's "
            f"reading {by_reading}"
            + (f"; as printed: {'; '.join(stated)}), " if stated else "), ")
            + f"gives evidence without a stated finding in {int(counts.get('evidence', 0))}, and no evidence "
            f"in {int(counts.get('none', 0))}. The colour of a stated finding is this collection's reading of "
            "the quoted words, not the report's verdict: adverse where the text states a risk or a shortfall, "
            "open where it says it cannot judge ('cannot … be completely ruled out'), not adverse where it "
            "states the risk was not detected ('has not thus far been clearly detected') or the information "
            "is given; each reading and its reason are in app_evidence.csv (finding_reading, "
            "finding_reading_reason). The chapter calls its references no case studies. Some evidence names "
            "an app only as an example of what might happen (app_evidence.csv's note)."
        )
        if crit["name_is_collections"].astype(bool).any():
            note += f" {COLLECTIONS_NAME_KEY}"
        what = (
            "A grid of chapter 8's twelve criteria (macro and micro level) by TikTok, WeChat and Face++, each "
            "cell saying whether the text states a finding (coloured by this collection's reading: adverse, "
            "open or not adverse), gives evidence only, or gives no evidence."
        )
        self.show_figure(
            fig,
            figure_id,
            tables=["app_criteria", "app_evidence"],
            note=note,
            what=what,
            data=self.checklist_frame(cells),
        )
