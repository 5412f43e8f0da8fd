"""Googlebot's reading of a robots.txt: Google's open-source parser and matcher, in Python.

A port of google/robotstxt's robots.cc (Apache-2.0, https://github.com/google/robotstxt),
the code Googlebot uses: it reads bytes, not text, and keeps its Google-specific habits —
a full or partial UTF-8 BOM is skipped; "\\n", "\\r" and "\\r\\n" end lines; a line is cut
after 8 * 2083 bytes; keys are matched case-insensitively by prefix, with the typos Google
accepts ("useragent", "dissallow", ...) and a missing colon when a line has exactly two words;
a group's name is read up to the first character outside [a-zA-Z_-]; "* anything" is the
global group; the groups that name the agent are merged, else the "*" groups are; the longest
pattern wins and Allow wins a tie; "index.htm..." at the end of an Allow also allows the
directory. Patterns are %-normalised (non-ASCII bytes encoded, escapes upper-cased); URLs are
matched as given (a browser-serialised URL is already %-encoded). Google reads only the first
500 KiB of the file: https://developers.google.com/search/docs/crawling-indexing/robots/robots_txt
"""

from __future__ import annotations

from dataclasses import dataclass, field

GOOGLEBOT = "Googlebot"
MAX_BYTES = 500 * 1024  # "Google enforces a robots.txt file size limit of 500 kibibytes"
_MAX_LINE = 2083 * 8 - 1  # robots.cc keeps this many bytes of a line; the rest is ignored
_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\n\v\f\r"  # absl::StripAsciiWhitespace and C isspace
_HEX = frozenset(b"0123456789abcdefABCDEF")
_AGENT_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_")
_USER_AGENT_KEYS = (b"user-agent", b"useragent", b"user agent")
_DISALLOW_KEYS = (b"disallow", b"dissallow", b"dissalow", b"disalow", b"diasllow", b"disallaw")


@dataclass(frozen=True, slots=True)
class Rule:
    """One Allow or Disallow line of a group."""

    allow: bool
    value: str  # as written (decoded for display)
    pattern: bytes  # %-normalised, what is matched
    line: int  # 1-based, counted as robots.cc counts (BOM skipped, "\r\n" one ending)
    # Google-specific: an Allow ending in "/index.htm..." also allows its directory, anchored.
    directory: bytes | None = None

    def __str__(self) -> str:
        return f"{'Allow' if self.allow else 'Disallow'}: {self.value}".rstrip()


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether the agent may crawl the URL, and the rule that decided (None: no rule matched)."""

    allowed: bool
    rule: Rule | None


@dataclass(slots=True)
class _Group:
    agents: set[bytes] = field(default_factory=set)  # names, lower-cased, "*" excluded
    is_global: bool = False
    rules: list[Rule] = field(default_factory=list)


def escape_pattern(value: bytes) -> bytes:
    """robots.cc's MaybeEscapePattern: %-encode bytes >= 0x80, upper-case existing escapes."""
    out = bytearray()
    i = 0
    while i < len(value):
        byte = value[i]
        if byte == 0x25 and i + 2 < len(value) and value[i + 1] in _HEX and value[i + 2] in _HEX:
            out += b"%" + value[i + 1 : i + 3].upper()
            i += 3
            continue
        out += b"%%%02X" % byte if byte >= 0x80 else bytes((byte,))
        i += 1
    return bytes(out)


def path_params_query(url: str) -> str:
    """robots.cc's GetPathParamsQuery: the path, params and query of `url`, from "/"."""
    start = 2 if url.startswith("//") else 0  # initial two slashes are ignored
    early_path = _find_first_of(url, "/?;", start)
    protocol_end = url.find("://", start)
    if protocol_end == -1 or (early_path != -1 and early_path < protocol_end):
        protocol_end = start  # a path, param or query before "://": no scheme
    else:
        protocol_end += 3
    path_start = _find_first_of(url, "/?;", protocol_end)
    if path_start == -1:
        return "/"
    hash_at = url.find("#", start)
    if hash_at != -1 and hash_at < path_start:
        return "/"
    path = url[path_start : len(url) if hash_at == -1 else hash_at]
    return path if path.startswith("/") else "/" + path


def _find_first_of(text: str, chars: str, start: int) -> int:
    found = [at for at in (text.find(char, start) for char in chars) if at != -1]
    return min(found) if found else -1


def matches(path: bytes, pattern: bytes) -> bool:
    """robots.cc's Matches: `pattern` ("*" any bytes, a final "$" the end) matches a prefix of
    `path`. Each "*"-free piece is found leftmost, which is optimal for "*"-only globs, so a
    hostile pattern costs O(len(path) * pieces), never exponential backtracking."""
    anchored = pattern.endswith(b"$")
    if anchored:
        pattern = pattern[:-1]
    pieces = pattern.split(b"*")
    if not path.startswith(pieces[0]):
        return False
    if len(pieces) == 1:
        return not anchored or len(path) == len(pieces[0])
    at = len(pieces[0])
    for piece in pieces[1:-1]:
        found = path.find(piece, at)
        if found == -1:
            return False
        at = found + len(piece)
    last = pieces[-1]
    if anchored:
        return len(path) - len(last) >= at and path.endswith(last)
    return path.find(last, at) != -1


def _lines(body: bytes) -> list[bytes]:
    """Split as robots.cc does: after a (partial) BOM, on "\\n", "\\r" or "\\r\\n"."""
    skip = 0
    while skip < len(_BOM) and skip < len(body) and body[skip] == _BOM[skip]:
        skip += 1
    text = body[skip:] if skip else body
    lines = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    # A C string ends at NUL, and robots.cc keeps the first _MAX_LINE bytes of a line.
    return [line[:_MAX_LINE].split(b"\0", 1)[0] for line in lines]


def _key_value(line: bytes) -> tuple[bytes, bytes] | None:
    """robots.cc's GetKeyAndValueFrom: `key: value`, or `key value` when exactly two words."""
    line = line.split(b"#", 1)[0].strip(_WHITESPACE)
    sep = line.find(b":")
    if sep == -1:
        # Google-specific: people forget the colon; a space or tab stands for it, two words only.
        blanks = [at for at in (line.find(b" "), line.find(b"\t")) if at != -1]
        if not blanks:
            return None
        sep = min(blanks)
        value = line[sep:].lstrip(b" \t")
        if b" " in value or b"\t" in value:
            return None
    key = line[:sep].strip(_WHITESPACE)
    return (key, line[sep + 1 :].strip(_WHITESPACE)) if key else None


def _agent_token(value: bytes) -> bytes:
    """robots.cc's ExtractUserAgent: the name up to the first byte outside [a-zA-Z_-]."""
    end = 0
    while end < len(value) and value[end] in _AGENT_CHARS:
        end += 1
    return value[:end]


def _rule(allow: bool, value: bytes, line: int) -> Rule:
    pattern = escape_pattern(value)
    directory = None
    if allow:
        slash = pattern.rfind(b"/")
        if slash != -1 and pattern[slash:].startswith(b"/index.htm"):
            directory = pattern[: slash + 1] + b"$"
    return Rule(allow, value.decode("utf-8", "replace"), pattern, line, directory)


class RobotsFile:
    """A parsed robots.txt; `check` answers for any agent and URL, as Googlebot would."""

    __slots__ = ("_groups", "_by_agent", "size")

    def __init__(self, groups: list[_Group], size: int) -> None:
        self._groups = groups
        self._by_agent: dict[bytes, _Rules] = {}
        self.size = size  # bytes read, for the cache's memory bound

    @classmethod
    def parse(cls, body: bytes) -> RobotsFile:
        """Parse the first 500 KiB of `body` (Google ignores the rest)."""
        body = body[:MAX_BYTES]
        groups: list[_Group] = []
        current: _Group | None = None
        in_rules = False  # a rule was seen since the last user-agent line
        for number, raw in enumerate(_lines(body), start=1):
            pair = _key_value(raw)
            if pair is None:
                continue
            key, value = pair
            lowered = key.lower()
            if lowered.startswith(_USER_AGENT_KEYS):
                if current is None or in_rules:
                    current = _Group()
                    groups.append(current)
                    in_rules = False
                # Google-specific: "*" followed by whitespace and more is still the global group.
                if value[:1] == b"*" and (len(value) == 1 or value[1] in _WHITESPACE):
                    current.is_global = True
                else:
                    current.agents.add(_agent_token(value).lower())
            elif lowered.startswith(b"allow") or lowered.startswith(_DISALLOW_KEYS):
                if current is None:
                    continue  # a rule before any user-agent line belongs to no group
                in_rules = True
                current.rules.append(_rule(lowered.startswith(b"allow"), value, number))
            # Sitemap and unknown lines neither end a group nor belong to one.
        return cls(groups, len(body))

    def _rules_for(self, agent: bytes) -> _Rules:
        """The rules that apply to `agent`: its groups' if any names it, else the "*" groups'."""
        found = self._by_agent.get(agent)
        if found is None:
            named = [group for group in self._groups if agent in group.agents]
            if not named:
                named = [g for g in self._groups if g.is_global and agent not in g.agents]
            found = _Rules([rule for group in named for rule in group.rules])
            self._by_agent[agent] = found
        return found

    def check(self, url: str, agent: str = GOOGLEBOT) -> Verdict:
        """May `agent` crawl `url` (an absolute, %-encoded URL), and which rule decided."""
        path = path_params_query(url).encode("utf-8")
        # A group naming the agent replaces the "*" groups, even when none of its rules match.
        allow, disallow = self._rules_for(agent.encode("utf-8").lower()).best(path)
        # The line robots.cc's matching_line() reports: the longer match, Allow on a tie. Only
        # a non-empty pattern restricts: an empty "Disallow:" decides that nothing is blocked.
        if disallow[0] > allow[0]:
            return Verdict(disallow[0] <= 0, disallow[1])
        return Verdict(True, allow[1])


_Match = tuple[int, Rule | None]  # (priority: the pattern's length, -1 for none; the rule)
_NONE: _Match = (-1, None)


class _Rules:
    """One agent's rules, indexed: a plain pattern (no "*", no final "$") can only match as a
    prefix of the path, so those are found by looking the path's prefixes up, longest first;
    the others are tried one by one."""

    __slots__ = ("_plain", "_longest", "_others")

    def __init__(self, rules: list[Rule]) -> None:
        self._plain: tuple[dict[bytes, Rule], dict[bytes, Rule]] = ({}, {})  # disallow, allow
        self._others: list[Rule] = []
        for rule in rules:
            pattern = rule.pattern
            if b"*" in pattern or pattern.endswith(b"$") or rule.directory is not None:
                self._others.append(rule)
            else:
                self._plain[rule.allow].setdefault(pattern, rule)  # the first line wins
        self._longest = max((len(p) for kind in self._plain for p in kind), default=-1)

    def best(self, path: bytes) -> tuple[_Match, _Match]:
        """The longest matching Allow and Disallow; the first line wins among equals."""
        found = [_NONE, _NONE]  # disallow, allow
        for allow in (False, True):
            plain = self._plain[allow]
            for length in range(min(len(path), self._longest), -1, -1):
                rule = plain.get(path[:length])
                if rule is not None:
                    found[allow] = (length, rule)
                    break
        for rule in self._others:
            if matches(path, rule.pattern):
                priority = len(rule.pattern)
            elif rule.directory is not None and matches(path, rule.directory):
                priority = len(rule.directory)
            else:
                continue
            best, best_rule = found[rule.allow]
            if priority > best or (
                priority == best and best_rule is not None and rule.line < best_rule.line
            ):
                found[rule.allow] = (priority, rule)
        return found[1], found[0]
