"""Values a user typed: read as the type they named (`normalise(value, type_)`) or recognised by shape.

A typed value that does not read raises InvalidInput with the reason; an untyped one gets the first
reading whose shape it has and whose checks it passes, and nothing otherwise. Both are refanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from liaison.errors import InvalidInput
from liaison.stix.values.accounts import _iban, _phone, _wallet
from liaison.stix.values.addresses import _address, _mac
from liaison.stix.values.chains import _BECH32, _ETH
from liaison.stix.values.identifiers import _HASH_BY_LENGTH, _HASH_LENGTHS, _HEX, _hash, _imo, _mmsi, _vin, hash_kind
from liaison.stix.values.names import _DOMAIN_SHAPE, _SCHEME, _domain, _email, _url
from liaison.stix.values.posting import Posting, _Invalid
from liaison.stix.values.readers import Reader, _refang

_READERS: dict[str, Reader] = {
    "ipv4-addr": lambda v, h: _address(v, 4, h),
    "ipv6-addr": lambda v, h: _address(v, 6, h),
    "domain-name": _domain,
    "url": _url,
    "email-addr": _email,
    "phone-number": lambda v, h: _phone(v, None, h),
    "cryptocurrency-wallet": _wallet,
    "bank-account": _iban,
    "mac-addr": _mac,
    "vehicle": _vin,
    "file": lambda v, h: _hash(v, None, h),
    "artifact": lambda v, h: _hash(v, None, h),
    **{kind: (lambda v, h, k=kind: _hash(v, k, h)) for kind in _HASH_LENGTHS},
}
_ALIASES = {
    "ipv4": "ipv4-addr",
    "ipv4-net": "ipv4-addr",
    "ipv6": "ipv6-addr",
    "ipv6-net": "ipv6-addr",
    "domain": "domain-name",
    "email": "email-addr",
    "phone": "phone-number",
    "wallet": "cryptocurrency-wallet",
    "iban": "bank-account",
    "vin": "vehicle",
    "hash": "file",
}
_IDENTIFIERS: dict[str, Reader] = {"imo": _imo, "mmsi": _mmsi}


def normalise(value: str, type_: str | None = None) -> list[Posting]:
    """A value a user typed: read as `type_` (raising InvalidInput when it is not one), else by its shape."""
    if type_ is None:
        return _recognise(value)
    reader = _user_reader(type_)
    how: list[str] = []
    if isinstance(value, str):
        value = _refang(value, how)
    try:
        return [reader(value, how)]
    except Exception as e:  # validators raise assorted types; the caller gets one clear error
        shown = value if not isinstance(value, str) or len(value) <= 80 else value[:77] + "..."
        reason = str(e) if isinstance(e, _Invalid) else "not readable"
        raise InvalidInput(f"{shown!r} is not a valid {type_}: {reason}", value=shown, type=type_) from None


def _user_reader(type_: str) -> Reader:
    name = _ALIASES.get(type_, type_)
    if hash_kind(name):
        name = hash_kind(name)
    if name == "vessel":
        return lambda v, h: (_imo if len(str(v).strip()) != 9 else _mmsi)(v, h)
    reader = _READERS.get(name) or _IDENTIFIERS.get(name)
    if reader is None:
        raise InvalidInput(f"unknown value type {type_!r}", type=type_)
    return reader


_IPISH = re.compile(r"[0-9a-fA-F:.]+(?:%[\w.-]+)?(?:/[\d.]{1,15})?")
_IBANISH = re.compile(r"[A-Za-z]{2}\d{2}[A-Za-z0-9 ]{11,40}")
_PHONEISH = re.compile(r"\+[\d\s().\-/]{6,24}")
_WALLETISH = re.compile(r"0[xX][0-9a-fA-F]{40}|[a-zA-Z]{1,20}1[0-9a-zA-Z]{6,}|[1-9A-HJ-NP-Za-km-z]{25,110}")
_MAC_SHAPE = re.compile(
    r"[0-9a-fA-F]{2}([:-])(?:[0-9a-fA-F]{2}\1){4}[0-9a-fA-F]{2}|[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4}){2}"
)
_VIN_SHAPE = re.compile(r"(?=.*\d)(?=.*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{17}")


def _recognise(value: object) -> list[Posting]:
    """The first reading whose shape the value has and whose checks it passes; nothing otherwise."""
    if not isinstance(value, str):
        return []
    how: list[str] = []
    text = _refang(value, how)
    stripped = text.strip()
    for shape, reader in _SHAPES:
        if shape(stripped):
            try:
                return [reader(text, list(how))]
            except Exception:  # not this kind after all: try the next shape
                continue
    return []


_SHAPES: tuple[tuple[Callable[[str], object], Reader], ...] = (
    (_IPISH.fullmatch, lambda v, h: _address(v, None, h)),
    (lambda s: _SCHEME.match(s) and "://" in s, _url),
    (lambda s: s.count("@") >= 1 and _DOMAIN_SHAPE.fullmatch(s.rpartition("@")[2]), _email),
    (lambda s: _HEX.fullmatch(s) and len(s) in _HASH_BY_LENGTH, lambda v, h: _hash(v, None, h)),
    (_MAC_SHAPE.fullmatch, _mac),
    (_IBANISH.fullmatch, _iban),
    (_PHONEISH.fullmatch, lambda v, h: _phone(v, None, h)),
    (lambda s: _WALLETISH.fullmatch(s) and _checked_wallet_shape(s), _wallet),
    (lambda s: re.fullmatch(r"IMO\s*\d{7}", s, re.IGNORECASE), _imo),
    (lambda s: _VIN_SHAPE.fullmatch(s.upper()), _vin),
    (_DOMAIN_SHAPE.fullmatch, _domain),
)


def _checked_wallet_shape(text: str) -> bool:
    """Only wallets whose chain carries a checksum are recognised without a type: anything else is just a word."""
    if _ETH.fullmatch(text) or _BECH32.fullmatch(text.lower()):
        return True
    return text[0] in "13" and 25 <= len(text) <= 35 or text[0] == "T" and len(text) == 34 or len(text) == 95
