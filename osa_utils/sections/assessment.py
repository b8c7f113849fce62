"""The report's four-step method applied to a new technology (notebook new_assessment)."""
from __future__ import annotations


class AssessmentMixin:
    pass
