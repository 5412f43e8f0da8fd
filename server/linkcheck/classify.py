"""From an HTTP answer to a result class: what a status means for a link, and how to tell
a bot challenge (which says nothing about the link) from a real error page."""

from __future__ import annotations

from server.fetch.probe import ProbeResponse

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# The site refused to tell us: authentication, forbidden, rate limited, legal block, and
# LinkedIn's 999 ("request denied" to anything that is not a logged-in browser).
BLOCKED_STATUSES = frozenset({401, 403, 407, 429, 451, 999})

# Bot-protection challenges, by the marks their vendors document or always send.
# Cloudflare sets `cf-mitigated: challenge` on every challenge page: developers.cloudflare.com
# /cloudflare-challenges/challenge-types/challenge-pages/detect-response/
_CHALLENGE_HEADERS = (
    ("cf-mitigated", "challenge"),
    ("x-amzn-waf-action", "challenge"),
    ("x-amzn-waf-action", "captcha"),
    ("x-datadome", ""),
    ("x-sucuri-block", ""),
)
_CHALLENGE_BODIES = (
    b"<title>just a moment...</title>",
    b"/cdn-cgi/challenge-platform/",
    b"captcha-delivery.com",  # DataDome
    b"_incapsula_resource",  # Imperva
    b"px-captcha",  # HUMAN (PerimeterX)
)


def challenge(response: ProbeResponse) -> str | None:
    """The mark of a bot challenge in this answer, or None."""
    for name, value in _CHALLENGE_HEADERS:
        found = response.header(name)
        if found is not None and value in found.lower():
            return f"{name}: {found}" if value else name
    if response.status in (200, 202, 403, 429, 503) and response.body:
        head = response.body[:32_768].lower()
        for mark in _CHALLENGE_BODIES:
            if mark in head:
                return mark.decode()
    return None


BLOCKED_DETAILS = {
    401: "the page asks for a login",
    403: "the site refused the request (it may turn robots away): check it in a browser",
    407: "a proxy asks for a login",
    451: "unavailable for legal reasons",
    999: "LinkedIn turns robots away: check it in a browser",
}


def result_of_status(status: int, redirected: bool) -> str:
    """The result class of a final (non-redirect, not retried) answer."""
    if 200 <= status < 300:
        return "redirect" if redirected else "ok"
    if status in BLOCKED_STATUSES:
        return "blocked"
    if 500 <= status < 600:
        return "server_error"
    if 300 <= status < 400:
        # 300, 304, 305, or a redirect without a Location: no page a browser would show.
        return "broken"
    # 404, 410, 400, 405, 414... and anything unheard of: the page is not there.
    return "broken"


def result_of_fetch_error(code: str) -> str:
    """The result class of a FetchError code from the probe."""
    if code == "timeout":
        return "timeout"
    if code in ("blocked_address", "blocked_port"):
        return "refused"
    if code in ("dns", "connect"):
        return "unreachable"
    return "broken"  # bad_url, bad_scheme: a link no browser can open
