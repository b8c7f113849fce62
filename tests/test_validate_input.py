"""The validator against broken and hostile input (issue 9, part E and findings 4–7, 12):
a located problem and exit 1, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from osa_utils.cli import main
from osa_utils.data import check, read_descriptor

CLI = [sys.executable, "-m", "osa_utils.cli"]


def _cli(*args, timeout=120):
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, timeout=timeout)


def _lines(path):
    return path.read_text(encoding="utf-8").split("\n")


def _problem(problems, **want):
    hits = [p for p in problems if all(getattr(p, k) == v for k, v in want.items())]
    assert hits, f"no problem matching {want} in:\n" + "\n".join(map(str, problems))
    return hits[0]


# --------------------------------------------------------------------------- quotes (finding 4)
def test_quote_left_open_swallowing_the_rest_of_the_table(data_copy):
    """Finding 4: sed -i '2s/$/"oops/' threat_levels.csv used to validate with 1 of 4 rows."""
    path = data_copy / "threat_levels.csv"
    lines = _lines(path)
    lines[1] += '"oops'
    path.write_text("\n".join(lines), encoding="utf-8")
    problems = check(data_copy)
    assert problems, "an unclosed quote must not validate"
    p = _problem(problems, file="threat_levels.csv")
    assert "quote" in p.problem and p.row == 2
    proc = _cli("validate", "--data-dir", data_copy)
    assert proc.returncode == 1 and "threat_levels.csv:2" in proc.stderr and "Traceback" not in proc.stderr


def test_quote_opened_in_a_cell_and_never_closed(data_copy):
    path = data_copy / "technologies.csv"
    text = path.read_text(encoding="utf-8").rstrip("\n")
    n = text.count("\n") + 1  # lines = records here (no quoted line breaks in this table)
    path.write_text(text + '\nextra,"never closed\n', encoding="utf-8")
    p = _problem(check(data_copy), file="technologies.csv", problem="quote opened and never closed")
    assert p.row == n + 1 and f"line {n + 1}" in p.found


def test_quote_opened_in_a_cell_closes_in_another(data_copy):
    """A quote opened in one cell and closed by a quote of a later cell: the opened cell is named."""
    path = data_copy / "technologies.csv"
    lines = _lines(path)
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[1] = '"' + cells[1]
    lines[3] = ",".join(cells) + ',"x"y'
    path.write_text("\n".join(lines), encoding="utf-8")
    p = _problem(check(data_copy), file="technologies.csv")
    assert "quote" in p.problem and p.row == 4 and p.column == header[1]


def test_stray_quote_after_a_closed_quoted_cell(data_copy):
    path = data_copy / "dimensions.csv"
    lines = _lines(path)
    cells = lines[2].split(",")
    cells[1] = f'"{cells[1]}"x'
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    p = _problem(check(data_copy), file="dimensions.csv", problem="stray character after a closing quote")
    assert p.row == 3 and p.column == "order"


def test_multiline_quoted_cells_stay_legal_and_rows_count_records(data_copy):
    """A quoted cell spanning lines is one record: problems later in the file name the spreadsheet
    row (records), not the line."""
    path = data_copy / "errata.csv"
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[1][rows[0].index("evidence")] = "first line\nsecond line\nthird line"
    rows[3][rows[0].index("confidence")] = "maybe"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    problems = check(data_copy)
    assert [(p.file, p.row, p.column) for p in problems] == [("errata.csv", 4, "confidence")]


def test_ragged_record(data_copy):
    path = data_copy / "dimensions.csv"
    lines = _lines(path)
    lines[2] += ",extra"
    path.write_text("\n".join(lines), encoding="utf-8")
    p = _problem(check(data_copy), file="dimensions.csv", row=3)
    assert p.problem == "ragged row"


# --------------------------------------------------------------------------- short tables (finding 5)
def test_every_table_refuses_to_be_header_only(data_copy, descriptor):
    """Finding 5: a header-only file used to pass for 11 of 14 tables."""
    for res in descriptor["resources"]:
        path = data_copy / res["path"]
        original = path.read_bytes()
        path.write_text(_lines(path)[0] + "\n", encoding="utf-8")
        p = _problem(check(data_copy, [res["name"]]), file=res["path"], row=2)
        assert p.problem == "table has a header and no rows", res["name"]
        path.write_bytes(original)


def test_truncated_table_is_shorter_than_its_minimum(data_copy, descriptor):
    path = data_copy / "references.csv"
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))[:101]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    p = _problem(check(data_copy), file="references.csv", problem="table is shorter than it may be")
    assert p.found == "100 rows" and "270" in p.expected


def test_every_resource_states_its_minimum(descriptor, package):
    for res in descriptor["resources"]:
        assert isinstance(res.get("osa:minRows"), int) and res["osa:minRows"] >= 1, res["name"]
        assert len(package[res["name"]]) >= res["osa:minRows"]


def test_required_cell_of_only_whitespace(data_copy):
    path = data_copy / "dimensions.csv"
    lines = _lines(path)
    cells = lines[1].split(",")
    cells[2] = "   "
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    p = _problem(check(data_copy), file="dimensions.csv", row=2, column="label")
    assert p.problem == "required cell holds only whitespace"


# --------------------------------------------------------------------------- URLs
@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "JavaScript:void(0)"],
)
def test_url_with_a_foreign_scheme(data_copy, url):
    import csv
    import io

    path = data_copy / "references.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[5][rows[0].index("url")] = url
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    p = _problem(check(data_copy), file="references.csv", row=6, column="url")
    assert p.problem == "URL with a scheme other than http(s)"


def test_bare_domain_as_printed_stays_valid(package):
    urls = package["references"]["url"].dropna()
    assert any(not u.startswith("http") for u in urls), "footnote 1 prints a bare domain"


# --------------------------------------------------------------------------- resource paths (finding 6)
@pytest.mark.parametrize("path", ["/etc/passwd", "../../etc/passwd", "sub/../../x.csv", "C:\\data\\x.csv"])
def test_resource_path_outside_the_data_folder_is_not_opened(data_copy, path):
    d = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    d["resources"][3]["path"] = path
    (data_copy / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    p = _problem(check(data_copy), file="datapackage.json", column="resources[3].path")
    assert "not opened" in p.problem
    proc = _cli("validate", "--data-dir", data_copy)
    assert proc.returncode == 1 and "root:" not in proc.stderr and "Traceback" not in proc.stderr


def test_symlink_out_of_the_data_folder_is_not_followed(data_copy, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("SECRET-FIRST-LINE\n", encoding="utf-8")
    (data_copy / "threat_levels.csv").unlink()
    os.symlink(secret, data_copy / "threat_levels.csv")
    problems = check(data_copy)
    p = _problem(problems, file="datapackage.json")
    assert "resolves outside" in p.problem
    assert not any("SECRET" in str(q) for q in problems)


# --------------------------------------------------------------------------- the descriptor (finding 7)
def _descriptor_cases():
    def res(i, **kw):
        def edit(d):
            d["resources"][i].update(kw)
            return d

        return edit

    def drop(i, key):
        def edit(d):
            del d["resources"][i][key]
            return d

        return edit

    def field_type(d):
        d["resources"][0]["schema"]["fields"][0]["type"] = "integr"
        return d

    def fk_missing(d):
        d["resources"][1]["schema"].setdefault("foreignKeys", []).append(
            {"fields": "technology_id", "reference": {"resource": "nowhere", "fields": "id"}}
        )
        return d

    return {
        "list": lambda d: [],
        "string": lambda d: "hello",
        "no resources": lambda d: {k: v for k, v in d.items() if k != "resources"},
        "empty resources": lambda d: {**d, "resources": []},
        "resource not an object": lambda d: {**d, "resources": [1] + d["resources"][1:]},
        "no path": drop(2, "path"),
        "no name": drop(2, "name"),
        "no schema": drop(2, "schema"),
        "type integr": field_type,
        "fk to missing resource": fk_missing,
        "bad minRows": res(0, **{"osa:minRows": "many"}),
    }


@pytest.mark.parametrize("case", list(_descriptor_cases()))
def test_malformed_descriptor_is_a_located_problem(data_copy, case):
    d = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    (data_copy / "datapackage.json").write_text(json.dumps(_descriptor_cases()[case](d)), encoding="utf-8")
    problems = check(data_copy)
    assert problems and all(p.file == "datapackage.json" for p in problems), problems
    assert main(["validate", "--data-dir", str(data_copy)]) == 1


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["build", "--out", "{tmp}/r"],
        ["cite"],
        ["assess", "data/examples/assessment_quantum.csv", "--id", "q", "--label", "Q", "--out", "{tmp}/a"],
    ],
)
def test_malformed_descriptor_in_every_command(data_copy, tmp_path, command):
    """Finding 7: validate, build, cite and assess answer a broken descriptor with exit 1 and a
    located message, not a traceback."""
    d = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    d["resources"][0]["schema"]["fields"][0]["type"] = "integr"
    (data_copy / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in command] + ["--data-dir", str(data_copy)]
    proc = _cli(*args)
    assert proc.returncode == 1, proc.stderr
    assert "datapackage.json::resources[0].schema.fields[0].type: unknown field type" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_descriptor_of_the_collection_is_clean(data_dir):
    assert isinstance(read_descriptor(data_dir), dict)


# --------------------------------------------------------------------------- many problems (finding 12)
def test_more_problems_than_listed_are_counted(data_copy):
    """Finding 12: past 1000 problems the CLI says how many it did not list."""
    path = data_copy / "references.csv"
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    body = [r[:] for r in rows[1:]]
    extra = []
    for k in range(5):  # 5 × 270 rows with a bad footnote number
        for r in body:
            r2 = r[:]
            r2[0] = f"x{k}"
            extra.append(r2)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows + extra)
    path.write_text(buf.getvalue(), encoding="utf-8")
    proc = _cli("validate", "--data-dir", data_copy)
    assert proc.returncode == 1
    total = len(check(data_copy))
    assert total > 1000
    assert f"... and {total - 1000} more problem(s) not listed (first 1000 shown)" in proc.stderr
    assert f"{total} problem(s) found" in proc.stderr


# --------------------------------------------------------------------------- found by an attack run
@pytest.mark.parametrize("edit", ["pattern", "fields null", "schema string", "constraints list"])
def test_descriptor_oddities_are_problems_not_tracebacks(data_copy, edit):
    d = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    res = d["resources"][2]
    if edit == "pattern":
        res["schema"]["fields"][0]["constraints"] = {"pattern": "([unclosed"}
    elif edit == "fields null":
        res["schema"]["fields"] = None
    elif edit == "schema string":
        res["schema"] = "x"
    else:
        res["schema"]["fields"][0]["constraints"] = ["required"]
    (data_copy / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    problems = check(data_copy)
    assert problems and all(p.file == "datapackage.json" for p in problems)
    proc = _cli("validate", "--data-dir", data_copy)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_deeply_nested_descriptor(data_copy):
    (data_copy / "datapackage.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    proc = _cli("validate", "--data-dir", data_copy)
    assert proc.returncode == 1 and "nested too deeply" in proc.stderr and "Traceback" not in proc.stderr


def test_nul_bytes_are_a_problem(data_copy):
    path = data_copy / "dimensions.csv"
    path.write_bytes(path.read_bytes().replace(b"Resilience", b"Resil\x00ience", 1))
    p = _problem(check(data_copy), file="dimensions.csv")
    assert p.problem == "NUL byte in the file" and p.row == 2


def test_control_characters_never_reach_the_terminal(data_copy):
    path = data_copy / "dimensions.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("dimension_id", "dimension_id\x1b]0;PWNED\x07\x1b[2J", 1), encoding="utf-8")
    proc = _cli("validate", "--data-dir", data_copy)
    assert proc.returncode == 1 and "\x1b" not in proc.stderr and "\\x1b]0;PWNED" in proc.stderr
