"""How fetched bytes are decoded: the WHATWG order (BOM, HTTP charset, meta prescan, default)."""

from __future__ import annotations

import pytest

from server.fetch.encoding import decode_html, media_type, require_html
from server.fetch.model import FetchError


@pytest.mark.parametrize(
    ("body", "content_type", "charset"),
    [
        (b"\xef\xbb\xbf<p>x", "text/html; charset=windows-1252", "utf-8"),
        (b"\xfe\xff\x00<", "text/html", "utf-16be"),
        (b"<p>x", "text/html; charset=utf-16", "utf-16le"),
        (b"<p>x", 'text/html; charset="ISO-8859-2"', "iso-8859-2"),
        (b"<p>x", "text/html; charset=latin1", "windows-1252"),
        (b"<p>x", "text/html; charset=x-sjis", "shift_jis"),
        (b'<meta charset="utf-8">', "text/html; charset=no-such-label", "utf-8"),
        (b'<meta charset="utf-16">', "text/html", "utf-8"),
        (b'<meta charset="x-user-defined">', "text/html", "windows-1252"),
        (b'<meta charset="iso88592">', None, "iso-8859-2"),
        (b'<meta content="text/html; charset=koi8-r">', None, "windows-1252"),  # no pragma
        (b'<meta http-equiv=content-type content="text/html;charset=koi8-r">', None, "koi8-r"),
        (b'<div title="<meta charset=koi8-r>"></div>', None, "windows-1252"),
        (b'<?xml version="1.0" encoding="iso-8859-5"?><html>', None, "iso-8859-5"),
        (b" " * 1024 + b'<meta charset="koi8-r">', None, "windows-1252"),
        (b"<p>plain</p>", None, "windows-1252"),
    ],
)
def test_the_encoding_is_found_as_a_browser_finds_it(
    body: bytes, content_type: str | None, charset: str
) -> None:
    assert decode_html(body, content_type)[1] == charset


def test_windows_1252_bytes_the_python_codec_leaves_undefined_become_c1_controls() -> None:
    assert decode_html(b"\x80\x81\x8d", None) == ("\u20ac\x81\x8d", "windows-1252")


def test_gbk_is_decoded_with_the_browsers_superset() -> None:
    text, charset = decode_html("<p>€ 中".encode("gb18030"), "text/html; charset=gb2312")
    assert (text, charset) == ("<p>€ 中", "gbk")


def test_malformed_bytes_become_replacement_characters() -> None:
    assert decode_html(b"<p>\xff", "text/html; charset=utf-8")[0] == "<p>\ufffd"


@pytest.mark.parametrize(
    "content_type", [None, "", "text/html", "Text/HTML; charset=x", "application/xhtml+xml"]
)
def test_html_types_pass(content_type: str | None) -> None:
    require_html(content_type)


@pytest.mark.parametrize(
    "content_type", ["image/png", "application/pdf", "text/plain", "application/json"]
)
def test_other_types_are_not_html(content_type: str) -> None:
    with pytest.raises(FetchError) as caught:
        require_html(content_type)
    assert caught.value.code == "not_html"
    assert media_type(content_type) in caught.value.message
