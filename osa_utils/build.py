"""Build the regenerated report into an output folder.

The new report replaces the old one only when it is complete: everything is
written to a temporary folder beside OUT and swapped in with a rename.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def replace_dir(tmp: Path, out: Path) -> None:
    """Swap the finished *tmp* folder into *out*, keeping *out* intact until then."""
    out = Path(out)
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.rename(out, old)
    os.rename(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_data_report(data_dir: Path, out: Path) -> Path:
    """Validate *data_dir* and write OUT/index.html with the data-derived sections."""
    from .data import validate
    from .report import data_only_report

    validate(data_dir)
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        (tmp / "index.html").write_text(data_only_report(data_dir), encoding="utf-8")
        replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out / "index.html"
