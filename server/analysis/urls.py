"""URL resolution as Chromium's `a.href` does it; registrable domains by the Public Suffix List."""

from __future__ import annotations

from functools import lru_cache

import ada_url
import webencodings
from ada_url._ada_wrapper import ffi as _ffi
from ada_url._ada_wrapper import lib as _ada
from publicsuffixlist import PublicSuffixList

from server.analysis.encoders import encode_char

# The list ships inside the package; constructing it never touches the network.
_PSL = PublicSuffixList()

_C0_CONTROL_OR_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")
# Only these schemes take the document's encoding for their query (WHATWG URL, "encoding").
_QUERY_ENCODED_SCHEMES = frozenset({"http:", "https:", "ftp:", "file:"})
_SPECIAL_SCHEMES = _QUERY_ENCODED_SCHEMES | {"ws:", "wss:"}
# The special-query percent-encode set, printable ASCII part: " # < > '
_QUERY_ESCAPED = frozenset(b"\"#<>'")
_UTF8_OUTPUT = frozenset({"utf-8", "utf-16be", "utf-16le", "replacement"})


def query_codec(charset: str | None) -> str | None:
    """The Python codec a page's query strings are encoded in, or None for UTF-8."""
    # Every encoding label is ASCII; webencodings raises on lone surrogates in a label.
    if not charset or not charset.isascii():
        return None
    encoding = webencodings.lookup(charset.strip())
    if encoding is None or encoding.name in _UTF8_OUTPUT:
        return None
    return str(encoding.codec_info.name)


def _percent_encode_char(char: str, codec: str) -> str:
    encoded = encode_char(char, codec)
    if encoded is None:
        # The encoder's "URL" error mode: an unencodable character becomes &#N;, percent-encoded.
        return f"%26%23{ord(char)}%3B"
    # Bytes that happen to be ASCII (Shift_JIS trail bytes, '\\' for U+00A5) stay literal
    # unless the special-query percent-encode set takes them, as in Chromium.
    return "".join(
        chr(byte) if 0x21 <= byte <= 0x7E and byte not in _QUERY_ESCAPED else f"%{byte:02X}"
        for byte in encoded
    )


def encode_query(raw: str, codec: str) -> str:
    """Percent-encode the non-ASCII query characters of `raw` in `codec`, as a browser does."""
    text = raw.strip(_C0_CONTROL_OR_SPACE).translate(_TAB_NEWLINE)
    question = text.find("?")
    if question == -1:
        return raw
    hash_at = text.find("#")
    if hash_at != -1 and hash_at < question:
        return raw
    end = hash_at if hash_at != -1 else len(text)
    query = text[question + 1 : end]
    if query.isascii():
        return raw
    encoded = "".join(c if c.isascii() else _percent_encode_char(c, codec) for c in query)
    return text[: question + 1] + encoded + text[end:]


def _chromium_escapes(url: ada_url.URL) -> ada_url.URL:
    """Chromium's URL parser percent-encodes a few characters that the URL Standard keeps:
    '|' in a special URL's path and ' in its userinfo."""
    if "|" in url.pathname:
        url.pathname = url.pathname.replace("|", "%7C")
    if "'" in url.username:
        url.username = url.username.replace("'", "%27")
    if "'" in url.password:
        url.password = url.password.replace("'", "%27")
    return url


def parse_url(raw: str, base: str | None = None, codec: str | None = None) -> ada_url.URL:
    """Parse `raw` against `base` as Chromium does; raises ValueError when the browser fails too."""
    url = ada_url.URL(raw, base=base) if base is not None else ada_url.URL(raw)
    if codec is not None and not raw.isascii() and url.protocol in _QUERY_ENCODED_SCHEMES:
        encoded = encode_query(raw, codec)
        if encoded is not raw:
            url = ada_url.URL(encoded, base=base) if base is not None else ada_url.URL(encoded)
    if ("|" in raw or "'" in raw) and url.protocol in _SPECIAL_SCHEMES:
        url = _chromium_escapes(url)
    return url


def _split_special(href: str, scheme_end: int) -> tuple[str, str, str]:
    """(hostname, pathname, search) of a serialized special URL, as ada reports them."""
    authority_start = scheme_end + 3
    path_start = href.find("/", authority_start)
    if path_start == -1:
        path_start = len(href)
    authority = href[authority_start:path_start]
    host = authority[authority.rfind("@") + 1 :]
    if host.startswith("["):
        host = host[: host.find("]") + 1]
    else:
        colon = host.find(":")
        if colon != -1:
            host = host[:colon]
    hash_at = href.find("#", path_start)
    end = hash_at if hash_at != -1 else len(href)
    question = href.find("?", path_start, end)
    if question == -1:
        return host, href[path_start:end], ""
    search = href[question:end]
    return host, href[path_start:question], "" if search == "?" else search


def join_url(base: str, raw: str) -> str:
    """ada_url.join_url without its per-call Python overhead (no ffi.gc finaliser): this runs
    once per distinct link of every page."""
    raw_bytes = raw.encode()  # a lone surrogate raises UnicodeEncodeError, a ValueError
    base_bytes = base.encode()
    url = _ada.ada_parse_with_base(raw_bytes, len(raw_bytes), base_bytes, len(base_bytes))
    try:
        if not _ada.ada_is_valid(url):
            raise ValueError(f"not a URL: {raw!r}")
        href = _ada.ada_get_href(url)
        return bytes(_ffi.buffer(href.data, href.length)).decode("utf-8")
    finally:
        _ada.ada_free(url)


def resolve(raw: str, base: str | None, codec: str | None) -> tuple[str, str, str, str, str]:
    """(href, scheme, hostname, pathname, search) of `raw` against `base`; hostname, pathname
    and search are empty for non-special URLs. Raises ValueError when Chromium fails too.

    The common case is one C call (join_url) and string slicing: building an ada URL object
    and reading five attributes through its Python adapter costs six times more."""
    if (codec is not None and not raw.isascii()) or "|" in raw or "'" in raw or base is None:
        url = parse_url(raw, base, codec)
        href = str(url.href)
    else:
        href = join_url(base, raw)
    colon = href.find(":")
    scheme = href[: colon + 1]
    if href.startswith("//", colon + 1):
        if scheme in _SPECIAL_SCHEMES:
            return (href, scheme, *_split_special(href, colon))
        parts = ada_url.parse_url(href, attributes=("hostname", "pathname", "search"))
        return href, scheme, str(parts["hostname"]), str(parts["pathname"]), str(parts["search"])
    return href, scheme, "", "", ""


def without_fragment(href: str) -> str:
    hash_at = href.find("#")
    return href if hash_at == -1 else href[:hash_at]


def _is_ip(host: str) -> bool:
    return host.startswith("[") or host.replace(".", "").isdigit()


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str | None:
    """`blog.example.co.uk` -> `example.co.uk`; `a.github.io` stays `a.github.io`."""
    if not host:
        return None
    if _is_ip(host):
        return host
    host = host.rstrip(".")
    return _PSL.privatesuffix(host) or host
