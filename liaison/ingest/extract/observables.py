"""Technical indicators in a text: addresses, hashes, numbers, accounts and wallets.

Defanged forms common in intelligence reporting (`hxxp://`, `example[.]org`, `1.2.3[.]4`,
`user[@]example.org`) are recognised; the mention keeps the text as written and the value is refanged.
Everything is validated, not just matched: IP addresses with `ipaddress`, domains against the public
suffix list, IBANs with schwifty, phone numbers with phonenumbers, and wallets by their checksums
(Base58Check, Bech32/Bech32m, EIP-55 for mixed-case Ethereum addresses, Keccak for Monero).

A wallet address or an IBAN that has the very shape of one but fails its checksum (a typo in the
article, or a deliberately altered value) is kept, not dropped: its attrs say `verified: False`
and why (`reason`), and the draft leaves it out until an analyst accepts it. `read_observable`
reads one value an analyst selects with the same finders, and refuses what they would not keep.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from importlib import resources

import base58
import bech32
import phonenumbers
import pycountry
from schwifty import IBAN
from schwifty.exceptions import InvalidBBANChecksum, InvalidChecksumDigits, SchwiftyException

from liaison.ingest.extract.mentions import Mention
from liaison.ingest.extract.places import find_places
from liaison.stix.values.chains import BECH32M, eip55, monero_network

_DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
_AT = r"(?:@|\[@\]|\(@\)|\{@\}|\[at\]|\(at\))"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"(?:{_LABEL}{_DOT})+[A-Za-z]{{2,63}}"
_URL = re.compile(
    r"\b(?:h(?:tt|xx)ps?|f(?:t|x)p)(?:://|\[://\]|\[:\]//)"
    r"(?:[^\s<>\"'\[\]{}]|\[\.\]|\{\.\}|\[dot\]|\[:\]|\[/\])+",
    re.IGNORECASE,
)
_EMAIL = re.compile(rf"(?<![\w.%+-])[A-Za-z0-9._%+-]+{_AT}{_HOST}(?![\w-])")
_DOMAIN = re.compile(rf"(?<![\w@.-]){_HOST}(?![\w-]|{_DOT}[A-Za-z0-9])")
_IPV4 = re.compile(rf"(?<![\w.])(?:\d{{1,3}}{_DOT}){{3}}\d{{1,3}}(?![\w]|{_DOT}\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|:)?(?![\w:])")
_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{32,128}(?![0-9A-Za-z])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_B58 = "1-9A-HJ-NP-Za-km-z"
_BTC_LEGACY = re.compile(rf"(?<![{_B58}])[13][{_B58}]{{25,34}}(?![{_B58}])")
_BTC_SEGWIT = re.compile(r"(?<![0-9A-Za-z])(?:bc1[02-9ac-hj-np-z]{6,87}|BC1[02-9AC-HJ-NP-Z]{6,87})(?![0-9A-Za-z])")
_ETH = re.compile(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])")
_TRON = re.compile(rf"(?<![{_B58}])T[{_B58}]{{33}}(?![{_B58}])")
_XMR = re.compile(rf"(?<![{_B58}])[48][{_B58}]{{94}}(?![{_B58}])")
#: A run of digits long enough to be a phone number; only then is the (slower) phone matcher run.
_PHONE_LIKE = re.compile(r"\+?\(?\d[\d \t().\-/]{5,}\d")
#: Words announcing a phone number: national forms ('8 (495) 123-45-67') are taken only after one.
_PHONE_CUE = re.compile(
    r"\b(?:tel|telephone|phone|phones|call|called|dial|sms|text|whatsapp|telegram|viber|signal|contact|"
    r"mobile|cell|hotline|fax|number|numbers|no)\b[^\n]{0,40}$",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,;:!?'\""
_REFANG = (
    (re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)", re.IGNORECASE), "."),
    (re.compile(r"\[@\]|\(@\)|\{@\}|\[at\]|\(at\)", re.IGNORECASE), "@"),
    (re.compile(r"\[://\]"), "://"),
    (re.compile(r"\[:\]"), ":"),
    (re.compile(r"\[/\]"), "/"),
    (re.compile(r"^hxxp", re.IGNORECASE), "http"),
    (re.compile(r"^fxp", re.IGNORECASE), "ftp"),
)
#: Top-level domains that are also common file extensions: 'setup.zip' is read as a file, not a host,
#: unless it is defanged or has more than two labels.
FILE_EXTENSIONS = frozenset(
    {"zip", "mov", "py", "sh", "md", "rs", "ps", "cab", "java", "mobi", "one", "so", "pl", "pm"}
)
#: Words after which a dotted quad is a number of a document or a program, not an address.
_NUMBERED = re.compile(
    r"(?:version|ver\.?|v|release|build|section|§|article|chapter|paragraph|clause)\s*$", re.IGNORECASE
)
_HASH_TYPES = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
#: What an unverified value's attrs say: it failed its checksum.
CHECKSUM_FAILS = "checksum fails"
#: Lengths of the 'bc1' addresses in use (P2WPKH; P2WSH and P2TR): a failing one of another length
#: is not taken for a mistyped address.
_SEGWIT_LENGTHS = (42, 62)
_XMR_NETWORKS = {0x12, 0x2A}  # main-net standard addresses ('4...') and subaddresses ('8...')


def find_observables(text: str, regions: tuple[str, ...] = ()) -> list[Mention]:
    """Every observable in `text`, in text order; where candidates overlap the first kind listed wins.

    `regions` are ISO alpha-2 codes tried as default regions for phone numbers written in national
    form; when not given, the countries named in the text are used.
    """
    found: list[Mention] = []
    taken = bytearray(len(text))

    def keep(mention: Mention) -> None:
        if not any(taken[mention.start : mention.end]):
            taken[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
            found.append(mention)

    for finder in (_urls, _emails, _ibans, _wallets, _hashes, _ip_addresses, _domains):
        for mention in finder(text):
            keep(mention)
    for mention in _phone_numbers(text, regions):
        keep(mention)
    return sorted(found, key=lambda m: m.start)


def refang(value: str) -> str:
    """The usable form of a defanged indicator: 'hxxp://evil[.]org' -> 'http://evil.org'."""
    for pattern, replacement in _REFANG:
        value = pattern.sub(replacement, value)
    return value


#: Special-use names (RFC 2606, RFC 7686) that appear in reports and examples but in no suffix list.
SPECIAL_USE_DOMAINS = frozenset({"example", "test", "invalid", "onion"})


@functools.cache
def top_level_domains() -> frozenset[str]:
    """ASCII top-level domains from the installed public suffix list, else ccTLDs and common gTLDs;
    with the special-use names."""
    try:
        listing = resources.files("tld").joinpath("res/effective_tld_names.dat.txt").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return (
            SPECIAL_USE_DOMAINS
            | frozenset(c.alpha_2.lower() for c in pycountry.countries)
            | frozenset(
                "com net org info biz edu gov mil int uk app dev xyz online site top shop club live news "
                "tech store pro name mobi asia tel".split()
            )
        )
    tlds = set()
    for line in listing.splitlines():
        line = line.strip()
        if line and not line.startswith("//"):
            label = line.rsplit(".", 1)[-1].lstrip("!*")
            if label.isascii():
                tlds.add(label.lower())
    return SPECIAL_USE_DOMAINS | frozenset(tlds)


def _mention(kind: str, text: str, start: int, end: int, value: str, **attrs: object) -> Mention:
    return Mention(kind, start, end, text[start:end], value, dict(attrs))


#: Longest URL reported (browsers and servers stop well before).
MAX_URL = 4096


def _urls(text: str):
    for match in _URL.finditer(text):
        start, end = match.span()
        if end - start > MAX_URL:
            continue  # no address is that long; a run of symbols is not worth the trimming
        unmatched = text.count(")", start, end) - text.count("(", start, end)
        while end > start and (text[end - 1] in _TRAILING_PUNCTUATION or text[end - 1] == ")" and unmatched > 0):
            unmatched -= text[end - 1] == ")"
            end -= 1
        yield _mention("url", text, start, end, refang(text[start:end]))


def _emails(text: str):
    for match in _EMAIL.finditer(text):
        value = refang(match.group()).lower()
        if value.rsplit(".", 1)[-1] in top_level_domains():
            yield _mention("email-addr", text, *match.span(), value)


def _domains(text: str):
    tlds = top_level_domains()
    for match in _DOMAIN.finditer(text):
        raw = match.group()
        value = refang(raw)
        labels = value.split(".")
        tld = labels[-1]
        if tld.lower() not in tlds or not (tld.islower() or tld.isupper()):
            continue  # not a domain, or two sentences run together ('attack.It')
        if len(labels) == 2 and tld.lower() in FILE_EXTENSIONS and raw == value:
            continue  # a file name such as 'invoice.zip'
        if all(len(label) == 1 for label in labels[:-1]):
            continue  # an abbreviation ('U.S', 'e.g')
        yield _mention("domain-name", text, *match.span(), value.lower())


def _ip_addresses(text: str):
    for match in _IPV4.finditer(text):
        if _NUMBERED.search(text, max(0, match.start() - 12), match.start()):
            continue  # 'version 2.0.0.1', 'section 3.1.2.1'
        try:
            address = ipaddress.IPv4Address(refang(match.group()))
        except ValueError:
            continue
        yield _mention("ipv4-addr", text, *match.span(), str(address))
    for match in _IPV6.finditer(text):
        if match.group().count(":") < 2 or not any(ch not in ":" for ch in match.group()):
            continue
        try:
            address = ipaddress.IPv6Address(match.group())
        except ValueError:
            continue
        yield _mention("ipv6-addr", text, *match.span(), address.compressed)


def _hashes(text: str):
    for match in _HEX.finditer(text):
        hash_type = _HASH_TYPES.get(len(match.group()))
        if hash_type and any(ch.isdigit() for ch in match.group()) and any(ch.isalpha() for ch in match.group()):
            yield _mention("file", text, *match.span(), match.group().lower(), hash_type=hash_type)


def _ibans(text: str):
    for match in _IBAN.finditer(text):
        start = match.start()
        found = _longest_valid_iban(match.group())
        if found is not None:
            length, iban = found
            yield _mention("bank-account", text, start, start + length, iban.compact, country=iban.country_code)
        elif (failing := _iban_failing_checksum(match.group())) is not None:
            length, compact = failing
            yield _mention(
                "bank-account",
                text,
                start,
                start + length,
                compact,
                country=compact[:2],
                verified=False,
                reason=CHECKSUM_FAILS,
            )


def _iban_ends(candidate: str) -> list[int]:
    """The ends of the prefixes of `candidate` (spaces allowed) long enough to be an IBAN, longest first."""
    ends = [i + 1 for i, ch in enumerate(candidate) if ch != " "]
    return list(reversed(ends[14:]))


def _longest_valid_iban(candidate: str) -> tuple[int, IBAN] | None:
    """The longest prefix of `candidate` (spaces allowed) that is a valid IBAN, as (length, IBAN)."""
    for end in _iban_ends(candidate):
        try:
            return end, IBAN(candidate[:end])
        except SchwiftyException:
            continue
    return None


def _iban_failing_checksum(candidate: str) -> tuple[int, str] | None:
    """The longest prefix of `candidate` that is an IBAN of its country's length and structure but
    for its check digits (mod 97) or its national checksum, as (length, compact form)."""
    for end in _iban_ends(candidate):
        try:
            IBAN(candidate[:end])
        except (InvalidChecksumDigits, InvalidBBANChecksum):
            return end, candidate[:end].replace(" ", "")
        except SchwiftyException:
            continue
    return None


def _wallets(text: str):
    """Wallet addresses: valid ones, and those of the very shape of one whose checksum fails
    (`verified: False`)."""
    unverified = {"verified": False, "reason": CHECKSUM_FAILS}
    for match in _BTC_SEGWIT.finditer(text):
        value = match.group().lower()
        if _valid_segwit(value):
            yield _mention("cryptocurrency-wallet", text, *match.span(), value, currency="BTC")
        elif len(value) in _SEGWIT_LENGTHS and value[3] in "qp":  # witness version 0 or 1
            yield _mention("cryptocurrency-wallet", text, *match.span(), value, currency="BTC", **unverified)
    for match in _BTC_LEGACY.finditer(text):
        if _base58check_version(match.group()) in (0x00, 0x05):
            yield _mention("cryptocurrency-wallet", text, *match.span(), match.group(), currency="BTC")
        elif _base58_version(match.group()) in (0x00, 0x05):
            yield _mention("cryptocurrency-wallet", text, *match.span(), match.group(), currency="BTC", **unverified)
    for match in _ETH.finditer(text):
        value = match.group().lower()
        if _valid_ethereum(match.group()):
            yield _mention("cryptocurrency-wallet", text, *match.span(), value, currency="ETH")
        else:  # mixed case that is not its EIP-55 checksum
            yield _mention("cryptocurrency-wallet", text, *match.span(), value, currency="ETH", **unverified)
    for match in _TRON.finditer(text):
        if _base58check_version(match.group()) == 0x41:
            yield _mention("cryptocurrency-wallet", text, *match.span(), match.group(), currency="USDT-TRC20")
        elif _base58_version(match.group()) == 0x41:
            yield _mention(
                "cryptocurrency-wallet", text, *match.span(), match.group(), currency="USDT-TRC20", **unverified
            )
    for match in _XMR.finditer(text):
        if monero_network(match.group()) in _XMR_NETWORKS:
            yield _mention("cryptocurrency-wallet", text, *match.span(), match.group(), currency="XMR")
        else:  # 95 Base58 characters after a '4' or an '8': a Monero address, mistyped
            yield _mention("cryptocurrency-wallet", text, *match.span(), match.group(), currency="XMR", **unverified)


def _base58_version(address: str) -> int | None:
    """The version byte of a 25-byte Base58 string (payload and checksum), the checksum unchecked;
    None for a run without digits, capitals and small letters, which no address is without."""
    if not (
        any(ch.isdigit() for ch in address)
        and any(ch.isupper() for ch in address[1:])
        and any(ch.islower() for ch in address)
    ):
        return None
    try:
        decoded = base58.b58decode(address)
    except ValueError:
        return None
    return decoded[0] if len(decoded) == 25 else None


def _base58check_version(address: str) -> int | None:
    """The version byte of a 21-byte Base58Check payload, or None when the checksum fails."""
    try:
        payload = base58.b58decode_check(address)
    except ValueError:
        return None
    return payload[0] if len(payload) == 21 else None


def _valid_segwit(address: str) -> bool:
    """A valid 'bc1' address: version 0 in Bech32 (BIP 173), versions 1-16 in Bech32m (BIP 350)."""
    version, _program = bech32.decode("bc", address)
    if version == 0:
        return True
    data = [bech32.CHARSET.find(ch) for ch in address[3:]]
    if -1 in data or len(data) < 7:
        return False
    if bech32.bech32_polymod(bech32.bech32_hrp_expand("bc") + data) != BECH32M:
        return False
    program = bech32.convertbits(data[1:-6], 5, 8, False)
    return 1 <= data[0] <= 16 and program is not None and 2 <= len(program) <= 40


def _valid_ethereum(address: str) -> bool:
    """An Ethereum address: all one case, or mixed case matching its EIP-55 checksum."""
    digits = address[2:]
    return digits in (digits.lower(), digits.upper()) or eip55(digits.lower()) == digits


def _phone_numbers(text: str, regions: tuple[str, ...]):
    """Phone numbers: international forms anywhere, national forms after a cue ('tel.', 'call')
    in the regions given or, failing those, of the countries named in the text."""
    national = []
    for match in _PHONE_LIKE.finditer(text):
        if sum(ch.isdigit() for ch in match.group()) < 7:
            continue
        start = max(0, match.start() - 1)  # one character either side, for the matcher's boundary checks
        window = text[start : match.end() + 1]
        if match.group().lstrip("(").startswith(("+", "00")):
            yield from _phones_in(text, start, window, None)
        elif _PHONE_CUE.search(text, max(0, match.start() - 60), match.start()):
            national.append((start, window))
    if national and not regions:
        regions = tuple(dict.fromkeys(m.attrs["country"] for m in find_places(text) if m.attrs.get("country")))
    for start, window in national:
        for region in regions:
            found = list(_phones_in(text, start, window, region))
            if found:
                yield from found
                break


def _phones_in(text: str, offset: int, window: str, region: str | None):
    for match in phonenumbers.PhoneNumberMatcher(window, region):
        yield _mention(
            "phone-number",
            text,
            offset + match.start,
            offset + match.end,
            phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164),
            country=phonenumbers.region_code_for_number(match.number),
        )


#: The finder of each kind, for reading one value (phone numbers are read apart).
_FINDERS = {
    "url": _urls,
    "email-addr": _emails,
    "domain-name": _domains,
    "ipv4-addr": _ip_addresses,
    "ipv6-addr": _ip_addresses,
    "file": _hashes,
    "bank-account": _ibans,
    "cryptocurrency-wallet": _wallets,
}
#: How a refusal names each kind.
KIND_WORDS = {
    "url": "URL",
    "email-addr": "e-mail address",
    "domain-name": "domain name",
    "ipv4-addr": "IPv4 address",
    "ipv6-addr": "IPv6 address",
    "file": "file hash (MD5, SHA-1, SHA-256 or SHA-512)",
    "phone-number": "phone number",
    "bank-account": "IBAN",
    "cryptocurrency-wallet": "wallet address",
}


def read_observable(kind: str, written: str, regions: tuple[str, ...] = ()) -> Mention:
    """`written` (the whole of it) read as an observable of `kind` by the extractor's own finders:
    the mention with its normalised value and attrs. A phone number in national form is read in
    the `regions` given (ISO alpha-2). ValueError, in words, when the finders would not keep it, or
    only as unverified (its checksum fails)."""
    words = KIND_WORDS.get(kind)
    if words is None:
        raise ValueError(f"'{kind}' is not a kind of observable")
    if kind == "phone-number":
        found = [m for region in (None, *regions) for m in _phones_in(written, 0, written, region)]
    else:
        found = [m for m in _FINDERS[kind](written) if m.kind == kind]
    whole = next((m for m in found if (m.start, m.end) == (0, len(written))), None)
    if whole is None:
        raise ValueError(f"'{written}' is not a valid {words}")
    if whole.attrs.get("verified") is False:
        raise ValueError(
            f"'{written}' is not a valid {words}: its {whole.attrs['reason']}".replace(
                "its checksum fails", "its checksum fails"
            )
        )
    return whole
