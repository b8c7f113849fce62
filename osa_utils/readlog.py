"""The read log: which files a notebook run read, written by the loaders and read by the build.

The build starts each notebook with ``OSA_READ_LOG`` naming an empty file (:func:`start`); every
loader that reads a CSV or a user's file calls :func:`record`; after the run the build reads the
paths back (:func:`read`) and keys its cache on them. Outside a build, :func:`record` does nothing.
This module is the only place that knows the variable and the file's format (one resolved path a line).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

ENV = "OSA_READ_LOG"


def start(log: str | os.PathLike[str]) -> None:
    """Make this process (and the kernels it starts) record its reads into ``log``, emptied first."""
    os.environ[ENV] = str(log)
    Path(log).write_text("", encoding="utf-8")


def record(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Note that these files were read (resolved paths), when a build is listening."""
    log = os.environ.get(ENV)
    if not log:
        return
    new = {str(Path(p).resolve()) for p in paths}
    with open(log, "a", encoding="utf-8") as fh:
        fh.writelines(f"{p}\n" for p in sorted(new))


def read(log: Path) -> list[str]:
    """The distinct paths recorded in ``log``, sorted; none if the run never started its log."""
    if not log.exists():
        return []
    return sorted({line.strip() for line in log.read_text(encoding="utf-8").splitlines() if line.strip()})
