"""Cryptocurrency address formats: the shapes wallets are written in and the checksums they carry.

Ethereum (EIP-55 mixed case over Keccak-256), Bech32/Bech32m (BIP 173/350) and Monero's block-wise
Base58. Pure checks, kept apart from reading (accounts.py) because display (shown.py) writes the
EIP-55 form back and untyped input (user_input.py) recognises wallets by these shapes.
"""

from __future__ import annotations

import re

import bech32
from Crypto.Hash import keccak

_ETH = re.compile(r"0[xX][0-9a-fA-F]{40}")
_BECH32 = re.compile(r"[a-z]{1,20}1[02-9ac-hj-np-z]{6,}")
_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
_BECH32M = 0x2BC830A3


def _keccak256(data: bytes) -> bytes:
    """Keccak-256 with the original padding, as Ethereum and Monero checksums use it (not SHA3-256)."""
    return keccak.new(digest_bits=256, data=data).digest()


def _eip55(digits: str) -> str:
    digest = _keccak256(digits.encode()).hex()[:40]
    return "".join(ch.upper() if int(h, 16) >= 8 else ch for ch, h in zip(digits, digest, strict=True))


def _valid_bech32(address: str) -> bool:
    """Bech32 (BIP 173) or Bech32m (BIP 350) checksum over the human-readable part and data."""
    hrp, _, data = address.rpartition("1")
    values = [bech32.CHARSET.find(ch) for ch in data]
    return bech32.bech32_polymod(bech32.bech32_hrp_expand(hrp) + values) in (1, _BECH32M)


def _valid_monero(address: str) -> bool:
    """Block-wise Base58 (11 characters -> 8 bytes) with a Keccak checksum over the first 65 bytes."""
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
            return False
        decoded += number.to_bytes(size, "big")
    return len(decoded) == 69 and _keccak256(bytes(decoded[:65]))[:4] == decoded[65:]
