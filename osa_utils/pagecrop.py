"""The report page's crop of each figure: the PNG without its title and source blocks.

The page shows each figure once with its title and source as text (the figcaption), so it shows a
crop of the saved PNG (:func:`crop_caption`). Cropping means decoding and encoding the PNG again
(about 2 s of CPU for the collection's 34 figures), which the report's assembly used to do after
the last notebook, on one core. Now the build's worker crops a notebook's figures as soon as that
notebook has run (:func:`prepare`, in parallel with the other notebooks), into its cache entry,
named by a hash of what the crop is made from; the assembly reads them (:func:`cropped`) and crops
only what it does not find there (an entry of an older build, a crop that failed). A notebook
reused from the last build brings its crops along with its entry. The same input gives the same
bytes either way.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path

from . import outputmeta
from .text import text

#: The folder of a notebook's cache entry that holds its crops.
FOLDER = "page-crops"
#: Written where the crop is None (the rows do not fit the image): the page shows the whole image.
NO_CROP = b""


def crop_caption(raw: bytes, rows, dpi) -> bytes | None:
    """The PNG *raw* without its title block and source block (*rows*: their pixel rows, recorded at
    save time, see :func:`osa_utils.figures.caption_rows`), and without the blank columns either side
    the two blocks leave (a margin of 0.12 in is kept, as the saved figure's own): the report's
    figcaption carries the title and the source as text, so the page shows each once. The result is
    a PNG of the same resolution; the same input gives the same bytes. None when *rows* do not fit
    the image (a notebook edited by hand): the page then shows the whole image.
    """
    import io

    import numpy as np
    from PIL import Image

    try:
        title, source = rows["title"], rows["source"]
        top, bottom = int(title[1]), int(source[0])
        dpi = float(dpi)
        img = Image.open(io.BytesIO(raw))
        img.load()
    except (KeyError, TypeError, ValueError, IndexError, OverflowError, OSError):
        return None  # rows or dpi of a notebook edited by hand (NaN, Infinity, text), or not an image
    width, height = img.size
    if not (0 < top < bottom < height) or not (math.isfinite(dpi) and dpi > 0):
        return None
    band = img.crop((0, top, width, bottom))
    cols = ink_columns(np.asarray(band.convert("RGB")))
    if len(cols):
        pad = round(0.12 * float(dpi))
        band = band.crop((max(0, int(cols[0]) - pad), 0, min(width, int(cols[-1]) + 1 + pad), band.height))
    buf = io.BytesIO()
    band.save(buf, format="PNG", dpi=(float(dpi), float(dpi)))
    return buf.getvalue()


def png_size(data: bytes) -> tuple[int, int, float | None]:
    """(width, height, dots per inch or None) of a PNG, from its IHDR and pHYs chunks."""
    import struct

    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return 0, 0, None
    width, height = struct.unpack(">II", data[16:24])
    dpi, pos = None, 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"pHYs" and length >= 9:
            x, _, unit = struct.unpack(">IIB", data[pos + 8 : pos + 17])
            dpi = float(round(x * 0.0254)) if unit == 1 else None  # stored per metre: 150 dpi -> 5906 -> 150
            break
        if kind in (b"IDAT", b"IEND"):
            break
        pos += 12 + length
    return width, height, dpi


def ink_columns(rgb):
    """The indexes of the columns of the RGB array *rgb* (rows, columns, 3; bytes) with ink: a pixel
    darker than 247 in a channel (255 - 8). The rows are reduced first, on bytes, about ten times
    quicker than the per-pixel maximum of ``255 - value`` it replaced (the same columns, a test says)."""
    import numpy as np

    return np.flatnonzero((rgb < 247).any(axis=0).any(axis=-1))


@functools.lru_cache(maxsize=1)
def _maker() -> bytes:
    """What else the bytes of a crop depend on: this module's code and the versions of Pillow (its PNG
    encoder) and numpy, so a crop made by other code is not taken for this code's (a chapter kept
    with ``--only`` brings the crops of the build that made it)."""
    import numpy
    import PIL

    return hashlib.sha256(Path(__file__).read_bytes()).digest() + f"{PIL.__version__} {numpy.__version__}".encode()


def key(raw: bytes, rows, dpi) -> str:
    """The name of the crop of *raw* with *rows* at *dpi*: a hash of all three and of :func:`_maker`."""
    h = hashlib.sha256(_maker())
    h.update(raw)
    h.update(json.dumps([rows, dpi], sort_keys=True, default=str).encode())
    return h.hexdigest()


def cropped(raw: bytes, rows, dpi, folder: Path | None = None) -> bytes | None:
    """:func:`crop_caption` of *raw*, read from *folder* when :func:`prepare` made it there."""
    if folder is not None:
        with contextlib.suppress(OSError):
            data = (Path(folder) / f"{key(raw, rows, dpi)}.png").read_bytes()
            return data if data != NO_CROP else None
    return crop_caption(raw, rows, dpi)


def crop_inputs(out: dict) -> tuple[bytes, object, object] | None:
    """(PNG, caption rows, dpi) of a notebook output the page shows cropped, or None: not a figure
    with a caption, a hint for the notebook's user only, or an image that is not valid base64 (the
    page says so instead of showing it). The dpi is the output's, else the PNG's own."""
    data = out.get("data", {})
    osa = outputmeta.of(out)
    if out.get("output_type") in ("error", "stream") or osa.get("notebook_only") or "image/png" not in data:
        return None
    if not text(osa.get("caption")):
        return None
    png = data["image/png"]
    try:
        raw = base64.b64decode(("".join(png) if isinstance(png, list) else png or "").strip(), validate=True)
    except ValueError:
        return None
    return raw, osa.get("caption_rows"), output_dpi(osa) or png_size(raw)[2]


def output_dpi(osa: Mapping[str, object]) -> float | None:
    """The dpi an output's metadata gives, if it is a number above 0 (not NaN, Infinity or text)."""
    dpi = osa.get("dpi")
    ok = isinstance(dpi, (int, float)) and not isinstance(dpi, bool) and math.isfinite(dpi) and dpi > 0
    return dpi if ok else None  # type: ignore[return-value]


#: A larger image is left to the assembly, as every crop was before: the workers decode their
#: notebooks' images while kernels run beside them (the collection's largest is about 3 million pixels).
WORKER_MAX_PIXELS = 40_000_000


def _pixels(raw: bytes) -> int:
    width, height, _ = png_size(raw)
    return width * height


def prepare(executed: Path, folder: Path) -> int:
    """Crop every figure of the executed notebook *executed* into *folder* (made if needed); the
    number of crops written. Written whole or not at all (a temporary name, then renamed)."""
    nb = json.loads(Path(executed).read_text(encoding="utf-8"))
    written = 0
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            inputs = crop_inputs(out)
            if inputs is None or _pixels(inputs[0]) > WORKER_MAX_PIXELS:
                continue
            path = Path(folder) / f"{key(*inputs)}.png"
            if path.exists():
                continue
            result = crop_caption(*inputs)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                tmp.write_bytes(NO_CROP if result is None else result)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)  # a full disk: no half-written file left in the entry
            written += 1
    return written
