"""The collection's chart style: fonts, palette, caption and source line.

Fonts are fixed so figures are byte-identical across runs: DejaVu Sans (shipped
with matplotlib) for Latin text, Noto Sans CJK (Debian's ``fonts-noto-cjk``)
added as a fallback when Chinese names are shown. macOS and Windows have their
own CJK fonts (PingFang, Microsoft YaHei, ...), used when no Noto font is there.
"""

from __future__ import annotations

import textwrap

from . import errors

#: Degree of threat, level 1 (low) .. 4 (very high): ColorBrewer YlOrRd, a
#: sequential ramp that stays ordered for the common colour-vision deficiencies
#: and in greyscale.
LEVEL_COLOURS = {1: "#fecc5c", 2: "#fd8d3c", 3: "#e31a1c", 4: "#800026"}
#: Dots whose level the text does not state.
UNKNOWN_COLOUR = "#ffffff"
UNKNOWN_EDGE = "#6b6b6b"
UNKNOWN_LABEL = "level not stated in the text"
#: Categorical palette (Okabe-Ito, colour-blind safe) for non-ordered groups.
CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
TEXT = "#1a1a1a"
MUTED = "#555555"
BASE_FONT = "DejaVu Sans"
#: Fonts with Chinese glyphs, first installed one wins. Linux (Noto first, so output there
#: stays byte-identical), then macOS, then Windows.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Songti SC",
    "Arial Unicode MS",
    "Microsoft YaHei",
    "SimHei",
    "DengXian",
    "SimSun",
)
SVG_HASHSALT = "osa-report"


#: What to install for Chinese, Japanese or Korean text, said wherever a chart needs such a font.
CJK_INSTALL = (
    "Debian's fonts-noto-cjk (sudo apt-get install fonts-noto-cjk; other systems: the 'Noto Sans CJK' "
    "fonts; macOS's PingFang SC and Windows' Microsoft YaHei work too)"
)


class FontMissingError(errors.OSAError, RuntimeError):
    """No font with Chinese glyphs is installed."""


#: Set once matplotlib's font list has been rebuilt in this process (see find_cjk_font).
_font_list_rebuilt = False


def _known_cjk_font():
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def _rebuild_font_list() -> None:
    """Rescan the installed fonts and rewrite matplotlib's font cache.

    matplotlib reads its font list from a cache file written on first use, so a font
    installed later stays invisible. This is what matplotlib itself does when a cached font
    file has gone (``FontManager.findfont``): build a new list with ``_load_fontmanager``
    (which also rewrites the cache for later processes) and copy it into the existing
    ``fontManager``, so ``font_manager.findfont`` and everyone holding that object see it.
    """
    from matplotlib import font_manager

    # private matplotlib API (see above), not in matplotlib's type stubs: hence the ignores
    font_manager._get_fontconfig_fonts.cache_clear()  # type: ignore[attr-defined]  # fc-list's answer is cached per process
    new = font_manager._load_fontmanager(try_read_cache=False)  # type: ignore[attr-defined]
    vars(font_manager.fontManager).update(vars(new))
    font_manager.fontManager._findfont_cached.cache_clear()  # type: ignore[attr-defined]


def find_cjk_font(rebuild: bool = False) -> str:
    """Name of an installed font with Chinese glyphs, or FontMissingError saying what to install.

    With ``rebuild``, a font missing from matplotlib's (possibly stale) font list is looked for
    again after rescanning the installed fonts, at most once per process.
    """
    global _font_list_rebuilt

    name = _known_cjk_font()
    if name is None and rebuild and not _font_list_rebuilt:
        _font_list_rebuilt = True
        _rebuild_font_list()
        name = _known_cjk_font()
    if name is not None:
        return name
    raise FontMissingError(
        f"Chinese actor names need a CJK font and none is installed. Install {CJK_INSTALL}, then run again, "
        "or use name_lang='en'."
    )


def apply(cjk: bool = False) -> None:
    """Set matplotlib's rcParams for the collection (call before drawing)."""
    import matplotlib

    if cjk:  # required: rescan the fonts once if the list predates the font, else say what to install
        family = [BASE_FONT, find_cjk_font(rebuild=True)]
    else:  # never rescans: a machine without CJK fonts must not rebuild the cache in every kernel
        try:  # a fallback for a stray Chinese character (e.g. in an erratum), where installed
            family = [BASE_FONT, find_cjk_font()]
        except FontMissingError:
            family = [BASE_FONT]
    matplotlib.rcParams.update(
        {
            "font.family": family,
            "font.size": 9,
            "axes.titlesize": 10,
            "axes.labelsize": 9,
            "axes.edgecolor": MUTED,
            "axes.labelcolor": TEXT,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "xtick.color": TEXT,
            "ytick.color": TEXT,
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
            "svg.hashsalt": SVG_HASHSALT,
            "svg.fonttype": "path",
            "pdf.fonttype": 42,
            "path.simplify": True,
            "axes.unicode_minus": False,
            # Text is text: a "$" in a label ("US$5 billion to US$13bn", a user's "$5 to $10") must not
            # switch matplotlib into maths notation and silently change what is printed.
            "text.parse_math": False,
        }
    )


def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width=width)) if text else ""


def add_caption(fig, header: str, source: str, note: str = ""):
    """Put the printed number and caption above everything drawn, the source line and note below.

    Positions come from the drawn extent of the figure (tick labels, legends
    included), so nothing overlaps; figures are saved with a tight bounding box.
    Returns the two texts (title block, source block): :func:`osa_utils.figures.caption_rows`
    measures the rows they take in the saved PNG, so the report page can show the figure without
    them (its figcaption carries both) while the standalone files keep them.
    """
    w = fig.get_size_inches()[0]
    head_chars = int(w * 72 / (10 * 0.58))
    foot_chars = int(w * 72 / (8 * 0.56))
    foot = wrap(source, foot_chars) + ("\n" + wrap(note, foot_chars) if note else "")
    fw, fh = fig.get_size_inches()
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    x0 = min(bbox.x0, 0.05) / fw
    title = fig.text(
        x0,
        (bbox.y1 + 0.12) / fh,
        wrap(header, head_chars),
        ha="left",
        va="bottom",
        fontsize=10,
        fontweight="bold",
        color=TEXT,
    )
    foot_text = fig.text(x0, (bbox.y0 - 0.1) / fh, foot, ha="left", va="top", fontsize=8, color=MUTED)
    return title, foot_text
