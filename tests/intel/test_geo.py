"""Map features: placed at visible locations only, filtered by type, date and entity."""

from __future__ import annotations

import pytest
import vizworld
from txn import committed

from liaison import accounts
from liaison.demo.load import load_demo
from liaison.demo.world import _id as demo_id
from liaison.errors import InvalidInput, NotFound
from liaison.intel import geo
from liaison.store import reads


@pytest.fixture
def world(tenants):
    return vizworld.build(tenants)


def _by_id(collection: dict) -> dict[str, dict]:
    assert collection["type"] == "FeatureCollection"
    return {f["id"]: f for f in collection["features"]}


def test_features_of_each_kind(tenants, world):
    found = _by_id(committed(tenants.engine, geo.features, tenants.principal("alice")))
    dushanbe, khorog, base = ([68.787, 38.5598], [71.5531, 37.4897], [70.0, 37.0])
    assert found[world.dushanbe["id"]]["geometry"] == {"type": "Point", "coordinates": dushanbe}
    assert world.nowhere["id"] not in found  # a location without coordinates
    bombing = found[world.bombing["id"]]
    assert bombing["geometry"]["coordinates"] == dushanbe
    assert (
        bombing["properties"].items()
        >= {
            "type": "incident",
            "name": "Bombing in Dushanbe",
            "attack_type": "bombing",
            "date": "2025-03-01T10:00:00.000000Z",
            "places": ["Dushanbe"],
            "tlp": "amber",
        }.items()
    )
    # No location_ref: placed through its located-at relationship.
    assert found[world.ambush["id"]]["geometry"]["coordinates"] == khorog
    assert found[world.seizure["id"]]["properties"]["drug_type"] == "heroin"
    assert found[world.secret_seizure["id"]]["geometry"]["coordinates"] == base
    route = found[world.route["id"]]
    assert route["geometry"] == {"type": "LineString", "coordinates": [dushanbe, base, khorog]}
    assert route["properties"]["places"] == ["Dushanbe", "Secret Base", "Khorog"]
    sighting = found[world.sighting["id"]]
    assert sighting["geometry"]["coordinates"] == khorog  # the identity it also names is no place
    assert sighting["properties"]["of"] == {"id": world.actor["id"], "type": "intrusion-set", "name": "Red Ring"}
    # Only things with a place: no actors, reports or relationships.
    assert {f["properties"]["type"] for f in found.values()} == set(geo.FEATURE_TYPES)
    assert len(found) == 3 + 2 + 2 + 2 + 1


def test_nothing_at_or_through_a_location_one_may_not_see(tenants, world):
    found = _by_id(committed(tenants.engine, geo.features, tenants.principal("bob")))
    # The seizure is shared with Bravo; the only place it names is not: no feature.
    assert world.secret_seizure["id"] not in found and world.base["id"] not in found
    # The route is drawn through the waypoints Bob may see; a two-stop route with one hidden stop is not drawn.
    assert found[world.route["id"]]["geometry"]["coordinates"] == [[68.787, 38.5598], [71.5531, 37.4897]]
    assert found[world.route["id"]]["properties"]["places"] == ["Dushanbe", "Khorog"]
    assert world.short_route["id"] not in found
    assert "Secret Base" not in str(found)
    assert len(found) == 2 + 2 + 1 + 1 + 1
    with tenants.engine.connect() as conn:
        assert all(reads.get_version(conn, tenants.principal("bob"), i) for i in found)
    assert committed(tenants.engine, geo.features, tenants.principal("carol"))["features"] == []


def test_filters_by_type_and_date(tenants, world):
    alice = tenants.principal("alice")
    only = _by_id(committed(tenants.engine, geo.features, alice, types=["incident", "sighting"]))
    assert set(only) == {world.bombing["id"], world.ambush["id"], world.sighting["id"]}
    spring = _by_id(
        committed(
            tenants.engine,
            geo.features,
            alice,
            types=["incident", "drug-seizure", "trafficking-route"],
            since="2025-03-15",
            until="2025-05-01",
        )
    )
    # The ambush (April), the seizure on the last day, the route in use across the range, and the
    # undated route (undated features stay, as places do).
    assert set(spring) == {world.ambush["id"], world.seizure["id"], world.route["id"], world.short_route["id"]}
    late = _by_id(committed(tenants.engine, geo.features, alice, since="2025-12-02T00:00:00Z"))
    assert world.route["id"] not in late
    assert {f["properties"]["type"] for f in late.values()} == {"location", "trafficking-route"}
    with pytest.raises(InvalidInput, match="unknown type"):
        committed(tenants.engine, geo.features, alice, types=["report"])
    with pytest.raises(InvalidInput, match="since"):
        committed(tenants.engine, geo.features, alice, since="last week")


def test_around_an_entity(tenants, world):
    found = _by_id(committed(tenants.engine, geo.features, tenants.principal("alice"), around=world.actor["id"]))
    assert set(found) == {world.bombing["id"], world.seizure["id"], world.secret_seizure["id"], world.sighting["id"]}
    bob = _by_id(committed(tenants.engine, geo.features, tenants.principal("bob"), around=world.actor["id"]))
    assert set(bob) == {world.bombing["id"], world.seizure["id"], world.sighting["id"]}
    at_route = _by_id(committed(tenants.engine, geo.features, tenants.principal("bob"), around=world.route["id"]))
    assert set(at_route) == {world.route["id"], world.dushanbe["id"], world.khorog["id"]}
    with pytest.raises(NotFound):
        committed(tenants.engine, geo.features, tenants.principal("carol"), around=world.actor["id"])


def test_demo_world_map(engine):
    committed(engine, load_demo)
    customs = committed(engine, accounts.principal_for_user, "customs.analyst")
    ct = committed(engine, accounts.principal_for_user, "dcs.analyst")  # in the counter-terrorism group, not the CERT's
    seen_by_customs = committed(engine, geo.features, customs)["features"]
    seen_by_ct = committed(engine, geo.features, ct)["features"]
    kinds = {f["properties"]["type"] for f in seen_by_customs}
    assert {"location", "drug-seizure", "trafficking-route", "sighting"} <= kinds
    assert any(
        f["geometry"]["type"] == "LineString" and len(f["geometry"]["coordinates"]) >= 3 for f in seen_by_customs
    )
    # Attacks are shared in the counter-terrorism group (and cyber attacks in the CERT network):
    # the drug control service sees the former placed, customs sees none.
    assert "incident" not in kinds
    ct_incidents = [f for f in seen_by_ct if f["properties"]["type"] == "incident"]
    assert len(ct_incidents) == 12
    kunduz = next(f for f in ct_incidents if f["properties"]["name"] == "Market bombing in Kunduz")
    assert kunduz["geometry"]["coordinates"] == [68.8681, 36.728]
    around = committed(engine, geo.features, ct, around=demo_id("intrusion-set", "group/jss"), types=["incident"])
    assert {f["properties"]["name"] for f in around["features"]} >= {"Vehicle ramming at Osh bazaar"}
    assert len(around["features"]) == 4
