"""What the extractors find in a text: mentions with their character offsets."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Mention kinds. Entities first, then dates, then observables (named after the STIX type they become).
PERSON = "person"
ORGANIZATION = "organization"
GROUP = "group"  # intrusion sets and threat actors known to the platform
LOCATION = "location"
DATE = "date"
OBSERVABLE_KINDS = (
    "email-addr",
    "url",
    "domain-name",
    "ipv4-addr",
    "ipv6-addr",
    "file",
    "phone-number",
    "bank-account",
    "cryptocurrency-wallet",
)
ENTITY_KINDS = (PERSON, ORGANIZATION, GROUP, LOCATION)


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the text, `text[start:end]`, recognised as `kind`.

    `value` is the normalised form: the canonical name, an ISO date (YYYY-MM-DD), an E.164 number,
    an IBAN without spaces, a lower-cased domain or e-mail, a hash in lower-case hex...
    `attrs` carries kind-specific facts, for example
      location: level ('country' | 'region' | 'city'), country (ISO alpha-2), latitude, longitude;
      person / organization: role ('National Security Adviser'), organization (name of the employer);
      file: hash_type ('MD5' | 'SHA-1' | 'SHA-256' | 'SHA-512');
      cryptocurrency-wallet: currency ('BTC', 'ETH', 'XMR', 'USDT-TRC20');
      phone-number: country; bank-account: country.
    `source` names the extractor: 'pattern', 'gazetteer', 'knowledge-base', 'context' or 'plugin'.
    """

    kind: str
    start: int
    end: int
    text: str
    value: str
    attrs: dict = field(default_factory=dict, hash=False, compare=False)
    source: str = "pattern"
