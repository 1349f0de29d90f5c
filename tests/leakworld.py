"""Random worlds for the property test of leaks (tests/test_property_leaks.py), with an oracle kept
apart from the code under test.

A plan (drawn by hypothesis) says which organisations, groups and partner exist, which objects
each organisation imports (several versions, later ones sanitised: every version carries new
secrets; corrections under the same `modified`), and what happens next: shares, withdrawals,
notes, opinions, merges, drafts and their publications, re-imports of contents. `build` runs the
plan through the real services and REST API, and keeps its own model of who holds which content for
which audience (`Model`), updated from what the test asked for (never from what the store says),
and only when the write was accepted and TLP 2.0 allowed it. From the model, `Model.allowed`
says which secrets and ids an organisation may meet in any output; `walk` collects the outputs.

Every secret is unique and recognisable, so a leak is a substring: names are two invented words
(each word is a secret), other values are `zq` + hex words, coordinates have a unique three-decimal
prefix above 60 (no timestamp second looks like one).
"""

from __future__ import annotations

import base64
import functools
import random
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote_plus

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import update
from txn import committed

from liaison import accounts
from liaison.access.credentials import hash_password
from liaison.db.tables import user as user_table
from liaison.errors import LiaisonError
from liaison.federation import partners as partners_service
from liaison.intel import annotations
from liaison.intel.draft_bundle import observable_id
from liaison.store.chunks import chunks

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/liaison"
PASSWORD = "pw-leakworld-9f3a"
TLPS = (None, "clear", "green", "amber", "amber+strict", "red")
#: TLP 2.0 as published (FIRST): which audience kinds each level may be given. Kept here, apart from
#: liaison.stix.tlp, so the oracle does not borrow the rule it checks.
TLP_AUDIENCES = {
    None: {"org", "group", "instance"},
    "clear": {"org", "group", "instance"},
    "green": {"org", "group", "instance"},
    "amber": {"org", "group", "instance"},
    "amber+strict": {"org"},
    "red": {"org", "group"},
}
TLP_MARKINGS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
KINDS = ("intrusion-set", "person", "threat-actor", "location", "email-addr", "relationship", "report", "sighting")
NAMED = ("intrusion-set", "person", "threat-actor", "location")
ORG_NAMES = ("Org Ash", "Org Birch", "Org Cedar", "Org Dogwood")
PARTNER_NAME = "Partner Elm"
CREATED = "2025-01-01T00:00:00.000Z"
_CONSONANTS, _VOWELS = "bdfgklmnprstvz", "aeiou"


# --- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    tlp: str | None
    audience: tuple  # ("org",) | ("group", k) | ("instance",): k-th group the owner is in
    correction: tuple | None  # None, or the audience of a correction (same modified, new content)


@dataclass(frozen=True)
class ObjectPlan:
    kind: str
    owner: int
    authored: bool  # created_by_ref names the owner (else the id is open to others' claims)
    versions: tuple[Version, ...]
    refs: tuple[int, ...]  # earlier objects (relationship ends, report refs, sighting targets)


@dataclass(frozen=True)
class Plan:
    n_orgs: int
    partner: bool
    groups: tuple[frozenset[int], ...]  # members: local org indexes, n_orgs for the partner
    objects: tuple[ObjectPlan, ...]
    ops: tuple[tuple, ...]
    seed: int

    def describe(self) -> str:
        lines = [
            f"orgs: {', '.join(ORG_NAMES[: self.n_orgs])}" + (f" + partner {PARTNER_NAME}" if self.partner else "")
        ]
        for k, members in enumerate(self.groups):
            lines.append(f"group g{k}: {sorted(_org_name(self, m) for m in members)}")
        for j, o in enumerate(self.objects):
            lines.append(
                f"object #{j} {o.kind} of {ORG_NAMES[o.owner]}{' (created_by_ref)' if o.authored else ''}"
                f" refs={list(o.refs)}: "
                + "; ".join(
                    f"v{n} tlp={v.tlp} aud={v.audience}" + (f" corrected aud={v.correction}" if v.correction else "")
                    for n, v in enumerate(o.versions)
                )
            )
        for op in self.ops:
            lines.append(f"op {op}")
        return "\n".join(lines)


def _org_name(plan: Plan, index: int) -> str:
    return PARTNER_NAME if index >= plan.n_orgs else ORG_NAMES[index]


# --- the model (the oracle) -------------------------------------------------------------------


@dataclass
class Content:
    """One content someone holds: the secrets it carries, the ids it is (a version of) and refers to,
    and who holds it for which audiences. `restrict`: whoever is outside may never see it (an
    annotation or merge cannot reach further than its object did when it was written)."""

    label: str
    ids: set[str]
    tokens: set[str]
    refs: set[str] = field(default_factory=set)
    holdings: dict[int, set[str]] = field(default_factory=dict)  # holder -> audience keys, live
    history: set[int] = field(default_factory=set)  # holders of it as superseded history
    restrict: frozenset[int] | None = None
    object_id: str | None = None  # the world object it is a version of
    modified: str | None = None
    tlp: str | None = None
    annotation_of: str | None = None  # for notes and opinions: the object
    author: int | None = None
    raw: dict | None = None  # the STIX content, for re-imports


class Model:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.locals = set(range(plan.n_orgs))
        self.members: dict[str, set[int]] = {f"org:{i}": {i} for i in range(plan.n_orgs + plan.partner)}
        self.members["instance"] = set(self.locals)
        for k, group in enumerate(plan.groups):
            self.members[f"group:{k}"] = set(group)
        self.contents: list[Content] = []
        self.text_tokens: dict[int, set[str]] = {i: set() for i in range(plan.n_orgs + plan.partner)}
        #: ids an organisation computed from what it wrote (an observable's id from its value)
        self.text_ids: dict[int, set[str]] = {i: set() for i in range(plan.n_orgs + plan.partner)}
        #: names of world objects, by object id, per content (for the resolution check)
        self.notes: list[str] = []

    # who sees what
    def sees_content(self, org: int, c: Content) -> bool:
        if c.restrict is not None and org not in c.restrict:
            return False
        if org in c.history:
            return True
        return any(org in self.members[a] for auds in c.holdings.values() for a in auds)

    def visible_contents(self, org: int) -> list[Content]:
        return [c for c in self.contents if self.sees_content(org, c)]

    def sees_object(self, org: int, object_id: str) -> bool:
        return any(
            c.object_id == object_id and org not in c.history and self.sees_content(org, c) for c in self.contents
        )

    def allowed(self, org: int, typed: bool = True) -> tuple[set[str], set[str]]:
        """(secrets, ids) `org` may meet; with `typed`, also what it wrote itself in its drafts."""
        tokens, ids = (set(self.text_tokens[org]), set(self.text_ids[org])) if typed else (set(), set())
        for c in self.visible_contents(org):
            tokens |= c.tokens
            ids |= c.ids | c.refs
        return tokens, ids

    def all_tokens(self) -> set[str]:
        return set().union(*(c.tokens for c in self.contents), *self.text_tokens.values())

    def all_ids(self) -> set[str]:
        return set().union(*(c.ids for c in self.contents))

    def kind(self, audience_key: str) -> str:
        return audience_key.split(":")[0]

    # writes, applied only when accepted by the system and allowed by TLP
    def add(self, c: Content) -> Content:
        """Know of a content (its secrets and ids are forbidden to all until someone holds it)."""
        existing = next((x for x in self.contents if x.label == c.label), None)
        if existing is None:
            self.contents.append(c)
            existing = c
        return existing

    def hold(self, c: Content, org: int, audience_key: str) -> bool:
        """`org` holds `c` for an audience, if it may (it is in it; TLP allows it)."""
        c = self.add(c)
        if self.kind(audience_key) not in TLP_AUDIENCES[c.tlp] or org not in self.members[audience_key]:
            return False
        c.holdings.setdefault(org, set()).add(audience_key)
        return True

    def correct(self, old: Content, new: Content, org: int, audience_key: str) -> None:
        """`org` replaces `old` by `new` (same id and modified): old is its history only; new is held
        for the audiences old had that new's TLP allows, and for the import's."""
        kept = {a for a in old.holdings.pop(org, set()) if self.kind(a) in TLP_AUDIENCES[new.tlp]}
        old.history.add(org)
        new = self.add(new)
        new.holdings[org] = kept
        self.hold(new, org, audience_key)

    def live(self, org: int, object_id: str) -> list[Content]:
        return [c for c in self.contents if c.object_id == object_id and c.holdings.get(org)]

    def current(self, org: int, object_id: str) -> list[Content]:
        held = self.live(org, object_id)
        newest = max((c.modified for c in held), default=None)
        return [c for c in held if c.modified == newest]

    def share(self, org: int, object_id: str, audience_key: str, all_versions: bool) -> None:
        for c in (self.live if all_versions else self.current)(org, object_id):
            self.hold(c, org, audience_key)

    def unshare(self, org: int, object_id: str, audience_key: str, all_versions: bool) -> None:
        own = f"org:{org}"
        targets = (self.live if all_versions else self.current)(org, object_id)
        targets += [
            c for c in self.contents if c.annotation_of == object_id and c.author == org and c.holdings.get(org)
        ]
        for c in targets:
            auds = c.holdings[org]
            auds.discard(audience_key)
            if not auds:
                auds.add(own)


# --- secrets ----------------------------------------------------------------------------------


class Secrets:
    """Unique recognisable strings, reproducible from the plan's seed."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.used: set[str] = set()
        self.coordinate_prefixes: set[str] = set()

    def _unique(self, make) -> str:
        while True:
            value = make()
            if value not in self.used and not any(value in u or u in value for u in self.used):
                self.used.add(value)
                return value

    def word(self) -> str:
        def make():
            syllables = "".join(self.rng.choice(_CONSONANTS) + self.rng.choice(_VOWELS) for _ in range(3))
            return (syllables + self.rng.choice("lmnr")).capitalize()

        return self._unique(make)

    def name(self) -> str:
        return f"{self.word()} {self.word()}"

    def hex(self) -> str:
        return self._unique(lambda: "zq" + "".join(self.rng.choice("0123456789abcdef") for _ in range(14)))

    def coordinate(self, low: int, high: int) -> tuple[float, str]:
        """A value whose first three decimals are unique (its secret), with 4th and 5th decimals 10..40,
        so rounding to 3 or 4 decimals keeps the prefix."""
        while True:
            whole, thousandths = self.rng.randint(low, high), self.rng.randint(0, 999)
            prefix = f"{whole}.{thousandths:03d}"
            if prefix not in self.coordinate_prefixes:
                self.coordinate_prefixes.add(prefix)
                return float(f"{prefix}{self.rng.randint(10, 40)}"), prefix


def words(name: str) -> set[str]:
    return set(name.split())


# --- building the world -------------------------------------------------------------------------


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class Caller:
    index: int
    org: str
    user: str
    token: str
    partner: bool
    web: TestClient | None = None

    @property
    def bearer(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def basic(self) -> dict:
        raw = base64.b64encode(f"{self.user}:{self.token}".encode()).decode()
        return {"Authorization": f"Basic {raw}", "Accept": TAXII}


@dataclass
class Output:
    """Something a caller received: where from, the text, what the caller itself sent that the
    answer may repeat (`echo`), and, for answers of writes, what the caller might see just before
    or after the write (`allowance`; reads are judged by the final world)."""

    caller: int
    where: str
    text: str
    echo: tuple[str, ...] = ()
    allowance: tuple[set[str], set[str]] | None = None


@dataclass
class World:
    plan: Plan
    engine: object
    client: TestClient
    model: Model
    callers: list[Caller]
    object_ids: list[str | None]
    names: dict[str, set[str]]  # world object id -> every name (and alias) any version had
    name_owner: dict[str, str]  # name -> the world object id of the version carrying it
    drafts: list[tuple[int, str]]  # (org, draft id)
    reports: list[str]
    emails: dict[int, str] = field(default_factory=dict)
    outputs: list[Output] = field(default_factory=list)
    never: dict = field(default_factory=dict)
    log: list[str] = field(default_factory=list)  # the writes and their answers
    problems: list[str] = field(default_factory=list)  # violations found while building (answers)
    identities: dict[int, str] = field(default_factory=dict)

    def audience_key(self, org: int, audience: tuple) -> tuple[str, str]:
        """(spec for the API, model key) of a plan audience for `org`."""
        if audience[0] == "instance":
            return "instance", "instance"
        if audience[0] == "group":
            mine = [k for k, g in enumerate(self.plan.groups) if org in g]
            if mine:
                k = mine[audience[1] % len(mine)]
                return f"group:g{k}", f"group:{k}"
        return "org", f"org:{org}"

    def record(self, caller: int, where: str, response, echo=()) -> None:
        self.outputs.append(Output(caller, where, response.text, tuple(echo)))
        if response.status_code >= 500:
            self.problems.append(f"{_org_name(self.plan, caller)}: {where}: server error {response.status_code}")
        self.log.append(f"{_org_name(self.plan, caller)}: {where} -> {response.status_code} {response.text[:160]}")

    def step(self, action, *args) -> None:
        """Run one write of the plan; its answers are judged by what their callers might see before
        or after it."""
        first = len(self.outputs)
        before = {c.index: self.model.allowed(c.index) for c in self.callers}
        action(*args)
        for output in self.outputs[first:]:
            tokens, ids = self.model.allowed(output.caller)
            output.allowance = (tokens | before[output.caller][0], ids | before[output.caller][1])


def _secret_content(
    world: World, s: Secrets, plan: ObjectPlan, index: int, n: int, modified: str, tlp: str | None
) -> tuple[dict, set[str], set[str], set[str]]:
    """The STIX content of version `n` of object `index`: (object, secrets, names, refs)."""
    stix_id = world.object_ids[index]
    tokens: set[str] = set()
    names: set[str] = set()
    refs: set[str] = set()
    obj = {"id": stix_id, "spec_version": "2.1"}

    def secret() -> str:
        value = s.hex()
        tokens.add(value)
        return value

    def name() -> str:
        value = s.name()
        tokens.update(words(value))
        names.add(value)
        return value

    def ref(k: int) -> str | None:
        target = world.object_ids[k]
        if target:
            refs.add(target)
        return target

    kind = plan.kind
    if kind == "email-addr":
        obj.update(type="email-addr", value=world.emails[index], x_source=secret())
        tokens.add(world.emails[index].split("@")[0])
        return obj, tokens, names, refs
    obj.update(created=CREATED, modified=modified)
    if plan.authored:
        obj["created_by_ref"] = world.identities[plan.owner]
    if tlp:
        obj["object_marking_refs"] = [TLP_MARKINGS[tlp]]
    if kind == "intrusion-set":
        obj.update(type="intrusion-set", name=name(), aliases=[name()], description=secret(), x_source=secret())
    elif kind == "person":
        role = s.word()
        tokens.add(role)
        obj.update(
            type="identity",
            identity_class="individual",
            name=name(),
            roles=[f"Commander {role}"],
            description=secret(),
            x_source=secret(),
        )
    elif kind == "threat-actor":
        obj.update(
            type="threat-actor",
            name=name(),
            resource_level="individual",
            threat_actor_types=["criminal"],
            description=secret(),
            x_source=secret(),
        )
    elif kind == "location":
        lat, lat_token = s.coordinate(60, 88)
        lon, lon_token = s.coordinate(100, 178)
        tokens.update({lat_token, lon_token})
        obj.update(type="location", name=name(), latitude=lat, longitude=lon, description=secret(), x_source=secret())
    elif kind == "relationship":
        source, target = (ref(k) for k in plan.refs[:2])
        target_kind = world.plan.objects[plan.refs[1]].kind
        obj.update(
            type="relationship",
            relationship_type="located-at" if target_kind == "location" else "related-to",
            source_ref=source,
            target_ref=target,
            description=secret(),
            x_source=secret(),
        )
    elif kind == "report":
        obj.update(
            type="report",
            name=f"Report {secret()}",
            published=modified,
            description=secret(),
            object_refs=[ref(k) for k in plan.refs],
            report_types=["threat-report"],
        )
    elif kind == "sighting":
        target = next(k for k in plan.refs if world.plan.objects[k].kind in NAMED)
        places = [k for k in plan.refs if world.plan.objects[k].kind == "location" and k != target]
        obj.update(
            type="sighting",
            sighting_of_ref=ref(target),
            count=3,
            first_seen=modified,
            last_seen=modified,
            description=secret(),
            x_source=secret(),
        )
        if places:
            obj["where_sighted_refs"] = [ref(places[0])]
    return obj, tokens, names, refs


def _fix_kind(plan: Plan, j: int, o: ObjectPlan) -> str:
    """Kinds that need earlier objects fall back to an intrusion set when there are none."""
    earlier = [plan.objects[k].kind for k in o.refs]
    if o.kind == "relationship" and len(o.refs) < 2:
        return "intrusion-set"
    if o.kind == "report" and not o.refs:
        return "intrusion-set"
    if o.kind == "sighting" and not any(k in NAMED for k in earlier):
        return "intrusion-set"
    return o.kind


def _modified(n: int) -> str:
    return f"2025-{n + 2:02d}-01T00:00:00.000Z"


def build(engine, plan: Plan) -> World:
    from liaison.app import create_app

    # organisations, partner, groups, users
    callers = []
    with engine.begin() as conn:
        for i in range(plan.n_orgs):
            accounts.create_org(conn, ORG_NAMES[i])
        if plan.partner:
            partners_service.add_partner(conn, PARTNER_NAME, None, None, None)
        for k, members in enumerate(plan.groups):
            accounts.create_group(conn, f"g{k}", sorted(_org_name(plan, m) for m in members))
        for i in range(plan.n_orgs + plan.partner):
            partner = i >= plan.n_orgs
            name = f"user{i}"
            accounts.create_user(conn, name, _org_name(plan, i), "sync" if partner else "analyst")
            callers.append(Caller(i, _org_name(plan, i), name, accounts.create_token(conn, name), partner))
        conn.execute(update(user_table).values(password_hash=_password_hash()))

    client = TestClient(create_app(engine=engine), raise_server_exceptions=False)  # a 500 is a finding too
    client.__enter__()
    model = Model(plan)
    s = Secrets(plan.seed)
    objects = []
    for j, o in enumerate(plan.objects):
        kind = _fix_kind(plan, j, o)
        if kind == "email-addr":  # one version, no marking, no author: an observable
            o = ObjectPlan(
                kind, o.owner, False, (Version(None, o.versions[0].audience, o.versions[0].correction),), o.refs
            )
        objects.append(ObjectPlan(kind, o.owner, o.authored, o.versions, o.refs))
    objects = tuple(objects)
    plan = Plan(plan.n_orgs, plan.partner, plan.groups, objects, plan.ops, plan.seed)
    model.plan = plan
    world = World(plan, engine, client, model, callers, [], {}, {}, [], [])
    for i in range(plan.n_orgs):
        world.identities[i] = committed(engine, accounts.principal_for_user, f"user{i}").org_identity_id
    for j, o in enumerate(plan.objects):
        if o.kind == "email-addr":
            world.emails[j] = f"{s.hex()}@mail.example"
            world.object_ids.append(observable_id("email-addr", world.emails[j], {}))
        elif o.kind == "person":
            world.object_ids.append(f"identity--{_uuid(s)}")
        else:
            world.object_ids.append(f"{o.kind}--{_uuid(s)}")
    for c in callers:
        if not c.partner:
            web = TestClient(client.app, raise_server_exceptions=False)
            page = web.get("/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            answer = web.post(
                "/login",
                data={"username": c.user, "password": PASSWORD, "next": "/", "csrf_token": csrf},
                follow_redirects=False,
            )
            assert answer.status_code == 303, answer.text
            c.web = web

    for j, o in enumerate(plan.objects):
        world.step(_import_object, world, s, j, o)
    for op in plan.ops:
        world.step(run_op, world, s, op)
    return world


def _import_object(world: World, s: Secrets, j: int, o: ObjectPlan) -> None:
    model = world.model
    for n, v in enumerate(o.versions):
        modified = _modified(n)
        obj, tokens, names, refs = _secret_content(world, s, o, j, n, modified, v.tlp)
        content = model.add(
            Content(
                f"#{j}v{n}",
                {world.object_ids[j]},
                tokens,
                refs,
                object_id=world.object_ids[j],
                modified=modified,
                tlp=v.tlp,
            )
        )
        content.raw = obj
        _remember_names(world, world.object_ids[j], names)
        spec, key = world.audience_key(o.owner, v.audience)
        if _import(world, o.owner, [obj], spec, f"import #{j}v{n}"):
            model.hold(content, o.owner, key)
        if v.correction is not None:
            fixed, tokens, names, refs = _secret_content(world, s, o, j, n, modified, v.tlp)
            new = model.add(
                Content(
                    f"#{j}v{n}c",
                    {world.object_ids[j]},
                    tokens,
                    refs,
                    object_id=world.object_ids[j],
                    modified=modified,
                    tlp=v.tlp,
                )
            )
            new.raw = fixed
            _remember_names(world, world.object_ids[j], names)
            spec, key = world.audience_key(o.owner, v.correction)
            if _import(world, o.owner, [fixed], spec, f"correction #{j}v{n}"):
                old = next((c for c in model.live(o.owner, world.object_ids[j]) if c.modified == modified), None)
                if old is None:
                    model.hold(new, o.owner, key)
                else:
                    model.correct(old, new, o.owner, key)


def _uuid(s: Secrets) -> str:
    h = "".join(s.rng.choice("0123456789abcdef") for _ in range(32))
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _remember_names(world: World, object_id: str, names: set[str]) -> None:
    world.names.setdefault(object_id, set()).update(names)
    for n in names:
        world.name_owner[n] = object_id


def _import(world: World, org: int, objects: list[dict], spec: str, what: str) -> bool:
    caller = world.callers[org]
    answer = world.client.post(
        "/api/v1/bundles",
        params={"audience": spec},
        headers=caller.bearer,
        content=orjson.dumps({"type": "bundle", "id": f"bundle--{_uuid_plain()}", "objects": objects}),
    )
    sent = [obj["id"] for obj in objects] + re.findall(r"[A-Za-z0-9.]+", orjson.dumps(objects).decode())
    world.record(org, f"POST /bundles ({what})", answer, sent)
    return answer.status_code == 200


def _uuid_plain() -> str:
    return str(uuid.uuid4())


# --- operations -------------------------------------------------------------------------------


def _object(world: World, j: int) -> str:
    return world.object_ids[j % len(world.object_ids)]


def run_op(world: World, s: Secrets, op: tuple) -> None:
    kind, org = op[0], op[1]
    if org >= world.plan.n_orgs:  # the owner of the object acted upon
        org = world.plan.objects[op[2] % len(world.plan.objects)].owner if kind in ("share", "unshare") else 0
    caller, model = world.callers[org], world.model
    if not world.object_ids:
        return
    if kind in ("share", "unshare"):
        _k, _o, j, audience, all_versions = op
        stix_id = _object(world, j)
        spec, key = world.audience_key(org, audience)
        if kind == "share":
            answer = world.client.post(
                f"/api/v1/objects/{stix_id}/audiences",
                headers=caller.bearer,
                json={"audience": spec, "all_versions": all_versions},
            )
        else:
            answer = world.client.delete(
                f"/api/v1/objects/{stix_id}/audiences",
                headers=caller.bearer,
                params={"audience": spec, "all_versions": all_versions},
            )
        world.record(org, f"{kind} {stix_id} {spec}", answer, [stix_id])
        if answer.status_code == 200:
            (model.share if kind == "share" else model.unshare)(org, stix_id, key, all_versions)
    elif kind in ("note", "opinion"):
        _k, _o, j, audience, tlp = op
        stix_id = _pick(world, org, [x for x in world.object_ids if x], j)
        spec, key = world.audience_key(org, audience)
        principal = committed(world.engine, accounts.principal_for_user, caller.user)
        text, abstract = s.hex(), s.hex()
        reach = frozenset(i for i in range(world.plan.n_orgs + world.plan.partner) if model.sees_object(i, stix_id))
        try:
            if kind == "note":
                made = committed(
                    world.engine,
                    annotations.add_note,
                    principal,
                    stix_id,
                    content=f"Note {text}",
                    abstract=abstract,
                    audience=spec,
                    tlp=tlp,
                )
            else:
                made = committed(
                    world.engine,
                    annotations.add_opinion,
                    principal,
                    stix_id,
                    opinion="agree",
                    explanation=f"Opinion {text}",
                    audience=spec,
                    tlp=tlp,
                )
        except LiaisonError as exc:
            world.outputs.append(
                Output(
                    org,
                    f"{kind} on {stix_id}: error",
                    exc.message + orjson.dumps(getattr(exc, "details", {}) or {}, default=str).decode(),
                    echo=(stix_id,),
                )
            )
            world.log.append(f"{ORG_NAMES[org]}: {kind} on {stix_id} {spec} tlp={tlp} -> {exc.message[:160]}")
            return
        world.log.append(f"{ORG_NAMES[org]}: {kind} {made['id']} on {stix_id} {spec} tlp={tlp} -> accepted")
        note = Content(
            f"{kind} {made['id']}",
            {made["id"]},
            {text, abstract},
            {stix_id},
            restrict=reach,
            tlp=tlp,
            annotation_of=stix_id,
            author=org,
        )
        if not model.hold(note, org, key):  # TLP refused it in the model: still its author's own
            note.holdings[org] = {f"org:{org}"}
            note.restrict = None
    elif kind == "merge":
        _k, _o, a, b, audience, reason = op
        classes = {}
        for j, o in enumerate(world.plan.objects):
            if o.kind in NAMED:
                classes.setdefault({"threat-actor": "person"}.get(o.kind, o.kind), []).append(j)
        pairs = [members for members in classes.values() if len(members) > 1]
        if not pairs:
            return
        members = pairs[a % len(pairs)]
        first = members[a % len(members)]
        second = [m for m in members if m != first][b % (len(members) - 1)]
        ids = [world.object_ids[first], world.object_ids[second]]
        if op[1] >= world.plan.n_orgs:
            org = world.plan.objects[second].owner
            caller = world.callers[org]
        if audience == "auto":
            spec = "auto"
            keys = [f"org:{org}", "instance"] + [f"group:{k}" for k, g in enumerate(world.plan.groups) if org in g]
        else:
            spec, key = world.audience_key(org, audience)
            keys = [key]
        why = s.hex() if reason else None
        answer = world.client.post(
            "/api/v1/merges",
            headers=caller.bearer,
            json={"duplicate": ids[0], "canonical": ids[1], "audience": spec, "reason": why},
        )
        world.record(org, f"merge {ids} {spec}", answer, ids)
        if answer.status_code == 201:
            rel = answer.json()
            both = frozenset(
                i for i in range(world.plan.n_orgs + world.plan.partner) if all(model.sees_object(i, x) for x in ids)
            )
            merge = model.add(
                Content(
                    f"merge {rel['id']}", {rel["id"]}, {why} if why else set(), set(ids), restrict=both, tlp=_level(rel)
                )
            )
            for key in keys:
                model.hold(merge, org, key)
    elif kind == "draft":
        _k, _o, mentions, email, place, publish = op
        _draft(world, s, org, mentions, email, place, publish)
    elif kind == "reimport":
        _k, _o, j, n, audience = op
        _reimport(world, org, j, n, audience)
    elif kind == "push":
        _push(world, s, op[2])
    elif kind == "claim":
        _k, _o, j, audience, tlp = op
        _claim(world, s, org, j, audience, tlp)


def _claim(world: World, s: Secrets, org: int, j: int, audience: tuple, tlp: str | None) -> None:
    """`org` imports a later version of its own under the id of another organisation's object (its
    claim, refused when the object names its author): new secrets, held for `audience`."""
    model = world.model
    j %= len(world.plan.objects)
    o = world.plan.objects[j]
    if o.kind == "email-addr":
        return
    stix_id = world.object_ids[j]
    modified = _modified(6 + sum(1 for c in model.contents if c.object_id == stix_id))
    obj, tokens, names, refs = _secret_content(
        world, s, ObjectPlan(o.kind, org, False, o.versions, o.refs), j, 0, modified, tlp
    )
    # Labelled by its version too: the model knows contents by label, and a second claim by the same
    # organisation is a content of its own, not more holdings of its first.
    label = f"claim #{j} by {org} at {modified}"
    content = model.add(Content(label, {stix_id}, tokens, refs, object_id=stix_id, modified=modified, tlp=tlp, raw=obj))
    _remember_names(world, stix_id, names)
    spec, key = world.audience_key(org, audience)
    if _import(world, org, [obj], spec, f"claim on #{j}"):
        model.hold(content, org, key)


def _push(world: World, s: Secrets, k: int) -> None:
    """The partner's sync account adds an intrusion set of its own to one of its groups' TAXII
    collections (what a partner instance's sync push does)."""
    plan, model = world.plan, world.model
    if not plan.partner:
        return
    partner = world.callers[plan.n_orgs]
    mine = [g for g, members in enumerate(plan.groups) if plan.n_orgs in members]
    if not mine:
        return
    group = mine[k % len(mine)]
    listed = world.client.get(f"{ROOT}/collections/", headers=partner.basic).json().get("collections", [])
    collection = next((c for c in listed if c.get("alias") == f"group:g{group}"), None)
    if collection is None:
        world.problems.append(f"the partner's sync account has no collection for its group g{group}: {listed}")
        return
    stix_id = f"intrusion-set--{_uuid(s)}"
    name, description, source = s.name(), s.hex(), s.hex()
    obj = {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": stix_id,
        "created": CREATED,
        "modified": CREATED,
        "name": name,
        "description": description,
        "x_source": source,
    }
    answer = world.client.post(
        f"{ROOT}/collections/{collection['id']}/objects/",
        content=orjson.dumps({"objects": [obj]}),
        headers={**partner.basic, "Content-Type": TAXII},
    )
    world.record(plan.n_orgs, f"TAXII push {stix_id} to group:g{group}", answer, [stix_id, name, description, source])
    content = model.add(
        Content(
            f"pushed {stix_id}",
            {stix_id},
            words(name) | {description, source},
            set(),
            object_id=stix_id,
            modified=CREATED,
        )
    )
    _remember_names(world, stix_id, {name})
    if answer.status_code == 202 and answer.json().get("success_count", 0) == 1:
        model.hold(content, plan.n_orgs, f"group:{group}")


def _pick(world: World, org: int, ids: list[str], j: int) -> str:
    """The `j`-th of `ids`, counting first those `org` sees now (so that small plans act on what
    their organisations see, and larger ones on the rest too)."""
    ordered = sorted(ids, key=lambda x: not world.model.sees_object(org, x))
    return ordered[j % len(ordered)]


def _level(obj: dict) -> str | None:
    for level, marking in TLP_MARKINGS.items():
        if marking in (obj.get("object_marking_refs") or []):
            return level
    return None


def _draft(
    world: World, s: Secrets, org: int, mentions: tuple, email: int | None, place: bool, publish: tuple | None
) -> None:
    caller, model = world.callers[org], world.model
    named = [world.object_ids[j] for j, o in enumerate(world.plan.objects) if o.kind in NAMED]
    sentences, used = [], set()
    for j, pick in mentions:
        if not named:
            break
        stix_id = _pick(world, org, named, j)
        names = sorted(world.names.get(stix_id, ()))
        if not names:
            continue
        name = names[pick % len(names)]
        used.add(name)
        sentences.append(f"Officials said that {name} met envoys in {'Kabul' if place else 'the capital'} last week.")
    emails = [world.object_ids[j] for j, o in enumerate(world.plan.objects) if o.kind == "email-addr"]
    address = None
    if email is not None and emails:
        address = world.emails[world.object_ids.index(_pick(world, org, emails, email))]
        sentences.append(f"Informants reached them at {address}.")
    if not sentences:
        sentences.append(f"Nothing of note happened in {'Kabul' if place else 'the capital'}.")
    title = f"Bulletin {s.hex()}"
    text = " ".join(sentences)
    typed = {title.split()[1]} | set().union(*(words(n) for n in used))
    if address:
        typed.add(address.split("@")[0])
        model.text_ids[org].add(observable_id("email-addr", address, {}))
    model.text_tokens[org] |= typed
    answer = world.client.post(
        "/api/v1/drafts", headers=caller.bearer, json={"text": text, "title": title, "published": "2025-06-01"}
    )
    world.record(org, "POST /drafts", answer)
    assert answer.status_code == 201, answer.text
    view = answer.json()
    world.drafts.append((org, view["id"]))
    check_resolution(world, org, view, "POST /drafts")
    new_ids = {view["id"], view["report_id"]}
    new_ids |= {e["new_id"] for e in view["entities"] if e.get("new_id") and e["kind"] != "location"}
    new_ids |= {r["id"] for r in view["relationships"]}
    new_ids -= set(world.object_ids)
    draft = model.add(Content(f"draft {view['id']}", new_ids, set(), set(), restrict=frozenset({org})))
    draft.holdings[org] = {f"org:{org}"}
    if publish is None:
        return
    audience, level = publish
    spec, key = world.audience_key(org, audience)
    linked = {e["ref"] for e in view["entities"] if e.get("ref")} & {x for x in world.object_ids if x}
    visible = {x for x in linked if model.sees_object(org, x)}
    answer = world.client.post(
        f"/api/v1/drafts/{view['id']}/publish",
        headers=caller.bearer,
        json={"audience": spec, "tlp": level, "reliability": "B", "credibility": 2},
    )
    world.record(org, f"publish draft {spec} {level}", answer)
    if answer.status_code == 200:
        world.reports.append(answer.json()["report_id"])
        refs = set(visible)
        if address:
            refs.add(observable_id("email-addr", address, {}))
            # Publishing shares the publisher's own copy of an observable the report names with
            # the report's audience, as that copy's TLP allows (intel/drafts.py, publish).
            model.share(org, observable_id("email-addr", address, {}), key, all_versions=False)
        report = Content(f"report {view['report_id']}", new_ids - {view["id"]}, set(typed), refs, tlp=level)
        model.hold(report, org, key)
    else:  # the planned report's ids stay its drafter's
        model.add(Content(f"report {view['report_id']}", new_ids - {view["id"]}, set(), set()))


def _reimport(world: World, org: int, j: int, n: int, audience: tuple) -> None:
    """`org` imports a copy of a content of an object no organisation authored: its answer must not
    depend on whether `org` could see that content; afterwards `org` holds it (it had it)."""
    model = world.model
    candidates = [c for c in model.contents if c.raw is not None and "created_by_ref" not in c.raw and c.holdings]
    if not candidates:
        return
    c = candidates[(j * 7 + n) % len(candidates)]
    if any(x.object_id == c.object_id and (x.holdings.get(org) or org in x.history) for x in model.contents):
        return  # a chain of its own: corrections and no-ops, not a probe
    # The store keeps one row per content: the same bytes held by anyone for an audience `org` is in
    # (a copy another organisation re-imported, say) make them stored, as far as `org` can tell.
    seen = any(model.sees_content(org, x) for x in model.contents if x.raw == c.raw)
    spec, key = world.audience_key(org, audience)
    caller = world.callers[org]
    answer = world.client.post(
        "/api/v1/bundles",
        params={"audience": spec},
        headers=caller.bearer,
        content=orjson.dumps({"type": "bundle", "id": f"bundle--{_uuid_plain()}", "objects": [c.raw]}),
    )
    world.record(org, f"re-import {c.label}", answer, [*c.tokens, *c.ids, *c.refs])
    if answer.status_code != 200:
        return
    got = {k: v for k, v in answer.json().items() if k not in ("seconds", "audience")}
    expected = {
        "received": 1,
        "new_versions": 0 if seen else 1,
        "new_holdings": 1,
        "corrections": 0,
        "already_held": 0,
        "already_received": 0,
        "duplicates_in_bundle": 0,
    }
    if not seen and got != expected:
        world.problems.append(
            f"import answer of {ORG_NAMES[org]} re-importing {c.label} (which it may not see) "
            f"differs from a never-stored object's: {got}"
        )
    copy = Content(
        f"{c.label} by {org}",
        set(c.ids),
        set(c.tokens),
        set(c.refs),
        object_id=c.object_id,
        modified=c.modified,
        tlp=c.tlp,
        raw=c.raw,
    )
    model.hold(copy, org, key)


def check_resolution(world: World, org: int, view: dict, where: str) -> None:
    """A draft must not link a name its organisation may not see to an object: a sanitised version
    would otherwise confirm what its earlier, hidden name was."""
    tokens, _ids = world.model.allowed(org, typed=False)
    for entity in view.get("entities", []):
        refs = {entity.get("ref")} | {c.get("ref") for c in entity.get("candidates", [])}
        refs &= set(world.names)
        for m in entity.get("mentions", []):
            text = m["text"]
            owner = world.name_owner.get(text)
            if owner is None or words(text) <= tokens:
                continue
            if refs:
                world.problems.append(
                    f"{ORG_NAMES[org]}'s draft ({where}) links the name '{text}' of a version it may "
                    f"not see (of {owner}) to {sorted(refs)}"
                )


# --- walking the outputs ----------------------------------------------------------------------


def walk(world: World) -> None:
    """Every read path, for every caller: REST, TAXII, web pages and fragments. Each id of the world
    is asked for by every caller, whether it may see it or not."""
    world_ids = [x for x in dict.fromkeys(world.object_ids) if x]
    others = sorted(x for x in world.model.all_ids() - set(world_ids) if "--" in x)
    draft_ids = [d for _o, d in world.drafts]
    named = [x for j, x in enumerate(world.object_ids) if x and world.plan.objects[j].kind in NAMED]
    places = [x for j, x in enumerate(world.object_ids) if x and world.plan.objects[j].kind == "location"]
    names = sorted(set().union(*world.names.values())) if world.names else []
    searches = [" or ".join(chunk) for chunk in chunks(sorted(world.model.all_tokens()), 40)]
    for caller in world.callers:
        rest = functools.partial(_get, world, caller, caller.bearer)
        rest("/api/v1/whoami")
        rest("/api/v1/objects", limit=500)
        rest("/api/v1/export", all_versions="true")
        rest("/api/v1/map")
        rest("/api/v1/timeline")
        rest("/api/v1/drafts", status="all")
        for q in searches:
            rest("/api/v1/search", q=q, limit=200)
        for name in names[:4]:
            rest("/api/v1/timeline", q=name)
        for stix_id in world_ids + others:
            rest("/api/v1/objects/{id}", stix_id)
            rest("/api/v1/objects/{id}/versions", stix_id)
        for stix_id in world_ids:
            rest("/api/v1/objects/{id}/neighbourhood", stix_id)
        for stix_id in named:
            rest("/api/v1/objects/{id}/merges", stix_id)
        for stix_id in places[:2] + named[:1]:
            rest("/api/v1/map", around=stix_id)
            rest("/api/v1/timeline", around=stix_id)
        for draft_id in draft_ids:
            rest("/api/v1/drafts/{id}", draft_id)
            rest("/api/v1/drafts/{id}/bundle", draft_id)
        for org, draft_id in world.drafts:
            if org == caller.index:  # its own drafts as they read today
                response = world.client.get(f"/api/v1/drafts/{draft_id}", headers=caller.bearer)
                if response.status_code == 200:
                    check_resolution(world, caller.index, response.json(), "GET /drafts/{id}")
        taxii = functools.partial(_get, world, caller, caller.basic)
        collections = taxii(f"{ROOT}/collections/")
        found = orjson.loads(collections.text).get("collections", []) if collections.status_code == 200 else []
        for collection in found:
            base = f"{ROOT}/collections/{collection['id']}"
            taxii(f"{base}/objects/")
            taxii(f"{base}/manifest/")
            if caller.partner:
                for stix_id in world_ids[:3]:
                    taxii(base + "/objects/{id}/versions/", stix_id)
        if caller.web is None:
            continue
        web = functools.partial(_get, world, caller, {}, client=caller.web)
        web("/")
        web("/drafts")
        for q in searches:
            web("/search", q=q)
        web("/map/features")
        web("/timeline")
        for stix_id in world_ids + world.reports:
            web("/objects/{id}", stix_id)
        for stix_id in world_ids:
            web("/objects/{id}/relations", stix_id)
        for stix_id in named:
            web("/objects/{id}/merges-panel", stix_id)
        for report_id in world.reports:
            web("/reports/{id}", report_id)
        for draft_id in draft_ids:
            web("/drafts/{id}", draft_id)


NEVER = "00000000-0000-4000-8000-000000000000"


def _get(
    world: World,
    caller: Caller,
    headers: dict,
    path: str,
    stix_id: str | None = None,
    client: TestClient | None = None,
    **params,
):
    """GET `path` (its `{id}` filled with `stix_id`) as `caller`. An id the caller may not see must be
    answered exactly as one that never existed."""
    http = client or world.client
    url = path.replace("{id}", stix_id) if stix_id else path
    response = http.get(url, headers=headers, params=params)
    where = url + (f"?{'&'.join(f'{k}={str(v)[:60]}' for k, v in params.items())}" if params else "")
    echo = [str(v) for v in params.values()] + ([stix_id] if stix_id else [])
    world.outputs.append(Output(caller.index, f"GET {where}", response.text, tuple(echo)))
    if response.status_code >= 500:
        world.problems.append(f"{caller.org} ({caller.user}) GET {where}: server error {response.status_code}")
    if stix_id and stix_id not in world.model.allowed(caller.index)[1]:
        never = stix_id.split("--")[0] + "--" + NEVER if "--" in stix_id else NEVER
        key = (caller.index, path, client is not None, never)
        if key not in world.never:
            answer = http.get(path.replace("{id}", never), headers=headers, params=params)
            world.never[key] = (answer.status_code, answer.text.replace(never, "<id>"))
        if (response.status_code, response.text.replace(stix_id, "<id>")) != world.never[key]:
            world.problems.append(
                f"{caller.org} ({caller.user}) GET {where}: answered {response.status_code} for an id it may not see, "
                f"not as for one that never existed ({world.never[key][0]}): {response.text[:200]}"
            )
    return response


# --- the verdict ------------------------------------------------------------------------------


def leaks(world: World) -> list[str]:
    """Every output a caller received that holds a secret or an id it may not see (besides what the
    caller itself sent), and the problems found on the way."""
    model = world.model
    every_token, every_id = model.all_tokens(), model.all_ids() | {x for x in world.object_ids if x}
    final = {c.index: model.allowed(c.index) for c in world.callers}
    patterns: dict = {}
    found = []
    for output in world.outputs:
        tokens, ids = output.allowance or final[output.caller]
        forbidden = tuple(
            sorted({t.lower() for t in every_token - tokens} | {i.split("--")[-1] for i in every_id - ids})
        )
        if not forbidden:
            continue
        if forbidden not in patterns:
            patterns[forbidden] = re.compile(
                "|".join((r"(?<![\d.])" if t[0].isdigit() else "") + re.escape(t) for t in forbidden)
            )
        text = output.text.lower()
        for echoed in output.echo:  # the caller's own words, as typed and in the page's links
            text = text.replace(echoed.lower(), " ").replace(quote_plus(echoed).lower(), " ")
        caller = world.callers[output.caller]
        for hit in sorted(set(patterns[forbidden].findall(text))):
            at = text.find(hit)
            found.append(
                f"{caller.org} ({caller.user}) {output.where}: '{hit}' ({_whose(world, hit)}) "
                f"in ...{text[max(0, at - 200) : at + 80]}..."
            )
    return found + world.problems


def _whose(world: World, hit: str) -> str:
    for c in world.model.contents:
        if any(hit == t.lower() for t in c.tokens) or any(i.endswith(hit) for i in c.ids):
            where = {ORG_NAMES[o] if o < world.plan.n_orgs else PARTNER_NAME: sorted(a) for o, a in c.holdings.items()}
            return f"{c.label} held {where}" + (f", only for {sorted(c.restrict)}" if c.restrict is not None else "")
    for org, tokens in world.model.text_tokens.items():
        if any(hit == t.lower() for t in tokens):
            return f"typed by {_org_name(world.plan, org)}"
    return "?"
