"""osa-report app-check: chapter 8's checklist as a form a user fills in (issue 13, deliver 2).

The form is read by the one reader of user tables, every criterion must be present, bad cells
are located as file:row:column, the chapter's columns never show a verdict the text does not
state, a bad form is refused before any kernel, and every output says whose assessment it is."""

from __future__ import annotations

import csv
import datetime
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import pytest
from nbfixtures import assigned_names

from osa_utils import PROJECT_ROOT
from osa_utils.appcheck import (
    EXAMPLE,
    NOTEBOOK,
    REFERENCE_APPS,
    app_slug,
    criteria,
    findings,
    load_app_check,
    write_template,
)
from osa_utils.data import DataValidationError, load_table
from osa_utils.errors import UsageError
from osa_utils.params import ParameterError
from osa_utils.sections.appcheck import EVIDENCE_ONLY, NO_EVIDENCE, USER_LABEL, AppCheck, reference_cell, reference_kind
from osa_utils.sections.assessment import ILLUSTRATION
from osa_utils.tools import run_app_check

CLI = [sys.executable, "-m", "osa_utils.cli"]
TWIN = NOTEBOOK.with_suffix(".py")


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _write(path: Path, rows, delimiter=",") -> Path:
    """As Python's csv module writes by default: CRLF line ends."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def _example_rows() -> list[list[str]]:
    return _rows(EXAMPLE)


def _problems(info) -> list[str]:
    return [str(p) for p in info.value.problems]


# --------------------------------------------------------------------------- the form
def test_the_example_reads_as_every_criterion_in_printed_order():
    form = load_app_check(EXAMPLE)
    crit = criteria()
    assert form["criterion_id"].tolist() == crit["criterion_id"].tolist()
    assert form["level"].tolist() == ["macro"] * 4 + ["micro"] * 8
    assert form.attrs["is_example"] and "comma-separated" in form.attrs["read"]
    assert set(form["finding"]) == set(findings()) == {"concern", "no_concern", "unclear", "not_assessed"}
    assert all(str(e).startswith("Illustration, not a real finding") for e in form["evidence"])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_template_round_trip(tmp_path, suffix):
    """The blank form has one row per criterion (id and printed name), the allowed findings, and
    is refused until every finding is filled in; filled in, it reads back."""
    form = write_template(tmp_path / f"form{suffix}")
    crit = criteria()
    with pytest.raises(DataValidationError) as info:
        load_app_check(form)
    where = "form.csv:{n}:finding" if suffix == ".csv" else "form.xlsx[app_check]:{n}:C (finding)"
    assert _problems(info) == [
        f"{where.format(n=n)}: empty required cell (found empty cell, expected a value)" for n in range(2, 14)
    ]
    today = datetime.date(2025, 2, 3)
    if suffix == ".csv":
        rows = _rows(form)
        assert rows[0] == ["criterion_id", "criterion", "finding", "evidence", "source_url", "checked_on", "note"]
        assert [r[:2] for r in rows[1:]] == crit[["criterion_id", "name"]].values.tolist()
        assert all("concern, no_concern, unclear, not_assessed" in r[6] for r in rows[1:])
        for i, r in enumerate(rows[1:]):
            r[2] = findings()[i % 4]
        rows[1][4:6] = ["https://example.org/policy", today.isoformat()]
        _write(form, rows, ";")  # as a European spreadsheet saves it
    else:
        from openpyxl import load_workbook

        wb = load_workbook(form)
        ws = wb["app_check"]
        assert [c.value for c in ws["A"]][1:] == crit["criterion_id"].tolist()
        assert [c.value for c in ws["B"]][1:] == crit["name"].tolist()
        assert any("no_concern" in str(dv.formula1) for dv in ws.data_validations.dataValidation)
        help_text = " ".join(str(c.value) for row in wb["help"].iter_rows() for c in row if c.value)
        assert all(f in help_text for f in findings()) and "YYYY-MM-DD" in help_text
        for i in range(len(crit)):
            ws.cell(row=i + 2, column=3, value=findings()[i % 4])
        ws["E2"], ws["F2"] = (
            "https://example.org/policy",
            datetime.datetime(2025, 2, 3),
        )  # a date cell, as Excel keeps it
        wb.save(form)
    frame = load_app_check(form)
    assert frame["finding"].tolist() == [findings()[i % 4] for i in range(len(crit))]
    assert frame.loc[0, "checked_on"].date() == today and frame.loc[0, "source_url"] == "https://example.org/policy"
    assert not frame.attrs["is_example"]


def test_a_missing_criterion_is_named(tmp_path):
    rows = [r for r in _example_rows() if r[0] not in ("content_censorship", "legal_data_requests")]
    with pytest.raises(DataValidationError) as info:
        load_app_check(_write(tmp_path / "short.csv", rows))
    text = _problems(info)
    assert len(text) == 2
    assert text[0].startswith(
        "short.csv::criterion_id: criterion missing from the form (found no row for "
        "'legal_data_requests' (macro level: Legal requests for data under the National "
        "Security Law)"
    )
    assert "'content_censorship' (micro level: Content censorship)" in text[1]


def test_bad_finding_url_and_date_are_located(tmp_path):
    rows = _example_rows()
    rows[2][2] = "maybe"  # row 3
    rows[3][4] = "javascript:alert(1)"  # row 4: not http(s)
    rows[4][4] = "ftp://example.org/x"  # row 5: not http(s)
    rows[5][5] = "15/01/2025"  # row 6: not ISO
    rows[6][5] = "2025-02-30"  # row 7: no such day
    with pytest.raises(DataValidationError) as info:
        load_app_check(_write(tmp_path / "bad.csv", rows))
    assert _problems(info) == [
        "bad.csv:3:finding: value not allowed (found 'maybe', expected one of concern, no_concern, unclear, "
        "not_assessed)",
        "bad.csv:4:source_url: value does not match the pattern (found 'javascript:alert(1)', expected pattern "
        r"^https?://\S+$)",
        r"bad.csv:5:source_url: value does not match the pattern (found 'ftp://example.org/x', expected pattern "
        r"^https?://\S+$)",
        "bad.csv:6:checked_on: wrong type (found '15/01/2025', expected date)",
        "bad.csv:7:checked_on: wrong type (found '2025-02-30', expected date)",
    ]


def test_bad_cells_of_a_workbook_name_sheet_row_and_column_letter(tmp_path):
    from openpyxl import Workbook

    rows = _example_rows()
    rows[2][2] = "maybe"
    rows[3][4] = "javascript:alert(1)"
    rows[5][5] = "15/01/2025"
    wb = Workbook()
    ws = wb.active
    ws.title = "Form"
    for r in rows:
        ws.append(r)
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(DataValidationError) as info:
        load_app_check(tmp_path / "bad.xlsx")
    text = _problems(info)
    assert text[0].startswith("bad.xlsx[Form]:3:C (finding): value not allowed (found 'maybe'")
    assert text[1].startswith("bad.xlsx[Form]:4:E (source_url): value does not match the pattern")
    assert text[2].startswith("bad.xlsx[Form]:6:F (checked_on): wrong type (found '15/01/2025'")
    # a missing criterion in a workbook names the sheet and the column letter too
    wb = Workbook()
    wb.active.title = "notes"
    ws = wb.create_sheet("Form")
    for r in _example_rows()[:-1]:
        ws.append(r)
    wb.save(tmp_path / "short.xlsx")
    with pytest.raises(DataValidationError) as info:
        load_app_check(tmp_path / "short.xlsx", sheet="Form")
    assert _problems(info)[0].startswith(
        "short.xlsx[Form]::A (criterion_id): criterion missing from the form "
        "(found no row for 'platform_democratization'"
    )


def test_a_duplicate_or_unknown_criterion_is_refused(tmp_path):
    rows = _example_rows()
    rows[5][0] = rows[4][0]
    rows[6][0] = "tiktok_vibes"
    with pytest.raises(DataValidationError) as info:
        load_app_check(_write(tmp_path / "dup.csv", rows))
    text = _problems(info)
    assert f"dup.csv:6:criterion_id: duplicate key (found '{rows[4][0]}', expected a key no other row has)" in text
    assert any(t.startswith("dup.csv:7:criterion_id: unknown reference (found 'tiktok_vibes'") for t in text)


def test_the_criterion_column_is_optional_and_free_text(tmp_path):
    rows = [[c for i, c in enumerate(r) if i != 1] for r in _example_rows()]
    frame = load_app_check(_write(tmp_path / "bare.csv", rows))
    assert len(frame) == 12 and frame["criterion"].isna().all()
    rows = _example_rows()
    rows[1][1] = "my own wording"
    assert len(load_app_check(_write(tmp_path / "own.csv", rows))) == 12


@pytest.mark.parametrize("name", ["", "  ", "x" * 61, "!!!", "(+)", "two\nlines", "微信\x1b[31m", "\u202e微信", None])
def test_app_names_refused(name):
    with pytest.raises(ParameterError, match="app_name"):
        app_slug(name)


def test_app_slug():
    assert app_slug("ExampleChat (fictional)") == "examplechat_fictional"
    assert app_slug("Face++") == "face"


#: Names in any script: Chinese apps are the tool's subject (TikTok = 抖音, WeChat = 微信).
SCRIPT_NAMES = ["中文应用", "抖音", "微信", "ÜÜ", "WeChat 微信", "Ørsted", "Яндекс", "카카오톡", "x" * 59 + "微"]


def test_app_names_in_any_script_get_safe_stable_file_names():
    slugs = {name: app_slug(name) for name in SCRIPT_NAMES}
    assert all(re.fullmatch(r"[a-z0-9_]{1,80}", s) for s in slugs.values()), slugs
    assert len(set(slugs.values())) == len(slugs)  # 抖音 and 微信 do not share files
    assert re.fullmatch(r"uu_[0-9a-f]{8}", slugs["ÜÜ"]) and slugs["Яндекс"] != "app"
    # names that fold to the same ASCII letters are other apps: another slug, so other files
    # (ÜÜ and UU, fullwidth ＷｅＣｈａｔ and WeChat shared their files, the second run overwriting the first)
    assert app_slug("ÜÜ") != app_slug("UU") == "uu"
    assert app_slug("ＷｅＣｈａｔ") != app_slug("WeChat") == "wechat"
    assert re.fullmatch(r"app_[0-9a-f]{8}", slugs["中文应用"]) and slugs["WeChat 微信"].startswith("wechat_")
    assert slugs["WeChat 微信"] != app_slug("WeChat")
    assert {n: app_slug(n) for n in SCRIPT_NAMES} == slugs  # the same name, the same files
    assert app_slug("U\u0308U") == app_slug("ÜU")  # decomposed or composed: one name


@pytest.mark.parametrize("name", ["中文应用", "ÜÜ"])
def test_cli_takes_an_app_name_in_any_script(tmp_path, name):
    """The name passes (the run then stops at an output folder the tool did not make, exit 2, after 'read')."""
    out = tmp_path / "theirs"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    proc = subprocess.run(
        CLI + ["app-check", str(EXAMPLE), "--app", name, "--out", str(out)], capture_output=True, text=True
    )
    assert proc.returncode == 2, proc.stderr
    assert "parameter app_name" not in proc.stderr and "letter or digit" not in proc.stderr, proc.stderr
    assert "already holds files that osa-report did not write" in proc.stderr
    assert "read app_check_example.csv" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_a_chinese_app_name_without_a_cjk_font_says_what_to_install(tmp_path, monkeypatch):
    from osa_utils import style

    def none(rebuild=False):
        raise style.FontMissingError("none")

    monkeypatch.setattr(style, "find_cjk_font", none)
    ac = AppCheck(PROJECT_ROOT / "data", tmp_path, "png", 50, "en")
    with pytest.raises(style.FontMissingError, match="app name '微信' needs a CJK font.*fonts-noto-cjk"):
        ac.findings_chart(load_app_check(EXAMPLE), "微信")
    assert not list(tmp_path.glob("fig-*"))
    ac.findings_chart(load_app_check(EXAMPLE), "ÜÜ")  # Latin letters: DejaVu Sans has them
    assert (tmp_path / f"fig-appcheck-{app_slug('ÜÜ')}-grid.png").exists()


def test_the_chart_draws_a_chinese_app_name_with_a_cjk_font(tmp_path):
    """Every glyph of 中文应用 is in a font (matplotlib warns 'Glyph ... missing from font(s)' otherwise);
    titles and column heads print the name as written, only the file names use the slug."""
    import warnings

    from osa_utils import style

    try:
        style.find_cjk_font(rebuild=True)
    except style.FontMissingError:
        pytest.skip("no CJK font installed (fonts-noto-cjk)")
    app = "中文应用"
    ac = AppCheck(PROJECT_ROOT / "data", tmp_path, "png,svg", 50, "en")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ac.findings_chart(load_app_check(EXAMPLE), app)
        ac.findings_table(load_app_check(EXAMPLE), app)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing
    slug = app_slug(app)
    assert (tmp_path / f"fig-appcheck-{slug}-grid.png").stat().st_size > 0
    html = (tmp_path / f"tab-appcheck-{slug}-findings.html").read_text(encoding="utf-8")
    assert f"check of {app} with chapter" in html and f"FINDING FOR {app} (USER)" in html


# --------------------------------------------------------------------------- the chapter's columns
def test_reference_columns_state_no_verdict_the_chapter_does_not(tmp_path):
    """Every cell of TikTok/WeChat/Face++ is the chapter's stated finding (quoted, verbatim), or
    says it gives evidence only, or none; compared with app_evidence.csv, in the written table too."""
    ev = load_table("app_evidence")
    crit = criteria()
    expected = {}
    for c in crit["criterion_id"]:
        for a in REFERENCE_APPS:
            hit = ev[(ev["criterion_id"] == c) & (ev["app"] == a)]
            if hit.empty:
                expected[c, a] = (NO_EVIDENCE, "none")
            elif pd.notna(hit.iloc[0]["stated_finding"]):
                expected[c, a] = (f"stated finding: “{hit.iloc[0]['stated_finding']}”", "stated")
            else:
                expected[c, a] = (EVIDENCE_ONLY, "evidence")
    assert {k: (reference_cell(ev, *k), reference_kind(ev, *k)) for k in expected} == expected
    assert sum(v[1] != "none" for v in expected.values()) == len(ev) == 19
    ac = AppCheck(PROJECT_ROOT / "data", tmp_path, "png", 50, "en")
    ac.findings_table(load_app_check(EXAMPLE), "ExampleChat (fictional)")
    table = pd.read_csv(tmp_path / "tab-appcheck-examplechat_fictional-findings.csv", dtype=str)
    for i, c in enumerate(crit["criterion_id"]):
        for a in REFERENCE_APPS:
            assert table.loc[i, f"{a.upper()}: CHAPTER 8"] == expected[c, a][0], (c, a)
    verdicts = {"concern", "no concern", "unclear", "not assessed"}
    assert not verdicts & set(table[[f"{a.upper()}: CHAPTER 8" for a in REFERENCE_APPS]].values.ravel())


def test_outputs_of_a_users_own_form_say_whose_assessment_they_are(tmp_path):
    """A form that is not the shipped example: every output says it is the user's assessment and
    none claims to be an illustration; names follow tab-/fig-appcheck-<app>-*."""
    rows = _example_rows()
    rows[1][3] = "my own evidence"
    form = load_app_check(_write(tmp_path / "mine.csv", rows))
    assert not form.attrs["is_example"]
    out = tmp_path / "out"
    ac = AppCheck(PROJECT_ROOT / "data", out, "png,svg", 60, "en")
    ac.findings_table(form, "MyApp")
    ac.findings_chart(form, "MyApp")
    ac.finding_counts(form, "MyApp")
    names = sorted(p.name for p in ac.written)
    assert names == [
        "fig-appcheck-myapp-grid.png",
        "fig-appcheck-myapp-grid.svg",
        "tab-appcheck-myapp-counts.csv",
        "tab-appcheck-myapp-counts.html",
        "tab-appcheck-myapp-findings.csv",
        "tab-appcheck-myapp-findings.html",
    ]
    for p in ac.written:
        if p.suffix != ".png":
            text = p.read_text(encoding="utf-8")
            assert USER_LABEL in text and ILLUSTRATION not in text, p.name
    counts = pd.read_csv(out / "tab-appcheck-myapp-counts.csv", dtype=str)
    assert counts.iloc[:, -2].tolist() == ["3", "3", "4", "2", "12"]


# --------------------------------------------------------------------------- the command line
def test_cli_rejects_a_bad_form_before_any_kernel(tmp_path):
    rows = _example_rows()
    rows[3][2] = "bad"
    bad = _write(tmp_path / "bad.csv", rows)
    out = tmp_path / "out"
    proc = subprocess.run(
        CLI + ["app-check", str(bad), "--app", "X", "--out", str(out)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "bad.csv:4:finding: value not allowed (found 'bad'" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--app", "X"], "give the form, --app NAME and --out DIR"),
        (["{form}", "--out", "{out}"], "give the form, --app NAME and --out DIR"),
        (["{form}", "--app", "", "--out", "{out}"], "app_name"),
        (["{form}", "--app", "X", "--out", "{out}", "--dpi", "5"], "dpi"),
        (["{form}", "--app", "X", "--out", "{out}", "--formats", "gif"], "formats"),
        (["{missing}", "--app", "X", "--out", "{out}"], "is not a file"),
        (["{form}", "--app", "X", "--out", "{foreign}"], "did not write"),
        (["{form}", "--app", "X", "--out", "{form}"], "is a file"),
    ],
)
def test_cli_wrong_command_lines_exit_2(tmp_path, argv, message):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me", encoding="utf-8")
    form = shutil.copy(EXAMPLE, tmp_path / "form.csv")
    values = {"form": form, "out": tmp_path / "out", "missing": tmp_path / "nope.csv", "foreign": foreign}
    proc = subprocess.run(CLI + ["app-check"] + [a.format(**values) for a in argv], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists() and sorted(p.name for p in foreign.iterdir()) == ["mine.txt"]


def test_cli_template(tmp_path):
    for name in ("blank.csv", "blank.xlsx"):
        proc = subprocess.run(CLI + ["app-check", "--template", str(tmp_path / name)], capture_output=True, text=True)
        assert proc.returncode == 0 and (tmp_path / name).is_file(), proc.stderr
    again = subprocess.run(
        CLI + ["app-check", "--template", str(tmp_path / "blank.csv")], capture_output=True, text=True
    )
    assert again.returncode == 2 and "exists" in again.stderr
    odd = subprocess.run(CLI + ["app-check", "--template", str(tmp_path / "blank.txt")], capture_output=True, text=True)
    assert odd.returncode == 2 and ".csv or .xlsx" in odd.stderr and not (tmp_path / "blank.txt").exists()


def test_run_app_check_refuses_a_foreign_folder_before_the_kernel(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="did not write"):  # outdir.OutputError: exit 2
        run_app_check(EXAMPLE, "X", foreign)
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


@pytest.mark.slow
def test_the_example_end_to_end_through_the_cli(tmp_path):
    """The README's worked example: the files, each labelled as the user's assessment and as an
    illustration; the chart has no ink at its edge."""
    from osa_utils.figures import edge_ink

    out = tmp_path / "out"
    proc = subprocess.run(
        CLI + ["app-check", str(EXAMPLE), "--app", "ExampleChat (fictional)", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "read app_check_example.csv: CSV, comma-separated" in proc.stderr and "Traceback" not in proc.stderr
    stem = "appcheck-examplechat_fictional"
    outputs = [
        f"tab-{stem}-findings.csv",
        f"tab-{stem}-findings.html",
        f"fig-{stem}-grid.png",
        f"fig-{stem}-grid.svg",
        f"tab-{stem}-counts.csv",
        f"tab-{stem}-counts.html",
    ]
    assert proc.stdout.split() == [str(out / n) for n in outputs]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        outputs + [".osa-report.json", "app_check-examplechat_fictional.ipynb"]
    )
    for name in outputs:
        if name.endswith(".png"):
            continue
        text = (out / name).read_text(encoding="utf-8")
        assert USER_LABEL in text and ILLUSTRATION in text, name
        if name.endswith(".csv"):  # every row carries it, so a row copied alone keeps it
            for row in pd.read_csv(out / name, dtype=str)["SOURCE"]:
                assert USER_LABEL in row and ILLUSTRATION in row, name
    assert edge_ink((out / f"fig-{stem}-grid.png").read_bytes()) == []
    # the PNG shown in the executed notebook is the saved file, and carries the same caption
    nb = nbformat.read(out / "app_check-examplechat_fictional.ipynb", as_version=4)
    shown = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(shown) == 1 and shown[0]["metadata"]["osa"]["files"] == [f"fig-{stem}-grid.png", f"fig-{stem}-grid.svg"]
    # a second run into the same folder is allowed (the tool made it) and gives the same bytes
    before = {n: (out / n).read_bytes() for n in outputs}
    again = subprocess.run(
        CLI + ["app-check", str(EXAMPLE), "--app", "ExampleChat (fictional)", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert {n: (out / n).read_bytes() for n in outputs} == before


# --------------------------------------------------------------------------- the notebook
def test_notebook_and_twin_in_sync_and_without_outputs():
    ipynb = nbformat.read(NOTEBOOK, as_version=4)
    py = jupytext.read(TWIN)

    def strip(nb):
        return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]

    assert strip(ipynb) == strip(py), "run jupytext --sync notebooks/tools/app_check.ipynb"
    for cell in ipynb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


def test_notebook_first_cells_and_place_outside_the_build():
    from osa_utils.batch.plan import declared_parameters, discover

    nb = nbformat.read(NOTEBOOK, as_version=4)
    first, second = nb.cells[0], nb.cells[1]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "Nothing here is a finding of the report" in first.source
    assert "outside the default build" in first.source
    assert "parameters" in second.metadata.get("tags", [])
    names = assigned_names(second.source)
    assert set(declared_parameters(NOTEBOOK)) == names
    # figures_dir as in the chapters; output_dir, its old name, still accepted
    assert {
        "app_check_form",
        "app_name",
        "figures_dir",
        "output_dir",
        "data_dir",
        "formats",
        "dpi",
        "name_lang",
    } <= names
    assert NOTEBOOK.parent == PROJECT_ROOT / "notebooks" / "tools"
    assert "app_check" not in {p.stem for p in discover(PROJECT_ROOT / "notebooks")}


@pytest.mark.parametrize("command", [["{example}", "--app", "X", "--out", "{tmp}/a"], ["--template", "{tmp}/t.csv"]])
def test_a_broken_data_package_is_a_located_problem_not_a_traceback(data_copy, tmp_path, command):
    import json

    d = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    d["resources"][0]["schema"]["fields"][0]["type"] = "integr"
    (data_copy / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    args = [a.format(example=EXAMPLE, tmp=tmp_path) for a in command] + ["--data-dir", str(data_copy)]
    proc = subprocess.run(CLI + ["app-check"] + args, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "datapackage.json::resources[0].schema.fields[0].type: unknown field type" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "a").exists() and not (tmp_path / "t.csv").exists()
