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
# # Crypto Without the Currency: China's Blockchain Strategy
#
# *Cyrille Artho, Rogier Creemers*
#
# From: Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023.
#
# This notebook reproduces the tables Figure 4.1 (actors to watch) and Figure 4.2 (risks and recommendations) from the CSV data package in `data/`, each followed by this collection's chart of it (`4.1-chart`, `4.2-chart`, not figures of the report). Every figure and table is shown with its printed caption, a source line and its reproduction status, and saved as files named by its figure id.

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
# ## Figure 4.1 – actors to watch
#
# The text shows no priority symbols for this table; the priority column stays empty rather than guessed.

# %%
ch.actor_table("4.1")

# %%
ch.actor_chart("4.1")

# %% [markdown]
# ## Figure 4.2 – recommendations
#
# Each dimension lists two challenges with one score each; this collection's chart of the table (`4.2-chart`) shows both under their dimension.

# %%
ch.risk_table("4.2")

# %%
ch.risk_profile("4.2")

# %% [markdown]
# ## The chapter's policy recommendations
#
# The chapter's section 'Recommendations' as a table of this collection (`4-recommendations`, not a figure of the report): each recommendation's lead and text as printed, its footnotes, and the dimension of Open Strategic Autonomy the chapter ties it to, with the printed words that tie it, or the reason it has none. The risk table titled 'Recommendations' (Figure 4.2, above) summarizes them in keywords; its cells are not repeated here.

# %%
ch.recommendations(4)
