"""Hit/no-hit queries and requests for information over random worlds, from the side of an agency that
wants to learn what it must not. Whatever organisations, groups (a partner instance among their
members), objects (SCOs and indicators carrying domains, addresses and a network, held by their owner
and sometimes by a second organisation, sometimes with a newer version that carries another value),
TLP levels, audiences (own, group, instance, another organisation directly) and discoverability (per
object, per organisation default) a world holds:

- every hit answer (values and entities) names exactly the organisations the model allows, once each;
- a value held only out of reach answers, over REST, byte for byte as a value nobody holds (the
  value's text, query id, time and the rate limit's remaining count aside);
- no answer carries an object id, a type name of a holding, a name or a label, or an organisation
  outside what the model allows; every reference is fresh;
- a partner instance's private set intersection finds, per organisation, exactly what the model allows;
- an entity the asker does not see, another organisation's reference or request answer as missing ones;
- an approved request shares exactly the versions the model allows, with the requester alone (every
  other organisation, and the partner, sees after what it saw before); when the holder has since
  made them undiscoverable, approval shares nothing;
- before and after the requests, every organisation (and the partner) reads, and correlates, exactly
  what the model's audiences (direct ones included) and approvals give it: hits add no other way in.

The oracle is this test's own model, written from the issue's rules: a holding answers an asker when
its organisation's newest version of the object carries the value; the organisation is not the
asker; its rule for the object, else its default, has a scope that reaches the asker ('instance':
the instance's organisations, 'partners': partner instances, 'group:g': g's members); TLP:RED only
through a group scope; TLP:AMBER+STRICT never. Address containment comes from `ipaddress`. Each
example builds its world through the real services on a fresh database: SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field

import orjson
import private_set_intersection.python as psi
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from liaison import accounts
from liaison.app import create_app
from liaison.config import Settings
from liaison.db.engine import make_engine
from liaison.db.tables import metadata
from liaison.errors import InvalidInput, LiaisonError, NotFound
from liaison.federation import partners as partners_service
from liaison.ingest.bundles import import_objects
from liaison.intel import correlation, discovery, hits, requests, sharing
from liaison.stix import values as stix_values
from liaison.store import reads

#: Examples on SQLite (each builds and checks a world, about 2 s); LIAISON_HIT_EXAMPLES hunts longer.
EXAMPLES = int(os.environ.get("LIAISON_HIT_EXAMPLES", os.environ.get("LIAISON_LEAK_EXAMPLES", "12")))
#: PostgreSQL answers each statement over a socket: fewer worlds there (each takes some 4 s).
PG_EXAMPLES = max(1, EXAMPLES // 2)
PHASES = [Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("LIAISON_LEAK_SHRINK") else [])

ORGS = ("Org Ash", "Org Birch", "Org Cedar", "Org Dogwood")
PARTNER = "Partner Elm"
VALUES = ("route.example", "cell.example", "198.51.100.7", "198.51.100.99", "198.51.100.0/24")
#: A value of each kind that nobody holds: what an out-of-reach value must answer like.
CONTROLS = {"domain": "nobody-holds.example", "address": "203.0.113.250", "network": "192.0.2.0/24"}
TLPS = (None, "clear", "green", "amber", "amber+strict", "red")
#: TLP 2.0 (FIRST) as this test reads it, apart from liaison.stix.tlp: the audiences a level may go to.
TLP_AUDIENCES = {
    None: {"org", "direct", "group", "instance"},
    "clear": {"org", "direct", "group", "instance"},
    "green": {"org", "direct", "group", "instance"},
    "amber": {"org", "direct", "group", "instance"},
    "amber+strict": {"org"},
    "red": {"org", "direct", "group"},
}
MARKINGS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
T0, T1 = "2025-01-01T00:00:00.000Z", "2025-02-01T00:00:00.000Z"
#: Words a hit answer never contains: type names of holdings (a value's kind 'domain-name' is the
#: asker's own word, so domains are held as indicators or as SCOs alike and not searched for).
TYPE_WORDS = ("indicator", "ipv4-addr")
STIX_ID = re.compile(r"[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-")


# --- the model ----------------------------------------------------------------------------------


def kind_of(value: str) -> str:
    try:
        network = ipaddress.ip_network(value)
    except ValueError:
        return "domain"
    return "network" if network.prefixlen < network.max_prefixlen and "/" in value else "address"


def correlates_in_view(held: str, asked: str) -> bool:
    """What value correlation matches: equal values; an address and a network that contains it,
    whichever of the two is asked."""
    if "domain" in (kind_of(held), kind_of(asked)):
        return held == asked
    a, b = ipaddress.ip_network(held), ipaddress.ip_network(asked)
    return a == b or a.subnet_of(b) or b.subnet_of(a)


def correlates(held: str, asked: str) -> bool:
    """What a local hit query matches: equal values, and an asked address in a held network (an
    address is asked with the networks that contain it; a network is asked as itself, so it does
    not sweep the addresses inside it)."""
    if "domain" in (kind_of(held), kind_of(asked)):
        return held == asked
    a, b = ipaddress.ip_network(held), ipaddress.ip_network(asked)
    return a == b or (kind_of(asked) == "address" and b.subnet_of(a))


def correlates_exactly(held: str, asked: str) -> bool:
    """What a partner's private set intersection matches: as locally, but of the networks containing
    an asked address only the blocks partners are asked about (IPv4 /8, /16, /24)."""
    if not correlates(held, asked):
        return False
    if kind_of(held) != "network" or kind_of(asked) != "address":
        return True
    return ipaddress.ip_network(held).prefixlen in (8, 16, 24)


@dataclass
class Holding:
    """An organisation's hold of an object: the value its newest version carries, that version's TLP,
    its own discoverability rule for the object (None: its default), the audience it shares it with
    and the organisations an approved request shared its newest version with."""

    org: int
    obj: int
    value: str
    tlp: str | None
    rule: tuple | None
    audience: tuple
    shared_with: set[int] = field(default_factory=set)


@dataclass
class Model:
    n_orgs: int
    groups: list[frozenset[int]]  # members: org indexes; n_orgs is the partner
    defaults: list[tuple]
    holdings: list[Holding] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)

    @property
    def partner(self) -> int:
        return self.n_orgs

    def name(self, org: int) -> str:
        return PARTNER if org == self.partner else ORGS[org]

    def reaches(self, h: Holding, asker: int) -> bool:
        """The issue's rules, as this test reads them."""
        if h.org == asker or h.tlp == "amber+strict":
            return False
        for scope in h.rule if h.rule is not None else self.defaults[h.org]:
            if scope == "none":
                continue
            if scope == "instance" and asker != self.partner and h.tlp != "red":
                return True
            if scope == "partners" and asker == self.partner and h.tlp != "red":
                return True
            if isinstance(scope, tuple) and asker in self.groups[scope[1]]:
                return True
        return False

    def holders(self, asker: int, asked: str, *, exact: bool = False) -> list[str]:
        match = correlates_exactly if exact else correlates
        return sorted({self.name(h.org) for h in self.holdings if match(h.value, asked) and self.reaches(h, asker)})

    def entity_holders(self, asker: int, obj: int) -> list[str]:
        return sorted({self.name(h.org) for h in self.holdings if h.obj == obj and self.reaches(h, asker)})

    def shared_on_approval(self, asker: int, holder: int, asked: str) -> set[str]:
        return {
            self.ids[h.obj]
            for h in self.holdings
            if h.org == holder and correlates(h.value, asked) and self.reaches(h, asker)
        }

    def sees(self, org: int, h: Holding) -> bool:
        """`org` may read the holding: its own, shared with it by an approval, or by its audience."""
        if org == h.org or org in h.shared_with:
            return True
        kind = h.audience[0]
        if kind == "instance":
            return org != self.partner
        if kind == "group":
            return org in self.groups[h.audience[1]]
        return kind == "direct" and org == h.audience[1]

    def view(self, org: int, obj: int) -> Holding | None:
        """What `org` reads of an object: its own chain when it holds it, else the owner's, else
        another's it may see."""
        held = sorted(
            (h for h in self.holdings if h.obj == obj), key=lambda h: (h.org != org, h.org != self.owners[obj])
        )
        return next((h for h in held if self.sees(org, h)), None)

    def out_of_reach(self, asker: int, asked: str) -> bool:
        """Held (by another organisation) yet answering nothing to `asker`."""
        held = any(correlates(h.value, asked) and h.org != asker for h in self.holdings)
        return held and not self.holders(asker, asked)


# --- the plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectPlan:
    owner: int
    indicator: bool
    value: int
    tlp: str | None
    audience: tuple  # ("org",) | ("instance",) | ("group", k) | ("direct", j)
    rule: tuple | None
    co_holder: tuple | None  # (org, audience, rule): a second organisation imports the same content
    newer: int | None  # the owner imports a newer version carrying VALUES[newer]


@dataclass(frozen=True)
class RequestPlan:
    asker: int
    value: int
    holder: int  # which of the hit's holders (modulo their number)
    intruder: int  # an organisation that tries the reference and the request
    change: str  # what the holder changes before deciding: "nothing", "object-none", "default-none"
    approve: bool


@dataclass(frozen=True)
class Plan:
    n_orgs: int
    groups: tuple[frozenset[int], ...]
    defaults: tuple[tuple, ...]
    objects: tuple[ObjectPlan, ...]
    requests: tuple[RequestPlan, ...]


SCOPE = st.one_of(st.just("instance"), st.just("partners"), st.tuples(st.just("group"), st.integers(0, 1)))
RULE = st.one_of(st.none(), st.just(("none",)), st.lists(SCOPE, min_size=1, max_size=3, unique=True).map(tuple))
AUDIENCE = st.one_of(
    st.just(("org",)),
    st.just(("instance",)),
    st.tuples(st.just("group"), st.integers(0, 1)),
    st.tuples(st.just("direct"), st.integers(0, 3)),
)


def _rule(plan_groups, org: int, rule: tuple | None) -> tuple | None:
    """A rule the organisation may set: group scopes only of its own groups (else none is set)."""
    if rule is None or rule == ("none",):
        return rule
    kept = tuple(s for s in rule if not isinstance(s, tuple) or (s[1] < len(plan_groups) and org in plan_groups[s[1]]))
    return kept or None


def _audience(plan_groups, n_orgs: int, org: int, audience: tuple, level: str | None) -> tuple:
    if audience[0] == "group" and (audience[1] >= len(plan_groups) or org not in plan_groups[audience[1]]):
        audience = ("org",)
    if audience[0] == "direct" and (audience[1] >= n_orgs or audience[1] == org):
        audience = ("org",)
    return audience if audience[0] in TLP_AUDIENCES[level] else ("org",)


@st.composite
def plans(draw) -> Plan:
    n_orgs = draw(st.integers(3, 4))
    everyone = list(range(n_orgs + 1))  # n_orgs: the partner
    groups = tuple(draw(st.lists(st.frozensets(st.sampled_from(everyone), min_size=2), min_size=1, max_size=2)))
    defaults = tuple(
        _rule(groups, i, draw(st.one_of(st.just(()), st.lists(SCOPE, min_size=1, max_size=2, unique=True).map(tuple))))
        or ()
        for i in range(n_orgs)
    )
    objects = []
    for _ in range(draw(st.integers(1, 6))):
        owner = draw(st.integers(0, n_orgs - 1))
        value = draw(st.integers(0, len(VALUES) - 1))
        indicator = draw(st.booleans()) or kind_of(VALUES[value]) == "network"
        level = draw(st.sampled_from(TLPS))
        audience = _audience(groups, n_orgs, owner, draw(AUDIENCE), level)
        co_holder = None
        if draw(st.booleans()):
            other = draw(st.integers(0, n_orgs - 1).filter(lambda o, owner=owner: o != owner))
            co_holder = (
                other,
                _audience(groups, n_orgs, other, draw(AUDIENCE), level),
                _rule(groups, other, draw(RULE)),
            )
        newer = draw(st.one_of(st.none(), st.integers(0, len(VALUES) - 1))) if indicator else None
        objects.append(
            ObjectPlan(owner, indicator, value, level, audience, _rule(groups, owner, draw(RULE)), co_holder, newer)
        )
    request = st.builds(
        RequestPlan,
        asker=st.integers(0, n_orgs - 1),
        value=st.integers(0, len(VALUES) - 1),
        holder=st.integers(0, 3),
        intruder=st.integers(0, n_orgs - 1),
        change=st.sampled_from(["nothing", "nothing", "object-none", "default-none"]),
        approve=st.booleans(),
    )
    return Plan(n_orgs, groups, defaults, tuple(objects), tuple(draw(st.lists(request, max_size=3))))


# --- the world ----------------------------------------------------------------------------------


def _spec(model: Model, audience: tuple) -> str:
    if audience[0] == "group":
        return f"group:g{audience[1]}"
    if audience[0] == "direct":
        return f"org:{ORGS[audience[1]]}"
    return audience[0]


def _specs(rule: tuple) -> list[str]:
    return [s if isinstance(s, str) else f"group:g{s[1]}" for s in rule]


def _object(model: Model, plan: ObjectPlan, value: str, modified: str, stix_id: str | None = None) -> dict:
    kind = kind_of(value)
    if plan.indicator:
        sco_type = "domain-name" if kind == "domain" else "ipv4-addr"
        secret = f"zq{uuid.uuid4().hex[:12]}"
        model.secrets.append(secret)
        obj = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": stix_id or f"indicator--{uuid.uuid4()}",
            "created": T0,
            "modified": modified,
            "name": f"{secret} name",
            "labels": [f"{secret}-label"],
            "pattern": f"[{sco_type}:value = '{value}']",
            "pattern_type": "stix",
            "valid_from": T0,
        }
    else:
        sco_type = "domain-name" if kind == "domain" else "ipv4-addr"
        obj = {"type": sco_type, "spec_version": "2.1", "id": f"{sco_type}--{uuid.uuid4()}", "value": value}
    if plan.tlp:
        obj["object_marking_refs"] = [MARKINGS[plan.tlp]]
    return obj


def _user(org: int) -> str:
    return f"analyst{org}"


def _hold(conn, model: Model, principal, obj: dict, audience: tuple) -> None:
    """Import `obj` for `audience`. Another organisation directly is shared with after importing
    for the own organisation, as analysts do: an import straight to 'org:<name>' leaves the importer
    without sight of its own holding (tests/test_hostile_hits.py shows it)."""
    if audience[0] == "direct":
        import_objects(conn, principal, [obj], audience="org")
        sharing.share(conn, principal, obj["id"], _spec(model, audience))
    else:
        import_objects(conn, principal, [obj], audience=_spec(model, audience))


def build(engine, plan: Plan) -> Model:
    model = Model(plan.n_orgs, list(plan.groups), list(plan.defaults))
    with engine.begin() as conn:
        for i in range(plan.n_orgs):
            accounts.create_org(conn, ORGS[i])
            accounts.create_user(conn, _user(i), ORGS[i], "analyst")
            accounts.create_user(conn, f"admin{i}", ORGS[i], "admin")
        partners_service.add_partner(conn, PARTNER, None, None, None)
        accounts.create_user(conn, "partner-sync", PARTNER, "sync")
        for k, members in enumerate(plan.groups):
            accounts.create_group(conn, f"g{k}", [model.name(m) for m in sorted(members)])
        for i, default in enumerate(plan.defaults):
            if default:
                discovery.set_default(conn, accounts.principal_for_user(conn, f"admin{i}"), _specs(default))
    for o in plan.objects:
        first = _object(model, o, VALUES[o.value], T0)
        model.ids.append(first["id"])
        model.owners.append(o.owner)
        index = len(model.ids) - 1
        with engine.begin() as conn:
            owner = accounts.principal_for_user(conn, _user(o.owner))
            _hold(conn, model, owner, first, o.audience)
            if o.co_holder is not None:
                other, audience, rule = o.co_holder
                holder = accounts.principal_for_user(conn, _user(other))
                _hold(conn, model, holder, first, audience)
                if rule is not None:
                    discovery.set_object(conn, holder, first["id"], _specs(rule))
                model.holdings.append(Holding(other, index, VALUES[o.value], o.tlp, rule, audience))
            value = VALUES[o.value]
            if o.newer is not None:
                value = VALUES[o.newer]
                newer = _object(model, o, value, T1, first["id"])
                _hold(conn, model, owner, newer, o.audience)
            if o.rule is not None:
                discovery.set_object(conn, owner, first["id"], _specs(o.rule))
            model.holdings.append(Holding(o.owner, index, value, o.tlp, o.rule, o.audience))
    return model


# --- the checks ---------------------------------------------------------------------------------


def _principal(engine, user: str):
    with engine.begin() as conn:
        return accounts.principal_for_user(conn, user)


def _names(answer: hits.Answer) -> list[list[str]]:
    return [[h.organisation for h in r.holders] for r in answer.results]


def _clean(text: str, model: Model, allowed_names: set[str], asked_ids: set[str] = frozenset()) -> list[str]:
    """What an answer shows that it must not: ids (other than those asked about), type names of
    holdings, names and labels, organisations outside `allowed_names`."""
    found = [i for i in model.ids if i in text and i not in asked_ids]
    found += [s for s in model.secrets if s in text]
    found += [i for i in STIX_ID.findall(text) if not any(a.startswith(i) for a in asked_ids)]
    if not asked_ids:
        found += [w for w in TYPE_WORDS if w in text]
    found += [n for n in (*ORGS[: model.n_orgs], PARTNER) if n in text and n not in allowed_names]
    return found


def check_hits(engine, model: Model, references: list[str]) -> dict[int, hits.Answer]:
    """Each organisation asks about every value (and the controls), then about each entity it sees."""
    asked = [*VALUES, *CONTROLS.values()]
    answers = {}
    for org in range(model.n_orgs):
        principal = _principal(engine, _user(org))
        with engine.begin() as conn:
            answer = hits.ask(conn, principal, [hits.Asked(v) for v in asked])
        answers[org] = answer
        expected = [model.holders(org, v) for v in asked]
        assert _names(answer) == expected, (ORGS[org], list(zip(asked, _names(answer), expected, strict=True)))
        assert [r.hit for r in answer.results] == [bool(e) for e in expected]
        leaked = _clean(orjson.dumps(answer.as_dict()).decode(), model, set().union(*map(set, expected)))
        assert not leaked, (ORGS[org], leaked)
        references += [h.reference for r in answer.results for h in r.holders]
        for result, value in zip(answer.results, asked, strict=True):
            if model.out_of_reach(org, value):  # the control of its kind answers the same
                control = answer.results[asked.index(CONTROLS[kind_of(value)])]
                mine = {k: v for k, v in orjson.loads(orjson.dumps(result)).items() if k not in ("value", "normalised")}
                theirs = {
                    k: v for k, v in orjson.loads(orjson.dumps(control)).items() if k not in ("value", "normalised")
                }
                assert mine == theirs, (ORGS[org], value)

        # entities: those the asker sees answer by the model; one it does not see answers as unknown
        with engine.begin() as conn:
            seen = set(reads.current_versions(conn, principal, model.ids))
        shown = [i for i, stix_id in enumerate(model.ids) if stix_id in seen]
        if shown:
            with engine.begin() as conn:
                found = hits.ask(conn, principal, [hits.Asked(model.ids[i], "entity") for i in shown])
            expected = [model.entity_holders(org, i) for i in shown]
            assert _names(found) == expected, (ORGS[org], "entities")
            text = orjson.dumps(found.as_dict()).decode()
            leaked = _clean(text, model, set().union(*map(set, expected)), {model.ids[i] for i in shown})
            assert not leaked, (ORGS[org], leaked)
            references += [h.reference for r in found.results for h in r.holders]
        hidden = [stix_id for stix_id in model.ids if stix_id not in seen]
        if hidden:
            invented = f"{hidden[0].split('--')[0]}--{uuid.uuid4()}"
            errors = []
            for stix_id in (hidden[0], invented):
                with pytest.raises(NotFound) as refused, engine.begin() as conn:
                    hits.ask(conn, principal, [hits.Asked(stix_id, "entity")])
                errors.append((refused.value.message.replace(stix_id, "ID"), refused.value.details))
            assert errors[0] == errors[1]
    assert len(set(references)) == len(references), "a reference was given twice"
    for org in range(model.n_orgs):  # each user's history is its own
        with engine.connect() as conn:
            mine = hits.history(conn, _principal(engine, _user(org)), limit=500)
        assert answers[org].query_id in {q["query_id"] for q in mine}
        assert all(q["query_id"] not in {a.query_id for o, a in answers.items() if o != org} for q in mine)
    return answers


_VOLATILE = (re.compile(rb'"query_id":\d+'), re.compile(rb'"at":"[^"]*"'), re.compile(rb'"remaining":\d+'))


def _bytes_of(response, asked: list[str]) -> tuple[bytes, dict]:
    body = response.content
    for value in asked:
        body = body.replace(f'"{value}"'.encode(), b'"VALUE"')
    for pattern in _VOLATILE:
        body = pattern.sub(b"", body)
    headers = {
        k: v for k, v in response.headers.items() if k not in ("content-length", "x-ratelimit-remaining", "date")
    }
    return body, headers


def check_rest_bytes(api: TestClient, tokens: dict[str, str], model: Model) -> None:
    """Values held only out of reach answer over REST as values nobody holds, byte for byte: one
    query of the out-of-reach values, one of the controls of the same kinds in the same order."""
    for org in range(model.n_orgs):
        headers = {"Authorization": f"Bearer {tokens[_user(org)]}"}
        hidden = [v for v in VALUES if model.out_of_reach(org, v)]
        if not hidden:
            continue
        controls = [CONTROLS[kind_of(v)] for v in hidden]
        got = [
            api.post("/api/v1/hits", json={"values": [{"value": v} for v in asked]}, headers=headers)
            for asked in (hidden, controls)
        ]
        assert got[0].status_code == got[1].status_code == 200, got[0].text
        assert _bytes_of(got[0], hidden) == _bytes_of(got[1], controls), (ORGS[org], hidden)


def _psi_keys(value: str) -> list[str]:
    posting = stix_values.normalise(value, None)[0]
    return [f"{kind} {key}" for kind, key in stix_values.lookup_keys(posting)]


def check_partner(api: TestClient, token: str, model: Model) -> None:
    """The partner's private set intersection finds, per organisation, exactly what the model allows."""
    asked = [*VALUES, *CONTROLS.values()]
    items = sorted({k for v in asked for k in _psi_keys(v)})
    client = psi.client.CreateWithNewKey(True)
    request = base64.b64encode(client.CreateRequest(items).SerializeToString()).decode()
    reply = api.post("/api/v1/federation/hits", json={"request": request}, headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    response = psi.Response()
    response.ParseFromString(base64.b64decode(body["response"]))
    held: dict[str, set[str]] = {}
    for org, setup_text in body["setups"].items():
        setup = psi.ServerSetup()
        setup.ParseFromString(base64.b64decode(setup_text))
        held[org] = {items[i] for i in client.GetIntersection(setup, response)}
    for value in asked:
        found = sorted(org for org, keys in held.items() if keys & set(_psi_keys(value)))
        assert found == model.holders(model.partner, value, exact=True), ("partner", value)


def check_views(engine, model: Model) -> None:
    """Every organisation (and the partner) reads, and correlates, exactly what the model says: its
    own holdings, what audiences (direct ones included) and approved requests gave it."""
    for org in range(model.n_orgs + 1):
        user = "partner-sync" if org == model.partner else _user(org)
        views = {model.ids[i]: model.view(org, i) for i in range(len(model.ids))}
        views = {stix_id: h for stix_id, h in views.items() if h is not None}
        with engine.begin() as conn:
            principal = accounts.principal_for_user(conn, user)
            assert set(reads.current_versions(conn, principal, model.ids)) == set(views), model.name(org)
            if org == model.partner:
                continue
            for value in [*VALUES, *CONTROLS.values()]:
                found = correlation.carrying(conn, principal, value, limit=1000, cap=1000)
                expected = {stix_id for stix_id, h in views.items() if correlates_in_view(h.value, value)}
                assert {hit.id for hit in found.hits} == expected, (model.name(org), value)


def _visible(engine, model: Model) -> dict[int, set[str]]:
    seen = {}
    for org in range(model.n_orgs + 1):
        user = "partner-sync" if org == model.partner else _user(org)
        with engine.begin() as conn:
            seen[org] = set(reads.current_versions(conn, accounts.principal_for_user(conn, user), model.ids))
    return seen


def _refusal(engine, service, principal, *args, **kwargs) -> tuple[type, str, dict]:
    with pytest.raises(LiaisonError) as refused, engine.begin() as conn:
        service(conn, principal, *args, **kwargs)
    return type(refused.value), refused.value.message, refused.value.details


def check_requests(engine, model: Model, plan: Plan, answers: dict[int, hits.Answer]) -> None:
    for r in plan.requests:
        value = VALUES[r.value]
        result = answers[r.asker].results[r.value]
        if not result.holders:
            continue
        hit = result.holders[r.holder % len(result.holders)]
        holder = ORGS.index(hit.organisation)
        asker, owner = _principal(engine, _user(r.asker)), _principal(engine, _user(holder))
        intruder = _principal(engine, _user(r.intruder))

        if r.intruder != r.asker:  # another organisation's reference answers as an invented one
            stolen = _refusal(engine, requests.ask, intruder, hit.reference, "curious")
            invented = _refusal(engine, requests.ask, intruder, f"x{hit.reference[1:]}", "curious")
            assert stolen == invented and stolen[0] is NotFound
        with engine.begin() as conn:
            made = requests.ask(conn, asker, hit.reference, "case 41")
        assert (made.holder, made.value, made.status) == (ORGS[holder], value, "open")
        if r.intruder not in (r.asker, holder):  # another organisation's request answers as a missing one
            for service, args in ((requests.get, ()), (requests.decide, ())):
                kwargs = {"approve": True} if service is requests.decide else {}
                theirs = _refusal(engine, service, intruder, made.id, *args, **kwargs)
                none = _refusal(engine, service, intruder, str(uuid.uuid4()), *args, **kwargs)
                assert theirs == none and theirs[0] is NotFound

        if r.change == "object-none":  # the holder takes back what it made discoverable
            for h in model.holdings:
                if h.org == holder and correlates(h.value, value):
                    with engine.begin() as conn:
                        discovery.set_object(conn, owner, model.ids[h.obj], ["none"])
                    h.rule = ("none",)
        elif r.change == "default-none":
            with engine.begin() as conn:
                discovery.set_default(conn, accounts.principal_for_user(conn, f"admin{holder}"), ["none"])
            model.defaults[holder] = ()

        before = _visible(engine, model)
        expected = model.shared_on_approval(r.asker, holder, value)
        if r.approve and expected:
            with engine.begin() as conn:
                done = requests.decide(conn, owner, made.id, approve=True)
            assert (done.status, set(done.shared)) == ("approved", expected), (ORGS[holder], value)
            for h in model.holdings:
                if h.org == holder and model.ids[h.obj] in expected:
                    h.shared_with.add(r.asker)
        else:
            if r.approve:  # nothing discoverable any more: approval shares nothing
                refused = _refusal(engine, requests.decide, owner, made.id, approve=True)
                assert refused[0] is InvalidInput
            with engine.begin() as conn:
                done = requests.decide(conn, owner, made.id, approve=False, message="not now")
            assert (done.status, done.shared) == ("declined", [])
            expected = set()
        after = _visible(engine, model)
        for org in range(model.n_orgs + 1):
            if org == r.asker:
                assert expected <= after[org] and after[org] - before[org] <= expected, (ORGS[org], value)
            else:
                assert after[org] == before[org], (model.name(org), "gained what a request shared", value)


# --- the test -----------------------------------------------------------------------------------


def _fresh(db: str, request, tmp_path_factory) -> str:
    """An empty, migrated database of kind `db` for one example."""
    if db == "sqlite":
        path = tmp_path_factory.mktemp("hits") / "liaison.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as conn:  # the tables are tiny: DELETE is much faster than TRUNCATE here
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()
    return url


def _check_world(db: str, request, tmp_path_factory, plan: Plan) -> None:
    engine = make_engine(_fresh(db, request, tmp_path_factory))
    try:
        model = build(engine, plan)
        with engine.begin() as conn:
            tokens = {
                user: accounts.create_token(conn, user)
                for user in [_user(i) for i in range(plan.n_orgs)] + ["partner-sync"]
            }
        app = create_app(Settings(sync_interval=0, hit_answer_floor=0), engine=engine)
        check_views(engine, model)
        with TestClient(app) as api:
            answers = check_hits(engine, model, [])
            check_rest_bytes(api, tokens, model)
            check_partner(api, tokens["partner-sync"], model)
        check_requests(engine, model, plan, answers)
        check_views(engine, model)
        if any(r.change != "nothing" for r in plan.requests):
            check_hits(engine, model, [])  # the model again, after what the holders changed
    finally:
        engine.dispose()


SETTINGS = {
    "deadline": None,
    "print_blob": True,
    "database": None,
    "phases": PHASES,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(plan=plans())
def test_hits_and_requests_answer_only_what_the_rules_allow(request, tmp_path_factory, plan):
    _check_world("sqlite", request, tmp_path_factory, plan)


@settings(max_examples=PG_EXAMPLES, **SETTINGS)
@given(plan=plans())
def test_hits_and_requests_answer_only_what_the_rules_allow_on_postgresql(request, tmp_path_factory, plan):
    _check_world("postgresql", request, tmp_path_factory, plan)
