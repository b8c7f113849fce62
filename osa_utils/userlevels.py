"""A user's own reading of the Figure 0.1 levels the text does not state (notebook parameter
``matrix_user_levels``).

    from osa_utils.userlevels import load_user_levels, apply_user_levels
    levels = load_user_levels("my_reading.csv")              # checked, file:row:column messages
    m = apply_user_levels(derived_matrix, levels)              # the user's dots marked user_level=True

The file has one row per printed dot (``technology_id``, ``dimension_id``, ``level`` 1–4, optional
``note``; ``osa_utils/schemas/matrix_user_levels.schema.json``), read by the one reader of user
tables (:func:`osa_utils.userdata.load_user_table`: CSV with ``,`` or ``;``, BOM, CRLF, or
``.xlsx``). On top of the schema:

* only cells whose levels the text does not give are accepted: those the derived matrix
  (:func:`osa_utils.model.derive_matrix`) marks ``level_known = False`` (today the e-CNY and AI
  ethics rows, which have no risk table). A row for a technology with a risk table is refused:
  its derived levels are never overwritten;
* a cell given at all gets exactly as many levels as Figure 0.1 prints dots there, all different
  (the report prints one dot per distinct degree of threat);
* cells not given stay "level not stated in the text".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .forms import EXAMPLES_DIR as EXAMPLES_DIR  # re-exported: where the shipped example is
from .forms import UserForm

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

EXAMPLE_GLOB = "matrix_user_levels*.csv"
#: The form: read by the build as a parameter's file (in the cache key), so not in the read log.
FORM = UserForm("matrix_user_levels", "matrix_user_levels.schema.json", EXAMPLE_GLOB, recorded=False)
SCHEMA_PATH = FORM.schema_path
#: The legend entry of the user's dots (the words the issue asks for).
USER_LABEL = "reading supplied by the user, not in the report"
#: The Table Schema of a matrix_user_levels file.
schema = FORM.schema
#: True for the shipped example reading (data/examples/), by location or as the same table saved
#: another way (BOM, CRLF, ';', a workbook): outputs drawn from it say it is an illustration.
is_example = FORM.is_example


def load_user_levels(path, data_dir=None, sheet: str | None = None) -> pd.DataFrame:
    """The user's reading, checked: technology_id, dimension_id, level, note, row (spreadsheet row),
    or :class:`osa_utils.data.DataValidationError` listing every problem as ``file:row:column``.

    ``frame.attrs``: ``source_file`` (file name), ``is_example``, ``read`` (how it was read),
    ``canonical_csv``.
    """
    import pandas as pd

    from . import data as D
    from .model import derive_matrix
    from .userdata import relocate

    path = Path(path)
    frame = FORM.read(path, data_dir, sheet)
    frame["row"] = pd.array(range(2, len(frame) + 2), dtype="Int64")  # no rows skipped: row i is i + 2
    techs = D.load_table("technologies", data_dir)
    matrix = derive_matrix(D.load_table("threat_matrix_printed", data_dir), D.load_table("risk_challenges", data_dir))
    open_cells = matrix[~matrix["level_known"].astype(bool)]
    dots = open_cells.groupby(["technology_id", "dimension_id"]).size().to_dict()
    open_techs = list(
        dict.fromkeys(t for t in techs.sort_values("order")["technology_id"] if t in set(open_cells["technology_id"]))
    )
    figure_of = {r.technology_id: r.risk_table_figure for r in techs.itertuples()}
    name = path.name
    problems = []
    refused = set()
    for r in frame.itertuples():
        key = (r.technology_id, r.dimension_id)
        if key in dots:
            continue
        refused.add(r.Index)
        fig = figure_of.get(r.technology_id)
        why = (
            f"its levels are derived from its risk table (Figure {fig})"
            if fig is not None and str(fig) != "<NA>"
            else "its levels are derived from the text"
        )
        problems.append(
            D.Problem(
                name,
                int(r.row),
                "technology_id",
                f"technology {r.technology_id!r} has its levels in the report: {why}; a user's reading is "
                "accepted only where the text gives no level and is never drawn over the report's",
                repr(r.technology_id),
                "one of " + ", ".join(open_techs),
            )
        )
    rest = frame.drop(index=sorted(refused))
    for (t, d), cell in rest.groupby(["technology_id", "dimension_id"], sort=False):
        n = dots[(t, d)]
        rows = [int(v) for v in cell["row"]]
        if len(cell) != n:
            problems.append(
                D.Problem(
                    name,
                    rows[0],
                    "level",
                    f"cell {t}/{d} has {len(cell)} level(s) (rows {', '.join(map(str, rows))}) but Figure 0.1 prints "
                    f"{n} dot(s) there: give one row per printed dot",
                    f"{len(cell)} level(s)",
                    f"{n} dot(s)",
                )
            )
            continue
        seen: dict[int, int] = {}
        for lv, row in zip(cell["level"], rows):
            if int(lv) in seen:
                problems.append(
                    D.Problem(
                        name,
                        row,
                        "level",
                        f"cell {t}/{d} already has level {int(lv)} (row {seen[int(lv)]}): Figure 0.1 prints one dot "
                        "per distinct degree of threat",
                        str(int(lv)),
                        "a level different from the cell's other levels",
                    )
                )
            seen.setdefault(int(lv), row)
    if problems:
        problems = sorted((relocate(p, frame.attrs) for p in problems), key=lambda p: (p.row or 0, p.column or ""))
        raise D.DataValidationError(problems, path.parent)
    return FORM.mark(frame, path)


def apply_user_levels(matrix: pd.DataFrame, levels: pd.DataFrame) -> pd.DataFrame:
    """The derived matrix with the user's levels in the cells the user gave (highest first, as the
    derived cells), marked ``user_level = True``; every other dot as it was (``user_level = False``)."""
    import pandas as pd

    out = matrix.copy()
    out["user_level"] = False
    for (t, d), cell in levels.groupby(["technology_id", "dimension_id"], sort=False):
        at = out.index[(out["technology_id"] == t) & (out["dimension_id"] == d)]
        if bool(out.loc[at, "level_known"].astype(bool).any()):  # never over the report's levels
            raise ValueError(f"{t}/{d}: the report's levels are known; a user's reading is not drawn over them")
        lv = sorted((int(v) for v in cell["level"]), reverse=True)
        if len(lv) != len(at):
            raise ValueError(f"{t}/{d}: {len(lv)} user level(s) for {len(at)} printed dot(s)")
        out.loc[at, "level"] = pd.array(lv, dtype="Int64")
        out.loc[at, "user_level"] = True
    out["user_level"] = out["user_level"].astype(bool)
    return out
