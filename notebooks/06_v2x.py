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
# # Chinese Vehicle-to-Everything (V2X) Technology and the European Car Industry
#
# *Sanne van der Lugt, Raúl Rojas and Frans-Paul van der Putten*
#
# From: Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023.
#
# This notebook reproduces the tables Figure 6.1 (actors) and Figure 6.2 (risks in the European automotive sector) from the CSV data package in `data/`, each followed by this collection's chart of it (`6.1-chart`, `6.2-chart`, not figures of the report). Every figure and table is shown with its printed caption, a source line and its reproduction status, and saved as files named by its figure id.

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
# ## Figure 6.1 – major technological and policy actors
#
# No priority symbols are shown in the text for this table. The first row pairs Qualcomm with Quectel's Chinese name; it is kept as printed, with the erratum beside it.

# %%
ch.actor_table("6.1")

# %%
ch.actor_chart("6.1")

# %% [markdown]
# ## Figure 6.2 – risks

# %%
ch.risk_table("6.2")

# %%
ch.risk_profile("6.2")

# %% [markdown]
# ## The chapter's policy recommendations
#
# The chapter's section 'Recommendations for EU and EU member state policymakers' as a table of this collection (`6-recommendations`, not a figure of the report): each recommendation's lead and text as printed, its footnotes, and the dimension of Open Strategic Autonomy the chapter ties it to, with the printed words that tie it, or the reason it has none.

# %%
ch.recommendations(6)
