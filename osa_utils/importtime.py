"""Import-time shortcuts shared by the modules that pull in jsonschema.

nbformat's and frictionless' jsonschema would import ``rfc3987_syntax`` (installed by
jupyter-events), whose grammar takes about 3 s to build; jsonschema then skips that one format
check, which nothing in this collection uses.
"""

from __future__ import annotations

import sys


def skip_rfc3987_grammar() -> None:
    """Make ``import rfc3987_syntax`` fail fast (jsonschema treats it as not installed)."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None makes the import fail fast
