"""Correlatable values: what a STIX object carries, normalised so that equal things compare equal.

A posting is (kind, key): equal keys of one kind correlate. Addresses are keyed in fixed-width
lower-case hex (networks as 'hex/prefix'), so string order is numeric order and CIDR containment is a
range scan. `shown` is always `display(kind, key)`: the store keeps only kind and key, so nothing an
analyst sees may depend on more. `how` says which normalisation turned what the object said into the
key, so a hit can explain itself.

Choices the correlation issue left open:
- domains are keyed by their A-label (punycode, ASCII) form and shown in Unicode, so 'bücher.example'
  and 'xn--bcher-kva.example' correlate;
- e-mail local parts are lower-cased: RFC 5321 lets a server treat them case-sensitively but
  discourages relying on it, no major provider does, and a missed correlation costs more than a rare
  false one (dots and +tags are provider-specific and kept);
- a single address correlates with the networks containing it down to /8 (IPv4) and /12 (IPv6), the
  largest blocks IANA hands to a registry: broader "networks" ('0.0.0.0/0') are match-anything
  clauses, not intelligence, and would tie every address together. They still correlate exactly.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import base58
import bech32
import idna
import phonenumbers
from Crypto.Hash import keccak
from schwifty import IBAN

from liaison.errors import InvalidInput

KINDS = (
    "ipv4",
    "ipv4-net",
    "ipv6",
    "ipv6-net",
    "domain-name",
    "url",
    "email-addr",
    "phone",
    "iban",
    "wallet",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "mac-addr",
    "vin",
    "imo",
    "mmsi",
)
#: Broadest network a single address is looked up in (and that lists the addresses inside it).
MIN_PREFIX = {"ipv4-net": 8, "ipv6-net": 12}


@dataclass(frozen=True, slots=True)
class Posting:
    """One correlatable value: `kind` and `key` are what is stored and compared, `shown` is
    `display(kind, key)`, `how` the normalisation that made the key ('' when none)."""

    kind: str
    key: str
    shown: str
    how: str


class _Invalid(ValueError):
    """A value that is not valid for the kind it was read as; the message says why."""


def _posting(kind: str, key: str, how: list[str]) -> Posting:
    return Posting(kind, key, display(kind, key), "; ".join(dict.fromkeys(how)))


def _trimmed(value: object, how: list[str]) -> str:
    if not isinstance(value, str):
        raise _Invalid("not a string")
    stripped = value.strip()
    if stripped != value:
        how.append("surrounding whitespace removed")
    if not stripped:
        raise _Invalid("empty")
    return stripped


# Addresses -------------------------------------------------------------------------------------

_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_PADDED_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2}|/\d{1,3}(?:\.\d{1,3}){3})?")


def _address(value: object, version: int | None, how: list[str]) -> Posting:
    """An IPv4 or IPv6 address or CIDR network (`version` None: either)."""
    text = _trimmed(value, how)
    if version == 6 or (version is None and ":" in text):
        return _ipv6(text, how)
    if version == 4 or _PADDED_IPV4.fullmatch(text):
        return _ipv4(text, how)
    raise _Invalid("not an IP address")


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


# Domains, e-mail, URLs ---------------------------------------------------------------------------

_ASCII_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_DOMAIN_SHAPE = re.compile(r"(?:[^\s./@:\\]{1,63}\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})\.?", re.IGNORECASE)


def _domain(value: object, how: list[str]) -> Posting:
    return _posting("domain-name", _domain_key(_trimmed(value, how), how), how)


def _domain_key(text: str, how: list[str]) -> str:
    """The A-label (punycode) form, lower-case, without the root's trailing dot."""
    if text.endswith("."):
        text = text[:-1]
        how.append("trailing dot removed")
    if text.isascii():
        key = text.lower()
        if key != text:
            how.append("lower-cased")
    else:
        key = _to_ascii(text)
        how.append("IDNA")
    labels = key.split(".")
    if len(key) > 253 or not all(_ASCII_LABEL.fullmatch(label) for label in labels):
        raise _Invalid("not a domain name")
    return key


def _to_ascii(text: str) -> str:
    """IDNA 2008 with UTS #46 mapping; IDNA 2003 for names 2008 refuses (symbols, '_') that are still in use."""
    try:
        return idna.encode(text, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        pass
    try:
        return text.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise _Invalid("not a domain name (IDNA)") from None


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


def _email(value: object, how: list[str]) -> Posting:
    text = _trimmed(value, how)
    local, at, domain = text.rpartition("@")
    if not at or not local or any(ch.isspace() for ch in local) and not local.startswith('"'):
        raise _Invalid("not an e-mail address")
    folded = local.lower()
    if folded != local:
        how.append("local part lower-cased")
    domain_how: list[str] = []
    key = f"{folded}@{_domain_key(domain, domain_how)}"
    how += [f"domain {step}" for step in domain_how]
    return _posting("email-addr", key, how)


_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"}
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _url(value: object, how: list[str]) -> Posting:
    """RFC 3986 §6.2.2 normalisation, minus dot-segment removal: '/../' in an exploit URL is the indicator."""
    text = _trimmed(value, how)
    if not _SCHEME.match(text):
        raise _Invalid("not a URL (no scheme)")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as e:
        raise _Invalid(f"not a URL ({e})") from None
    scheme = parts.scheme.lower()
    if not text.startswith(scheme):
        how.append("scheme lower-cased")
    if parts.fragment or text.endswith("#"):
        how.append("fragment dropped")
    if not parts.query and "?" in text.partition("#")[0]:
        how.append("empty query dropped")
    if not parts.netloc:
        return _posting("url", f"{scheme}:{_escapes(parts.path, how)}{_query(parts.query, how)}", how)
    authority = _authority(parts, scheme, port, how)
    path = _escapes(parts.path, how)
    if not path:
        path = "/"
        how.append("empty path as /")
    return _posting("url", f"{scheme}://{authority}{path}{_query(parts.query, how)}", how)


def _authority(parts, scheme: str, port: int | None, how: list[str]) -> str:
    userinfo, _, hostport = parts.netloc.rpartition("@")
    host = parts.hostname or ""
    if hostport.startswith("["):
        host = _address(host, 6, []).shown
        host = f"[{host}]" if ":" in host else host
    else:
        host = hostport.rpartition(":")[0] if ":" in hostport else hostport
        host = _url_host(host, how)
    if port is not None and str(port) == _DEFAULT_PORTS.get(scheme):
        how.append("default port removed")
        port = None
    user = _escapes(userinfo, how) + "@" if userinfo else ""
    return f"{user}{host}" + (f":{port}" if port is not None else "")


def _url_host(host: str, how: list[str]) -> str:
    """A dotted-quad host as is (a zero-padded one may be octal, as browsers read it), else a domain."""
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        host_how: list[str] = []
        key = _domain_key(host, host_how)
        how += [f"host {step}" for step in host_how]
        return key


def _query(query: str, how: list[str]) -> str:
    return "?" + _escapes(query, how) if query else ""


def _escapes(text: str, how: list[str]) -> str:
    """Unreserved characters decoded, other escapes in upper-case hex, spaces and non-ASCII escaped as UTF-8."""

    def fix(match: re.Match) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    fixed = _ESCAPE.sub(fix, text)
    if not fixed.isascii() or " " in fixed:
        fixed = "".join(ch if ch.isascii() and ch != " " else _utf8_escapes(ch) for ch in fixed)
    if fixed != text:
        how.append("percent-escapes normalised")
    return fixed


def _utf8_escapes(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


# Numbers and accounts ---------------------------------------------------------------------------


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


# Wallets -----------------------------------------------------------------------------------------

_ETH = re.compile(r"0[xX][0-9a-fA-F]{40}")
_BECH32 = re.compile(r"[a-z]{1,20}1[02-9ac-hj-np-z]{6,}")
_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
_BECH32M = 0x2BC830A3


def _keccak256(data: bytes) -> bytes:
    """Keccak-256 with the original padding, as Ethereum and Monero checksums use it (not SHA3-256)."""
    return keccak.new(digest_bits=256, data=data).digest()


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
    if digits not in (digits.lower(), digits.upper()) and _eip55(digits.lower()) != digits:
        raise _Invalid("EIP-55 checksum does not match")
    key = "0x" + digits.lower()
    if key != text:
        how.append("lower-cased")
    return key


def _eip55(digits: str) -> str:
    digest = _keccak256(digits.encode()).hex()[:40]
    return "".join(ch.upper() if int(h, 16) >= 8 else ch for ch, h in zip(digits, digest, strict=True))


def _valid_bech32(address: str) -> bool:
    """Bech32 (BIP 173) or Bech32m (BIP 350) checksum over the human-readable part and data."""
    hrp, _, data = address.rpartition("1")
    values = [bech32.CHARSET.find(ch) for ch in data]
    return bech32.bech32_polymod(bech32.bech32_hrp_expand(hrp) + values) in (1, _BECH32M)


def _check_base58(text: str) -> None:
    """Bitcoin ('1', '3'), TRON ('T') and Monero ('4', '8', 95 characters) addresses carry checksums."""
    if text[0] in "13" and 25 <= len(text) <= 35 or text[0] == "T" and len(text) == 34:
        try:
            base58.b58decode_check(text)
        except ValueError:
            raise _Invalid("Base58Check checksum does not match") from None
    elif text[0] in "48" and len(text) == 95 and not _valid_monero(text):
        raise _Invalid("Monero checksum does not match")


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


# Hashes and identifiers --------------------------------------------------------------------------

_HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
_HASH_BY_LENGTH = {length: kind for kind, length in _HASH_LENGTHS.items()}
_HEX = re.compile(r"[0-9a-fA-F]+")


def hash_kind(name: str) -> str | None:
    """The posting kind of a STIX hash name ('SHA-256', 'sha256', 'MD5'), None for others (SHA3, SSDEEP, …)."""
    kind = name.lower().replace("-", "").replace("_", "")
    return kind if kind in _HASH_LENGTHS else None


def _hash(value: object, kind: str | None, how: list[str]) -> Posting:
    """Lower-case hex of the algorithm's length (`kind` None: the algorithm is read from the length)."""
    text = _trimmed(value, how)
    if not _HEX.fullmatch(text):
        raise _Invalid("a hash is hexadecimal")
    kind = kind or _HASH_BY_LENGTH.get(len(text))
    if kind is None or len(text) != _HASH_LENGTHS[kind]:
        raise _Invalid(f"wrong length for {kind or 'MD5, SHA-1, SHA-256 or SHA-512'}")
    if not text.islower() and not text.isdigit():
        how.append("lower-cased")
    return _posting(kind, text.lower(), how)


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


_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")


def _vin(value: object, how: list[str]) -> Posting:
    text = _trimmed(value, how)
    key = re.sub(r"[\s-]", "", text).upper()
    if not _VIN.fullmatch(key):
        raise _Invalid("a VIN is 17 letters and digits (no I, O or Q)")
    if key != text:
        how.append("upper-cased, spaces removed")
    return _posting("vin", key, how)


def _imo(value: object, how: list[str]) -> Posting:
    """Seven digits whose last is the check digit (weights 7..2 over the first six, modulo 10)."""
    text = _trimmed(value, how)
    key = re.sub(r"^IMO\s*", "", text, flags=re.IGNORECASE)
    if not re.fullmatch(r"\d{7}", key) or sum(
        int(d) * w for d, w in zip(key[:6], range(7, 1, -1), strict=True)
    ) % 10 != int(key[6]):
        raise _Invalid("not an IMO number (7 digits with a check digit)")
    if key != text:
        how.append("'IMO' prefix removed")
    return _posting("imo", key, how)


def _mmsi(value: object, how: list[str]) -> Posting:
    text = _trimmed(value, how)
    if not re.fullmatch(r"\d{9}", text):
        raise _Invalid("an MMSI is 9 digits")
    return _posting("mmsi", text, how)


# Objects -----------------------------------------------------------------------------------------

Reader = Callable[[object, list[str]], Posting]

#: SCO type -> (property, reader) for values that are the object's own.
_SCO_VALUES: dict[str, tuple[tuple[str, Reader], ...]] = {
    "ipv4-addr": (("value", lambda v, h: _address(v, 4, h)),),
    "ipv6-addr": (("value", lambda v, h: _address(v, 6, h)),),
    "domain-name": (("value", _domain),),
    "url": (("value", _url),),
    "email-addr": (("value", _email),),
    "mac-addr": (("value", _mac),),
    "cryptocurrency-wallet": (("value", _wallet),),
    "bank-account": (("iban", _iban),),
    "vehicle": (("vin", _vin),),
    "vessel": (("imo", _imo), ("mmsi", _mmsi)),
    "artifact": (("url", _url),),
}
_REFANG = (
    (re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)", re.IGNORECASE), "."),
    (re.compile(r"\[@\]|\(@\)|\{@\}|\[at\]|\(at\)", re.IGNORECASE), "@"),
    (re.compile(r"\[://\]"), "://"),
    (re.compile(r"\[:\]"), ":"),
    (re.compile(r"^hxxp", re.IGNORECASE), "http"),
    (re.compile(r"^fxp", re.IGNORECASE), "ftp"),
)


def postings(obj: dict) -> list[Posting]:
    """Every correlatable value a STIX object carries, deduplicated by (kind, key); never raises."""
    found: dict[tuple[str, str], Posting] = {}
    if isinstance(obj, dict):
        for posting in _object_postings(obj, depth=0):
            found.setdefault((posting.kind, posting.key), posting)
    return list(found.values())


def _object_postings(obj: dict, depth: int) -> Iterator[Posting]:
    type_ = obj.get("type")
    defanged = obj.get("defanged") is True
    if type_ == "phone-number":
        region = obj.get("country") if isinstance(obj.get("country"), str) else None
        yield from _read(obj.get("value"), lambda v, h: _phone(v, region, h), defanged)
    for prop, reader in _SCO_VALUES.get(type_, ()):
        if prop in obj:
            yield from _read(obj[prop], reader, defanged)
    hashes = obj.get("hashes")
    if isinstance(hashes, dict):
        for name, value in hashes.items():
            kind = hash_kind(name) if isinstance(name, str) else None
            if kind:
                yield from _read(value, lambda v, h, k=kind: _hash(v, k, h), False)
    if type_ == "indicator" and obj.get("pattern_type", "stix") == "stix" and isinstance(obj.get("pattern"), str):
        yield from pattern_postings(obj["pattern"])
    if type_ == "observed-data" and depth == 0 and isinstance(obj.get("objects"), dict):
        for inner in obj["objects"].values():
            if isinstance(inner, dict):
                yield from _object_postings(inner, depth + 1)


def _read(value: object, reader: Reader, defanged: bool) -> Iterator[Posting]:
    """The posting `reader` makes of `value`, or nothing when the value cannot be read."""
    how: list[str] = []
    if defanged and isinstance(value, str):
        value = _refang(value, how)
    try:
        yield reader(value, how)
    except Exception:  # odd input never stops an import: validators raise assorted error types
        return


def _refang(value: str, how: list[str]) -> str:
    fixed = value
    for pattern, replacement in _REFANG:
        fixed = pattern.sub(replacement, fixed)
    if fixed != value:
        how.append("refanged")
    return fixed


# Indicator patterns ------------------------------------------------------------------------------

_STRING = r"'(?:[^'\\]|\\['\\])*'"
_TOKEN = re.compile(
    rf"""\s*(?:
    (?P<cmp>(?P<type>[a-zA-Z0-9][a-zA-Z0-9-]*):(?P<path>[a-zA-Z0-9_-]+(?:\.(?:[a-zA-Z0-9_-]+|'[^'\\]*')|\[(?:\*|\d+)\])*)\s*
      (?P<op>(?:NOT\s+)?(?:!=|<>|<=|>=|=|<|>|IN\b|LIKE\b|MATCHES\b|ISSUBSET\b|ISSUPERSET\b))\s*
      (?P<value>[htb]?{_STRING}|-?\d+(?:\.\d+)?\b|true\b|false\b|\((?:\s*(?:{_STRING}|-?\d+(?:\.\d+)?)\s*,?)*\s*\)))
    |(?P<open>\[)|(?P<close>\])|(?P<lpar>\()|(?P<rpar>\))
    |(?P<join>(?:AND|OR|FOLLOWEDBY)\b)
    |(?P<qualifier>WITHIN\s+\d+(?:\.\d+)?\s+SECONDS\b|REPEATS\s+\d+\s+TIMES\b|START\s+t{_STRING}\s+STOP\s+t{_STRING})
    )""",
    re.VERBOSE,
)
_STRING_ITEM = re.compile(_STRING)
_PATH_PART = re.compile(r"[a-zA-Z0-9_-]+|'[^'\\]*'")

#: (object type, property path) -> reader of the compared value; None reads a referenced object's
#: value by its shape (the reference does not say which type it points to).
_ADDRESS_REFS = ("src_ref", "dst_ref", "resolves_to_refs")
_EMAIL_REFS = ("from_ref", "sender_ref", "to_refs", "cc_refs", "bcc_refs")
_PATTERN_READERS: dict[tuple[str, tuple[str, ...]], Reader | None] = {
    **{(type_, (prop,)): reader for type_, props in _SCO_VALUES.items() for prop, reader in props},
    ("phone-number", ("value",)): lambda v, h: _phone(v, None, h),
    **{("network-traffic", (ref, "value")): None for ref in _ADDRESS_REFS[:2]},
    ("domain-name", ("resolves_to_refs", "value")): None,
    **{("email-message", (ref, "value")): _email for ref in _EMAIL_REFS},
}


def pattern_postings(pattern: str) -> list[Posting]:
    """The values an indicator pattern compares with `=` (also `IN`, and `ISSUBSET` for addresses)."""
    comparisons = _fast_comparisons(pattern)
    if comparisons is None:
        comparisons = _slow_comparisons(pattern)
    found: dict[tuple[str, str], Posting] = {}
    for type_, path, op, literal in comparisons:
        for posting in _comparison_postings(type_, path, op, literal):
            found.setdefault((posting.kind, posting.key), posting)
    return list(found.values())


Comparison = tuple[str, tuple[str, ...], str, str]


def _fast_comparisons(pattern: str) -> list[Comparison] | None:
    """The comparisons of a pattern made of simple ones joined by AND/OR, or None when it is anything else.

    A small scanner checks that operands and joins alternate and that brackets balance, so a pattern it
    accepts is one stix2-patterns would read the same way."""
    comparisons: list[Comparison] = []
    pos, end = 0, len(pattern.rstrip())
    inside, depth, need_operand = False, 0, True
    while pos < end:
        match = _TOKEN.match(pattern, pos)
        if match is None:
            return None
        pos, group = match.end(), match.lastgroup
        if group == "cmp":
            if not (inside and need_operand):
                return None
            comparisons.append(_comparison(match))
            need_operand = False
        elif group in ("open", "lpar"):
            if not need_operand or (group == "open" and inside):
                return None
            inside = inside or group == "open"
            depth += group == "lpar"
        elif group in ("close", "rpar"):
            if need_operand or (group == "close" and not inside) or (group == "rpar" and depth == 0):
                return None
            inside = inside and group != "close"
            depth -= group == "rpar"
        elif group == "join":
            if need_operand or (inside and match.group() == "FOLLOWEDBY"):
                return None
            need_operand = True
        elif group == "qualifier" and (inside or need_operand):
            return None
    return comparisons if comparisons and not inside and not depth and not need_operand else None


def _comparison(match: re.Match) -> Comparison:
    path = tuple(part.strip("'") for part in _PATH_PART.findall(match.group("path")))
    return match.group("type"), path, " ".join(match.group("op").split()), match.group("value")


def _slow_comparisons(pattern: str) -> list[Comparison]:
    """stix2-patterns' reading of a pattern the fast path cannot read; nothing when it is not a pattern."""
    from stix2patterns.pattern import Pattern  # imported on first use: it pulls in the ANTLR runtime

    try:
        inspected = Pattern(pattern).inspect().comparisons
    except Exception:  # a malformed pattern yields nothing, whatever the parser raises
        return []
    return [
        (type_, tuple(p for p in path if isinstance(p, str)), op, literal)
        for type_, items in inspected.items()
        for path, op, literal in items
    ]


def _comparison_postings(type_: str, path: tuple[str, ...], op: str, literal: str) -> Iterator[Posting]:
    if op == "=":
        literals = [literal]
    elif op == "IN":
        literals = _STRING_ITEM.findall(literal)
    elif op == "ISSUBSET" and type_ in ("ipv4-addr", "ipv6-addr", "network-traffic"):
        literals = [literal]
    else:
        return
    reader = _pattern_reader(type_, path)
    if reader is None:
        return
    for item in literals:
        if item.startswith("'"):
            yield from _read(_unquote(item), reader, False)


def _pattern_reader(type_: str, path: tuple[str, ...]) -> Reader | None:
    if len(path) == 2 and path[0] == "hashes":
        kind = hash_kind(path[1])
        return (lambda v, h: _hash(v, kind, h)) if kind else None
    if (type_, path) not in _PATTERN_READERS:
        return None
    return _PATTERN_READERS[(type_, path)] or _referenced_address


def _referenced_address(value: object, how: list[str]) -> Posting:
    """A referenced object's value read by shape: an IP address, a domain or a MAC address."""
    for reader in (lambda v, h: _address(v, None, h), _mac, _domain):
        try:
            return reader(value, how)
        except _Invalid:
            continue
    raise _Invalid("not an address")


def _unquote(literal: str) -> str:
    return re.sub(r"\\(['\\])", r"\1", literal[1:-1])


# Typed and untyped user input --------------------------------------------------------------------

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


# Lookups -----------------------------------------------------------------------------------------


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
    return "0x" + _eip55(key[2:]) if _ETH.fullmatch(key) else key


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
