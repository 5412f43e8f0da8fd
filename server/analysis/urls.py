"""URL resolution as Chromium's `a.href` does it; registrable domains by the Public Suffix List."""

from __future__ import annotations

from functools import lru_cache

import ada_url
import webencodings
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
    if not charset:
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
