"""Charts of numbers the text states: Box 1, Figure 5.3, and supplementary charts."""
from __future__ import annotations

import pandas as pd

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
USDC_NOTE = ("The series of the original chart (USDC market cap and volume) are not in the text; only the values "
             "stated in footnote 134 are shown.")


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
        parts.append("Hollow bars with an arrow are bounds as printed ('more than', 'less than', 'almost'...): "
                     "the arrow points to where the true value lies.")
    if "about" in q:
        parts.append("Dashed outlines mark values printed as approximate ('about', 'around').")
    return " ".join(parts)


class KeyFiguresMixin:
    """Box 1, the stand-in for Figure 5.3, and the supplementary charts of supplementary_figures.csv."""

    # -- Box 1
    def box1_shares(self, figure_id: str = "box1"):
        """Box 1: shares of the 137 most import-dependent products; the unspecified remainder computed."""
        from ..plots.keyfigures import box1_shares

        kf = self.t("key_figures")
        shares = rows_by_id(kf, BOX1_SHARES)
        total = rows_by_id(kf, [BOX1_TOTAL]).iloc[0]
        imp = rows_by_id(kf, [BOX1_IMPORT_SHARE]).iloc[0]
        fig = box1_shares(shares, imp, total)
        info = self.info(figure_id)
        rest = 100 - float(shares["value"].sum())
        note = ("A chart of the numbers Box 1 states in prose (the box itself is text). The three printed shares "
                f"leave about {rest:g}% of the products unaccounted for (computed as 100 minus the shares, approximate "
                "because one share is printed as 'about'); it is drawn hatched grey as not specified in the text. "
                "The PRC's share refers to the import value of these products, not to their number, so it is "
                "drawn separately.")
        return self.show_figure(fig, figure_id, header=info.header, tables=["key_figures"], note=note)

    # -- Figure 5.3
    def usdc_figure(self, figure_id: str = "5.3"):
        """Figure 5.3 stand-in: only the values footnote 134 states, with a prominent on-figure note."""
        from ..plots.keyfigures import format_number, format_value, key_figure_panels

        kf = self.t("key_figures")
        rows = rows_by_id(kf, USDC_ROWS)
        if not (rows["footnote"] == USDC_FOOTNOTE).all():
            raise ValueError(f"Figure 5.3 rows {', '.join(USDC_ROWS)} must all cite footnote {USDC_FOOTNOTE}")
        body = rows_by_id(kf, [USDC_BODY_ROW]).iloc[0]
        # a bare scale word as unit: the text prints no currency for these volumes
        bare = rows[rows["unit"].isin(["million", "billion"])]
        unit_labels = {u: f"{u} (no currency printed)" for u in bare["unit"].unique()}
        bare_values = " and ".join(dict.fromkeys(f"{format_number(v)} {u}" for v, u in zip(bare["value"],
                                                                                           bare["unit"])))
        on_fig = USDC_NOTE + (f" The {bare_values} is printed without a currency." if len(bare) else "")
        on_fig += " Note 134 also forecasts 'a similar future for the e-CNY by 2026' without stating a value."
        fig = key_figure_panels(rows, unit_labels=unit_labels, on_figure_note=on_fig)
        info = self.info(figure_id)
        note = (f"Values printed inside footnote {USDC_FOOTNOTE} (key_figures.csv rows "
                + ", ".join(rows["key_figure_id"]) + "), one panel per printed unit, values and units exactly "
                f"as printed. The body text adds that USDC's market cap grew {format_value(body)} "
                f"({body['key_figure_id']}); it states no start or end value, so it is not drawn. "
                + _qualifier_note(rows)).strip()
        return self.show_figure(fig, figure_id, header=f"{info.header}: only the values stated in footnote 134",
                                tables=["key_figures"], note=note)

    # -- supplementary charts
    def supplementary(self, figure_id: str):
        """A chart of supplementary_figures.csv: its key figures, in the order listed, one panel per unit."""
        from ..plots.keyfigures import key_figure_panels

        sup = self.t("supplementary_figures")
        hit = sup[sup["figure_id"] == figure_id]
        if not len(hit):
            raise KeyError(f"figure {figure_id!r} is not in supplementary_figures.csv; known: "
                           + ", ".join(sup["figure_id"]))
        row = hit.iloc[0]
        rows = rows_by_id(self.t("key_figures"), str(row["key_figure_ids"]).split(";"))
        fig = key_figure_panels(rows)
        info = self.info(figure_id)
        parts = [str(row["note"]) if pd.notna(row["note"]) else "",
                 "Bars in the order listed in supplementary_figures.csv; colours mark the source of each number.",
                 "One panel per printed unit." if rows["unit"].nunique() > 1 and "panel" not in str(row["note"])
                 else "",
                 _qualifier_note(rows)]
        note = " ".join(p for p in parts if p)
        return self.show_figure(fig, figure_id, header=f"Supplementary chart {figure_id} – {info.caption}",
                                tables=["key_figures"], note=note)
