"""A user's reading of Figure 0.1's lost levels (issue 13, deliverable 5): the parameter
matrix_user_levels, its checks, its drawing and its place in the build (path, checks, cache)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from nbfixtures import notebook

from osa_utils import PROJECT_ROOT
from osa_utils.build import BuildError, cache_key, resolve_parameters, run, why_stale
from osa_utils.data import DataValidationError

EXAMPLE = PROJECT_ROOT / "data" / "examples" / "matrix_user_levels_example.csv"
NB00 = PROJECT_ROOT / "notebooks" / "00_executive_summary.ipynb"
CLI = [sys.executable, "-m", "osa_utils.cli"]
#: A valid reading: every e-CNY dot (2, 2, 1, 3 printed), AI ethics left unstated.
ECNY = (
    "technology_id,dimension_id,level\n"
    "ecny,supply_chain,4\necny,supply_chain,1\necny,national_security,3\necny,national_security,2\n"
    "ecny,values_sustainability,2\necny,competitiveness,3\necny,competitiveness,2\necny,competitiveness,1\n"
)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path, data_dir=None) -> list[str]:
    from osa_utils.userlevels import load_user_levels

    with pytest.raises(DataValidationError) as exc:
        load_user_levels(path, data_dir)
    return [str(p) for p in exc.value.problems]


# --------------------------------------------------------------------------- checks of the file
def test_the_example_is_accepted_and_marked_as_an_example():
    from osa_utils.userlevels import load_user_levels

    levels = load_user_levels(EXAMPLE)
    assert set(levels["technology_id"]) <= {"ecny", "ai_ethics"}
    assert levels.attrs["is_example"] is True
    assert "illustration" in (EXAMPLE.parent / "README.md").read_text(encoding="utf-8").lower()


def test_a_risk_table_technology_is_refused(tmp_path):
    f = _write(tmp_path / "mine.csv", ECNY + "chip_design,supply_chain,1\n")
    problems = _problems(f)
    assert len(problems) == 1
    assert problems[0].startswith("mine.csv:10:technology_id: technology 'chip_design'")
    assert "Figure 2.2" in problems[0] and "expected one of ecny, ai_ethics" in problems[0]


def test_the_open_rows_come_from_the_data_not_from_a_list(tmp_path, data_copy):
    """Give chip design no risk table (drop its challenges; minimum row counts lifted): its row becomes
    open to a reading, so the accepted rows are read from the data, not from a list of ids."""
    import csv
    import io

    rc = data_copy / "risk_challenges.csv"
    rows = list(csv.reader(io.StringIO(rc.read_text(encoding="utf-8"), newline="")))
    keep = [rows[0]] + [r for r in rows[1:] if r[rows[0].index("technology_id")] != "chip_design"]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(keep)
    rc.write_text(buf.getvalue(), encoding="utf-8")
    import json

    desc = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    for r in desc["resources"]:
        r.pop("osa:minRows", None)
    (data_copy / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    from osa_utils.userlevels import load_user_levels

    f = _write(tmp_path / "mine.csv", "technology_id,dimension_id,level\nchip_design,supply_chain,2\n")
    assert list(load_user_levels(f, data_copy)["technology_id"]) == ["chip_design"]
    assert _problems(f) and "chip_design" in _problems(f)[0]  # with the real package: refused


@pytest.mark.parametrize(
    "body, row, expected",
    [
        ("ecny,supply_chain,3\n", 2, "expected 2 dot(s)"),  # one level for two printed dots
        ("ecny,values_sustainability,3\necny,values_sustainability,2\n", 2, "expected 1 dot(s)"),
        ("ai_ethics,national_security,4\nai_ethics,national_security,3\n", 2, "expected 1 dot(s)"),
    ],
)
def test_a_wrong_number_of_levels_is_refused(tmp_path, body, row, expected):
    f = _write(tmp_path / "mine.csv", "technology_id,dimension_id,level\n" + body)
    problems = _problems(f)
    assert len(problems) == 1 and problems[0].startswith(f"mine.csv:{row}:level:") and expected in problems[0]


def test_schema_problems_are_located(tmp_path):
    f = _write(tmp_path / "mine.csv", "technology_id,dimension_id,level\necny,supply_chain,5\nquantum,supply_chain,1\n")
    problems = _problems(f)
    assert any(p.startswith("mine.csv:2:level") for p in problems)
    assert any(p.startswith("mine.csv:3:technology_id") for p in problems)


def test_equal_levels_in_one_cell_are_refused(tmp_path):
    f = _write(tmp_path / "mine.csv", "technology_id,dimension_id,level\necny,supply_chain,3\necny,supply_chain,3\n")
    problems = _problems(f)
    assert len(problems) == 1 and problems[0].startswith("mine.csv:3:level:") and "distinct" in problems[0]


def test_a_semicolon_csv_is_read_by_the_one_reader(tmp_path):
    from osa_utils.userlevels import load_user_levels

    f = tmp_path / "excel.csv"
    f.write_bytes(b"\xef\xbb\xbf" + ECNY.replace(",", ";").replace("\n", "\r\n").encode())
    levels = load_user_levels(f)
    assert len(levels) == 8 and "semicolon" in levels.attrs["read"] and levels.attrs["is_example"] is False


# --------------------------------------------------------------------------- drawing
def _drawn(levels_csv, colours="derived"):
    from osa_utils.data import load_table
    from osa_utils.model import derive_matrix
    from osa_utils.plots.matrix import threat_matrix
    from osa_utils.userlevels import apply_user_levels, load_user_levels

    base = derive_matrix(load_table("threat_matrix_printed"), load_table("risk_challenges"))
    m = apply_user_levels(base, load_user_levels(levels_csv))
    fig = threat_matrix(
        m, load_table("technologies"), load_table("dimensions"), load_table("threat_levels"), colours=colours
    )
    return base, m, fig


def test_the_reading_is_drawn_ringed_with_its_legend_entry(tmp_path):
    import matplotlib.pyplot as plt

    from osa_utils import style
    from osa_utils.userlevels import USER_LABEL

    base, m, fig = _drawn(_write(tmp_path / "mine.csv", ECNY))
    ax = fig.axes[0]
    rings = [l for l in ax.lines if (l.get_gid() or "").startswith("user-reading-ring-")]
    dots = [l for l in ax.lines if (l.get_gid() or "").startswith("user-reading-dot-")]
    assert len(rings) == len(dots) == 8  # the e-CNY row's 2 + 2 + 1 + 3 printed dots
    ecny_y = 3  # fourth row of the printed order
    assert {float(l.get_ydata()[0]) for l in rings} == {ecny_y}
    assert {l.get_markerfacecolor() for l in rings} == {"none"}
    # the user's levels, highest first per cell: supply chain 4, 1
    sc = sorted((l for l in dots if "-supply_chain-" in l.get_gid()), key=lambda l: l.get_xdata()[0])
    assert [l.get_markerfacecolor() for l in sc] == [style.LEVEL_COLOURS[4], style.LEVEL_COLOURS[1]]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(USER_LABEL in t for t in texts)
    assert style.UNKNOWN_LABEL in texts  # AI ethics was not given: still "level not stated"
    # the report's levels are untouched
    known = base["level_known"].astype(bool)
    assert m.loc[known, "level"].tolist() == base.loc[known, "level"].tolist()
    assert not m.loc[known, "user_level"].any()
    plt.close(fig)


def test_printed_colours_keep_the_reports_dots_uncoloured(tmp_path):
    import matplotlib.pyplot as plt

    from osa_utils import style

    _, _, fig = _drawn(_write(tmp_path / "mine.csv", ECNY), colours="printed")
    ax = fig.axes[0]
    report_dots = [l for l in ax.lines if l.get_marker() == "o" and not (l.get_gid() or "").startswith("user-")]
    user_dots = [l for l in ax.lines if (l.get_gid() or "").startswith("user-reading-dot-")]
    assert report_dots and {l.get_markerfacecolor() for l in report_dots} == {style.UNKNOWN_COLOUR}
    assert len({l.get_markerfacecolor() for l in user_dots}) > 1
    plt.close(fig)


def test_without_a_reading_nothing_user_is_drawn():
    import matplotlib.pyplot as plt

    from osa_utils.data import load_table
    from osa_utils.model import derive_matrix
    from osa_utils.plots.matrix import threat_matrix
    from osa_utils.userlevels import USER_LABEL

    fig = threat_matrix(
        derive_matrix(load_table("threat_matrix_printed"), load_table("risk_challenges")),
        load_table("technologies"),
        load_table("dimensions"),
        load_table("threat_levels"),
    )
    ax = fig.axes[0]
    assert not [l for l in ax.lines if (l.get_gid() or "").startswith("user-")]
    assert not any(USER_LABEL in t.get_text() for t in ax.get_legend().get_texts())
    plt.close(fig)


def test_the_chapter_saves_its_own_output_labelled_as_the_users(tmp_path, monkeypatch):
    from osa_utils import figures as F
    from osa_utils.notebook import Chapter

    shown = []
    monkeypatch.setenv(F.LAYOUT_CHECK_ENV, "1")  # F.save raises LayoutError on clipped text or edge ink
    monkeypatch.setattr(
        F, "display_figure", lambda fig, fid, paths, dpi=150, caption=None: shown.append((fid, caption))
    )
    ch = Chapter(str(PROJECT_ROOT / "data"), str(tmp_path / "out"), "svg", 150, "en")
    result = ch.threat_matrix_user_reading("0.1", None)  # type: ignore[func-returns-value]  # checked at run time too
    assert result is None and not shown  # default: nothing
    ch.threat_matrix_user_reading("0.1", str(EXAMPLE))
    mine = _write(tmp_path / "mine.csv", ECNY)
    ch.threat_matrix_user_reading("1.2", str(mine), colours="printed")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["fig-0-1-user.svg", "fig-1-2-user.svg"]  # never over fig-0-1 / fig-1-2
    svg = (tmp_path / "out" / "fig-0-1-user.svg").read_text(encoding="utf-8")
    assert svg.count('id="user-reading-ring-') == 9 and 'id="user-reading-legend"' in svg
    (fid0, cap0), (fid1, cap1) = shown
    assert fid0 == "0.1-user" and cap0["status"] is None
    assert cap0["caption"].startswith("Figure 0.1 with a reading supplied by the user (not the report's)")
    assert "illustration" in cap0["caption"] and "not a finding of the report" in cap0["note"]
    assert "supplied by the user" in cap0["source"] and "matrix_user_levels_example.csv" in cap0["source"]
    assert fid1 == "1.2-user" and "illustration" not in cap1["caption"] + cap1["note"]
    assert "mine.csv" in cap1["source"] and "reproduced" not in cap1["status_text"]
    assert "not coloured" in cap1["source"] and "only the user's dots are coloured" in cap1["note"]


# --------------------------------------------------------------------------- the build
def test_a_relative_path_is_resolved_against_the_current_folder(tmp_path, monkeypatch):
    _write(tmp_path / "mine.csv", ECNY)
    monkeypatch.chdir(tmp_path)
    params = resolve_parameters([NB00], {"matrix_user_levels": "mine.csv"}, PROJECT_ROOT / "data")
    assert params["00_executive_summary"]["matrix_user_levels"] == str((tmp_path / "mine.csv").resolve())
    with pytest.raises(BuildError, match="matrix_user_levels"):
        resolve_parameters([NB00], {"matrix_user_levels": "missing.csv"}, PROJECT_ROOT / "data")


def test_the_files_content_is_in_the_cache_key(tmp_path):
    f = _write(tmp_path / "mine.csv", ECNY)
    params = {"matrix_user_levels": str(f)}
    key = cache_key(NB00, params)
    entry = {"key": key, "reads": {}}
    os.utime(f, (1, 1))  # touched: same content
    assert why_stale(entry, cache_key(NB00, params)) is None
    _write(f, ECNY.replace("ecny,supply_chain,1", "ecny,supply_chain,2"))
    assert why_stale(entry, cache_key(NB00, params)) == "content changed: -p matrix_user_levels file"


@pytest.mark.slow
def test_edit_reruns_and_touch_reuses(tmp_path, data_copy):
    """Through real builds of a one-notebook fixture collection: three kernels at most."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    notebook(nbs / "m_matrix.ipynb", "print(open(matrix_user_levels).read())", params="matrix_user_levels = None\n")
    f = _write(tmp_path / "mine.csv", ECNY)
    out = tmp_path / "out"

    def states(r):
        return {x.name: (x.state, x.reason) for x in r.results}

    assert (
        states(run(data_copy, out, notebooks_dir=nbs, jobs=1, overrides={"matrix_user_levels": str(f)}))["m_matrix"][0]
        == "ran"
    )
    os.utime(f)
    assert states(run(data_copy, out, notebooks_dir=nbs, jobs=1, overrides={"matrix_user_levels": str(f)})) == {
        "m_matrix": ("reused", "unchanged")
    }
    _write(f, ECNY.replace("ecny,supply_chain,1", "ecny,supply_chain,2"))
    result = run(data_copy, out, notebooks_dir=nbs, jobs=1, overrides={"matrix_user_levels": str(f)})
    assert states(result) == {"m_matrix": ("ran", "content changed: -p matrix_user_levels file")}
    executed = (out / "notebooks" / "m_matrix.ipynb").read_text(encoding="utf-8")
    assert "ecny,supply_chain,2" in executed


def _cli(*args, cwd=None):
    return subprocess.run(
        CLI + [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )


def test_a_bad_file_stops_the_build_before_any_kernel(tmp_path):
    """A relative path from the folder the command runs in; exit 1 with file:row:column; no version folder."""
    work = tmp_path / "work"
    work.mkdir()
    _write(work / "bad.csv", ECNY + "chip_design,supply_chain,1\n")
    proc = _cli(
        "build",
        "--out",
        tmp_path / "report",
        "--only",
        "00_executive_summary",
        "-p",
        "matrix_user_levels",
        "bad.csv",
        cwd=work,
    )
    assert proc.returncode == 1, proc.stderr
    assert "bad.csv:10:technology_id" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]  # no report, no version folder, no lock


def test_a_missing_file_is_exit_2_naming_the_parameter(tmp_path):
    proc = _cli(
        "build",
        "--out",
        tmp_path / "report",
        "--only",
        "00_executive_summary",
        "-p",
        "matrix_user_levels",
        "nowhere.csv",
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and "matrix_user_levels" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_workbook_is_read_and_its_problems_located_by_sheet_and_column(tmp_path):
    import openpyxl

    from osa_utils.userlevels import load_user_levels

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "reading"
    for line in (ECNY + "6g,competitiveness,2\n").splitlines():
        a, b, c = line.split(",")
        sheet.append([a, b, int(c) if c.isdigit() else c])
    book.save(tmp_path / "mine.xlsx")
    problems = _problems(tmp_path / "mine.xlsx")
    assert problems == [p for p in problems if p.startswith("mine.xlsx[reading]:10:A (technology_id): technology '6g'")]
    assert len(problems) == 1
    sheet.delete_rows(10)
    book.save(tmp_path / "ok.xlsx")
    assert len(load_user_levels(tmp_path / "ok.xlsx")) == 8
