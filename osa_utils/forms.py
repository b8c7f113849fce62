"""The forms a user fills in and hands the tools: one small protocol the three implement.

    from osa_utils.forms import UserForm
    FORM = UserForm("app_check", "app_check.schema.json", "app_check*.csv")
    frame = FORM.read("my_app.csv")                  # checked against the schema (userdata.load_user_table)
    FORM.mark(frame, "my_app.csv")                   # attrs: source_file, is_example

The forms: the assessment form (:mod:`osa_utils.assess`), the app-check form
(:mod:`osa_utils.appcheck`) and the user's reading of Figure 0.1's levels
(:mod:`osa_utils.userlevels`). Each is a Table Schema in ``osa_utils/schemas/`` and shipped
examples in ``data/examples/``; each is read by the one reader of user tables and labelled an
illustration when it is one of the examples. What a form checks on top of its schema stays in its
module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import PROJECT_ROOT, readlog
from .data import DataValidationError
from .userdata import load_user_table

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    import pandas as pd

SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"
EXAMPLES_DIR = PROJECT_ROOT / "data" / "examples"


@dataclass(frozen=True)
class UserForm:
    """A form a user fills in: its name, its Table Schema and its shipped examples.

    *name* is the table's name in problems and the resource name the checks use; *schema_file*
    is in ``osa_utils/schemas/``; *example_glob* names its examples in ``data/examples/``.
    *recorded*: reading the form is recorded in the read log (``OSA_READ_LOG``: a notebook run
    depends on it); a build parameter's file is in the cache key by its own route instead.
    *compare_as_read*: a copy of an example re-saved another way (BOM, CRLF, ``;``, a workbook)
    is still the example (the tables as read are compared); otherwise only a byte-identical copy.
    """

    name: str
    schema_file: str
    example_glob: str
    recorded: bool = True
    compare_as_read: bool = True

    @property
    def schema_path(self) -> Path:
        return SCHEMAS_DIR / self.schema_file

    def schema(self) -> dict[str, Any]:
        """The form's Table Schema."""
        return json.loads(self.schema_path.read_text(encoding="utf-8"))

    def examples(self) -> list[Path]:
        """The shipped examples of this form, in name order."""
        return sorted(EXAMPLES_DIR.glob(self.example_glob))

    def read(
        self, path, data_dir=None, sheet: str | None = None, skip: Callable[[dict[str, str]], bool] | None = None
    ) -> pd.DataFrame:
        """The form checked against its schema (:func:`osa_utils.userdata.load_user_table`: CSV or
        .xlsx, ``file:row:column`` problems as a DataValidationError); *skip* leaves rows out."""
        path = Path(path)
        frame = load_user_table(path, self.schema(), data_dir, name=self.name, sheet=sheet, skip=skip)
        if self.recorded:
            readlog.record([path])
        return frame

    def is_example(self, path, canonical: str | None = None) -> bool:
        """True for a form shipped in data/examples/: by location, or the same table saved another way.

        *canonical* is the table as read (``frame.attrs["canonical_csv"]``): a copy of an example
        re-saved with a BOM, CRLF, ``;`` or as a workbook is still the example, and stays labelled
        an illustration. Without it, a byte-identical copy counts.
        """
        path = Path(path).resolve()
        if not path.is_file():
            return False
        if path.parent == EXAMPLES_DIR.resolve():
            return True
        if canonical is not None:

            def as_read(p: Path) -> str | None:
                try:
                    return load_user_table(p, self.schema(), name=self.name).attrs["canonical_csv"]
                except DataValidationError:  # not a valid form of this kind
                    return None

            return any(as_read(p) == canonical for p in self.examples())
        content = path.read_bytes()
        return any(p.read_bytes() == content for p in self.examples())

    def mark(self, frame: pd.DataFrame, path) -> pd.DataFrame:
        """*frame* (read from *path*) with ``attrs`` ``source_file`` (the file's name) and ``is_example``."""
        frame.attrs["source_file"] = Path(path).name
        canonical = frame.attrs.get("canonical_csv") if self.compare_as_read else None
        frame.attrs["is_example"] = self.is_example(path, canonical)
        return frame
