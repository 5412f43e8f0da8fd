"""Hypothesis strategies for HTML-ish documents: a small grammar of the tags, attributes, hrefs
and rel values that the engine reads, mixed with noise."""

from __future__ import annotations

from hypothesis import strategies as st

PAGE_URLS = st.sampled_from(
    [
        "https://blog.example.co.uk/2024/post?id=1",
        "http://example.com/",
        "https://a.github.io/x/y.html",
        "http://[::1]:8080/p",
        "https://xn--bcher-kva.example/",
    ]
)

_SCHEMES = st.sampled_from(
    ["https://", "http://", "HTTP://", "//", "mailto:", "javascript:", "data:", "tel:", "ftp://"]
)
_HOSTS = st.sampled_from(
    [
        "example.com",
        "www.example.com",
        "blog.example.co.uk",
        "b.github.io",
        "bücher.de",
        "EXAMPLE.org.",
        "127.0.0.1",
        "[::1]",
        "example.com.evil.net",
        "xn--nxasmq6b.com",
        "exa mple.com",
        "%zz",
        "",
    ]
)
_PATHS = st.lists(
    st.sampled_from(list("abc/._-~%?#=&;+ éü\t\n\\'\"") + ["%20", "%zz", "..", "\x00"]),
    max_size=12,
).map("".join)
_ABSOLUTE = st.builds(
    lambda s, h, port, p: f"{s}{h}{port}/{p}",
    _SCHEMES,
    _HOSTS,
    st.sampled_from(["", ":80", ":443", ":8080", ":99999", ":x"]),
    _PATHS,
)
HREFS = st.one_of(
    _ABSOLUTE,
    _PATHS,
    st.sampled_from(["", "#", "#top", "?q=1", "/", "../up", " \t/spaced\n ", "https://"]),
    st.text(max_size=15),
    st.builds(lambda h: f"https://www.google.com/url?q=https://{h}/x&sa=D", _HOSTS),
    st.builds(lambda h: f"https://out.example.net/r?url=http://{h}/", _HOSTS),
)
REL_TOKENS = st.sampled_from(
    [
        "nofollow",
        "NoFollow",
        "sponsored",
        "ugc",
        "noopener",
        "noreferrer",
        "external",
        "dofollow",
        "follow",
        "nofollow,noindex",
        "sponsored;ugc",
        "no-follow",
        "",
    ]
)
RELS = st.builds(
    lambda tokens, sep: sep.join(tokens),
    st.lists(REL_TOKENS, max_size=4),
    st.sampled_from([" ", "  ", "\t", "\n", ",", " , "]),
)
_ATTR_VALUE = st.one_of(st.text(max_size=10), st.sampled_from(["navigation", "banner", "main"]))


def _quote(value: str) -> str:
    return '"' + value.replace('"', "&quot;") + '"'


def _link(tag: str, href: str, rel: str | None, text: str, target: str | None) -> str:
    attrs = f" href={_quote(href)}"
    if rel is not None:
        attrs += f" rel={_quote(rel)}"
    if target is not None:
        attrs += f" target={_quote(target)}"
    if tag == "area":
        return f"<area{attrs} alt={_quote(text)}>"
    return f"<a{attrs}>{text}</a>"


LINKS = st.builds(
    _link,
    st.sampled_from(["a", "a", "a", "area", "A"]),
    HREFS,
    st.none() | RELS,
    st.one_of(st.text(max_size=12), st.just('<img alt="logo">'), st.just("")),
    st.none() | st.sampled_from(["_blank", "", "x"]),
)
_HEAD_BITS = st.one_of(
    st.builds(lambda h: f"<base href={_quote(h)}>", HREFS),
    st.builds(
        lambda name, content: f'<meta name="{name}" content={_quote(content)}>',
        st.sampled_from(["robots", "googlebot", "ROBOTS", "bingbot"]),
        st.sampled_from(["nofollow", "noindex", "none", "index, follow", "NOINDEX,NOFOLLOW", ""]),
    ),
    st.builds(lambda h: f'<link rel="canonical" href={_quote(h)}>', HREFS),
    st.builds(lambda t: f"<title>{t}</title>", st.text(max_size=10)),
)
_CONTAINERS = st.sampled_from(
    [
        "div",
        "header",
        "footer",
        "aside",
        "nav",
        "main",
        "article",
        "table",
        "td",
        "p",
        "svg",
        "foreignObject",
        "math",
        "template",
        "textarea",
        "script",
        "noscript",
        "button",
        "b",
    ]
)
NOISE = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["<!--", "-->", "</a>", "<a", "&amp;", "&#0;", "<", ">", "\x00", "\ud800"]),
)


def _wrap(tag: str, role: str | None, inner: str, closed: bool) -> str:
    attrs = f" role={_quote(role)}" if role is not None else ""
    return f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if closed else "")


def _fragments(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        _wrap,
        _CONTAINERS,
        st.none() | _ATTR_VALUE,
        st.lists(children, max_size=4).map("".join),
        st.booleans(),
    )


BODY = st.recursive(st.one_of(LINKS, NOISE), _fragments, max_leaves=15)
HTML_DOCUMENTS = st.builds(
    lambda doctype, head, body: doctype + "".join(head) + "".join(body),
    st.sampled_from(["", "<!DOCTYPE html>", "<html lang=en>"]),
    st.lists(_HEAD_BITS, max_size=4),
    st.lists(BODY, max_size=6),
)
SITES = st.lists(
    st.sampled_from(
        ["example.com", "www.example.com", "https://example.com/blog/", "github.io", "b.github.io"]
    ),
    max_size=3,
)
