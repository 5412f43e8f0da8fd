"""The HTTP exchange: connect to the checked address, follow redirects by hand, cap the body.

Time: each connect waits at most `connect_timeout` and each read `read_timeout`, and the
whole fetch (every hop, DNS excepted) ends by one `Deadline` (`deadline.py`), enforced at the
socket level: every connection's socket is shut down when it passes, so a server that sends
its status line or headers a byte at a time cannot stretch a fetch past it. Any other request
made with urllib3 (a HEAD check) gets the same bound with `guard_pool(pool, deadline)`.
"""

from __future__ import annotations

import http.client

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
)

from server.fetch.addresses import IPAddress, Target, allowed_addresses, parse_target
from server.fetch.deadline import Deadline, guard_pool
from server.fetch.encoding import decode_html, require_html
from server.fetch.model import FetchedPage, FetchedText, FetchError

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
_ACCEPT_TEXT = "text/plain,*/*;q=0.5"


def _location(value: str) -> str:
    # http.client reads header bytes as Latin-1; a browser reads a Location's bytes as UTF-8.
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _pool(target: Target, address: IPAddress, deadline: Deadline) -> urllib3.HTTPConnectionPool:
    pool = _plain_pool(target, address)
    guard_pool(pool, deadline)
    return pool


def _plain_pool(target: Target, address: IPAddress) -> urllib3.HTTPConnectionPool:
    # The pool's host is the checked IP, so urllib3 never resolves the name again;
    # TLS still sends SNI for, and verifies the certificate against, the real host name.
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            str(address),
            target.port,
            maxsize=1,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            server_hostname=target.hostname,
            assert_hostname=target.hostname,
        )
    return urllib3.HTTPConnectionPool(str(address), target.port, maxsize=1, retries=False)


def _failure(exc: Exception, target: Target, deadline: Deadline) -> FetchError:
    if isinstance(exc, FetchError):
        return exc
    if deadline.expired:  # the deadline shut the socket down: whatever broke, that is why
        return deadline.error()
    if isinstance(exc, ConnectTimeoutError) and not isinstance(exc, NewConnectionError):
        return FetchError("timeout", f"connecting to {target.host_header} timed out")
    if isinstance(exc, ReadTimeoutError | TimeoutError):
        return FetchError("timeout", f"{target.host_header} did not answer in time")
    if isinstance(exc, DecodeError):
        return FetchError("connect", f"{target.host_header} sent a body that does not decompress")
    return FetchError("connect", f"cannot fetch from {target.host_header}: {exc}")


def _request(
    target: Target,
    addresses: tuple[IPAddress, ...],
    headers: dict[str, str],
    connect_timeout: float,
    read_timeout: float,
    deadline: Deadline,
) -> tuple[urllib3.HTTPConnectionPool, urllib3.BaseHTTPResponse]:
    """Send the GET to the first address that accepts a connection."""
    failure: Exception | None = None
    for address in addresses:
        left = deadline.left()
        timeout = urllib3.Timeout(connect=min(connect_timeout, left), read=min(read_timeout, left))
        pool = _pool(target, address, deadline)
        try:
            response = pool.urlopen(
                "GET",
                target.request_target,
                headers=headers,
                retries=False,
                redirect=False,
                assert_same_host=False,
                timeout=timeout,
                preload_content=False,
                decode_content=True,
            )
        except (NewConnectionError, ConnectTimeoutError) as exc:
            pool.close()
            failure = exc  # try the host's next address
            continue
        except BaseException:
            pool.close()
            raise
        return pool, response
    assert failure is not None
    raise failure


def _read_capped(
    response: urllib3.BaseHTTPResponse, max_bytes: int, deadline: Deadline, truncate: bool = False
) -> bytes:
    # Counted after decompression, one bounded chunk at a time: a gzip bomb stops at the cap.
    body = bytearray()
    while True:
        deadline.left()
        chunk = response.read1(_CHUNK, decode_content=True)  # whatever has arrived
        if not chunk:
            if deadline.expired:  # the end of the body was the deadline shutting the socket
                raise deadline.error()
            return bytes(body)
        body += chunk
        if truncate and len(body) >= max_bytes:
            return bytes(body[:max_bytes])  # the rest is never read
        if len(body) > max_bytes:
            raise FetchError("too_large", f"the page is larger than {max_bytes} bytes")


def fetch(
    url: str,
    *,
    allow_private: bool,
    connect_timeout: float,
    read_timeout: float,
    max_bytes: int,
    max_redirects: int,
    user_agent: str,
    text_file: bool = False,
) -> FetchedPage | FetchedText:
    """GET `url`, re-checking scheme and address on every redirect hop. `text_file`: any
    media type, the body's first `max_bytes` kept as bytes (robots.txt), not an HTML page."""
    deadline = Deadline(connect_timeout + read_timeout)
    try:
        return _fetch(
            url,
            deadline,
            allow_private,
            connect_timeout,
            read_timeout,
            max_bytes,
            max_redirects,
            user_agent,
            text_file,
        )
    finally:
        deadline.close()


def _fetch(
    url: str,
    deadline: Deadline,
    allow_private: bool,
    connect_timeout: float,
    read_timeout: float,
    max_bytes: int,
    max_redirects: int,
    user_agent: str,
    text_file: bool,
) -> FetchedPage | FetchedText:
    headers = {
        "User-Agent": user_agent,
        "Accept": _ACCEPT_TEXT if text_file else _ACCEPT,
        **urllib3.make_headers(accept_encoding=True),
        "Connection": "close",
    }
    visited: list[str] = []
    target = parse_target(url)
    while True:
        addresses = allowed_addresses(target, allow_private=allow_private, timeout=deadline.left())
        pool: urllib3.HTTPConnectionPool | None = None
        response: urllib3.BaseHTTPResponse | None = None
        try:
            pool, response = _request(
                target,
                addresses,
                {**headers, "Host": target.host_header},
                connect_timeout,
                read_timeout,
                deadline,
            )
            location = response.headers.get("Location")
            if response.status in REDIRECT_STATUSES and location:
                if len(visited) >= max_redirects:
                    raise FetchError(
                        "too_many_redirects", f"more than {max_redirects} redirects from {url}"
                    )
                visited.append(target.url)
                target = parse_target(_location(location), base=target.url)
                continue
            if not 200 <= response.status < 300:
                raise FetchError(
                    "http_status",
                    f"{target.url} answered HTTP {response.status}",
                    status=response.status,
                )
            content_type = response.headers.get("Content-Type")
            if text_file:
                body = _read_capped(response, max_bytes, deadline, truncate=True)
                return FetchedText(
                    url=target.url,
                    status=response.status,
                    headers=tuple(response.headers.items()),
                    body=body,
                    redirects=tuple(visited),
                )
            require_html(content_type)
            body = _read_capped(response, max_bytes, deadline)
            html, charset = decode_html(body, content_type)
            return FetchedPage(
                url=target.url,
                status=response.status,
                headers=tuple(response.headers.items()),
                html=html,
                charset=charset,
                redirects=tuple(visited),
            )
        except (HTTPError, http.client.HTTPException, OSError) as exc:
            raise _failure(exc, target, deadline) from exc
        finally:
            if response is not None:
                response.close()
            if pool is not None:
                pool.close()
