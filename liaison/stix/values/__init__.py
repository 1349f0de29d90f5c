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

The package's modules, lowest first:
- posting: the Posting and the kinds; shown: display(kind, key); chains: wallet formats and checksums;
- addresses (IP, networks, MAC), names (domains, e-mail, URLs), accounts (phone, IBAN, wallets),
  identifiers (hashes, VIN, IMO, MMSI): the readers of each kind;
- readers: which SCO property holds which kind; patterns: indicator patterns; objects: postings(obj);
- user_input: normalise(value, type_); lookups: lookup_keys and ranges.
This module re-exports the public names, so callers import from `liaison.stix.values` only.
"""

from __future__ import annotations

from liaison.stix.values.identifiers import hash_kind
from liaison.stix.values.lookups import MIN_PREFIX, lookup_keys, ranges
from liaison.stix.values.objects import postings
from liaison.stix.values.patterns import Comparison, pattern_postings
from liaison.stix.values.posting import KINDS, Posting
from liaison.stix.values.readers import Reader
from liaison.stix.values.shown import display
from liaison.stix.values.user_input import normalise

__all__ = [
    "KINDS",
    "MIN_PREFIX",
    "Comparison",
    "Posting",
    "Reader",
    "display",
    "hash_kind",
    "lookup_keys",
    "normalise",
    "pattern_postings",
    "postings",
    "ranges",
]
