"""A user's check of an app with chapter 8's criteria (notebook notebooks/tools/app_check).

The frame every method takes is :func:`osa_utils.appcheck.load_app_check`'s: one row per
criterion of app_criteria.csv in printed order (criterion_id, level, order, name, finding,
evidence, source_url, checked_on). Beside it stands what chapter 8 gives for TikTok, WeChat
and Face++ (app_evidence.csv): its stated finding where the text states one, "evidence in the
text, no stated finding" where it quotes evidence only, "no evidence in the text" where it
gives none; never a verdict the chapter does not state.

None of the outputs is a figure of the report: they are not looked up in figures.csv, every
caption and source line says they are the user's assessment, and the files are named
``fig-appcheck-<app>-*`` / ``tab-appcheck-<app>-*``.
"""

from __future__ import annotations

import pandas as pd

from .. import figures as F
from .. import style
from ..appcheck import LEVELS, REFERENCE_APPS, app_slug, criteria, findings
from ..tables import Table
from ..text import text as _text
from .assessment import ILLUSTRATION, AssessmentMixin
from .base import Base

#: Source line of every app-check output.
USER_LABEL = "Assessment by the user, not from the report."
#: The user's findings in words, in the schema's order.
FINDING_WORDS = {"concern": "concern", "no_concern": "no concern", "unclear": "unclear", "not_assessed": "not assessed"}
#: What a reference column says where the chapter quotes evidence but states no finding, or gives none.
EVIDENCE_ONLY = "evidence in the text, no stated finding"
NO_EVIDENCE = "no evidence in the text"
#: After a criterion name that is this collection's (the report prints the criterion without one).
COLLECTIONS_NAME = " [name given by this collection: the report prints none]"


def reference_kind(evidence: pd.DataFrame, criterion_id: str, app: str) -> str:
    """What chapter 8 gives for *app* under *criterion_id*: "stated", "evidence" or "none"."""
    hit = evidence[(evidence["criterion_id"] == criterion_id) & (evidence["app"] == app)]
    if hit.empty:
        return "none"
    return "stated" if _text(hit.iloc[0]["stated_finding"]).strip() else "evidence"


def reference_cell(evidence: pd.DataFrame, criterion_id: str, app: str) -> str:
    """The table's cell for a reference app: the stated finding quoted, or what kind of evidence there is."""
    kind = reference_kind(evidence, criterion_id, app)
    if kind == "stated":
        hit = evidence[(evidence["criterion_id"] == criterion_id) & (evidence["app"] == app)]
        return f"stated finding: “{_text(hit.iloc[0]['stated_finding'])}”"
    return EVIDENCE_ONLY if kind == "evidence" else NO_EVIDENCE


def _font_for(app: str) -> None:
    """A CJK font for an app name written in Chinese, Japanese or Korean (抖音, 微信), as name_lang zh
    gets one: matplotlib's font list is rescanned once if it predates the font; with none installed,
    FontMissingError says what to install (a chart of empty boxes is not drawn)."""
    import unicodedata

    if not any(unicodedata.east_asian_width(c) in "WF" and unicodedata.category(c)[0] in "LN" for c in app):
        return
    try:
        style.apply(cjk=True)
    except style.FontMissingError:
        raise style.FontMissingError(
            f"the app name {app!r} needs a CJK font for the chart and none is installed: install "
            f"{style.CJK_INSTALL}, then run again"
        ) from None


class AppCheck(AssessmentMixin, Base):
    """The outputs of a user's app check: the table beside the chapter, the grid chart, the counts."""

    def _footer(self, df: pd.DataFrame, tables=("app_criteria", "app_evidence")) -> tuple[str, str]:
        """(source line, illustration line or "") of an app-check output."""
        name = df.attrs.get("source_file") or "the user's form"
        used = ", ".join(f"{t}.csv" for t in tables)
        source = f"Source: {USER_LABEL} Data: {name} (user-supplied); {used}: chapter 8 of {F.REPORT_REF}."
        return source, (ILLUSTRATION if df.attrs.get("is_example") else "")

    @staticmethod
    def _title(df: pd.DataFrame, text: str) -> str:
        return text + (" (illustration, not a finding of the report)" if df.attrs.get("is_example") else "")

    def findings_table(self, df: pd.DataFrame, app: str) -> None:
        """The user's finding, evidence, source and date per criterion, beside chapter 8's evidence
        for TikTok, WeChat and Face++ (tab-appcheck-<app>-findings)."""
        slug = app_slug(app)
        ev = self.t("app_evidence")
        crit = criteria(self.params.data_dir).set_index("criterion_id")
        columns = [
            "LEVEL",
            "CRITERION (CHAPTER 8)",
            f"FINDING FOR {app.upper()} (USER)",
            "EVIDENCE (USER)",
            "SOURCE URL (USER)",
            "CHECKED ON (USER)",
        ] + [f"{a.upper()}: CHAPTER 8" for a in REFERENCE_APPS]
        rows = []
        for r in df.itertuples():
            name = str(r.name) + (COLLECTIONS_NAME if bool(crit.loc[r.criterion_id, "name_is_collections"]) else "")
            checked = r.checked_on.strftime("%Y-%m-%d") if pd.notna(r.checked_on) else ""
            rows.append(
                [
                    r.level,
                    name,
                    FINDING_WORDS.get(r.finding, r.finding),
                    _text(r.evidence),
                    _text(r.source_url),
                    checked,
                ]
                + [reference_cell(ev, r.criterion_id, a) for a in REFERENCE_APPS]
            )
        source, illus = self._footer(df)
        header = self._title(
            df,
            f"The user's check of {app} with chapter 8's criteria, beside the chapter's "
            "evidence for " + ", ".join(REFERENCE_APPS[:-1]) + f" and {REFERENCE_APPS[-1]}",
        )
        note = self._note(
            illus,
            "The chapter's columns give its stated finding, quoted, where the text states one; "
            f"'{EVIDENCE_ONLY}' where it quotes evidence only; '{NO_EVIDENCE}' where it gives "
            "none (quotes and footnotes: app_evidence.csv). The chapter calls its references "
            "no case studies.",
        )
        self._assessment_table(Table(columns, rows), f"appcheck-{slug}-findings", header, source, note)

    def findings_chart(self, df: pd.DataFrame, app: str) -> None:
        """Criteria (rows, macro then micro, names as printed) x the user's app and the three
        reference apps: the user's findings coloured, the chapter's evidence marked by kind
        (fig-appcheck-<app>-grid)."""
        from ..plots.checklist import COLLECTIONS_NAME_MARK, checklist_grid

        slug = app_slug(app)
        _font_for(app)
        ev = self.t("app_evidence")
        crit = criteria(self.params.data_dir)
        reference = {(c, a): reference_kind(ev, c, a) for c in crit["criterion_id"] for a in REFERENCE_APPS}
        user = dict(zip(df["criterion_id"], df["finding"]))
        fig = checklist_grid(
            crit, user, reference, app, REFERENCE_APPS, {f: FINDING_WORDS[f] for f in findings()}, LEVELS
        )
        source, illus = self._footer(df)
        header = self._title(df, f"The user's check of {app} with chapter 8's criteria")
        marked = crit.loc[crit["name_is_collections"].astype(bool), "name"].tolist()
        note = f"{COLLECTIONS_NAME_MARK} Name given by this collection: the report prints none." if marked else ""
        self._assessment_figure(fig, f"appcheck-{slug}-grid", header, source, note, illus)

    def finding_counts(self, df: pd.DataFrame, app: str) -> None:
        """How many criteria the user gave each finding, by level (tab-appcheck-<app>-counts)."""
        slug = app_slug(app)
        levels = list(LEVELS)
        columns = [f"FINDING FOR {app.upper()} (USER)"] + [f"{lv.upper()} LEVEL" for lv in levels] + ["ALL CRITERIA"]
        rows = []
        for f in findings():
            part = df[df["finding"] == f]
            rows.append(
                [FINDING_WORDS[f]] + [str(int((part["level"] == lv).sum())) for lv in levels] + [str(len(part))]
            )
        rows.append(["all findings"] + [str(int((df["level"] == lv).sum())) for lv in levels] + [str(len(df))])
        source, illus = self._footer(df, ("app_criteria",))
        header = self._title(df, f"The user's check of {app}: number of criteria per finding")
        note = self._note(
            illus,
            "Counts of the user's findings, not a score: the chapter says the ordering of "
            "its criteria is not informed by a weighted hierarchy.",
        )
        self._assessment_table(
            Table(columns, rows, numeric=set(range(1, len(columns)))), f"appcheck-{slug}-counts", header, source, note
        )
