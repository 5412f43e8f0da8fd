"""Hand-written pages for the Chromium differential test: one per resolution or parsing rule."""

from __future__ import annotations

UTF8 = "text/html; charset=utf-8"


def _utf8(html: str) -> tuple[bytes, str]:
    return html.encode("utf-8"), UTF8


def _charset_page(html: str, charset: str) -> tuple[bytes, str]:
    """Pure-ASCII bytes (non-ASCII written as character references) labelled with `charset`:
    Python and Chromium decode them identically, and the query is encoded in `charset`."""
    return html.encode("ascii", "xmlcharrefreplace"), f"text/html; charset={charset}"


def _sweep(start: int, stop: int, step: int = 512) -> str:
    """One link per block of code points, each in a query: exercises a whole encoder table."""
    links = []
    for low in range(start, stop, step):
        chars = "".join(
            f"&#x{c:X};" for c in range(low, min(low + step, stop)) if not 0xD800 <= c <= 0xDFFF
        )
        links.append(f'<a href="/q?c={chars}">{low:X}</a>')
    return "\n".join(links)


_QUERY_SAMPLE = (
    "caf\u00e9 \u20ac \u201cq\u201d \u00a5 \u203e \u2212 \uff5e \u301c \u2014 "
    "\u65e5\u672c\u8a9e \u4e2d\u6587 \ud55c\uad6d\uc5b4 \U0001f600 \u0081 \u00a0 \ufffd"
)

PAGES: dict[str, tuple[bytes, str]] = {
    # Declarative shadow DOM: which templates become shadow roots, and the links' order.
    "shadow-declarative": _utf8(
        '<a href="/first">1</a>'
        '<div id=h><template shadowrootmode="open"><a href="in-open" rel="Nofollow">o</a>'
        '<span><template shadowrootmode="closed"><a href="nested-closed">n</a>'
        "</template></span><slot></slot></template><a href=slotted>s</a></div>"
        '<x-card><template shadowrootmode="CLOSED"><a href="custom-closed">c</a></template>'
        "</x-card>"
        '<section><template shadowrootmode="open"><a href="one">1</a></template>'
        '<template shadowrootmode="open"><a href="second-template-inert">2</a></template>'
        "</section>"
        '<ul><template shadowrootmode="open"><a href="ul-cannot-host">u</a></template></ul>'
        '<p><template shadowrootmode="sideways"><a href="bad-mode">b</a></template></p>'
        '<template><a href="plain-template">t</a></template>'
        '<div><template shadowrootmode="open"><svg><a href="svg-link">s</a></svg>'
        '<area href="area-in-shadow"></template></div>'
        '<a href="/last">z</a>'
    ),
    "base-relative": _utf8('<base href="/sub/dir/"><a href="x">x</a><a href="../y">y</a>'),
    "base-absolute": _utf8(
        '<head><base href="https://cdn.example.net/a/b"></head><a href="x">x</a>'
        '<a href="//other.example/p">p</a><a href="?q">q</a><a href="#f">f</a><a href="">e</a>'
    ),
    "base-data": _utf8('<base href="data:text/html,hi"><a href="x">x</a>'),
    "base-javascript": _utf8('<base href="javascript:alert(1)"><a href="x">x</a>'),
    "base-multiple": _utf8(
        '<base target="_top"><base href="/first/"><base href="https://second.example/">'
        '<a href="x">x</a>'
    ),
    "base-in-body": _utf8('<a href="before">b</a><p><base href="/late/"><a href="after">a</a>'),
    "base-in-template": _utf8(
        '<template><base href="https://tpl.example/"></template><a href="x">x</a>'
    ),
    "base-in-svg": _utf8('<svg><base href="https://svg.example/"></base></svg><a href="x">x</a>'),
    "base-unparseable": _utf8('<base href="http://[::1"><a href="x">x</a>'),
    "base-whitespace": _utf8('<base href="  /spaced/ \n"><a href="x">x</a>'),
    "href-whitespace": _utf8(
        '<a href="  https://example.com/a  ">1</a>'
        '<a href="\thttps://exa\tmple.com/b\n">2</a>'
        '<a href="https://example.com/c\r\nd">3</a>'
        '<a href="\x0c/ff">4</a>'
        '<a href="https://example.com/ sp ace">5</a>'
        '<a href="https://example.com/&#x0B;vt">6</a>'
        '<a href="&#x85;https://example.com/nel">7</a>'
        '<a href="&#xA0;https://example.com/nbsp">8</a>'
    ),
    "idn-hosts": _utf8(
        '<a href="http://b\u00fccher.example/">1</a>'
        '<a href="http://M\u00dcNCHEN.de/">2</a>'
        '<a href="http://fa\u00df.de/">3</a>'
        '<a href="http://\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25.com/">4</a>'
        '<a href="http://\u2603.net/">5</a>'
        '<a href="http://xn--nxasmq6b.com/">6</a>'
        '<a href="http://%F0%9F%98%80.com/">7</a>'
        '<a href="http://\u0440\u043e\u0441\u0441\u0438\u044f.\u0440\u0444/">8</a>'
        '<a href="http://\u4f8b\u3048.\u30c6\u30b9\u30c8/">9</a>'
        '<a href="http://EXAMPLE.COM./">10</a>'
        '<a href="http://ex%41mple.com/">11</a>'
        '<a href="http://a_b.example/">12</a>'
        '<a href="http://\u0627\u0644\u0639\u0631\u0628\u064a\u0629.example/">13</a>'
        '<a href="http://www.\u0101.com/">14</a>'
        '<a href="http://xn--a.example/">15</a>'
        '<a href="http://-dash-.example/">16</a>'
        '<a href="http://a..b.example/">17</a>'
    ),
    "ip-hosts": _utf8(
        '<a href="http://0x7f.1/">1</a><a href="http://1.2.3/">2</a>'
        '<a href="http://[::FFFF:1.2.3.4]/">3</a><a href="http://017.0.0.1/">4</a>'
        '<a href="http://4294967295/">5</a><a href="http://4294967296/">6</a>'
        '<a href="http://1.2.3.4.5/">7</a><a href="http://example.123/">8</a>'
        '<a href="http://[0:0:0:0:0:0:0:1]:80/">9</a>'
    ),
    "default-ports": _utf8(
        '<a href="http://example.com:80/">1</a><a href="https://example.com:443/">2</a>'
        '<a href="https://example.com:80/">3</a><a href="http://example.com:0080/">4</a>'
        '<a href="http://example.com:/">5</a><a href="ftp://example.com:21/">6</a>'
        '<a href="ws://example.com:80/">7</a><a href="http://example.com:65535/">8</a>'
        '<a href="http://example.com:65536/">9</a>'
    ),
    "dot-segments": _utf8(
        '<a href="/a/b/../c/./d">1</a><a href="../../../../x">2</a><a href="a/%2e%2E/b">3</a>'
        '<a href="https://example.com/a/..">4</a><a href="https://example.com/./.">5</a>'
        '<a href="/a/.%2e/b">6</a><a href="..">7</a><a href=".">8</a>'
    ),
    "backslashes": _utf8(
        '<a href="\\\\evil.example\\path">1</a><a href="https:\\\\example.com\\a\\b">2</a>'
        '<a href="a\\b">3</a><a href="/x?\\y#\\z">4</a><a href="mailto:a\\b@example.com">5</a>'
    ),
    "utf8-query": _utf8(
        f'<a href="/q?s={_QUERY_SAMPLE}">1</a>'
        f'<a href="/p\u00e4th/{_QUERY_SAMPLE}#{_QUERY_SAMPLE}">2</a>'
    ),
    "windows-1252-query": _charset_page(
        f'<a href="/q?s={_QUERY_SAMPLE}">1</a><a href="/\u00e9?\u00e9#\u00e9">2</a>'
        f'<a href="mailto:x@example.com?subject=\u00e9">3</a>'
        f'<a href="HTTPS://example.com/?\u00e9">4</a>',
        "windows-1252",
    ),
    "windows-1252-meta": (
        '<meta charset="windows-1252"><a href="/q?s=caf\xe9 \x80 \x9d">1</a>'.encode("latin-1"),
        "text/html",
    ),
    "shift-jis-query": _charset_page(
        f'<a href="/q?s={_QUERY_SAMPLE}">1</a><a href="/\u65e5?\u65e5#\u65e5">2</a>'
        f'<a href="/q?yen=\u00a5&amp;over=\u203e&amp;kana=\uff71\uff9f">3</a>',
        "Shift_JIS",
    ),
    "shift-jis-sweep": _charset_page(_sweep(0x80, 0x10000, 2048), "Shift_JIS"),
    "windows-1252-sweep": _charset_page(_sweep(0x80, 0x2200, 1024), "windows-1252"),
    "gbk-query": _charset_page(f'<a href="/q?s={_QUERY_SAMPLE}">1</a>', "GBK"),
    "euc-kr-query": _charset_page(f'<a href="/q?s={_QUERY_SAMPLE}">1</a>', "EUC-KR"),
    "windows-1251-query": _charset_page(
        '<a href="/q?s=\u043f\u0440\u0438\u0432\u0435\u0442 \u20ac">1</a>', "windows-1251"
    ),
    "utf-16-page": (
        "\ufeff<a href='/q?s=caf\u00e9'>1</a>".encode("utf-16-le"),
        "text/html",
    ),
    "misnested-anchors": _utf8(
        '<a href="/one">1<a href="/two">2</a></a><b><a href="/three">3<p>4</b>5</a>'
        '<a href="/four"><div><a href="/five">5</a></div></a>'
    ),
    "foster-parented": _utf8(
        '<table><a href="/fostered">f</a><tr><a href="/in-row">r</a><td>'
        '<a href="/cell">c</a></td></tr></table>'
    ),
    "template-content": _utf8(
        '<template><a href="/in-template">t</a><area href="/area-t"></template>'
        '<a href="/after">a</a>'
    ),
    "textarea-and-raw-text": _utf8(
        '<textarea><a href="/in-textarea">x</a></textarea><title><a href="/t">t</a></title>'
        '<xmp><a href="/xmp">x</a></xmp><iframe><a href="/iframe">i</a></iframe>'
        '<noembed><a href="/noembed">n</a></noembed><noframes><a href="/nf">n</a></noframes>'
        '<style><a href="/style"></style><a href="/real">r</a>'
    ),
    "comments": _utf8(
        '<!-- <a href="/commented">c</a> --><a href="/real">r</a><!--> <a href="/x">x</a>'
        '<!-- --!> <a href="/y">y</a>'
    ),
    "after-html": _utf8(
        '<html><body><a href="/in">i</a></body></html><a href="/after-html">a</a>'
        '<!-- c --><a href="/last">l</a>'
    ),
    "noscript": _utf8(
        '<head><noscript><a href="/head-noscript">h</a></noscript></head>'
        '<body><noscript><a href="/body-noscript" rel="nofollow">b</a></noscript></body>'
    ),
    "svg-and-math": _utf8(
        '<svg><a href="/svg-a">s</a><a xlink:href="/xlink">x</a>'
        '<foreignObject><a href="/foreign-html">f</a></foreignObject>'
        '<desc><a href="/svg-desc">d</a></desc><title><a href="/svg-title">t</a></title>'
        '<g><a href="/svg-g">g</a></g></svg>'
        '<math><a href="/math-a">m</a><mi><a href="/mi">i</a></mi>'
        '<annotation-xml encoding="text/html"><a href="/annotation">a</a></annotation-xml>'
        '<annotation-xml><a href="/annotation-math">a</a></annotation-xml></math>'
        '<svg><p><a href="/breakout">b</a></p></svg><a href="/html">h</a>'
    ),
    "area": _utf8(
        '<map name="m"><area href="/area1" alt="a" rel="nofollow"><area nohref alt="n">'
        '<area href="" alt="e"></map><img usemap="#m" src="x.png">'
    ),
    "rel-tokens": _utf8(
        '<a href="/1" rel="NoFollow">1</a><a href="/2" rel="nofollow NOFOLLOW ugc nofollow">2</a>'
        '<a href="/3" rel="nofollow,noopener">3</a><a href="/4" rel=" \tsponsored\n ugc ">4</a>'
        '<a href="/5" rel="">5</a><a href="/6" rel="nofollow;noreferrer">6</a>'
        '<a href="/7" rel="nofollow\u00a0ugc">7</a><a href="/8" REL="UGC" rel="x">8</a>'
        '<a href="/9" rel="K\u212aLVIN \u0130">9</a><a href="/10" rel="nofollow\x0cugc">10</a>'
    ),
    "meta-robots": _utf8(
        '<head><meta name="ROBOTS" content="NoIndex, Follow">'
        '<meta name="googlebot" content="nofollow"><meta name="googlebot-news" content="none">'
        '<meta name=" robots " content="noarchive"></head><a href="/x">x</a>'
    ),
    "meta-robots-none-in-body": _utf8(
        '<a href="/x">x</a><meta name="robots" content="none">'
        '<template><meta name="robots" content="noindex"></template>'
        '<svg><meta name="robots" content="nofollow"></meta></svg>'
    ),
    "unparseable-hrefs": _utf8(
        '<a href="http://[::1">1</a><a href="http://exa\tmple.com/">2</a>'
        '<a href="https://">3</a><a href="http://%zz/">4</a><a href="http://a:b@/">5</a>'
        '<a href="http://example.com:99999/">6</a><a href="http://xn--/">7</a>'
        '<a href="http://\u00ad/">8</a><a href="http://a<b/">9</a>'
    ),
    "schemes": _utf8(
        '<a href="mailto:Someone@Example.com?subject=Hi there&amp;body=\u00e9">1</a>'
        '<a href="tel:+1 (555) 123">2</a><a href="javascript:void(0)">3</a>'
        '<a href="JavaScript:alert(\'x y\')">4</a><a href="data:text/plain,a b">5</a>'
        '<a href="ftp://example.com/f">6</a><a href="file:///C:/x">7</a>'
        '<a href="about:blank">8</a><a href="blob:https://example.com/uuid">9</a>'
        '<a href="sms:123?body=a b">10</a><a href="HTTP://Example.COM/Path">11</a>'
        '<a href="web+foo:bar">12</a><a href="//proto-relative.example/x">13</a>'
        '<a href="http:relative">14</a><a href="https:/one-slash.example">15</a>'
    ),
    "entities-in-href": _utf8(
        '<a href="/q?a=1&amp;b=2&copy=3&notin=4&lt=5">1</a><a href="/q?x=&amp">2</a>'
        '<a href="/&#x41;&#0;&#xD800;">3</a><a href="/q?&copy;">4</a>'
    ),
    "attribute-quirks": _utf8(
        '<a HREF="/upper" Rel="NOFOLLOW">1</a><a href="/first" href="/second">2</a>'
        "<a href=/unquoted?a=b rel=ugc>3</a><a href='/single'>4</a><A hReF=\"/mixed\">5</A>"
    ),
    "select-and-tables": _utf8(
        '<select><option><a href="/in-option">o</a></option></select>'
        '<table><caption><a href="/caption">c</a></caption><tbody><tr><td><table><tr>'
        '<td><a href="/nested-table">n</a></td></tr></table></td></tr></tbody></table>'
        '<form><a href="/form">f</a></form><button><a href="/button">b</a></button>'
    ),
    "percent-encoding": _utf8(
        '<a href="/a b/c%20d/e%zz/f%2Fg">1</a><a href="/?q=a b&amp;r=%41&amp;s=\'&quot;<>">2</a>'
        '<a href="/#a b`">3</a><a href="/{}|^`">4</a><a href="/\u00e9%C3%A9">5</a>'
        '<a href="http://us\'er:p@ss w@example.com/">6</a><a href="/?\x7f">7</a>'
    ),
    "plaintext": _utf8('<a href="/before">b</a><plaintext><a href="/in-plaintext">p</a>'),
}
