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
# # Introduction: European Open Strategic Autonomy in the light of China's digital tech power
#
# *Jan-Peter Kleinhans, Tim Rühlig*
#
# From: Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023.
#
# This notebook reproduces Box 1 (Europe's dependencies on China, as a chart of its shares), Figure 1.1 (the four dimensions, reconstructed from the text) and the reprints of the summary figures (1.2 = 0.1, 1.3 = 0.3, 1.4 = 0.2) from the CSV data package in `data/`. Every figure is saved into `figures_dir` (files named by figure id) with its printed caption, a source line and its reproduction status.

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
# ## Box 1 – Europe's technological dependencies on China
#
# The box gives shares of the 137 most import-dependent products. They do not add up to 100 per cent; the chart shows the part the text leaves unspecified as such.

# %%
ch.box1_shares("box1")

# %% [markdown]
# ## Figure 1.1 – the four dimensions of Open Strategic Autonomy
#
# A lost diagram, redrawn from the introduction's description of the four dimensions.

# %%
ch.dimensions_diagram("1.1")

# %% [markdown]
# ## Figure 1.2 – the summary matrix (reprint of Figure 0.1)

# %%
ch.threat_matrix("1.2")

# %% [markdown]
# ## Figure 1.3 – policy goals and instruments (reprint of Figure 0.3)

# %%
ch.policy_goals_table("1.3")

# %% [markdown]
# ## Figure 1.4 – the four-step process (reprint of Figure 0.2)

# %%
ch.method_diagram("1.4")
