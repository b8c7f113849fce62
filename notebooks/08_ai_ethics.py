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
# # The ethics of Artificial Intelligence in the European Union and China
#
# *Kristin Shi-Kupfer, Luca Turchet*
#
# From: Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023.
#
# This notebook reproduces the tables Figure 8.1 (key dimensions of AI ethics in the EU and China) and Figure 8.2 (actors to watch) from the CSV data package in `data/`, with this collection's chart of 8.2 (`8.2-chart`, not a figure of the report). The chapter has no risk table, so its row of Figure 0.1 has no stated levels. Every figure is saved into `figures_dir` (files named by figure id) with its printed caption, a source line and its reproduction status.

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
# ## Figure 8.1 – key dimensions of AI ethics in the EU and China

# %%
ch.ai_ethics_table("8.1")

# %% [markdown]
# ## Figure 8.2 – actors to watch

# %%
ch.actor_table("8.2")

# %%
ch.actor_chart("8.2")
