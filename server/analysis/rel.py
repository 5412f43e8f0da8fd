"""rel tokens as the browser's relList reads them, follow status, and rel lint."""

from __future__ import annotations

import re

_ASCII_WHITESPACE = re.compile(r"[ \t\n\f\r]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

NOT_FOLLOWED_TOKENS = ("nofollow", "sponsored", "ugc")
_MEANINGLESS = {
    "dofollow": "'dofollow' is not a rel value: links are followed unless told otherwise",
    "follow": "'follow' is not a rel value: links are followed unless told otherwise",
    "do-follow": "'do-follow' is not a rel value: links are followed unless told otherwise",
    "index": "'index' means nothing in rel (it is a meta robots directive)",
    "noindex": "'noindex' means nothing in rel (it is a meta robots directive)",
    "no-follow": "'no-follow' is a misspelling: this link is not marked nofollow",
    "no_follow": "'no_follow' is a misspelling: this link is not marked nofollow",
    "nofolow": "'nofolow' is a misspelling: this link is not marked nofollow",
    "nofollw": "'nofollw' is a misspelling: this link is not marked nofollow",
}


def rel_tokens(value: str | None) -> tuple[str, ...]:
    """Split on ASCII whitespace, ASCII-lowercase, drop repeats, keep order (DOMTokenList)."""
    if not value:
        return ()
    parts = _ASCII_WHITESPACE.split(value.translate(_ASCII_LOWER))
    return tuple(dict.fromkeys(p for p in parts if p))


def rel_reasons(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Why the rel attribute alone makes a link not followed, e.g. ('rel=nofollow',)."""
    return tuple(f"rel={t}" for t in tokens if t in NOT_FOLLOWED_TOKENS)


def rel_warnings(raw: str | None, tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Mistakes in rel that users want to see: joined tokens, made-up values, empty rel."""
    if raw is None:
        return ()
    if not tokens:
        return ("empty rel attribute",)
    warnings: list[str] = []
    for token in tokens:
        if "," in token or ";" in token:
            parts = [p for p in re.split(r"[,;]", token) if p]
            meant = [p for p in parts if p in NOT_FOLLOWED_TOKENS]
            verdict = (
                f"it is not read as {' or '.join(meant)}" if meant else "it is one unknown token"
            )
            warnings.append(
                f"rel '{token}' joins values with a comma or semicolon: {verdict}; "
                "separate rel values with spaces"
            )
        elif token in _MEANINGLESS:
            warnings.append(_MEANINGLESS[token])
    return tuple(warnings)
