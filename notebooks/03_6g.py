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
# # In political and technological harmony or disharmony? How Europe and China advance towards 6G
#
# *Tim Rühlig, Liesbet Van der Perre*
#
# From: Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023.
#
# This notebook reproduces the tables Figures 3.3 (actors) and 3.4 (risks), each followed by this collection's chart of it (`3.3-chart`, `3.4-chart`, not figures of the report); Figures 3.1 and 3.2 cannot be reproduced (their chart data is not in the text), but the chapter's counting method is available for your own data from the CSV data package in `data/`. Every figure and table is shown with its printed caption, a source line and its reproduction status, and saved as files named by its figure id.

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
# ## Figures 3.1 and 3.2 – contributors to ICC 2022 and Globecom 2022
#
# These charts were images; their data is not in the report's text, so they are not reproduced here. The chapter's counting method — papers by multi-region author groups shared by region in proportion to their authors — is implemented by this collection and can be applied to other data.

# %% [markdown] tags=["notebook-only"]
# *In the notebook:* the method is `osa_utils.model.fractional_counts`, tested on a synthetic fixture. To draw the charts from your own data, pass a CSV or .xlsx file with one row per author (`paper_id`, `region`): `ch.contributor_shares("3.1", authorships_csv="my_authors.csv")`. (This cell is not shown in the report.)

# %%
ch.contributor_shares("3.1")
ch.contributor_shares("3.2")

# %% [markdown]
# ## Figure 3.3 – actors to watch
#
# The table as printed, then this collection's chart of it (`3.3-chart`).

# %%
ch.actor_table("3.3")

# %%
ch.actor_chart("3.3")

# %% [markdown]
# ## Figure 3.4 – risks
#
# The table as printed, then this collection's chart of it (`3.4-chart`).

# %%
ch.risk_table("3.4")

# %%
ch.risk_profile("3.4")

# %% [markdown]
# ## Numbers the text states but the report does not chart
#
# Charts of this collection, drawn only from values transcribed in `key_figures.csv` (each with its verbatim quote and footnote). Bounds such as *more than* or *less than* are drawn as bounds.

# %%
for figure_id in ch.supplementary_ids(chapter=3):
    ch.supplementary(figure_id)

# %% [markdown]
# ## The chapter's policy recommendations
#
# The chapter's section 'Conclusions and policy implications' as a table of this collection (`3-recommendations`, not a figure of the report): each recommendation's lead and text as printed, its footnotes, and the dimension of Open Strategic Autonomy the chapter ties it to, with the printed words that tie it, or the reason it has none.

# %%
ch.recommendations(3)
