"""A CJK font installed after matplotlib wrote its font cache is still found (osa_utils.style)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest

from osa_utils import style

# Run in a fresh interpreter: matplotlib reads its font cache once, at import.
FIND_AFTER_APPLY = """
from osa_utils import style
style.apply(cjk=True)
from matplotlib import font_manager
name = style.find_cjk_font()
print(name)
print(font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False))
"""
CACHED_NAMES = """
from matplotlib import font_manager
print("\\n".join(sorted({f.name for f in font_manager.fontManager.ttflist})))
"""


def _python(code, env):
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)


def test_font_installed_after_the_cache_was_written_is_found(tmp_path):
    """The sequence: first run (cache written, no CJK font visible), font installed, zh run."""
    env = {k: v for k, v in os.environ.items() if k != "MPL_IGNORE_SYSTEM_FONTS"}
    env["MPLCONFIGDIR"] = str(tmp_path / "mpl")
    # First run: matplotlib sees no installed font (only its own), as before fonts-noto-cjk.
    first = _python(CACHED_NAMES, {**env, "MPL_IGNORE_SYSTEM_FONTS": "1"})
    assert first.returncode == 0, first.stderr
    [cache] = (tmp_path / "mpl").glob("fontlist-*.json")
    assert not set(first.stdout.split("\n")) & set(style.CJK_FONTS), "the first run must not see a CJK font"

    # Now the installed fonts are visible, but the cache predates them.
    stale = _python(CACHED_NAMES, env)
    assert stale.returncode == 0, stale.stderr
    assert not set(stale.stdout.split("\n")) & set(style.CJK_FONTS), "the cache should be stale here"

    run = _python(FIND_AFTER_APPLY, env)
    assert run.returncode == 0, (
        "apply(cjk=True) did not find the font the stale cache lacks (this test "
        "needs a CJK font installed; CI installs fonts-noto-cjk):\n" + run.stderr[-2000:]
    )
    name, path = run.stdout.split("\n")[:2]
    assert name in style.CJK_FONTS and os.path.isfile(path)

    # The rebuilt list was written back: the next process finds the font without rescanning.
    cached = {f["name"] for f in json.loads(cache.read_text())["ttflist"]}
    assert name in cached


@pytest.fixture
def empty_font_list(monkeypatch):
    """A font list without CJK fonts; every rebuild is counted and finds none either."""
    import matplotlib
    from matplotlib import font_manager

    def no_cjk():
        fm = copy.copy(font_manager.fontManager)
        fm.ttflist = [f for f in fm.ttflist if f.name not in style.CJK_FONTS]
        return fm

    rebuilds = []

    def load(*, try_read_cache=True):
        rebuilds.append(try_read_cache)
        return no_cjk()

    monkeypatch.setattr(font_manager, "fontManager", no_cjk())
    monkeypatch.setattr(font_manager, "_load_fontmanager", load)
    monkeypatch.setattr(style, "_font_list_rebuilt", False)
    with matplotlib.rc_context():
        yield rebuilds


def test_en_never_rebuilds_the_font_list(empty_font_list):
    import matplotlib

    style.apply(cjk=False)
    style.apply()
    assert matplotlib.rcParams["font.family"] == [style.BASE_FONT]
    assert empty_font_list == []


def test_zh_rebuilds_once_per_process_then_says_what_to_install(empty_font_list):
    for _ in range(2):
        with pytest.raises(style.FontMissingError) as info:
            style.apply(cjk=True)
    assert empty_font_list == [False], "one rebuild, not reading the stale cache"
    assert "fonts-noto-cjk" in str(info.value) and "cache" not in str(info.value)


def test_macos_and_windows_fonts_come_after_noto():
    names = style.CJK_FONTS
    assert names[0] == "Noto Sans CJK SC"
    for name in ("PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "SimHei", "DengXian"):
        assert names.index(name) > names.index("Droid Sans Fallback")


def test_every_character_of_the_data_has_a_glyph_in_the_collection_fonts(package):
    """Each character in the data package (actor names in Chinese included) is drawn from the base
    font or the CJK font the figures use: no name is drawn as empty boxes. This checks every table,
    where a build with name_lang=zh checks only the names the figures happen to show."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    fonts = [
        FT2Font(font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False))
        for name in (style.BASE_FONT, style.find_cjk_font(rebuild=True))
    ]
    chars = {
        c
        for df in package.values()
        for col in df.columns
        for v in df[col].dropna().astype(str)
        for c in v
        if ord(c) > 127 and c.isprintable()
    }
    assert any("\u4e00" <= c <= "\u9fff" for c in chars), "the data has Chinese names to check"
    missing = sorted(c for c in chars if not any(f.get_char_index(ord(c)) for f in fonts))
    assert missing == [], f"no glyph for {''.join(missing)!r} ({', '.join(f'U+{ord(c):04X}' for c in missing)})"
