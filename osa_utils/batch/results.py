"""What a build returns: one :class:`NotebookResult` per notebook in a :class:`BuildResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class NotebookResult:
    name: str
    state: str  # "ran", "reused", "failed", "kept"
    reason: str
    duration: float = 0.0
    error: dict | None = None
    reads: dict = field(default_factory=dict)  # relative path -> sha256
    stale_output: bool = False  # failed, but the last good output is kept
    parameters: dict = field(default_factory=dict)  # as the notebook ran (paths left out)
    failed_before: bool = False  # state "kept": that earlier run had failed
    changed_inputs: list = field(default_factory=list)  # files it read that changed while it ran


@dataclass
class BuildResult:
    out: Path
    results: list[NotebookResult]
    assemble_seconds: float = 0.0
    pdf_message: str | None = None  # with pdf=True: where the PDF went, or why it was not written
    pdf_failed: bool = False  # with pdf=True: no PDF was written (the HTML report was): exit 1

    @property
    def failed(self) -> list[NotebookResult]:
        return [r for r in self.results if r.state == "failed"]
