"""``python -m osa_utils.cli``: the same as ``osa-report``."""

import sys

from . import main

sys.exit(main())
