"""Figure 5.4: the pilot projects on cross-border transactions as a timeline."""

from __future__ import annotations

import pandas as pd

from .. import style

ONGOING_LABEL = "ongoing (no end printed)"
CLOSED_FACE = style.CATEGORICAL[0]
OPEN_FACE = "#b3d4e8"  # CLOSED_FACE faded (30 % on white)


def pilots_timeline(pilots: pd.DataFrame):
    """One horizontal bar per project (printed order, top to bottom) covering its printed years.

    A year is a column from its 1 January to its 31 December, so "2021–2022"
    covers two columns. A project with an empty end_year (printed as "2021–")
    is drawn faded with a dashed outline up to the end of the last printed year
    and continues as an arrow to the right edge, labelled ONGOING_LABEL.
    Bars are one BarContainer (``ax.containers[0]``) in row order.
    """
    import matplotlib.pyplot as plt

    p = pilots.sort_values("row").reset_index(drop=True)
    start = p["start_year"].astype(int)
    is_open = p["end_year"].isna()
    years = pd.concat([start, p["end_year"].dropna().astype(int)])
    first, last = int(years.min()), int(years.max())
    stop = last + 1  # end of the last printed year
    edge = stop + 0.6  # right edge: room for the arrows of open-ended projects
    end = p["end_year"].fillna(last).astype(int) + 1
    end = end.where(~is_open, stop)
    n = len(p)
    fig, ax = plt.subplots(figsize=(7.5, 0.62 * n + 1.0))
    bars = ax.barh(
        range(n),
        (end - start).tolist(),
        left=start.tolist(),
        height=0.55,
        color=CLOSED_FACE,
        edgecolor=CLOSED_FACE,
        lw=1.0,
    )
    for i, bar in enumerate(bars):
        y = i
        time = "" if pd.isna(p.at[i, "time"]) else str(p.at[i, "time"])
        if is_open[i]:
            bar.set_facecolor(OPEN_FACE)
            bar.set_linestyle((0, (4, 2)))
            ax.annotate(
                "",
                xy=(edge, y),
                xytext=(stop, y),
                arrowprops=dict(
                    arrowstyle="-|>,head_length=0.6,head_width=0.35",
                    color=CLOSED_FACE,
                    lw=1.8,
                    ls=(0, (3, 2)),
                    shrinkA=0,
                    shrinkB=0,
                ),
            )
            ax.text(
                stop - 0.06, y, ONGOING_LABEL, ha="right", va="center", fontsize=8, style="italic", color=style.TEXT
            )
        ax.text(
            start[i] + 0.06,
            y,
            time,
            ha="left",
            va="center",
            fontsize=8,
            fontweight="bold",
            color=style.TEXT if is_open[i] else "white",
        )
    ax.set_yticks(range(n), [style.wrap(name, 32) for name in p["name"]], fontsize=8)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(first, edge + 0.05)
    ax.set_xticks([y + 0.5 for y in range(first, last + 1)], [str(y) for y in range(first, last + 1)])
    ax.set_xticks(range(first, stop + 1), minor=True)
    ax.tick_params(axis="x", which="major", length=0)
    ax.tick_params(axis="x", which="minor", length=4)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", which="minor", color="#d9d9d9", lw=0.6)
    ax.set_axisbelow(True)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("Year (as printed in the Time row)")
    return fig
