"""Risk tables (Figures 2.2, 3.4, 4.2, 6.2, 7.2): the importance profile chart."""
from __future__ import annotations

import pandas as pd

from .. import style


def risk_profile(challenges: pd.DataFrame, dimensions: pd.DataFrame):
    """Importance (1-4) of each challenge by dimension; several challenges of one
    dimension stand side by side (Figure 4.2 lists two per dimension)."""
    import matplotlib.pyplot as plt

    dims = dimensions.sort_values("order")
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    width_total = 0.8
    for j, d in enumerate(dims["dimension_id"]):
        part = challenges[challenges["dimension_id"] == d].sort_values("item")
        n = max(len(part), 1)
        w = width_total / n
        for k, (_, c) in enumerate(part.iterrows()):
            x = j - width_total / 2 + w * (k + 0.5)
            lv = int(c["importance"])
            ax.bar(x, lv, width=w * 0.92, color=style.LEVEL_COLOURS[lv], edgecolor="#333333", lw=0.6)
            if n > 1:
                ax.text(x, lv + 0.08, f"{int(c['item'])}", ha="center", va="bottom", fontsize=7, color=style.MUTED)
    ax.set_xticks(range(len(dims)), [style.wrap(l, 16) for l in dims["label_risk_tables"]], fontsize=8)
    ax.set_ylim(0, 4.5)
    ax.set_yticks([1, 2, 3, 4], ["1", "2", "3", "4"])
    ax.set_ylabel("Relative importance of challenge (1-4)")
    ax.grid(axis="y", color="#e5e5e5", lw=0.6)
    ax.set_axisbelow(True)
    return fig
