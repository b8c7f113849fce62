# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assessing the Financial and Geoeconomic Implications of China's Digital Currency
#
# *Amir Elalouf, Maximilian Mayer*
#
# From: Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023.
#
# This notebook reproduces the tables Figure 5.1 (e-CNY vs the digital euro), Figure 5.2 (actors) and Figure 5.4 (cross-border pilots) from the CSV data package in `data/`, with this collection's charts of 5.2 and 5.4 (`5.2-chart`, `5.4-chart`, not figures of the report). Figure 5.3 cannot be reproduced (its series are not in the text); the values its footnote 134 states are charted as `s5.4`. Every figure and table is shown with its printed caption, a source line and its reproduction status, and saved as files named by its figure id.

# %% tags=["parameters"]
data_dir: "Optional[str]" = None  # the data package (folder with datapackage.json); None: the collection's data/
figures_dir: "Optional[str]" = None  # where figures and tables are written; None: the collection's output/ (git-ignored)
formats: str = "png,svg"  # comma-separated: png, svg, pdf
dpi: int = 150  # raster resolution, 50-600
name_lang: str = "en"  # actor names: "en", "zh" or "en+zh"

# %%
from osa_utils.notebook import Chapter

ch = Chapter(data_dir, figures_dir, formats, dpi, name_lang)

# %% [markdown]
# ## Figure 5.1 – e-CNY vs the digital euro

# %%
ch.ecny_vs_euro_table("5.1")

# %% [markdown]
# ## Figure 5.2 – actors to watch
#
# The table runs over two pages; the rows of the second page show no priority symbol in the text. The chart after the table is this collection's (`5.2-chart`).

# %%
ch.actor_table("5.2")

# %%
ch.actor_chart("5.2")

# %% [markdown]
# ## Figure 5.3 – USDC market cap and trading volume

# %%
ch.not_reproduced("5.3")

# %% [markdown]
# Footnote 134 states three values; they are charted below as this collection's chart `s5.4`, with its own title, not as Figure 5.3.

# %%
ch.usdc_figure("s5.4")

# %% [markdown]
# ## Figure 5.4 – international pilot projects on cross-border transactions
#
# The table as printed, then this collection's timeline of it (`5.4-chart`).

# %%
ch.pilots_table("5.4")

# %%
ch.pilots_timeline("5.4")

# %% [markdown]
# ## Numbers the text states but the report does not chart
#
# Charts of this collection, drawn only from values transcribed in `key_figures.csv` (each with its verbatim quote and footnote). Bounds such as *more than* or *less than* are drawn as bounds.

# %%
for figure_id in ch.supplementary_ids(chapter=5):
    ch.supplementary(figure_id)

# %% [markdown]
# ## The chapter's policy recommendations
#
# The chapter's section 'Policy recommendations' as a table of this collection (`5-recommendations`, not a figure of the report): each recommendation's lead and text as printed, its footnotes, and the dimension of Open Strategic Autonomy the chapter ties it to, with the printed words that tie it, or the reason it has none. The chapter has no risk table, but its recommendations name their dimension.

# %%
ch.recommendations(5)
