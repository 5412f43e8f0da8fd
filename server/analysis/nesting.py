"""A bound on element nesting, so no page can make the HTML parser's work quadratic.

The HTML5 tree builder walks the stack of open elements for many tags (every `<div>` looks
for a `<p>` in button scope, every unmatched end tag looks for its element in scope), so a
page of 2 million nested `<div>` would hold a worker for hours. Chromium stops nesting the
DOM at depth 512; we do the same before parsing: a linear scan models the stack of open
elements and drops start tags that would open an element deeper than `MAX_DEPTH`. Links
(`a`, `area`) are always kept. Pages that never come near the limit are returned untouched.
"""

from __future__ import annotations

import re

MAX_DEPTH = 512
FLATTENED_WARNING = (
    f"Elements nested deeper than {MAX_DEPTH} levels were flattened (as Chromium does): "
    "link positions inside them may be approximate."
)
# A page with fewer tags than this cannot nest deep enough to be slow: skip the scan.
_FEW_TAGS = 4096

_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(?i:(script|style|textarea|title|xmp|iframe|noembed|noframes))\b.*?(?:</(?i:\1)|\Z)"
    r"|<(/?)([A-Za-z][^\t\n\f\r />]*)[^>]*>?",
    re.DOTALL,
)
_KEPT_NAMES = (
    "a|area|base|basefont|bgsound|br|col|embed|frame|hr|img|input|keygen|link|meta|param|"
    "source|track|wbr|image|script|style|textarea|title|xmp|iframe|noembed|noframes|plaintext"
)
# Start tags (with the text between them) that are all dropped past MAX_DEPTH.
_DROPPABLE_RUN = re.compile(rf"(?:[^<]*<(?!(?i:{_KEPT_NAMES})[\t\n\f\r />])[A-Za-z][^>]*>)+")
_START_TAG = re.compile(r"<[A-Za-z][^>]*>")
_VOID = frozenset(
    [
        "area",
        "base",
        "basefont",
        "bgsound",
        "br",
        "col",
        "embed",
        "frame",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "image",
    ]
)
# A start tag of these closes the open element of the same name (roughly: implied end tags).
_CLOSES_SAME = frozenset(
    ["a", "p", "li", "dd", "dt", "option", "tr", "td", "th", "button", "nobr", "form"]
)
# End tags do not reach past these (the default scope's boundary elements).
_SCOPE_BOUNDARY = frozenset(
    ["applet", "caption", "html", "table", "td", "th", "marquee", "object", "template"]
)
_FOREIGN_ROOTS = frozenset({"svg", "math"})
_INTEGRATION_POINTS = frozenset(
    ["foreignobject", "desc", "mi", "mo", "mn", "ms", "mtext", "annotation-xml"]
)
# In foreign content these start tags leave SVG/MathML for HTML again.
_BREAKOUT = frozenset(
    [
        "b",
        "big",
        "blockquote",
        "body",
        "br",
        "center",
        "code",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "embed",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "hr",
        "i",
        "img",
        "li",
        "listing",
        "menu",
        "meta",
        "nobr",
        "ol",
        "p",
        "pre",
        "ruby",
        "s",
        "small",
        "span",
        "strong",
        "strike",
        "sub",
        "sup",
        "table",
        "tt",
        "u",
        "ul",
        "var",
    ]
)
_KEEP = frozenset({"a", "area"})


def bound_depth(html: str) -> tuple[str, bool]:
    """`html` with start tags past depth MAX_DEPTH removed, and whether any was removed."""
    if html.count("<") < _FEW_TAGS:
        return html, False
    # The stack of open elements as names, plus each name's stack indices, the indices of
    # scope boundaries, SVG/MathML roots and HTML integration points, for O(1) look-ups.
    names: list[str] = []
    at: dict[str, list[int]] = {}
    boundaries: list[int] = [-1]
    foreign: list[int] = [-1]
    integration: list[int] = [-1]

    def pop_to(index: int) -> None:
        while len(names) > index:
            name = names.pop()
            at[name].pop()
            top = len(names)
            if boundaries[-1] == top:
                boundaries.pop()
            if foreign[-1] == top:
                foreign.pop()
            if integration[-1] == top:
                integration.pop()

    pieces: list[str] = []
    kept_from = 0
    pos = 0
    search = _TOKEN.search
    while (match := search(html, pos)) is not None:
        pos = match.end()
        end, name = match.group(2, 3)
        if name is None:  # a comment, or a raw text element with its text
            continue
        name = name.lower()
        found = at.get(name)
        if end:
            # Pop to the topmost element of that name, unless a scope boundary hides it.
            if found and found[-1] >= boundaries[-1]:
                pop_to(found[-1])
            continue
        if name in _VOID:
            continue
        if foreign[-1] > integration[-1]:  # inside SVG/MathML
            if name in _BREAKOUT:
                pop_to(foreign[-1])
            elif match.group(0).endswith("/>"):
                continue  # self-closing, in SVG/MathML only
        if name in _CLOSES_SAME and found and found[-1] >= boundaries[-1]:
            pop_to(found[-1])
        depth = len(names)
        if depth >= MAX_DEPTH and name not in _KEEP:
            pieces.append(html[kept_from : match.start()])
            # Drop the whole run of start tags that follows in one go (keeping its text):
            # 10 MB of `<div>` is one run, not 2 million turns of this loop.
            run = _DROPPABLE_RUN.match(html, pos)
            if run is not None:
                pieces.append(_START_TAG.sub("", run.group()))
                pos = run.end()
            kept_from = pos
            continue
        if name == "plaintext":
            break
        names.append(name)
        at.setdefault(name, []).append(depth)
        if name in _SCOPE_BOUNDARY:
            boundaries.append(depth)
        if name in _FOREIGN_ROOTS:
            foreign.append(depth)
        elif name in _INTEGRATION_POINTS:
            integration.append(depth)
    if not pieces:
        return html, False
    pieces.append(html[kept_from:])
    return "".join(pieces), True
