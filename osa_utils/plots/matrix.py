"""Figure 0.1/1.2: the dot matrix of technologies x dimensions."""

from __future__ import annotations

import pandas as pd

from .. import style

#: The legend title in the derived mode: the colours are this collection's reading, said in the legend itself.
#: It names what the entries are (issue #21: "five printed levels" stood over six entries): the report's
#: printed legend (threat_levels.csv, five entries, L113-117 of the text) and, after them, the entry this
#: collection adds for dots whose level the text does not state.
DERIVED_LEGEND_TITLE = (
    "The report's legend: its five printed levels. Colours: this collection's reading (the printed "
    "colours are lost), derived from each chapter's risk-table scores 1–4"
)
#: Title of the second legend (derived mode): entries that are not in the printed legend.
ADDED_LEGEND_TITLE = "Added by this collection (not a printed level)"
#: Font size of the legends' text (the legibility rule's minimum).
LEGEND_FONT = 8.0
#: Fill of the printed legend's 'not applicable' entry (no number, no cell uses it).
NOT_APPLICABLE_COLOUR = "#bdbdbd"
#: A dot of a user's reading (matrix column ``user_level``): the level's colour inside a ring of this
#: colour; the artists' gids start with this (the SVG ids: user-reading-dot-<tech>-<dim>-<n>,
#: user-reading-ring-..., user-reading-legend).
USER_RING_COLOUR = "#0072B2"
USER_GID = "user-reading"
USER_LEGEND = "ringed dot: reading supplied by the user, not in the report"


def _unknown_dot(label: str | None = None):
    """The legend's dot of a level the text does not state (white, grey edge)."""
    from matplotlib.lines import Line2D

    dot = Line2D([], [], marker="o", ls="none", ms=9, mfc=style.UNKNOWN_COLOUR, mec=style.UNKNOWN_EDGE, mew=1.2)
    if label is not None:
        dot.set_label(label)
    return dot


def _ring(ax, x, y, **kw):
    """The ring around a user's dot (a hollow circle, larger than the dot)."""
    return ax.plot(x, y, "o", ms=17, mfc="none", mec=USER_RING_COLOUR, mew=1.8, ls="none", **kw)


def threat_matrix(
    matrix: pd.DataFrame,
    technologies: pd.DataFrame,
    dimensions: pd.DataFrame,
    threat_levels: pd.DataFrame,
    highlight: set[str] | frozenset = frozenset(),
    colours: str = "derived",
):
    """Draw the derived matrix (see model.derive_matrix): one dot per distinct level.

    *highlight* names technology ids drawn with a marked row label (e.g. a new
    assessment that is not from the report). *colours*: "derived" colours each dot by its
    derived level and says in the legend that the colours are this collection's reading;
    "printed" draws only what the text gives: the dots, all alike, and the printed legend's
    five labels without colours. The legend keeps all five printed levels in both modes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    techs = technologies.sort_values("order")
    dims = dimensions.sort_values("order")
    n_t, n_d = len(techs), len(dims)
    fig, ax = plt.subplots(figsize=(9.0, 0.55 * n_t + 1.6))
    ax.set_xlim(-0.5, n_d - 0.5)
    ax.set_ylim(n_t - 0.5, -0.5)
    ax.set_xticks(range(n_d), [style.wrap(l, 18) for l in dims["label"]], fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n_t), [style.wrap(l, 34) for l in techs["label"]], fontsize=8)
    for lab, tid in zip(ax.get_yticklabels(), techs["technology_id"]):
        if tid in highlight:
            lab.set_fontweight("bold")
            lab.set_color(style.CATEGORICAL[0])
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    for i in range(n_t + 1):
        ax.axhline(i - 0.5, color="#cccccc", lw=0.6)
    for j in range(n_d + 1):
        ax.axvline(j - 0.5, color="#cccccc", lw=0.6)
    t_idx = {t: i for i, t in enumerate(techs["technology_id"])}
    d_idx = {d: j for j, d in enumerate(dims["dimension_id"])}
    for (t, d), cell in matrix.groupby(["technology_id", "dimension_id"], sort=True):
        cell = cell.sort_values("dot")
        n = len(cell)
        xs = [d_idx[d] + (k - (n - 1) / 2) * 0.16 for k in range(n)]
        for x, (_, dot) in zip(xs, cell.iterrows()):
            if bool(dot.get("user_level", False)):  # a user's reading: coloured in every mode, ringed
                (line,) = ax.plot(
                    x,
                    t_idx[t],
                    "o",
                    ms=11,
                    mfc=style.LEVEL_COLOURS[int(dot["level"])],
                    mec="#333333",
                    mew=0.8,
                    ls="none",
                    zorder=3,
                )
                line.set_gid(f"{USER_GID}-dot-{t}-{d}-{int(dot['dot'])}")
                (ring,) = _ring(ax, x, t_idx[t], zorder=4)
                ring.set_gid(f"{USER_GID}-ring-{t}-{d}-{int(dot['dot'])}")
                continue
            known = bool(dot["level_known"]) and colours != "printed"
            face = style.LEVEL_COLOURS[int(dot["level"])] if known else style.UNKNOWN_COLOUR
            edge = "#333333" if known else style.UNKNOWN_EDGE
            ax.plot(x, t_idx[t], "o", ms=11, mfc=face, mec=edge, mew=0.8 if known else 1.2, ls="none", zorder=3)
    levels = threat_levels.sort_values("legend_order")
    user = "user_level" in matrix.columns and bool(matrix["user_level"].astype(bool).any())
    if user:
        return _user_legend(ax, matrix, levels, colours)
    if colours == "printed":
        handles = [_unknown_dot("one dot per distinct degree of threat in the cell (count as printed)")]
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.0, -0.02),
            frameon=False,
            fontsize=LEGEND_FONT,
            handletextpad=0.3,
            title=style.wrap(
                f"The report's legend prints {_count(len(levels))} levels: "
                + "; ".join(str(r.label) for r in levels.itertuples())
                + ".",
                110,
            )
            + "\nIts colours are not in the text, so no dot is coloured.",
            title_fontsize=LEGEND_FONT,
            alignment="left",
        )
        return fig
    handles = []
    for r in levels.itertuples():
        if pd.isna(r.level):  # 'not applicable': printed without a number, used by no cell
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="none",
                    ms=9,
                    mfc=NOT_APPLICABLE_COLOUR,
                    mec="#333333",
                    label=f"{r.label} (no cell)",
                )
            )
        else:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="none",
                    ms=9,
                    mfc=style.LEVEL_COLOURS[int(r.level)],
                    mec="#333333",
                    label=str(r.label),
                )
            )
    legend = ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.02),
        ncol=3,
        frameon=False,
        fontsize=LEGEND_FONT,
        handletextpad=0.3,
        columnspacing=1.2,
        title=style.wrap(DERIVED_LEGEND_TITLE.replace("five", _count(len(handles))), 105),
        title_fontsize=LEGEND_FONT,
        alignment="left",
    )
    if (~matrix["level_known"].astype(bool)).any():  # a second legend: what the printed legend does not have
        ax.add_artist(legend)
        fig.canvas.draw()  # where the first legend ends: the second goes under it
        below = legend.get_window_extent().transformed(ax.transAxes.inverted()).y0
        ax.legend(
            handles=[_unknown_dot(style.UNKNOWN_LABEL)],
            loc="upper left",
            bbox_to_anchor=(0.0, below - 0.005),
            frameon=False,
            fontsize=LEGEND_FONT,
            handletextpad=0.3,
            title=ADDED_LEGEND_TITLE,
            title_fontsize=LEGEND_FONT,
            alignment="left",
        )
    return fig


def _count(n: int) -> str:
    """A small count in words ('five'), as the legends' titles say it."""
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}
    return words.get(n, str(n))


def _user_handle(face: str):
    """Legend handle of a user's dot: the dot inside its ring."""
    from matplotlib.lines import Line2D

    dot = Line2D([], [], marker="o", ls="none", ms=9, mfc=face, mec="#333333", mew=0.8)
    ring = Line2D([], [], marker="o", ls="none", ms=14, mfc="none", mec=USER_RING_COLOUR, mew=1.8)
    return (dot, ring)


def _user_legend(ax, matrix: pd.DataFrame, levels: pd.DataFrame, colours: str):
    """The legend when the matrix carries a user's reading: the report's part as in *colours*, then the
    ringed user's dots, labelled as the user's (never as the report's)."""
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.lines import Line2D

    numbered = [r for r in levels.itertuples() if not pd.isna(r.level)]
    unknown_left = bool(((~matrix["level_known"].astype(bool)) & ~matrix["user_level"].astype(bool)).any())
    handles, labels = [], []
    if colours == "printed":
        handles.append(_unknown_dot())
        labels.append("the report's dots, one per distinct degree of threat (count as printed, colour not in the text)")
        for r in numbered:
            handles.append(_user_handle(style.LEVEL_COLOURS[int(r.level)]))
            labels.append(f"{r.label}: {USER_LEGEND.split(': ', 1)[1]}")
        title = (
            style.wrap(
                f"The report's legend prints {_count(len(levels))} levels: "
                + "; ".join(str(r.label) for r in levels.itertuples())
                + ".",
                110,
            )
            + "\nIts colours are not in the text: the report's dots are not coloured; ringed dots are "
            "the user's reading."
        )
    else:
        for r in levels.itertuples():
            if pd.isna(r.level):
                handles.append(Line2D([], [], marker="o", ls="none", ms=9, mfc=NOT_APPLICABLE_COLOUR, mec="#333333"))
                labels.append(f"{r.label} (no cell)")
            else:
                handles.append(
                    Line2D([], [], marker="o", ls="none", ms=9, mfc=style.LEVEL_COLOURS[int(r.level)], mec="#333333")
                )
                labels.append(str(r.label))
        if unknown_left:
            handles.append(_unknown_dot())
            labels.append(style.UNKNOWN_LABEL)
        handles.append(_user_handle("#ffffff"))
        labels.append(USER_LEGEND + " (colour: the user's level)")
        title = style.wrap(
            DERIVED_LEGEND_TITLE.replace("five", _count(len(levels)))
            + f" (the first {_count(len(levels))} entries); then, not printed levels: "
            + (f"'{style.UNKNOWN_LABEL}' and " if unknown_left else "")
            + "the ringed dots, the user's reading, not the report's.",
            110,
        )
    legend = ax.legend(
        handles=handles,
        labels=labels,
        handler_map={tuple: HandlerTuple(ndivide=1)},
        loc="upper left",
        bbox_to_anchor=(0.0, -0.02),
        ncol=1 if colours == "printed" else 2,
        frameon=False,
        fontsize=LEGEND_FONT,
        handletextpad=0.5,
        labelspacing=0.7,
        columnspacing=1.2,
        title=title,
        title_fontsize=LEGEND_FONT,
        alignment="left",
    )
    legend.set_gid(f"{USER_GID}-legend")
    return ax.figure
