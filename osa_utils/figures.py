"""Figure numbering, captions, provenance and deterministic saving.

A figure id is the report's number ("2.2", "box1") or a supplementary id of
this collection ("s3.1"); files are named ``fig-2-2.png`` / ``tab-2-2.csv``.
Saving is deterministic: no timestamps or software versions in the files, a
fixed ``svg.hashsalt`` and glyphs drawn as paths, so the same data and
parameters give the same bytes.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

REPORT_REF = "Rühlig (ed.), Europe's Strategic Technology Autonomy from China, DPC 2023"
STATUS_WORDS = {
    "reproduced": "reproduced from the report's text",
    "reconstructed_from_text": "reconstructed from the text: the original diagram is lost",
    "partial": "partly reproduced: some values are not in the text",
    "not_reproducible": "not reproducible: the data is not in the text",
    "supplementary": "not a figure of the report: drawn by this collection from numbers the text states",
    "synthesis": "not a figure of the report: this collection's synthesis across the chapters' tables",
}


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

    def source_line(self, tables=None, extra: str = "") -> str:
        used = ", ".join(f"{t}.csv" for t in (tables if tables is not None else self.tables))
        where = {"supplementary": f"numbers stated in the text of {REPORT_REF}",
                 "synthesis": f"tables transcribed from {REPORT_REF}"}.get(
            self.status, f"{self.number_printed.rstrip('.')} of {REPORT_REF}")
        line = f"Source: {where}. Data: {used or 'none'}. Status: {STATUS_WORDS.get(self.status, self.status)}."
        return line + (f" {extra}" if extra else "")


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
            if table == "supplementary_figures":
                status = "synthesis" if figure_id.startswith("x") else "supplementary"
            number = r.get("number_printed") or f"Figure {figure_id.upper()}"
            return FigureInfo(figure_id, str(number), str(r.get("caption") or ""), str(status),
                              str(r.get("status_reason") or ""), tables)
    raise KeyError(f"figure {figure_id!r} is neither in figures.csv nor in supplementary_figures.csv")


METADATA = {"png": {"Software": None},
            "svg": {"Date": None, "Creator": None},
            "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}


def render(fig, fmt: str, dpi: int, bbox=None) -> bytes:
    """The figure as *fmt* bytes, without timestamps or software versions."""
    import matplotlib

    if bbox is None:
        bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.12)
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "osa-report", "svg.fonttype": "path"}):
        fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches=bbox, metadata=METADATA[fmt])
    return buf.getvalue()


def save(fig, figure_id: str, figures_dir, formats=("png", "svg"), dpi: int = 150) -> list[Path]:
    """Save *fig* as fig-<id>.<fmt> for each format, byte-for-byte reproducibly."""
    out = Path(figures_dir)
    out.mkdir(parents=True, exist_ok=True)
    # The tight bounding box is computed once (one draw) and used for every format,
    # instead of bbox_inches="tight", which draws once more per format.
    bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.12)
    paths = []
    for fmt in sorted(formats):
        path = out / f"{stem(figure_id)}.{fmt}"
        _write_if_changed(path, render(fig, fmt, dpi, bbox))
        paths.append(path)
    return paths


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


def display_figure(fig, figure_id: str, paths: list[Path], dpi: int = 150) -> None:
    """Show the figure as PNG in a notebook (the saved file when there is one), tagged with its id.

    The report embeds these PNG outputs, so a PNG is shown even when only SVG or PDF was saved.
    """
    import matplotlib.pyplot as plt

    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover
        plt.close(fig)
        return
    if get_ipython() is not None:
        png = next((p for p in paths if p.suffix == ".png"), None)
        data = png.read_bytes() if png is not None else render(fig, "png", dpi)
        meta = {"osa": {"figure_id": figure_id, "files": [p.name for p in paths]}}
        display(Image(data=data, format="png"), metadata=meta)
    plt.close(fig)
