"""Hit/no-hit queries (the Prüm pattern): does any partner hold this value? The answer says, per value,
hit or no hit and, per hit, the holding organisation and a fresh opaque reference: never the object,
its id, type, labels or how many objects matched. Only holdings their organisation made
discoverable by the asker answer (store.discovery); whatever else is held answers as nothing would.

Queries are counted per organisation over a sliding window (dictionary probing is the obvious
abuse), and every answer says what is left. Partners' holdings are asked through `remote`, a
function the adapter hands in (federation runs the private set intersection), so this module
knows nothing of the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta

import orjson
from sqlalchemy import Connection

from liaison import audit, clock
from liaison.access.principal import Action, Principal
from liaison.config import Settings
from liaison.errors import InvalidInput, NotFound, RateLimited
from liaison.intel.correlation import same_entity
from liaison.stix import values
from liaison.stix.entities import NAMED_TYPES
from liaison.stix.timestamps import format_ts, parse_ts
from liaison.stix.validate import IDENTIFIER_RE
from liaison.store import discovery, reads
from liaison.store import hits as store
from liaison.store.postings import Lookup

#: The most values (and entities) one query may ask about.
MAX_VALUES = 1000
#: The network prefixes a partner is asked about besides an address itself: the blocks holders
#: record (a /24, an allocation), not every prefix, so that one address costs a partner's budget a
#: few elements (a local query matches every containing network).
PARTNER_PREFIXES = {"ipv4-net": (8, 16, 24), "ipv6-net": (32, 48, 56, 64)}
#: The least a partner's query is charged, in elements: each one costs the holder a scan of what is
#: discoverable, however few elements it sends.
MIN_CHARGE = 64
#: The kind of an entity asked about (by id) rather than a value.
ENTITY = "entity"
#: The most ids one entity is asked about at partners: its own and those its merges join (a merge
#: web around a popular entity would otherwise spend every partner's budget on each query of it).
PARTNER_ENTITY_IDS = 8
LOCAL = "local"


@dataclass(frozen=True, slots=True)
class Asked:
    """One thing asked about: a value (read as `type` when given) or, with type 'entity', an id."""

    value: str
    type: str | None = None


@dataclass(frozen=True, slots=True)
class Holder:
    organisation: str
    #: 'local', or the name of the partner instance the organisation is on.
    instance: str
    reference: str


@dataclass(frozen=True, slots=True)
class Result:
    value: str
    kind: str
    #: The value as normalised for matching, and how.
    normalised: str
    how: str
    hit: bool
    holders: list[Holder] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RateLimit:
    limit: int
    remaining: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class Answer:
    query_id: int
    at: str
    results: list[Result]
    rate_limit: RateLimit
    #: Partner instances that could not be asked, with why (their holdings are not in the answer).
    unreachable: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


#: Asks partners about key strings ('kind key'); answers {(partner id, partner name): {organisation
#: on that partner: the asked key strings it holds}} and the partners that could not be asked.
Remote = Callable[[list[str]], tuple[dict[tuple[int, str], dict[str, set[str]]], list[str]]]


@dataclass(frozen=True, slots=True)
class Limits:
    """The instance's settings for hit queries (Settings.hit_* passes them)."""

    per_window: int = 1000
    window_seconds: int = 3600

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        """An organisation's budget here, in values."""
        return cls(settings.hit_values_per_window, settings.hit_window_seconds)

    @classmethod
    def of_partners(cls, settings: Settings) -> Limits:
        """A partner instance's budget here, in blinded elements."""
        return cls(settings.hit_partner_elements_per_window, settings.hit_window_seconds)


def _read(asked: Asked) -> tuple[values.Posting, Lookup]:
    if asked.type == ENTITY:
        if not IDENTIFIER_RE.match(asked.value):
            raise InvalidInput(f"'{asked.value}' is not a STIX identifier", value=asked.value)
        return values.Posting(ENTITY, asked.value, asked.value, ""), Lookup(())
    found = values.normalise(asked.value, asked.type)
    if not found:
        raise InvalidInput(f"'{asked.value}' is not a value that correlates; name its type", value=asked.value)
    first = found[0]
    # Exact keys only (an address also asks the networks containing it): a network asked about does
    # not sweep the addresses inside it, which would cost one value to search a /8; partners answer
    # the same way.
    return first, Lookup(tuple(dict.fromkeys(k for p in found for k in values.lookup_keys(p))))


def partner_keys(lookup: Lookup) -> list[str]:
    """What a partner is asked about for one value, as 'kind key' strings: its exact keys, and of
    the networks containing it those of PARTNER_PREFIXES."""
    return [
        f"{kind} {key}"
        for kind, key in lookup.exact
        if kind not in PARTNER_PREFIXES or int(key.rsplit("/", 1)[1]) in PARTNER_PREFIXES[kind]
    ]


def _check_rate(conn: Connection, principal: Principal, size: int, limits: Limits, now: str, *, lock: bool) -> int:
    """Refuse a query that would take the organisation past its limit; else what is left after it.
    With `lock`, the organisation's queries wait for each other from here to the commit."""
    if lock:
        store.lock_budget(conn, principal.org_id)
    since = format_ts(parse_ts(now) - timedelta(seconds=limits.window_seconds))
    used, first = store.asked_since(conn, principal.org_id, since)
    if used + size > limits.per_window:
        oldest = first or now
        wait = max(1, int((parse_ts(oldest) - parse_ts(since)).total_seconds()) + 1)
        raise RateLimited(
            f"your organisation may ask about {limits.per_window} values per {limits.window_seconds} s; "
            f"{max(limits.per_window - used, 0)} are left, this query asks about {size}",
            limit=limits.per_window,
            remaining=max(limits.per_window - used, 0),
            retry_after=wait,
        )
    return limits.per_window - used - size


def ask(
    conn: Connection,
    principal: Principal,
    asked: list[Asked],
    *,
    limits: Limits = Limits(),
    remote: Remote | None = None,
) -> Answer:
    """Answer a hit query for `principal`'s organisation, record it in the asker's history and
    audit it. An entity must be one the asker sees (else it is answered as unknown)."""
    principal.require(Action.READ)
    if principal.org_id is None:
        raise InvalidInput("a hit query needs an organisation to ask for")
    if not 1 <= len(asked) <= MAX_VALUES:
        raise InvalidInput(f"ask about 1 to {MAX_VALUES} values at a time", parameter="values")
    read = [_read(a) for a in asked]
    entity_ids = [p.key for p, _ in read if p.kind == ENTITY]
    seen = reads.current_versions(conn, principal, entity_ids)
    for stix_id in entity_ids:
        if stix_id not in seen:
            raise NotFound(f"no object {stix_id}")
    # Checked before asking anyone, and again under the budget's lock once partners have answered:
    # nothing is written (on SQLite: no lock is held) while partners are asked.
    _check_rate(conn, principal, len(asked), limits, clock.now(), lock=False)
    who = discovery.asker(conn, principal.org_id)

    by_value = iter(discovery.holders(conn, who, [lookup for p, lookup in read if p.kind != ENTITY]))
    # Per thing asked: (holder org id, partner id, holder name, instance, the key a request names).
    local: list[list[tuple[int | None, int | None, str, str, str]]] = []
    items: list[list[str]] = []  # what partners are asked about, per thing asked
    for posting, lookup in read:
        if posting.kind == ENTITY:
            ids = [posting.key, *same_entity(conn, principal, posting.key)]
            found = discovery.entity_holders(conn, who, ids)
            items.append([f"{ENTITY} {i}" for i in ids if i.split("--")[0] in NAMED_TYPES][:PARTNER_ENTITY_IDS])
        else:
            found = next(by_value)
            items.append(partner_keys(lookup))
        local.append([(org_id, None, name, LOCAL, posting.key) for org_id, name in found])

    unreachable: list[str] = []
    if remote is not None:
        wanted = sorted({item for mine in items for item in mine})
        if wanted:
            by_partner, unreachable = remote(wanted)
            for index, ((posting, _lookup), mine) in enumerate(zip(read, items, strict=True)):
                for (partner_id, partner_name), orgs in sorted(by_partner.items(), key=lambda i: i[0][1]):
                    for org, held in sorted(orgs.items()):
                        if matched := [item for item in mine if item in held]:
                            # An entity's request names the id the partner holds (a merge's other end).
                            key = matched[0].split(" ", 1)[1] if posting.kind == ENTITY else posting.key
                            local[index].append((None, partner_id, org, partner_name, key))

    now = clock.now()
    remaining = _check_rate(conn, principal, len(asked), limits, now, lock=True)
    query_id = store.add_query(conn, principal.org_id, principal.user_id, now, len(asked))
    wanted = [
        {
            "holder_org_id": org_id,
            "partner_id": partner_id,
            "holder_name": name,
            "kind": p.kind,
            "key": key,
            # A partner's entity hit is asked for by the id it holds, never the asker's own.
            "value": key if p.kind == ENTITY and partner_id is not None else a.value,
        }
        for (p, _lookup), a, holders in zip(read, asked, local, strict=True)
        for org_id, partner_id, name, _instance, key in holders
    ]
    tokens = iter(store.add_refs(conn, query_id, now, wanted))
    results = [
        Result(
            a.value,
            p.kind,
            p.shown,
            p.how or "as written",
            bool(holders),
            [Holder(name, instance, next(tokens)) for _org, _partner, name, instance, _key in holders],
        )
        for (p, _lookup), a, holders in zip(read, asked, local, strict=True)
    ]
    answer = Answer(query_id, now, results, RateLimit(limits.per_window, remaining, limits.window_seconds), unreachable)
    store.set_answer(conn, query_id, orjson.dumps(answer).decode())  # orjson writes dataclasses
    audit.record(
        conn,
        principal.user_name,
        "hit.queried",
        str(query_id),
        values=len(asked),
        hits=sum(len(r.holders) for r in results),
    )
    return answer


def history(conn: Connection, principal: Principal, limit: int = 50) -> list[dict]:
    """The caller's own queries and their answers, newest first (a partner's sync account's
    queries are counted, with no answer kept: not listed)."""
    principal.require(Action.READ)
    if principal.user_id is None:
        return []
    answers = (orjson.loads(row.answer) for row in store.history(conn, principal.user_id, limit))
    return [answer for answer in answers if "results" in answer]


def count_partner_query(conn: Connection, principal: Principal, elements: int, limits: Limits) -> int:
    """Count a partner instance's blinded query against its organisation's limit (in elements: the
    holder cannot see values); refuse it when over. Returns what is left."""
    now = clock.now()
    remaining = _check_rate(conn, principal, max(elements, MIN_CHARGE), limits, now, lock=True)
    store.add_query(conn, principal.org_id, principal.user_id, now, max(elements, MIN_CHARGE))
    return remaining
