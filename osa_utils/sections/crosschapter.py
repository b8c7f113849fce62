"""Cross-chapter views (notebook 09_cross_chapter): actors across technologies, threat profiles, instruments."""
from __future__ import annotations


class CrossChapterMixin:
    pass
