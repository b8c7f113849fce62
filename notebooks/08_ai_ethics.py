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
# This notebook reproduces the tables Figure 8.1 (key dimensions of AI ethics in the EU and China) and Figure 8.2 (actors to watch) from the CSV data package in `data/`, with this collection's chart of 8.2 (`8.2-chart`, not a figure of the report). It also shows the chapter's checklist for assessing Chinese AI-based consumer apps (table `8-criteria`, chart `s8.1`) and its policy recommendations (`8-recommendations`), as tables and a chart of this collection: the report prints them as text. The chapter has no risk table, so its row of Figure 0.1 has no stated levels. Every figure and table is shown with its printed caption, a source line and its reproduction status, and saved as files named by its figure id.

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
# ## Figure 8.1 – key dimensions of AI ethics in the EU and China

# %%
ch.ai_ethics_table("8.1")

# %% [markdown]
# ## Figure 8.2 – actors to watch

# %%
ch.actor_table("8.2")

# %%
ch.actor_chart("8.2")

# %% [markdown]
# ## Criteria for assessing Chinese AI-based consumer applications for use within the EU
#
# The chapter prints a checklist of criteria at the macro level (the regulatory and political environment in China) and the micro level (app/in-app features). Shown here as a table of this collection (`8-criteria`, not a figure of the report): names and explanations as printed; the first macro criterion is printed without a name, so its name is this collection's and is marked. `osa-report app-check` turns the checklist into a form a user can fill in for another app.

# %%
ch.criteria_table("8-criteria")

# %% [markdown]
# Where the chapter gives evidence for the three apps it takes as references (TikTok, WeChat and Face++; it calls them no case studies): this collection's chart `s8.1`. A cell says whether the text states a finding, gives evidence without one, or gives none; a stated finding is coloured by this collection's reading of its words (adverse, open, not adverse; app_evidence.csv `finding_reading`, with the reason), never the report's verdict.

# %%
ch.checklist_chart("s8.1")

# %% [markdown]
# ## The chapter's policy recommendations
#
# The chapter's section 'Policy recommendations for the EU / EU member states in relation to the different dimensions of strategic autonomy' as a table of this collection (`8-recommendations`, not a figure of the report): each recommendation's lead and text as printed, its footnotes, and the dimension of Open Strategic Autonomy the chapter ties it to, with the printed words that tie it, or the reason it has none. The chapter has no risk table; it ties few of its recommendations to a dimension, and the table says why for the others.

# %%
ch.recommendations(8)
