"""How a stored (kind, key) is shown: `Posting.shown` is always `display(kind, key)`.

The store keeps only kind and key, so nothing an analyst sees may depend on more. Addresses are
keyed in hex and shown in their usual notation, domains keyed by their A-label and shown in Unicode
(so IDNA decoding lives here), Ethereum addresses shown with their EIP-55 checksum, IBANs in groups
of four.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import idna

from liaison.stix.values.chains import _ETH, eip55


def _to_unicode(key: str) -> str:
    return ".".join(_label_to_unicode(label) if label.startswith("xn--") else label for label in key.split("."))


def _label_to_unicode(label: str) -> str:
    try:
        return idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        pass
    try:
        return label.encode("ascii").decode("idna")
    except UnicodeError:
        return label


def display(kind: str, key: str) -> str:
    """`shown` rebuilt from a stored (kind, key); the key itself when it cannot be read."""
    try:
        return _DISPLAY.get(kind, str)(key)
    except (ValueError, UnicodeError):
        return key


def _display_network(key: str) -> str:
    network, _, prefix = key.partition("/")
    return f"{ipaddress.ip_address(int(network, 16)) if len(network) == 8 else _v6(network)}/{int(prefix)}"


def _v6(hex_key: str) -> str:
    return ipaddress.IPv6Address(int(hex_key, 16)).compressed


def _display_email(key: str) -> str:
    local, _, domain = key.rpartition("@")
    return f"{local}@{_to_unicode(domain)}"


def _display_wallet(key: str) -> str:
    return "0x" + eip55(key[2:]) if _ETH.fullmatch(key) else key


_DISPLAY: dict[str, Callable[[str], str]] = {
    "ipv4": lambda key: str(ipaddress.IPv4Address(int(key, 16))),
    "ipv6": _v6,
    "ipv4-net": _display_network,
    "ipv6-net": _display_network,
    "domain-name": _to_unicode,
    "email-addr": _display_email,
    "iban": lambda key: " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
    "wallet": _display_wallet,
}
