"""The report page as a reader sees it: figures at their size, one title and one source each, a
permalink and download links per figure and table, and no words addressed to a developer.

The cheap tests draw a figure in-process; the others open the built collection (the shared ``built``
fixture) in headless Chromium, as test_report.py does.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest

from osa_utils import outputmeta
from osa_utils import report as R


def _ink(rgb):
    """Pixels that are not the white background (as figures.edge_ink counts them)."""
    import numpy as np

    return (255 - np.asarray(rgb.convert("RGB"), dtype=np.int16)).max(axis=-1) > 8


def _captioned_figure(tmp_path, dpi=100):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from osa_utils import figures as F
    from osa_utils import style

    style.apply()
    fig, ax = plt.subplots(figsize=(5, 2.5))
    ax.bar(["a", "b"], [1, 2])
    texts = style.add_caption(fig, "Figure 9.9 – A title long enough to be wider than the chart " * 2, "Source: x.")
    (png,) = F.save(fig, "9.9", tmp_path, ("png",), dpi)
    bbox = F.tight_bbox(fig, dpi)
    rows = F.caption_rows(texts, bbox, dpi)
    plt.close(fig)
    return png.read_bytes(), rows


def test_caption_rows_hold_the_title_and_source_and_the_page_crop_leaves_them_out(tmp_path):
    """figures.caption_rows gives the PNG rows of the title block and the source block; the report's
    crop keeps the rows between them (the chart), with no ink of either, at the same resolution,
    the same bytes every time."""
    import numpy as np
    from PIL import Image

    raw, rows = _captioned_figure(tmp_path)
    full = Image.open(io.BytesIO(raw))
    ink = _ink(full)
    (t0, t1), (s0, s1) = rows["title"], rows["source"]
    assert 0 <= t0 < t1 < s0 < s1 <= full.height
    assert ink[t0:t1].any() and ink[s0:s1].any()  # the blocks are where the rows say
    assert not ink[:t0].any() and not ink[s1:].any()  # and nothing of theirs outside
    assert ink[t1:s0].any()  # the chart is between them
    cropped = R.crop_caption(raw, rows, 100)
    assert cropped is not None and cropped == R.crop_caption(raw, rows, 100)
    img = Image.open(io.BytesIO(cropped))
    assert img.height == s0 - t1 and img.width < full.width  # the title's blank width is trimmed
    assert R.png_size(cropped)[2] == 100.0
    # the crop is the band of the saved image, pixel for pixel (found where its first column of ink is)
    band = np.asarray(full.convert("RGB"))[t1:s0]
    got = np.asarray(img.convert("RGB"))
    x = next(x for x in range(band.shape[1] - got.shape[1] + 1) if (band[:, x : x + got.shape[1]] == got).all())
    assert x >= 0
    # rows that do not fit the image: the page shows the whole image
    assert R.crop_caption(raw, {"title": [0, 10], "source": [full.height + 5, full.height + 9]}, 100) is None
    assert R.crop_caption(raw, None, 100) is None


def test_notebook_only_cells_and_outputs_stay_out_of_the_report():
    """A Markdown cell tagged notebook-only and an output marked notebook_only (parameter hints) are in
    the notebook but not on the report page."""
    from types import SimpleNamespace

    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Title\n\nFor the reader."},
            {"cell_type": "markdown", "metadata": {"tags": [R.NOTEBOOK_ONLY]}, "source": "Set `matrix_colours`."},
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [
                    {
                        "output_type": "display_data",
                        "data": {"text/markdown": "Pass `authorships_csv`."},
                        "metadata": outputmeta.notebook_only(),
                    },
                    {"output_type": "display_data", "data": {"text/markdown": "Not reproduced."}, "metadata": {}},
                ],
            },
        ]
    }
    result = SimpleNamespace(name="nb", state="ran", duration=1.0, error=None, stale_output=False)
    html = " ".join(str(p.get("html", "")) for p in R.chapter(nb, result, {}, {})["parts"])
    assert "For the reader." in html and "Not reproduced." in html
    assert "matrix_colours" not in html and "authorships_csv" not in html


def test_download_links_only_for_files_that_exist():
    names = ["fig-1-1.svg", "fig-1-1.png", "fig-1-1.csv", "fig-1-1.pdf"]
    links = R.downloads(names, {"figures/fig-1-1.png", "figures/fig-1-1.csv", "figures/fig-1-1.pdf"})
    assert [d["label"] for d in links] == ["PNG", "PDF", "data (CSV)"]
    assert all(d["href"] == f"figures/{d['name']}" for d in links)  # relative: the folder can move
    assert R.downloads(["../../etc/passwd.csv"], None) == []


# ----------------------------------------------------------------------------- the built page
@pytest.fixture
def browse(built):
    """browse(width): the built report opened in headless Chromium in a window *width* px wide."""
    from conftest import chromium_or_skip
    from playwright.sync_api import sync_playwright

    from osa_utils.pdf import CHROMIUM_FLAGS

    exe = chromium_or_skip("installed (Debian: apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=[f for f in CHROMIUM_FLAGS if f != "--headless"])

        def at(width):
            page = browser.new_page(viewport={"width": width, "height": 1200})
            page.goto((built.out / "index.html").as_uri(), wait_until="load")
            return page

        yield at
        browser.close()


#: Each shown figure: id, drawn width, width at 96 px per inch, visible titles and source lines in it.
FIGURES_JS = """Array.from(document.querySelectorAll('section.chapter figure')).map(f => {
  const img = f.querySelector('img');
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  return {id: f.id, drawn: img.getBoundingClientRect().width, natural: +img.getAttribute('width'),
          titles: Array.from(f.querySelectorAll('.caption')).filter(shown).map(e => e.innerText),
          sources: Array.from(f.querySelectorAll('.fig-source')).filter(shown).length,
          src: img.getAttribute('src')};
})"""


def test_no_figure_is_scaled_down_at_1280_px(built, browse):
    """At a 1280 px window every figure is drawn at its natural size (its size in inches at 96 CSS px
    per inch, the width attribute); at 800 px a figure wider than the column scales down with it,
    keeping the page from scrolling sideways (the rule stated in style.css and the README)."""
    wide = browse(1280)
    figures = wide.evaluate(FIGURES_JS)
    assert len(figures) >= 30
    scaled = [(f["id"], f["drawn"], f["natural"]) for f in figures if f["drawn"] < f["natural"] - 0.5]
    assert scaled == [], f"figures scaled down at 1280 px: {scaled}"
    narrow = browse(800)
    column = narrow.evaluate("document.querySelector('section.chapter').clientWidth")
    for f in narrow.evaluate(FIGURES_JS):
        assert f["drawn"] <= column + 0.5, f["id"]
        assert abs(f["drawn"] - min(f["natural"], column)) < 1.5, (f["id"], f["drawn"], f["natural"], column)


def _captioned_outputs(built) -> dict[str, outputmeta.OutputMeta]:
    """figure id -> the osa metadata of its PNG output in the executed notebooks (those with a caption)."""
    found = {}
    for nb in sorted((built.out / "notebooks").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            for out in cell.get("outputs", []):
                meta = outputmeta.of(out)
                if "image/png" in out.get("data", {}) and meta.get("caption"):
                    found[str(meta["figure_id"])] = meta
    return found


def test_each_figure_has_one_title_and_one_source_on_the_page(built, browse):
    """The page shows a figure's title once (its figcaption) and its source line once (under it): the
    image on the page is the saved PNG without its title and source blocks, which the standalone
    files in figures/ keep (a file shared alone says what it is and where it comes from)."""
    import numpy as np
    from PIL import Image

    captioned = _captioned_outputs(built)
    assert len(captioned) >= 30
    figures = {f["id"]: f for f in browse(1280).evaluate(FIGURES_JS)}
    for fid, meta in captioned.items():
        f = figures[f"fig-{fid}"]
        assert f["titles"] == [meta["caption"]], (fid, f["titles"])
        assert f["sources"] == 1, fid
        shown = Image.open(io.BytesIO(base64.b64decode(f["src"].split(",", 1)[1]))).convert("RGB")
        saved = Image.open(built.out / "figures" / f"{Path(meta['files'][0]).stem}.png").convert("RGB")
        page, file = np.asarray(shown), np.asarray(saved)
        assert page.shape[0] < file.shape[0], f"{fid}: the page shows the whole saved image, title and source included"
        # the page's image is a band of the file's; the file has ink (title, source) above and below it
        rows = [y for y in range(file.shape[0] - page.shape[0] + 1) if _band_at(file, page, y)]
        assert rows, f"{fid}: the page's image is not a band of the saved PNG"
        ink = _ink(saved)
        assert ink[: rows[0]].any() and ink[rows[0] + page.shape[0] :].any(), fid


def _band_at(file, page, y) -> bool:
    """Whether *page* equals the part of *file* from row *y* (at some column)."""
    h, w = page.shape[:2]
    mid = h // 2
    return any(
        (file[y + mid, x : x + w] == page[mid]).all() and (file[y : y + h, x : x + w] == page).all()
        for x in range(file.shape[1] - w + 1)
    )


def test_every_figure_and_table_has_a_permalink_and_working_downloads(built, browse):
    """Each figure and table has a unique anchor from its id with a visible permalink to it, links to
    its files in figures/ (PNG, SVG, the data CSV where the build wrote one, a table's CSV) and to its
    notebook; every link is relative and resolves to a file of the report; every file an output lists
    is in the report's figures/."""
    page = browse(1280)
    blocks = page.evaluate(
        """Array.from(document.querySelectorAll('section.chapter figure, section.chapter div.table')).map(b => ({
          id: b.id,
          permalinks: Array.from(b.querySelectorAll('a.permalink')).filter(a => a.getClientRects().length)
                        .map(a => a.getAttribute('href')),
          links: Array.from(b.querySelectorAll('.links a:not(.permalink)')).map(a => a.getAttribute('href')),
        }))"""
    )
    assert len(blocks) >= 40
    ids = [b["id"] for b in blocks]
    assert len(ids) == len(set(ids)), "an anchor is used twice"
    # the reproduction status links the figures it lists to where the page shows them
    status_links = page.evaluate(
        "Array.from(document.querySelectorAll('#reproduction-status a')).map(a => a.getAttribute('href'))"
    )
    placeholders = page.evaluate("Array.from(document.querySelectorAll('div.placeholder')).map(d => d.id)")
    assert len(status_links) >= 30 and set(status_links) <= {f"#{i}" for i in [*ids, *placeholders]}
    on_disk = {p.name for p in (built.out / "figures").iterdir()}
    for b in blocks:
        assert b["permalinks"] == [f"#{b['id']}"], b
        kind, fid = b["id"].split("-", 1)
        stem = f"{kind}-{fid.replace('.', '-')}"
        expected = {f"figures/{stem}.{ext}" for ext in ("png", "svg", "csv", "html") if f"{stem}.{ext}" in on_disk}
        assert expected and expected <= set(b["links"]), (b["id"], expected, b["links"])
        assert any(h.startswith("notebooks/") and h.endswith(".html") for h in b["links"]), b["id"]
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    anchors = set(page.evaluate("Array.from(document.querySelectorAll('[id]')).map(e => e.id)"))
    for href in hrefs:
        if href.startswith("#"):
            assert href[1:] in anchors, f"link to a missing anchor: {href}"
            continue
        if href.startswith(("http://", "https://")):
            continue
        assert not href.startswith("/") and ":" not in href, href  # relative: the folder works moved
        assert (built.out / href).is_file(), f"link to a missing file: {href}"
    for nb in (built.out / "notebooks").glob("*.ipynb"):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            for out in cell.get("outputs", []):
                for name in outputmeta.files(out):
                    assert name in on_disk, f"{nb.stem} lists {name}, which the build did not copy"


def _parameter_names(project_root) -> set[str]:
    """The notebooks' parameter names that read as code (with an underscore), and the keyword of
    Figures 3.1/3.2."""
    from nbfixtures import assigned_names

    names = {"authorships_csv"}
    for nb in (project_root / "notebooks").glob("*.ipynb"):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                names |= {n for n in assigned_names("".join(cell["source"])) if "_" in n}
    return names


def test_no_parameter_name_and_no_empty_heading_in_the_readers_text(built, browse, project_root):
    """The chapters' visible text names no notebook parameter (hints for the notebook's user are
    notebook-only), has no section heading without content, and, without a user's input, no section
    for a user's reading."""
    names = _parameter_names(project_root)
    assert {"matrix_colours", "matrix_user_levels", "authorships_csv", "figures_dir"} <= names
    page = browse(1280)
    text = page.evaluate("Array.from(document.querySelectorAll('section.chapter')).map(s => s.innerText).join('\\n')")
    shown = sorted(n for n in names if re.search(rf"\b{re.escape(n)}\b", text))
    assert shown == [], f"parameter names in the reader's text: {shown}"
    assert "= True" not in text and '= "' not in text
    empty = page.evaluate(
        """Array.from(document.querySelectorAll('section.chapter')).flatMap(s => {
          const kids = Array.from(s.children), out = [];
          kids.forEach((h, i) => {
            if (!/^H[1-6]$/.test(h.tagName)) return;
            let j = i + 1, has = false;
            for (; j < kids.length; j++) {
              const k = kids[j];
              if (/^H[1-6]$/.test(k.tagName) && +k.tagName[1] <= +h.tagName[1]) break;
              if (k.innerText.trim() || k.querySelector('img')) { has = true; break; }
            }
            if (!has) out.push(h.innerText);
          });
          return out;
        })"""
    )
    assert empty == []
    assert "supplied by the user" not in text  # no user input in this build: no section for it


@pytest.mark.parametrize("colours", ["derived", "printed"])
def test_figure_0_1_saves_the_dots_it_draws(tmp_path, colours):
    """Figure 0.1's data CSV (the page's "data (CSV)" link) has one row per printed dot, and a level only
    where this collection reads one from a risk table and draws it (none with colours "printed")."""
    import pandas as pd

    from osa_utils.data import load_table
    from osa_utils.notebook import Chapter

    Chapter(None, tmp_path, "png", 50).threat_matrix("0.1", colours=colours)
    data = pd.read_csv(tmp_path / "fig-0-1.csv")
    printed = load_table("threat_matrix_printed")
    assert len(data) == printed["notifications"].sum()
    per_cell = data.groupby(["technology_id", "dimension_id"]).size()
    assert per_cell.to_dict() == printed.set_index(["technology_id", "dimension_id"])["notifications"].to_dict()
    if colours == "printed":
        assert data["level"].isna().all()
    else:
        techs = load_table("technologies")
        no_table = set(techs[techs["risk_table_figure"].isna()]["technology_id"])
        assert no_table and data[data["technology_id"].isin(no_table)]["level"].isna().all()
        assert data[~data["technology_id"].isin(no_table)]["level"].between(1, 4).all()


def test_a_figure_that_is_not_reproduced_keeps_its_anchor_and_permalink(built):
    """Figures 3.1, 3.2 and 5.3 (their data is not in the text) are a sentence on the page, under the figure's
    anchor with a permalink, and the Reproduction status table links to it (review of issue #21)."""
    html = (built.out / "index.html").read_text(encoding="utf-8")
    status = html.split('<section id="reproduction-status">', 1)[1].split("</section>", 1)[0]
    for fid in ("3.1", "3.2", "5.3"):
        block = html.split(f'<div class="placeholder" id="fig-{fid}">', 1)[1].split("</div>", 1)[0]
        assert "not reproduced" in block and f'href="#fig-{fid}"' in block, block[:300]
        assert f'<a href="#fig-{fid}">Figure {fid}</a>' in status
    assert '<a href="#fig-0.2">Figure 0.2</a>' in status, "the number without the printed trailing period"
