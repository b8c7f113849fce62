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
# # App check: an app assessed by the user with chapter 8's criteria for Chinese AI-based consumer apps
#
# Chapter 8 of the report (Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023) lists "Criteria for assessing Chinese AI-based consumer applications for use within the EU": four at the macro level (the regulatory and political environment in China) and eight at the micro level (app/in-app features), with evidence for TikTok, WeChat and Face++ (`data/app_criteria.csv`, `data/app_evidence.csv`).
#
# This notebook takes **your** form (`app_check_form`: a CSV, comma- or semicolon-separated, or an `.xlsx`; one row per criterion with `criterion_id`, optional `criterion`, `finding` = concern, no_concern, unclear or not_assessed, `evidence`, `source_url` (http/https), `checked_on` (YYYY-MM-DD); schema `osa_utils/schemas/app_check.schema.json`; a blank form: `osa-report app-check --template FILE.csv`). It checks the form, then sets your findings beside the chapter's evidence for the three reference apps as a table and a chart, and counts your findings per level.
#
# **Nothing here is a finding of the report.** Every output says "Assessment by the user, not from the report." For TikTok, WeChat and Face++ it shows only what the chapter gives: its stated finding where the text states one, "evidence in the text, no stated finding" where it quotes evidence only, "no evidence in the text" where it gives none. The default form (`data/examples/app_check_example.csv`) is a made-up illustration for a fictional app, and its outputs also say "Illustration with user-supplied data: not a finding of the report."
#
# This notebook lives in `notebooks/tools/`, outside the default build: `osa-report build` runs `notebooks/*.ipynb` only. Run it with `osa-report app-check FORM --app NAME --out DIR`.

# %% tags=["parameters"]
app_check_form: "Optional[str]" = None  # one row per criterion (.csv or .xlsx); None: the worked example data/examples/app_check_example.csv
app_check_sheet: "Optional[str]" = None  # the sheet of an .xlsx form (None: the first)
app_name: str = "ExampleChat (fictional)"  # the app you checked, shown in titles and column heads
figures_dir: "Optional[str]" = None  # where figures and tables are written; None: the collection's output/app_check (git-ignored)
output_dir: "Optional[str]" = None  # the old name of figures_dir, still accepted
data_dir: "Optional[str]" = None  # the data package (folder with datapackage.json); None: the collection's data/
formats: str = "png,svg"  # comma-separated: png, svg, pdf
dpi: int = 150  # raster resolution, 50-600
name_lang: str = "en"  # font setup as in the chapter notebooks: "en", "zh" or "en+zh"

# %%
from osa_utils.appcheck import app_slug, load_app_check
from osa_utils.params import input_file
from osa_utils.sections.appcheck import AppCheck

ac = AppCheck(data_dir, figures_dir, formats, dpi, name_lang, output_dir=output_dir, subfolder="app_check",
              app_check_sheet=app_check_sheet)
form_file = input_file("app_check_form", app_check_form, "app_check_example.csv")
app_slug(app_name)  # checks the name

# %% [markdown]
# ## Your form
#
# Checked with the same rules as `osa-report validate`: on a bad row the notebook stops here and lists every problem as `file:row:column: problem (found X, expected Y)` (rows counted as in a spreadsheet, the header is row 1). Every criterion must have its row (use `not_assessed` for one you did not check).

# %%
form = load_app_check(form_file, ac.params.data_dir, app_check_sheet)
print(f"Read {form.attrs['read']}.")

# %% [markdown]
# ## Your findings beside the chapter's evidence for TikTok, WeChat and Face++

# %%
ac.findings_table(form, app_name)

# %% [markdown]
# ## The checklist as a chart

# %%
ac.findings_chart(form, app_name)

# %% [markdown]
# ## Criteria per finding

# %%
ac.finding_counts(form, app_name)
