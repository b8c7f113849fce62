"""The report's four-step method applied to a technology it does not cover.

    from osa_utils.assess import load_assessment
    from osa_utils.tools import run_assessment
    df = load_assessment("my_tech.csv")                       # validated, typed, items numbered
    files = run_assessment("my_tech.csv", "quantum", "Quantum computing", "out/quantum")   # osa_utils.tools

Step 2 of the method (the challenges to the four dimensions, each with an
importance of 1 to 4) is a CSV with the columns of
``osa_utils/schemas/assessment.schema.json``; steps 1 and 3 (ecosystem analysis,
geopolitical context) are the user's own analysis; step 4 (the toolkit) is
drawn from Figure 0.3.  Nothing produced here is a finding of the report.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from . import PROJECT_ROOT, errors
from .forms import EXAMPLES_DIR as EXAMPLES_DIR  # re-exported: where the shipped examples are
from .forms import UserForm
from .params import ParameterError
from .text import control_characters, shorten

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The assessment form: step 2 of the method, one row per challenge.
FORM = UserForm("assessment", "assessment.schema.json", "assessment*.csv")
SCHEMA_PATH = FORM.schema_path
NOTEBOOK = PROJECT_ROOT / "notebooks" / "new_assessment.ipynb"
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


#: The Table Schema of an assessment CSV.
schema = FORM.schema
#: True for a form shipped in data/examples/: by location, or the same table saved another way
#: (:meth:`osa_utils.forms.UserForm.is_example`).
is_example = FORM.is_example


#: The note that marks the blank form's example row.
EXAMPLE_MARK = "EXAMPLE"
#: The columns a user fills in; a row with all of them empty is an unfilled row of the blank form.
FILLED = ("challenge", "importance", "instrument")


def _unfilled(row: dict) -> bool:
    return all(not (row.get(c) or "").strip() for c in FILLED)


def load_assessment(csv_path, data_dir=None, sheet: str | None = None) -> pd.DataFrame:
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
    from .text import clean_text
    from .userdata import relocate

    path = Path(csv_path)
    frame = FORM.read(path, data_dir, sheet, skip=_unfilled)  # in the read log: a build reruns on a change
    examples = frame.index[frame["note"].fillna("").str.strip().str.startswith(EXAMPLE_MARK)].tolist()
    if examples:
        rows = _row_numbers(path, sheet, frame, examples)
        raise data.DataValidationError(
            [
                relocate(
                    data.Problem(
                        path.name,
                        r,
                        "note",
                        "the blank form's example row is still in the form",
                        "a note starting with 'EXAMPLE'",
                        "your own challenge in this row, or the row deleted",
                    ),
                    frame.attrs,
                )
                for r in rows
            ]
        )
    assessor = frame["assessor"].astype("string").map(lambda v: v if v is pd.NA else clean_text(v).strip())
    if assessor.notna().any() and assessor.isna().any() | (assessor == "").any():
        empty = frame.index[assessor.isna() | (assessor == "")].tolist()
        raise data.DataValidationError(
            [
                relocate(
                    data.Problem(
                        path.name,
                        r,
                        "assessor",
                        "empty assessor cell in a form with an assessor column",
                        "an empty cell"
                        if frame.loc[i, "assessor"] is pd.NA
                        else repr(frame.loc[i, "assessor"]) + " (blank once spaces and zero-width characters "
                        "are removed)",
                        "the name of who scored the row (every row of a panel table names its assessor)",
                    ),
                    frame.attrs,
                )
                for i, r in zip(empty, _row_numbers(path, sheet, frame, empty))
            ]
        )
    if len(frame) > MAX_CHALLENGES:
        rows = _row_numbers(path, sheet, frame, [MAX_CHALLENGES])
        raise data.DataValidationError(
            [
                relocate(
                    data.Problem(
                        path.name,
                        rows[0],
                        None,
                        "more challenges than an assessment form may have",
                        f"{len(frame)} challenges",
                        f"at most {MAX_CHALLENGES} (one bar each in the profile chart)",
                    ),
                    frame.attrs,
                )
            ]
        )
    frame["item"] = pd.array(frame.groupby("dimension_id", sort=False).cumcount() + 1, dtype="Int64")
    return FORM.mark(frame, path)


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
    from .text import clean_text

    frames = [load_assessment(p, data_dir, sheet) for p in paths]
    names = [clean_text(Path(p).stem).strip() for p in paths]
    if len(set(names)) != len(names):
        raise ParameterError(
            "two forms have the same file name (" + ", ".join(names) + "); each form is one "
            "assessor, named by its file name: rename them"
        )
    long = combine(list(zip(names, frames)))
    assessors = list(dict.fromkeys(long["assessor"]))
    if len(assessors) < 2:
        return frames[0] if len(frames) == 1 else _merged(frames), None
    order = load_table("dimensions", data_dir).sort_values("order")["dimension_id"].tolist()
    summary = summarise(long, order)
    frame = summary.consensus
    frame.attrs.update(
        source_file=", ".join(f.attrs["source_file"] for f in frames),
        is_example=all(f.attrs["is_example"] for f in frames),
        read="; ".join(f.attrs["read"] for f in frames),
        panel=assessors,
    )
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
    kept = [
        n
        for n, r in zip(range(2, len(records) + 1), records[1:])
        if not (len(r) == len(header) and _unfilled(dict(zip(header, r))))
    ]
    return [kept[i] for i in index]


def write_template(path) -> Path:
    """A blank assessment form: one unfilled row per dimension id, the allowed importance values in
    each row's note, and one example row marked as such (CSV, or .xlsx with a help sheet)."""
    from .data import load_table

    dims = load_table("dimensions")
    levels = load_table("threat_levels")
    scale = "; ".join(
        f"{int(r.level)} = {r.label}"
        for r in levels.sort_values("level").itertuples()
        if r.level is not None and str(r.level) != "<NA>"
    )
    header = ["dimension_id", "challenge", "importance", "instrument", "note"]
    rows = [
        [d.dimension_id, "", "", "", f"{d.label}: one row per challenge (copy the row); importance {scale}"]
        for d in dims.sort_values("order").itertuples()
    ]
    example = [
        dims.sort_values("order").iloc[0]["dimension_id"],
        "Dependence on a single foreign supplier of a critical component",
        "3",
        "Diversification of suppliers",
        f"{EXAMPLE_MARK}: replace this row with your own or delete it; it is not read as data",
    ]
    ids = ",".join(dims["dimension_id"])
    help_rows = (
        [["dimension_id", "dimension (Figure 0.1 column)"]]
        + [[d.dimension_id, d.label] for d in dims.sort_values("order").itertuples()]
        + [
            [],
            ["importance", scale],
            ["note", "free text; the row whose note starts with EXAMPLE must be replaced or deleted"],
        ]
    )
    return write_form(
        path,
        header,
        [example] + rows,
        sheet="assessment",
        integers={2},
        validations=[
            ({"type": "list", "formula1": f'"{ids}"'}, "A2:A500"),
            ({"type": "whole", "operator": "between", "formula1": "1", "formula2": "4"}, "C2:C500"),
        ],
        widths=(20, 60, 11, 40, 70),
        help_rows=help_rows,
    )


def write_form(
    path,
    header: list[str],
    rows: list[list[str]],
    *,
    sheet: str,
    integers=frozenset(),
    validations=(),
    widths=(),
    help_rows=(),
) -> Path:
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


def is_technology_id(value) -> bool:
    """True for a well-formed technology id: 1 to MAX_TECHNOLOGY_ID characters of TECHNOLOGY_ID_PATTERN."""
    return (
        isinstance(value, str) and bool(re.fullmatch(TECHNOLOGY_ID_PATTERN, value)) and len(value) <= MAX_TECHNOLOGY_ID
    )


def check_technology(technology_id, technology_label, data_dir=None) -> None:
    """ParameterError unless *technology_id* is a new id and *technology_label* is not empty."""
    if not is_technology_id(technology_id):
        raise ParameterError(
            f"parameter technology_id={shorten(technology_id)!r} is not allowed; allowed values: "
            f"1 to {MAX_TECHNOLOGY_ID} lower-case letters, digits and '_' (pattern "
            f"{TECHNOLOGY_ID_PATTERN}), e.g. 'quantum_computing'"
        )
    from .data import load_table

    known = load_table("technologies", data_dir)["technology_id"].tolist()
    if technology_id in known:
        raise ParameterError(
            f"parameter technology_id={technology_id!r} is the id of a technology of the report "
            f"(technologies.csv: {', '.join(known)}); allowed values: a new id, e.g. "
            f"'{technology_id}_new'"
        )
    check_label(technology_label)


def check_label(technology_label) -> None:
    """ParameterError unless *technology_label* is a name on one line, 1 to MAX_LABEL characters,
    without control characters (it is printed in titles, tables and on the terminal)."""
    if not isinstance(technology_label, str) or not technology_label.strip():
        raise ParameterError(
            f"parameter technology_label={technology_label!r} is not allowed; allowed values: "
            "a non-empty name of the technology, e.g. 'Quantum computing'"
        )
    bad = control_characters(technology_label)
    if bad or len(technology_label) > MAX_LABEL:
        shown = shorten(technology_label)
        why = f"it holds control characters ({', '.join(bad)})" if bad else f"it has {len(technology_label)} characters"
        raise ParameterError(
            f"parameter technology_label={shown!r} is not allowed ({why}); allowed values: "
            f"a name on one line, 1 to {MAX_LABEL} characters, without control characters, "
            "e.g. 'Quantum computing'"
        )


def check_form_name(path) -> None:
    """ParameterError if a form's file name holds control characters (it is printed on the terminal
    and written into every output's source line)."""
    bad = control_characters(Path(path).name)
    if bad:
        raise ParameterError(
            f"the form's file name {Path(path).name!r} holds control characters "
            f"({', '.join(bad)}); allowed values: a file name without them: rename the file"
        )
