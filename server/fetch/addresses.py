"""Which URLs the fetcher may request: http(s) only, to public addresses only."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import ada_url

from server.fetch.model import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_DEFAULT_PORTS = {"http:": 80, "https:": 443}
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


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
        if address.teredo is not None or address.is_site_local:
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


def resolve(target: Target) -> tuple[IPAddress, ...]:
    """The addresses `target`'s host resolves to (an IP literal resolves to itself)."""
    if target.literal is not None:
        return (target.literal,)
    try:
        infos = socket.getaddrinfo(
            target.hostname, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
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


def allowed_addresses(target: Target, *, allow_private: bool) -> tuple[IPAddress, ...]:
    """Resolve `target` once and return the addresses to connect to; refuse the host if
    ANY of them is not public (a name that also points inside is an attack, not a mirror)."""
    addresses = resolve(target)
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                where = "" if target.literal is not None else f"{target.hostname} resolves to "
                raise FetchError(
                    "blocked_address", f"{where}{address} is not a public address; not fetched"
                )
    return addresses
