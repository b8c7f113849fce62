"""The tools that run a notebook on a user's forms: ``osa-report assess`` and ``osa-report app-check``.

    from osa_utils.tools import run_app_check, run_assessment
    files = run_assessment("my_tech.csv", "quantum", "Quantum computing", "out/quantum")
    files = run_app_check("my_app.csv", "MyApp", "out/myapp")

Both follow one skeleton (:class:`Tool`): every parameter, the output folder and the forms are
checked before the kernel starts, then the tool's notebook runs through the build's
:func:`osa_utils.batch.kernel.run_notebook` and the files it wrote are returned. The forms
themselves (schemas, readers, blank templates) are :mod:`osa_utils.assess` and
:mod:`osa_utils.appcheck`, which the notebooks import; this module sits above the build.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import DEFAULT_DATA_DIR, outdir, outputmeta
from .appcheck import NOTEBOOK as APP_CHECK_NOTEBOOK
from .appcheck import app_slug, load_app_check
from .assess import (
    MAX_PROBLEM_LINES,
    NOTEBOOK,
    AssessmentError,
    _write_new_file,
    check_form_name,
    check_technology,
    load_forms,
)
from .batch.kernel import NotebookError, run_notebook
from .importtime import skip_rfc3987_grammar
from .params import ParameterError, check_params
from .userdata import not_a_file


@dataclass(frozen=True)
class Tool:
    """A tool that runs its notebook on a user's forms (``assess``, ``app-check``): what its runs differ in.

    *kind* is the output folder's marker (:mod:`osa_utils.outdir`) and the run's name; a form that is
    not a file is named as the parameter *form_parameter*, with *form_expected* as the allowed values.
    """

    kind: str
    notebook: Path
    form_parameter: str
    form_expected: str

    def run(
        self,
        forms: list,
        output_dir,
        data_dir,
        formats: str,
        dpi: int,
        name_lang: str,
        executed_notebook,
        *,
        check_names: Callable[[Path], object],
        load: Callable[[list[Path], Path], object],
        parameters: Callable[[list[Path]], dict[str, Any]],
    ) -> list[Path]:
        """Check everything before the kernel starts, in this order: the output folder
        (:func:`osa_utils.outdir.check`: an OutputError), the standard parameters, the tool's own
        names (*check_names*, given the data folder), each form's path and file name, the forms
        themselves (*load*: the resolved forms and the data folder); then run the notebook
        (:func:`execute_tool`) with the tool's *parameters* (given the resolved forms) and the standard
        ones, and return the files it wrote."""
        ddir = Path(data_dir if data_dir is not None else DEFAULT_DATA_DIR).resolve()
        # --out first, with the build's output-folder words (not those of the notebook's figures_dir)
        out = outdir.check(output_dir, ddir, kind=self.kind)  # OutputError (a UsageError, exit 2)
        params = check_params(ddir, out, formats, dpi, name_lang, figures_name="--out")
        check_names(ddir)
        paths = []
        for form in forms:
            if not_a_file(form):
                raise ParameterError(
                    f"parameter {self.form_parameter}={str(form)!r} is not a file; allowed values: "
                    + self.form_expected
                )
            path = Path(form).resolve()
            check_form_name(form)
            if path.name != Path(form).name:  # a link: the name the outputs print is its target's
                check_form_name(path)
            paths.append(path)
        load(paths, ddir)  # a bad form stops here, before the kernel
        values = {
            **parameters(paths),
            "output_dir": str(out),
            "data_dir": str(ddir),
            "formats": ",".join(params.formats),
            "dpi": params.dpi,
            "name_lang": params.name_lang,
        }
        return execute_tool(self.notebook, values, paths[0], out, self.kind, executed_notebook)


ASSESSMENT = Tool(
    "assessment",
    NOTEBOOK,
    "csv_path",
    "an assessment form (.csv or .xlsx; columns dimension_id, challenge, importance, instrument)",
)
APP_CHECK = Tool(
    "app_check",
    APP_CHECK_NOTEBOOK,
    "app_check_form",
    "an app-check form (.csv or .xlsx; write a blank one with osa-report app-check --template FILE)",
)


def run_assessment(
    csv_path,
    technology_id: str,
    technology_label: str,
    output_dir,
    data_dir=None,
    formats: str = "png,svg",
    dpi: int = 150,
    *,
    name_lang: str = "en",
    executed_notebook=None,
    sheet: str | None = None,
) -> list[Path]:
    """Execute ``notebooks/new_assessment.ipynb`` on the form *csv_path* (or a list of forms, a panel)
    and return the files it wrote.

    Everything is checked before the kernel starts (:meth:`Tool.run`): the parameters (ParameterError
    naming the parameter), the output folder (:func:`osa_utils.outdir.check`: missing, empty or made
    by this tool; it gets the tool's marker) and the form (:func:`load_assessment`:
    DataValidationError with ``file:row:column`` problems; CSV or .xlsx, *sheet*). The notebook
    reads the form with the same reader. A notebook error raises :class:`AssessmentError`.
    *executed_notebook*: where to keep the executed notebook (default: not kept).
    """

    def load(forms: list[Path], ddir: Path) -> None:
        load_forms(forms, ddir, sheet)  # a panel that cannot be combined: PanelError (a UsageError, exit 2)

    def parameters(forms: list[Path]) -> dict[str, Any]:
        return {
            "assessment_csv": str(forms[0]) if len(forms) == 1 else [str(f) for f in forms],
            "assessment_sheet": sheet,
            "technology_id": technology_id,
            "technology_label": technology_label,
        }

    forms = [csv_path] if isinstance(csv_path, (str, Path)) else list(csv_path)
    return ASSESSMENT.run(
        forms,
        output_dir,
        data_dir,
        formats,
        dpi,
        name_lang,
        executed_notebook,
        check_names=lambda ddir: check_technology(technology_id, technology_label, ddir),
        load=load,
        parameters=parameters,
    )


def run_app_check(
    form,
    app: str,
    output_dir,
    data_dir=None,
    formats: str = "png,svg",
    dpi: int = 150,
    *,
    name_lang: str = "en",
    executed_notebook=None,
    sheet: str | None = None,
) -> list[Path]:
    """Execute ``notebooks/tools/app_check.ipynb`` on the form and return the files it wrote.

    Everything is checked before the kernel starts: the parameters (ParameterError naming the
    parameter), the output folder (:func:`osa_utils.outdir.check`: missing, empty or made by this
    tool; it gets the tool's marker) and the form (:func:`load_app_check`: DataValidationError with
    ``file:row:column`` problems). A notebook error raises :class:`osa_utils.assess.AssessmentError`.
    *executed_notebook*: where to keep the executed notebook (default: not kept).
    """

    def parameters(forms: list[Path]) -> dict[str, Any]:
        return {"app_check_form": str(forms[0]), "app_check_sheet": sheet, "app_name": app}

    return APP_CHECK.run(
        [form],
        output_dir,
        data_dir,
        formats,
        dpi,
        name_lang,
        executed_notebook,
        check_names=lambda ddir: app_slug(app),
        load=lambda forms, ddir: load_app_check(forms[0], ddir, sheet),
        parameters=parameters,
    )


def execute_tool(
    notebook: Path, parameters: dict, form: Path, out: Path, kind: str, executed_notebook=None
) -> list[Path]:
    """Run a tool's notebook (its form and *out* checked by the caller) and return the files it wrote.

    *out* gets the tool's marker (``kind``) first; the kernel's stderr goes to a log, not the
    terminal. A notebook error raises :class:`AssessmentError` naming the cell. An OSError (a
    full disk) removes the folder if this call created it (never one that existed) and is raised.
    """
    import shutil

    out = Path(out)
    created = next((p for p in reversed([out, *out.parents]) if not p.exists()), None)  # the topmost folder made here
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not (out / outdir.MARKER).exists():
            _write_new_file(out / outdir.MARKER, outdir.marker_text(kind).encode("utf-8"))
        return _execute(notebook, parameters, form, out, kind, executed_notebook)
    except OSError:  # a full disk, a read-only TMPDIR: no half-made folder blocks the next run
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise


def _execute(notebook: Path, parameters: dict, form: Path, out: Path, kind: str, executed_notebook) -> list[Path]:
    skip_rfc3987_grammar()  # before papermill (nbformat's jsonschema) is imported
    with tempfile.TemporaryDirectory(prefix=f"osa-{kind.replace('_', '-')}-") as tmp:
        executed = Path(executed_notebook) if executed_notebook else Path(tmp) / notebook.name
        error = run_notebook(notebook, executed, parameters, log=Path(tmp) / "kernel.log", contain=False)
        if error is not None:
            raise _notebook_error(error, form, notebook, kind.replace("_", " "))
        return _written(executed, out)


def _notebook_error(
    error: NotebookError, csv: Path, notebook: Path = NOTEBOOK, what: str = "assessment"
) -> AssessmentError:
    """*error* (a :class:`osa_utils.batch.kernel.NotebookError` raised by a cell) as the tool reports it."""
    lines = [l for l in error.message.splitlines() if l.strip()]
    shown = lines[:MAX_PROBLEM_LINES]
    more = f"\n... and {len(lines) - len(shown)} more line(s)" if len(lines) > len(shown) else ""
    message = (
        f"the {what} of {csv.name} stopped in cell {error.cell} of notebook {notebook.name} with "
        f"{error.ename}:\n" + "\n".join(shown) + more
    )
    return AssessmentError(message, error.ename, lines, error.cell)


def _written(executed: Path, out: Path) -> list[Path]:
    """The files the notebook saved, as listed in its outputs' ``osa`` metadata, in output order."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    files: list[Path] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for name in outputmeta.files(output):
                path = out / name
                if path.is_file() and path not in files:
                    files.append(path)
    return files
