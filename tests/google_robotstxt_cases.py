"""Google's robots.txt test cases (google/robotstxt, robots_test.cc and reporting_robots_test.cc),
ported as data: every EXPECT_TRUE / EXPECT_FALSE of IsUserAgentAllowed, in file order.

Tests of the parser's statistics (line counts, BOM, sitemaps) and of GetPathParamsQuery /
MaybeEscapePattern are ported as verdicts or direct checks: a stats test that counts an
`Allow: /AnyValue` line is turned into `Disallow: /AnyValue`, so that whether the line was read
shows in the verdict. Each case names the gtest it comes from. Google's code is Apache-2.0.
Every expectation here was also checked against Google's C++ built from that repository.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Case:
    test: str  # the gtest in robots_test.cc this EXPECT belongs to
    robotstxt: bytes
    agent: str
    url: str
    allowed: bool

    @property
    def id(self) -> str:
        return f"{self.test}:{self.agent or '-'}:{self.url[:60] or '-'}"


CASES: list[Case] = []


def _expect(test: str, robotstxt: str | bytes, agent: str, url: str, allowed: bool) -> None:
    body = robotstxt.encode("utf-8") if isinstance(robotstxt, str) else robotstxt
    CASES.append(Case(test, body, agent, url, allowed))


def _lines(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


# --- GoogleOnly_SystemTest --------------------------------------------------------------------
_t = "GoogleOnly_SystemTest"
_foo_disallow_all = _lines("user-agent: FooBot", "disallow: /")
_expect(_t, "", "FooBot", "", True)  # empty robots.txt: everything allowed
_expect(_t, _foo_disallow_all, "", "", True)  # empty user-agent to match: everything allowed
_expect(_t, _foo_disallow_all, "FooBot", "", False)  # empty URL is "/"
_expect(_t, "", "", "", True)

# --- ID_LineSyntax_Line: "disallow /" without the colon is accepted (Google-specific) -------
_t = "ID_LineSyntax_Line"
_url = "http://foo.bar/x/y"
_expect(_t, _lines("user-agent: FooBot", "disallow: /"), "FooBot", _url, False)
_expect(_t, _lines("foo: FooBot", "bar: /"), "FooBot", _url, True)
_expect(_t, _lines("user-agent FooBot", "disallow /"), "FooBot", _url, False)

# --- ID_LineSyntax_Groups: rules outside groups are ignored; same agents' groups merge --------
_t = "ID_LineSyntax_Groups"
_groups = _lines(
    "allow: /foo/bar/",
    "",
    "user-agent: FooBot",
    "disallow: /",
    "allow: /x/",
    "user-agent: BarBot",
    "disallow: /",
    "allow: /y/",
    "",
    "",
    "allow: /w/",
    "user-agent: BazBot",
    "",
    "user-agent: FooBot",
    "allow: /z/",
    "disallow: /",
)
_expect(_t, _groups, "FooBot", "http://foo.bar/x/b", True)
_expect(_t, _groups, "FooBot", "http://foo.bar/z/d", True)
_expect(_t, _groups, "FooBot", "http://foo.bar/y/c", False)
_expect(_t, _groups, "BarBot", "http://foo.bar/y/c", True)
_expect(_t, _groups, "BarBot", "http://foo.bar/w/a", True)
_expect(_t, _groups, "BarBot", "http://foo.bar/z/d", False)
_expect(_t, _groups, "BazBot", "http://foo.bar/z/d", True)
_expect(_t, _groups, "FooBot", "http://foo.bar/foo/bar/", False)
_expect(_t, _groups, "BarBot", "http://foo.bar/foo/bar/", False)
_expect(_t, _groups, "BazBot", "http://foo.bar/foo/bar/", False)

# --- ID_LineSyntax_Groups_OtherRules: sitemap / unknown lines do not close a group -----------
_t = "ID_LineSyntax_Groups_OtherRules"
for _other in ("Sitemap: https://foo.bar/sitemap", "Invalid-Unknown-Line: unknown"):
    _first = "BarBot" if _other.startswith("Sitemap") else "FooBot"
    _body = _lines(f"User-agent: {_first}", _other, "User-agent: *", "Disallow: /")
    _expect(_t, _body, "FooBot", "http://foo.bar/", False)
    _expect(_t, _body, "BarBot", "http://foo.bar/", False)

# --- ID_REPLineNamesCaseInsensitive ----------------------------------------------------------
_t = "ID_REPLineNamesCaseInsensitive"
_cases_bodies = (
    _lines("USER-AGENT: FooBot", "ALLOW: /x/", "DISALLOW: /"),
    _lines("user-agent: FooBot", "allow: /x/", "disallow: /"),
    _lines("uSeR-aGeNt: FooBot", "AlLoW: /x/", "dIsAlLoW: /"),
)
for _body in _cases_bodies:
    _expect(_t, _body, "FooBot", "http://foo.bar/x/y", True)
for _body in _cases_bodies:
    _expect(_t, _body, "FooBot", "http://foo.bar/a/b", False)

# --- ID_UserAgentValueCaseInsensitive --------------------------------------------------------
_t = "ID_UserAgentValueCaseInsensitive"
_ua_bodies = (
    _lines("User-Agent: FOO BAR", "Allow: /x/", "Disallow: /"),
    _lines("User-Agent: foo bar", "Allow: /x/", "Disallow: /"),
    _lines("User-Agent: FoO bAr", "Allow: /x/", "Disallow: /"),
)
for _agent in ("Foo", "foo"):
    for _body in _ua_bodies:
        _expect(_t, _body, _agent, "http://foo.bar/x/y", True)
    for _body in _ua_bodies:
        _expect(_t, _body, _agent, "http://foo.bar/a/b", False)

# --- GoogleOnly_AcceptUserAgentUpToFirstSpace ------------------------------------------------
_t = "GoogleOnly_AcceptUserAgentUpToFirstSpace"
_body = _lines("User-Agent: *", "Disallow: /", "User-Agent: Foo Bar", "Allow: /x/", "Disallow: /")
_expect(_t, _body, "Foo", "http://foo.bar/x/y", True)
_expect(_t, _body, "Foo Bar", "http://foo.bar/x/y", False)

# --- ID_GlobalGroups_Secondary: no matching group -> "*" group -> nothing ---------------------
_t = "ID_GlobalGroups_Secondary"
_url = "http://foo.bar/x/y"
_global = _lines("user-agent: *", "allow: /", "user-agent: FooBot", "disallow: /")
_only_specific = _lines(
    "user-agent: FooBot",
    "allow: /",
    "user-agent: BarBot",
    "disallow: /",
    "user-agent: BazBot",
    "disallow: /",
)
_expect(_t, "", "FooBot", _url, True)
_expect(_t, _global, "FooBot", _url, False)
_expect(_t, _global, "BarBot", _url, True)
_expect(_t, _only_specific, "QuxBot", _url, True)

# --- ID_AllowDisallow_Value_CaseSensitive ----------------------------------------------------
_t = "ID_AllowDisallow_Value_CaseSensitive"
_expect(_t, _lines("user-agent: FooBot", "disallow: /x/"), "FooBot", "http://foo.bar/x/y", False)
_expect(_t, _lines("user-agent: FooBot", "disallow: /X/"), "FooBot", "http://foo.bar/x/y", True)

# --- ID_LongestMatch: most octets win; on a tie, allow wins ----------------------------------
_t = "ID_LongestMatch"
_url = "http://foo.bar/x/page.html"
_expect(
    _t, _lines("user-agent: FooBot", "disallow: /x/page.html", "allow: /x/"), "FooBot", _url, False
)
_body = _lines("user-agent: FooBot", "allow: /x/page.html", "disallow: /x/")
_expect(_t, _body, "FooBot", _url, True)
_expect(_t, _body, "FooBot", "http://foo.bar/x/", False)
_expect(_t, _lines("user-agent: FooBot", "disallow: ", "allow: "), "FooBot", _url, True)
_expect(_t, _lines("user-agent: FooBot", "disallow: /", "allow: /"), "FooBot", _url, True)
_body = _lines("user-agent: FooBot", "disallow: /x", "allow: /x/")
_expect(_t, _body, "FooBot", "http://foo.bar/x", False)
_expect(_t, _body, "FooBot", "http://foo.bar/x/", True)
_body = _lines("user-agent: FooBot", "disallow: /x/page.html", "allow: /x/page.html")
_expect(_t, _body, "FooBot", _url, True)
_body = _lines("user-agent: FooBot", "allow: /page", "disallow: /*.html")
_expect(_t, _body, "FooBot", "http://foo.bar/page.html", False)
_expect(_t, _body, "FooBot", "http://foo.bar/page", True)
_body = _lines("user-agent: FooBot", "allow: /x/page.", "disallow: /*.html")
_expect(_t, _body, "FooBot", _url, True)
_expect(_t, _body, "FooBot", "http://foo.bar/x/y.html", False)
_body = _lines("User-agent: *", "Disallow: /x/", "User-agent: FooBot", "Disallow: /y/")
_expect(_t, _body, "FooBot", "http://foo.bar/x/page", True)
_expect(_t, _body, "FooBot", "http://foo.bar/y/page", False)

# --- ID_Encoding: patterns are %-encoded (non-ASCII) and normalised; URLs are taken as given --
_t = "ID_Encoding"
_expect(
    _t,
    _lines(
        "User-agent: FooBot", "Disallow: /", "Allow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par"
    ),
    "FooBot",
    "http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par",
    True,
)
_body = _lines("User-agent: FooBot", "Disallow: /", "Allow: /foo/bar/\u30c4")
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar/%E3%83%84", True)
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar/\u30c4", False)
_body = _lines("User-agent: FooBot", "Disallow: /", "Allow: /foo/bar/%E3%83%84")
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar/%E3%83%84", True)
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar/\u30c4", False)
_body = _lines("User-agent: FooBot", "Disallow: /", "Allow: /foo/bar/%62%61%7A")
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar/baz", False)
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar/%62%61%7A", True)

# --- ID_SpecialCharacters: # comments, $ end anchor, * wildcard -----------------------------
_t = "ID_SpecialCharacters"
_body = _lines("User-agent: FooBot", "Disallow: /foo/bar/quz", "Allow: /foo/*/qux")
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar/quz", False)
_expect(_t, _body, "FooBot", "http://foo.bar/foo/quz", True)
_expect(_t, _body, "FooBot", "http://foo.bar/foo//quz", True)
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bax/quz", True)
_body = _lines("User-agent: FooBot", "Disallow: /foo/bar$", "Allow: /foo/bar/qux")
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar", False)
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar/qux", True)
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar/", True)
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar/baz", True)
_body = _lines("User-agent: FooBot", "# Disallow: /", "Disallow: /foo/quz#qux", "Allow: /")
_expect(_t, _body, "FooBot", "http://foo.bar/foo/bar", True)
_expect(_t, _body, "FooBot", "http://foo.bar/foo/quz", False)

# --- GoogleOnly_IndexHTMLisDirectory ---------------------------------------------------------
_t = "GoogleOnly_IndexHTMLisDirectory"
_body = _lines("User-Agent: *", "Allow: /allowed-slash/index.html", "Disallow: /")
_expect(_t, _body, "foobot", "http://foo.com/allowed-slash/", True)
_expect(_t, _body, "foobot", "http://foo.com/allowed-slash/index.htm", False)
_expect(_t, _body, "foobot", "http://foo.com/allowed-slash/index.html", True)
_expect(_t, _body, "foobot", "http://foo.com/anyother-url", False)

# --- GoogleOnly_LineTooLong: a line is cut after 8 * 2083 bytes ------------------------------
_t = "GoogleOnly_LineTooLong"
_MAX_LINE = 2083 * 8
_longline = "/x/" + "a" * (_MAX_LINE - len("/x/") - len("disallow: ") + 1 - len("/x/"))
_body = "user-agent: FooBot\n" + "disallow: " + _longline + "/qux\n"
_expect(_t, _body, "FooBot", "http://foo.bar/fux", True)
_expect(_t, _body, "FooBot", f"http://foo.bar{_longline}/fux", False)
_fill = _MAX_LINE - len("/x/") - len("allow: ") + 1 - len("/x/")
_longline_a, _longline_b = "/x/" + "a" * _fill, "/x/" + "b" * _fill
_body = (
    _lines("user-agent: FooBot", "disallow: /")
    + f"allow: {_longline_a}/qux\n"
    + f"allow: {_longline_b}/qux\n"
)
_expect(_t, _body, "FooBot", "http://foo.bar/", False)
_expect(_t, _body, "FooBot", f"http://foo.bar{_longline_a}/qux", True)
_expect(_t, _body, "FooBot", f"http://foo.bar{_longline_b}/fux", True)

# --- GoogleOnly_DocumentationChecks: the examples of Google's robots.txt documentation -------
_t = "GoogleOnly_DocumentationChecks"


def _doc(allow: str, allowed: tuple[str, ...], disallowed: tuple[str, ...]) -> None:
    body = _lines("user-agent: FooBot", "disallow: /", f"allow: {allow}")
    _expect(_t, body, "FooBot", "http://foo.bar/bar", False)
    for path in allowed:
        _expect(_t, body, "FooBot", f"http://foo.bar{path}", True)
    for path in disallowed:
        _expect(_t, body, "FooBot", f"http://foo.bar{path}", False)


_FISH = (
    "/fish",
    "/fish.html",
    "/fish/salmon.html",
    "/fishheads",
    "/fishheads/yummy.html",
    "/fish.html?id=anything",
)
_doc("/fish", _FISH, ("/Fish.asp", "/catfish", "/?id=fish"))
_doc("/fish*", _FISH, ("/Fish.bar", "/catfish", "/?id=fish"))
_doc(
    "/fish/",
    ("/fish/", "/fish/salmon", "/fish/?salmon", "/fish/salmon.html", "/fish/?id=anything"),
    ("/fish", "/fish.html", "/Fish/Salmon.html"),
)
_doc(
    "/*.php",
    (
        "/filename.php",
        "/folder/filename.php",
        "/folder/filename.php?parameters",
        "//folder/any.php.file.html",
        "/filename.php/",
        "/index?f=filename.php/",
    ),
    ("/php/", "/index?php", "/windows.PHP"),
)
_doc(
    "/*.php$",
    ("/filename.php", "/folder/filename.php"),
    (
        "/filename.php?parameters",
        "/filename.php/",
        "/filename.php5",
        "/php/",
        "/filename?php",
        "/aaaphpaaa",
        "//windows.PHP",
    ),
)
_doc("/fish*.php", ("/fish.php", "/fishheads/catfish.php?parameters"), ("/Fish.PHP",))
# Section "Order of precedence for group-member records".
_expect(
    _t,
    _lines("user-agent: FooBot", "allow: /p", "disallow: /"),
    "FooBot",
    "http://example.com/page",
    True,
)
_expect(
    _t,
    _lines("user-agent: FooBot", "allow: /folder", "disallow: /folder"),
    "FooBot",
    "http://example.com/folder/page",
    True,
)
_expect(
    _t,
    _lines("user-agent: FooBot", "allow: /page", "disallow: /*.htm"),
    "FooBot",
    "http://example.com/page.htm",
    False,
)
_body = _lines("user-agent: FooBot", "allow: /$", "disallow: /")
_expect(_t, _body, "FooBot", "http://example.com/", True)
_expect(_t, _body, "FooBot", "http://example.com/page.html", False)

# --- ID_LinesNumbersAreCountedCorrectly: \n, \r\n, \r, mixed, no final newline --------------
# The stats test counts directives; here each file's rules must apply: bar's group
# ("Disallow: /" after two empty lines) blocks bar; foo's group only allows.
_t = "ID_LinesNumbersAreCountedCorrectly"
_unix = "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /\n"
for _file in (
    _unix,
    _unix.replace("\n", "\r\n"),
    _unix.replace("\n", "\r"),
    _unix[:-1],  # no final newline
    "User-Agent: foo\nAllow: /some/path\r\nUser-Agent: bar\n\r\n\nDisallow: /",
):
    _expect(_t, _file, "bar", "http://foo.bar/some/path", False)
    _expect(_t, _file, "foo", "http://foo.bar/other", True)
    _expect(_t, _file, "foo", "http://foo.bar/some/path", True)

# --- ID_UTF8ByteOrderMarkIsSkipped: a full or partial UTF-8 BOM at the start is skipped ------
_t = "ID_UTF8ByteOrderMarkIsSkipped"
_rules = b"User-Agent: foo\nDisallow: /AnyValue\n"
for _bom in (b"\xef\xbb\xbf", b"\xef\xbb", b"\xef"):
    _expect(_t, _bom + _rules, "foo", "http://foo.bar/AnyValue", False)
# A broken BOM makes the first line garbage, so the rule has no group.
_expect(_t, b"\xef\x11\xbf" + _rules, "foo", "http://foo.bar/AnyValue", True)
# A BOM anywhere else makes its line unknown.
_expect(
    _t,
    b"User-Agent: foo\n\xef\xbb\xbfDisallow: /AnyValue\n",
    "foo",
    "http://foo.bar/AnyValue",
    True,
)

# --- ID_NonStandardLineExample_Sitemap: a sitemap line anywhere changes nothing --------------
_t = "ID_NonStandardLineExample_Sitemap"
_groups_tail = "User-Agent: foo\nDisallow: /some/path\nUser-Agent: bar\n\n\n"
for _file in (
    _groups_tail + "Sitemap: http://foo.bar/sitemap.xml\n",
    "Sitemap: http://foo.bar/sitemap.xml\n" + _groups_tail,
):
    _expect(_t, _file, "foo", "http://foo.bar/some/path", False)
    _expect(_t, _file, "bar", "http://foo.bar/some/path", True)

# --- reporting_robots_test LinesNumbersAreCountedCorrectly: typos Google accepts -------------
# "useragent", "user agent" and five misspellings of "disallow" are read as the real keys;
# "allow" has no accepted typo; a key-value line without a colon needs exactly two words.
_t = "Reporting_AcceptedTypos"
for _key in ("useragent", "user agent", "User-Agent", "USERAGENT"):
    _expect(_t, f"{_key}: foo\nDisallow: /x\n", "foo", "http://foo.bar/x", False)
for _key in ("dissallow", "dissalow", "disalow", "diasllow", "disallaw", "DISALLAW"):
    _expect(_t, f"User-agent: foo\n{_key}: /x\n", "foo", "http://foo.bar/x", False)
_expect(_t, "User-agent: foo\nDisallow: /\nalow: /x\n", "foo", "http://foo.bar/x", False)
_expect(_t, "User-Agent bar # no\nDisallow: /\n", "bar", "http://foo.bar/x", False)
_expect(_t, "User-agent: foo\nDisallow / x\n", "foo", "http://foo.bar/x", True)
_expect(
    _t, "User-agent: foo\nabsolutely random line\nDisallow: /\n", "foo", "http://foo.bar/", False
)

# --- RFC 9309 / Google user-agent details exercised by robots.cc ------------------------------
_t = "GoogleOnly_UserAgentToken"
# The group's name is read up to the first character outside [a-zA-Z_-].
_expect(_t, "User-agent: Googlebot/2.1\nDisallow: /\n", "Googlebot", "http://a.b/x", False)
_expect(_t, "User-agent: Googlebot-News\nDisallow: /\n", "Googlebot", "http://a.b/x", True)
_expect(_t, "User-agent: Google\nDisallow: /\n", "Googlebot", "http://a.b/x", True)
# "* " followed by anything is still the global group; "*bot" is not.
_expect(_t, "User-agent: * everyone\nDisallow: /\n", "Googlebot", "http://a.b/x", False)
_expect(_t, "User-agent: *bot\nDisallow: /\n", "Googlebot", "http://a.b/x", True)
# A group naming the agent wins over "*", even when it has no rules that match.
_expect(
    _t,
    "User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\nDisallow: /private\n",
    "Googlebot",
    "http://a.b/x",
    True,
)
# ...and an empty group naming the agent allows everything.
_expect(
    _t, "User-agent: *\nDisallow: /\nUser-agent: Googlebot\n", "Googlebot", "http://a.b/x", True
)
# Keys are matched by prefix: "User-agents", "Disallowed", "Allowance" still count.
_expect(_t, "User-agents: foo\nDisallowed: /\nAllowance: /x\n", "foo", "http://a.b/x", True)
_expect(_t, "User-agents: foo\nDisallowed: /\nAllowance: /x\n", "foo", "http://a.b/y", False)


# --- GetPathParamsQuery and MaybeEscapePattern (robots.cc's helpers) --------------------------
PATHS: list[tuple[str, str]] = [
    ("", "/"),
    ("http://www.example.com", "/"),
    ("http://www.example.com/", "/"),
    ("http://www.example.com/a", "/a"),
    ("http://www.example.com/a/", "/a/"),
    ("http://www.example.com/a/b?c=http://d.e/", "/a/b?c=http://d.e/"),
    ("http://www.example.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"),
    ("example.com", "/"),
    ("example.com/", "/"),
    ("example.com/a", "/a"),
    ("example.com/a/", "/a/"),
    ("example.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"),
    ("a", "/"),
    ("a/", "/"),
    ("/a", "/a"),
    ("a/b", "/b"),
    ("example.com?a", "/?a"),
    ("example.com/a;b#c", "/a;b"),
    ("//a/b/c", "/b/c"),
]

ESCAPES: list[tuple[str, str]] = [
    ("http://www.example.com", "http://www.example.com"),
    ("/a/b/c", "/a/b/c"),
    ("\u00e1", "%C3%A1"),
    ("%aa", "%AA"),
]
