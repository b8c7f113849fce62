"""The user's cache folder of osa-report: ``~/.cache/osa-report/<name>`` (``$XDG_CACHE_HOME`` honoured).

Standard library only. What is kept there is only ever a shortcut: a missing or unwritable
folder costs time, never a result.
"""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir(name: str, disable_env: str) -> Path | None:
    """``$XDG_CACHE_HOME/osa-report/<name>`` (default ``~/.cache``), or None when the environment
    variable *disable_env* is set (not empty): that cache is off."""
    if os.environ.get(disable_env):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "osa-report" / name
