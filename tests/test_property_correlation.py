"""Issue 12: a property-based test of correlation over random worlds. Whatever organisations,
groups, audiences, observables and indicators (exact addresses and /24 networks), new versions,
revocations, corrections, withdrawals, wider shares and copies another organisation holds a world
has, every correlation answer — an object's hits, a value's
hits, their counts and totals — is exactly what the caller's view allows, and an object outside
that view answers as a missing one; and the postings by audience the reads walk are exactly the
postings of each version times the audiences of its live holdings.

The oracle is this test's own model of who sees what (audience membership, withdrawals as asked)
and of which value each object carries now, with containment computed by `ipaddress`; never the
store. Each example builds its world through the real services on a fresh SQLite database.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import uuid
from dataclasses import dataclass, field

from exposure import assert_postings_follow_holdings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison import accounts
from liaison.db.engine import make_engine
from liaison.errors import NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import correlation, sharing

EXAMPLES = int(os.environ.get("LIAISON_LEAK_EXAMPLES", "12"))
ORGS = ("Org Ash", "Org Birch", "Org Cedar")
ADDRESSES = ("198.51.100.7", "198.51.100.99", "203.0.113.5")
NETWORKS = ("198.51.100.0/24",)
VALUES = ADDRESSES + NETWORKS
T0 = "2025-01-01T00:00:00.000Z"


@dataclass
class Thing:
    obj: dict
    owner: int
    audiences: set  # ("org", i) | ("group", k) | ("instance",)
    value: str | None  # what it carries now (None once revoked)


@dataclass
class World:
    groups: list[frozenset[int]]
    things: list[Thing] = field(default_factory=list)

    def sees(self, org: int, thing: Thing) -> bool:
        for audience in thing.audiences:
            if audience[0] == "instance" or audience == ("org", org):
                return True
            if audience[0] == "group" and org in self.groups[audience[1]]:
                return True
        return False


def _correlates(a: str, b: str) -> bool:
    """Equal, or one a network containing the other (both as the model reads them)."""
    na, nb = ipaddress.ip_network(a), ipaddress.ip_network(b)
    return na == nb or na.subnet_of(nb) or nb.subnet_of(na)


def _spec(audience: tuple) -> str:
    return {"org": "org", "instance": "instance"}.get(audience[0]) or f"group:g{audience[1]}"


THING = st.tuples(
    st.integers(0, len(ORGS) - 1),  # owner
    st.booleans(),  # indicator (else an observable)
    st.sampled_from(VALUES),
    st.integers(0, 9),  # audience choice
    st.sampled_from(["keep", "keep", "withdraw", "version", "revoke", "correct", "share", "copy"]),
    st.sampled_from(VALUES),  # the new version's value
)


@given(
    groups=st.lists(st.frozensets(st.integers(0, len(ORGS) - 1), min_size=2), min_size=1, max_size=2),
    plan=st.lists(THING, min_size=1, max_size=8),
)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_correlation_answers_only_what_the_caller_may_see(sqlite_template, tmp_path_factory, groups, plan):
    path = tmp_path_factory.mktemp("corr") / "liaison.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        world = _build(engine, groups, plan)
        _check(engine, world)
    finally:
        engine.dispose()


def _build(engine, groups, plan) -> World:
    world = World(list(groups))
    with engine.begin() as conn:
        for i, name in enumerate(ORGS):
            accounts.create_org(conn, name)
            accounts.create_user(conn, f"u{i}", name, "analyst")
        for k, members in enumerate(groups):
            accounts.create_group(conn, f"g{k}", [ORGS[m] for m in sorted(members)])
    for owner, is_indicator, value, choice, then, new_value in plan:
        options = [("org", owner), ("instance",)] + [("group", k) for k, m in enumerate(groups) if owner in m]
        audience = options[choice % len(options)]
        is_indicator = is_indicator or value in NETWORKS  # a network is only ever in a pattern here
        if is_indicator:
            obj = {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid4()}",
                "created": T0,
                "modified": T0,
                "pattern": f"[ipv4-addr:value = '{value}']",
                "pattern_type": "stix",
                "valid_from": T0,
            }
        else:
            obj = {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": value}
        thing = Thing(obj, owner, {audience}, value)
        with engine.begin() as conn:
            principal = accounts.principal_for_user(conn, f"u{owner}")
            import_objects(conn, principal, [obj], audience=_spec(audience))
            if then == "withdraw" and audience[0] != "org":
                sharing.unshare(conn, principal, obj["id"], _spec(audience))
                thing.audiences = {("org", owner)}  # left held for no one: it stays with its organisation
            elif then == "share":
                sharing.share(conn, principal, obj["id"], "instance")
                thing.audiences.add(("instance",))
            elif then == "copy":  # another organisation holds the same content, for itself
                other = (owner + 1) % len(ORGS)
                import_objects(conn, accounts.principal_for_user(conn, f"u{other}"), [obj], audience="org")
                thing.audiences.add(("org", other))
            elif then in ("version", "revoke", "correct") and is_indicator:
                later = dict(obj, modified=T0 if then == "correct" else "2025-02-01T00:00:00.000Z")
                if then == "revoke":
                    later["revoked"] = True
                    thing.value = None
                else:
                    later["pattern"] = f"[ipv4-addr:value = '{new_value}']"
                    thing.value = new_value
                import_objects(conn, principal, [later], audience=_spec(audience))
        world.things.append(thing)
    return world


def _check(engine, world: World) -> None:
    assert_postings_follow_holdings(engine)
    for org in range(len(ORGS)):
        with engine.begin() as conn:
            principal = accounts.principal_for_user(conn, f"u{org}")
        seen = [t for t in world.things if world.sees(org, t) and t.value is not None]
        for value in VALUES:
            expected = {t.obj["id"] for t in seen if _correlates(t.value, value)}
            with engine.begin() as conn:
                found = correlation.carrying(conn, principal, value, limit=1000, cap=1000)
            assert {h.id for h in found.hits} == expected, (org, value)
            assert found.total == len(expected) and found.values[0].count == len(expected)
        for thing in world.things:
            with engine.begin() as conn:
                if thing not in seen:
                    try:
                        correlation.correlations(conn, principal, thing.obj["id"])
                    except NotFound as exc:
                        assert exc.message == f"no object {thing.obj['id']}"
                    else:
                        raise AssertionError(f"{ORGS[org]} reads correlations of an object it may not see")
                    continue
                found = correlation.correlations(conn, principal, thing.obj["id"], limit=1000, cap=1000)
            expected = {t.obj["id"] for t in seen if t is not thing and _correlates(t.value, thing.value)}
            assert {h.id for h in found.hits} == expected, (org, thing.obj["id"])
            assert found.total == len(expected)
