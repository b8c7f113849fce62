"""The chapters' core outputs: Figure 0.1/1.2 (with a user's reading of the levels), the risk
tables and the actor tables with this collection's charts of them, Figures 3.1/3.2, errata."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .. import figures as F
from .. import model, style
from ..params import check_value
from ..tables import Table
from .assessment import ILLUSTRATION
from .base import Base, show_markdown, show_text
from .keyfigures import DEDICATED_CHARTS

RISK_COLUMNS = [
    "DIMENSION OF STRATEGIC AUTONOMY",
    "SHORT DESCRIPTION OF CHALLENGE IN KEYWORDS",
    "RELATIVE IMPORTANCE OF CHALLENGE ON A SCALE OF 1 TO 4",
    "POLICY INSTRUMENTS FOR TACKLING CHALLENGE IN KEYWORDS",
]
ACTOR_COLUMNS = ["ACTOR TYPE", "NAME OF KEY ACTOR", "DESCRIPTION", "KEY TASK", "PRIORITY"]


class CoreMixin(Base):
    """Figure 0.1/1.2, the risk tables and the actor tables."""

    # -- Figure 0.1 / 1.2 (the data: Base.derived_matrix)
    def threat_matrix(self, figure_id: str = "0.1", colours: str = "derived") -> None:
        """Figure 0.1 (or its reprint 1.2): dots per distinct level.

        *colours* (the notebook parameter ``matrix_colours``): "derived" colours the dots by the levels
        this collection derives from the risk tables (marked as its reading in the legend; unknown
        levels drawn white); "printed" draws only what the text gives, the dots, without colour.
        """
        from ..plots.matrix import threat_matrix

        colours = check_value("matrix_colours", colours)
        m = self.derived_matrix()
        fig = threat_matrix(m, self.t("technologies"), self.t("dimensions"), self.t("threat_levels"), colours=colours)
        if colours == "printed":
            note = (
                "Only what the text gives is drawn: the number of dots per cell. "
                "The colours of the printed dots (the degree of threat) were lost in the text extraction, so "
                "every dot is drawn the same; the legend lists the five printed levels without colours."
            )
            what = (
                "A grid of the seven technologies by the four dimensions with the printed number of dots in "
                "each cell, all dots uncoloured."
            )
            tables = ["threat_matrix_printed", "threat_levels", "technologies", "dimensions"]  # no levels read
        else:
            note = (
                "The dot colours are this collection's reading, not printed: for the five chapters with a risk "
                "table, each chapter's relative importance (1–4) of its challenges is read as the legend level "
                "of the same number, one dot per distinct level. The e-CNY and AI ethics chapters have no risk "
                "table and their levels are not stated in the text: those dots are drawn white. The legend keeps "
                "all five printed levels; 'not applicable' is used by no cell (every cell has a dot)."
            )
            what = (
                "A grid of the seven technologies by the four dimensions with the printed number of dots in "
                "each cell, coloured by the degree of threat this collection derives from the risk tables."
            )
            tables = None  # figures.csv's list
        self.show_figure(fig, figure_id, note=note, what=what, tables=tables, data=self._matrix_data(m, colours))

    def _matrix_data(self, m: pd.DataFrame, colours: str) -> pd.DataFrame:
        """What Figure 0.1 draws, one row per dot: the cell (technology, dimension, as labelled), the
        dot's number in its cell and, with *colours* "derived", its level as this collection reads it
        from the risk tables (empty where the text states none; every level empty with "printed")."""
        techs = self.t("technologies").set_index("technology_id")["label"]
        dims = self.t("dimensions").set_index("dimension_id")["label"]
        levels = self.t("threat_levels").set_index("level")["label"]
        known = m["level_known"].astype(bool) & (colours == "derived")
        level = m["level"].where(known).astype("Int64")
        if colours == "derived":
            source = known.map(
                {True: "this collection's reading of the chapter's risk table", False: "not stated in the text"}
            )
        else:
            source = pd.Series("no colour drawn: only the printed dots", index=m.index)
        return pd.DataFrame(
            {
                "technology_id": m["technology_id"],
                "technology": m["technology_id"].map(techs),
                "dimension_id": m["dimension_id"],
                "dimension": m["dimension_id"].map(dims),
                "dot": m["dot"],
                "level": level,
                "level_label": [
                    levels.get(int(v), "") if known_ else "" for v, known_ in zip(level, known, strict=True)
                ],
                "level_source": source,
            }
        )

    def threat_matrix_user_reading(self, figure_id: str = "0.1", user_levels=None, colours: str = "derived") -> None:
        """Figure 0.1 (or 1.2) with a user's reading of the levels the text does not state (the notebook
        parameter ``matrix_user_levels``; nothing at all when it is None).

        Saved as its own output ``<id>-user`` (``fig-0-1-user.*``), titled "Figure 0.1 with a reading
        supplied by the user (not the report's)" and never given the report figure's status: the
        report's Figure 0.1 is drawn unchanged by :meth:`threat_matrix`. The user's dots are ringed and
        coloured by the user's level in both colour modes; with ``colours="printed"`` the report's own
        dots stay uncoloured (only what the text gives), so the only colours are the user's.
        """
        from ..plots.matrix import USER_LEGEND, threat_matrix
        from ..userlevels import apply_user_levels, load_user_levels

        colours = check_value("matrix_colours", colours)
        path = check_value("matrix_user_levels", user_levels)
        if path is None:
            return None
        levels = load_user_levels(path, self.params.data_dir)
        m = apply_user_levels(self.derived_matrix(), levels)
        fig = threat_matrix(m, self.t("technologies"), self.t("dimensions"), self.t("threat_levels"), colours=colours)
        info = self.info(figure_id)
        name = levels.attrs["source_file"]
        example = bool(levels.attrs.get("is_example"))
        number = info.number_printed.rstrip(".")
        header = f"{number} with a reading supplied by the user (not the report's)" + (
            " – illustration, not a finding of the report" if example else ""
        )
        techs = self.t("technologies").set_index("technology_id")["short_label"]
        given = ", ".join(dict.fromkeys(str(techs.get(t, t)) for t in levels["technology_id"]))
        report_part = (
            "dots per cell as printed, not coloured"
            if colours == "printed"
            else "dots per cell as printed, colours derived from the chapters' risk tables"
        )
        source = (
            f"Source: {number} of {F.REPORT_REF} ({report_part}). Ringed dots ({given}): the user's "
            f"reading in {name}, supplied by the user, not in the report. Data: "
            + ", ".join(f"{t}.csv" for t in info.tables)
            + f"; {name} (user-supplied)."
        )
        unstated = int((~m["level_known"].astype(bool) & ~m["user_level"]).sum())
        note = " ".join(
            s
            for s in (
                ILLUSTRATION if example else "",
                f"This is not the report's {number}, which is shown above unchanged: the ringed dots are a reading "
                f"supplied by the user ({name}, {levels.attrs.get('read', '')}) of levels the report's text does "
                "not state (the chapters without a risk table). One level per printed dot; the report's dot counts "
                "are kept and no level the text gives is replaced.",
                "The report's own dots are drawn as printed, uncoloured; only the user's dots are coloured."
                if colours == "printed"
                else "",
                f"{unstated} dot(s) the user gave no level for stay 'level not stated in the text'."
                if unstated
                else "",
            )
            if s
        )
        caption: dict[str, object] = {
            "caption": header,
            "source": source,
            "status": None,
            "status_text": f"not a figure of the report: {number} with a reading supplied by the user",
            "note": note,
            "alt": f"{header}. A grid of the seven technologies by the four dimensions; {USER_LEGEND}.",
        }
        fid = f"{figure_id}-user"
        texts = style.add_caption(fig, header, source, ILLUSTRATION if example else "")
        paths = F.save(fig, fid, self.params.figures_dir, self.params.formats, self.params.dpi)
        bbox = F.tight_bbox(fig, self.params.dpi)  # the box save used (deterministic), for caption_rows
        caption["caption_rows"] = F.caption_rows(texts, bbox, self.params.dpi)
        self.written += paths
        F.display_figure(fig, fid, paths, self.params.dpi, caption)
        # Returns nothing: the figure is shown and saved (paths in self.written).

    # -- risk tables
    def _risk(self, figure_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        rc = self.t("risk_challenges")
        ri = self.t("risk_instruments")
        return rc[rc["figure"] == figure_id], ri[ri["figure"] == figure_id]

    def risk_table(self, figure_id: str) -> None:
        """The risk table as printed: one row per dimension, list cells as bullets."""
        rc, ri = self._risk(figure_id)
        dims = self.t("dimensions").sort_values("order")
        rows = []
        for d in dims.itertuples():
            c = rc[rc["dimension_id"] == d.dimension_id].sort_values("item")
            i = ri[ri["dimension_id"] == d.dimension_id].sort_values("item")
            scores = c["importance"].astype(int).tolist()
            score = str(scores[0]) if c["score_shared"].all() or len(scores) == 1 else " / ".join(map(str, scores))
            rows.append([d.label_risk_tables, c["challenge"].tolist(), score, i["instrument"].tolist()])
        self.show_table(
            Table(RISK_COLUMNS, rows, numeric={2}),
            figure_id,
            tables=["risk_challenges", "risk_instruments", "dimensions"],
        )

    def risk_profile(self, figure_id: str) -> None:
        """This collection's chart of risk table *figure_id* (saved as '<id>-chart'): the printed importance
        of each challenge by dimension as a dot on the 1-4 scale, a score shared by several challenges drawn
        once; the values drawn are saved beside it (fig-<id>-chart.csv)."""
        from ..plots.risk import risk_profile, risk_rows

        cid = self.chart_id(figure_id)
        rc, _ = self._risk(figure_id)
        dims = self.t("dimensions")
        fig = risk_profile(rc, dims, scores="printed")
        n_shared = int(rc["score_shared"].fillna(False).astype(bool).sum())
        # issue #21: an ordinal score is a position on the 1-4 scale, not a bar from 0; labels are whole
        note = (
            f"The report prints Figure {figure_id} as a table (shown above); this chart of it is this "
            "collection's. Each challenge is labelled by its whole printed text; its relative importance, an "
            "ordinal score from 1 to 4 (not a measured quantity: a 4 is not four times a 1), is drawn as a dot "
            "at its level, coloured as the levels of this collection's Figure 0.1"
            + (
                "; where a cell prints one score for several challenges, one dot on a bracket spans them, "
                "marked 'one score printed'"
                if n_shared
                else ""
            )
            + "."
        )
        what = (
            "A dot per printed relative importance (1 to 4) of each challenge, on a 1-to-4 scale, grouped by "
            "the four dimensions of Open Strategic Autonomy."
        )
        data = risk_rows(rc, dims).assign(figure=figure_id)
        self.show_figure(fig, cid, note=note, what=what, tables=["risk_challenges", "dimensions"], data=data)

    # -- actor tables
    def _actors(self, figure_id: str) -> pd.DataFrame:
        a = self.t("actors")
        return a[a["figure"] == figure_id].sort_values("row")

    def actor_table(self, figure_id: str, note: str = "") -> None:
        """The actor table with priority symbols as printed and names per name_lang."""
        a = self._actors(figure_id)
        lang = self.params.name_lang
        rows = [
            [
                r["actor_type"],
                model.actor_name(r, lang),
                r["description"],
                r["key_task"],
                r["priority_symbol"] if pd.notna(r["priority_symbol"]) else "",
            ]
            for _, r in a.iterrows()
        ]
        errata = self.erratum(f"Figure {figure_id}")
        for e in errata.itertuples():
            note = f"{note} Erratum ({e.location}): {e.issue}".strip()
        missing = int(a["priority_symbol"].isna().sum())
        if missing:
            extra = (
                f"{missing} of {len(a)} rows show no priority symbol in the text: the cell is left empty, not guessed."
            )
            note = f"{note} {extra}".strip()
        self.show_table(Table(ACTOR_COLUMNS, rows, numeric={4}), figure_id, note=note, tables=["actors"])

    def actor_chart(self, figure_id: str) -> None:
        """This collection's chart of actor table *figure_id* (saved as '<id>-chart'): actors by type group
        and the priority symbol printed, where the table prints any (Figures 4.1, 6.1 and 7.1 print none:
        their charts' titles and notes do not promise one, issue #21)."""
        from ..plots.actors import RULE_TEXT, actor_counts, actors_by_type

        cid = self.chart_id(figure_id)
        a = self._actors(figure_id)
        top = [model.actor_name(r, self.params.name_lang) for _, r in a[a["priority_symbol"] == "●"].iterrows()]
        fig = actors_by_type(a, top)
        printed = int(a["priority_symbol"].notna().sum())
        note = (
            f"The report prints Figure {figure_id} as a table (shown above); this chart of it is this "
            "collection's. Type groups are this collection's reading of the printed actor types: "
            + RULE_TEXT
            + (
                " The report prints ● and ◐ without a legend."
                if printed
                else f" The table prints no priority symbol (● or ◐) for any of its {len(a)} actors."
            )
        )
        for e in self.erratum(f"Figure {figure_id}, caption").itertuples():
            note += f" Erratum ({e.location}): {e.issue}"
        what = (
            "Stacked horizontal bars of the number of actors the table lists per type group, split by the "
            "priority symbol printed (or none)."
            if printed
            else "Horizontal bars of the number of actors the table lists per type group."
        )
        self.show_figure(fig, cid, note=note, what=what, tables=["actors"], data=actor_counts(a))

    # -- Figures 3.1 / 3.2
    def not_reproduced(self, figure_id: str) -> None:
        """A report figure whose content is not in the text: one sentence saying so and why (its
        status reason in figures.csv), under the figure's anchor on the report page."""
        info = self.info(figure_id)
        show_markdown(f"*{info.header}*: not reproduced. {info.status_reason}", placeholder_of=figure_id)

    def contributor_shares(self, figure_id: str, authorships_csv=None) -> None:
        """Figures 3.1/3.2: the chart data is not in the source. Without data, say so plainly;
        with a user's authorships CSV (paper_id, region; one row per author), draw the shares
        by the chapter's fractional method (model.fractional_counts)."""
        info = self.info(figure_id)
        if authorships_csv is None:
            # the reader learns what is missing and why; how to draw it is for the notebook's user
            self.not_reproduced(figure_id)
            show_markdown(
                f"To draw {info.number_printed.rstrip('.')} from your own data, call "
                f'`ch.contributor_shares("{figure_id}", authorships_csv=PATH)` with a CSV or .xlsx file of one '
                "row per author (`paper_id`, `region`).",
                notebook_only=True,
            )
            return None
        from ..plots.keyfig_base import share_bars
        from ..userdata import load_user_table, markdown_text

        schema = json.loads(
            (Path(__file__).parent.parent / "schemas" / "authorships.schema.json").read_text(encoding="utf-8")
        )
        table = load_user_table(authorships_csv, schema, self.params.data_dir, name="authorships")
        show_text(f"Read {markdown_text(table.attrs['read'])}.")  # a file name is the user's: not markup
        counts = model.fractional_counts(table)
        fig = share_bars(counts)
        self.show_figure(
            fig,
            figure_id,
            header=f"{info.header} (from user data, not from the report)",
            extra_source=f"Chart data: {Path(authorships_csv).name} supplied by the user.",
            note="Papers by authors from several regions are shared by region in proportion "
            "to their authors (osa_utils.model.fractional_counts).",
            what="Horizontal bars of each region's share of the papers in the user's data.",
        )

    def erratum(self, location_prefix: str) -> pd.DataFrame:
        """Errata whose location is *location_prefix* or starts with it and a comma (e.g. 'Figure 2.1')."""
        e = self.t("errata")
        loc = e["location"].astype(str)
        return e[(loc == location_prefix) | loc.str.startswith(location_prefix + ",")].reset_index(drop=True)

    def supplementary_ids(self, chapter: int) -> list[str]:
        """Ids of this collection's supplementary charts of key figures for a chapter (supplementary_figures.csv),
        without those drawn by a method of their own (DEDICATED_CHARTS) and the tables of text."""
        s = self.t("supplementary_figures")
        kind = s["status"] if "status" in s.columns else pd.Series("supplementary", index=s.index)
        keep = (
            (s["chapter"] == chapter)
            & (kind == "supplementary")
            & ~s["figure_id"].isin(DEDICATED_CHARTS)
            & s["key_figure_ids"].notna()
        )
        return s[keep]["figure_id"].tolist()
