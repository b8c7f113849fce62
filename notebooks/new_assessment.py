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
# # New assessment: the report's four-step method applied to a new technology
#
# The report (Tim Rühlig (ed.), *Europe's Strategic Technology Autonomy from China*, Digital Power China, January 2023, Figure 0.2) proposes four steps for identifying the tools that address the challenges to Europe's Open Strategic Autonomy in a technology:
#
# 1. **Ecosystem analysis**: identify the EU's dependencies in the technology. *This is your own analysis; the notebook does not do it.*
# 2. **Assessing Europe's position in terms of the four dimensions of Open Strategic Autonomy**: the challenges to resilience of supply chains, criticality/national security, values and sustainability, and technological competitiveness, each with a relative importance of 1 to 4. *This is the form you supply*: a CSV or `.xlsx` file with one row per challenge (its dimension, the challenge in keywords, its importance 1–4 and optionally a policy instrument). The notebook checks it, then draws the risk table, the risk profile and the Figure 0.1 matrix with your technology as an extra row.
# 3. **Geopolitical contextualization**: the geopolitics of those challenges. *This is your own analysis; the notebook does not do it.*
# 4. **Use the available toolkit**: for each dimension you score 3 or 4, the notebook lists the predominant policy goal and the types of policy instrument that Figure 0.3 of the report names for it.
#
# **Nothing here is a finding of the report.** Every output says "New assessment by the user, not from the report." The default CSV (`data/examples/assessment_quantum.csv`) is a made-up illustration, and its outputs also say "Illustration with user-supplied data: not a finding of the report."

# %% tags=["parameters"]
assessment_csv: "Union[str, list, None]" = None  # step 2: a form (.csv or .xlsx), or a list of forms (a panel); None: the worked example data/examples/assessment_quantum.csv
assessment_sheet: "Optional[str]" = None  # the sheet of an .xlsx form (None: the first)
technology_id: str = "quantum_example"  # new id: lower-case letters, digits, '_'; not an id of technologies.csv
technology_label: str = "Quantum computing (illustration)"  # name shown in captions and the matrix row
figures_dir: "Optional[str]" = None  # where figures and tables are written; None: the collection's output/assessment (git-ignored)
output_dir: "Optional[str]" = None  # the old name of figures_dir, still accepted
data_dir: "Optional[str]" = None  # the data package (folder with datapackage.json); None: the collection's data/
formats: str = "png,svg"  # comma-separated: png, svg, pdf
dpi: int = 150  # raster resolution, 50-600
name_lang: str = "en"  # font setup as in the chapter notebooks: "en", "zh" or "en+zh"

# %%
from osa_utils.assess import check_technology, load_forms
from osa_utils.notebook import Chapter
from osa_utils.params import input_file
from osa_utils.sections.panel import PanelView, agreement_sentence

ch = Chapter(data_dir, figures_dir, formats, dpi, name_lang, output_dir=output_dir, subfolder="assessment",
             assessment_sheet=assessment_sheet)
forms = input_file("assessment_csv", assessment_csv, "assessment_quantum.csv")
check_technology(technology_id, technology_label, ch.params.data_dir)

# %% [markdown] tags=["notebook-only"]
# *In the notebook* (this cell is not shown in the report): the form is the parameter `assessment_csv`, a CSV (comma- or semicolon-separated) or an `.xlsx` (sheet `assessment_sheet`), or a list of forms for a panel; columns `dimension_id`, `challenge`, `importance`, `instrument`; schema `osa_utils/schemas/assessment.schema.json`. `technology_id` and `technology_label` name the new technology. `osa-report assess --template my_form.xlsx` writes a blank form.

# %% [markdown]
# ## Step 2 – the assessment form
#
# Checked with the same rules as `osa-report validate`: on a bad row the notebook stops here and lists every problem as `file:row:column: problem (found X, expected Y)` (rows counted as in a spreadsheet, the header is row 1). Challenges of one dimension are numbered in file order (`item`). With several forms (a panel: one form per assessor, or one table with an `assessor` column), the outputs below use the panel's score of each challenge: the median of the assessors' scores, rounded up at x.5 (see the panel section).

# %%
assessment, panel = load_forms(forms, ch.params.data_dir, assessment_sheet)
print(f"Read {assessment.attrs['read']}.")

# %% [markdown]
# ### A panel: every assessor's scores and their agreement
#
# Challenges are matched across forms by dimension and challenge text. Per challenge: every score, the median and the range, widest disagreement first; agreement as Krippendorff's alpha for ordinal data over the challenges scored by two or more assessors (a challenge scored by one assessor is listed and left out). With a single assessor there is nothing to compare, and this section says so.

# %%
if panel is not None:
    pv = PanelView(ch.params.data_dir, ch.params.figures_dir, formats, dpi, name_lang)
    pv.panel_table(assessment, panel, technology_id, technology_label)
    pv.panel_chart(assessment, panel, technology_id, technology_label)
    print(agreement_sentence(panel))
else:
    print("One assessor: no panel to compare.")

# %% [markdown]
# ### The challenges as a risk table, laid out like the chapters' tables

# %%
ch.assessment_table(assessment, technology_id, technology_label)

# %% [markdown]
# ### Risk profile

# %%
ch.assessment_profile(assessment, technology_id, technology_label)

# %% [markdown]
# ### Beside the report's Figure 0.1
#
# The seven rows of the report, with the new technology as a shaded last row: one dot per distinct importance level in a dimension, as the report's "several notifications in one box indicate divergent risks".

# %%
ch.assessment_matrix(assessment, technology_id, technology_label)

# %% [markdown]
# ## Step 4 – the toolkit
#
# For each dimension scored 3 or 4: the predominant policy goal and the instrument types that tend to be most effective, from Figure 0.3 of the report, beside the instruments named in the CSV.

# %%
ch.typical_instruments(assessment, technology_id, technology_label)
