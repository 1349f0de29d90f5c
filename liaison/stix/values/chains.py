"""Cryptocurrency address formats: the shapes wallets are written in and the checksums they carry.

Ethereum (EIP-55 mixed case over Keccak-256), Bech32/Bech32m (BIP 173/350) and Monero's block-wise
Base58. Pure checks, kept apart from reading (accounts.py) because display (shown.py) writes the
EIP-55 form back, untyped input (user_input.py) recognises wallets by these shapes, and the text
extractor (ingest/extract/observables.py) checks the wallets it finds with them.
"""

from __future__ import annotations

import re

import bech32
from Crypto.Hash import keccak

_ETH = re.compile(r"0[xX][0-9a-fA-F]{40}")
_BECH32 = re.compile(r"[a-z]{1,20}1[02-9ac-hj-np-z]{6,}")
_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
#: The Bech32m checksum constant (BIP 350).
BECH32M = 0x2BC830A3


def keccak256(data: bytes) -> bytes:
    """Keccak-256 with the original padding, as Ethereum and Monero checksums use it (not SHA3-256)."""
    return keccak.new(digest_bits=256, data=data).digest()


def eip55(digits: str) -> str:
    """The EIP-55 mixed-case form of 40 lower-case hex digits."""
    digest = keccak256(digits.encode()).hex()[:40]
    return "".join(ch.upper() if int(h, 16) >= 8 else ch for ch, h in zip(digits, digest, strict=True))


def _valid_bech32(address: str) -> bool:
    """Bech32 (BIP 173) or Bech32m (BIP 350) checksum over the human-readable part and data."""
    hrp, _, data = address.rpartition("1")
    values = [bech32.CHARSET.find(ch) for ch in data]
    return bech32.bech32_polymod(bech32.bech32_hrp_expand(hrp) + values) in (1, BECH32M)


def monero_network(address: str) -> int | None:
    """The network byte of a standard Monero address: block-wise Base58 (11 characters -> 8 bytes)
    with a Keccak checksum over the first 65 bytes; None when it is not one."""
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    sizes = {11: 8, 7: 5}
    decoded = bytearray()
    for i in range(0, len(address), 11):
        block = address[i : i + 11]
        number = 0
        for ch in block:
            number = number * 58 + alphabet.index(ch)
        size = sizes.get(len(block))
        if size is None or number >= 1 << (8 * size):
            return None
        decoded += number.to_bytes(size, "big")
    if len(decoded) != 69 or keccak256(bytes(decoded[:65]))[:4] != decoded[65:]:
        return None
    return decoded[0]
