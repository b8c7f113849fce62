"""The save hook of `make lab` (jupyter_server_config.py installs it): notebooks are saved as they are
committed, so opening and running them leaves `git status` clean."""

#: Notebook metadata that records a session, not the notebook: the kernel's Python version
#: (language_info) and widget state.
VOLATILE_NOTEBOOK_METADATA = ("language_info", "widgets")
#: Cell metadata that records a session or a view: timings, scrolled or collapsed outputs.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled", "jupyter", "trusted")


def save_without_outputs(model, **kwargs):
    """ContentsManager.pre_save_hook: no outputs, no execution counts, no volatile metadata.

    The outputs stay on screen until the notebook is closed; `make report` is where rendered outputs
    live. Edits to the cells themselves are saved as usual (and into the `.py` twin by jupytext).
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    nb = model["content"]
    for key in VOLATILE_NOTEBOOK_METADATA:
        nb.get("metadata", {}).pop(key, None)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in VOLATILE_CELL_METADATA:
            cell.get("metadata", {}).pop(key, None)
