"""Figure numbering, captions, provenance and deterministic saving.

A figure id is the report's number ("2.2", "box1") or a supplementary id of
this collection ("s3.1"); files are named ``fig-2-2.png`` / ``tab-2-2.csv``.
Saving is deterministic: no timestamps or software versions in the files, a
fixed ``svg.hashsalt`` and glyphs drawn as paths, so the same data and
parameters give the same bytes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from . import outputmeta

REPORT_REF = "Rühlig (ed.), Europe's Strategic Technology Autonomy from China, DPC 2023"
STATUS_WORDS = {
    "reproduced": "reproduced from the report's text",
    "reconstructed_from_text": "reconstructed from the text: the original diagram is lost",
    "partial": "partly reproduced: some values are not in the text",
    "not_reproducible": "not reproducible: the data is not in the text",
    "supplementary": "not a figure of the report: drawn by this collection from numbers the text states",
    "synthesis": "not a figure of the report: this collection's synthesis across the chapters' tables",
    "derived_chart": "chart drawn by this collection: the report prints a table (or prose), not this chart",
    "reading": "not a figure of the report: this collection's chart of what the text states in words, with this "
    "collection's reading of each stated finding (recorded in the data)",
}
#: Statuses of supplementary_figures.csv (outputs that are not figures of the report).
COLLECTION_STATUSES = ("supplementary", "synthesis", "derived_chart", "reading")


@dataclass(frozen=True)
class FigureInfo:
    figure_id: str
    number_printed: str
    caption: str
    status: str
    status_reason: str
    tables: tuple[str, ...]

    @property
    def header(self) -> str:
        """'Figure 2.2 – Main Chinese semiconductor technology-related risks' (number without trailing '.')."""
        return f"{self.number_printed.rstrip('.')} – {self.caption}"

    @property
    def of_report(self) -> bool:
        """True for a figure or box of the report (figures.csv), False for this collection's outputs."""
        return self.status not in COLLECTION_STATUSES

    @property
    def status_text(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)

    def source_line(self, tables=None, extra: str = "") -> str:
        """One line: where the content comes from (the report, its figure) and the data files.

        The status and any method note are not part of it: they go to the caption text
        (the report's figcaption, the notebook's Markdown), not into the image.
        """
        used = ", ".join(f"{t}.csv" for t in (tables if tables is not None else self.tables))
        where = {
            "supplementary": f"text of {REPORT_REF}",
            "reading": f"text of {REPORT_REF}",
            "synthesis": f"tables of {REPORT_REF}",
            "derived_chart": f"{self.based_on} of {REPORT_REF}",
            # a diagram lost in the extraction and redrawn from the prose (Figures 0.2/1.4, 1.1): the image
            # is not the report's figure, so its source line does not say "Figure 0.2 of" (issue #21)
            "reconstructed_from_text": f"{self.number_printed.rstrip('.')} redrawn from the text of {REPORT_REF}",
        }.get(self.status, f"{self.number_printed.rstrip('.')} of {REPORT_REF}")
        line = f"Source: {where}. Data: {used or 'none'}."
        return line + (f" {extra}" if extra else "")

    @property
    def based_on(self) -> str:
        """For a chart of a report's table or box ('2.2-chart'): 'Figure 2.2' / 'Box 1'."""
        base = self.figure_id[: -len("-chart")] if self.figure_id.endswith("-chart") else self.figure_id
        return "Box 1" if base == "box1" else f"Figure {base}"


def stem(figure_id: str, kind: str = "fig") -> str:
    """File stem for a figure or table: ('2.2', 'fig') -> 'fig-2-2'."""
    return f"{kind}-{figure_id.replace('.', '-')}"


def figure_info(figure_id: str, data_dir=None) -> FigureInfo:
    """Caption, number and status of a report figure (figures.csv) or supplementary chart."""
    import pandas as pd

    from .data import load_table

    for table in ("figures", "supplementary_figures"):
        try:
            frame = load_table(table, data_dir)
        except KeyError:
            continue
        hit = frame[frame["figure_id"] == figure_id]
        if len(hit):
            r = {k: (None if v is None or v is pd.NA or v != v else v) for k, v in hit.iloc[0].items()}
            tables = tuple(t for t in (r.get("tables") or "").split(";") if t)
            status = r.get("status")
            if table == "supplementary_figures" and status is None:  # an older package without the column
                status = "synthesis" if figure_id.startswith("x") else "supplementary"
            number = r.get("number_printed") or f"Figure {figure_id.upper()}"
            return FigureInfo(
                figure_id,
                str(number),
                str(r.get("caption") or ""),
                str(status),
                str(r.get("status_reason") or ""),
                tables,
            )
    raise KeyError(f"figure {figure_id!r} is neither in figures.csv nor in supplementary_figures.csv")


METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def render(fig, fmt: str, dpi: int, bbox=None) -> bytes:
    """The figure as *fmt* bytes, without timestamps or software versions."""
    import matplotlib

    bbox = tight_bbox(fig, dpi)
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "osa-report", "svg.fonttype": "path"}):
        fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches=bbox, metadata=METADATA[fmt])
    return buf.getvalue()


def tight_bbox(fig, dpi: int):
    """The figure's drawn extent (inches) plus a margin, measured at the resolution it is saved at.

    Text extents depend on the raster resolution (glyph hinting): a box measured at the figure's
    default 100 dpi cuts the end of long lines saved at 150 dpi, so the figure is set to *dpi* first.
    """
    fig.set_dpi(dpi)
    return fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.12)


class LayoutError(AssertionError):
    """A saved figure has text outside its canvas or ink at its edge (see :func:`layout_problems`)."""


#: Set this environment variable (to anything) to make :func:`save` check every figure's layout.
LAYOUT_CHECK_ENV = "OSA_LAYOUT_CHECK"
#: Ink closer than this to an edge of a saved PNG counts as clipped.
EDGE_PX = 2


def layout_problems(fig, bbox, dpi: int) -> list[str]:
    """What is cut off in *fig* saved with *bbox* (inches) at *dpi*; an empty list when nothing is."""
    return render_checked(fig, bbox, dpi)[1]


def render_checked(fig, bbox, dpi: int) -> tuple[bytes, list[str]]:
    """*fig* as PNG bytes (as :func:`render` makes them) and what is cut off in it: every drawn text
    whose window extent leaves the saved canvas, and any non-background pixel within EDGE_PX of an
    edge. The text extents are recorded while that PNG is drawn (one draw for image and check)."""
    from unittest.mock import patch

    from matplotlib.text import Text

    drawn = []
    original = Text.draw

    def draw(self, renderer_):
        original(self, renderer_)
        if self.get_visible() and str(self.get_text()).strip():
            drawn.append((str(self.get_text()), self.get_window_extent(renderer_)))

    with patch.object(Text, "draw", draw):  # every text drawn in this render is recorded
        png = render(fig, "png", dpi, bbox)
    # While saving with bbox_inches, the figure is drawn shifted so that the box starts at 0, 0.
    x0, y0, x1, y1 = 0.0, 0.0, bbox.width * dpi, bbox.height * dpi
    problems = []
    for text, ext in drawn:
        if ext.width <= 0 and ext.height <= 0:
            continue
        if ext.x0 < x0 - 0.5 or ext.y0 < y0 - 0.5 or ext.x1 > x1 + 0.5 or ext.y1 > y1 + 0.5:
            short = " ".join(text.split())
            problems.append(
                f"text {short[:60]!r} leaves the canvas (extent {ext.x0:.0f}..{ext.x1:.0f} x "
                f"{ext.y0:.0f}..{ext.y1:.0f} px, canvas {x0:.0f}..{x1:.0f} x {y0:.0f}..{y1:.0f})"
            )
    return png, problems + edge_ink(png)


def edge_ink(png: bytes, edge: int = EDGE_PX) -> list[str]:
    """A problem for each side of the PNG that has a non-background pixel within *edge* px of it."""
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    # background: white, savefig.facecolor of the collection's style; ink differs by more than 8/255
    ink = (255 - rgb).max(axis=-1) > 8
    sides = {"top": ink[:edge, :], "bottom": ink[-edge:, :], "left": ink[:, :edge], "right": ink[:, -edge:]}
    return [
        f"ink within {edge} px of the {side} edge ({int(part.sum())} px)" for side, part in sides.items() if part.any()
    ]


#: Internal identifiers that must not appear in an image (key figure ids, module paths).
INTERNAL = re.compile(r"\bkf\d{3}\b|osa_utils|\.py\b")


#: The smallest text a figure may carry, in points: at the report page's 96 CSS px per inch that is
#: about 11 px, the smallest a reader reads at 100 % zoom.
MIN_FONT_PT = 8.0
#: The widest a saved figure may be, in inches: the report's text column (62rem less padding, 960
#: CSS px) at 96 px per inch, so the page shows every figure at its full size.
MAX_WIDTH_IN = 10.0


def legibility_problems(fig, bbox) -> list[str]:
    """A problem for each visible text of *fig* smaller than MIN_FONT_PT, and for a saved width
    (*bbox*, inches) over MAX_WIDTH_IN."""
    from matplotlib.text import Text

    problems = [
        f"text {' '.join(t.get_text().split())[:60]!r} is {t.get_fontsize():g} pt (under {MIN_FONT_PT:g} pt)"
        for t in fig.findobj(Text)
        if t.get_visible() and str(t.get_text()).strip() and t.get_fontsize() < MIN_FONT_PT - 1e-6
    ]
    if bbox.width > MAX_WIDTH_IN + 1e-6:
        problems.append(f"figure is {bbox.width:.2f} in wide (over {MAX_WIDTH_IN:g} in, the page's column)")
    return problems


def internal_names(fig) -> list[str]:
    """A problem for each text drawn on *fig* that shows an internal identifier."""
    from matplotlib.text import Text

    return [
        f"internal identifier in the image: {t.get_text()[:60]!r}"
        for t in fig.findobj(Text)
        if t.get_visible() and INTERNAL.search(t.get_text())
    ]


def save(fig, figure_id: str, figures_dir, formats=("png", "svg"), dpi: int = 150) -> list[Path]:
    """Save *fig* as fig-<id>.<fmt> for each format, byte-for-byte reproducibly.

    With the environment variable LAYOUT_CHECK_ENV set, a figure with clipped text or ink at
    its edge raises :class:`LayoutError` instead of being saved.
    """
    import os

    out = Path(figures_dir)
    out.mkdir(parents=True, exist_ok=True)
    # The tight bounding box is computed once (one draw) and used for every format,
    # instead of bbox_inches="tight", which draws once more per format.
    bbox = tight_bbox(fig, dpi)
    rendered = {}
    if os.environ.get(LAYOUT_CHECK_ENV):
        rendered["png"], problems = render_checked(fig, bbox, dpi)  # checked, then saved as it is
        problems += internal_names(fig)
        problems += legibility_problems(fig, bbox)
        if problems:
            raise LayoutError(f"{stem(figure_id)}: " + "; ".join(problems))
    paths = []
    for fmt in sorted(formats):
        path = out / f"{stem(figure_id)}.{fmt}"
        _write_if_changed(path, rendered.get(fmt) or render(fig, fmt, dpi, bbox))
        paths.append(path)
    return paths


def caption_rows(texts, bbox, dpi: int) -> dict[str, list[int]]:
    """The pixel rows (top, bottom; 0 at the top, bottom exclusive) that the title block and the
    source block of :func:`osa_utils.style.add_caption` (*texts*: its two returned texts) take in
    the PNG saved with *bbox* (inches) at *dpi*.

    The report page crops the PNG between them (:func:`osa_utils.report.crop_caption`), since its
    figcaption carries the title and the source as text; the saved files keep both, so a file shared
    alone still says what it is and where it comes from. Call after saving, with the box :func:`save`
    used (``tight_bbox(fig, dpi)`` again: the same box, measured again in a few milliseconds): the
    extents are those of the last draw, at *dpi*.
    """
    import math

    top = bbox.y1 * dpi  # the saved image's top edge, in the figure's display pixels (0 at the bottom)
    rows = {}
    for name, text in zip(("title", "source"), texts, strict=True):
        ext = text.get_window_extent()
        rows[name] = [max(0, math.floor(top - ext.y1)), max(0, math.ceil(top - ext.y0))]
    return rows


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_text(path: Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_if_changed(path, text.encode("utf-8"))
    return path


def display_figure(fig, figure_id: str, paths: list[Path], dpi: int = 150, caption: dict | None = None) -> None:
    """Show the figure as PNG in a notebook (the saved file when there is one), tagged with its id.

    The report embeds these PNG outputs, so a PNG is shown even when only SVG or PDF was saved.
    *caption* (keys ``caption``, ``source``, ``status``, ``status_text``, ``note``, ``alt``) travels in
    the output's metadata to the report's figcaption; the method note is also shown below the
    figure as Markdown (tagged so the report does not show it twice).
    """
    import matplotlib.pyplot as plt

    try:
        from IPython import get_ipython
        from IPython.display import Image, Markdown, display
    except ImportError:  # pragma: no cover
        plt.close(fig)
        return
    if get_ipython() is not None:
        png = next((p for p in paths if p.suffix == ".png"), None)
        data = png.read_bytes() if png is not None else render(fig, "png", dpi)
        meta = outputmeta.figure(figure_id, [p.name for p in paths], dpi, **(caption or {}))
        display(Image(data=data, format="png"), metadata=meta)
        if caption and (caption.get("note") or caption.get("status_text")):
            words = [
                f"*{caption['status_text'][0].upper()}{caption['status_text'][1:]}.*"
                if caption.get("status_text")
                else "",
                caption.get("note") or "",
            ]
            display(Markdown(" ".join(w for w in words if w)), metadata=outputmeta.caption_note(figure_id))
    plt.close(fig)
