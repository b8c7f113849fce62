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
# # Across the chapters
#
# This notebook is the collection's own synthesis across the chapters of Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023: it is not a chapter of the report, and none of its charts or tables is a figure of the report. It reads the chapters' actor tables, risk tables and recommendations from the CSV data package in `data/` and saves every output as a cross-chapter view (`x9.1` to `x9.6` in `supplementary_figures.csv`). Where free text is grouped (actor types, policy instruments) the output says that the grouping is this collection's reading and states its rule.

# %% tags=["parameters"]
data_dir: "Optional[str]" = None  # the data package (folder with datapackage.json); None: the collection's data/
figures_dir: "Optional[str]" = None  # where figures and tables are written; None: the collection's output/ (git-ignored)
formats: str = "png,svg"  # comma-separated: png, svg, pdf
dpi: int = 150  # raster resolution, 50-600
name_lang: str = "en"  # actor names: "en", "zh" or "en+zh"
interactive: bool = False  # True in JupyterLab: the what-if explorer at the end; False keeps batch builds static

# %%
from osa_utils.notebook import Chapter

ch = Chapter(data_dir, figures_dir, formats, dpi, name_lang, interactive=interactive)

# %% [markdown]
# ## Actors listed by more than one chapter
#
# The organisations that appear in the actor tables of several chapters, counted per organisation (a row's `parent_actor_id` where set, so a unit such as Huawei Cloud or an NDRC department counts for its organisation; its `actor_id` otherwise), with the priority symbol each chapter prints for them.

# %%
ch.recurring_actors("x9.1")

# %% [markdown]
# ## Technologies and their actors
#
# Every technology with the actors its chapter lists; the actors shared between chapters are named, the others are drawn as dots.

# %%
ch.actor_network("x9.2")

# %% [markdown]
# ## Threat profiles of the five chapters with a risk table
#
# The highest importance each chapter gives a dimension, with the range where it lists several challenges.

# %%
ch.threat_profiles("x9.3")

# %% [markdown]
# How far the chapters' importance scores spread within each dimension, one marker per challenge.

# %%
ch.importance_spread("x9.4")

# %% [markdown]
# ## Recommended instruments and Figure 0.3's instrument types
#
# For each dimension, Figure 0.3's instrument types beside the instruments the chapters' risk tables print in that dimension's row. The dimension is the printed one; only the grouping of the instruments into Figure 0.3's types is a keyword rule of this collection, and the table says so.

# %%
ch.instruments_by_dimension("x9.5")

# %% [markdown]
# ## The chapters' recommendations per dimension
#
# For each dimension, the recommendations the chapters themselves tie to it (from `recommendations.csv`: the dimension a chapter names, and any further one it names for the same recommendation), beside the instruments printed in that dimension's row of each chapter's risk table and Figure 0.3's instrument types. No keyword rule is used here: the dimensions are the ones the text states. Recommendations a chapter ties to no dimension are listed last, each with the reason.

# %%
ch.recommendations_by_dimension("x9.6")

# %% [markdown] tags=["notebook-only"]
# ## What-if explorer
#
# Edit one challenge's importance and see how the Figure 0.1 matrix and the threat profiles would change. Its outputs are what-ifs, not the report's assessment, and are never saved; it runs only with `interactive = True`: in JupyterLab (`make lab`), set it in the parameters cell and run all cells, and set it back before you close the notebook (that edit is saved like any other; outputs are not). Every change of a control redraws both charts.

# %%
ch.explorer(interactive)
