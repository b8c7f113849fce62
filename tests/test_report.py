"""The regenerated report of the real collection, opened in a real browser."""

from __future__ import annotations

import pytest
from conftest import chromium_or_skip

from osa_utils.pdf import CHROMIUM_FLAGS

pytestmark = pytest.mark.slow


def test_report_sections(built, package):
    html = (built.out / "index.html").read_text(encoding="utf-8")
    for anchor in ("reproduction-status", "errata", "references", "data", "build", "toc"):
        assert f'id="{anchor}"' in html
    assert "Tim Rühlig (ed.)" in html and "January 2023" in html and "Digital Power China" in html
    for r in built.results:
        assert f'id="nb-{r.name}"' in html and (built.out / "notebooks" / f"{r.name}.html").exists()
    # every reproducible figure is in the report, with its status badge
    figs = package["figures"]
    for f in figs[figs["status"] != "not_reproducible"].itertuples():
        base = f.figure_id.replace(".", "-")
        if f.kind == "box":  # prose in the report: only this collection's chart of it is shown
            assert f"fig-{base}-chart." in html, f.figure_id
        else:
            assert f"fig-{base}." in html or f"tab-{base}." in html, f.figure_id
    for fid in figs[figs["status"] == "not_reproducible"]["figure_id"]:
        assert f"Figure {fid} –" in html  # said plainly: not reproduced
    # the data section lists every table with its SHA-256

    assert html.count("SHA-256") >= len(package)
    # figures resting on footnotes link them; every footnote has an anchor
    assert 'footnotes <a href="#fn-7">7</a>' in html  # Box 1 (note 7)
    assert all(f'id="fn-{n}"' in html for n in (1, 134, 270))
    # the bibliography: one entry per cited work, rendered by citeproc-py, linked both ways
    import re

    assert html.count('<li id="work-') == len(package["sources"])
    for target in set(re.findall(r'href="#(work-[^"]+|fn-\d+)"', html)):
        assert f'id="{target}"' in html, target
    assert "Abrami, Regina M., William C. Kirby, and F. Warren McFarlan." in html  # names not initialised
    assert 'src="http' not in html and "<script" not in html.lower()  # self-contained, no scripts


def test_report_in_a_real_browser(built, tmp_path_factory):
    exe = chromium_or_skip("installed (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    shot = tmp_path_factory.mktemp("screenshot") / "report.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((built.out / "index.html").as_uri(), wait_until="load")
        images = page.evaluate("Array.from(document.images).map(i => [i.alt, i.complete && i.naturalWidth > 0])")
        broken_toc = page.evaluate(
            "Array.from(document.querySelectorAll('#toc a')).map(a => a.getAttribute('href'))"
            ".filter(h => !h.startsWith('#') || !document.getElementById(h.slice(1)))"
        )
        page.screenshot(path=str(shot), full_page=False)
        # A narrow window (800 px): the page reflows, nothing makes the whole page scroll sideways
        # (a wide table scrolls inside itself, long URLs in the references break).
        page.set_viewport_size({"width": 800, "height": 1600})
        narrow_width = page.evaluate("document.documentElement.scrollWidth")
        narrow = shot.with_name("report-800.png")
        page.screenshot(path=str(narrow), full_page=False)
        browser.close()
    assert len(images) >= 25
    assert [alt for alt, ok in images if not ok] == []
    assert broken_toc == []
    assert errors == []
    assert shot.stat().st_size > 10_000
    assert narrow_width <= 800, f"at 800 px the page is {narrow_width} px wide"
    assert narrow.stat().st_size > 10_000
    print(f"screenshots: {shot}, {narrow}")


def _blocks(html: str) -> list[tuple[str, str, str]]:
    """(kind, id, HTML) of every figure and table block of the chapters."""
    import re

    out = [("fig", m.group(1), m.group(0)) for m in re.finditer(r'<figure id="fig-([^"]+)">.*?</figure>', html, re.S)]
    out += [
        ("tab", m.group(1), m.group(0))
        for m in re.finditer(r'<div class="table" id="tab-([^"]+)">.*?<p class="source">.*?</p></div>', html, re.S)
    ]
    return out


def test_no_chart_of_this_collection_wears_the_reproduced_badge(built, package):
    """Only a figure the report contains may carry the 'reproduced' badge; this collection's charts of the
    report's tables are shown as 'chart drawn by this collection'."""
    html = (built.out / "index.html").read_text(encoding="utf-8")
    report_ids = set(package["figures"]["figure_id"])
    sup = package["supplementary_figures"].set_index("figure_id")
    blocks = _blocks(html)
    assert len(blocks) >= 40
    seen = set()
    for kind, fid, block in blocks:
        seen.add(fid)
        if "status-reproduced" in block:
            assert fid in report_ids, f"{kind} {fid} is not a figure of the report but is badged reproduced"
        if fid in sup.index and sup.loc[fid, "status"] == "derived_chart":
            assert "chart drawn by this collection" in block and "status-derived_chart" in block, fid
    assert {f"{t}-chart" for t in ("2.1", "2.2", "5.4", "box1")} <= seen
    assert "5.3" not in seen  # not reproducible: nothing drawn under its number


def test_figures_at_one_scale_with_caption_alt_and_status(built):
    """Every figure is shown at REPORT_PX_PER_INCH (same type size in all), its alt text is the caption plus a
    sentence, and its figcaption carries caption, source and status as text."""
    import base64
    import html as htmllib
    import re

    from osa_utils.report import REPORT_PX_PER_INCH, png_size

    page = (built.out / "index.html").read_text(encoding="utf-8")
    figures = [b for b in _blocks(page) if b[0] == "fig"]
    assert len(figures) >= 30
    for _, fid, block in figures:
        img = re.search(r'<img alt="([^"]*)" src="data:image/png;base64,([^"]+)" width="(\d+)">', block)
        assert img, f"{fid}: no img with alt, src and width"
        alt, data, width = htmllib.unescape(img.group(1)), img.group(2), int(img.group(3))
        w, _, dpi = png_size(base64.b64decode(data))
        assert dpi, f"{fid}: the PNG states no resolution"
        assert width == round(w * REPORT_PX_PER_INCH / dpi), fid
        assert width <= 960, f"{fid} is {width} px wide: wider than the column, it would be scaled"
        if fid.startswith("assessment-"):
            continue  # the worked example of new_assessment captions itself in the image
        caption = re.search(r'<strong class="caption">(.*?)</strong>', block, re.S)
        assert caption, fid
        text = htmllib.unescape(caption.group(1))
        assert alt.startswith(text.rstrip(".")) and len(alt) > len(text) + 20, (fid, alt)
        assert 'class="source fig-source">Source: ' in block and "Status: " in block, fid
