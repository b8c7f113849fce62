"""The report's four-step method applied to a technology it does not cover.

    from osa_utils.assess import load_assessment, run_assessment
    df = load_assessment("my_tech.csv")                       # validated, typed, items numbered
    files = run_assessment("my_tech.csv", "quantum", "Quantum computing", "out/quantum")

Step 2 of the method (the challenges to the four dimensions, each with an
importance of 1 to 4) is a CSV with the columns of
``osa_utils/schemas/assessment.schema.json``; steps 1 and 3 (ecosystem analysis,
geopolitical context) are the user's own analysis; step 4 (the toolkit) is
drawn from Figure 0.3.  Nothing produced here is a finding of the report.
"""
from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from . import DEFAULT_DATA_DIR, PROJECT_ROOT
from .params import ParameterError, check_params

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "assessment.schema.json"
NOTEBOOK = PROJECT_ROOT / "notebooks" / "new_assessment.ipynb"
EXAMPLES_DIR = PROJECT_ROOT / "data" / "examples"
TECHNOLOGY_ID_PATTERN = r"[a-z0-9_]+"
#: Lines of a failing notebook's error message carried into AssessmentError.
MAX_PROBLEM_LINES = 12


class AssessmentError(RuntimeError):
    """The assessment notebook stopped; the message carries the first problem lines.

    ``ename`` is the error's class in the notebook (e.g. ``DataValidationError``),
    ``lines`` its message lines (for bad CSV rows: ``file:row:column: problem ...``),
    ``cell`` the number of the failing cell in the notebook as written.
    """

    def __init__(self, message: str, ename: str = "", lines: list[str] | None = None, cell: int | None = None):
        super().__init__(message)
        self.ename = ename
        self.lines = list(lines or [])
        self.cell = cell


def schema() -> dict:
    """The Table Schema of an assessment CSV."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def is_example(csv_path) -> bool:
    """True for a CSV shipped in data/examples/ (by location, or a byte-identical copy of one)."""
    path = Path(csv_path).resolve()
    if not path.is_file():
        return False
    if path.parent == EXAMPLES_DIR.resolve():
        return True
    data = path.read_bytes()
    return any(p.read_bytes() == data for p in sorted(EXAMPLES_DIR.glob("*.csv")))


def load_assessment(csv_path, data_dir=None) -> "pd.DataFrame":
    """The assessment CSV validated against the schema, typed, with ``item`` numbered per dimension.

    Raises :class:`osa_utils.data.DataValidationError` listing every problem as
    ``file:row:column: problem (found X, expected Y)``, the same rules and
    messages as ``osa-report validate``. ``item`` counts the challenges of a
    dimension in file order (1, 2, ...). ``frame.attrs`` holds ``source_file``
    (the file name) and ``is_example`` (a shipped illustration).
    """
    import pandas as pd

    from . import data

    path = Path(csv_path)
    frame = data.load_csv(path, schema(), data_dir, name="assessment")
    data._record([path])  # a build reruns the notebook when the user's CSV changes
    frame["item"] = pd.array(frame.groupby("dimension_id", sort=False).cumcount() + 1, dtype="Int64")
    frame.attrs["source_file"] = path.name
    frame.attrs["is_example"] = is_example(path)
    return frame


def check_technology(technology_id, technology_label, data_dir=None) -> None:
    """ParameterError unless *technology_id* is a new id and *technology_label* is not empty."""
    if not isinstance(technology_id, str) or not re.fullmatch(TECHNOLOGY_ID_PATTERN, technology_id):
        raise ParameterError(f"parameter technology_id={technology_id!r} is not allowed; allowed values: "
                             f"lower-case letters, digits and '_' (pattern {TECHNOLOGY_ID_PATTERN}), "
                             "e.g. 'quantum_computing'")
    from .data import load_table

    known = load_table("technologies", data_dir)["technology_id"].tolist()
    if technology_id in known:
        raise ParameterError(f"parameter technology_id={technology_id!r} is the id of a technology of the report "
                             f"(technologies.csv: {', '.join(known)}); allowed values: a new id, e.g. "
                             f"'{technology_id}_new'")
    if not isinstance(technology_label, str) or not technology_label.strip():
        raise ParameterError(f"parameter technology_label={technology_label!r} is not allowed; allowed values: "
                             "a non-empty name of the technology, e.g. 'Quantum computing'")


def run_assessment(csv_path, technology_id: str, technology_label: str, output_dir, data_dir=None,
                   formats: str = "png,svg", dpi: int = 150, *, name_lang: str = "en",
                   executed_notebook=None) -> list[Path]:
    """Execute ``notebooks/new_assessment.ipynb`` on *csv_path* and return the files it wrote.

    Parameters are checked first (ParameterError naming the parameter). A
    notebook error raises :class:`AssessmentError` whose message carries the
    first problem lines (for bad CSV rows the ``file:row:column`` lines).
    *executed_notebook*: where to keep the executed notebook (default: not kept).
    """
    import sys

    # As in data._frictionless: jsonschema (via nbformat) would otherwise build the unused
    # rfc3987_syntax grammar at import, ~3 s.
    sys.modules.setdefault("rfc3987_syntax", None)
    import papermill
    from papermill.exceptions import PapermillExecutionError

    ddir = Path(data_dir if data_dir is not None else DEFAULT_DATA_DIR).resolve()
    out = Path(output_dir).resolve()
    params = check_params(ddir, out, formats, dpi, name_lang)
    check_technology(technology_id, technology_label, ddir)
    csv = Path(csv_path).resolve()
    if not csv.is_file():
        raise ParameterError(f"parameter csv_path={str(csv_path)!r} is not a file; allowed values: an assessment "
                             "CSV (columns dimension_id, challenge, importance, instrument)")
    parameters = {"assessment_csv": str(csv), "technology_id": technology_id,
                  "technology_label": technology_label, "output_dir": str(out), "data_dir": str(ddir),
                  "formats": ",".join(params.formats), "dpi": params.dpi, "name_lang": params.name_lang}
    with tempfile.TemporaryDirectory(prefix="osa-assessment-") as tmp:
        executed = Path(executed_notebook) if executed_notebook else Path(tmp) / "new_assessment.ipynb"
        try:
            papermill.execute_notebook(str(NOTEBOOK), str(executed), parameters=parameters,
                                       cwd=str(NOTEBOOK.parent), kernel_name="python3", progress_bar=False,
                                       log_output=False, request_save_on_cell_execute=False)
        except PapermillExecutionError as exc:
            raise _notebook_error(exc, csv, executed) from None
        return _written(executed, out)


def _notebook_error(exc, csv: Path, executed: Path) -> AssessmentError:
    from .build import _source_cell_number

    cell = _source_cell_number(str(executed), exc.cell_index)
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(exc.evalue))
    lines = [l for l in text.splitlines() if l.strip()]
    shown = lines[:MAX_PROBLEM_LINES]
    more = f"\n... and {len(lines) - len(shown)} more line(s)" if len(lines) > len(shown) else ""
    message = (f"the assessment of {csv.name} stopped in cell {cell} of notebook {NOTEBOOK.name} with "
               f"{exc.ename}:\n" + "\n".join(shown) + more)
    return AssessmentError(message, exc.ename, lines, cell)


def _written(executed: Path, out: Path) -> list[Path]:
    """The files the notebook saved, as listed in its outputs' ``osa`` metadata, in output order."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    files: list[Path] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for name in output.get("metadata", {}).get("osa", {}).get("files", []):
                path = out / name
                if path.is_file() and path not in files:
                    files.append(path)
    return files
