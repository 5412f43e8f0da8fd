"""The nesting guard's model in Python: the oracle server/analysis/_nesting.c is tested
against (tests/test_nesting_differential.py). It is the same algorithm, line for line; change
both together. server/analysis/nesting.py says what the guard bounds and why."""

from __future__ import annotations

import re

from server.analysis.nesting import MAX_DEPTH, MAX_REOPENED

# The tokenizer lowercases ASCII letters only (so does the C scan).
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# The tokenizer's view of markup, close enough that no end tag hides inside an attribute
# value, a comment or raw text (it would let the model close what the parser keeps open):
# group 1 a comment's start; group 2 a CDATA section's start; groups 3 and 4 the slash and
# name of a tag, whose attributes are skipped with their quoted values; anything else
# matched is a bogus comment (<!DOCTYPE>, <?...>, </ x>), which ends at the first '>'.
_TOKEN = re.compile(
    r"""<(?:(!--)|(!\[CDATA\[)|(/?)([A-Za-z][^\t\n\f\r />]*)"""
    r"""[^>=]*(?:=[\t\n\f\r ]*(?:"[^"]*"|'[^']*')?[^>=]*)*>?"""
    r"""|[!?][^>]*>?|/(?![A-Za-z])[^>]*>?)"""
)
_DELIMITER = r"(?=[\t\n\f\r />])"
_RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
_RAW_TEXT_END = {name: re.compile(f"</(?ai:{name}){_DELIMITER}") for name in _RAW_TEXT}
# Script data and its escaped and double-escaped states (`<!--<script>...</script>-->`).
_SCRIPT_DATA = re.compile(f"<!--|</(?ai:script){_DELIMITER}")
_SCRIPT_ESCAPED = re.compile(f"-->|</(?ai:script){_DELIMITER}|<(?ai:script){_DELIMITER}")
_SCRIPT_DOUBLE_ESCAPED = re.compile(f"-->|</(?ai:script){_DELIMITER}")
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
# Never dropped: links, void elements (they never nest) and what ends the tokenizer's
# markup mode.
_KEPT_NAMES = "|".join(sorted(_KEEP | _VOID | {*_RAW_TEXT, "plaintext"}))
# Start tags (with the text between them) that are all dropped past MAX_DEPTH.
_DROPPABLE_RUN = re.compile(rf"(?:[^<]*<(?!(?ai:{_KEPT_NAMES})[\t\n\f\r />])[A-Za-z][^>]*>)+")
_FORMATTING = frozenset(
    [
        "a",
        "b",
        "big",
        "code",
        "em",
        "font",
        "i",
        "nobr",
        "s",
        "small",
        "strike",
        "strong",
        "tt",
        "u",
    ]
)
# Opening these puts a marker in the list of active formatting elements; closing them
# clears the list back to it.
_MARKERS = frozenset(["applet", "object", "marquee", "template", "td", "th", "caption"])
# A start tag of these closes an open <p> (in button scope; the model uses the default scope,
# which only makes it close more, so count more reopening, never less).
_CLOSES_P = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "header",
        "hgroup",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "search",
        "section",
        "summary",
        "ul",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "listing",
        "form",
        "table",
        "hr",
        "xmp",
        "plaintext",
    ]
)
# The list keeps at most this many entries with the same tag and attributes (Noah's Ark).
_NOAHS_ARK = 3
# How far back the model searches the list for an entry (see _Model.last_entry).
_LOOK_BACK = 64


class _Entry:
    """An active formatting element: its tag name, its start tag's text (standing in for
    "same attributes") and where it sits in the stack of open elements."""

    __slots__ = ("name", "key", "depth")

    def __init__(self, name: str, key: str, depth: int) -> None:
        self.name = name
        self.key = key
        self.depth = depth


class _Model:
    """The stack of open elements and the list of active formatting elements, roughly as the
    HTML5 tree builder keeps them: enough to know how deep it nests and what it reopens."""

    def __init__(self, max_reopened: int) -> None:
        self.max_reopened = max_reopened
        # The stack as names (and the formatting entry each one is, if any), each name's
        # stack indices, and the indices of scope boundaries, SVG/MathML roots and HTML
        # integration points, for O(1) look-ups.
        self.names: list[str] = []
        self.owners: list[_Entry | None] = []
        self.at: dict[str, list[int]] = {}
        self.boundaries: list[int] = [-1]
        self.foreign: list[int] = [-1]
        self.integration: list[int] = [-1]
        # The list of active formatting elements; None is a marker.
        self.active: list[_Entry | None] = []
        self.reopened = 0

    def in_scope(self, name: str) -> int:
        """Stack index of the topmost `name` unless a scope boundary hides it, else -1."""
        found = self.at.get(name)
        if found and found[-1] >= self.boundaries[-1]:
            return found[-1]
        return -1

    def push(self, name: str, owner: _Entry | None = None) -> int:
        depth = len(self.names)
        self.names.append(name)
        self.owners.append(owner)
        self.at.setdefault(name, []).append(depth)
        return depth

    def pop_to(self, index: int) -> None:
        names, active = self.names, self.active
        while len(names) > index:
            name = names.pop()
            self.owners.pop()
            self.at[name].pop()
            top = len(names)
            if self.boundaries[-1] == top:
                self.boundaries.pop()
            if self.foreign[-1] == top:
                self.foreign.pop()
            if self.integration[-1] == top:
                self.integration.pop()
            if name in _MARKERS:
                while active and active.pop() is not None:
                    pass

    def is_open(self, entry: _Entry) -> bool:
        return entry.depth < len(self.names) and self.owners[entry.depth] is entry

    def last_entry(self, name: str) -> int:
        """Index in the list of the last entry named `name` after the last marker, or -1.
        Only the last _LOOK_BACK entries are searched, so a page cannot make this quadratic;
        an entry missed further back stays listed and counts as reopened: never fewer."""
        active = self.active
        for index in range(len(active) - 1, max(len(active) - _LOOK_BACK, 0) - 1, -1):
            entry = active[index]
            if entry is None:
                break
            if entry.name == name:
                return index
        return -1

    def reconstruct(self) -> str:
        """Reopen the entries that are no longer open, as text or a start tag here would;
        past MAX_REOPENED, return end tags that take them off the list instead."""
        active = self.active
        first = len(active)
        while first > 0:
            entry = active[first - 1]
            if entry is None or self.is_open(entry):
                break
            first -= 1
        if first == len(active):
            return ""
        self.reopened += len(active) - first
        if self.reopened > self.max_reopened:
            closing = "".join(f"</{e.name}>" for e in reversed(active[first:]) if e is not None)
            del active[first:]
            return closing
        for entry in active[first:]:
            if entry is not None:
                entry.depth = self.push(entry.name, entry)
        return ""

    def add_formatting(self, name: str, key: str) -> None:
        """A formatting element opens: it joins the list, which keeps _NOAHS_ARK alike (among
        its last _LOOK_BACK entries: keeping more only counts more reopening)."""
        active = self.active
        same: list[int] = []
        for index in range(len(active) - 1, max(len(active) - _LOOK_BACK, 0) - 1, -1):
            entry = active[index]
            if entry is None:
                break
            if entry.key == key:
                same.append(index)
        if len(same) >= _NOAHS_ARK:
            del active[same[-1]]
        entry = _Entry(name, key, 0)
        entry.depth = self.push(name, entry)
        active.append(entry)

    def end_formatting(self, name: str) -> bool:
        """An end tag of a formatting element; False when the parser does nothing more than
        drop it from the list (it was no longer open)."""
        index = self.last_entry(name)
        if index == -1:
            return True
        entry = self.active[index]
        assert entry is not None
        if not self.is_open(entry):
            del self.active[index]
            return False
        if entry.depth >= self.boundaries[-1]:
            del self.active[index]
        return True


def _raw_text_end(html: str, name: str, pos: int) -> int:
    """Where the raw text of element `name` that starts at `pos` ends."""
    if name != "script":
        found = _RAW_TEXT_END[name].search(html, pos)
        return len(html) if found is None else found.start()
    state = _SCRIPT_DATA
    while (found := state.search(html, pos)) is not None:
        token = found.group()
        pos = found.end()
        if token == "<!--":
            pos -= 2  # its dashes may also end it: <!-->
            state = _SCRIPT_ESCAPED
        elif token == "-->":
            state = _SCRIPT_DATA
        elif token[1] == "/":
            if state is not _SCRIPT_DOUBLE_ESCAPED:
                return found.start()
            state = _SCRIPT_ESCAPED
        else:
            state = _SCRIPT_DOUBLE_ESCAPED
    return len(html)


_VOID_F, _CLOSES_P_F, _CLOSES_SAME_F, _FORMATTING_F, _MARKER_F = 1, 2, 4, 8, 16
_BOUNDARY_F, _FOREIGN_F, _INTEGRATION_F, _RAW_F, _BREAKOUT_F, _KEEP_F = 32, 64, 128, 256, 512, 1024
# Every set above a tag belongs to, as one number: a single look-up per tag on the hot path.
_FLAGS: dict[str, int] = {}
for _names, _flag in (
    (_VOID, _VOID_F),
    (_CLOSES_P, _CLOSES_P_F),
    (_CLOSES_SAME, _CLOSES_SAME_F),
    (_FORMATTING, _FORMATTING_F),
    (_MARKERS, _MARKER_F),
    (_SCOPE_BOUNDARY, _BOUNDARY_F),
    (_FOREIGN_ROOTS, _FOREIGN_F),
    (_INTEGRATION_POINTS, _INTEGRATION_F),
    (frozenset(_RAW_TEXT), _RAW_F),
    (_BREAKOUT, _BREAKOUT_F),
    (_KEEP, _KEEP_F),
):
    for _name in _names:
        _FLAGS[_name] = _FLAGS.get(_name, 0) | _flag
_RARE_START = _RAW_F | _CLOSES_P_F | _CLOSES_SAME_F | _FORMATTING_F | _MARKER_F
_RARE_START |= _BOUNDARY_F | _FOREIGN_F | _INTEGRATION_F


def bound_depth(
    html: str, max_depth: int = MAX_DEPTH, max_reopened: int = MAX_REOPENED
) -> tuple[str, bool]:
    """`html` with start tags past depth MAX_DEPTH removed and, past MAX_REOPENED, left-open
    formatting elements closed; and whether anything was changed."""
    model = _Model(max_reopened)
    names, owners, at, active = model.names, model.owners, model.at, model.active
    boundaries, foreign, integration = model.boundaries, model.foreign, model.integration
    flags_of = _FLAGS.get
    pieces: list[str] = []
    kept_from = 0
    pos = 0
    flattened = False
    search = _TOKEN.search
    while (match := search(html, pos)) is not None:
        pos = match.end()
        comment, cdata, end, name = match.groups()
        if name is None:
            if comment:
                close = html.find("-->", match.start() + 2)  # from the dashes: <!--> ends
                pos = len(html) if close == -1 else close + 3
            elif cdata and foreign[-1] > integration[-1]:  # only SVG/MathML have CDATA
                close = html.find("]]>", pos)
                pos = len(html) if close == -1 else close + 3
            continue
        name = name.translate(_ASCII_LOWER)
        flags = flags_of(name, 0)
        in_html = foreign[-1] <= integration[-1]
        if end:
            if flags & _FORMATTING_F and in_html:
                last = active[-1] if active else None
                if last is not None and last.name == name and owners and owners[-1] is last:
                    # Closing the formatting element just opened, the common case (</a>).
                    active.pop()
                    names.pop()
                    owners.pop()
                    at[name].pop()
                    continue
                if not model.end_formatting(name):
                    continue
            found = at.get(name)
            if not found or found[-1] < boundaries[-1]:
                continue  # nothing of that name in scope: the parser ignores the end tag
            if found[-1] == len(names) - 1 and not flags & (_MARKER_F | _BOUNDARY_F):
                # Closing the current node, the common case, without a call.
                names.pop()
                owners.pop()
                found.pop()
                top = len(names)
                if foreign[-1] == top:
                    foreign.pop()
                if integration[-1] == top:
                    integration.pop()
            else:
                model.pop_to(found[-1])
            if active and in_html:
                # Text after this end tag reopens what it closed.
                closing = model.reconstruct()
                if closing:
                    pieces += (html[kept_from:pos], closing)
                    kept_from = pos
                    flattened = True
            continue
        if flags & _RARE_START or not in_html or active:
            if flags & _RAW_F and in_html:
                pos = _raw_text_end(html, name, pos)
                continue
            if not in_html:
                if flags & _BREAKOUT_F:
                    model.pop_to(foreign[-1])
                    in_html = True
                elif match.group(0).endswith("/>"):
                    continue  # self-closing, in SVG/MathML only
            if in_html:
                if flags & _CLOSES_P_F:
                    index = model.in_scope("p")
                    if index != -1:
                        model.pop_to(index)
                if flags & _CLOSES_SAME_F:
                    index = model.in_scope(name)
                    if index != -1:
                        model.pop_to(index)
                    if flags & _FORMATTING_F:  # a, nobr: the adoption agency takes the old one
                        index = model.last_entry(name)
                        if index != -1:
                            del active[index]
                # Void and formatting elements reopen what waits before they open.
                if flags & (_VOID_F | _FORMATTING_F) and active:
                    closing = model.reconstruct()
                    if closing:
                        pieces += (html[kept_from : match.start()], closing)
                        kept_from = match.start()
                        flattened = True
        if flags & _VOID_F:
            continue
        depth = len(names)
        if depth >= max_depth and not flags & _KEEP_F:
            pieces.append(html[kept_from : match.start()])
            # Drop the whole run of start tags that follows in one go (keeping its text):
            # 10 MB of `<div>` is one run, not 2 million turns of this loop.
            run = _DROPPABLE_RUN.match(html, pos)
            if run is not None:
                pieces.append(_START_TAG.sub("", run.group()))
                pos = run.end()
            kept_from = pos
            flattened = True
            continue
        if name == "plaintext":
            break
        if flags & _FORMATTING_F and in_html:
            model.add_formatting(name, match.group(0))
        else:
            model.push(name)
            if flags & _MARKER_F and in_html:
                active.append(None)
        if flags & _BOUNDARY_F:
            boundaries.append(depth)
        if flags & _FOREIGN_F:
            foreign.append(depth)
        elif flags & _INTEGRATION_F:
            integration.append(depth)
        elif in_html and active:
            # Others reopen it inside themselves, as the text in them will (the parser does
            # it before inline elements; inside counts more when they close, never less).
            closing = model.reconstruct()
            if closing:
                pieces += (html[kept_from:pos], closing)
                kept_from = pos
                flattened = True
    if not flattened:
        return html, False
    pieces.append(html[kept_from:])
    return "".join(pieces), True
