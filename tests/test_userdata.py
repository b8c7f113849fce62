"""Tables users hand the tool, read as spreadsheets and Python write them (issue 10, part 3):
UTF-8 with or without BOM, LF or CRLF, ',' or ';', .xlsx; the same located messages."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from osa_utils import PROJECT_ROOT
from osa_utils.assess import load_assessment, write_template
from osa_utils.data import DataValidationError
from osa_utils.userdata import column_letter

EXAMPLE = PROJECT_ROOT / "data" / "examples" / "assessment_quantum.csv"
CLI = [sys.executable, "-m", "osa_utils.cli"]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _as_python_csv(rows, delimiter=",") -> bytes:
    """What Python's csv module writes by default: CRLF line ends."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    return buf.getvalue().encode("utf-8")


def _xlsx(path: Path, rows, sheet="Sheet1", numbers=True, extra_sheet=False):
    from openpyxl import Workbook

    wb = Workbook()
    if extra_sheet:
        wb.active.title = "notes"
        wb.active.append(["nothing here"])
        ws = wb.create_sheet(sheet)
    else:
        ws = wb.active
        ws.title = sheet
    for i, r in enumerate(rows):
        ws.append([float(c) if numbers and i and c.isdigit() else c for c in r])
    ws.append([])  # Excel keeps formatted empty rows at the end
    wb.save(path)
    return path


def variants(tmp_path: Path) -> dict[str, Path]:
    """The example assessment as each client saves it, all named quantum.* in folders of their own."""
    text = EXAMPLE.read_text(encoding="utf-8")
    rows = _rows(text)
    out = {}
    for name, data in {
        "lf": text.encode("utf-8"),
        "crlf": _as_python_csv(rows),
        "bom": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "excel_utf8_bom_crlf": b"\xef\xbb\xbf" + _as_python_csv(rows),
        "semicolon": _as_python_csv(rows, ";"),
        "semicolon_bom": b"\xef\xbb\xbf" + _as_python_csv(rows, ";"),
    }.items():
        d = tmp_path / name
        d.mkdir()
        (d / "quantum.csv").write_bytes(data)
        out[name] = d / "quantum.csv"
    d = tmp_path / "xlsx"
    d.mkdir()
    out["xlsx"] = _xlsx(d / "quantum.xlsx", rows)
    return out


def test_every_variant_reads_as_the_lf_csv(tmp_path):
    files = variants(tmp_path)
    base = load_assessment(files.pop("lf"))
    assert "comma-separated, UTF-8, LF line ends" in base.attrs["read"]
    for name, path in files.items():
        frame = load_assessment(path)
        assert frame.drop(columns=[]).equals(base), name
        assert frame.attrs["canonical_csv"] == base.attrs["canonical_csv"], name
    assert (
        "semicolon-separated, UTF-8 with a byte-order mark, Windows (CRLF) line ends"
        in load_assessment(files["semicolon_bom"]).attrs["read"]
    )
    assert "Excel workbook, sheet 'Sheet1'" in load_assessment(files["xlsx"]).attrs["read"]


def test_xlsx_sheet_by_name_and_a_missing_sheet(tmp_path):
    rows = _rows(EXAMPLE.read_text(encoding="utf-8"))
    path = _xlsx(tmp_path / "q.xlsx", rows, sheet="scores", extra_sheet=True)
    assert len(load_assessment(path, sheet="scores")) == len(rows) - 1
    with pytest.raises(DataValidationError) as info:
        load_assessment(path, sheet="nope")
    assert "q.xlsx: no such sheet (found 'nope', expected one of 'notes', 'scores')" in str(info.value)
    with pytest.raises(DataValidationError):  # the first sheet is not the form
        load_assessment(path)


def test_xlsx_problems_name_sheet_row_and_column_letter(tmp_path):
    rows = [
        ["dimension_id", "challenge", "importance", "instrument"],
        ["supply_chain", "x", "7", ""],
        ["nowhere", "y", "2", ""],
        ["competitiveness", "", "3", ""],
    ]
    path = _xlsx(tmp_path / "bad.xlsx", rows, sheet="Form")
    with pytest.raises(DataValidationError) as info:
        load_assessment(path)
    text = [str(p) for p in info.value.problems]
    assert "bad.xlsx[Form]:2:C (importance): value out of range (found '7', expected 1 to 4)" in text
    assert any(t.startswith("bad.xlsx[Form]:3:A (dimension_id): unknown reference") for t in text)
    assert any(t.startswith("bad.xlsx[Form]:4:B (challenge): empty required cell") for t in text)


def test_semicolon_csv_problems_are_located(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b'dimension_id;challenge;importance\r\nsupply_chain;x;7\r\nsupply_chain;"y;2\r\n')
    with pytest.raises(DataValidationError) as info:
        load_assessment(path)
    text = [str(p) for p in info.value.problems]
    # a broken quote makes the table unreadable past it: that is reported first and alone
    assert len(text) == 1 and text[0].startswith("bad.csv:3: quote opened and never closed")
    path.write_bytes(b'dimension_id;challenge;importance\r\nsupply_chain;x;7\r\nsupply_chain;"y";2\r\n')
    with pytest.raises(DataValidationError) as info:
        load_assessment(path)
    assert [str(p) for p in info.value.problems] == [
        "bad.csv:2:importance: value out of range (found '7', expected 1 to 4)"
    ]


def test_not_utf8_and_not_a_workbook(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("dimension_id,challenge,importance\nsupply_chain,café,2\n".encode("latin-1"))
    with pytest.raises(DataValidationError, match="latin.csv:2:challenge: bytes that are not UTF-8"):
        load_assessment(latin)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(DataValidationError, match="fake.xlsx: not a readable Excel workbook"):
        load_assessment(fake)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_template_round_trip(tmp_path, suffix):
    """The blank form lists every dimension id and the importance scale; its example row must be
    replaced; unfilled rows are skipped; a filled row is read."""
    form = write_template(tmp_path / f"form{suffix}")
    with pytest.raises(DataValidationError) as info:
        load_assessment(form)
    assert "the blank form's example row is still in the form" in str(info.value)
    assert (":2:note:" if suffix == ".csv" else "form.xlsx[assessment]:2:E (note)") in str(info.value)
    # fill in: drop the example row, give national_security a challenge
    if suffix == ".csv":
        rows = _rows(form.read_text(encoding="utf-8"))
        assert [r[0] for r in rows[2:]] == [
            "supply_chain",
            "national_security",
            "values_sustainability",
            "competitiveness",
        ]
        assert "1 = low degree of threat" in rows[2][4] and "4 = very high degree of threat" in rows[2][4]
        rows = [rows[0]] + rows[2:]
        rows[2][1:4] = ["Remote access to sensors", "3", ""]
        form.write_bytes(_as_python_csv(rows))
    else:
        from openpyxl import load_workbook

        wb = load_workbook(form)
        ws = wb["assessment"]
        assert [c.value for c in ws["A"]][2:] == [
            "supply_chain",
            "national_security",
            "values_sustainability",
            "competitiveness",
        ]
        ws.delete_rows(2)
        ws["B3"], ws["C3"] = "Remote access to sensors", 3
        wb.save(form)
    frame = load_assessment(form)
    assert frame[["dimension_id", "challenge"]].values.tolist() == [["national_security", "Remote access to sensors"]]
    assert frame.attrs["skipped"] == 3


def test_the_package_itself_stays_strict(data_copy):
    from osa_utils.data import check

    path = data_copy / "dimensions.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    problems = {p.problem for p in check(data_copy)}
    assert {"file starts with a UTF-8 byte-order mark", "Windows or old Mac line ends"} <= problems


def test_gitattributes_pins_data_to_lf():
    attrs = (PROJECT_ROOT / ".gitattributes").read_text(encoding="utf-8")
    assert "data/**/*.csv text eol=lf" in attrs and "tests/fixtures/** -text" in attrs


def test_column_letters():
    assert [column_letter(i) for i in (0, 2, 25, 26, 27, 701, 702)] == ["A", "C", "Z", "AA", "AB", "ZZ", "AAA"]


def test_assess_template_and_bad_form_from_the_command_line(tmp_path):
    """--template writes a form (never over an existing file); a bad form is refused before any kernel."""
    form = tmp_path / "form.csv"
    proc = subprocess.run(CLI + ["assess", "--template", str(form)], capture_output=True, text=True)
    assert proc.returncode == 0 and form.exists()
    again = subprocess.run(CLI + ["assess", "--template", str(form)], capture_output=True, text=True)
    assert again.returncode == 2 and "exists" in again.stderr
    proc = subprocess.run(
        CLI + ["assess", str(form), "--id", "x", "--label", "X", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "example row is still in the form" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "o").exists()


@pytest.mark.slow
def test_assess_gives_the_same_outputs_for_every_variant(tmp_path):
    """An assessment saved with CRLF, a BOM, ';' or as .xlsx gives the same outputs as the LF CSV
    (figures byte for byte where the file name is the same; tables for the workbook).

    End to end (a kernel each): the LF CSV, a European Excel's "CSV UTF-8" (';', BOM and CRLF at
    once) and the workbook; that each byte-level variant alone reads as the LF CSV (the notebook
    reads the form with that same reader) is test_every_variant_reads_as_the_lf_csv."""
    files = variants(tmp_path)
    outputs = {}
    for name in ("lf", "semicolon_bom", "xlsx"):
        out = tmp_path / f"out-{name}"
        proc = subprocess.run(
            CLI
            + [
                "assess",
                str(files[name]),
                "--id",
                "quantum_x",
                "--label",
                "Quantum",
                "--out",
                str(out),
                "--formats",
                "png",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert "running over TCP" not in proc.stderr and "Traceback" not in proc.stderr
        outputs[name] = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".png", ".csv")}
    assert outputs["semicolon_bom"] == outputs["lf"]

    # the workbook's tables differ only by the file name their source line names
    def tables(o):
        return {k: v.replace(b"quantum.xlsx", b"quantum.csv") for k, v in o.items() if k.endswith(".csv")}

    assert tables(outputs["xlsx"]) == tables(outputs["lf"]) and len(tables(outputs["lf"])) == 2
    assert b"Illustration" in outputs["xlsx"]["tab-assessment-quantum_x-risks.csv"]  # still the example


def test_columns_in_any_order(tmp_path):
    """A spreadsheet user need not keep the schema's column order; problems still name the column."""
    rows = _rows(EXAMPLE.read_text(encoding="utf-8"))
    order = [3, 2, 0, 1]  # instrument, importance, dimension_id, challenge
    shuffled = [[r[i] for i in order] for r in rows]
    path = tmp_path / "shuffled.csv"
    path.write_bytes(_as_python_csv(shuffled))
    assert load_assessment(path).equals(load_assessment(EXAMPLE))
    shuffled[2][1] = "9"
    path.write_bytes(_as_python_csv(shuffled))
    with pytest.raises(DataValidationError, match="shuffled.csv:3:importance: value out of range"):
        load_assessment(path)
    xlsx = _xlsx(tmp_path / "shuffled.xlsx", shuffled)
    with pytest.raises(DataValidationError, match=r"shuffled.xlsx\[Sheet1\]:3:B \(importance\)"):
        load_assessment(xlsx)


# --------------------------------------------------------------------------- one protocol for the three forms
@pytest.mark.parametrize(
    "module, example",
    [
        ("assess", "assessment_quantum.csv"),
        ("appcheck", "app_check_example.csv"),
        ("userlevels", "matrix_user_levels_example.csv"),
    ],
)
def test_the_three_forms_share_one_protocol(tmp_path, module, example):
    """The assessment form, the app-check form and the user-levels file are one UserForm each;
    the module-level schema() and is_example() are that form's."""
    import importlib
    import json

    from osa_utils.forms import EXAMPLES_DIR, UserForm

    mod = importlib.import_module(f"osa_utils.{module}")
    assert isinstance(mod.FORM, UserForm)
    assert mod.schema() == json.loads(mod.SCHEMA_PATH.read_text(encoding="utf-8")) == mod.FORM.schema()
    shipped = EXAMPLES_DIR / example
    assert shipped in mod.FORM.examples()
    assert mod.is_example(shipped)
    copy = tmp_path / example
    copy.write_bytes(shipped.read_bytes())
    assert mod.is_example(copy)  # a byte-identical copy
    copy.write_bytes(shipped.read_bytes() + b"\n")
    assert not mod.is_example(copy)
    assert not mod.is_example(tmp_path / "missing.csv")


def test_a_form_is_marked_as_the_example_when_it_is_one(tmp_path):
    """Re-saved another way (CRLF): still the assessment example (the tables as read are compared);
    the app-check form counts only a byte-identical copy."""
    from osa_utils.appcheck import FORM as APP_CHECK
    from osa_utils.assess import FORM as ASSESSMENT

    crlf = tmp_path / "quantum.csv"
    crlf.write_bytes(EXAMPLE.read_bytes().replace(b"\n", b"\r\n"))
    frame = ASSESSMENT.mark(ASSESSMENT.read(crlf), crlf)
    assert frame.attrs["source_file"] == "quantum.csv" and frame.attrs["is_example"] is True
    app = PROJECT_ROOT / "data" / "examples" / "app_check_example.csv"
    crlf_app = tmp_path / "app.csv"
    crlf_app.write_bytes(app.read_bytes().replace(b"\n", b"\r\n"))
    frame = APP_CHECK.mark(APP_CHECK.read(crlf_app), crlf_app)
    assert frame.attrs["is_example"] is False


def test_not_a_file_says_what_a_path_is(tmp_path):
    import os

    from osa_utils.userdata import FOLDER, MISSING, NOT_REGULAR, check_form_path, not_a_file

    assert not_a_file(EXAMPLE) is None and check_form_path(EXAMPLE) is None
    assert not_a_file(tmp_path) == FOLDER
    assert not_a_file(tmp_path / "nothing.csv") == MISSING
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.csv")
        assert not_a_file(tmp_path / "pipe.csv") == NOT_REGULAR
        assert str(check_form_path(tmp_path / "pipe.csv")).endswith(
            "is not a regular file; give the filled-in form (.csv or .xlsx)"
        )


def test_the_text_helpers_of_user_values():
    from osa_utils.text import control_characters, printable, shorten

    assert control_characters("a\tb\x1b[31m\u202e\u00a0") == ["U+0009", "U+001B", "U+202E"]
    assert printable("a\tb\x1b\x85\u202e") == "a\tb\\x1b\\x85\u202e"
    assert shorten("x" * 61) == "x" * 60 + "... (61 characters)" and shorten("x" * 60) == "x" * 60
    assert shorten(None) is None and shorten("abc", 2) == "ab... (3 characters)"
