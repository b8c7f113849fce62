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
# # Challenges of a rising Chinese chip design ecosystem
#
# *Jan-Peter Kleinhans, John Lee*
#
# From: Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023.
#
# This notebook reproduces the tables Figure 2.1 (actors to watch) and Figure 2.2 (risks) from the CSV data package in `data/`, each followed by this collection's chart of it (ids `2.1-chart`, `2.2-chart`: charts drawn by this collection, not figures of the report), and charts of numbers the chapter states. Every figure and table is shown with its printed caption, a source line and its reproduction status, and saved as files named by its figure id.

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
# ## Figure 2.1 – actors to watch
#
# The caption is printed as in the report: it names 6G although the table lists chip-design actors (see the erratum beside the table). The chart after the table is this collection's (`2.1-chart`).

# %%
ch.actor_table("2.1")

# %%
ch.actor_chart("2.1")

# %% [markdown]
# ## Figure 2.2 – risks
#
# The table as printed, then this collection's chart of it (`2.2-chart`): the importance of each challenge by dimension, a score the table prints once for several challenges drawn once and marked as shared.

# %%
ch.risk_table("2.2")

# %%
ch.risk_profile("2.2")

# %% [markdown]
# ## Numbers the text states but the report does not chart
#
# Charts of this collection, drawn only from values transcribed in `key_figures.csv` (each with its verbatim quote and footnote). Bounds such as *more than* or *less than* are drawn as bounds.

# %%
for figure_id in ch.supplementary_ids(chapter=2):
    ch.supplementary(figure_id)

# %% [markdown]
# ## The chapter's policy recommendations
#
# The chapter's section 'Recommendations for European Policymakers' as a table of this collection (`2-recommendations`, not a figure of the report): each recommendation's lead and text as printed, its footnotes, and the dimension of Open Strategic Autonomy the chapter ties it to, with the printed words that tie it, or the reason it has none.

# %%
ch.recommendations(2)
