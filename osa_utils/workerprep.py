"""What every build worker needs, imported by each worker as it starts (``osa_utils.build._init_worker``)
before its first notebook."""
import sys

# nbformat's jsonschema would import rfc3987_syntax (installed by jupyter-events), whose grammar
# takes ~3 s to build; its IRI format check is never used for notebooks.
sys.modules.setdefault("rfc3987_syntax", None)

import papermill  # noqa: E402,F401
from nbconvert import HTMLExporter  # noqa: E402,F401

from . import build, pages  # noqa: E402,F401
