# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
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
# This notebook reproduces Figure 5.1 (e-CNY vs the digital euro), Figure 5.2 (actors), Figure 5.3 (only what footnote 134 states: the chart's series are not in the text) and Figure 5.4 (cross-border pilots, with a timeline) from the CSV data package in `data/`. Every figure is saved into `figures_dir` (files named by figure id) with its printed caption, a source line and its reproduction status.

# %% tags=["parameters"]
data_dir = "../data"  # the data package (folder with datapackage.json)
figures_dir = "output"  # where figures and tables are written (make figures uses ../figures)
formats = "png,svg"  # comma-separated: png, svg, pdf
dpi = 150  # raster resolution, 50-600
name_lang = "en"  # actor names: "en", "zh" or "en+zh"

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
# The table runs over two pages; the rows of the second page show no priority symbol in the text.

# %%
ch.actor_table("5.2")

# %%
ch.actor_chart("5.2")

# %% [markdown]
# ## Figure 5.3 – USDC market cap and trading volume
#
# The original chart's series are not in the text. Only the values footnote 134 states are shown, and labelled as such.

# %%
ch.usdc_figure("5.3")

# %% [markdown]
# ## Figure 5.4 – international pilot projects on cross-border transactions

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
