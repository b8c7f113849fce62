"""The regenerated report of the real collection, opened in a real browser."""
from __future__ import annotations

import os
import shutil

import pytest

from osa_utils.report import CHROMIUM_FLAGS, find_chromium

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
    for fid in figs[figs["status"] != "not_reproducible"]["figure_id"]:
        assert f"fig-{fid.replace('.', '-')}." in html or f"tab-{fid.replace('.', '-')}." in html, fid
    for fid in figs[figs["status"] == "not_reproducible"]["figure_id"]:
        assert f"Figure {fid} –" in html  # said plainly: not reproduced
    # the data section lists every table with its SHA-256
    from osa_utils.report import sha256

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
    exe = find_chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (.ci/run does)")
        pytest.skip("no Chromium installed (Debian: apt-get install chromium)")
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
            ".filter(h => !h.startsWith('#') || !document.getElementById(h.slice(1)))")
        page.screenshot(path=str(shot), full_page=False)
        browser.close()
    assert len(images) >= 25
    assert [alt for alt, ok in images if not ok] == []
    assert broken_toc == []
    assert errors == []
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
