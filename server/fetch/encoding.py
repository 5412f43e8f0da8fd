"""Which responses are HTML, and how a browser decodes their bytes (WHATWG Encoding + HTML)."""

from __future__ import annotations

import codecs
import re

import webencodings
from w3lib.encoding import to_unicode

from server.fetch.model import FetchError

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
)
_PRESCAN_BYTES = 1024  # the HTML standard's prescan window
_HEADER_CHARSET = re.compile(r"""(?:^|;)[ \t]*charset\s*=\s*["']?([^\s;"',]+)""", re.IGNORECASE)
_MARKUP = re.compile(
    rb"(?P<comment><!--.*?-->)|(?P<meta><meta[\s/])|(?P<tag></?[a-z])|(?P<other><[!/?][^>]*>?)",
    re.IGNORECASE | re.DOTALL,
)
_ATTRIBUTE = re.compile(
    rb"""[\s/]*(?:(?P<end>>|$)|(?P<name>=?[^\s/>=]*)\s*"""
    rb"""(?:=\s*(?:"(?P<dq>[^"]*)"?|'(?P<sq>[^']*)'?|(?P<uq>[^\s>]*)))?)""",
    re.DOTALL,
)
_CONTENT_CHARSET = re.compile(
    rb"""charset\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s;"']+))""", re.IGNORECASE
)
_XML_DECLARATION = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']?([A-Za-z0-9._:-]+)""")
# Python codecs that are the browsers' supersets of what a label names (as w3lib decodes).
_DECODERS = {"gbk": "gb18030", "shift_jis": "cp932", "euc-kr": "cp949", "big5": "big5hkscs"}


def media_type(content_type: str | None) -> str | None:
    """`text/html; charset=x` -> `text/html`; None when there is no type."""
    if content_type is None:
        return None
    essence = content_type.split(";", 1)[0].strip().lower()
    return essence or None


def require_html(content_type: str | None) -> None:
    """Raise FetchError('not_html') unless the response may be an HTML page."""
    essence = media_type(content_type)
    if essence is not None and essence not in HTML_TYPES:
        raise FetchError("not_html", f"the response is {essence}, not an HTML page")


def _lookup(label: bytes | str | None) -> str | None:
    if label is None:
        return None
    text = label.decode("latin-1") if isinstance(label, bytes) else label
    encoding = webencodings.lookup(text.strip())
    return None if encoding is None else encoding.name


def header_encoding(content_type: str | None) -> str | None:
    """The encoding a Content-Type header's charset names, or None (unknown labels ignored)."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type.partition(";")[2])
    return _lookup(match.group(1)) if match else None


def _meta_encoding(attributes: dict[bytes, bytes]) -> str | None:
    """The HTML standard's rule for one <meta>: charset=, or http-equiv + content charset."""
    if b"charset" in attributes:
        return _lookup(attributes[b"charset"])
    if attributes.get(b"http-equiv", b"").strip().lower() != b"content-type":
        return None
    match = _CONTENT_CHARSET.search(attributes.get(b"content", b""))
    if match is None:
        return None
    return _lookup(match.group("dq") or match.group("sq") or match.group("uq"))


def _read_attributes(data: bytes, pos: int) -> tuple[dict[bytes, bytes], int]:
    attributes: dict[bytes, bytes] = {}
    while pos < len(data):
        match = _ATTRIBUTE.match(data, pos)
        if match is None or match.group("end") is not None or match.end() == pos:
            return attributes, (match.end() if match else len(data))
        name = match.group("name").lower()
        value = match.group("dq") or match.group("sq") or match.group("uq") or b""
        attributes.setdefault(name, value)  # the first of a repeated attribute wins
        pos = match.end()
    return attributes, pos


def prescan_encoding(body: bytes) -> str | None:
    """The encoding declared by <meta> (or an XML declaration) in the first 1024 bytes."""
    data = body[:_PRESCAN_BYTES]
    declared: str | None = None
    xml = _XML_DECLARATION.match(data)
    if xml is not None:
        declared = _lookup(xml.group(1))
    pos = 0
    while declared is None:
        match = _MARKUP.search(data, pos)
        if match is None:
            break
        pos = match.end()
        if match.group("meta") is not None or match.group("tag") is not None:
            attributes, pos = _read_attributes(data, pos)
            if match.group("meta") is not None:
                declared = _meta_encoding(attributes)
    if declared in ("utf-16be", "utf-16le"):
        return "utf-8"  # a document that can be prescanned as ASCII is not UTF-16
    if declared == "x-user-defined":
        return "windows-1252"
    return declared


def _c1_for_undefined(error: UnicodeError) -> tuple[str, int]:
    # WHATWG windows-1252 maps the five bytes cp1252 leaves undefined to C1 controls.
    assert isinstance(error, UnicodeDecodeError)
    return "".join(chr(b) for b in error.object[error.start : error.end]), error.end


codecs.register_error("linkinspector_c1", _c1_for_undefined)


def decode(body: bytes, encoding: str) -> str:
    """Decode `body` in the WHATWG encoding `encoding`, malformed bytes becoming U+FFFD."""
    if encoding == "windows-1252":
        return body.decode("cp1252", "linkinspector_c1")
    if encoding == "replacement":
        return "\ufffd" if body else ""
    if encoding == "x-user-defined":
        # webencodings' own codec: Python's codec registry (and so w3lib) does not know it.
        return webencodings.decode(body, "x-user-defined", errors="replace")[0]
    codec = _DECODERS.get(encoding) or webencodings.lookup(encoding).codec_info.name
    return to_unicode(body, codec)


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """(text, WHATWG encoding name): BOM, then the HTTP charset, then the meta prescan,
    then windows-1252 — the order a browser follows (Chromium never guesses UTF-8 for http)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return decode(body[len(bom) :], name), name
    encoding = header_encoding(content_type) or prescan_encoding(body) or "windows-1252"
    return decode(body, encoding), encoding
