"""A problem with the data, located as a spreadsheet user would look for it, and the error that lists them.

Every check of :mod:`osa_utils.data` (the descriptor, the files, Table Schema, foreign keys, a user's
own table) reports each problem as a :class:`Problem`; :class:`DataValidationError` carries all of them (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import OSAError
from .text import printable


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located as a spreadsheet user would look for it."""

    file: str
    row: int | None
    column: str | None
    problem: str
    found: str = ""
    expected: str = ""

    def __str__(self) -> str:
        loc = self.file
        if self.row is not None:
            loc += f":{self.row}"
        if self.column:
            loc += f":{self.column}" if self.row is not None else f"::{self.column}"
        # control characters shown as escapes, so a hostile cell cannot drive the terminal
        return printable(f"{loc}: {self.problem} (found {self.found}, expected {self.expected})")

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("file", "row", "column", "problem", "found", "expected")}


class DataValidationError(OSAError, ValueError):
    """The data package has problems; ``.problems`` lists all of them (exit 1; a ValueError too, as before)."""

    def __init__(self, problems: list[Problem], data_dir: Path | str | None = None):
        self.problems = list(problems)
        self.data_dir = data_dir
        where = f" in {data_dir}" if data_dir else ""
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} data problem(s){where}:\n{lines}")
