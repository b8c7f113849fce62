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

from . import DEFAULT_DATA_DIR, PROJECT_ROOT, errors, outputmeta, readlog
from .panel import PanelError
from .params import ParameterError, check_params
from .text import strip_ansi

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "assessment.schema.json"
NOTEBOOK = PROJECT_ROOT / "notebooks" / "new_assessment.ipynb"
EXAMPLES_DIR = PROJECT_ROOT / "data" / "examples"
TECHNOLOGY_ID_PATTERN = r"[a-z0-9_]+"
#: Longest technology id (it names the output files: tab-assessment-<id>-instruments.csv).
MAX_TECHNOLOGY_ID = 40
#: Longest technology label (it is the matrix row's label and goes into every title).
MAX_LABEL = 80
#: Most challenges in one form (each is a bar of the profile chart and a row of the tables).
MAX_CHALLENGES = 300
#: Lines of a failing notebook's error message carried into AssessmentError.
MAX_PROBLEM_LINES = 12


class AssessmentError(errors.NotebookFailed, RuntimeError):
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


def is_example(csv_path, canonical: str | None = None) -> bool:
    """True for a form shipped in data/examples/: by location, or the same table saved another way.

    *canonical* is the table as read (``frame.attrs["canonical_csv"]``): a copy of an example
    re-saved with a BOM, CRLF, ``;`` or as a workbook is still the example, and stays labelled
    an illustration. Without it, a byte-identical copy counts.
    """
    path = Path(csv_path).resolve()
    if not path.is_file():
        return False
    if path.parent == EXAMPLES_DIR.resolve():
        return True
    if canonical is not None:
        from .data import DataValidationError
        from .userdata import load_user_table

        def as_read(p: Path) -> str | None:
            try:
                return load_user_table(p, schema(), name="assessment").attrs["canonical_csv"]
            except DataValidationError:  # an example of another tool's form
                return None

        return any(as_read(p) == canonical for p in sorted(EXAMPLES_DIR.glob("*.csv")))
    data = path.read_bytes()
    return any(p.read_bytes() == data for p in sorted(EXAMPLES_DIR.glob("*.csv")))


#: The note that marks the blank form's example row.
EXAMPLE_MARK = "EXAMPLE"
#: The columns a user fills in; a row with all of them empty is an unfilled row of the blank form.
FILLED = ("challenge", "importance", "instrument")


def _unfilled(row: dict) -> bool:
    return all(not (row.get(c) or "").strip() for c in FILLED)


def load_assessment(csv_path, data_dir=None, sheet: str | None = None) -> "pd.DataFrame":
    """The assessment form validated against the schema, typed, with ``item`` numbered per dimension.

    The form may be a CSV as spreadsheets and Python write it (BOM, CRLF, ``;``) or an
    ``.xlsx`` (first sheet, or *sheet*): :func:`osa_utils.userdata.load_user_table`, with the
    same rules and ``file:row:column`` messages as ``osa-report validate``
    (:class:`osa_utils.data.DataValidationError`). Rows of the blank form left unfilled
    (challenge, importance and instrument empty) are skipped; the form's example row (note
    starting with ``EXAMPLE``) is a problem until replaced or deleted. ``item`` counts the
    challenges of a dimension in file order. ``frame.attrs``: ``source_file``, ``is_example``,
    ``read`` (how the file was read), ``skipped``, ``canonical_csv``.
    """
    import pandas as pd

    from . import data
    from .userdata import clean_text, load_user_table, relocate

    path = Path(csv_path)
    frame = load_user_table(path, schema(), data_dir, name="assessment", sheet=sheet, skip=_unfilled)
    readlog.record([path])  # a build reruns the notebook when the user's file changes
    examples = frame.index[frame["note"].fillna("").str.strip().str.startswith(EXAMPLE_MARK)].tolist()
    if examples:
        rows = _row_numbers(path, sheet, frame, examples)
        raise data.DataValidationError([relocate(
            data.Problem(path.name, r, "note", "the blank form's example row is still in the form",
                         "a note starting with 'EXAMPLE'", "your own challenge in this row, or the row deleted"),
            frame.attrs) for r in rows])
    assessor = frame["assessor"].astype("string").map(lambda v: v if v is pd.NA else clean_text(v).strip())
    if assessor.notna().any() and assessor.isna().any() | (assessor == "").any():
        empty = frame.index[assessor.isna() | (assessor == "")].tolist()
        raise data.DataValidationError([relocate(
            data.Problem(path.name, r, "assessor", "empty assessor cell in a form with an assessor column",
                         "an empty cell" if frame.loc[i, "assessor"] is pd.NA
                         else repr(frame.loc[i, "assessor"]) + " (blank once spaces and zero-width characters "
                                                               "are removed)",
                         "the name of who scored the row (every row of a panel table names its assessor)"),
            frame.attrs) for i, r in zip(empty, _row_numbers(path, sheet, frame, empty))])
    if len(frame) > MAX_CHALLENGES:
        rows = _row_numbers(path, sheet, frame, [MAX_CHALLENGES])
        raise data.DataValidationError([relocate(
            data.Problem(path.name, rows[0], None, "more challenges than an assessment form may have",
                         f"{len(frame)} challenges", f"at most {MAX_CHALLENGES} (one bar each in the profile chart)"),
            frame.attrs)])
    frame["item"] = pd.array(frame.groupby("dimension_id", sort=False).cumcount() + 1, dtype="Int64")
    frame.attrs["source_file"] = path.name
    frame.attrs["is_example"] = is_example(path, frame.attrs["canonical_csv"])
    return frame


def load_forms(paths, data_dir=None, sheet: str | None = None):
    """One or several assessors' forms: ``(assessment frame, PanelSummary or None)``.

    *paths* is one form or a list of forms (one per assessor, named by file stem), or one form
    with an ``assessor`` column. With two or more assessors the frame is the panel's consensus
    (one row per challenge, importance = the rounded median, :mod:`osa_utils.panel`) and the
    summary carries every score and the agreement; with one, the form itself and None.
    """
    from .data import load_table
    from .panel import combine, summarise

    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not paths:
        raise ParameterError("no assessment form given; allowed values: one form or a list of forms")
    from .userdata import clean_text

    frames = [load_assessment(p, data_dir, sheet) for p in paths]
    names = [clean_text(Path(p).stem).strip() for p in paths]
    if len(set(names)) != len(names):
        raise ParameterError("two forms have the same file name (" + ", ".join(names) + "); each form is one "
                             "assessor, named by its file name: rename them")
    long = combine(list(zip(names, frames)))
    assessors = list(dict.fromkeys(long["assessor"]))
    if len(assessors) < 2:
        return frames[0] if len(frames) == 1 else _merged(frames), None
    order = load_table("dimensions", data_dir).sort_values("order")["dimension_id"].tolist()
    summary = summarise(long, order)
    frame = summary.consensus
    frame.attrs.update(source_file=", ".join(f.attrs["source_file"] for f in frames),
                       is_example=all(f.attrs["is_example"] for f in frames),
                       read="; ".join(f.attrs["read"] for f in frames), panel=assessors)
    return frame, summary


def _merged(frames):
    import pandas as pd

    out = pd.concat(frames, ignore_index=True)
    out.attrs = dict(frames[0].attrs)
    return out


def _row_numbers(path: Path, sheet, frame, index: list[int]) -> list[int]:
    """Spreadsheet row numbers of the frame rows *index* (unfilled rows were skipped before them)."""
    from .userdata import read_user_records

    records, _, _ = read_user_records(path, schema(), sheet)
    header = records[0]
    kept = [n for n, r in zip(range(2, len(records) + 1), records[1:])
            if not (len(r) == len(header) and _unfilled(dict(zip(header, r))))]
    return [kept[i] for i in index]


def write_template(path) -> Path:
    """A blank assessment form: one unfilled row per dimension id, the allowed importance values in
    each row's note, and one example row marked as such (CSV, or .xlsx with a help sheet)."""
    from .data import load_table

    dims = load_table("dimensions")
    levels = load_table("threat_levels")
    scale = "; ".join(f"{int(r.level)} = {r.label}" for r in levels.sort_values("level").itertuples()
                      if r.level is not None and str(r.level) != "<NA>")
    header = ["dimension_id", "challenge", "importance", "instrument", "note"]
    rows = [[d.dimension_id, "", "", "", f"{d.label}: one row per challenge (copy the row); importance {scale}"]
            for d in dims.sort_values("order").itertuples()]
    example = [dims.sort_values("order").iloc[0]["dimension_id"],
               "Dependence on a single foreign supplier of a critical component", "3",
               "Diversification of suppliers",
               f"{EXAMPLE_MARK}: replace this row with your own or delete it; it is not read as data"]
    ids = ",".join(dims["dimension_id"])
    help_rows = ([["dimension_id", "dimension (Figure 0.1 column)"]]
                 + [[d.dimension_id, d.label] for d in dims.sort_values("order").itertuples()]
                 + [[], ["importance", scale],
                    ["note", "free text; the row whose note starts with EXAMPLE must be replaced or deleted"]])
    return write_form(path, header, [example] + rows, sheet="assessment", integers={2},
                      validations=[({"type": "list", "formula1": f'"{ids}"'}, "A2:A500"),
                                   ({"type": "whole", "operator": "between", "formula1": "1", "formula2": "4"},
                                    "C2:C500")],
                      widths=(20, 60, 11, 40, 70), help_rows=help_rows)


def write_form(path, header: list[str], rows: list[list[str]], *, sheet: str, integers=frozenset(),
               validations=(), widths=(), help_rows=()) -> Path:
    """A blank form a user fills in, shared by the tools' ``--template``: CSV as the data package
    writes it, or (``.xlsx``) a workbook whose sheet *sheet* holds the form and sheet ``help`` the
    *help_rows*. In a workbook the columns *integers* (indexes) hold numbers, each
    ``(DataValidation keyword arguments, cell range)`` of *validations* restricts what a cell
    takes, and *widths* sets the columns' widths.

    *path* is created as a new file (FileExistsError if it exists; a link is not followed) and
    written in one go; if the write fails (a full disk), the half-written file is removed."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import io

        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        wb = Workbook()
        ws = wb.active
        ws.title = sheet
        ws.append(header)
        for r in rows:
            ws.append([int(c) if i in integers and c else c for i, c in enumerate(r)])
        for kwargs, cells in validations:
            dv = DataValidation(allow_blank=True, **kwargs)
            ws.add_data_validation(dv)
            dv.add(cells)
        for i, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        help_ = wb.create_sheet("help")
        for r in help_rows:
            help_.append(list(r))
        buffer = io.BytesIO()  # the workbook is made in memory: a failed write is one OSError, not a zip half-closed
        wb.save(buffer)
        content = buffer.getvalue()
    else:
        from .userdata import canonical_csv

        content = canonical_csv([header] + rows).encode("utf-8")
    _write_new_file(path, content)
    return path


def _write_new_file(path: Path, content: bytes) -> None:
    """Create *path* exclusively (never overwrite, never follow a link) and write *content*; on
    any failure the file this call created is removed."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def check_technology(technology_id, technology_label, data_dir=None) -> None:
    """ParameterError unless *technology_id* is a new id and *technology_label* is not empty."""
    if (not isinstance(technology_id, str) or not re.fullmatch(TECHNOLOGY_ID_PATTERN, technology_id)
            or len(technology_id) > MAX_TECHNOLOGY_ID):
        shown = technology_id if not isinstance(technology_id, str) or len(technology_id) <= 60 else \
            technology_id[:60] + f"... ({len(technology_id)} characters)"
        raise ParameterError(f"parameter technology_id={shown!r} is not allowed; allowed values: "
                             f"1 to {MAX_TECHNOLOGY_ID} lower-case letters, digits and '_' (pattern "
                             f"{TECHNOLOGY_ID_PATTERN}), e.g. 'quantum_computing'")
    from .data import load_table

    known = load_table("technologies", data_dir)["technology_id"].tolist()
    if technology_id in known:
        raise ParameterError(f"parameter technology_id={technology_id!r} is the id of a technology of the report "
                             f"(technologies.csv: {', '.join(known)}); allowed values: a new id, e.g. "
                             f"'{technology_id}_new'")
    check_label(technology_label)


def check_label(technology_label) -> None:
    """ParameterError unless *technology_label* is a name on one line, 1 to MAX_LABEL characters,
    without control characters (it is printed in titles, tables and on the terminal)."""
    from .userdata import control_characters

    if not isinstance(technology_label, str) or not technology_label.strip():
        raise ParameterError(f"parameter technology_label={technology_label!r} is not allowed; allowed values: "
                             "a non-empty name of the technology, e.g. 'Quantum computing'")
    bad = control_characters(technology_label)
    if bad or len(technology_label) > MAX_LABEL:
        shown = technology_label if len(technology_label) <= 60 else \
            technology_label[:60] + f"... ({len(technology_label)} characters)"
        why = f"it holds control characters ({', '.join(bad)})" if bad else \
            f"it has {len(technology_label)} characters"
        raise ParameterError(f"parameter technology_label={shown!r} is not allowed ({why}); allowed values: "
                             f"a name on one line, 1 to {MAX_LABEL} characters, without control characters, "
                             "e.g. 'Quantum computing'")


def check_form_name(path) -> None:
    """ParameterError if a form's file name holds control characters (it is printed on the terminal
    and written into every output's source line)."""
    from .userdata import control_characters

    bad = control_characters(Path(path).name)
    if bad:
        raise ParameterError(f"the form's file name {Path(path).name!r} holds control characters "
                             f"({', '.join(bad)}); allowed values: a file name without them: rename the file")


def run_assessment(csv_path, technology_id: str, technology_label: str, output_dir, data_dir=None,
                   formats: str = "png,svg", dpi: int = 150, *, name_lang: str = "en",
                   executed_notebook=None, sheet: str | None = None) -> list[Path]:
    """Execute ``notebooks/new_assessment.ipynb`` on the form *csv_path* (or a list of forms, a panel)
    and return the files it wrote.

    Everything is checked before the kernel starts: the parameters (ParameterError naming
    the parameter), the output folder (:func:`osa_utils.outdir.check`: missing, empty or made
    by this tool; it gets the tool's marker) and the form (:func:`load_assessment`:
    DataValidationError with ``file:row:column`` problems; CSV or .xlsx, *sheet*). The notebook
    reads the form with the same reader. A notebook error raises :class:`AssessmentError`.
    *executed_notebook*: where to keep the executed notebook (default: not kept).
    """
    from . import outdir

    ddir = Path(data_dir if data_dir is not None else DEFAULT_DATA_DIR).resolve()
    # --out first, with the build's output-folder words (not those of the notebook's figures_dir)
    try:
        out = outdir.check(output_dir, ddir, kind="assessment")
    except outdir.OutputError as exc:
        raise ParameterError(str(exc)) from None
    params = check_params(ddir, out, formats, dpi, name_lang, figures_name="--out")
    check_technology(technology_id, technology_label, ddir)
    forms = [csv_path] if isinstance(csv_path, (str, Path)) else list(csv_path)
    for f in forms:
        if not Path(f).is_file():
            raise ParameterError(f"parameter csv_path={str(f)!r} is not a file; allowed values: an assessment "
                                 "form (.csv or .xlsx; columns dimension_id, challenge, importance, instrument)")
        check_form_name(f)
    forms = [Path(f).resolve() for f in forms]
    csv = forms[0]
    try:
        load_forms(forms, ddir, sheet)  # a bad form stops here, before the kernel
    except PanelError as exc:
        raise ParameterError(str(exc)) from None
    parameters = {"assessment_csv": str(csv) if len(forms) == 1 else [str(f) for f in forms],
                  "assessment_sheet": sheet, "technology_id": technology_id,
                  "technology_label": technology_label, "output_dir": str(out), "data_dir": str(ddir),
                  "formats": ",".join(params.formats), "dpi": params.dpi, "name_lang": params.name_lang}
    return execute_tool(NOTEBOOK, parameters, csv, out, "assessment", executed_notebook)


def execute_tool(notebook: Path, parameters: dict, form: Path, out: Path, kind: str,
                 executed_notebook=None) -> list[Path]:
    """Run a tool's notebook (its form and *out* checked by the caller) and return the files it wrote.

    *out* gets the tool's marker (``kind``) first; the kernel's stderr goes to a log, not the
    terminal. A notebook error raises :class:`AssessmentError` naming the cell. An OSError (a
    full disk) removes the folder if this call created it (never one that existed) and is raised.
    """
    import shutil

    from . import outdir

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

    from .build import kernel_options, stderr_to
    from .importtime import skip_rfc3987_grammar

    skip_rfc3987_grammar()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    with tempfile.TemporaryDirectory(prefix=f"osa-{kind.replace('_', '-')}-") as tmp:
        executed = Path(executed_notebook) if executed_notebook else Path(tmp) / notebook.name
        try:
            with stderr_to(Path(tmp) / "kernel.log"), kernel_options() as options:
                papermill.execute_notebook(str(notebook), str(executed), parameters=parameters,
                                           cwd=str(notebook.parent), **options)
        except PapermillExecutionError as exc:
            raise _notebook_error(exc, form, executed, notebook, kind.replace("_", " ")) from None
        return _written(executed, out)


def _notebook_error(exc, csv: Path, executed: Path, notebook: Path = NOTEBOOK,
                    what: str = "assessment") -> AssessmentError:
    from .build import _source_cell_number

    cell = _source_cell_number(str(executed), exc.cell_index)
    text = strip_ansi(exc.evalue)
    lines = [l for l in text.splitlines() if l.strip()]
    shown = lines[:MAX_PROBLEM_LINES]
    more = f"\n... and {len(lines) - len(shown)} more line(s)" if len(lines) > len(shown) else ""
    message = (f"the {what} of {csv.name} stopped in cell {cell} of notebook {notebook.name} with "
               f"{exc.ename}:\n" + "\n".join(shown) + more)
    return AssessmentError(message, exc.ename, lines, cell)


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
