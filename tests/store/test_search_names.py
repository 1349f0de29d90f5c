"""Search by name: exact names and aliases first, then other name matches, then text; prefixes,
surnames, transliterations and typos; facets and orders; and, from a hostile partner's side, that
no name of a version the searcher does not read finds, ranks or counts anything."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from stixdata import actor, sdo
from txn import committed

from liaison.db.tables import name_key
from liaison.errors import InvalidInput
from liaison.ingest.bundles import import_objects
from liaison.intel import search


def _import(tenants, user, objects, audience="instance"):
    return committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def find(tenants, user, **query):
    return committed(tenants.engine, search.search, tenants.principal(user), limit=50, **query)


def _place(name, **props):
    return sdo("location", name=name, country=props.pop("country", "KG"), level="green", **props)


@pytest.fixture
def world(tenants):
    """A place and actors of the issue's examples, and newer objects that only mention them."""
    osh = _place("Osh", modified="2024-01-01T00:00:00.000Z")
    zarafshon = actor("Zarafshon", level="green", modified="2024-01-01T00:00:00.000Z")
    khamidov = sdo("identity", name="Bakhtiyor Khamidov", identity_class="individual", level="green")
    shirzai = sdo("identity", name="Gul Agha Shirzai", identity_class="individual", level="green")
    mentions = [
        sdo(
            "note",
            content=f"Convoy seen leaving Osh towards the border, report {i}; Zarafshon couriers suspected",
            object_refs=[osh["id"]],
            level="green",
            modified=f"2025-0{i}-01T00:00:00.000Z",
        )
        for i in range(1, 6)
    ]
    _import(tenants, "alice", [osh, zarafshon, khamidov, shirzai, *mentions])
    return {"osh": osh, "zarafshon": zarafshon, "khamidov": khamidov, "shirzai": shirzai, "mentions": mentions}


def _first(results):
    return results.hits[0].stix_id, results.hits[0].matched


def test_an_exact_name_comes_before_newer_objects_that_only_mention_it(world, tenants):
    results = find(tenants, "bob", q="Osh")
    assert results.total == 6
    assert _first(results) == (world["osh"]["id"], "exact name")
    assert {h.matched for h in results.hits[1:]} == {"text"}
    assert [h.stix_id for h in results.hits[1:]] == [m["id"] for m in reversed(world["mentions"])]  # newest first
    results = find(tenants, "bob", q="Zarafshon")
    assert _first(results) == (world["zarafshon"]["id"], "exact name")


@pytest.mark.parametrize(
    ("typed", "key", "how"),
    [
        ("Zarafsh", "zarafshon", "start of a name"),
        ("Hamidov", "khamidov", "word of a name"),  # transliteration: Kh/H, a surname alone
        ("Bakhtiyor Hamidov", "khamidov", "exact name"),  # the whole name, folded alike
        ("Bakhtiar Khamidov", "khamidov", "name"),  # a spelling that folds to the same skeleton
        ("Shirzay", "shirzai", "word of a name"),
        ("Zarafhson", "zarafshon", "near a name"),  # two letters swapped
        ("Khamidof", "khamidov", "near a word of a name"),  # one letter wrong (f/v do not fold)
    ],
)
def test_finds_what_was_typed(world, tenants, typed, key, how):
    results = find(tenants, "carol", q=typed)
    assert _first(results) == (world[key]["id"], how)


def test_a_name_held_for_others_neither_finds_nor_ranks_nor_counts(tenants):
    """Alpha's threat actor is read by everyone. Bravo keeps its own version of the same object
    under a cover name, for group ab only: Charlie (outside ab) must find nothing by that name, not
    by its start, not by a typo, exactly as for a name no one holds; Alice (in ab, but reading her
    own chain) finds it neither."""
    mine = actor("Oxus Couriers", level="green", modified="2024-01-01T00:00:00.000Z")
    _import(tenants, "alice", [mine])
    cover = dict(mine, name="Tamerlane Freight", modified="2025-01-01T00:00:00.000Z")
    _import(tenants, "bob", [cover], "group:ab")
    for q in ("Tamerlane Freight", "Tamerl", "Tamerlame Freight", "Freight"):
        for user in ("carol", "alice"):
            assert find(tenants, user, q=q).total == 0, (q, user)
        assert find(tenants, "bob", q=q).hits[0].stix_id == mine["id"], q
    unknown = find(tenants, "carol", q="Samarkand Logistics", with_facets=True)
    hidden = find(tenants, "carol", q="Tamerlane Freight", with_facets=True)
    assert (hidden.total, hidden.facets) == (unknown.total, unknown.facets) == (0, {"type": [], "tlp": [], "owner": []})
    assert find(tenants, "carol", q="Oxus").hits[0].matched == "start of a name"


def test_typo_neighbours_come_only_from_names_the_searcher_may_see(tenants):
    secret = actor("Juniper Ledger", level="amber")
    _import(tenants, "alice", [secret], "org")
    groups = search.parse("Junipre Ledger")
    with tenants.engine.connect() as conn:
        assert committed  # the same connection reads both
        theirs = search.name_matches(conn, tenants.principal("carol"), groups)
        ours = search.name_matches(conn, tenants.principal("alice"), groups)
        stored = set(conn.execute(select(name_key.c.key)).scalars())
    assert ours[0].near and set(ours[0].near) <= stored
    assert theirs[0].near == ()


def test_facets_count_what_the_searcher_sees_each_without_its_own_filter(world, tenants):
    _import(tenants, "alice", [actor("Osh Brotherhood", level="amber")], "org")
    mine = find(tenants, "alice", q="Osh", types=["location"], with_facets=True)
    assert mine.total == 1
    assert dict(mine.facets["type"]) == {"note": 5, "location": 1, "intrusion-set": 1}
    assert dict(mine.facets["tlp"]) == {"green": 1}
    assert dict(mine.facets["owner"]) == {"Alpha": 1}
    theirs = find(tenants, "bob", q="Osh", with_facets=True)
    assert dict(theirs.facets["type"]) == {"note": 5, "location": 1}
    assert dict(theirs.facets["tlp"]) == {"green": 6}


def test_orders(world, tenants):
    newest = find(tenants, "bob", q="Osh", order="newest")
    assert newest.hits[0].stix_id == world["mentions"][-1]["id"]
    oldest = find(tenants, "bob", q="Osh", order="oldest")
    assert oldest.hits[0].stix_id == world["osh"]["id"]
    names = [h.name for h in find(tenants, "bob", types=["identity"], order="name").hits]
    assert names == sorted(names, key=str.lower) and {"Bakhtiyor Khamidov", "Gul Agha Shirzai"} <= set(names)
    assert find(tenants, "bob", types=["identity"]).order == "newest"
    with pytest.raises(InvalidInput, match="unknown order"):
        find(tenants, "bob", q="Osh", order="loudest")


def test_an_excluded_word_keeps_the_query_a_text_query(world, tenants):
    assert {h.matched for h in find(tenants, "bob", q="Osh -border").hits} == {"text"}
    assert find(tenants, "bob", q="Osh -border").total == 1


def test_names_of_another_shape_are_no_names_not_an_error(tenants):
    """A partner's object with custom alias properties of the wrong shape imports (and migrates)
    as before: they simply name nothing."""
    from liaison.stix.names import name_keys

    odd = actor("Oxus Couriers", level="green", x_mitre_aliases=5)
    odder = actor("Tamerlane Freight", level="green", x_mitre_aliases="TF", aliases=["Timur Lines"])
    assert {k for k, _p, _s in name_keys(odd)} == {"oxus couriers", "couriers"}
    assert "tf" not in {k for k, _p, _s in name_keys(odder)}
    _import(tenants, "alice", [odd, odder])
    assert find(tenants, "bob", q="Timur").hits[0].stix_id == odder["id"]
