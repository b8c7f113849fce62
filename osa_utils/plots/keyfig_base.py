"""Share charts used by the chapter 3 counting method."""

from __future__ import annotations

import pandas as pd

from .. import style


def share_bars(counts: pd.DataFrame):
    """Horizontal bars of 'share' (percent) by 'region', largest on top."""
    import matplotlib.pyplot as plt

    c = counts.sort_values(["share", "region"], ascending=[True, False], kind="stable")
    fig, ax = plt.subplots(figsize=(6.5, 0.35 * len(c) + 1.0))
    ax.barh(c["region"], c["share"], color=style.CATEGORICAL[0])
    for y, v in enumerate(c["share"]):
        ax.text(v, y, f" {v:.1f}%", va="center", fontsize=7.5)
    ax.set_xlabel("Share of papers (%), multi-region papers shared fractionally")
    return fig
