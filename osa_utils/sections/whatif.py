"""The what-if explorer of notebook 09_cross_chapter: the Figure 0.1 matrix and the threat profiles
redrawn with one challenge's importance edited, in memory only. Nothing it draws is saved or is
the report's assessment; every image says so (WHATIF_LABEL)."""

from __future__ import annotations

from .. import model, style
from .base import show_markdown
from .crosschapter import CrossChapterMixin

WHATIF_LABEL = "What-if: not the report's assessment"


class WhatIfMixin(CrossChapterMixin):
    """challenge_options(), whatif_figures() and the explorer (a widget in JupyterLab, one sentence in a batch run)."""

    def challenge_options(self) -> list[tuple[str, tuple[str, str, int]]]:
        """(label, (technology_id, dimension_id, item)) for every challenge, in printed order."""
        rc = model.ordered(self.t("risk_challenges"), self.t("technologies"), self.t("dimensions"))
        short = dict(zip(self._techs()["technology_id"], self._techs()["short_label"]))
        dl = dict(zip(self.t("dimensions")["dimension_id"], self.t("dimensions")["label_risk_tables"]))
        out = []
        for r in rc.itertuples():
            text = str(r.challenge)
            text = text if len(text) <= 60 else text[:59] + "…"
            out.append(
                (
                    f"{short[r.technology_id]} · {dl[r.dimension_id]} · {int(r.item)}: {text} "
                    f"(printed: {int(r.importance)})",
                    (r.technology_id, r.dimension_id, int(r.item)),
                )
            )
        return out

    def whatif_figures(self, technology_ids, dimension_ids, challenge: tuple[str, str, int], importance: int):
        """Figure 0.1 matrix and threat profiles with one importance edited (in memory only).

        Returns (matrix figure or None, heat map figure or None, sentence describing the edit).
        Nothing is saved: these are what-ifs, not the report's assessment.
        """
        from ..plots.matrix import threat_matrix
        from ..plots.profiles import importance_heatmap

        if not 1 <= int(importance) <= 4:
            raise ValueError(f"importance={importance!r}: the report's scale is 1 to 4")
        rc = self.t("risk_challenges").copy()
        t, d, item = challenge
        hit = (rc["technology_id"] == t) & (rc["dimension_id"] == d) & (rc["item"] == item)
        if hit.sum() != 1:
            raise KeyError(f"no challenge {challenge!r} in risk_challenges.csv")
        before = int(rc.loc[hit, "importance"].iloc[0])
        rc.loc[hit, "importance"] = int(importance)
        # the dot count of a cell follows the edited table (distinct levels), as derive_matrix expects
        printed = self.t("threat_matrix_printed").copy()
        levels = rc.groupby(["technology_id", "dimension_id"])["importance"].nunique()
        keys = list(zip(printed["technology_id"], printed["dimension_id"]))
        printed["notifications"] = [
            int(levels[k]) if k in levels.index else int(n) for k, n in zip(keys, printed["notifications"])
        ]
        m = model.derive_matrix(printed, rc)
        techs = self.t("technologies")
        dims = self.t("dimensions")
        techs = techs[techs["technology_id"].isin(list(technology_ids))]
        dims = dims[dims["dimension_id"].isin(list(dimension_ids))]
        short = dict(zip(self.t("technologies")["technology_id"], self.t("technologies")["short_label"]))
        dl = dict(zip(self.t("dimensions")["dimension_id"], self.t("dimensions")["label_risk_tables"]))
        what = (
            f"{short[t]}, {dl[d]}, challenge {item}: importance {int(importance)} instead of the printed "
            f"{before}" + (" (unchanged)" if int(importance) == before else "")
        )
        source = (
            "Drawn from an edited copy of risk_challenges.csv held in memory; nothing is saved. "
            "Not a figure of the report and not the report's assessment."
        )
        fig_m = fig_h = None
        if len(techs) and len(dims):
            mm = m[m["technology_id"].isin(techs["technology_id"]) & m["dimension_id"].isin(dims["dimension_id"])]
            fig_m = threat_matrix(mm, techs, dims, self.t("threat_levels"), highlight={t})
            style.add_caption(
                fig_m,
                f"{WHATIF_LABEL} – Figure 0.1 matrix with {what}",
                source,
                "The edited technology's row label is marked. Dot counts of the edited cell follow "
                "the edited table (one dot per distinct level).",
            )
            rch = rc[rc["technology_id"].isin(techs["technology_id"]) & rc["dimension_id"].isin(dims["dimension_id"])]
            if len(rch):
                fig_h = importance_heatmap(rch, techs, dims, title=WHATIF_LABEL, highlight=(t, d))
                style.add_caption(
                    fig_h,
                    f"{WHATIF_LABEL} – threat profiles with {what}",
                    source,
                    "The edited cell is outlined (dashed).",
                )
        return fig_m, fig_h, what

    def explorer(self, interactive: bool = False) -> None:
        """A what-if explorer (ipywidgets) in JupyterLab; with interactive=False (batch builds) one sentence only."""
        if not interactive:
            show_markdown(  # a hint for the notebook's user: the report page leaves it out
                "The what-if explorer is available when the notebook is run in JupyterLab with the "
                "parameter `interactive = True`; this static run draws nothing for it.",
                notebook_only=True,
            )
            return None
        from IPython.display import display

        display(self.explorer_widget())
        return None

    def explorer_widget(self):
        """The explorer's widget box (technologies, dimensions, one challenge's importance, output)."""
        import ipywidgets as W
        from IPython.display import Image, display

        techs = self._techs()
        dims = self.t("dimensions").sort_values("order")
        options = self.challenge_options()
        rc = self.t("risk_challenges").set_index(["technology_id", "dimension_id", "item"])["importance"]
        w_t = W.SelectMultiple(
            options=list(zip(techs["short_label"], techs["technology_id"])),
            value=tuple(techs["technology_id"]),
            rows=len(techs),
            description="Technologies",
        )
        w_d = W.SelectMultiple(
            options=list(zip(dims["label_risk_tables"], dims["dimension_id"])),
            value=tuple(dims["dimension_id"]),
            rows=len(dims),
            description="Dimensions",
        )
        w_c = W.Dropdown(options=options, value=options[0][1], description="Challenge", layout=W.Layout(width="95%"))
        w_v = W.IntSlider(
            value=int(rc[options[0][1]]), min=1, max=4, step=1, description="Importance", continuous_update=False
        )
        out = W.Output()

        def redraw(*_):
            with out:
                out.clear_output(wait=True)
                if not w_t.value or not w_d.value:
                    print("Choose at least one technology and one dimension.")
                    return
                pngs, message = whatif_pngs(self, w_t.value, w_d.value, w_c.value, w_v.value)
                for png in pngs:
                    display(Image(data=png))
                if message:
                    print(message)

        def on_challenge(change):
            w_v.unobserve(redraw, "value")
            w_v.value = int(rc[change["new"]])
            w_v.observe(redraw, "value")
            redraw()

        w_t.observe(redraw, "value")
        w_d.observe(redraw, "value")
        w_c.observe(on_challenge, "value")
        w_v.observe(redraw, "value")
        head = W.HTML(
            f"<b>{WHATIF_LABEL}.</b> Edit one challenge's importance to see how the Figure 0.1 matrix "
            "and the threat profiles would change. The data and the saved figures are not changed."
        )
        box = W.VBox([head, W.HBox([w_t, w_d]), w_c, w_v, out])
        box.redraw = redraw  # for tests and for a first draw
        redraw()
        return box


def whatif_pngs(chapter, technology_ids, dimension_ids, challenge, importance) -> tuple[list[bytes], str]:
    """The what-if figures of *chapter* (WhatIfMixin.whatif_figures) as PNG bytes, and a message
    ("" or why there is no threat profile); the figures are closed before it returns.

    For the explorer's widget callbacks. JupyterLab sends widget messages to the kernel on two threads
    (the main shell and a kernel subshell), and after every widget message the kernel runs IPython's
    post_execute hooks, where pyplot redraws, shows and closes *every* open pyplot figure. A callback's
    figures are pyplot figures from plt.subplots until closed, so a message handled on the other
    thread drew into them while they were being drawn here: blank or garbled PNGs. So, while the
    figures exist: pyplot is not interactive (its post_execute hooks leave figures alone and the
    inline backend queues none to show), and matplotlib's figure render lock is held (a draw that
    another thread started before that waits until the figures are rendered and closed); the PNGs are
    rendered here, so nothing draws the figures later.
    """
    import io
    from contextlib import nullcontext

    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    lock = getattr(Figure, "_render_lock", None) or nullcontext()  # where matplotlib has one
    with lock:
        was_interactive = matplotlib.is_interactive()
        matplotlib.interactive(False)
        before = set(plt.get_fignums())
        try:
            fig_m, fig_h, _ = chapter.whatif_figures(technology_ids, dimension_ids, challenge, importance)
            pngs = []
            for fig in (f for f in (fig_m, fig_h) if f is not None):
                buf = io.BytesIO()
                # as the inline backend shows a figure (IPython's print_figure): tight box, figure dpi
                fig.savefig(
                    buf, format="png", bbox_inches="tight", facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor()
                )
                pngs.append(buf.getvalue())
        finally:
            for num in set(plt.get_fignums()) - before:  # the what-if figures, also after an error
                plt.close(num)
            matplotlib.interactive(was_interactive)
    message = (
        "" if fig_h is not None else ("None of the chosen technologies has a risk table: no threat profile to show.")
    )
    return pngs, message
