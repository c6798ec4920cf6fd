"""Allow-list HTML sanitiser for everything a kernel or a markdown cell puts in a report.

nbconvert has shipped markup-injection flaws when converting untrusted notebooks
(CVE-2021-32862) and file disclosure through embedded images (CVE-2026-39378), so leadeval
never trusts output HTML: every fragment passes through nh3 (the Rust ``ammonia`` sanitiser)
with a short allow-list of structural tags and attributes. Images survive only as inline
``data:`` URIs of PNG, JPEG or GIF; links survive only as in-page ``#fragment`` links or relative links to
another report (``../all/20_leadership_outcomes.html``). Nothing
can refer to a local file or a remote host, and ``id`` attributes are dropped so no output can
impersonate the page's own ``provenance`` block.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "section",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul",
}
_COMMON = {"class", "title", "lang", "dir", "role", "aria-label", "aria-describedby", "aria-hidden"}
ALLOWED_ATTRIBUTES = {
    "*": _COMMON,
    "a": {"href"},
    "div": {"tabindex"},  # a scrolling table region must be reachable by keyboard
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start"},
    "time": {"datetime"},
}

#: data: URIs an <img> may carry (SVG excluded: it is a document that can hold script and links).
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]+$")
_FRAGMENT = re.compile(r"^#[A-Za-z0-9_.:-]*$")
# A relative link to another report of the same set (no scheme, no host, no absolute path).
_SIBLING = re.compile(r"^(\.\./){0,3}[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,3}\.html(#[A-Za-z0-9_.:-]*)?$")
_SIZE = re.compile(r"^\d{1,5}(%|px)?$")
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "src":
        return value if tag == "img" and _DATA_IMAGE.match(value) else None
    if attr == "href":
        return value if _FRAGMENT.match(value) or _SIBLING.match(value) else None
    if attr == "tabindex":
        return value if value in ("0", "-1") else None  # never a custom tab order
    if attr in ("width", "height"):
        return value if _SIZE.match(value) else None
    return value


def sanitize_html(fragment: str) -> str:
    """Clean an HTML fragment against leadeval's allow-list.

    Parameters
    ----------
    fragment : str
        HTML from a notebook output or a rendered markdown cell.

    Returns
    -------
    str
        The fragment with every tag, attribute and URL outside the allow-list removed (script
        and style elements with their content), text content kept and escaped.

    References
    ----------
    OWASP Cross Site Scripting Prevention Cheat Sheet, rule "sanitize HTML markup with a library
    designed for the job"; ammonia (https://github.com/rust-ammonia/ammonia) via nh3.
    """
    clean = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"data"},
        attribute_filter=_attribute_filter,
        strip_comments=True,
        link_rel=None,
    )
    return _IMG_WITHOUT_SRC.sub("", clean)  # an image whose source was refused shows nothing


def escape_text(text: object) -> str:
    """Plain text made safe for HTML element content and attribute values."""
    return html.escape("" if text is None else str(text), quote=True)
