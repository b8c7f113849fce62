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
# # Executive Summary: Getting China's digital technology policy right: implications for the EU
#
# *No authors printed; report edited by Tim Rühlig*
#
# From: Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023.
#
# This notebook reproduces Figure 0.1 (the summary matrix), Figure 0.2 (the four-step process, reconstructed from the introduction's prose) and Figure 0.3 (policy goals and instruments) from the CSV data package in `data/`. Every figure is saved into `figures_dir` (files named by figure id) with its printed caption, a source line and its reproduction status.

# %% tags=["parameters"]
data_dir = "../data"  # the data package (folder with datapackage.json)
figures_dir = "output"  # where figures and tables are written (make figures uses ../figures)
formats = "png,svg"  # comma-separated: png, svg, pdf
dpi = 150  # raster resolution, 50-600
name_lang = "en"  # actor names: "en", "zh" or "en+zh"
matrix_colours = "derived"  # Figure 0.1: "derived" (colours read from the risk tables) or "printed" (dots only, as the text gives)

# %%
from osa_utils.notebook import Chapter

ch = Chapter(data_dir, figures_dir, formats, dpi, name_lang)

# %% [markdown]
# ## Figure 0.1 – the summary matrix
#
# Each cell shows the printed number of dots, one per distinct level of threat. The colours of the original are lost in the text. With `matrix_colours = "derived"` (the default) the dots are coloured by this collection's reading of the chapters' risk tables (importance 1–4 read as the legend level of the same number), and the legend says so; the e-CNY and AI ethics rows have no risk table, so their dots are drawn white. With `matrix_colours = "printed"` only what the text gives is drawn: the dots, without colour.

# %%
ch.threat_matrix("0.1", colours=matrix_colours)

# %% [markdown]
# ## Figure 0.2 – the four-step process
#
# The original is a diagram that the text extraction lost; it is redrawn here from the steps the introduction describes.

# %%
ch.method_diagram("0.2")

# %% [markdown]
# ## Figure 0.3 – policy goals and instruments

# %%
ch.policy_goals_table("0.3")
