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
# This notebook reproduces Figure 0.1 (the summary matrix), Figure 0.2 (the four-step process, reconstructed from the introduction's prose) and Figure 0.3 (policy goals and instruments) from the CSV data package in `data/`. Every figure and table is shown with its printed caption, a source line and its reproduction status, and saved as files named by its figure id.

# %% tags=["parameters"]
data_dir: "Optional[str]" = None  # the data package (folder with datapackage.json); None: the collection's data/
figures_dir: "Optional[str]" = None  # where figures and tables are written; None: the collection's output/ (git-ignored)
formats: str = "png,svg"  # comma-separated: png, svg, pdf
dpi: int = 150  # raster resolution, 50-600
name_lang: str = "en"  # actor names: "en", "zh" or "en+zh"
matrix_colours: str = "derived"  # Figure 0.1: "derived" (colours read from the risk tables) or "printed" (dots only, as the text gives)
matrix_user_levels: "Optional[str]" = None  # Figure 0.1: None, or a CSV/.xlsx with a user's reading of the levels the text does not state (one row per dot)

# %%
from osa_utils.notebook import Chapter

ch = Chapter(data_dir, figures_dir, formats, dpi, name_lang, matrix_colours=matrix_colours,
             matrix_user_levels=matrix_user_levels)

# %% [markdown]
# ## Figure 0.1 – the summary matrix
#
# Each cell shows the printed number of dots, one per distinct level of threat. The colours of the original are lost in the text; the caption under the figure says how the dots are drawn here, and any colour that is this collection's reading is labelled as such in the legend.

# %% [markdown] tags=["notebook-only"]
# *In the notebook:* the parameter `matrix_colours` sets the colours. `"derived"` (the default) colours the dots by this collection's reading of the chapters' risk tables (importance 1–4 read as the legend level of the same number); the e-CNY and AI ethics rows have no risk table, so their dots are drawn white. `"printed"` draws only what the text gives: the dots, without colour. (This cell is not shown in the report.)

# %%
ch.threat_matrix("0.1", colours=matrix_colours)

# %% [markdown] tags=["notebook-only"]
# ### Figure 0.1 with a reading supplied by the user (only with `matrix_user_levels`)
#
# *In the notebook* (this cell is not shown in the report; the figure, when drawn, carries its own title and caption): the e-CNY and AI ethics levels are not in the text. With `matrix_user_levels` set to a file (one row per printed dot: `technology_id`, `dimension_id`, `level` 1–4) a second figure, `0.1-user`, draws that reading as ringed dots beside the report's dots; it is titled and labelled as the user's reading, not the report's, and the figure above stays as it is. Rows for a technology with a risk table are refused. With the default `None` nothing is drawn here.

# %%
ch.threat_matrix_user_reading("0.1", matrix_user_levels, colours=matrix_colours)

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
