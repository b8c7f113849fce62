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
# # Introduction: European Open Strategic Autonomy in the light of China's digital tech power
#
# *Jan-Peter Kleinhans, Tim Rühlig*
#
# From: Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023.
#
# This notebook charts the numbers of Box 1 (Europe's dependencies on China; the box is prose, the chart is this collection's), Figure 1.1 (the four dimensions, reconstructed from the text) and the reprints of the summary figures (1.2 = 0.1, 1.3 = 0.3, 1.4 = 0.2) from the CSV data package in `data/`. Every figure and table is shown with its printed caption, a source line and its reproduction status, and saved as files named by its figure id.

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
# ## Box 1 – Europe's technological dependencies on China
#
# The box is prose in the report. It gives shares of the 137 most import-dependent products; they do not add up to 100 per cent. The chart below is this collection's (`box1-chart`), not a figure of the report; it shows the part the text leaves unspecified as such.

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
#
# Drawn as Figure 0.1: the caption under the figure says how the dots are drawn.

# %% [markdown] tags=["notebook-only"]
# *In the notebook:* the colours are set by the parameter `matrix_colours`, as in Figure 0.1 (`"derived"` or `"printed"`, dots only). (This cell is not shown in the report.)

# %%
ch.threat_matrix("1.2", colours=matrix_colours)

# %% [markdown] tags=["notebook-only"]
# ### Figure 1.2 with a reading supplied by the user (only with `matrix_user_levels`)
#
# *In the notebook* (this cell is not shown in the report; the figure, when drawn, carries its own title and caption): the e-CNY and AI ethics levels are not in the text. With `matrix_user_levels` set to a file (one row per printed dot: `technology_id`, `dimension_id`, `level` 1–4) a second figure, `1.2-user`, draws that reading as ringed dots beside the report's dots; it is titled and labelled as the user's reading, not the report's, and the figure above stays as it is. Rows for a technology with a risk table are refused. With the default `None` nothing is drawn here.

# %%
ch.threat_matrix_user_reading("1.2", matrix_user_levels, colours=matrix_colours)

# %% [markdown]
# ## Figure 1.3 – policy goals and instruments (reprint of Figure 0.3)

# %%
ch.policy_goals_table("1.3")

# %% [markdown]
# ## Figure 1.4 – the four-step process (reprint of Figure 0.2)

# %%
ch.method_diagram("1.4")
