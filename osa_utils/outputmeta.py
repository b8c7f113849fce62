"""The ``{"osa": …}`` metadata a notebook output carries: one definition for writers and readers.

``figures.show`` and ``tables.show`` write it on the outputs they display; the report assembler
(``report.output_part``) and the tools (``assess``) read it back from executed notebooks. Readers go
through :func:`of`, which tolerates notebooks edited by hand (a missing or non-dict entry is empty).
"""

from __future__ import annotations

from typing import Any, TypedDict

KEY = "osa"


class OutputMeta(TypedDict, total=False):
    """What an output says about itself. All keys are optional."""

    figure_id: str  #: the report figure or table it shows ("2.1", "x9.2", …)
    files: list[str]  #: names of the files it saved, beside the executed notebook
    dpi: int  #: resolution of the PNG shown (for its display width)
    table: bool  #: an HTML table (not a figure)
    caption_of: str  #: a caption note shown in the notebook for this figure id (the report's figcaption has it)
    placeholder_of: str  #: the text shown in place of a figure that is not reproduced (its anchor on the page)
    caption: str
    source: str
    status_text: str
    note: str
    alt: str
    #: pixel rows [top, bottom) of the PNG's title block and source block ({"title": [0, 40], "source":
    #: [610, 650]}): the report shows the image between them, its figcaption carrying both as text
    caption_rows: dict[str, list[int]]
    #: a Markdown output meant for the notebook only (a hint on parameters): the report leaves it out
    notebook_only: bool


def figure(figure_id: str, files: list[str], dpi: int, **caption: Any) -> dict[str, OutputMeta]:
    """The metadata of a figure's PNG output; ``caption`` holds caption, source, status_text, note, alt."""
    meta: OutputMeta = {"figure_id": figure_id, "files": files, "dpi": int(dpi), **caption}  # type: ignore[typeddict-item]
    return {KEY: meta}


def table(figure_id: str, files: list[str]) -> dict[str, OutputMeta]:
    """The metadata of a table's HTML output."""
    return {KEY: {"figure_id": figure_id, "table": True, "files": files}}


def caption_note(figure_id: str) -> dict[str, OutputMeta]:
    """The metadata of the Markdown note shown under a figure in the notebook."""
    return {KEY: {"caption_of": figure_id}}


def notebook_only() -> dict[str, OutputMeta]:
    """The metadata of a Markdown output addressed to the notebook's user (how to set a parameter),
    which the report page, written for a reader, leaves out."""
    return {KEY: {"notebook_only": True}}


def of(output: dict) -> OutputMeta:
    """The metadata of one notebook output (empty when absent or malformed)."""
    meta = output.get("metadata", {})
    osa = meta.get(KEY, {}) if isinstance(meta, dict) else {}
    return osa if isinstance(osa, dict) else {}  # type: ignore[return-value]


def files(output: dict) -> list[str]:
    """The file names an output says it saved."""
    names = of(output).get("files", [])
    return [str(n) for n in names] if isinstance(names, list) else []


def placeholder(figure_id: str) -> dict[str, OutputMeta]:
    """The metadata of the Markdown shown in place of report figure *figure_id* when it cannot be
    drawn: the page gives it the figure's anchor and permalink."""
    return {KEY: {"placeholder_of": figure_id}}
