"""The page's figure crops, made by the build's workers as each notebook ends (osa_utils.pagecrop):
the same bytes as the assembly's own crop, read by the assembly, and a rule for ink that is the
one it replaced."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from osa_utils import outputmeta, pagecrop
from osa_utils import report as R


@settings(max_examples=200, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 9), st.just(3)), elements=st.integers(238, 255)))
def test_the_ink_columns_are_those_of_the_former_per_pixel_maximum(rgb):
    """A column has ink where some pixel of it has a channel under 247: the same columns as the
    per-pixel maximum of 255 - value over 8 that the crop used before (values near the edge drawn)."""
    former = np.flatnonzero(((255 - rgb.astype(np.int16)).max(axis=-1) > 8).any(axis=0))
    assert np.array_equal(pagecrop.ink_columns(rgb), former)


def _figure_png(tmp_path, dpi=100):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from osa_utils import figures as F
    from osa_utils import style

    style.apply()
    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.bar(["a", "b"], [1, 2])
    texts = style.add_caption(fig, "Figure 9.9 – A title", "Source: x.")
    (png,) = F.save(fig, "9.9", tmp_path, ("png",), dpi)
    rows = F.caption_rows(texts, F.tight_bbox(fig, dpi), dpi)
    plt.close(fig)
    return png.read_bytes(), rows


def _output(raw: bytes, rows, caption="Figure 9.9 – A title", **meta) -> dict:
    metadata = outputmeta.figure("9.9", ["fig-9-9.png"], 100, caption=caption, caption_rows=rows, **meta)
    return {"output_type": "display_data", "data": {"image/png": base64.b64encode(raw).decode()}, "metadata": metadata}


def _notebook(path, outputs) -> None:
    path.write_text(
        json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": "", "outputs": outputs}]}),
        encoding="utf-8",
    )


def test_prepare_writes_the_assemblys_crop_and_the_assembly_reads_it(tmp_path):
    raw, rows = _figure_png(tmp_path)
    bad_rows = {"title": [0, 1], "source": [10**6, 10**6 + 1]}  # does not fit: no crop, whole image
    nb = tmp_path / "executed.ipynb"
    _notebook(nb, [_output(raw, rows), _output(raw, bad_rows), _output(raw, rows, caption="")])
    folder = tmp_path / pagecrop.FOLDER
    assert pagecrop.prepare(nb, folder) == 2  # the uncaptioned output is shown whole: nothing to crop
    assert pagecrop.prepare(nb, folder) == 0  # already there
    made = (folder / f"{pagecrop.key(raw, rows, 100)}.png").read_bytes()
    assert made == pagecrop.crop_caption(raw, rows, 100) and made[:8] == b"\x89PNG\r\n\x1a\n"
    assert (folder / f"{pagecrop.key(raw, bad_rows, 100)}.png").read_bytes() == pagecrop.NO_CROP
    assert not list(folder.glob("*.tmp"))

    status: dict = {}
    footnotes: dict = {}

    def part_of(rows_, crops):
        part = R.output_part(_output(raw, rows_), status, footnotes, None, crops)
        assert part is not None
        return part

    part = part_of(rows, folder)
    assert part["cropped"] and base64.b64decode(part["src"].split(",", 1)[1]) == made
    assert part_of(bad_rows, folder)["cropped"] is False
    # the assembly takes the file it finds (a stand-in PNG proves it read it) ...
    (folder / f"{pagecrop.key(raw, rows, 100)}.png").write_bytes(raw)
    part = part_of(rows, folder)
    assert base64.b64decode(part["src"].split(",", 1)[1]) == raw
    # ... and crops itself where there is none (an entry of an older build)
    part = part_of(rows, tmp_path / "none-here")
    assert base64.b64decode(part["src"].split(",", 1)[1]) == made


def test_a_key_names_the_image_the_rows_and_the_resolution():
    rows = {"title": [0, 10], "source": [50, 60]}
    k = pagecrop.key(b"png", rows, 100)
    assert k == pagecrop.key(b"png", json.loads(json.dumps(rows)), 100)
    assert len({k, pagecrop.key(b"png2", rows, 100), pagecrop.key(b"png", rows, 150)}) == 3
    assert pagecrop.key(b"png", {"title": [0, 11], "source": [50, 60]}, 100) != k


@pytest.mark.slow
def test_the_builds_crops_are_the_assemblys_own(built):
    """Every figure of the built collection that the page shows cropped has its crop in its
    notebook's cache entry, made by the worker, and it is the crop the assembly would make."""
    seen = 0
    for entry in sorted((built.out / ".cache").iterdir()):
        nb = entry / "executed.ipynb"
        if not nb.exists():
            continue
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            for out in cell.get("outputs", []):
                inputs = pagecrop.crop_inputs(out)
                if inputs is None:
                    continue
                made = (entry / pagecrop.FOLDER / f"{pagecrop.key(*inputs)}.png").read_bytes()
                assert made == (pagecrop.crop_caption(*inputs) or pagecrop.NO_CROP), entry.name
                seen += 1
    assert seen >= 30  # the collection's captioned figures (34 on 2026-12-08)


def test_an_output_the_page_leaves_out_or_cannot_decode_has_no_crop():
    rows = {"title": [0, 10], "source": [50, 60]}
    assert pagecrop.crop_inputs(_output(b"x", rows, notebook_only=True)) is None
    broken = _output(b"x", rows)
    broken["data"]["image/png"] = "not base64 !"
    assert pagecrop.crop_inputs(broken) is None
    assert pagecrop.crop_inputs({"output_type": "stream", "text": "x"}) is None
    assert pagecrop.crop_inputs({"output_type": "display_data", "data": {}}) is None


def test_a_full_disk_leaves_no_half_written_crop(tmp_path, monkeypatch):
    """The worker ignores a failed crop (the assembly makes it), but leaves no temporary file in the
    notebook's cache entry, which the report publishes."""
    from pathlib import Path

    raw, rows = _figure_png(tmp_path)
    nb = tmp_path / "executed.ipynb"
    _notebook(nb, [_output(raw, rows)])
    real = Path.write_bytes

    def full(self, data):
        real(self, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(OSError):
        pagecrop.prepare(nb, tmp_path / "crops")
    monkeypatch.undo()
    assert list((tmp_path / "crops").iterdir()) == []


def test_a_crop_made_by_other_code_is_not_taken_for_this_codes(tmp_path, monkeypatch):
    """The name of a crop covers the code and the libraries that made it: a chapter kept with --only
    from a build of other code brings crops under other names, which the assembly does not read."""
    rows = {"title": [0, 10], "source": [50, 60]}
    now = pagecrop.key(b"png", rows, 100)
    pagecrop._maker.cache_clear()
    monkeypatch.setattr(pagecrop, "_maker", lambda: b"other code")
    assert pagecrop.key(b"png", rows, 100) != now


def test_an_image_too_large_for_a_worker_is_left_to_the_assembly(tmp_path, monkeypatch):
    raw, rows = _figure_png(tmp_path)
    nb = tmp_path / "executed.ipynb"
    _notebook(nb, [_output(raw, rows)])
    monkeypatch.setattr(pagecrop, "WORKER_MAX_PIXELS", 10)
    assert pagecrop.prepare(nb, tmp_path / "crops") == 0
    assert pagecrop.cropped(raw, rows, 100, tmp_path / "crops") == pagecrop.crop_caption(raw, rows, 100)


@pytest.mark.parametrize(
    "meta",
    [
        {"dpi": float("nan")},
        {"dpi": float("inf")},
        {"dpi": "100"},
        {"caption_rows": {"title": [0, float("inf")], "source": [50, 60]}},
        {"caption_rows": {"title": [0, float("nan")], "source": [50, 60]}},
    ],
)
def test_a_hand_edited_dpi_or_row_shows_the_whole_image(tmp_path, meta):
    """NaN, Infinity or text where the dpi or a caption row belongs (JSON allows NaN and Infinity):
    the page shows the whole image, at the PNG's own dpi, instead of the assembly failing."""
    raw, rows = _figure_png(tmp_path)
    out = _output(raw, rows)
    out["metadata"]["osa"].update(meta)
    part = R.output_part(json.loads(json.dumps(out)), {}, {}, None, None)
    assert part is not None and part["kind"] == "figure"
    shown = base64.b64decode(part["src"].split(",", 1)[1])
    if "caption_rows" in meta:
        assert part["cropped"] is False and shown == raw
    assert part["width"] == R.display_width(shown) == R.display_width(shown, 100)  # at the PNG's own dpi
