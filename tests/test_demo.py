"""The demo world loads, loads again as a no-op, and respects its own audiences."""

from __future__ import annotations

from liaison import accounts
from liaison.demo import world
from liaison.demo.load import demo_logins, load_demo
from liaison.intel import objects as intel


def test_demo_world_loads_once(engine):
    with engine.begin() as conn:
        added = load_demo(conn)
    total = sum(len(b["objects"]) for _o, _a, b in world.demo_holdings())
    assert 300 <= added <= total
    with engine.begin() as conn:
        assert load_demo(conn) == 0
        logins = demo_logins(conn)
    assert {login.user for login in logins} == {u["name"] for u in world.USERS}
    assert all(accounts.principal_for_token(engine, login.token).user_name == login.user for login in logins)


def test_each_demo_user_sees_exactly_its_audiences(engine):
    with engine.begin() as conn:
        load_demo(conn)
    members = {g["name"]: {*g["members"]} for g in world.SHARING_GROUPS}
    everyone = {o["name"] for o in world.ORGANISATIONS}
    readers_of: dict[str, set[str]] = {}
    for owner, audience, demo_bundle in world.demo_holdings():
        readers = {owner} if audience == "org" else members[audience[6:]] if audience.startswith("group:") else everyone
        for obj in demo_bundle["objects"]:
            readers_of.setdefault(obj["id"], set()).update(readers)
    for org in world.ORGANISATIONS:  # each organisation's identity is shared with the instance
        readers_of.setdefault(org["identity_id"], set()).update(everyone)
    with engine.connect() as conn:
        filters = intel.make_filters(conn, include_revoked=True)
        for person in world.USERS:
            principal = accounts.principal_for_user(conn, person["name"])
            seen = {v.stix_id for v in intel.list_objects(conn, principal, filters, limit=1000).items}
            expected = {oid for oid, readers in readers_of.items() if person["org"] in readers}
            assert seen == expected, person["name"]
