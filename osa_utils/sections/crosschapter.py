"""Cross-chapter views (notebook 09_cross_chapter): actors across technologies, threat profiles, instruments.

None of these is a figure of the report: they are this collection's synthesis of
the chapters' actor and risk tables (supplementary_figures.csv rows 'x9.N').
Every grouping of free text (actor types, instruments) is labelled on the output
as this collection's reading, with its rule.
"""

from __future__ import annotations

import pandas as pd

from .. import model
from ..tables import Table
from ..text import is_missing as _na
from .base import Base
from .methods import tied_dimensions

NO_SYMBOL = "no symbol in the text"
#: Group of x9.6 for the recommendations a chapter ties to no dimension.
UNTIED = "untied"
UNTIED_LABEL = "Tied to no dimension by the chapter"
#: Longest opening of a recommendation's text shown in x9.6 where it has no lead (the chapter tables have it whole).
OPENING_CHARS = 140
#: A lead this short (e.g. chapter 4's bare dimension names) is followed by the opening words of the text.
SHORT_LEAD = 40
CROSS_SOURCE = (
    "A cross-chapter view of this collection (notebook 09_cross_chapter), not a figure of the report; "
    "drawn from the chapters' tables."
)


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class CrossChapterMixin(Base):
    """Recurring actors, the technology–actor network, threat profiles, instruments, recommendations
    (the what-if explorer: sections/whatif.py)."""

    # -- helpers
    def _techs(self) -> pd.DataFrame:
        return self.t("technologies").sort_values("order").reset_index(drop=True)

    def _actors_ordered(self) -> pd.DataFrame:
        a = self.t("actors")
        order = dict(zip(self._techs()["technology_id"], self._techs()["order"]))
        return (
            a.assign(_t=a["technology_id"].map(order))
            .sort_values(["_t", "figure", "row"], kind="stable")
            .drop(columns="_t")
            .reset_index(drop=True)
        )

    def _actors_by_organisation(self) -> pd.DataFrame:
        """_actors_ordered() with ``organisation``: parent_actor_id where set (a unit of an organisation, e.g.
        'Huawei & Huawei Cloud' -> huawei), else actor_id. Cross-chapter recurrence is counted on it."""
        a = self._actors_ordered()
        parent = a["parent_actor_id"] if "parent_actor_id" in a.columns else pd.Series(pd.NA, index=a.index)
        org = [str(aid) if _na(p) else str(p) for aid, p in zip(a["actor_id"], parent)]
        return a.assign(organisation=org)

    def _organisation_names(self, a: pd.DataFrame) -> dict[str, str]:
        """organisation -> its name per name_lang, from the first row that is the organisation itself
        (from its first row otherwise)."""
        lang = self.params.name_lang
        names = {}
        for org, part in a.groupby("organisation", sort=False):
            own = part[part["actor_id"] == org]
            names[org] = model.actor_name((own if len(own) else part).iloc[0], lang)
        return names

    def _supp_header(self, figure_id: str) -> str:
        return f"Cross-chapter view {figure_id} – {self.info(figure_id).caption}"

    def _no_risk_table(self) -> list[str]:
        t = self._techs()
        return t[t["risk_table_figure"].isna()]["short_label"].tolist()

    # -- recurring actors
    def recurring_actor_frame(self) -> pd.DataFrame:
        """One row per organisation listed in more than one chapter's actor table (organisation:
        parent_actor_id where set, else actor_id; the column actor_id holds it): actor (the
        organisation's name per name_lang, from the first chapter listing it itself), chapters
        (count), and per technology_id the printed priority ('●', '◐', NO_SYMBOL) or <NA> when not
        listed; a row for a unit adds the unit's printed name ('◐ (as Huawei & Huawei Cloud)').
        Sorted by number of chapters (descending), then name."""
        a = self._actors_by_organisation()
        lang = self.params.name_lang
        names = self._organisation_names(a)
        counts = a.groupby("organisation")["technology_id"].nunique()
        rows = []
        for org in counts[counts > 1].index:
            rs = a[a["organisation"] == org]
            row = {"actor_id": org, "actor": names[org], "chapters": int(counts[org])}
            for t, part in rs.groupby("technology_id", sort=False):
                cells = []
                for r in part.itertuples():
                    cell = NO_SYMBOL if _na(r.priority_symbol) else str(r.priority_symbol)
                    if r.actor_id != org:
                        cell += f" (as {model.actor_name(part.loc[r.Index], lang)})"
                    cells.append(cell)
                row[t] = " / ".join(cells)
            rows.append(row)
        techs = [t for t in self._techs()["technology_id"] if any(t in r for r in rows)]
        out = pd.DataFrame(rows, columns=["actor_id", "actor", "chapters"] + techs)
        return out.sort_values(["chapters", "actor"], ascending=[False, True], kind="stable").reset_index(drop=True)

    def recurring_actors(self, figure_id: str = "x9.1") -> None:
        """Ranked table of the organisations (parent_actor_id, else actor_id) in more than one chapter's
        actor table, with the priority each chapter prints."""
        f = self.recurring_actor_frame()
        techs = self._techs().set_index("technology_id")
        tech_cols = [c for c in f.columns if c in techs.index]
        columns = ["Actor", "Number of chapters"] + [
            f"Ch. {techs.loc[t, 'chapter']} {techs.loc[t, 'short_label']} (Fig. {techs.loc[t, 'actor_table_figure']})"
            for t in tech_cols
        ]
        rows = [
            [r["actor"], str(r["chapters"])] + ["" if _na(r[t]) else r[t] for t in tech_cols] for _, r in f.iterrows()
        ]
        a = self._actors_by_organisation()
        lang = self.params.name_lang
        notes = [
            "Actors are matched across chapters by actor_id of actors.csv, whose note column records each "
            "merge, and counted per organisation: a row for a unit of an organisation (parent_actor_id, e.g. "
            "a company's cloud unit or a commission's department) counts for that organisation, and its cell "
            "names the unit as printed ('as …'). An empty cell: the organisation is not in that chapter's "
            "table. The report prints ● and ◐ without a legend."
        ]
        absent = [
            f"{r.short_label} (ch. {r.chapter})" for r in self._techs().itertuples() if r.technology_id not in tech_cols
        ]
        if absent:
            notes.append(f"No actor of {_names(absent)} appears in another chapter's table.")
        silent = [
            f"Figure {fig}" for fig, part in a.groupby("figure", sort=True) if part["priority_symbol"].isna().all()
        ]
        if silent:
            notes.append(f"{_names(silent)} print no priority symbol for any row.")
        variants = []
        for org in f["actor_id"]:
            own = a[(a["organisation"] == org) & (a["actor_id"] == org)]
            names = list(dict.fromkeys(model.actor_name(r, lang) for _, r in own.iterrows()))
            if len(names) > 1:
                variants.append(" / ".join(names))
        if variants:
            notes.append("Names differ between chapters (the first chapter's is shown): " + "; ".join(variants) + ".")
        notes.append(CROSS_SOURCE)
        self.show_table(
            Table(columns, rows, numeric=set(range(1, len(columns)))),
            figure_id,
            header=self._supp_header(figure_id),
            tables=["actors", "technologies"],
            note=" ".join(notes),
        )

    # -- network
    def actor_graph(self):
        """The technology–actor graph (osa_utils.plots.network.actor_graph) of the data, one actor node per
        organisation (parent_actor_id where set, else actor_id), named and typed as the organisation itself is
        printed (a unit's row keeps its edge, figure, row and priority symbol)."""
        from ..plots.network import actor_graph

        a = self._actors_by_organisation()
        own = a[a["actor_id"] == a["organisation"]].drop_duplicates("organisation").set_index("organisation")
        units = a["actor_id"] != a["organisation"]
        # the names each row prints stay with it (a node shows every Chinese name printed for it, its units' too)
        a = a.assign(printed_name_en=a["name_en"], printed_name_zh=a["name_zh"], unit=units)
        for col in ("name_en", "name_zh", "actor_type"):
            a.loc[units, col] = [
                own.loc[o, col] if o in own.index else v
                for o, v in zip(a.loc[units, "organisation"], a.loc[units, col])
            ]
        a["actor_id"] = a["organisation"]
        return actor_graph(a.drop(columns="organisation"), self.t("technologies"), self.params.name_lang)

    def actor_network(self, figure_id: str = "x9.2") -> None:
        """Technology–actor bipartite network: all technologies, recurring actors named, the others as dots.

        With the layout check on (figures.LAYOUT_CHECK_ENV), the drawn figure, caption included, is
        measured (osa_utils.plots.network.drawing_problems): a line through a label, a legend over
        anything or two lines on top of each other raise figures.LayoutError."""
        import os

        from .. import figures as F
        from ..plots.network import MIXED_GROUP, actor_network, drawing_problems, drawn_frame, layout

        g = self.actor_graph()
        pos = layout(g)
        fig = actor_network(g, pos)
        actors = [d for _, d in g.nodes(data=True) if d["kind"] == "actor"]
        n_rec = sum(d["chapters"] > 1 for d in actors)
        note = (
            f"{len(actors) - n_rec} actors listed by a single chapter are drawn as small unnamed dots left of "
            f"their technology, to keep the chart readable (their names are in each chapter's actor table and in "
            f"the chart's data file); the {n_rec} actors listed by several chapters are named, in a column on the "
            f"right. One line per chapter listing an actor ({g.number_of_edges()} lines, {len(actors)} "
            "organisations, each counted once: a row's parent_actor_id where set, so a unit such as a company's "
            "cloud unit counts for its organisation, else its actor_id); "
            "line style: the priority symbol printed (the stronger, ● over ◐, where a chapter lists an "
            "organisation and its unit). Dot colours: actor type groups, "
            "this collection's reading of the printed actor types, not the report's (first matching keyword, "
            "in order: bank; company/corporation; research/laborator/institute/scientist/researcher/"
            "R&D; consortium/alliance/association/industry; policy/government/ministry/leading small group/fund; "
            "otherwise other; osa_utils.plots.actors.actor_type_group). Layout is this collection's: "
            "technologies in a column in the report's order, each named actor at the mean height of its "
            "technologies (moved apart where names need room); distances carry no meaning."
        )
        if self.params.name_lang != "en":
            note += (
                " Chinese names: every Chinese name printed for a node's rows, separated by ' / ', the "
                "organisation's own first, then those printed for its units (e.g. a company's cloud unit)."
            )
        if any(d["group"] == MIXED_GROUP for d in actors):
            note += " Grey dots: the printed actor types fall in different groups in different chapters."
        self.show_figure(
            fig,
            figure_id,
            header=self._supp_header(figure_id),
            tables=["actors", "technologies"],
            note=note,
            what="A network of the seven technologies and the actors their chapters list, "
            "organisations listed by several chapters named in a column beside the technologies.",
            data=drawn_frame(g, pos),
        )
        if os.environ.get(F.LAYOUT_CHECK_ENV):
            problems = drawing_problems(fig, self.params.dpi)
            if problems:
                raise F.LayoutError(f"{F.stem(figure_id)}: " + "; ".join(problems))

    # -- threat profiles
    def threat_profiles(self, figure_id: str = "x9.3") -> None:
        """Heat map technologies x dimensions: highest importance per cell, range when several challenges."""
        from ..plots.profiles import cell_profile, importance_heatmap

        rc = self.t("risk_challenges")
        fig = importance_heatmap(rc, self.t("technologies"), self.t("dimensions"))
        note = (
            "Each cell: the highest relative importance (1–4) among the challenges the chapter's risk table "
            "lists for that dimension. Where it lists several, the number of challenges and their range are "
            "written below ('each scored N' where they print one value), or 'one score printed' where the table "
            "prints a single score for all of them. "
            "Colours are those of the degree-of-threat levels in this collection's Figure 0.1."
        )
        data = model.ordered(cell_profile(rc), self.t("technologies"), self.t("dimensions")).rename(
            columns={
                "max": "highest_importance",
                "min": "lowest_importance",
                "n": "challenges",
                "shared": "one_score_printed",
            }
        )
        self._profile_figure(fig, figure_id, note, data)

    def _profile_figure(self, fig, figure_id: str, note: str, data: pd.DataFrame | None = None) -> None:
        """Caption and save a chart of the five risk tables, naming the chapters without one. The image
        carries the report's warning against comparing across technologies (L96 of the text: "taken with
        a pinch of salt"; profiles.CROSS_CHAPTER_CAVEAT, drawn by the plot function); the note says so too."""
        missing = self._no_risk_table()
        if missing:
            note += f" {_names(missing)}: no risk table in the report, so not shown."
        note += (
            " The report itself warns that the degree of risk is difficult to compare across technologies and "
            "that such an assessment 'needs to be taken with a pinch of salt' (executive summary); the chart "
            "quotes the warning."
        )
        what = {
            "x9.3": "A heat map of the five technologies with a risk table by the four dimensions, each cell "
            "giving the highest printed importance (1 to 4).",
            "x9.4": "Per dimension, one marker per challenge at its printed importance (1 to 4), one column per "
            "technology.",
        }.get(figure_id, "")
        self.show_figure(
            fig,
            figure_id,
            header=self._supp_header(figure_id),
            tables=["risk_challenges", "technologies", "dimensions"],
            note=note,
            what=what,
            data=data,
        )

    def importance_spread(self, figure_id: str = "x9.4") -> None:
        """Per dimension, every challenge's importance across the chapters with a risk table."""
        from ..plots.profiles import importance_spread

        rc = self.t("risk_challenges")
        fig = importance_spread(rc, self.t("technologies"), self.t("dimensions"))
        note = (
            "One marker per challenge of risk_challenges.csv, at its printed importance; one column of markers "
            "per chapter within each dimension (fixed offsets, no random jitter). Where a table prints one "
            "score for several challenges, that score is repeated on each and a bracket below joins the markers. "
            "Grey band and top line: the range across the chapters."
        )
        data = model.ordered(rc, self.t("technologies"), self.t("dimensions"))[
            ["technology_id", "figure", "dimension_id", "item", "challenge", "importance", "score_shared"]
        ]
        self._profile_figure(fig, figure_id, note, data)

    # -- instruments
    def instrument_rows(self) -> pd.DataFrame:
        """risk_instruments with the type given by the keyword rule (profiles.instrument_type), in printed order."""
        from ..plots.profiles import instrument_type

        ri = model.ordered(self.t("risk_instruments"), self.t("technologies"), self.t("dimensions"))
        return ri.assign(type=[instrument_type(x) for x in ri["instrument"]])

    def instruments_by_dimension(self, figure_id: str = "x9.5") -> None:
        """Per dimension: Figure 0.3's instrument types beside the chapters' instruments grouped into them."""
        from ..plots.profiles import NOT_MATCHED, rule_text

        dims = self.t("dimensions").sort_values("order")
        pi = self.t("policy_instruments")
        pi = pi[pi["figure"] == "0.3"]
        ri = self.instrument_rows()
        short = dict(zip(self._techs()["technology_id"], self._techs()["short_label"]))
        columns = [
            "DIMENSION",
            "Instrument type (Figure 0.3)",
            "Number of the chapters' instruments",
            "The chapters' instruments grouped into it (chapter: text as printed)",
        ]

        def listed(part):
            return [f"{short[r.technology_id]}: {r.instrument}" for r in part.itertuples()]

        rows = []
        for d in dims.itertuples():
            own = pi[pi["dimension_id"] == d.dimension_id].sort_values("item")["instrument"].tolist()
            part = ri[ri["dimension_id"] == d.dimension_id]
            for kind in own:
                m = part[part["type"] == kind]
                rows.append([d.label_fig03, kind, str(len(m)), listed(m)])
            others = [k for k in dict.fromkeys(part["type"].dropna()) if k not in own]
            for kind in others:
                m = part[part["type"] == kind]
                rows.append(
                    [d.label_fig03, f"{kind} (a type Figure 0.3 lists under another dimension)", str(len(m)), listed(m)]
                )
            m = part[part["type"].isna()]
            rows.append([d.label_fig03, NOT_MATCHED, str(len(m)), listed(m)])
        note = (
            "The dimension of each instrument is the row of its chapter's risk table that prints it, as printed. "
            "Only its grouping into Figure 0.3's instrument types is this collection's reading, not the report's. "
            + rule_text()
            + " An instrument a table prints in several dimensions is counted in each. Cross-chapter "
            "view x9.6 places the chapters' recommendations under the dimensions the chapters themselves state, "
            "without a keyword rule."
        )
        missing = self._no_risk_table()
        if missing:
            note += f" {_names(missing)}: no risk table in the report, so no instruments."
        note += " " + CROSS_SOURCE
        self.show_table(
            Table(columns, rows, numeric={2}),
            figure_id,
            header=self._supp_header(figure_id),
            tables=["policy_instruments", "risk_instruments", "technologies", "dimensions"],
            note=note,
        )

    # -- recommendations per dimension (no keyword rule: the dimensions the chapters state)
    def recommendations_by_dimension_frame(self) -> pd.DataFrame:
        """One row per recommendation and group it is listed under: ``group`` is each dimension the chapter ties
        it to (recommendations.csv dimension_id, then other_dimension_ids; ``tie`` "main" or "also"), or UNTIED
        (``tie`` "none") with the chapter's ``dimension_reason``. Ordered by dimension, chapter, printed order."""
        rec = self.t("recommendations").sort_values(["chapter", "order"])
        order = {d: i for i, d in enumerate(self.t("dimensions").sort_values("order")["dimension_id"])}
        order[UNTIED] = len(order)
        rows = []
        for _, r in rec.iterrows():
            dims = tied_dimensions(r)
            base = {
                "recommendation_id": r["recommendation_id"],
                "chapter": int(r["chapter"]),
                "order": int(r["order"]),
                "lead": r["lead"],
                "text": r["text"],
            }
            if not dims:
                rows.append({**base, "group": UNTIED, "tie": "none", "reason": r["dimension_reason"]})
            for i, d in enumerate(dims):
                rows.append({**base, "group": d, "tie": "main" if i == 0 else "also", "reason": pd.NA})
        out = pd.DataFrame(rows)
        out["_g"] = out["group"].map(order)
        return out.sort_values(["_g", "chapter", "order"], kind="stable").drop(columns="_g").reset_index(drop=True)

    @staticmethod
    def _recommendation_label(r) -> str:
        """'r2_01 Invest in …' (the lead as printed), or the opening words of the text where it has no lead or
        only a short one (then after it)."""
        lead = "" if _na(r.lead) else str(r.lead)
        if len(lead) > SHORT_LEAD:
            return f"{r.recommendation_id} {lead}"
        text = str(r.text)
        if len(text) > OPENING_CHARS:
            text = text[:OPENING_CHARS].rsplit(" ", 1)[0] + " …"
        return f"{r.recommendation_id} {lead + ': ' if lead else ''}{text}"

    def recommendations_by_dimension(self, figure_id: str = "x9.6") -> None:
        """Per dimension: Figure 0.3's instrument types, then per chapter the recommendations the chapter ties to
        the dimension beside the instruments its risk table prints in the dimension's row; last, the
        recommendations tied to no dimension, with the reason."""
        dims = self.t("dimensions").sort_values("order")
        labels = dict(zip(dims["dimension_id"], dims["label_fig03"]))
        pi = self.t("policy_instruments")
        pi = pi[pi["figure"] == "0.3"]
        ri = model.ordered(self.t("risk_instruments"), self.t("technologies"), dims)
        techs = self._techs()
        frame = self.recommendations_by_dimension_frame()
        columns = [
            "DIMENSION",
            "FIGURE 0.3'S INSTRUMENT TYPES",
            "CHAPTER",
            "RECOMMENDATIONS THE CHAPTER TIES TO THE DIMENSION (lead as printed, or the opening words)",
            "INSTRUMENTS IN THE DIMENSION'S ROW OF THE CHAPTER'S RISK TABLE (as printed)",
        ]
        rows = []
        for d in dims.itertuples():
            types = pi[pi["dimension_id"] == d.dimension_id].sort_values("item")["instrument"].tolist()
            for i, t in enumerate(techs.itertuples()):
                recs = frame[(frame["group"] == d.dimension_id) & (frame["chapter"] == t.chapter)]
                items = [
                    self._recommendation_label(r)
                    + (
                        f" (also tied to this dimension; main: {labels[self._main_dimension(r.recommendation_id)]})"
                        if r.tie == "also"
                        else ""
                    )
                    for r in recs.itertuples()
                ]
                if _na(t.risk_table_figure):
                    instruments: list[str] | str = "no risk table in the report"
                else:
                    part = ri[(ri["technology_id"] == t.technology_id) & (ri["dimension_id"] == d.dimension_id)]
                    instruments = part["instrument"].tolist()
                rows.append(
                    [
                        labels[d.dimension_id],
                        types if i == 0 else "",
                        f"{t.chapter} {t.short_label}",
                        items or "none tied to this dimension",
                        instruments,
                    ]
                )
        untied = frame[frame["group"] == UNTIED]
        for chapter, part in untied.groupby("chapter", sort=True):
            short = techs.set_index("chapter").loc[chapter, "short_label"]
            items = [f"{self._recommendation_label(r)} — why none: {r.reason}" for r in part.itertuples()]
            rows.append([UNTIED_LABEL, "", f"{chapter} {short}", items, ""])
        n_tied = frame.loc[frame["group"] != UNTIED, "recommendation_id"].nunique()
        n_also = int((frame["tie"] == "also").sum())
        note = (
            f"Recommendations (recommendations.csv, {frame['recommendation_id'].nunique()} in chapters 2–8) are "
            "placed under the dimensions the chapters themselves tie them to, not by a keyword rule: "
            f"{n_tied} are tied to at least one dimension, {n_also} of the placements are a further dimension the "
            "chapter names for the same recommendation ('also tied'). The chapter notebooks show each "
            "recommendation whole, with how the chapter ties it and the printed words. Instruments "
            "(risk_instruments.csv) stand in the dimension's row of the chapter's risk table, as printed; "
            "Figure 0.3's instrument types (policy_instruments.csv) are the report's typical instruments per "
            "dimension, given in the first row of each dimension. Recommendations the chapters tie to no "
            f"dimension ({untied['recommendation_id'].nunique()}) are listed last with the reason. "
            "Putting these side by side is this collection's; it does not say that a recommendation and an "
            "instrument in one row correspond. " + CROSS_SOURCE
        )
        self.show_table(
            Table(columns, rows),
            figure_id,
            header=self._supp_header(figure_id),
            tables=["recommendations", "risk_instruments", "policy_instruments", "technologies", "dimensions"],
            note=note,
        )

    def _main_dimension(self, recommendation_id: str) -> str:
        rec = self.t("recommendations").set_index("recommendation_id")
        return str(rec.loc[recommendation_id, "dimension_id"])
