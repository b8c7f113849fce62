# Configuration of `make lab`, found through JUPYTER_CONFIG_PATH=jupyter (your own ~/.jupyter
# settings still apply where these say nothing). README: "Open a chapter in JupyterLab".
import os
import sys

c = get_config()  # noqa: F821 (Jupyter provides it when it reads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

# One entry per notebook: the `.py` twins (jupytext percent format, which jupytext's contents
# manager keeps in sync when a notebook is saved) are not listed beside their `.ipynb`.
c.ContentsManager.hide_globs = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~", "*.py"]

# Notebooks are saved without outputs, execution counts or session metadata (osa_lab_hooks.py).
# Imported, not defined here: Jupyter reads this file twice, and one function object for both
# reads keeps it from warning that the hook is overridden.
sys.path.insert(0, HERE)
from osa_lab_hooks import save_without_outputs  # noqa: E402

c.ContentsManager.pre_save_hook = save_without_outputs

# Lab settings of the collection: no news pop-up, the notebook's own kernel started without a
# "Select Kernel" dialog (lab-settings/overrides.json).
c.LabApp.app_settings_dir = os.path.join(HERE, "lab-settings")
