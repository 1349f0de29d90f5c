"""Indicator patterns: the values a STIX pattern compares with `=` (also `IN`, and `ISSUBSET` for addresses).

Most patterns are simple comparisons joined by AND/OR, which a small scanner (the fast path) reads;
anything else falls back to stix2-patterns, imported on first use because it pulls in the ANTLR
runtime.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from liaison.stix.values.accounts import _phone
from liaison.stix.values.addresses import _address, _mac
from liaison.stix.values.identifiers import _hash, hash_kind
from liaison.stix.values.names import _domain, _email
from liaison.stix.values.posting import Posting, _Invalid
from liaison.stix.values.readers import _SCO_VALUES, Reader, _read

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
