"""Every HTML page the tool writes: Jinja2 templates, an allow-list sanitizer, a CSP.

* Pages come from the templates in ``osa_utils/templates/`` rendered with
  autoescape on: a value from a CSV or a notebook is text unless it passed
  :func:`sanitize` (then it is wrapped with :class:`markupsafe.Markup`).
* :func:`sanitize` is :mod:`nh3` (Ammonia) with an allow-list that keeps the
  collection's own markup — ``class``/``id`` attributes, tables, figures, and
  ``data:`` images in ``<img src>`` only — and drops everything else, scripts,
  event handlers, ``<style>`` and ``javascript:`` links included.
* Every page carries :data:`CSP`, a Content-Security-Policy that forbids scripts
  and every remote load while allowing the page's inline styles and ``data:``
  images, so a page stays inert and offline even if a sanitizer missed something.
* :func:`export_html` makes the page of an executed notebook (the build's workers, which
  :func:`warm_up` prepares).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

#: No scripts, no remote anything; inline styles and embedded images only.
CSP = (
    "default-src 'none'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"
)

#: Tags kept from notebook Markdown, notebook outputs and data (text of the rest is kept).
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
    "section",
    "nav",
    "article",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "li": {"value"},
}
#: Embedded images only: a data: URI of a raster or SVG image, base64-encoded.
DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*$")
LINK_SCHEMES = ("http", "https", "mailto")


def _attribute_filter(tag: str, attr: str, value: str):
    if attr == "src":
        return value if tag == "img" and DATA_IMAGE.match(value) else None
    if attr == "href":
        m = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):", value)
        return value if m is None or m.group(1).lower() in LINK_SCHEMES else None
    return value


def sanitize(fragment: str) -> str:
    """*fragment* with everything outside the allow-list removed (see the module docstring)."""
    import nh3

    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "iframe", "object", "embed", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={*LINK_SCHEMES, "data"},
        link_rel=None,
        strip_comments=True,
    )


def safe(fragment: str):
    """Sanitized *fragment*, marked safe for the templates."""
    from markupsafe import Markup

    return Markup(sanitize(fragment))


def markdown(text: str):
    """Markdown to sanitized HTML; raw HTML in the text shows as text."""
    from markdown_it import MarkdownIt

    return safe(MarkdownIt("commonmark", {"html": False}).render(text or ""))


@functools.lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup

    env = Environment(
        loader=PackageLoader("osa_utils", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["CSP"] = Markup(CSP)  # our constant: single quotes kept as written
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


@functools.lru_cache(maxsize=1)
def code_css() -> str:
    """Pygments' styles for highlighted code cells (chapter pages)."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".highlight")


# --------------------------------------------------------------------------- executed notebooks
def export_html(nb_path: Path, html_path: Path, name: str | None = None) -> None:
    """The executed notebook as an inert, offline page.

    nbconvert's ``basic`` template gives the cells without its page shell (the
    ``lab`` shell loads require.js and MathJax from a CDN); the cells pass the
    report's allow-list sanitizer and go into ``templates/chapter.html.j2``, which
    carries the Content-Security-Policy.
    """
    import nbformat

    name = name or Path(html_path).stem
    html_path.write_text(notebook_page(nbformat.read(str(nb_path), as_version=4), name), encoding="utf-8")


def notebook_page(nb, name: str) -> str:
    """The page :func:`export_html` writes, for the notebook node *nb*."""
    from markupsafe import Markup

    body, _ = _html_exporter().from_notebook_node(nb)
    return render(
        "chapter.html.j2", title=f"{name} (executed notebook)", name=name, body=safe(body), code_css=Markup(code_css())
    )


@functools.lru_cache(maxsize=1)
def _html_exporter():
    """One exporter per process, as nbconvert's own command uses one for all its notebooks: its
    template is compiled once (about 0.1 s per notebook less)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic")


def warm_up() -> None:
    """Do once, in the build's fork server (:mod:`osa_utils.batch.workerprep`), what every worker's first
    notebook would do again: compile nbconvert's template, its Markdown and highlighting patterns and
    the page templates (about 0.5 s of CPU per worker and build), by making the page of a small
    executed notebook. A spawned worker (macOS, Windows) does it at its start instead, which costs
    about what it saves."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    cell = nbformat.v4.new_code_cell("import math\nprint(math.pi)  # a comment\nx = [1, 'a', None]", execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="3.14\n"),
        nbformat.v4.new_output(
            "display_data",
            data={"text/plain": "x", "text/html": "<b>x</b>", "text/markdown": "*x*", "image/png": "iVBORw0KGgo="},
        ),
        nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1),
        nbformat.v4.new_output("error", ename="ValueError", evalue="v", traceback=["\x1b[31mValueError\x1b[0m: v"]),
    ]
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# Title\n\nSome *text*, `code` and a [link](https://example.org).\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        ),
        cell,
    ]
    notebook_page(nb, "warm-up")
