"""``osa-report verify``'s comparison: the rebuilt figures against the committed ones, file by file,
and for PNGs that differ, by how many pixels."""

from __future__ import annotations

from pathlib import Path

from .outdir import MARKER


class _Unreadable(ValueError):
    """A PNG that cannot be decoded (the message says which one and why)."""


def _listed(folder: Path) -> set[str]:
    """The files of *folder* (none if it does not exist), the tool's marker left out."""
    if not Path(folder).exists():
        return set()
    return {p.name for p in Path(folder).iterdir() if p.is_file() and p.name != MARKER}


def compare_figures(reference: Path, new: Path) -> list[tuple[str, str, str]]:
    """(file, verdict, detail) for every file in either folder; verdict is identical, differs,
    missing (in new) or unexpected (not in reference)."""
    ref, got = _listed(reference), _listed(new)
    rows = []
    for name in sorted(ref | got):
        if name not in got:
            rows.append((name, "missing", "not produced by the notebooks"))
        elif name not in ref:
            rows.append((name, "unexpected", "not in the committed figures"))
        else:
            rows.append((name, *_compare(Path(reference) / name, Path(new) / name)))
    return rows


def _compare(reference: Path, new: Path) -> tuple[str, str]:
    """The verdict and detail for one file present in both folders."""
    a, b = reference.read_bytes(), new.read_bytes()
    if a == b:
        return "identical", ""
    if reference.name.endswith(".png"):
        try:
            return "differs", _pixel_difference(reference, new)
        except _Unreadable as exc:
            return "unreadable", str(exc)
    return "differs", f"{sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))} bytes differ"


def _pixel_difference(a: Path, b: Path) -> str:
    """How two PNGs differ: their sizes, or how many pixels differ (a count, so that one pixel of a
    large figure is not rounded to "0.000%", the words of a change of metadata only)."""
    import numpy as np
    from matplotlib.image import imread

    images = []
    for path, which in ((a, "the reference"), (b, "the rebuilt file")):
        try:
            images.append(imread(path))
        except Exception as exc:  # noqa: BLE001 - PIL raises several kinds for a broken file
            raise _Unreadable(
                f"{which} cannot be read as PNG ({path}: {type(exc).__name__}: {str(exc)[:100]})"
            ) from None
    x, y = images
    if x.shape[:2] != y.shape[:2]:
        return f"size {x.shape[1]}x{x.shape[0]} vs {y.shape[1]}x{y.shape[0]}"

    def rgb(im):
        return im[..., :3] if im.ndim == 3 else np.repeat(im[..., None], 3, axis=-1)

    n, total = int(np.any(np.abs(rgb(x) - rgb(y)) > 1e-6, axis=-1).sum()), x.shape[0] * x.shape[1]
    if n == 0:
        return f"0 of {total} pixels differ: only the file's metadata changed"
    return f"{n} of {total} pixels differ ({100 * n / total:.3g}%)"
