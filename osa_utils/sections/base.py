"""The base every notebook view stands on: the notebook's parameters, access to the data package,
and showing/saving a figure or a table (with its caption, source line and output metadata).

The mixins of :mod:`osa_utils.sections` inherit from :class:`Base`, so each knows ``self.t``,
``self.params``, ``self.show_figure``...; :class:`osa_utils.notebook.Chapter` and the views of
the tool notebooks (:class:`~osa_utils.sections.appcheck.AppCheck`,
:class:`~osa_utils.sections.panel.PanelView`) combine them. Nothing here imports the facade.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import figures as F
from .. import model, outputmeta, style
from ..params import check_params
from ..tables import Table, display_table, save_table


class Base:
    """Parameters, data access, and showing/saving of figures and tables."""

    def __init__(
        self,
        data_dir=None,
        figures_dir=None,
        formats="png,svg",
        dpi=150,
        name_lang="en",
        *,
        output_dir=None,
        subfolder: str = "",
        **more,
    ):
        """Check the notebook's parameters (:func:`osa_utils.params.check_params`): the standard ones,
        *output_dir* (old name of *figures_dir*), and *more* of the notebook's own, by name; None for
        *data_dir* / *figures_dir* is the collection's ``data/`` / ``output/`` (``/subfolder``)."""
        self.params = check_params(
            data_dir, figures_dir, formats, dpi, name_lang, output_dir=output_dir, subfolder=subfolder, **more
        )
        style.apply(cjk="zh" in self.params.name_lang)
        self._tables: dict[str, pd.DataFrame] = {}
        self.written: list[Path] = []

    # -- data
    def t(self, name: str) -> pd.DataFrame:
        """Table *name* of the data package (validated, typed, cached)."""
        if name not in self._tables:
            from ..data import load_table

            self._tables[name] = load_table(name, self.params.data_dir)
        return self._tables[name]

    def info(self, figure_id: str) -> F.FigureInfo:
        return F.figure_info(figure_id, self.params.data_dir)

    def derived_matrix(self) -> pd.DataFrame:
        """The data of Figure 0.1: the printed dots with the levels derived from the risk tables."""
        return model.derive_matrix(self.t("threat_matrix_printed"), self.t("risk_challenges"))

    # -- output
    def show_figure(
        self,
        fig,
        figure_id: str,
        *,
        header: str | None = None,
        tables=None,
        note: str = "",
        extra_source: str = "",
        what: str = "",
        data: pd.DataFrame | None = None,
    ) -> None:
        """Caption (title above, one source line below), save and show *fig*.

        *data*, the values the chart draws (one row per mark, with the columns a reader needs to
        redraw it), is saved beside the image as ``fig-<id>.csv`` (the report links it).

        *note* (method notes, caveats) is not drawn into the image: it goes with the caption, the
        source line and the status into the output's metadata (the report's figcaption) and is
        shown below the figure in the notebook. *what* is one sentence on what the chart shows
        (the image's alt text is the caption plus it).
        """
        info = self.info(figure_id)
        head = header or self.chart_header(info)
        source = info.source_line(tables, extra_source)
        texts = style.add_caption(fig, head, source)
        paths = F.save(fig, figure_id, self.params.figures_dir, self.params.formats, self.params.dpi)
        bbox = F.tight_bbox(fig, self.params.dpi)  # the box save used (deterministic), for caption_rows
        if data is not None:
            paths.append(
                F.write_text(Path(self.params.figures_dir) / f"{F.stem(figure_id)}.csv", data.to_csv(index=False))
            )
        self.written += paths
        caption = {
            "caption": head,
            "source": source,
            "status": info.status,
            "status_text": info.status_text,
            "note": note,
            "alt": " ".join(s for s in (head.rstrip(".") + ".", what) if s),
            "caption_rows": F.caption_rows(texts, bbox, self.params.dpi),
        }
        F.display_figure(fig, figure_id, paths, self.params.dpi, caption)
        # Returns nothing: the figure is shown and saved (paths in self.written).

    @staticmethod
    def chart_header(info: F.FigureInfo) -> str:
        """The title of a figure: the report's number and caption, or this collection's own caption."""
        if info.status == "derived_chart":
            return info.caption
        if info.status in ("supplementary", "reading"):
            return f"Supplementary chart {info.figure_id} – {info.caption}"
        if info.status == "synthesis":
            return f"Cross-chapter view {info.figure_id} – {info.caption}"
        return info.header

    def chart_id(self, figure_id: str) -> str:
        """Id of this collection's chart of a table or box of the report ('2.2' -> '2.2-chart'), which
        supplementary_figures.csv must list with status derived_chart."""
        cid = f"{figure_id}-chart"
        info = self.info(cid)
        if info.status != "derived_chart":
            raise ValueError(f"{cid} must have status derived_chart in supplementary_figures.csv, not {info.status}")
        return cid

    def technology_of(self, figure_id: str) -> str:
        """The technology (its label in technologies.csv) whose actor or risk table *figure_id* is."""
        t = self.t("technologies")
        hit = t[(t["risk_table_figure"] == figure_id) | (t["actor_table_figure"] == figure_id)]
        return str(hit.iloc[0]["label"]) if len(hit) else ""

    def show_table(
        self,
        table: Table,
        figure_id: str,
        *,
        header: str | None = None,
        tables=None,
        note: str = "",
        status_text: str | None = None,
    ) -> None:
        """Caption, save (tab-<id>.csv/.html) and show *table*. *status_text* replaces the status words
        of the table's source line where the status's general words do not fit (e.g. a table of text)."""
        info = self.info(figure_id)
        table.header = header or info.header
        table.source = f"{info.source_line(tables)} Status: {status_text or info.status_text}."  # travels alone
        table.note = note
        paths = save_table(table, figure_id, self.params.figures_dir)
        self.written += paths
        display_table(table, figure_id, paths)
        # Returns nothing, so the notebook does not show the table twice.


def show_text(message: str) -> None:
    """*message* as a bold quote in a notebook (Markdown), as a plain line elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover
        print(message)
        return
    if get_ipython() is not None:
        display(Markdown(f"> **{message}**"))
    else:
        print(message)


def show_markdown(text: str, *, notebook_only: bool = False, placeholder_of: str = "") -> None:
    """*text* as Markdown in a notebook, as a plain line elsewhere. *notebook_only* marks it as
    addressed to the notebook's user (how to set a parameter): the report page leaves it out.
    *placeholder_of* marks it as standing in for that report figure (the page anchors it)."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover
        print(text)
        return
    if get_ipython() is not None:
        meta = (
            outputmeta.notebook_only()
            if notebook_only
            else outputmeta.placeholder(placeholder_of)
            if placeholder_of
            else None
        )
        display(Markdown(text), metadata=meta)
    else:
        print(text)
