"""Names: domain names, e-mail addresses and URLs.

Domains are keyed by their A-label (punycode, ASCII) form and shown in Unicode, so 'bücher.example'
and 'xn--bcher-kva.example' correlate. E-mail local parts are lower-cased: RFC 5321 lets a server
treat them case-sensitively but discourages relying on it, no major provider does, and a missed
correlation costs more than a rare false one (dots and +tags are provider-specific and kept). URLs
get RFC 3986 syntax-based normalisation, without dot-segment removal.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import idna

from liaison.stix.values.addresses import _address
from liaison.stix.values.posting import Posting, _Invalid, _posting, _trimmed

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
