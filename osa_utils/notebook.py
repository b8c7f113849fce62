"""What a chapter notebook calls: one method per table or figure of the report.

    from osa_utils.notebook import Chapter
    ch = Chapter(data_dir, figures_dir, formats, dpi, name_lang)   # checks the parameters (None: defaults)
    ch.risk_table("2.2")                                             # shows and saves tab-2-2.*
    ch.risk_profile("2.2")                                           # shows and saves fig-2-2.*

Each method loads only the tables it needs (so the batch build learns what a
notebook reads), draws with :mod:`osa_utils.plots`, adds the printed number,
caption and source line, saves deterministically into ``figures_dir`` and shows
the saved file. This module is the facade: the parameters, data access and
showing/saving are :class:`osa_utils.sections.base.Base`; the chart families are
the mixins of :mod:`osa_utils.sections`, one module each.
"""

from __future__ import annotations

from .sections.assessment import AssessmentMixin
from .sections.comparisons import ComparisonsMixin
from .sections.core import CoreMixin
from .sections.crosschapter import CrossChapterMixin
from .sections.keyfigures import KeyFiguresMixin
from .sections.methods import MethodsMixin
from .sections.whatif import WhatIfMixin

__all__ = ["Chapter"]


class Chapter(
    AssessmentMixin, WhatIfMixin, CrossChapterMixin, KeyFiguresMixin, MethodsMixin, ComparisonsMixin, CoreMixin
):
    """Everything a chapter notebook needs (every mixin stands on sections.base.Base)."""
