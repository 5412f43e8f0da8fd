"""Which URLs the fetcher may request: http(s) only, to public addresses only."""

from __future__ import annotations

import ipaddress
import queue
import socket
import threading
from dataclasses import dataclass
from typing import Any

import ada_url

from server.fetch.model import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_DEFAULT_PORTS = {"http:": 80, "https:": 443}
# Ports browsers refuse to fetch (the Fetch standard's "bad port" list): mail, IRC, SSH...
# A page on them is not a web page, and requests there can abuse the service behind them.
# https://fetch.spec.whatwg.org/#port-blocking
BLOCKED_PORTS = frozenset(
    {1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95}
    | {101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161}
    | {179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563}
    | {587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060}
    | {5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080}
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Special-purpose blocks refused whatever this Python's `ipaddress` tables say (they changed
# between patch releases): IETF assignments, benchmarking, class E, local NAT64, Teredo and
# ORCHID, documentation, SRv6, ULA, link- and site-local.
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "198.18.0.0/15",
        "240.0.0.0/4",
        "64:ff9b:1::/48",
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
    )
)


@dataclass(frozen=True, slots=True)
class Target:
    """One request to make: where to connect, and what to send."""

    url: str  # the absolute URL, as a browser serialises it (without fragment)
    scheme: str  # 'http' | 'https'
    hostname: str  # host without brackets or port: for TLS SNI and certificate checks
    port: int
    host_header: str  # host[:port] as the Host header carries it
    request_target: str  # path and query
    literal: IPAddress | None  # the host when the URL names an IP address


def parse_target(url: str, base: str | None = None) -> Target:
    """Parse `url` (against `base`) as a browser does; raises FetchError for non-http(s)."""
    try:
        parsed = ada_url.URL(url, base=base) if base is not None else ada_url.URL(url)
    except ValueError as exc:
        raise FetchError("bad_url", f"not a valid URL: {url!r}") from exc
    if parsed.protocol not in _DEFAULT_PORTS:
        raise FetchError("bad_scheme", f"only http and https URLs are fetched, not {url!r}")
    hostname = str(parsed.hostname)
    if not hostname:
        raise FetchError("bad_url", f"the URL has no host: {url!r}")
    bare = hostname[1:-1] if hostname.startswith("[") else hostname
    literal: IPAddress | None
    try:
        # ada has already turned 2130706433, 0x7f.1 and 127.1 into dotted IPv4.
        literal = ipaddress.ip_address(bare)
    except ValueError:
        literal = None
    port = int(parsed.port) if parsed.port else _DEFAULT_PORTS[parsed.protocol]
    if port in BLOCKED_PORTS:
        raise FetchError("blocked_port", f"port {port} is one browsers refuse to fetch from")
    href = str(parsed.href)
    fragment_at = href.find("#")
    return Target(
        url=href if fragment_at == -1 else href[:fragment_at],
        scheme=parsed.protocol[:-1],
        hostname=bare,
        port=port,
        host_header=str(parsed.host),
        request_target=(str(parsed.pathname) or "/") + str(parsed.search),
        literal=literal,
    )


def is_public(address: IPAddress) -> bool:
    """True for an address on the public internet: never loopback, private, link-local,
    multicast, reserved, unspecified, shared (100.64/10), ULA or site-local."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv6 form that carries an IPv4 address reaches that IPv4 address.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    if any(address in block for block in _NOT_PUBLIC):
        return False
    # is_global alone lets multicast (224/4, ff00::/8) and IPv4-compatible ::a.b.c.d through.
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_unspecified
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_private
    )


def _lookup(target: Target, timeout: float | None) -> list[Any]:
    """getaddrinfo, given up after `timeout` seconds: the C resolver has no deadline of its own
    (a silent DNS server holds it for its retries), so it runs in a thread left to finish."""

    def lookup() -> list[Any]:
        return socket.getaddrinfo(
            target.hostname, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )

    if timeout is None:
        return lookup()
    answer: queue.SimpleQueue[tuple[list[Any] | None, BaseException | None]] = queue.SimpleQueue()

    def run() -> None:
        try:
            answer.put((lookup(), None))
        except BaseException as exc:  # handed to the caller
            answer.put((None, exc))

    threading.Thread(target=run, name="dns", daemon=True).start()
    try:
        infos, error = answer.get(timeout=max(0.0, timeout))
    except queue.Empty:
        raise FetchError("timeout", f"resolving {target.hostname} took too long") from None
    if error is not None:
        raise error
    assert infos is not None
    return infos


def resolve(target: Target, timeout: float | None = None) -> tuple[IPAddress, ...]:
    """The addresses `target`'s host resolves to (an IP literal resolves to itself), within
    `timeout` seconds when given."""
    if target.literal is not None:
        return (target.literal,)
    try:
        infos = _lookup(target, timeout)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", f"cannot resolve {target.hostname}: {exc}") from exc
    addresses: list[IPAddress] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError("dns", f"{target.hostname} has no IPv4 or IPv6 address")
    return tuple(addresses)


def allowed_addresses(
    target: Target, *, allow_private: bool, timeout: float | None = None
) -> tuple[IPAddress, ...]:
    """Resolve `target` once (within `timeout` seconds) and return the addresses to connect
    to; refuse the host if ANY of them is not public (a name that also points inside is an
    attack, not a mirror)."""
    addresses = resolve(target, timeout)
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                where = "" if target.literal is not None else f"{target.hostname} resolves to "
                raise FetchError(
                    "blocked_address", f"{where}{address} is not a public address; not fetched"
                )
    return addresses
