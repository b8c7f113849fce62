"""Each kind of bad input gets its own located message, from Python and from the CLI."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from osa_utils.cli import main
from osa_utils.data import DataValidationError, Problem, check, load_table, validate


def _rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _set(path, row, column, value):
    """Set a cell; *row* counted as in a spreadsheet (header = 1)."""
    rows = _rows(path)
    rows[row - 1][rows[0].index(column)] = value
    _write(path, rows)


def _only(problems, **want) -> Problem:
    hits = [p for p in problems if all(getattr(p, k) == v for k, v in want.items())]
    assert len(hits) == 1, f"expected one problem matching {want}, got:\n" + "\n".join(map(str, problems))
    return hits[0]


def test_real_data_is_valid(data_dir):
    assert check(data_dir) == []
    assert main(["validate", "--data-dir", str(data_dir)]) == 0


def test_missing_file(data_copy):
    (data_copy / "actors.csv").unlink()
    p = _only(check(data_copy), file="actors.csv")
    assert p.problem == "file is missing" and p.row is None


def test_missing_column(data_copy):
    rows = [r[:3] + r[4:] for r in _rows(data_copy / "actors.csv")]  # drop actor_id
    _write(data_copy / "actors.csv", rows)
    p = _only(check(data_copy), file="actors.csv", column="actor_id")
    assert p.problem == "missing column" and p.row == 1


def test_extra_column(data_copy):
    rows = _rows(data_copy / "threat_levels.csv")
    _write(data_copy / "threat_levels.csv", [r + (["colour"] if i == 0 else ["red"]) for i, r in enumerate(rows)])
    p = _only(check(data_copy), file="threat_levels.csv", column="colour")
    assert p.problem == "extra column"


def test_renamed_column(data_copy):
    rows = _rows(data_copy / "risk_challenges.csv")
    rows[0][rows[0].index("importance")] = "importnace"
    _write(data_copy / "risk_challenges.csv", rows)
    p = _only(check(data_copy), file="risk_challenges.csv", row=1)
    assert p.problem.startswith("unknown column") and p.found == "'importnace'" and p.expected == "'importance'"


def test_wrong_type(data_copy):
    _set(data_copy / "risk_challenges.csv", 4, "importance", "three")
    p = _only(check(data_copy), file="risk_challenges.csv", row=4, column="importance")
    assert p.problem == "wrong type" and p.found == "'three'" and p.expected == "integer"


@pytest.mark.parametrize("value", ["0", "5"])
def test_importance_out_of_range(data_copy, value):
    _set(data_copy / "risk_challenges.csv", 2, "importance", value)
    p = _only(check(data_copy), file="risk_challenges.csv", row=2, column="importance")
    assert p.problem == "value out of range" and p.expected == "1 to 4"


def test_unknown_technology_id(data_copy):
    # actors.technology_id has no enum: only the foreign key can catch this.
    _set(data_copy / "actors.csv", 5, "technology_id", "quantum")
    p = _only(check(data_copy), file="actors.csv", row=5)
    assert p.problem == "unknown reference" and "quantum" in p.found and "technologies.csv" in p.expected


def test_unknown_dimension_id(data_copy):
    _set(data_copy / "dimension_summary.csv", 3, "dimension_id", "prosperity")
    problems = check(data_copy)
    p = _only(problems, file="dimension_summary.csv", row=3)
    assert "prosperity" in p.found


def test_duplicate_key(data_copy):
    rows = _rows(data_copy / "actors.csv")
    rows.append(rows[3])
    _write(data_copy / "actors.csv", rows)
    p = _only(check(data_copy), file="actors.csv", row=len(rows))
    assert p.problem == "duplicate key" and p.column == "figure,row"


def test_empty_required_cell(data_copy):
    _set(data_copy / "risk_instruments.csv", 6, "instrument", "")
    p = _only(check(data_copy), file="risk_instruments.csv", row=6, column="instrument")
    assert p.problem == "empty required cell"


def test_non_utf8_bytes(data_copy):
    path = data_copy / "technologies.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    p = _only(check(data_copy), file="technologies.csv")
    # 'Rühlig' (latin-1 'ü') is in the authors of 6G, the second data row
    assert p.problem == "bytes that are not UTF-8" and (p.row, p.column) == (3, "authors")


def test_utf8_bom(data_copy):
    path = data_copy / "dimensions.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    p = _only(check(data_copy), file="dimensions.csv")
    assert p.problem.startswith("file starts with a UTF-8 byte-order mark") and p.row == 1


def test_crlf_line_ends(data_copy):
    path = data_copy / "chapters.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    p = _only(check(data_copy), file="chapters.csv")
    assert "line ends" in p.problem


def test_ragged_row(data_copy):
    path = data_copy / "threat_levels.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "5,extreme\n", encoding="utf-8")
    p = _only(check(data_copy), file="threat_levels.csv", row=text.count("\n") + 1)  # the appended row
    assert p.problem == "ragged row" and p.found == "2 cells"


def test_empty_file(data_copy):
    (data_copy / "errata.csv").write_bytes(b"")
    p = _only(check(data_copy), file="errata.csv")
    assert p.problem == "file is empty"


def test_all_problems_are_reported_not_only_the_first(data_copy):
    _set(data_copy / "risk_challenges.csv", 2, "importance", "9")
    _set(data_copy / "actors.csv", 3, "technology_id", "nowhere")
    (data_copy / "method_steps.csv").write_bytes(b"")
    files = {p.file for p in check(data_copy)}
    assert {"risk_challenges.csv", "actors.csv", "method_steps.csv"} <= files


def test_python_api_raises_with_structured_problems(data_copy):
    _set(data_copy / "risk_challenges.csv", 2, "importance", "9")
    with pytest.raises(DataValidationError) as info:
        validate(data_copy)
    assert info.value.problems[0].as_dict()["column"] == "importance"
    with pytest.raises(DataValidationError):
        load_table("risk_challenges", data_copy)  # no silently wrong table


def test_cli_prints_every_problem_and_exits_1(data_copy):
    _set(data_copy / "risk_challenges.csv", 2, "importance", "9")
    _set(data_copy / "risk_instruments.csv", 6, "instrument", "")
    out = subprocess.run(
        [sys.executable, "-m", "osa_utils.cli", "validate", "--data-dir", str(data_copy)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "risk_challenges.csv:2:importance: value out of range (found '9', expected 1 to 4)" in out.stderr
    assert "risk_instruments.csv:6:instrument: empty required cell" in out.stderr


def test_load_table_types(data_dir):
    rc = load_table("risk_challenges", data_dir)
    assert str(rc["importance"].dtype) == "Int64"
    assert str(rc["score_shared"].dtype) == "boolean"
    refs = load_table("references", data_dir)
    assert str(refs["footnote"].dtype) == "Int64"
    assert refs["accessed"].dtype.kind == "M"


def test_unknown_table_name_is_a_clear_error(data_dir):
    with pytest.raises(KeyError, match="known tables"):
        load_table("actorz", data_dir)
