"""Chapter 8's checklist as a form a user fills in: one app checked against the chapter's criteria.

    from osa_utils.appcheck import load_app_check, write_template
    from osa_utils.tools import run_app_check
    write_template("my_app.xlsx")                                  # blank form, one row per criterion
    form = load_app_check("my_app.csv")                            # validated, typed, every criterion present
    files = run_app_check("my_app.csv", "MyApp", "out/myapp")      # table, chart and counts (osa_utils.tools)

The criteria are ``data/app_criteria.csv`` (chapter 8, "Criteria for assessing Chinese
AI-based consumer applications for use within the EU"); the form has the columns of
``osa_utils/schemas/app_check.schema.json``. The outputs set the user's findings beside
the evidence the chapter gives for TikTok, WeChat and Face++ (``data/app_evidence.csv``).
Nothing produced here is a finding of the report.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from . import PROJECT_ROOT
from .assess import write_form
from .forms import EXAMPLES_DIR, UserForm
from .params import ParameterError
from .text import control_characters, shorten

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The app-check form; a copy of the example counts as the example only byte for byte.
FORM = UserForm("app_check", "app_check.schema.json", "app_check*.csv", compare_as_read=False)
SCHEMA_PATH = FORM.schema_path
NOTEBOOK = PROJECT_ROOT / "notebooks" / "tools" / "app_check.ipynb"
EXAMPLE = EXAMPLES_DIR / "app_check_example.csv"
#: The apps chapter 8 gives evidence for (footnote 259), in the order of the outputs' columns.
REFERENCE_APPS = ("TikTok", "WeChat", "Face++")
#: Longest app name accepted (it goes into titles and column heads).
MAX_APP_NAME = 60
#: Levels of the checklist in printed order, with the words the chapter introduces them with.
LEVELS = {
    "macro": "Macro level: the regulatory and political environment in China",
    "micro": "Micro level: app/in-app features",
}


#: The Table Schema of an app-check form.
schema = FORM.schema
#: True for the shipped example form (data/examples/), by location or as a byte-identical copy.
is_example = FORM.is_example


def findings() -> list[str]:
    """The allowed findings, in the schema's order."""
    return next(f for f in schema()["fields"] if f["name"] == "finding")["constraints"]["enum"]


def criteria(data_dir=None) -> pd.DataFrame:
    """app_criteria.csv in printed order (macro then micro, each by its printed position)."""
    from .data import load_table

    c = load_table("app_criteria", data_dir).copy()
    c["_level"] = c["level"].map({k: i for i, k in enumerate(LEVELS)})
    return c.sort_values(["_level", "order"]).drop(columns="_level").reset_index(drop=True)


def app_slug(app) -> str:
    """The app's name as used in file names, ASCII and the same for the same name on every run:
    'ExampleChat (fictional)' -> 'examplechat_fictional'. A name with any character outside ASCII
    adds a short hash of the name, so names that differ only there never share files (and so never
    overwrite each other's in one --out): 'ÜÜ' -> 'uu_' + 8 hex digits (not 'UU''s 'uu'),
    'ＷｅＣｈａｔ' (fullwidth) is not 'WeChat', '中文应用' -> 'app_' + 8 hex digits,
    'WeChat 微信' -> 'wechat_' + 8 hex digits. ASCII names differing only in case, spaces or
    punctuation share a slug ('WeChat', 'wechat'): the same app, written twice.
    The name itself is printed as written everywhere else (titles, column heads).

    ParameterError for a name that is empty, longer than MAX_APP_NAME characters, on several lines,
    with control characters, or without a letter or digit (in any script)."""
    import hashlib
    import unicodedata

    if (
        not isinstance(app, str)
        or not app.strip()
        or len(app) > MAX_APP_NAME
        or "\n" in app
        or "\r" in app
        or control_characters(app)
    ):
        shown = shorten(app, MAX_APP_NAME)
        bad = control_characters(app) if isinstance(app, str) else []
        why = f" (it holds control characters: {', '.join(bad)})" if bad else ""
        raise ParameterError(
            f"parameter app_name={shown!r} is not allowed{why}; allowed values: the app's name on "
            f"one line, 1 to {MAX_APP_NAME} characters, without control characters, e.g. 'ExampleChat'"
        )
    name = unicodedata.normalize("NFC", app)
    words = [c for c in name if unicodedata.category(c)[0] in "LN"]
    if not words:
        raise ParameterError(
            f"parameter app_name={app!r} is not allowed; allowed values: a name with at least one "
            "letter or digit, in any script, e.g. 'WeChat (Weixin)' or '微信'"
        )

    def ascii_form(text: str) -> str:  # 'Ü' -> 'u', 'ß' -> 'ss', '微' -> ''
        folded = unicodedata.normalize("NFKD", text.casefold())
        return "".join(c for c in folded if not unicodedata.combining(c)).encode("ascii", "ignore").decode()

    slug = re.sub(r"[^a-z0-9]+", "_", ascii_form(name)).strip("_")
    if slug and name.isascii():
        return slug
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{slug or 'app'}_{digest}"


def load_app_check(path, data_dir=None, sheet: str | None = None) -> pd.DataFrame:
    """The form validated against the schema, typed, one row per criterion in the checklist's printed order.

    Read by :func:`osa_utils.userdata.load_user_table` (CSV with or without BOM, LF or CRLF,
    ``,`` or ``;``, or an ``.xlsx``: first sheet, or *sheet*) with the same rules and
    ``file:row:column`` messages as ``osa-report validate``; then every criterion of
    app_criteria.csv must have its row: a missing one is a problem naming its id and printed
    name (:class:`osa_utils.data.DataValidationError`). Added columns: ``level``, ``order`` and
    ``name`` (the criterion's printed name) from app_criteria.csv. ``frame.attrs``:
    ``source_file``, ``is_example``, ``read``, ``canonical_csv``.
    """
    from . import data
    from .userdata import relocate

    path = Path(path)
    frame = FORM.read(path, data_dir, sheet)  # in the read log: a notebook run depends on the user's file
    crit = criteria(data_dir)
    present = set(frame["criterion_id"])
    missing = [r for r in crit.itertuples() if r.criterion_id not in present]
    if missing:
        raise data.DataValidationError(
            [
                relocate(
                    data.Problem(
                        path.name,
                        None,
                        "criterion_id",
                        "criterion missing from the form",
                        f"no row for {r.criterion_id!r} ({r.level} level: {r.name})",
                        "one row per criterion of app_criteria.csv; add the row, with finding "
                        "not_assessed if you did not check it",
                    ),
                    frame.attrs,
                )
                for r in missing
            ]
        )
    attrs = dict(frame.attrs)
    out = crit[["criterion_id", "level", "order", "name"]].merge(frame, on="criterion_id", how="left")
    out.attrs = attrs
    return FORM.mark(out, path)


def write_template(path, data_dir=None) -> Path:
    """A blank form: one row per criterion (its id and printed name), ``finding`` empty, the allowed
    values in each row's note (CSV), or in a list to pick from and a help sheet listing every
    criterion's printed explanation (.xlsx)."""
    crit = criteria(data_dir)
    allowed = findings()
    hint = (
        f"finding: one of {', '.join(allowed)}; evidence: your words; source_url: http(s):// address; "
        "checked_on: YYYY-MM-DD"
    )
    header = [f["name"] for f in schema()["fields"]]
    rows = [[r.criterion_id, r.name, "", "", "", "", hint] for r in crit.itertuples()]
    help_rows = [
        ["finding", "meaning"],
        ["concern", "the evidence you found raises a concern under this criterion"],
        ["no_concern", "the evidence you found raises no concern under this criterion"],
        ["unclear", "evidence found, but it does not allow a judgement"],
        ["not_assessed", "not checked (every criterion keeps its row)"],
        [],
        ["source_url", "an http:// or https:// address, or empty"],
        ["checked_on", "the day you checked the evidence, YYYY-MM-DD"],
        [],
        ["criterion_id", "level", "criterion (as printed in chapter 8)", "explanation (verbatim)"],
    ] + [
        [
            r.criterion_id,
            r.level,
            r.name + (" (name given by this collection: the report prints none)" if r.name_is_collections else ""),
            r.explanation,
        ]
        for r in crit.itertuples()
    ]
    n = len(rows) + 1
    return write_form(
        path,
        header,
        rows,
        sheet="app_check",
        widths=(30, 50, 14, 60, 40, 12, 60),
        validations=[
            ({"type": "list", "formula1": '"' + ",".join(allowed) + '"'}, f"C2:C{n}"),
            ({"type": "date", "operator": "greaterThan", "formula1": "1"}, f"F2:F{n}"),
        ],
        help_rows=help_rows,
    )
