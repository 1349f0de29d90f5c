"""Accounts: phone numbers (E.164), bank accounts (IBAN) and cryptocurrency wallets.

Each is checked where it carries a check of its own (the IBAN check digits, a wallet chain's
checksum, see chains.py) and keyed in its canonical written form.
"""

from __future__ import annotations

import re

import base58
import phonenumbers
from schwifty import IBAN

from liaison.stix.values.chains import _BASE58, _BECH32, _ETH, _valid_bech32, eip55, monero_network
from liaison.stix.values.posting import Posting, _Invalid, _posting, _trimmed


def _phone(value: object, region: str | None, how: list[str]) -> Posting:
    """E.164; a number without '+' only with a region (or a '00' international prefix)."""
    text = _trimmed(value, how)
    if not text.startswith("+") and region is None:
        digits = re.sub(r"[\s().\-/]", "", text)
        if not digits.startswith("00"):
            raise _Invalid("a phone number needs its country code (+CC…)")
        text = "+" + digits[2:]
    try:
        number = phonenumbers.parse(text, region if region else None)
    except phonenumbers.NumberParseException as e:
        raise _Invalid(f"not a phone number ({e})") from None
    if not phonenumbers.is_possible_number(number):
        raise _Invalid("not a possible phone number")
    key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if key != text:
        how.append("E.164")
    return _posting("phone", key, how)


def _iban(value: object, how: list[str]) -> Posting:
    text = _trimmed(value, how)
    compact = re.sub(r"\s+", "", text)
    if compact != text:
        how.append("spaces removed")
    if compact.upper() != compact:
        how.append("upper-cased")
    try:
        key = IBAN(compact.upper()).compact
    except Exception as e:  # schwifty raises its own errors and ValueError-like ones from its registry
        raise _Invalid(f"not a valid IBAN ({e})") from None
    return _posting("iban", key, how)


def _wallet(value: object, how: list[str]) -> Posting:
    """Checked where the chain has a checksum of its own; as written otherwise."""
    text = _trimmed(value, how)
    if _ETH.fullmatch(text):
        return _posting("wallet", _ethereum_key(text, how), how)
    if _BECH32.fullmatch(text.lower()) and (text.islower() or text.isupper()):
        if not _valid_bech32(text.lower()):
            raise _Invalid("Bech32 checksum does not match")
        if not text.islower():
            how.append("lower-cased")
        return _posting("wallet", text.lower(), how)
    if _BASE58.fullmatch(text):
        _check_base58(text)
    if any(ch.isspace() for ch in text):
        raise _Invalid("a wallet address has no spaces")
    return _posting("wallet", text, how)


def _ethereum_key(text: str, how: list[str]) -> str:
    """Compared case-insensitively; a mixed-case address must carry a valid EIP-55 checksum."""
    digits = text[2:]
    if digits not in (digits.lower(), digits.upper()) and eip55(digits.lower()) != digits:
        raise _Invalid("EIP-55 checksum does not match")
    key = "0x" + digits.lower()
    if key != text:
        how.append("lower-cased")
    return key


def _check_base58(text: str) -> None:
    """Bitcoin ('1', '3'), TRON ('T') and Monero ('4', '8', 95 characters) addresses carry checksums."""
    if text[0] in "13" and 25 <= len(text) <= 35 or text[0] == "T" and len(text) == 34:
        try:
            base58.b58decode_check(text)
        except ValueError:
            raise _Invalid("Base58Check checksum does not match") from None
    elif text[0] in "48" and len(text) == 95 and monero_network(text) is None:
        raise _Invalid("Monero checksum does not match")
