"""Network and hardware addresses: IPv4, IPv6, CIDR networks and MAC addresses.

An address is keyed in fixed-width lower-case hex of its integer, a network as 'hex/prefix' with its
host bits cleared, so that string order is numeric order (see lookups.py). IPv4-mapped IPv6 reads
as IPv4, zero-padded dotted quads are decimal (never octal), a /32 or /128 is a single address.
"""

from __future__ import annotations

import ipaddress
import re

from liaison.stix.values.posting import Posting, _Invalid, _posting, _trimmed

_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_PADDED_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2}|/\d{1,3}(?:\.\d{1,3}){3})?")
_OCTET = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
#: An IPv4 address as it is almost always written: four octets, no leading zeros, no prefix.
_PLAIN_IPV4 = re.compile(r"\.".join([_OCTET] * 4))


def _address(value: object, version: int | None, how: list[str]) -> Posting:
    """An IPv4 or IPv6 address or CIDR network (`version` None: either)."""
    text = _trimmed(value, how)
    if version != 6 and (plain := _PLAIN_IPV4.fullmatch(text)):
        return _plain_ipv4(plain, how)
    if version == 6 or (version is None and ":" in text):
        return _ipv6(text, how)
    if version == 4 or _PADDED_IPV4.fullmatch(text):
        return _ipv4(text, how)
    raise _Invalid("not an IP address")


def _plain_ipv4(match: re.Match, how: list[str]) -> Posting:
    """What _ipv4 makes of an address already in canonical form (shown as written), without the
    ipaddress module's parsing: the most common value of all, and most of an import's time spent
    on values."""
    a, b, c, d = map(int, match.groups())
    return _posting("ipv4", f"{a << 24 | b << 16 | c << 8 | d:08x}", how, shown=match.string)


def _ipv4(text: str, how: list[str]) -> Posting:
    if _PADDED_IPV4.fullmatch(text):
        unpadded = re.sub(r"(?<![\d])0+(?=\d)", "", text)
        if unpadded != text:
            how.append("leading zeros removed")  # zero-padded decimal, as feeds print it; never octal
            text = unpadded
    try:
        network = ipaddress.IPv4Network(text, strict=False)
    except ValueError as e:
        raise _Invalid(f"not an IPv4 address or network ({e})") from None
    return _network_posting(network, text, how)


def _ipv6(text: str, how: list[str]) -> Posting:
    if "%" in text:
        address, _, rest = text.partition("%")
        text = address + ("/" + rest.split("/", 1)[1] if "/" in rest else "")
        how.append("zone removed")
    try:
        network = ipaddress.IPv6Network(text, strict=False)
    except ValueError as e:
        raise _Invalid(f"not an IPv6 address or network ({e})") from None
    if network.prefixlen >= 96 and network.subnet_of(_MAPPED):
        how.append("IPv4-mapped IPv6 read as IPv4")
        mapped = ipaddress.IPv4Network((int(network.network_address) & 0xFFFFFFFF, network.prefixlen - 96))
        return _network_posting(mapped, None, how)
    return _network_posting(network, text, how)


def _network_posting(network: ipaddress.IPv4Network | ipaddress.IPv6Network, text: str | None, how: list[str]):
    """A single address for a full-length prefix, else the network with its host bits cleared."""
    v4, full = network.version == 4, network.max_prefixlen
    if text is not None:
        _explain_address(text, how)
    if network.prefixlen == full:
        if text is not None and "/" in text:
            how.append(f"a /{full} is a single address")
        return _posting("ipv4" if v4 else "ipv6", f"{int(network.network_address):0{full // 4}x}", how)
    key = f"{int(network.network_address):0{full // 4}x}/{network.prefixlen:0{2 if v4 else 3}d}"
    return _posting("ipv4-net" if v4 else "ipv6-net", key, how)


def _explain_address(text: str, how: list[str]) -> None:
    """Say what differs between how an address or network was written and its canonical form."""
    address, _, prefix = text.partition("/")
    if address != str(ipaddress.ip_address(address)):
        how.append("compressed" if ":" in address else "canonical form")
    if prefix and not prefix.isdigit():
        how.append("netmask as prefix length")
    try:
        ipaddress.ip_network(text)
    except ValueError:
        how.append("host bits cleared")


_MAC = re.compile(r"[0-9a-f]{2}([:-]?)(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}")


def _mac(value: object, how: list[str]) -> Posting:
    text = _trimmed(value, how)
    if not _MAC.fullmatch(text.lower()):
        raise _Invalid("not a MAC address")
    digits = re.sub(r"[:.-]", "", text.lower())
    key = ":".join(digits[i : i + 2] for i in range(0, 12, 2))
    if key != text:
        how.append("lower-case, colon-separated")
    return _posting("mac-addr", key, how)
