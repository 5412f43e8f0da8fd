"""The WHATWG Encoding Standard's encoders where Python's codecs disagree with them.

Browsers encode a URL's query in the page's encoding; Python's codecs add best-fit and
vendor mappings that Chromium's encoders lack (cp932 maps private-use characters and
U+00A2; cp1252 cannot encode the five C1 controls windows-1252 passes through)."""

from __future__ import annotations

from functools import lru_cache

# windows-1252 bytes that Python's cp1252 leaves undefined: the WHATWG index maps each
# to the C1 control of the same value.
_CP1252_C1 = {chr(b): bytes([b]) for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
# Shift_JIS encoder steps that come before the index (Encoding Standard, 13.3.2).
_SHIFT_JIS_FIRST = {"\u0080": b"\x80", "\u00a5": b"\x5c", "\u203e": b"\x7e"}


def _shift_jis_bytes(pointer: int) -> bytes:
    lead, trail = divmod(pointer, 188)
    return bytes((lead + (0x81 if lead < 0x1F else 0xC1), trail + (0x40 if trail < 0x3F else 0x41)))


@lru_cache(maxsize=1)
def _shift_jis_table() -> dict[str, bytes]:
    """Index Shift_JIS pointer of each code point: index jis0208 (which Python's cp932
    decoder reproduces) without pointers 8272-8835 and without the private-use area."""
    table: dict[str, bytes] = {}
    for pointer in range(11280):  # up to lead byte 0xFC
        if 8272 <= pointer <= 8835:
            continue
        data = _shift_jis_bytes(pointer)
        if 0xF0 <= data[0] <= 0xF9:  # user-defined area: decodes to private use, never encoded
            continue
        try:
            char = data.decode("cp932")
        except UnicodeDecodeError:
            continue
        if len(char) == 1:
            table.setdefault(char, data)
    table.update(_SHIFT_JIS_FIRST)
    for code in range(0xFF61, 0xFFA0):
        table[chr(code)] = bytes((code - 0xFF61 + 0xA1,))
    table["\u2212"] = table["\uff0d"]
    return table


def _x_user_defined(char: str) -> bytes | None:
    """The Encoding Standard's x-user-defined encoder: ASCII, and U+F780-U+F7FF as 0x80-0xFF.
    (webencodings names this codec, but Python's codec registry does not know it.)"""
    code = ord(char)
    if code < 0x80:
        return bytes((code,))
    if 0xF780 <= code <= 0xF7FF:
        return bytes((code - 0xF780 + 0x80,))
    return None


def encode_char(char: str, codec: str) -> bytes | None:
    """`char` in the browser's encoder for `codec` (a Python codec name), None if unencodable."""
    if codec == "x-user-defined":
        return _x_user_defined(char)
    if codec == "cp932":
        return _shift_jis_table().get(char)
    if codec == "cp1252" and char in _CP1252_C1:
        return _CP1252_C1[char]
    if codec == "gbk" and char == "\u20ac":
        return b"\x80"
    try:
        data = char.encode(codec)
    except UnicodeEncodeError:
        return None
    if codec == "big5hkscs" and data[0] < 0xA1:
        return None  # the Big5 encoder skips the HKSCS pointers below lead byte 0xA1
    return data
