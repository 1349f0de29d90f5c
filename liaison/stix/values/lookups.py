"""What a posting is looked up by: the networks containing an address, the addresses inside a network.

Addresses are keyed in fixed-width lower-case hex (networks as 'hex/prefix'), so string order is
numeric order and CIDR containment is a range scan. A single address correlates with the networks
containing it down to /8 (IPv4) and /12 (IPv6), the largest blocks IANA hands to a registry: broader
"networks" ('0.0.0.0/0') are match-anything clauses, not intelligence, and would tie every address
together. They still correlate exactly.
"""

from __future__ import annotations

from liaison.stix.values.posting import Posting

#: Broadest network a single address is looked up in (and that lists the addresses inside it).
MIN_PREFIX = {"ipv4-net": 8, "ipv6-net": 12}


def lookup_keys(p: Posting) -> list[tuple[str, str]]:
    """(kind, key) pairs that correlate with `p`: itself and, for a single address, the networks down
    to MIN_PREFIX that contain it, most specific first."""
    keys = [(p.kind, p.key)]
    if p.kind in ("ipv4", "ipv6"):
        bits = 32 if p.kind == "ipv4" else 128
        net_kind = p.kind + "-net"
        address = int(p.key, 16)
        for prefix in range(bits - 1, MIN_PREFIX[net_kind] - 1, -1):
            keys.append((net_kind, _net_key(net_kind, address & ~((1 << (bits - prefix)) - 1), prefix)))
    return keys


def ranges(p: Posting) -> list[tuple[str, str, str]]:
    """For a network no broader than MIN_PREFIX: (address kind, lowest key, highest key) of the single
    addresses inside it, inclusive; empty for anything else (lookup_keys and ranges agree)."""
    if p.kind not in MIN_PREFIX:
        return []
    network, _, prefix_text = p.key.partition("/")
    prefix, width = int(prefix_text), len(network)
    if prefix < MIN_PREFIX[p.kind]:
        return []
    low = int(network, 16)
    high = low | ((1 << (width * 4 - prefix)) - 1)
    return [(p.kind[:4], f"{low:0{width}x}", f"{high:0{width}x}")]


def _net_key(kind: str, network: int, prefix: int) -> str:
    return f"{network:08x}/{prefix:02d}" if kind == "ipv4-net" else f"{network:032x}/{prefix:03d}"
