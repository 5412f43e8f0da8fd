"""The fetcher against a real HTTP server on loopback; nothing here leaves the machine."""

from __future__ import annotations

import errno
import gzip
import http.server
import ipaddress
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import urllib3.util.connection

from server.analysis import analyze
from server.fetch import DEFAULT_USER_AGENT, FetchError, fetch_page
from server.fetch import addresses as fetch_addresses

LOOPBACK = frozenset({"127.0.0.1", "::1"})
BOMB_DECOMPRESSED = 64 * 1024 * 1024
PAGE = b'<!doctype html><title>Hello</title><a href="https://example.org/x">x</a>'


def _gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip stream
    zeros = bytes(1024 * 1024)
    parts = [compressor.compress(zeros) for _ in range(BOMB_DECOMPRESSED // len(zeros))]
    return b"".join(parts) + compressor.flush()


GZIP_BOMB = _gzip_bomb()


# --- the loopback site -------------------------------------------------------------------


@dataclass
class Site:
    port: int
    connections: int = 0
    requests: list[http.server.BaseHTTPRequestHandler] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)  # TLS SNI seen

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def paths(self) -> list[str]:
        return [request.path for request in self.requests]


def _send(
    handler: http.server.BaseHTTPRequestHandler,
    body: bytes,
    content_type: str | None = "text/html; charset=utf-8",
    status: int = 200,
    headers: tuple[tuple[str, str], ...] = (),
) -> None:
    handler.send_response(status)
    if content_type is not None:
        handler.send_header("Content-Type", content_type)
    for name, value in headers:
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _redirect(handler: http.server.BaseHTTPRequestHandler, location: str, status: int = 302):
    _send(handler, b"", None, status, (("Location", location),))


def _chain(handler: http.server.BaseHTTPRequestHandler) -> None:
    left = int(handler.path.rsplit("/", 1)[1])
    if left == 0:
        _send(handler, PAGE)
    else:
        _redirect(handler, f"/chain/{left - 1}", 301 if left % 2 else 307)


def _slow(handler: http.server.BaseHTTPRequestHandler) -> None:
    time.sleep(0.6)
    _send(handler, PAGE)


def _drip(handler: http.server.BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    for _ in range(100):  # one byte every 30 ms: never a read timeout, 3 s in all
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.03)


def _drip_headers(handler: http.server.BaseHTTPRequestHandler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
    for _ in range(100):  # a header one byte every 30 ms: the status line came, no body ever
        try:
            handler.wfile.write(b"x")
            handler.wfile.flush()
        except OSError:
            return
        time.sleep(0.03)


def _echo(handler: http.server.BaseHTTPRequestHandler) -> None:
    host = handler.headers.get("Host", "")
    agent = handler.headers.get("User-Agent", "")
    _send(handler, f"<p id=host>{host}</p><p id=agent>{agent}</p>".encode())


ROUTES: dict[str, Callable[[http.server.BaseHTTPRequestHandler], None]] = {
    "/page": lambda h: _send(h, PAGE),
    "/no-type": lambda h: _send(h, PAGE, None),
    "/xhtml": lambda h: _send(h, PAGE, "application/xhtml+xml"),
    "/png": lambda h: _send(h, b"\x89PNG\r\n\x1a\n", "image/png"),
    "/pdf": lambda h: _send(h, b"%PDF-1.4", "application/pdf"),
    "/missing": lambda h: _send(h, b"gone", status=404),
    "/broken": lambda h: _send(h, b"oops", status=500),
    "/moved": lambda h: _redirect(h, "/page"),
    "/to-metadata": lambda h: _redirect(h, "http://169.254.169.254/latest/meta-data/"),
    "/to-private": lambda h: _redirect(h, "http://10.0.0.1/admin"),
    "/to-file": lambda h: _redirect(h, "file:///etc/passwd"),
    "/to-smtp": lambda h: _redirect(h, "http://127.0.0.1:25/"),
    "/x-user-defined": lambda h: _send(h, b"<p>caf\xe9</p>", "text/html; charset=x-user-defined"),
    "/to-utf8": lambda h: _redirect(h, "/caf\xc3\xa9?q=\xc3\xa9#top"),  # UTF-8 bytes, raw
    "/caf%C3%A9?q=%C3%A9": lambda h: _send(h, PAGE),
    "/slow": _slow,
    "/drip": _drip,
    "/drip-headers": _drip_headers,
    "/echo": _echo,
    "/bomb": lambda h: _send(h, GZIP_BOMB, headers=(("Content-Encoding", "gzip"),)),
    "/gzip": lambda h: _send(h, gzip.compress(PAGE), headers=(("Content-Encoding", "gzip"),)),
    "/bytes/1000": lambda h: _send(h, b"a" * 1000),
    "/bytes/1001": lambda h: _send(h, b"a" * 1001),
    "/bytes/5mb+1": lambda h: _send(h, b"a" * (5 * 1024 * 1024 + 1)),
    "/cp1252-header": lambda h: _send(
        h, "<p>café €</p>".encode("cp1252"), "text/html; charset=windows-1252"
    ),
    "/cp1252-meta": lambda h: _send(
        h, '<meta charset="windows-1252"><p>café €</p>'.encode("cp1252"), "text/html"
    ),
    "/pragma-meta": lambda h: _send(
        h,
        '<!-- a > b <meta charset="utf-8"> --><meta http-equiv="Content-Type" '
        'content="text/html; charset=iso-8859-2"><p>\xb1</p>'.encode("latin-1"),
        "text/html",
    ),
    "/utf16-bom": lambda h: _send(
        h, "\ufeff<p>café ☃</p>".encode("utf-16-le"), "text/html; charset=utf-8"
    ),
    "/unlabeled": lambda h: _send(h, "<p>café</p>".encode(), "text/html"),
    "/header-beats-meta": lambda h: _send(
        h, '<meta charset="utf-8"><p>café</p>'.encode("cp1252"), "text/html; charset=latin1"
    ),
}


def _handler(site: Site) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            site.requests.append(self)
            route = ROUTES.get(self.path) or (_chain if self.path.startswith("/chain/") else None)
            try:
                if route is None:
                    _send(self, b"no such page", status=404)
                else:
                    route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the fetcher hung up, as it should past a limit

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, site: Site, address: tuple[str, int], tls: ssl.SSLContext | None) -> None:
        self.site = site
        self.tls = tls
        super().__init__(address, _handler(site))

    def verify_request(self, request: object, client_address: object) -> bool:
        self.site.connections += 1  # every accepted connection, even one that sends nothing
        return True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up mid-handshake or mid-body is what several tests do

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = super().get_request()
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address


@pytest.fixture()
def serve() -> Iterator[Callable[..., Site]]:
    servers: list[_Server] = []

    def start(family: int = socket.AF_INET, tls: ssl.SSLContext | None = None) -> Site:
        site = Site(port=0)
        server_class = type("Server", (_Server,), {"address_family": family})
        host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
        server = server_class(site, (host, 0), tls)
        site.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
        servers.append(server)
        return site

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def site(serve: Callable[..., Site]) -> Site:
    return serve()


# --- the network as the tests allow it ---------------------------------------------------


@pytest.fixture(autouse=True)
def connects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address the fetcher connects to; anything but loopback is refused unconnected."""
    seen: list[str] = []
    real = urllib3.util.connection.create_connection

    def create_connection(address: tuple[str, int], *args: object, **kwargs: object):
        host = address[0].strip("[]")
        seen.append(host)
        if host not in LOOPBACK:
            raise OSError(errno.ENETUNREACH, "tests never leave loopback")
        return real(address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    return seen


@pytest.fixture()
def resolver(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """Made-up host names: name -> successive answers (the last one repeats); records calls."""
    answers: dict[str, list[list[str]]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object):
        if host not in answers:
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        queue = answers[host]
        ips = queue.pop(0) if len(queue) > 1 else queue[0]
        answers.setdefault("__calls__", []).append([host])
        infos = []
        for ip in ips:
            family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            sockaddr = (ip, port, 0, 0) if family == socket.AF_INET6 else (ip, port)
            infos.append((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
        return infos

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def _lookups(resolver: dict[str, list[list[str]]]) -> int:
    return len(resolver.get("__calls__", []))


def _refused(url: str, code: str, **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch_page(url, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code, caught.value
    return caught.value


# --- what is fetched -----------------------------------------------------------------------


def test_a_loopback_page_fetches_when_private_addresses_are_allowed(site: Site) -> None:
    page = fetch_page(site.url("/page"), allow_private=True)
    assert (page.url, page.status, page.redirects) == (site.url("/page"), 200, ())
    assert page.html == PAGE.decode()
    assert page.charset == "utf-8"
    assert ("Content-Type", "text/html; charset=utf-8") in page.headers
    report = analyze(page.html, page.url, charset=page.charset, headers=page.headers)
    assert [link.href for link in report.links] == ["https://example.org/x"]


def test_the_user_agent_is_honest_and_the_host_header_names_the_host(
    site: Site, resolver: dict[str, list[list[str]]]
) -> None:
    resolver["blog.test"] = [["127.0.0.1"]]
    page = fetch_page(site.url("/echo", host="blog.test"), allow_private=True)
    assert f"<p id=host>blog.test:{site.port}</p>" in page.html
    assert f"<p id=agent>{DEFAULT_USER_AGENT}</p>" in page.html
    assert DEFAULT_USER_AGENT == "LinkInspector/0.1 (+self-hosted backlink checker)"
    custom = fetch_page(site.url("/echo"), allow_private=True, user_agent="Mine/1.0")
    assert "<p id=agent>Mine/1.0</p>" in custom.html


def test_an_ipv6_loopback_page_fetches_when_private_addresses_are_allowed(
    serve: Callable[..., Site],
) -> None:
    site = serve(socket.AF_INET6)
    page = fetch_page(f"http://[::1]:{site.port}/page", allow_private=True)
    assert page.html == PAGE.decode()


def test_redirects_are_followed_and_listed(site: Site) -> None:
    page = fetch_page(site.url("/chain/5"), allow_private=True)
    assert page.url == site.url("/chain/0")
    assert page.redirects == tuple(site.url(f"/chain/{n}") for n in (5, 4, 3, 2, 1))
    assert page.html == PAGE.decode()


def test_a_redirect_location_in_utf8_is_read_as_a_browser_reads_it(site: Site) -> None:
    page = fetch_page(site.url("/to-utf8"), allow_private=True)
    assert page.url == site.url("/caf%C3%A9?q=%C3%A9")
    assert page.redirects == (site.url("/to-utf8"),)


def test_a_sixth_redirect_is_refused(site: Site) -> None:
    error = _refused(site.url("/chain/6"), "too_many_redirects", allow_private=True)
    assert "5 redirects" in error.message
    assert site.paths == [f"/chain/{n}" for n in (6, 5, 4, 3, 2, 1)]
    _refused(site.url("/chain/2"), "too_many_redirects", allow_private=True, max_redirects=1)


def test_a_gzipped_page_is_decompressed(site: Site) -> None:
    assert fetch_page(site.url("/gzip"), allow_private=True).html == PAGE.decode()


@pytest.mark.parametrize("path", ["/no-type", "/xhtml"])
def test_a_missing_or_xhtml_content_type_counts_as_html(site: Site, path: str) -> None:
    assert fetch_page(site.url(path), allow_private=True).html == PAGE.decode()


@pytest.mark.parametrize("path", ["/png", "/pdf"])
def test_a_non_html_response_is_refused(site: Site, path: str) -> None:
    _refused(site.url(path), "not_html", allow_private=True)


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/broken", 500)])
def test_a_non_2xx_status_is_an_error_with_the_status(site: Site, path: str, status: int) -> None:
    assert _refused(site.url(path), "http_status", allow_private=True).status == status


def test_a_refused_connection_is_a_connect_error(site: Site) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    _refused(f"http://127.0.0.1:{port}/", "connect", allow_private=True)


def test_an_unknown_host_is_a_dns_error(resolver: dict[str, list[list[str]]]) -> None:
    _refused("http://no-such-host.invalid/", "dns")


# --- time and size -------------------------------------------------------------------------


def test_a_server_that_does_not_answer_in_time_is_a_timeout(site: Site) -> None:
    started = time.monotonic()
    _refused(site.url("/slow"), "timeout", allow_private=True, read_timeout=0.15)
    assert time.monotonic() - started < 0.5


def test_a_server_that_never_accepts_is_a_connect_timeout() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):  # fills the backlog
            started = time.monotonic()
            _refused(
                f"http://127.0.0.1:{port}/",
                "timeout",
                allow_private=True,
                connect_timeout=0.2,
                read_timeout=5,
            )
            assert time.monotonic() - started < 1.5


def test_a_page_that_trickles_in_hits_the_total_deadline(site: Site) -> None:
    started = time.monotonic()
    error = _refused(
        site.url("/drip"), "timeout", allow_private=True, connect_timeout=0.2, read_timeout=0.3
    )
    assert "time limit" in error.message
    assert time.monotonic() - started < 1.5  # the server would trickle for 3 s


def test_headers_that_trickle_in_hit_the_total_deadline_at_the_socket(site: Site) -> None:
    started = time.monotonic()
    error = _refused(
        site.url("/drip-headers"),
        "timeout",
        allow_private=True,
        connect_timeout=0.2,
        read_timeout=0.3,
    )
    assert "time limit" in error.message
    assert time.monotonic() - started < 1.5  # the server would trickle headers for 3 s


@pytest.mark.parametrize("port", [25, 6667, 22, 10080])
def test_ports_browsers_block_are_never_fetched(port: int) -> None:
    _refused(f"http://127.0.0.1:{port}/", "blocked_port", allow_private=True)


def test_a_redirect_to_a_blocked_port_is_refused(site: Site) -> None:
    _refused(site.url("/to-smtp"), "blocked_port", allow_private=True)


def test_a_page_in_x_user_defined_is_decoded_as_the_encoding_standard_says(site: Site) -> None:
    page = fetch_page(site.url("/x-user-defined"), allow_private=True)
    assert page.charset == "x-user-defined"
    assert "caf\uf7e9" in page.html


def test_the_body_cap_is_exact(site: Site) -> None:
    assert len(fetch_page(site.url("/bytes/1000"), allow_private=True, max_bytes=1000).html) == 1000
    _refused(site.url("/bytes/1001"), "too_large", allow_private=True, max_bytes=1000)


def test_the_default_body_cap_is_5_mb(site: Site) -> None:
    _refused(site.url("/bytes/5mb+1"), "too_large", allow_private=True)


def test_a_gzip_bomb_stops_at_the_cap_without_filling_memory(site: Site) -> None:
    assert len(GZIP_BOMB) < 5 * 1024 * 1024 < BOMB_DECOMPRESSED  # the cap counts what unpacks
    tracemalloc.start()
    try:
        _refused(site.url("/bomb"), "too_large", allow_private=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 24 * 1024 * 1024, peak


# --- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "charset", "text"),
    [
        ("/cp1252-header", "windows-1252", "<p>café €</p>"),
        ("/cp1252-meta", "windows-1252", '<meta charset="windows-1252"><p>café €</p>'),
        ("/utf16-bom", "utf-16le", "<p>café ☃</p>"),
        ("/unlabeled", "windows-1252", "<p>cafÃ©</p>"),
        ("/header-beats-meta", "windows-1252", '<meta charset="utf-8"><p>café</p>'),
    ],
)
def test_bytes_are_decoded_as_a_browser_decodes_them(
    site: Site, path: str, charset: str, text: str
) -> None:
    page = fetch_page(site.url(path), allow_private=True)
    assert (page.charset, page.html) == (charset, text)


def test_a_meta_charset_inside_a_comment_is_ignored(site: Site) -> None:
    page = fetch_page(site.url("/pragma-meta"), allow_private=True)
    assert page.charset == "iso-8859-2"
    assert page.html.endswith("<p>ą</p>")


# --- what is refused, without a single request reaching the loopback server ---------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "0.0.0.0",
        "[::]",
        "[::ffff:127.0.0.1]",
        "[::127.0.0.1]",  # IPv4-compatible IPv6
        "[2002:7f00:1::]",  # 6to4 around 127.0.0.1
        "[64:ff9b::7f00:1]",  # NAT64 around 127.0.0.1
        "2130706433",
        "0x7f000001",
        "0x7f.1",
        "0177.0.0.1",
        "127.1",
    ],
)
def test_a_loopback_address_in_any_spelling_is_refused_before_any_request(
    site: Site, connects: list[str], host: str
) -> None:
    _refused(site.url("/page", host=host), "blocked_address")
    assert (site.connections, connects) == (0, [])


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fec0::1]/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "http://[ff0e::1]/",
        "http://240.0.0.1/",
        "http://255.255.255.255/",
        "http://[2001:db8::1]/",
        "https://192.0.0.8/",
    ],
)
def test_a_private_or_special_address_is_refused_before_connecting(
    connects: list[str], url: str
) -> None:
    _refused(url, "blocked_address")
    assert connects == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/", "gopher://example.org/", "javascript:1"]
)
def test_a_non_http_scheme_is_refused(connects: list[str], url: str) -> None:
    _refused(url, "bad_scheme", allow_private=True)
    assert connects == []


@pytest.mark.parametrize("url", ["", "not a url", "http://", "http://exa mple.org/"])
def test_a_malformed_url_is_refused(url: str) -> None:
    _refused(url, "bad_url")


def test_public_addresses_pass_the_check() -> None:
    for text in ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]:
        assert fetch_addresses.is_public(ipaddress.ip_address(text)), text


# --- redirects and DNS are checked hop by hop, lookup by lookup ----------------------------


@pytest.fixture()
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let 127.0.0.1 pass the check, standing in for a public server that redirects."""
    real = fetch_addresses.is_public
    monkeypatch.setattr(
        fetch_addresses,
        "is_public",
        lambda address: address == ipaddress.ip_address("127.0.0.1") or real(address),
    )


@pytest.mark.parametrize(
    ("path", "code"),
    [("/to-metadata", "blocked_address"), ("/to-private", "blocked_address")],
)
def test_a_redirect_to_a_blocked_address_is_refused(
    site: Site, connects: list[str], loopback_is_public: None, path: str, code: str
) -> None:
    _refused(site.url(path), code)
    assert site.paths == [path]
    assert connects == ["127.0.0.1"]  # the first hop only


def test_a_redirect_to_loopback_by_another_spelling_is_refused(
    site: Site, serve: Callable[..., Site], loopback_is_public: None, connects: list[str]
) -> None:
    inner = serve(socket.AF_INET6)
    ROUTES["/to-inner"] = lambda h: _redirect(h, f"http://[::1]:{inner.port}/page")
    try:
        _refused(site.url("/to-inner"), "blocked_address")
    finally:
        del ROUTES["/to-inner"]
    assert inner.connections == 0
    assert connects == ["127.0.0.1"]


def test_a_redirect_to_a_file_url_is_refused(site: Site) -> None:
    _refused(site.url("/to-file"), "bad_scheme", allow_private=True)


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(
    site: Site, connects: list[str], resolver: dict[str, list[list[str]]]
) -> None:
    # A rebinding name: the first answer is the one that was checked; later ones differ.
    resolver["rebind.test"] = [["127.0.0.1"], ["10.0.0.1"]]
    page = fetch_page(site.url("/echo", host="rebind.test"), allow_private=True)
    assert f"<p id=host>rebind.test:{site.port}</p>" in page.html
    assert connects == ["127.0.0.1"]
    assert _lookups(resolver) == 1


def test_a_public_answer_is_what_gets_connected_even_if_the_name_rebinds_to_loopback(
    site: Site, connects: list[str], resolver: dict[str, list[list[str]]]
) -> None:
    resolver["rebind.test"] = [["93.184.215.14"], ["127.0.0.1"]]
    _refused(site.url("/page", host="rebind.test"), "connect")  # the test net has no internet
    assert connects == ["93.184.215.14"]
    assert site.connections == 0
    assert _lookups(resolver) == 1


@pytest.mark.parametrize("answer", [["93.184.215.14", "127.0.0.1"], ["2606:4700::1111", "fd00::1"]])
def test_a_name_with_any_private_address_is_refused(
    site: Site, connects: list[str], resolver: dict[str, list[list[str]]], answer: list[str]
) -> None:
    resolver["mixed.test"] = [answer]
    _refused(site.url("/page", host="mixed.test"), "blocked_address")
    assert (connects, site.connections) == ([], 0)


def test_a_host_with_several_addresses_falls_back_to_the_next(
    site: Site, connects: list[str], resolver: dict[str, list[list[str]]]
) -> None:
    resolver["twice.test"] = [["10.0.0.1", "127.0.0.1"]]
    page = fetch_page(site.url("/page", host="twice.test"), allow_private=True)
    assert page.html == PAGE.decode()
    assert connects == ["10.0.0.1", "127.0.0.1"]


# --- TLS: SNI and certificate checks use the real host name, not the checked IP ------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    curve = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl("req", "-x509", *curve, "-subj", "/CN=test-ca", "-days", "2", "-keyout", "ca.key",
            "-out", "ca.pem")  # fmt: skip
    for name in ("secure.test", "other.test"):
        openssl("req", *curve, "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", "l.csr")
        (folder / "ext").write_text(f"subjectAltName=DNS:{name}\nbasicConstraints=CA:FALSE\n")
        openssl(
            "x509", "-req", "-in", "l.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "ext", "-out", f"{name}.pem",
        )  # fmt: skip
    return folder


def _tls_site(serve: Callable[..., Site], certificates: Path, name: str) -> Site:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / f"{name}.pem", certificates / f"{name}.key")
    site = serve(tls=context)
    context.sni_callback = lambda _sock, server_name, _ctx: site.server_names.append(server_name)
    return site


def test_https_sends_sni_and_verifies_the_certificate_for_the_host_name(
    serve: Callable[..., Site],
    certificates: Path,
    resolver: dict[str, list[list[str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    site = _tls_site(serve, certificates, "secure.test")
    resolver["secure.test"] = [["127.0.0.1"]]
    page = fetch_page(f"https://secure.test:{site.port}/page", allow_private=True)
    assert page.html == PAGE.decode()
    assert site.server_names == ["secure.test"]


def test_https_refuses_a_certificate_for_another_host(
    serve: Callable[..., Site],
    certificates: Path,
    resolver: dict[str, list[list[str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    site = _tls_site(serve, certificates, "other.test")
    resolver["secure.test"] = [["127.0.0.1"]]
    _refused(f"https://secure.test:{site.port}/page", "connect", allow_private=True)
    assert site.requests == []


def test_https_refuses_a_certificate_from_an_unknown_authority(
    serve: Callable[..., Site], certificates: Path, resolver: dict[str, list[list[str]]]
) -> None:
    site = _tls_site(serve, certificates, "secure.test")
    resolver["secure.test"] = [["127.0.0.1"]]
    _refused(f"https://secure.test:{site.port}/page", "connect", allow_private=True)
    assert site.requests == []


def test_a_silent_dns_server_cannot_hold_a_fetch_past_its_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The C resolver has no deadline: stand in for a DNS server that never answers.
    release = threading.Event()

    def silent(*args: object, **kwargs: object) -> list[object]:
        release.wait(10)
        raise socket.gaierror("no answer")

    monkeypatch.setattr(socket, "getaddrinfo", silent)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError) as caught:
            fetch_page("http://slow-dns.example/", connect_timeout=0.3, read_timeout=0.3)
    finally:
        release.set()
    assert caught.value.code == "timeout"
    assert time.monotonic() - started < 3
