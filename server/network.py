"""The client's address: the socket's, or the forwarded one when a trusted proxy says so."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

Networks = tuple[IPv4Network | IPv6Network, ...]


def _trusted(address: str, trusted: Networks) -> bool:
    try:
        parsed: IPv4Address | IPv6Address = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Networks) -> str | None:
    """Walk X-Forwarded-For from the right while each hop is a trusted proxy.

    Only the proxies we run may speak for the client; anything a client writes itself stays
    to the left of the first untrusted hop and is ignored.
    """
    if peer is None or not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    address = peer
    for hop in reversed(hops):
        try:
            ip_address(hop)
        except ValueError:
            return address
        address = hop
        if not _trusted(hop, trusted):
            return hop
    return address


def arrived_over_https(
    scheme: str, peer: str | None, forwarded_proto: str | None, trusted: Networks
) -> bool:
    """Directly over TLS, or so says a trusted proxy (X-Forwarded-Proto)."""
    if scheme == "https":
        return True
    if peer is None or not forwarded_proto or not _trusted(peer, trusted):
        return False
    return forwarded_proto.split(",")[0].strip().lower() == "https"
