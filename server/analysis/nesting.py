"""A bound on the tree the HTML parser builds, so no page can make its work quadratic.

Two ways a small page makes an HTML5 tree builder do quadratic work:
- depth: the tree builder walks the stack of open elements for many tags (every `<div>`
  looks for a `<p>` in button scope, every unmatched end tag looks for its element in scope),
  so a page of 2 million nested `<div>` would hold a worker for hours. Chromium stops nesting
  the DOM at depth 512; we do the same.
- reopened formatting elements: every `<b id=N>` left open joins the list of active
  formatting elements, and each time something closes them (`<p>`, `</div>`), the next text
  reopens all of them. `<b id=1><p>x<b id=2><p>x...` made Lexbor build 4.5 million elements
  (1.6 GB) from 44 KB. Browsers do the same work; a worker must not.

A linear scan before parsing models the stack of open elements and the list of active
formatting elements: start tags that would open an element deeper than `MAX_DEPTH` are
dropped (links, `a` and `area`, are always kept), and once more than `MAX_REOPENED` elements
have been reopened, the formatting elements waiting to be reopened are closed instead (their
end tags are inserted: for an element no longer open, that only removes it from the list).
Pages that never come near the limits are returned untouched.

The scan is C (`_nesting.c`, built at install). The same loop in Python took 269 ms for the
corpus, against 59 ms for a bare parse, so it ran only on pages of 1,024 tags or more. In C it
takes 30 ms and runs on every page.
"""

from __future__ import annotations

from server.analysis._nesting import bound

MAX_DEPTH = 512
# Elements the model lets reconstruction reopen in one page: real pages reopen a handful.
MAX_REOPENED = 50_000
FLATTENED_WARNING = (
    f"Elements nested deeper than {MAX_DEPTH} levels were flattened (as Chromium does), or "
    "left-open formatting tags closed: link positions inside them may be approximate."
)


def bound_depth(html: str) -> tuple[str, bool]:
    """`html` with start tags past depth MAX_DEPTH removed and, past MAX_REOPENED, left-open
    formatting elements closed; and whether anything was changed (if not, `html` itself)."""
    return bound(html, MAX_DEPTH, MAX_REOPENED)
