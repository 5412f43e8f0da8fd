"""Configuration: the defaults, reading LINKINSPECTOR_* values, and checking them once at start."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar

from limits import parse_many

if TYPE_CHECKING:
    from flask import Flask

DEFAULTS: dict[str, Any] = {
    # Bearer token every API route but health requires; None = no token (loopback use only).
    "API_TOKEN": None,
    # Browser extensions allowed to call the API cross-origin; empty = any extension, but only
    # while the server is reachable by loopback names alone (see `serves_loopback_only`).
    "EXTENSION_ORIGINS": [],
    # Host header values the server answers to (DNS-rebinding guard); an entry without a port
    # matches any port.
    "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]"],
    "MAX_PAGE_BYTES": 10 * 1024 * 1024,
    "MAX_LINKS": 10_000,
    # Per client address, shared by every route but health.
    "RATE_LIMIT": "120/minute",
    # None: a SQLite file in the instance folder, shared by every worker on this host
    # (server/rate_counts.py); redis://host:6379 shares counts between hosts too; memory://
    # counts in each worker process.
    "RATELIMIT_STORAGE_URI": None,
    # Number of reverse proxies in front whose X-Forwarded-For/-Proto headers are trusted.
    "TRUSTED_PROXIES": 0,
    # JSON access log lines (method, route, status, duration, size) on stdout.
    "ACCESS_LOG": True,
    # The address the serve command binds (host or host:port); checked against API_TOKEN.
    "BIND": None,
    # Prospects and backlinks: None = SQLite in the instance folder; or a PostgreSQL URL.
    "DATABASE_URL": None,
    # Upgrade the schema (Alembic) on first use in each process.
    "DATABASE_AUTO_UPGRADE": True,
    # Let backlink checks fetch loopback/private addresses (tests, intranets); off = SSRF-safe.
    "ALLOW_PRIVATE_FETCH": False,
    # Background jobs (server/jobs). The task queue: None = a SQLite file in the instance
    # folder (one machine, no other server); redis://host:6379/0 or postgresql://... lets
    # workers on several machines share the work.
    "QUEUE_URL": None,
    "WORKER_THREADS": 4,  # jobs one worker process works on at once
    "FETCH_THREADS": 128,  # requests one worker process has in flight, all hosts together
    "PER_HOST_LIMIT": 2,  # requests at once to one host, shared by every job of a worker
    "MAX_RETRY_AFTER": 60,  # seconds of Retry-After waited out; a longer one means blocked
    "LINK_CHECK_TIMEOUT": 15,  # seconds for one request of a link check, all included
    "LINK_CHECK_CACHE_SECONDS": 3600,  # a URL's check is reused this long (0: never)
    # Regular expressions searched in a URL's path and query: a match is never requested
    # (None: the built-in list in server/fetch/politeness.py).
    "ACTION_URL_PATTERNS": None,
    "JOB_LEASE_SECONDS": 60,  # a worker that stops renewing its items for this long is dead
    "JOB_LAP_SECONDS": 30,  # a job task works this long, then queues itself again
    "JOB_PARALLELISM": 2,  # tasks per job in flight (workers of several processes share it)
    "MAX_JOB_URLS": 10_000,
    "JOB_RETENTION_DAYS": 30,  # finished jobs and their results are deleted after this
    # Fetch the robots.txt of each analysed page (server-side, SSRF-safe, once per site per
    # hour) to tell whether Googlebot may crawl it; false: the server sends no request for an
    # analysis, and robots_txt is "unknown".
    "ROBOTS_TXT": True,
    # Backlink monitoring (server/monitor). Workers check each backlink on its own interval
    # (hours; a backlink may set its own), spread over it; false leaves checks to `recheck`.
    "MONITOR_SCHEDULE": True,
    "MONITOR_INTERVAL_HOURS": 24,
    # Bad news (lost, nofollow, at risk, drift, an error) is checked again this many seconds
    # later before the backlink's state changes.
    "MONITOR_CONFIRM_SECONDS": 1800,
    # Render the source page in headless Chromium when the link is not in the served HTML
    # (auto), on every check (always), or never.
    "RENDER": "auto",
    "CHROMIUM_PATH": None,  # None: `chromium` on PATH (Debian's /usr/bin/chromium)
    "RENDER_PAGES": 2,  # pages rendered at once per worker process
    "RENDER_TIMEOUT": 20,  # seconds one page may take to render, everything included
    # Evidence kept for state-changing checks (page HTML compressed): deleted after this many
    # days, except each backlink's latest.
    "EVIDENCE_RETENTION_DAYS": 365,
    # Alerts: a webhook (JSON POST signed with HMAC-SHA256 of the secret), Apprise URLs
    # (mailto://, slack://, discord://, tgram://...), which changes, one by one or a digest.
    "ALERT_WEBHOOK_URL": None,
    "ALERT_WEBHOOK_SECRET": None,
    "ALERT_APPRISE_URLS": [],
    "ALERT_KINDS": ["lost", "nofollow", "at_risk", "drift", "error", "recovered"],
    "ALERT_DIGEST": False,  # true: one digest a day at ALERT_DIGEST_HOUR (UTC) instead
    "ALERT_DIGEST_HOUR": 8,
    "ALERT_MAX_ATTEMPTS": 10,  # deliveries retried 1, 2, 4... minutes apart, then failed
    # The dashboard's address as people reach it, for links in alert messages (optional).
    "DASHBOARD_URL": None,
    # Each analysis runs in a child process with this budget (server.bounded); past it: 422.
    # ANALYSIS_PROCESSES=0 runs the engine in the web process, unbounded (benchmarks only).
    "ANALYSIS_CPU_SECONDS": 3,
    "ANALYSIS_MEMORY_MB": 512,
    "ANALYSIS_TIMEOUT": 10,
    "ANALYSIS_PROCESSES": 4,
}

EXTENSION_ORIGIN = re.compile(
    r"(?:chrome-extension://[a-p]{32}|moz-extension://[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
    r"|safari-web-extension://[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})",
    re.IGNORECASE,
)
# Any extension origin; used only while no EXTENSION_ORIGINS are configured on a loopback server.
ANY_EXTENSION_ORIGIN = re.compile(
    r"(?:chrome-extension://[a-p]{32}|moz-extension://[0-9a-f-]{36}"
    r"|safari-web-extension://[0-9a-f-]{36})\Z",
    re.IGNORECASE,
)

LOOPBACK_NAMES = frozenset({"localhost"})


class ConfigError(RuntimeError):
    """A setting that cannot be used; the message says which and how to fix it.

    A RuntimeError so gunicorn prints it as "Error: ..." and exits 1 instead of a traceback.
    """


def parse_env_value(raw: str) -> Any:
    """Decode a LINKINSPECTOR_* value: JSON lists, objects, booleans and exact numbers, else text.

    Flask's default (json.loads) would turn a token such as `1e3` into 1000.0; here a value
    is decoded only when nothing is lost, so secrets and host names stay exactly as written.
    """
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        return value
    if isinstance(value, int | float) and str(value) == raw.strip():
        return value
    return raw


def text_list(name: str, value: Any) -> list[str]:
    """A list setting given as a list, a JSON list (already decoded) or comma-separated text."""
    if value is None:
        return []
    if isinstance(value, str):
        items: Iterable[Any] = value.split(",")
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise ConfigError(f"{name} must be a list or comma-separated text, not {value!r}.")
    result = []
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"{name} entries must be text, not {item!r}.")
        if item.strip():
            result.append(item.strip())
    return result


def positive_int(name: str, value: Any, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ConfigError(f"{name} must be a whole number, not {value!r}.")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ConfigError(f"{name} must be a whole number >= {minimum}, not {value!r}.")
    return number


def flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


def extension_origin(value: str) -> str:
    origin = value.rstrip("/").lower()
    if not EXTENSION_ORIGIN.fullmatch(origin):
        raise ConfigError(
            f"EXTENSION_ORIGINS holds browser extension origins only "
            f"(chrome-extension://<32 letters a-p> or moz-extension://<UUID>), not {value!r}."
        )
    return origin


def split_host(host: str) -> tuple[str, str | None]:
    """`example.com:8750` -> ("example.com", "8750"); `[::1]:80` -> ("[::1]", "80")."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        if end == -1:
            return host, None
        rest = host[end + 1 :]
        return host[: end + 1], rest[1:] if rest.startswith(":") else None
    if host.count(":") > 1:  # a bare IPv6 address
        return f"[{host}]", None
    name, colon, port = host.partition(":")
    return name, port if colon else None


def allowed_host(value: str) -> str:
    name, port = split_host(value)
    if not name or "/" in value or (port is not None and not port.isdigit()):
        raise ConfigError(
            f"ALLOWED_HOSTS entries are host names or addresses, optionally with a port "
            f"(links.example.com, 127.0.0.1:8750, [::1]); not {value!r}."
        )
    return name if port is None else f"{name}:{port}"


def is_loopback_host(name: str) -> bool:
    """True for localhost and loopback addresses, bracketed or not; False for names and 0.0.0.0."""
    name = name.strip().lower().removeprefix("[").removesuffix("]")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def serves_loopback_only(allowed_hosts: Iterable[str]) -> bool:
    """True when every allowed Host is a loopback name: browsers reach the server only locally."""
    return all(is_loopback_host(split_host(host)[0]) for host in allowed_hosts)


def bind_is_loopback(address: str) -> bool:
    """True for a gunicorn bind that only this machine can reach (loopback, unix socket, fd)."""
    address = address.strip()
    if address.startswith(("unix:", "fd://")):
        return True
    address = address.removeprefix("tcp://")
    name, _port = split_host(address)
    return bool(name) and is_loopback_host(name)


def serve_addresses(bind: str | None, port: str | None) -> list[str]:
    """Gunicorn bind addresses from LINKINSPECTOR_BIND (host or host:port, commas) and PORT.

    A host without a port gets PORT (default 8750); no LINKINSPECTOR_BIND means 127.0.0.1.
    """
    port = (port or "").strip() or "8750"
    addresses = []
    for entry in text_list("LINKINSPECTOR_BIND", bind or "127.0.0.1"):
        if entry.startswith(("unix:", "fd://")):
            addresses.append(entry)
            continue
        name, entry_port = split_host(entry.removeprefix("tcp://"))
        addresses.append(f"{name}:{entry_port if entry_port is not None else port}")
    return addresses


def refuse_exposure_without_token(binds: Iterable[str], token: Any) -> None:
    """Raise ConfigError when a bind address beyond loopback is asked for without an API token."""
    if token:
        return
    exposed = [bind for bind in binds if not bind_is_loopback(bind)]
    if exposed:
        raise ConfigError(
            f"Refusing to listen on {', '.join(exposed)} without an API token: anyone who can "
            f"reach that address could use the server. Set LINKINSPECTOR_API_TOKEN to a long "
            f"random secret (python3 -c 'import secrets; print(secrets.token_urlsafe(32))') "
            f"or bind 127.0.0.1."
        )


def normalise(config: MutableMapping[str, Any]) -> None:
    """Check and convert the security and limit settings in place; ConfigError if unusable."""
    token = config.get("API_TOKEN")
    if token in (None, "", False):
        config["API_TOKEN"] = None
    elif isinstance(token, str | int) and not isinstance(token, bool):
        config["API_TOKEN"] = str(token)
    else:
        raise ConfigError("API_TOKEN must be text.")

    config["EXTENSION_ORIGINS"] = [
        extension_origin(origin)
        for origin in text_list("EXTENSION_ORIGINS", config.get("EXTENSION_ORIGINS"))
    ]
    hosts = [allowed_host(h) for h in text_list("ALLOWED_HOSTS", config.get("ALLOWED_HOSTS"))]
    if not hosts:
        raise ConfigError("ALLOWED_HOSTS is empty: the server would refuse every request.")
    config["ALLOWED_HOSTS"] = hosts

    config["MAX_PAGE_BYTES"] = positive_int("MAX_PAGE_BYTES", config["MAX_PAGE_BYTES"])
    config["MAX_CONTENT_LENGTH"] = config["MAX_PAGE_BYTES"]
    config["MAX_LINKS"] = positive_int("MAX_LINKS", config["MAX_LINKS"])
    config["TRUSTED_PROXIES"] = positive_int(
        "TRUSTED_PROXIES", config.get("TRUSTED_PROXIES", 0), minimum=0
    )
    config["ACCESS_LOG"] = flag("ACCESS_LOG", config.get("ACCESS_LOG", True))
    config["DATABASE_AUTO_UPGRADE"] = flag(
        "DATABASE_AUTO_UPGRADE", config.get("DATABASE_AUTO_UPGRADE", True)
    )
    config["ALLOW_PRIVATE_FETCH"] = flag(
        "ALLOW_PRIVATE_FETCH", config.get("ALLOW_PRIVATE_FETCH", False)
    )
    config["ROBOTS_TXT"] = flag("ROBOTS_TXT", config.get("ROBOTS_TXT", True))
    for name, minimum in (
        ("ANALYSIS_CPU_SECONDS", 1),
        ("ANALYSIS_MEMORY_MB", 64),
        ("ANALYSIS_TIMEOUT", 1),
        ("ANALYSIS_PROCESSES", 0),
    ):
        config[name] = positive_int(name, config.get(name, DEFAULTS[name]), minimum=minimum)
    database_url = config.get("DATABASE_URL")
    if database_url in (None, ""):
        config["DATABASE_URL"] = None
    elif not isinstance(database_url, str) or not database_url.startswith(
        ("sqlite:", "postgresql:", "postgres:", "postgresql+psycopg:")
    ):
        raise ConfigError(
            "DATABASE_URL must be a postgresql://user:password@host/dbname or sqlite:///path URL."
        )

    rate_limit = config.get("RATE_LIMIT")
    if not isinstance(rate_limit, str) or not rate_limit.strip():
        raise ConfigError(f"RATE_LIMIT must be text such as '120/minute', not {rate_limit!r}.")
    try:
        parse_many(rate_limit)
    except ValueError:
        raise ConfigError(
            f"RATE_LIMIT {rate_limit!r} is not a rate such as '120/minute' or '10/second;500/hour'."
        ) from None
    if config.get("RATELIMIT_STORAGE_URI") in ("", None):
        config["RATELIMIT_STORAGE_URI"] = None
    elif not isinstance(config.get("RATELIMIT_STORAGE_URI"), str):
        raise ConfigError("RATELIMIT_STORAGE_URI must be a URI such as memory:// or redis://host.")

    normalise_jobs(config)
    normalise_monitor(config)

    binds = text_list("BIND", config.get("BIND"))
    refuse_exposure_without_token(binds, config["API_TOKEN"])
    if not config["API_TOKEN"] and not serves_loopback_only(hosts):
        public = [h for h in hosts if not is_loopback_host(split_host(h)[0])]
        raise ConfigError(
            f"ALLOWED_HOSTS includes {', '.join(public)}, so the server is meant to be reached "
            f"beyond this machine; set LINKINSPECTOR_API_TOKEN first."
        )


QUEUE_SCHEMES = ("sqlite:", "redis:", "rediss:", "unix:", "postgresql:", "postgres:")


def normalise_jobs(config: MutableMapping[str, Any]) -> None:
    """Check the background-job settings in place; ConfigError if unusable."""
    queue_url = config.get("QUEUE_URL")
    if queue_url in (None, ""):
        config["QUEUE_URL"] = None
    elif not isinstance(queue_url, str) or not queue_url.startswith(QUEUE_SCHEMES):
        raise ConfigError(
            "QUEUE_URL must be redis://host:6379/0, postgresql://user:password@host/db or "
            "sqlite:///path (unset: a SQLite file in the instance folder)."
        )
    for name, minimum in (
        ("WORKER_THREADS", 1),
        ("FETCH_THREADS", 1),
        ("PER_HOST_LIMIT", 1),
        ("MAX_RETRY_AFTER", 0),
        ("LINK_CHECK_TIMEOUT", 1),
        ("LINK_CHECK_CACHE_SECONDS", 0),
        ("JOB_LEASE_SECONDS", 2),
        ("JOB_LAP_SECONDS", 1),
        ("JOB_PARALLELISM", 1),
        ("MAX_JOB_URLS", 1),
        ("JOB_RETENTION_DAYS", 1),
    ):
        config[name] = positive_int(name, config.get(name, DEFAULTS[name]), minimum=minimum)
    patterns = config.get("ACTION_URL_PATTERNS")
    if patterns not in (None, ""):
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ConfigError(
                "ACTION_URL_PATTERNS must be a JSON list of regular expressions, "
                'e.g. ["(^|/)logout", "unsubscribe"].'
            )
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    f"ACTION_URL_PATTERNS: {pattern!r} is not a regular expression ({exc})."
                ) from None
        config["ACTION_URL_PATTERNS"] = patterns
    else:
        config["ACTION_URL_PATTERNS"] = None


RENDER_MODES = ("auto", "always", "never")
ALERT_KINDS = ("lost", "nofollow", "at_risk", "drift", "error", "recovered")


def _optional_text(config: MutableMapping[str, Any], name: str) -> str | None:
    value = config.get(name)
    if value in (None, ""):
        config[name] = None
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be text, not {value!r}.")
    config[name] = value.strip()
    return config[name]


def normalise_monitor(config: MutableMapping[str, Any]) -> None:
    """Check the monitoring and alert settings in place; ConfigError if unusable."""
    config["MONITOR_SCHEDULE"] = flag("MONITOR_SCHEDULE", config.get("MONITOR_SCHEDULE", True))
    config["ALERT_DIGEST"] = flag("ALERT_DIGEST", config.get("ALERT_DIGEST", False))
    for name, minimum in (
        ("MONITOR_INTERVAL_HOURS", 1),
        ("MONITOR_CONFIRM_SECONDS", 0),
        ("RENDER_PAGES", 1),
        ("RENDER_TIMEOUT", 2),
        ("EVIDENCE_RETENTION_DAYS", 1),
        ("ALERT_MAX_ATTEMPTS", 1),
        ("ALERT_DIGEST_HOUR", 0),
    ):
        config[name] = positive_int(name, config.get(name, DEFAULTS[name]), minimum=minimum)
    if config["ALERT_DIGEST_HOUR"] > 23:
        raise ConfigError("ALERT_DIGEST_HOUR is an hour of the day in UTC, 0 to 23.")
    render = str(config.get("RENDER") or "auto").strip().lower()
    if render not in RENDER_MODES:
        raise ConfigError(f"RENDER must be one of {', '.join(RENDER_MODES)}, not {render!r}.")
    config["RENDER"] = render
    _optional_text(config, "CHROMIUM_PATH")
    _optional_text(config, "DASHBOARD_URL")
    webhook = _optional_text(config, "ALERT_WEBHOOK_URL")
    secret = _optional_text(config, "ALERT_WEBHOOK_SECRET")
    if webhook is not None:
        if not webhook.lower().startswith(("http://", "https://")):
            raise ConfigError("ALERT_WEBHOOK_URL must be an http(s) URL.")
        if not secret or len(secret) < 16:
            raise ConfigError(
                "ALERT_WEBHOOK_URL needs ALERT_WEBHOOK_SECRET, at least 16 characters, to sign "
                "each request (python3 -c 'import secrets; print(secrets.token_urlsafe(32))')."
            )
    value = config.get("ALERT_APPRISE_URLS")
    # Apprise URLs may hold commas (query lists): text is split on whitespace only.
    if isinstance(value, str):
        value = value.split()
    config["ALERT_APPRISE_URLS"] = text_list("ALERT_APPRISE_URLS", value)
    for url in config["ALERT_APPRISE_URLS"]:
        if "://" not in url:
            raise ConfigError(
                f"ALERT_APPRISE_URLS entries are Apprise URLs such as mailto://user:pass@host "
                f"or slack://tokens, not {url[:40]!r}."
            )
    kinds = text_list("ALERT_KINDS", config.get("ALERT_KINDS"))
    unknown = [k for k in kinds if k not in ALERT_KINDS]
    if unknown:
        raise ConfigError(f"ALERT_KINDS takes {', '.join(ALERT_KINDS)}; not {', '.join(unknown)}.")
    config["ALERT_KINDS"] = kinds


_Settings = TypeVar("_Settings")


def app_settings(
    app: Flask, name: str, make: Callable[[Mapping[str, Any]], _Settings]
) -> _Settings:
    """A capability's typed settings, made from the app's config on first use and kept with
    the app (`app.extensions["linkinspector.<name>"]`)."""
    key = f"linkinspector.{name}"
    if key not in app.extensions:
        app.extensions[key] = make(app.config)
    settings: _Settings = app.extensions[key]
    return settings
