#!/usr/bin/env python3
"""Extract the report's footnotes 1-270 into data/references.csv.

Standard library only.  Reads the report's plain text from $OSA_SOURCE_TEXT
(default ../shared/reference/000_c1b4ff3702dc90eb.txt beside the checkout) and writes
data/references.csv (relative to the project root, i.e. the parent of tools/)
deterministically.  Usage:

    python3 tools/extract_references.py [OUTPUT.csv]
    python3 tools/extract_references.py --help      # this text (the report's text is not needed)

How a footnote is assembled
---------------------------
* A footnote starts on a line beginning with superscript digits and a space
  ("¹² Author, ...").  All 270 numbers occur exactly once, in order.
* If the text gathered so far does not end like a finished note ('.', '>', '.)'
  or '>.' at the end), the next non-blank line that is not itself a footnote
  start is taken as its continuation, and so on.  Where the page layout
  defeats that rule (the continuation sits after body text, or the next line
  is body text) the line numbers are given by hand in OVERRIDES below.
* Lines are joined with one space and whitespace runs are collapsed.  A word
  hyphenated over a line break ("Interna-" / "tionalization") is rejoined
  without the hyphen, as the fidelity checker's normalizer does.
* A line that is only the tail of a URL ('com/en/news/...>.': no space, a
  '/', ending in '>' or '>.') must belong to some footnote: the script stops
  if one is left over, so a URL the page layout cut off (footnote 187) cannot
  be truncated silently.
* URLs split by the extraction into an autolink plus a markdown link
  ('<<https://a/>' + '[b](https://a/b)>') are rejoined into the single printed
  form '<https://a/b>'; an autolink whose last domain label went on after a
  page break ('<<https://www.huawei.com>>.' + 'com/en/news/...>.', the
  extraction having closed the link at the printed line end) is rejoined the
  same way ('<https://www.huawei.com/en/news/...>').  Those cells are then no longer a contiguous substring
  of the extraction (the note column says so).
* Markdown backslash escapes '\\$', '\\&', '\\#', '\\_' are removed (the printed
  text has no backslash; the fidelity normalizer drops them too).  Markdown
  emphasis ('*Title*') and the extraction's doubled autolink brackets
  ('<<https://...>>') are kept as extracted so that the cell passes the
  fidelity check; the url column carries the bare URL.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from pathlib import Path

# Beside a checkout: ../shared/reference/ (as in osa_utils.fidelity).
DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "000_c1b4ff3702dc90eb.txt"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "data" / "references.csv"

SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUP_TR = str.maketrans(SUP, "0123456789")
START = re.compile(r"^([" + SUP + r"]+) (.*)$")

# --- hand-coded overrides ----------------------------------------------------
# footnote -> the 1-based source lines that make up the footnote, in order.
# Only for footnotes where the layout defeats the continuation rule above.
# The first line must be the detected start line (checked at run time).
OVERRIDES: dict[int, list[int]] = {
    # fn 3: "...at the time of" continues after two body paragraphs ("writing. See e.g. ...").
    3: [178, 180, 194],
    # fn 68: "...CAICT, accessed" continues after the 6G body text ("18 December 2022 at <...>").
    68: [865, 889],
    # fn 73: "...; Ruikun Xie" continues after the section heading ("et al., ... <http://www.81.cn/...>.").
    73: [971, 987],
    # fn 171: "...accessed 13 December 2022 at" continues after a section ("<<https://www.quectel.com/...>>.").
    171: [1765, 1773],
    # fn 187: "...at <<https://www.huawei.com>>." looks finished, but the printed URL goes on after
    # the next page's body text ("com/en/news/2018/10/huawei-audi-l4-automatic-driving>.").
    187: [1897, 1919],
    # fn 249: "...15 September 2022," continues after two body paragraphs ("<https://merics.org/...>.").
    249: [2357, 2359, 2381],
}
# Lines that are *not* continuations although they follow a footnote: the
# extraction repeated the second half of an already complete URL as a markdown
# link.  They are skipped (and mentioned in the note column).
DUPLICATE_URL_LINES: dict[int, int] = {
    31: 505,  # '[com/business/...](https://www.reuters.com/...)>.' repeats the URL of line 503
    48: 697,  # '[eu/en/policies/...](https://digital-strategy.ec.europa.eu/...)' repeats line 695
}
# Slips in the printed footnotes, found by reading them against each other;
# written into the note column (the errata list is in build_frag/references_notes.md).
ERRATA_NOTES: dict[int, str] = {
    5: "ERRATUM?: URL path segment '4uiZoNQtrkni5KfuNDRBbx' differs in case from the same DPC report's URL in note 72 ('...KfuNdrBbx')",
    22: "ERRATUM: outlet printed 'SFR'; the URL (www.srf.ch) is Swiss broadcaster SRF",
    47: "ERRATUM: URL domain printed 'meric.org'; the report's other MERICS URLs use merics.org (notes 40, 70, 163, 165, 249)",
    73: "ERRATUM: second URL printed without its opening '<' ('at http://www.mod.gov.cn/...>')",
    96: "ERRATUM: back-reference names 'Mikko Raud'; note 83 is by 'Mikk Raud'",
    139: "ERRATUM: 'Rajesh Bansal and Somya Singh (note 130)' - note 130 is Lian Cheng; Bansal and Singh are cited in note 129",
    153: "ERRATUM: back-reference names 'Martin Chorzenia'; note 116 is by 'Martin Chorzempa'",
    164: "ERRATUM: 'Rajesh Bansal and Somya Singh (note 130)' - note 130 is Lian Cheng; Bansal and Singh are cited in note 129",
    177: "ERRATUM?: publisher printed 'Research and Marketing'; its URL ends 'ResearchAndMarkets.com' and note 180 prints 'Research and Markets'",
    178: "ERRATUM?: 'Research and Marketing' as in note 177; the publisher's URL in note 177 ends 'ResearchAndMarkets.com'",
    257: "ERRATUM: URL domain printed 'meric.org'; the report's other MERICS URLs use merics.org (notes 40, 70, 163, 165, 249)",
    262: "ERRATUM: title lacks its opening quotation mark ('TikTok, How TikTok recommends videos #For You\"')",
}
# Other hand remarks for the note column.
HAND_NOTES: dict[int, str] = {
    68: "the fidelity checker still finds this cell because note 62 is printed identically",
}
# -----------------------------------------------------------------------------

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        1,
    )
}
ACCESSED = re.compile(r"accessed,?\s+(?:on\s+)?(\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+(\d{4})")
NOTE_REF = re.compile(r"\(notes? (\d+)\)")

# Chapter openings: (chapter, exact title line).  The introduction's title also
# appears in the table of contents (with dots and a page number), so only an
# exact full-line match counts.
CHAPTER_TITLES = [
    (1, "Introduction: European Open Strategic Autonomy in the light of China's digital tech power"),
    (2, "Challenges of a rising Chinese chip design ecosystem"),
    (3, "In political and technological harmony or disharmony? How Europe and China advance towards 6G"),
    (4, "Crypto Without the Currency: China's Blockchain Strategy"),
    (5, "Assessing the Financial and Geoeconomic Implications of China's Digital Currency"),
    (6, "Chinese Vehicle-to-Everything (V2X) Technology and the European Car Industry"),
    (7, "AI for Urban Public Security: Threats to European Security and Values"),
    (8, "The ethics of Artificial Intelligence in the European Union and China"),
]


def source_path() -> Path:
    return Path(os.environ.get("OSA_SOURCE_TEXT") or DEFAULT_SOURCE)


def chapter_starts(lines: list[str]) -> list[tuple[int, int]]:
    """[(first line index, chapter)] sorted by line."""
    starts = []
    for ch, title in CHAPTER_TITLES:
        hits = [i for i, l in enumerate(lines) if l.strip() == title]
        if len(hits) != 1:
            raise SystemExit(f"chapter {ch} title found {len(hits)} times: {title!r}")
        starts.append((hits[0], ch))
    starts.sort()
    if [c for _, c in starts] != list(range(1, 9)):
        raise SystemExit("chapter titles out of order")
    return starts


def chapter_of(idx: int, starts: list[tuple[int, int]]) -> int:
    ch = 0
    for i, c in starts:
        if idx >= i:
            ch = c
    return ch


def _start_text(line: str) -> str:
    """The text after the superscript number of a footnote's start line (one START matched)."""
    m = START.match(line)
    assert m is not None, line
    return m.group(2)


def looks_finished(text: str) -> bool:
    t = text.rstrip()
    # an autolink left open ("<<https://a/>") means the URL goes on on the next line
    return t.endswith((".", ">", ".)")) and t.count("<") <= t.count(">")


def join_segments(segs: list[str], notes: list[str] | None = None) -> str:
    out = ""
    for s in segs:
        s = s.strip()
        if not out:
            out = s
        elif re.search(r"[a-z]-$", out) and re.match(r"[a-z]", s):
            if notes is not None:
                notes.append(
                    f"word hyphenated over a line break rejoined without the hyphen "
                    f"('{out.split()[-1]}' + '{s.split()[0]}')"
                )
            out = out[:-1] + s  # page-break hyphenation: "Interna-" + "tionalization"
        else:
            out = out + " " + s
    return re.sub(r"\s+", " ", out).strip()


# '<<https://a/> [b](https://a/b)>'  ->  '<https://a/b>'
SPLIT_MD = re.compile(r"<<(https?://[^<>\s]*)> \[([^\]\s]+)\]\((https?://[^\s]+?)\)>")
# '<[https://](https://a/b) a/b>'  ->  '<https://a/b>'
SPLIT_MD2 = re.compile(r"<\[(https?://)\]\((https?://[^\s)]+)\) ([^\s<>]+)>")
# '<<https://> a/b>'  ->  '<https://a/b>'
SPLIT_PLAIN = re.compile(r"<<(https?://[^<>\s]*)> ([^\s<>\[\]]+)>")
# '<<https://www.a.com>>. com/b>'  ->  '<https://www.a.com/b>' (the printed line ended in 'www.a.')
SPLIT_TLD = re.compile(r"<<(https?://[^<>\s]*)\.(\w+)>>\. \2(/[^\s<>]*)>")
# a line that is nothing but the tail of a URL
URL_TAIL_LINE = re.compile(r"^[^\s<>]*/[^\s<>]*>\.?$")


def rejoin_urls(text: str) -> tuple[str, list[str]]:
    notes = []

    def md(m):
        a, b, full = m.group(1), m.group(2), m.group(3)
        if a + b != full:
            raise SystemExit(f"split URL halves do not make the link target: {m.group(0)!r}")
        notes.append(full)
        return f"<{full}>"

    def md2(m):
        scheme, full, rest = m.groups()
        if scheme + rest != full:
            raise SystemExit(f"split URL halves do not make the link target: {m.group(0)!r}")
        notes.append(full)
        return f"<{full}>"

    def plain(m):
        full = m.group(1) + m.group(2)
        notes.append(full)
        return f"<{full}>"

    def tld(m):
        full = f"{m.group(1)}.{m.group(2)}{m.group(3)}"
        notes.append(full)
        return f"<{full}>"

    text = SPLIT_MD.sub(md, text)
    text = SPLIT_MD2.sub(md2, text)
    text = SPLIT_PLAIN.sub(plain, text)
    text = SPLIT_TLD.sub(tld, text)
    return text, notes


URL_START = re.compile(r"https?://|www\.")
MD_LINK = re.compile(r"<\[[^\]]*\]\((https?://.+?)\)>")  # <[shown text](target)>


def first_url(text: str) -> str:
    """First URL of *text*, bare (no angle brackets, no markdown, no backslash escapes)."""
    m = URL_START.search(text)
    if not m:
        return ""
    p = m.start()
    if text[p - 2 : p] == "<[":  # markdown link: the target is the clean URL
        md = MD_LINK.match(text, p - 2)
        if not md:
            raise SystemExit(f"cannot parse markdown link at {text[p - 2 : p + 80]!r}")
        return md.group(1)
    bare = re.match(r"[^\s<>]+", text[p:])
    assert bare is not None  # URL_START matched at p, so at least one non-space character follows
    url = bare.group(0)
    url = url.rstrip(".,;")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,;")
    return url


def parse_args(argv: list[str]):
    import argparse

    ap = argparse.ArgumentParser(
        prog="tools/extract_references.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "output",
        nargs="?",
        type=Path,
        default=DEFAULT_OUT,
        metavar="OUTPUT.csv",
        help="where to write the footnotes (default: data/references.csv)",
    )
    return ap.parse_args(argv[1:])


def main(argv: list[str]) -> int:
    out_path = parse_args(argv).output
    source = source_path()
    try:
        lines = source.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        print(
            f"error: cannot read the report's text {source}: {getattr(exc, 'strerror', None) or exc} (set "
            "OSA_SOURCE_TEXT to the file's path); nothing was written",
            file=sys.stderr,
        )
        return 2
    starts = chapter_starts(lines)

    fn_start: dict[int, int] = {}
    order = []
    for i, l in enumerate(lines):
        m = START.match(l)
        if m:
            n = int(m.group(1).translate(SUP_TR))
            if n in fn_start:
                raise SystemExit(f"footnote {n} occurs twice (lines {fn_start[n] + 1}, {i + 1})")
            fn_start[n] = i
            order.append(n)
    start_lines = set(fn_start.values())

    # in-text markers: superscript digits not at the start of a line
    markers: dict[int, int] = {}
    for i, l in enumerate(lines):
        for m in re.finditer("[" + SUP + "]+", l):
            if m.start() > 0 and l[m.start() - 1] != "m":  # skip "km²"
                markers.setdefault(int(m.group().translate(SUP_TR)), i)

    rows = []
    used: set[int] = set(start_lines) | {k - 1 for k in DUPLICATE_URL_LINES.values()}
    for n in sorted(fn_start):
        i0 = fn_start[n]
        notes: list[str] = []
        if n in OVERRIDES:
            idxs = [k - 1 for k in OVERRIDES[n]]
            if idxs[0] != i0:
                raise SystemExit(f"override for footnote {n} does not start at its line {i0 + 1}")
            notes.append(
                "continuation taken from line(s) "
                + ", ".join(str(k) for k in OVERRIDES[n][1:])
                + " of the extraction, after intervening body text (hand override); "
                "the cell is therefore not a contiguous substring of the extraction"
            )
        else:
            idxs = [i0]
            text = _start_text(lines[i0])
            j = i0 + 1
            while not looks_finished(text):
                while j < len(lines) and not lines[j].strip():
                    j += 1
                if j >= len(lines) or j in start_lines:
                    break
                idxs.append(j)
                text += " " + lines[j]
                j += 1
        used.update(idxs)
        segs = [_start_text(lines[idxs[0]])] + [lines[k] for k in idxs[1:]]
        citation = join_segments(segs, notes)
        citation = re.sub(r"\\([$&#_])", r"\1", citation)
        citation, split = rejoin_urls(citation)
        if split:
            notes.append(
                "split URL rejoined into the printed form <"
                + "> and <".join(split)
                + ">; the cell is therefore not a contiguous substring of the extraction"
            )
        if n in DUPLICATE_URL_LINES:
            notes.append(
                f"line {DUPLICATE_URL_LINES[n]} of the extraction repeats the second half of this URL "
                "as a markdown link; ignored"
            )
        if re.search(r"<\[[^\]]+\]\(", citation):
            notes.append(
                "URL printed as a markdown link <[…](…)> in the extraction; kept verbatim, "
                "url column gives the link target"
            )

        url = first_url(citation)
        if url.startswith("www."):
            notes.append("web address printed without scheme")
        if not url and re.search(r"doi", citation, re.I):
            notes.append("identified by DOI only; no URL printed")

        acc = [f"{y}-{MONTHS[mo]:02d}-{int(d):02d}" for d, mo, y in ACCESSED.findall(citation)]
        accessed = acc[0] if acc else ""
        if len(set(acc)) > 1:
            notes.append("several access dates: " + ", ".join(acc) + "; first given")
        elif not acc and re.search(r"accessed", citation):
            notes.append("'accessed' without a complete date")

        refs = [int(x) for x in NOTE_REF.findall(citation)]
        see_note = refs[0] if refs else ""
        if len(refs) > 1:
            notes.append("also refers to note(s) " + ", ".join(str(r) for r in refs[1:]))
        for r in refs:
            if r not in fn_start:
                notes.append(f"ERRATUM: refers to note {r}, which does not exist; see_note left empty")
                if see_note == r:
                    see_note = ""
            elif r >= n:
                notes.append(f"ERRATUM: refers to note {r}, which is not an earlier note")
        if n in HAND_NOTES:
            notes.append(HAND_NOTES[n])
        if n in ERRATA_NOTES:
            notes.append(ERRATA_NOTES[n])

        ch = chapter_of(i0, starts)
        if n in markers and chapter_of(markers[n], starts) != ch:
            notes.append(f"in-text marker is in chapter {chapter_of(markers[n], starts)}")
        if n not in markers:
            notes.append("no in-text marker found")

        rows.append(
            {
                "footnote": n,
                "chapter": ch,
                "citation": citation,
                "url": url,
                "accessed": accessed,
                "see_note": see_note,
                "note": "; ".join(notes),
            }
        )

    orphans = [i + 1 for i, l in enumerate(lines) if i not in used and URL_TAIL_LINE.match(l.strip())]
    if orphans:
        raise SystemExit(
            f"line(s) {orphans} hold only the tail of a URL but belong to no footnote: add them to OVERRIDES"
        )

    if order != sorted(order):
        print("warning: footnotes out of order in the text", file=sys.stderr)
    missing = sorted(set(range(1, 271)) - set(fn_start))
    if missing:
        print(f"warning: footnotes missing: {missing}", file=sys.stderr)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
