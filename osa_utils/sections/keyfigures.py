"""Charts of numbers the text states: Box 1, Figure 5.3, and supplementary charts."""

from __future__ import annotations

import pandas as pd

from .base import Base
from .methods import CHECKLIST_CHART

#: Box 1's rows in key_figures.csv (checked against the data in rows_by_id and the tests).
BOX1_TOTAL = "kf001"
BOX1_SHARES = ("kf002", "kf003", "kf004")
BOX1_IMPORT_SHARE = "kf005"
#: Figure 5.3: the chart's series are not in the text; footnote 134 states a few values. These are
#: the rows printed inside the footnote (kf103 also cites note 134 but is the body text's market-cap
#: growth, 'a hundred times', with no start or end value: it is named in the note, not drawn).
USDC_FOOTNOTE = 134
USDC_ROWS = ("kf104", "kf105", "kf106")
USDC_BODY_ROW = "kf103"
USDC_NOTE = (
    "The series of the original chart (USDC market cap and volume) are not in the text; only the values "
    "stated in footnote 134 are shown."
)
#: This collection's chart of footnote 134's values (supplementary_figures.csv): not Figure 5.3, which is
#: not reproducible, so it has its own id and title.
USDC_CHART = "s5.4"
#: Charts of supplementary_figures.csv drawn by a method of their own, not by the chapter's loop
#: (id -> method of Chapter): footnote 134's values, chapter 8's checklist chart (sections/methods.py).
DEDICATED_METHODS = {USDC_CHART: "usdc_figure", CHECKLIST_CHART: "checklist_chart"}
DEDICATED_CHARTS = tuple(DEDICATED_METHODS)
#: The text's own caveats, drawn inside the images they qualify (issue #21): a PNG copied alone must not show
#: the comparison bare. Quotations are verbatim (tests/test_keyfig_reader.py checks them against the text);
#: "{ratio}" is the unadjusted ratio of the printed numbers (computed from CAVEAT_RATIO's rows).
CAVEATS = {
    # L759: "although methods for calculating deployment vary. Europe counts cell sites while Chinese operators
    # report base stations [...] However, even if numbers are adjusted, China has deployed almost twice as many"
    "s3.2": (
        "The text's caveat: the numbers are counted differently ('Europe counts cell sites while Chinese\n"
        "operators report base stations'), so the printed numbers' gap of about {ratio} times is not a like-for-like\n"
        "comparison: 'even if numbers are adjusted, China has deployed almost twice as many base stations\n"
        "as the EU' (lower panel)."
    ),
    # L997: "The widespread comparison of Huawei and Ericsson R&D investment neglects the fact that Huawei's R&D
    # covers wireless infrastructure, devices and fixed networks. Ericsson R&D, by contrast, is only on
    # infrastructure equipment development."
    "s3.3": (
        "The text's caveat: this comparison 'neglects the fact that Huawei's R&D covers wireless\n"
        "infrastructure, devices and fixed networks. Ericsson R&D, by contrast, is only on infrastructure\n"
        "equipment development.'"
    ),
}
#: The rows whose printed values give s3.2's unadjusted ratio: (numerator, denominator).
CAVEAT_RATIO = {"s3.2": ("kf036", "kf038")}


def rows_by_id(key_figures: pd.DataFrame, ids) -> pd.DataFrame:
    """The key_figures rows with these ids, in the order given (KeyError naming any missing id)."""
    ids = list(ids)
    kf = key_figures.set_index("key_figure_id", drop=False)
    missing = [i for i in ids if i not in kf.index]
    if missing:
        raise KeyError(f"key_figure_id(s) not in key_figures.csv: {', '.join(missing)}")
    return kf.loc[ids].reset_index(drop=True)


def _qualifier_note(rows: pd.DataFrame) -> str:
    q = set(rows["qualifier"].astype(str))
    parts = []
    if q & {"more than", "less than", "up to", "at least", "almost"}:
        parts.append(
            "Hollow bars with an arrow are bounds as printed ('more than', 'less than', 'almost'...): "
            "the arrow points to where the true value lies."
        )
    if "about" in q:
        parts.append("Dashed outlines mark values printed as approximate ('about', 'around').")
    return " ".join(parts)


class KeyFiguresMixin(Base):
    """Box 1, the stand-in for Figure 5.3, and the supplementary charts of supplementary_figures.csv."""

    # -- Box 1
    def box1_shares(self, figure_id: str = "box1") -> None:
        """This collection's chart of Box 1 (prose in the report), saved as 'box1-chart': the shares of the
        137 most import-dependent products, the unspecified remainder computed."""
        from ..plots.keyfigures import REMAINDER_LABEL, box1_shares, format_value, source_label

        cid = self.chart_id(figure_id)
        kf = self.t("key_figures")
        shares = rows_by_id(kf, BOX1_SHARES)
        total = rows_by_id(kf, [BOX1_TOTAL]).iloc[0]
        imp = rows_by_id(kf, [BOX1_IMPORT_SHARE]).iloc[0]
        fig = box1_shares(shares, imp, total)
        rest = 100 - float(shares["value"].sum())
        note = (
            "Box 1 is prose in the report; this chart of the numbers it states is this collection's. The three "
            f"printed shares leave about {rest:g}% of the products unaccounted for (computed as 100 minus the "
            "shares, approximate because one share is printed as 'about'); that part is drawn hatched grey as "
            "not specified in the text. The PRC's share refers to the import value of these products, not to "
            "their number, so it is drawn on its own bar."
        )
        what = (
            "A stacked bar of the shares of raw materials, intermediate goods and final products among the 137 "
            "products, with the unspecified remainder hatched, and a bar of the PRC's share of their import value."
        )
        drawn = pd.concat([shares, imp.to_frame().T], ignore_index=True)
        data = pd.DataFrame(
            {
                "key_figure_id": list(drawn["key_figure_id"]) + ["remainder"],
                "bar": ["products by type"] * len(shares) + ["import value", "products by type"],
                "label_drawn": [str(r["indicator"]).split(" that are ")[-1] for _, r in shares.iterrows()]
                + [str(imp["entity"]), REMAINDER_LABEL],
                "value_printed": [format_value(r) for _, r in drawn.iterrows()] + [""],
                "value_drawn_percent": [float(v) for v in drawn["value"]] + [rest],
                "source": [source_label(r) for _, r in drawn.iterrows()] + ["computed: 100 minus the three shares"],
            }
        )
        self.show_figure(fig, cid, tables=["key_figures"], note=note, what=what, data=data)

    # -- footnote 134 (Figure 5.3 is not reproducible)
    def usdc_figure(self, figure_id: str = USDC_CHART) -> None:
        """The values footnote 134 states (USDC and e-CNY volumes), as this collection's chart *figure_id*;
        Figure 5.3's own series are not in the text."""
        from ..plots.keyfigures import (
            drawn_frame,
            format_number,
            format_value,
            key_figure_panels,
            row_label,
            source_label,
        )

        kf = self.t("key_figures")
        rows = rows_by_id(kf, USDC_ROWS)
        if not (rows["footnote"] == USDC_FOOTNOTE).all():
            raise ValueError(f"rows {', '.join(USDC_ROWS)} must all cite footnote {USDC_FOOTNOTE}")
        body = rows_by_id(kf, [USDC_BODY_ROW]).iloc[0]
        # a bare scale word as unit: the text prints no currency for these volumes, so they are not put on
        # the US-dollar axis
        bare = rows[rows["unit"].isin(["million", "billion"])]
        unit_labels = {u: f"{u} (no currency printed)" for u in bare["unit"].unique()}
        bare_values = " and ".join(
            dict.fromkeys(f"{format_number(v)} {u}" for v, u in zip(bare["value"], bare["unit"]))
        )
        fig = key_figure_panels(rows, unit_labels=unit_labels, keep_units=tuple(unit_labels))
        note = (
            USDC_NOTE + " Figure 5.3 itself is not reproducible; this chart of the footnote's values is this "
            "collection's, with its own id."
            + (
                f" The {bare_values} is printed without a currency, so it is not drawn on the US-dollar scale: "
                "the panels have separate scales and are not comparable."
                if len(bare)
                else ""
            )
            + " Note 134 also forecasts 'a similar future for the e-CNY by 2026' without stating a value. "
            f"The body text adds that USDC's market cap grew {format_value(body)}; it states no start or end "
            "value, so it is not drawn. Bars, top to bottom, as key_figures.csv names them: "
            + "; ".join(f"{row_label(r)} [{source_label(r)}]" for _, r in rows.iterrows())
            + ". "
            + _qualifier_note(rows)
        ).strip()
        what = (
            "Horizontal bars of the daily volumes footnote 134 states for USDC and the e-CNY, in separate "
            "panels for the volume printed without a currency and the one printed in US dollars."
        )
        self.show_figure(
            fig,
            figure_id,
            tables=["key_figures"],
            note=note,
            what=what,
            data=drawn_frame(rows, keep_units=tuple(unit_labels)),
        )

    # -- supplementary charts
    def caveat(self, figure_id: str) -> str | None:
        """The text's caveat drawn inside chart *figure_id* (CAVEATS), its unadjusted ratio computed from the data."""
        from ..plots.keyfigures import format_number, measure

        text = CAVEATS.get(figure_id)
        if text is None:
            return None
        if figure_id in CAVEAT_RATIO:
            num, den = rows_by_id(self.t("key_figures"), CAVEAT_RATIO[figure_id]).iterrows()
            ratio = measure(num[1])[1] / measure(den[1])[1]
            text = text.format(ratio=format_number(round(ratio)))
        return text

    def supplementary(self, figure_id: str) -> None:
        """A chart of supplementary_figures.csv: its key figures, in the order listed, one axis per measure;
        a dated series of one figure (s5.2) as points on a time axis."""
        from ..plots.keyfigures import (
            drawn_frame,
            is_time_series,
            key_figure_panels,
            key_figure_series,
            measure,
            row_label,
            source_label,
        )

        sup = self.t("supplementary_figures")
        hit = sup[sup["figure_id"] == figure_id]
        if not len(hit):
            raise KeyError(
                f"figure {figure_id!r} is not in supplementary_figures.csv; known: " + ", ".join(sup["figure_id"])
            )
        if figure_id in DEDICATED_CHARTS:
            return getattr(self, DEDICATED_METHODS[figure_id])(figure_id)
        row = hit.iloc[0]
        rows = rows_by_id(self.t("key_figures"), str(row["key_figure_ids"]).split(";"))
        series = is_time_series(rows)
        caveat = self.caveat(figure_id)
        fig = key_figure_series(rows) if series else key_figure_panels(rows, caveat=caveat)
        n_measures = len({measure(r)[0] for _, r in rows.iterrows()})
        full = "; ".join(f"{row_label(r)} [{source_label(r)}]" for _, r in rows.iterrows())
        if series:
            how = (
                "Points on a time axis, one per date the text states, joined by a dotted line that only connects "
                "them: the text gives no values between the dates."
            )
        else:
            how = (
                "Bars in the order listed in supplementary_figures.csv; colours mark the source of each number. "
                "Numbers a reader compares share one axis and one unit (converted where the text prints them "
                "differently, e.g. millions and counts, a fraction and percentages; labels keep the printed "
                "wording)."
                + (
                    " Different measures are drawn in separate panels with their own scales, which are not comparable."
                    if n_measures > 1
                    else ""
                )
            )
        parts = [
            str(row["note"]) if pd.notna(row["note"]) else "",
            how,
            f"{'Points' if series else 'Bars'}, top to bottom or left to right, as key_figures.csv names them: {full}.",
            _qualifier_note(rows) if not series else "",
            "The text's caveat is drawn inside the image." if caveat else "",
        ]
        note = " ".join(p for p in parts if p)
        what = (
            f"Points on a time axis of the {len(rows)} values the text states, each labelled with its value as "
            "printed and its date."
            if series
            else f"Horizontal bars of the {len(rows)} numbers the text states, each labelled with its value as "
            "printed." + (" A box quotes the text's caveat." if caveat else "")
        )
        self.show_figure(fig, figure_id, tables=["key_figures"], note=note, what=what, data=drawn_frame(rows))
