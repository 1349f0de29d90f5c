"""Full-text search: what it finds, its filters and pages, and that it never finds or counts
what the searcher may not see. Runs on SQLite (FTS5) and PostgreSQL (tsvector index)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select
from stixdata import actor, sdo
from txn import committed

from liaison.db.tables import object_version
from liaison.errors import InvalidInput
from liaison.ingest.bundles import import_objects
from liaison.intel import search


def _import(tenants, user, objects, audience="org"):
    return committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def _ids(results) -> set[str]:
    return {hit.stix_id for hit in results.hits}


def find(tenants, user, **query):
    return committed(tenants.engine, search.search, tenants.principal(user), limit=50, **query)


@pytest.fixture
def world(tenants):
    """Alpha shares with the instance, with group 'ab' (Alpha, Bravo), and keeps things to itself."""
    shared = actor(
        "Granite Typhoon",
        description="Phishing against customs brokers",
        aliases=["Basalt Spider", "GT-7"],
        level="green",
    )
    grouped = sdo(
        "threat-actor",
        name="Oxus Couriers",
        description="Heroin couriers on the ferry line",
        level="amber",
        modified="2025-03-01T00:00:00.000Z",
    )
    private = actor(
        "Juniper Ledger",
        description="A private investigation of the ferry ledger",
        level="amber",
        modified="2025-06-01T00:00:00.000Z",
    )
    note = sdo(
        "note",
        abstract="Port visit",
        content="Seen loading crates of saffron",
        object_refs=[shared["id"]],
        level="green",
    )  # no weaker than what it is about (intel/reach)
    report = sdo(
        "report",
        name="Quarterly round-up",
        published="2025-01-01T00:00:00Z",
        description="Lapis smuggling via mountain passes",
        object_refs=[shared["id"]],
        level="clear",
    )
    _import(tenants, "alice", [shared, note, report], "instance")
    _import(tenants, "alice", [grouped], "group:ab")
    _import(tenants, "alice", [private], "org")
    return {"shared": shared, "grouped": grouped, "private": private, "note": note, "report": report}


def test_finds_names_descriptions_aliases_notes_and_reports(world, tenants):
    assert _ids(find(tenants, "alice", q="granite")) == {world["shared"]["id"]}
    assert _ids(find(tenants, "alice", q="brokers phishing")) == {world["shared"]["id"]}
    assert _ids(find(tenants, "alice", q="basalt")) == {world["shared"]["id"]}
    assert _ids(find(tenants, "alice", q="saffron")) == {world["note"]["id"]}
    assert _ids(find(tenants, "alice", q="lapis")) == {world["report"]["id"]}
    assert find(tenants, "alice", q="nothing-like-this").total == 0


def test_query_syntax_phrases_exclusion_and_alternatives(world, tenants):
    assert _ids(find(tenants, "alice", q='"ferry line"')) == {world["grouped"]["id"]}
    assert _ids(find(tenants, "alice", q='"line ferry"')) == set()
    assert _ids(find(tenants, "alice", q="ferry")) == {world["grouped"]["id"], world["private"]["id"]}
    assert _ids(find(tenants, "alice", q="ferry -heroin")) == {world["private"]["id"]}
    assert _ids(find(tenants, "alice", q="saffron or lapis")) == {world["note"]["id"], world["report"]["id"]}
    assert _ids(find(tenants, "alice", q="GRANITE")) == {world["shared"]["id"]}
    with pytest.raises(InvalidInput, match="not only words to exclude"):
        find(tenants, "alice", q="-heroin")


def test_outsiders_find_and_count_nothing_they_may_not_see(world, tenants):
    everything_alice = find(tenants, "alice")
    assert _ids(find(tenants, "bob", q="ferry")) == {world["grouped"]["id"]}
    assert find(tenants, "carol", q="ferry").total == 0
    assert find(tenants, "carol", q="juniper").total == 0
    assert find(tenants, "carol", q="oxus").total == 0
    carol = find(tenants, "carol")
    assert world["private"]["id"] not in _ids(carol) and world["grouped"]["id"] not in _ids(carol)
    # Counts only include what the searcher sees: carol lacks exactly the group and org objects.
    assert carol.total == everything_alice.total - 2
    assert find(tenants, "bob").total == everything_alice.total - 1


def test_filters_type_owner_tlp_and_dates(world, tenants):
    assert _ids(find(tenants, "alice", q="ferry", types=["threat-actor"])) == {world["grouped"]["id"]}
    assert _ids(find(tenants, "alice", types=["note"])) == {world["note"]["id"]}
    assert find(tenants, "alice", q="ferry", owner="Bravo").total == 0
    assert _ids(find(tenants, "alice", owner="Bravo")) == {tenants.principal("bob").org_identity_id}
    assert world["private"]["id"] in _ids(find(tenants, "alice", owner="Alpha"))
    assert _ids(find(tenants, "alice", tlp="clear", types=["report"])) == {world["report"]["id"]}
    assert tenants.principal("bob").org_identity_id in _ids(find(tenants, "alice", tlp="none"))
    assert world["note"]["id"] not in _ids(find(tenants, "alice", tlp="none"))
    assert _ids(find(tenants, "alice", q="ferry", modified_from="2025-05-01")) == {world["private"]["id"]}
    assert _ids(find(tenants, "alice", q="ferry", modified_until="2025-03-01")) == {world["grouped"]["id"]}
    assert _ids(find(tenants, "alice", q="ferry", modified_from="2025-03-02", modified_until="2025-05-31")) == set()
    with pytest.raises(InvalidInput, match="unknown organisation"):
        find(tenants, "alice", owner="Nobody")
    with pytest.raises(InvalidInput, match="TLP"):
        find(tenants, "alice", tlp="purple")
    with pytest.raises(InvalidInput, match="modified_from"):
        find(tenants, "alice", modified_from="last tuesday")


def test_pages_with_the_total(tenants):
    actors = [actor(f"Pagination Crew {i}", description="pagination test") for i in range(7)]
    _import(tenants, "alice", actors)
    seen = []
    for offset in (0, 3, 6):
        page = committed(
            tenants.engine, search.search, tenants.principal("alice"), q="pagination", limit=3, offset=offset
        )
        assert page.total == 7
        seen += [hit.stix_id for hit in page.hits]
    assert len(seen) == 7 and set(seen) == {a["id"] for a in actors}
    with pytest.raises(InvalidInput):
        committed(tenants.engine, search.search, tenants.principal("alice"), q="pagination", limit=0)


def test_only_the_latest_visible_version_is_searched(tenants):
    v1 = actor("Amber Heron", description="first wording mentions tamarisk", modified="2025-01-01T00:00:00.000Z")
    v2 = {**v1, "modified": "2025-02-01T00:00:00.000Z", "description": "second wording mentions juniper"}
    _import(tenants, "alice", [v1], "group:ab")
    _import(tenants, "alice", [v2], "org")
    # Alice sees v2: only its text counts. Bob sees only v1, so v1's text is his latest.
    assert find(tenants, "alice", q="juniper").total == 1
    assert find(tenants, "alice", q="tamarisk").total == 0
    assert find(tenants, "bob", q="tamarisk").total == 1
    assert find(tenants, "bob", q="juniper").total == 0
    assert find(tenants, "carol", q="heron").total == 0


def test_the_index_follows_inserts_and_deletes(tenants):
    obj = actor("Vanishing Kestrel")
    _import(tenants, "alice", [obj])
    assert find(tenants, "alice", q="kestrel").total == 1
    with tenants.engine.begin() as conn:
        pk = conn.execute(select(object_version.c.pk).where(object_version.c.stix_id == obj["id"])).scalar_one()
        conn.execute(delete(object_version).where(object_version.c.pk == pk))
    assert find(tenants, "alice", q="kestrel").total == 0
    _import(tenants, "alice", [obj])
    assert find(tenants, "alice", q="kestrel").total == 1


def test_punctuation_and_escaped_nul_are_plain_text(tenants):
    obj = actor(
        "Byte Crew",
        description='a NUL \x00 then quotes " and stars * and (parentheses) AND NOT OR',
        aliases=["back\\u0000slash"],
    )
    _import(tenants, "alice", [obj])
    assert find(tenants, "alice", q='quotes "crew"').total == 1
    assert find(tenants, "alice", q="back").total == 1  # an escaped backslash before 'u0000' keeps the JSON valid
    assert find(tenants, "alice", q="(parentheses) *").total == 1
    assert find(tenants, "alice", q="NOT").total == 1


def test_rest_search_uses_the_same_rules(world, tenants, client):
    found = client.get(
        "/api/v1/search", params={"q": "ferry", "type": "threat-actor"}, headers=tenants.headers("alice")
    )
    assert found.status_code == 200
    body = found.json()
    assert body["total"] == 1 and body["items"][0]["id"] == world["grouped"]["id"]
    assert [(h["owner"], h["audience"]) for h in body["items"][0]["holdings"]] == [("Alpha", "group:ab")]
    outsider = client.get("/api/v1/search", params={"q": "ferry"}, headers=tenants.headers("carol")).json()
    assert outsider["total"] == 0 and outsider["items"] == []
    paged = client.get("/api/v1/search", params={"limit": 2, "offset": 1}, headers=tenants.headers("alice")).json()
    assert paged["limit"] == 2 and paged["offset"] == 1 and len(paged["items"]) == 2 and paged["total"] > 3
    bad = client.get("/api/v1/search", params={"tlp": "purple"}, headers=tenants.headers("alice"))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid-input"
    assert client.get("/api/v1/search", params={"q": "ferry"}).status_code == 401
