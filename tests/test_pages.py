"""Every HTML page the tool writes is inert and offline (issue 9, part F; finding 2)."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import chromium_or_skip

from osa_utils.pages import CSP, render, sanitize


def active_content(html: str) -> list[str]:
    """Script elements, event-handler attributes and script/remote URLs, as a browser parses them."""
    from html.parser import HTMLParser

    found = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ("script", "iframe", "object", "embed", "base"):
                found.append(f"<{tag}>")
            for name, value in attrs:
                v = (value or "").strip().lower()
                if name.startswith("on"):
                    found.append(f"{tag}[{name}]")
                if name in ("src", "href", "action", "srcset") and (
                    v.startswith(("javascript:", "http:", "https:", "//"))
                    and not (tag == "a" and name == "href")
                    or v.startswith("javascript:")
                ):
                    found.append(f"{tag}[{name}={v[:40]}]")

    P().feed(html)
    return found


PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a>'


def test_sanitizer_keeps_the_collections_markup_and_drops_active_content():
    png = "data:image/png;base64,iVBORw0KGgo="
    ours = (
        f'<figure id="fig-2-2" class="x"><img alt="Figure 2.2" src="{png}"><figcaption class="source">'
        '<span class="status status-reproduced">reproduced</span> <a href="#fn-7">7</a> '
        '<a href="notebooks/02.html">nb</a> <a href="https://example.org/">w</a></figcaption></figure>'
        '<table class="osa-table"><tbody><tr><td class="num">4</td></tr></tbody></table>'
    )
    assert sanitize(ours) == ours
    cleaned = sanitize(
        PAYLOAD + '<img src="data:text/html;base64,PHNjcmlwdD4=">'
        '<img src="https://cdn.example/x.png"><div onclick="x()" style="color:red">t</div>'
        "<style>body{}</style><iframe src='https://x'></iframe>"
    )
    for bad in ("<script", "onerror", "javascript:", "data:text", "https://cdn", "onclick", "style", "iframe"):
        assert bad not in cleaned, bad
    assert "alert(1)" not in cleaned  # the script's text is gone, not only its tags


def test_the_checker_sees_active_content():
    assert active_content(PAYLOAD) == ["<script>", "img[onerror]", "a[href=javascript:alert(3)]"]
    assert active_content('<img src="https://cdn.example/x.js">') == ["img[src=https://cdn.example/x.js]"]
    assert active_content('<a href="https://example.org">ok</a><p class="x">t</p>') == []


def test_templates_escape_by_default():
    html = render("chapter.html.j2", title=PAYLOAD, name="x", body=PAYLOAD, code_css="")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html


def test_csp_forbids_scripts_and_remote_loads():
    rules = dict(r.strip().split(" ", 1) for r in CSP.split(";"))
    assert rules["script-src"] == "'none'" and rules["default-src"] == "'none'"
    assert rules["img-src"] == "data:" and rules["style-src"] == "'unsafe-inline'"


def _set_status_reason(data_dir, figure_id, value):
    path = data_dir / "figures.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    i = [r[0] for r in rows].index(figure_id)
    rows[i][rows[0].index("status_reason")] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.mark.slow
def test_injected_markup_in_the_data_stays_inert_in_every_page(data_copy, tmp_path):
    """Finding 2: a status_reason of Figure 3.1 holding a script reached 03_6g.html raw and ran."""
    from osa_utils.build import run

    _set_status_reason(data_copy, "3.1", PAYLOAD)
    # the payload is text: PNG at screen resolution is enough to carry it into every page
    result = run(data_copy, tmp_path / "report", only=["03_6g"], jobs=1, overrides={"formats": "png", "dpi": 72})
    assert not result.failed
    pages = [result.out / "index.html", *sorted((result.out / "notebooks").glob("*.html"))]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert f'content="{CSP}"' in html, page.name
        assert active_content(html) == [], page.name
        assert "require.js" not in html and "MathJax" not in html
    assert "alert(1)" in (result.out / "index.html").read_text(encoding="utf-8")  # shown, as text
    exe = chromium_or_skip("to open the pages in")
    from playwright.sync_api import Dialog, Request, sync_playwright

    from osa_utils.pdf import CHROMIUM_FLAGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        tab = browser.new_page()
        dialogs: list[str] = []
        requests: list[str] = []

        def on_dialog(d: Dialog) -> None:
            dialogs.append(d.message)
            d.dismiss()

        def on_request(r: Request) -> None:
            if not r.url.startswith(("file:", "data:")):
                requests.append(r.url)

        tab.on("dialog", on_dialog)
        tab.on("request", on_request)
        for path in pages:
            tab.goto(path.as_uri(), wait_until="load")
            tab.wait_for_timeout(300)
        browser.close()
    assert dialogs == [] and requests == []
