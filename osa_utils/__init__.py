"""Shared helpers of the OSA report collection.

Data flows one way: CSV -> ``data`` -> ``model`` -> ``plots``/``tables`` -> notebook
-> ``build`` -> ``report``.  Importing this package is cheap: heavy libraries
(pandas, matplotlib, frictionless) are imported by the modules that use them.
"""

from pathlib import Path

__version__ = "0.1.0"

#: Root of the checkout (the folder holding ``data/``, ``notebooks/``, ``figures/``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The data package shipped with the collection.
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
