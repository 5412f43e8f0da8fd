"""rel as two readers read it: the browser (relList: tokens, the truth about `rel`) and search
engines (follow status), and the rel lint that explains where the two differ.

Google reads rel values separated by spaces *or commas* and gives `rel="ugc,nofollow"` as an
example ("Qualify your outbound links to Google",
https://developers.google.com/search/docs/crawling-indexing/qualify-outbound-links). Browsers
split on ASCII whitespace only, so to them `nofollow,noopener` is one unknown value.
"""

from __future__ import annotations

import re

_ASCII_WHITESPACE = re.compile(r"[ \t\n\f\r]+")
# What Google documents as separators: ASCII whitespace and commas.
_SEARCH_SEPARATORS = re.compile(r"[ \t\n\f\r,]+")
# Anything else between letters (';', '|', '/', quotes...): undocumented, so ambiguous.
_OTHER_SEPARATORS = re.compile(r"[^a-z0-9_-]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

NOT_FOLLOWED_TOKENS = ("nofollow", "sponsored", "ugc")
# Values a browser acts on: joined with a comma they silently stop working.
_BROWSER_TOKENS = frozenset({"noopener", "noreferrer", "opener"})
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


def search_tokens(value: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """rel values as search engines read them: (tokens split on whitespace and commas,
    the values among them that still join words with another separator, e.g. 'nofollow;ugc')."""
    if not value:
        return (), ()
    parts = _SEARCH_SEPARATORS.split(value.translate(_ASCII_LOWER))
    tokens = tuple(dict.fromkeys(p for p in parts if p))
    return tokens, tuple(t for t in tokens if _OTHER_SEPARATORS.search(t))


def _ambiguous_parts(token: str) -> list[str]:
    return [p for p in _OTHER_SEPARATORS.split(token) if p]


def rel_reasons(value: str | None) -> tuple[str, ...]:
    """Why the rel attribute alone makes a link not followed, e.g. ('rel=nofollow',).

    Values joined by an undocumented separator ('nofollow;noopener') count too: no engine
    says how it reads them, and Google treats nofollow, sponsored and ugc as hints it honours
    where the intent is plain, so the likely reading is the one the author meant. The lint
    says it is ambiguous."""
    tokens, ambiguous = search_tokens(value)
    found = [t for t in tokens if t in NOT_FOLLOWED_TOKENS]
    for token in ambiguous:
        found.extend(p for p in _ambiguous_parts(token) if p in NOT_FOLLOWED_TOKENS)
    return tuple(f"rel={t}" for t in dict.fromkeys(found))


def rel_warnings(raw: str | None, tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Mistakes in rel that users want to see: values browsers and search engines read
    differently, undocumented separators, made-up values, empty rel. `tokens` is relList."""
    if raw is None:
        return ()
    if not tokens:
        return ("empty rel attribute",)
    warnings: list[str] = []
    for token in tokens:
        if "," not in token:
            continue
        lost = [p for p in token.split(",") if p in _BROWSER_TOKENS]
        if lost:
            warnings.append(
                f"rel '{token}' separates values with commas: search engines read them "
                f"(Google documents commas), but browsers see one unknown value, so "
                f"{' and '.join(lost)} is not applied; separate rel values with spaces"
            )
    search, ambiguous = search_tokens(raw)
    for token in ambiguous:
        parts = _ambiguous_parts(token)
        meant = [p for p in parts if p in NOT_FOLLOWED_TOKENS]
        if meant:
            verdict = f"read here as {' and '.join(meant)}, as the author likely meant"
        elif any(p in _BROWSER_TOKENS for p in parts):
            verdict = "browsers read one unknown value"
        else:
            continue
        warnings.append(
            f"rel '{token}' joins values with a separator no search engine documents "
            f"(only spaces and commas are): it is ambiguous, {verdict}; "
            "separate rel values with spaces"
        )
    for token in search:
        for part in _ambiguous_parts(token) if token in ambiguous else (token,):
            if part in _MEANINGLESS:
                warnings.append(_MEANINGLESS[part])
    return tuple(dict.fromkeys(warnings))
