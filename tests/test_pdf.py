"""The printed footnotes' markup on the report page, and `osa-report build --pdf` (issue 19, part D).

One fixture notebook is built once (the References section comes from data/, not from the
notebooks); the PDF tests then run the real CLI again on it (reused from the cache: no kernel).
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import chromium_or_skip
from nbfixtures import notebook

CLI = [sys.executable, "-m", "osa_utils.cli"]
#: One worker builds the fixture report once for all the tests of this module.
pytestmark = pytest.mark.xdist_group("pdf")


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    """A report of one fixture notebook (with the whole References section), and its notebooks."""
    from osa_utils import DEFAULT_DATA_DIR
    from osa_utils.build import run

    root = tmp_path_factory.mktemp("pdf")
    nbs = root / "nbs"
    nbs.mkdir()
    notebook(nbs / "a_one.ipynb", "print(1)")
    result = run(DEFAULT_DATA_DIR, root / "report", notebooks_dir=nbs, jobs=1)
    assert not result.failed
    return root / "report", nbs


class Footnotes(HTMLParser):
    """Each footnote <li id="fn-N"> of the page: its text, its <em> texts and its links."""

    def __init__(self):
        super().__init__()
        self.notes, self.current, self.depth, self.tag_stack = {}, None, 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and (a.get("id") or "").startswith("fn-"):
            self.current = {"text": "", "em": [], "links": []}
            self.notes[int(a["id"][3:])] = self.current
            self.depth = 0
        if self.current is None:
            return
        if tag == "li":
            self.depth += 1
        if tag == "span" and "source" in (a.get("class") or ""):  # the "→ work N" links are ours
            self.tag_stack.append("skip")
        else:
            self.tag_stack.append(tag)
        if tag == "a" and "skip" not in self.tag_stack:
            self.current["links"].append(a.get("href"))
        if tag == "em":
            self.current["em"].append("")

    def handle_endtag(self, tag):
        if self.current is None:
            return
        if self.tag_stack:
            self.tag_stack.pop()
        if tag == "li":
            self.depth -= 1
            if self.depth == 0:
                self.current = None

    def handle_data(self, data):
        if self.current is None or "skip" in self.tag_stack:
            return
        self.current["text"] += data
        if "em" in self.tag_stack:
            self.current["em"][-1] += data


def test_footnote_markup_is_rendered_on_the_page(small_report):
    """`*Title*` is italics and `<<https://…>>` a link on the page (not raw markup), as printed."""
    out, _ = small_report
    parser = Footnotes()
    parser.feed((out / "index.html").read_text(encoding="utf-8"))
    notes = parser.notes
    assert sorted(notes) == list(range(1, 271))
    assert notes[2]["em"] == ["Harvard Business Review"]
    assert notes[2]["links"] == ["https://hbr.org/2014/03/why-china-cant-innovate"]
    assert notes[2]["text"].rstrip().endswith("March 2014, <https://hbr.org/2014/03/why-china-cant-innovate>.")
    # a single <https://…> and a markdown link <[…](…)> of the extraction: links too, printed form shown
    assert notes[4]["links"] == [
        "https://www.belfercenter.org/sites/default/files/GreatTechRivalry_ChinavsUS_211207.pdf"
    ]
    assert notes[25]["links"] == [
        "https://www.eu.dk/samling/20211/kommissionsforslag/kom(2021)0350/forslag/1779363/2388551.pdf"
    ]
    assert "<https://www.eu.dk/samling/20211/kommissionsforslag/kom(2021)0350/" in notes[25]["text"]
    assert "<doi: 10.1109/MWC.001.1900333>" in notes[65]["text"] and notes[65]["links"] == []
    for n, note in notes.items():
        assert "*" not in note["text"] and "<<" not in note["text"] and ">>" not in note["text"], n
        assert "](" not in note["text"], n
        assert all(href.startswith(("https://", "http://")) for href in note["links"]), n
    assert sum(len(n["em"]) for n in notes.values()) >= 100
    assert sum(len(n["links"]) for n in notes.values()) >= 200


def test_footnote_markup_stays_inert():
    """Markup is made from escaped text: only <em> and http(s) <a href> are added."""
    from test_pages import active_content

    from osa_utils.report import citation_html

    html = str(
        citation_html(
            '*<script>alert(1)</script>* <<javascript:alert(2)>> <https://a.example/"onclick=x> '
            "<img src=x onerror=alert(3)> *a & b* <<http://b.example/?q=1&r=2>>"
        )
    )
    assert active_content(html) == []
    assert "<script" not in html and "<img" not in html
    assert "<em>&lt;script&gt;alert(1)&lt;/script&gt;</em>" in html
    assert "&lt;&lt;javascript:alert(2)&gt;&gt;" in html  # not a link: text
    assert '<a href="http://b.example/?q=1&amp;r=2">http://b.example/?q=1&amp;r=2</a>' in html
    assert "<em>a &amp; b</em>" in html


def _chromium_or_skip() -> str:
    return chromium_or_skip("to print the report with")


def _build_pdf(out: Path, nbs: Path, env=None) -> subprocess.CompletedProcess:
    from osa_utils import DEFAULT_DATA_DIR

    return subprocess.run(
        [
            *CLI,
            "build",
            "--data-dir",
            str(DEFAULT_DATA_DIR),
            "--notebooks-dir",
            str(nbs),
            "--out",
            str(out),
            "--jobs",
            "1",
            "--pdf",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_pdf_is_a4_with_an_outline_and_the_footnotes_links(small_report):
    """Chromium's PDF: every page A4 (not US Letter), a document outline of the headings (bookmarks),
    and the footnotes' addresses as links."""
    _chromium_or_skip()
    out, nbs = small_report
    proc = _build_pdf(out, nbs)
    assert proc.returncode == 0, proc.stderr
    pdf = (out / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    boxes = {tuple(round(float(v)) for v in m.split()) for m in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)}
    assert boxes == {(0, 0, 595, 842)}, boxes  # A4 in points; Letter is 612 x 792
    assert b"/Outlines" in pdf
    assert b"(https://hbr.org/2014/03/why-china-cant-innovate)" in pdf  # footnote 2's link annotation
    assert f"PDF written to {out / 'report.pdf'}" in proc.stdout


def _fake_chromium(folder: Path) -> Path:
    """A 'chromium' that starts a child, writes half a PDF and hangs."""
    folder.mkdir()
    exe = folder / "chromium"
    exe.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case "$a" in --print-to-pdf=*) printf "%%PDF-1.4 half" > "${a#*=}";; esac; done\n'
        f'sleep 300 & echo $! > "{folder}/child.pid"\n'
        "exec sleep 300\n"
    )
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return not re.search(r"^State:\s*Z", status, re.M)  # a zombie waiting for its reaper is dead


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_hung_chromium_is_stopped_with_a_one_line_message(small_report, tmp_path):
    """No TimeoutExpired traceback after minutes: after OSA_PDF_TIMEOUT seconds Chromium's whole
    process group is killed, one line says so, exit 1, and no half-written PDF is left."""
    out, nbs = small_report
    fake = _fake_chromium(tmp_path / "bin")
    before = {p.name for p in out.iterdir()}
    proc = _build_pdf(out, nbs, env={"PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}", "OSA_PDF_TIMEOUT": "3"})
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "PDF not written: Chromium did not finish within 3 s" in errors[0], proc.stderr
    assert not (out / "report.pdf").exists() or (out / "report.pdf").read_bytes() != b"%PDF-1.4 half"
    assert {p.name for p in out.iterdir()} - before - {"report.pdf"} == set()  # no temporary file left
    child = int((fake.parent / "child.pid").read_text())
    assert not _alive(child), "Chromium's child process outlived the timeout"


@pytest.mark.parametrize("chromium", ["exit 3", None])
def test_no_pdf_is_an_error_of_one_line(small_report, tmp_path, chromium):
    """A Chromium that fails, or none at all: one line naming the cause, exit 1, the HTML report kept."""
    out, nbs = small_report
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    if chromium:
        (bin_ / "chromium").write_text(f"#!/bin/sh\n{chromium}\n")
        (bin_ / "chromium").chmod(0o755)
    proc = _build_pdf(out, nbs, env={"PATH": str(bin_)})
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    expected = "exited with 3 without writing a PDF" if chromium else "no Chromium found"
    assert len(errors) == 1 and expected in errors[0] and "Traceback" not in proc.stderr, proc.stderr
    assert (out / "index.html").is_file()
