"""Timelines: dated events newest first, for an entity, a search or overall; visible ones only."""

from __future__ import annotations

import pytest
import vizworld
from txn import committed

from liaison import accounts
from liaison.demo.load import load_demo
from liaison.demo.world import _id as demo_id
from liaison.errors import InvalidInput, NotFound
from liaison.intel import timeline


@pytest.fixture
def world(tenants):
    return vizworld.build(tenants)


def _dates(result: dict) -> list[tuple[str, str]]:
    return [(e["id"], e["date"][:10]) for e in result["events"]]


def test_events_around_an_entity_newest_first(tenants, world):
    result = committed(tenants.engine, timeline.events, tenants.principal("alice"), around=world.actor["id"])
    assert _dates(result) == [
        (world.secret_report["id"], "2025-08-01"),
        (world.report["id"], "2025-07-01"),
        (world.sighting["id"], "2025-06-01"),
        (world.secret_seizure["id"], "2025-05-02"),
        (world.seizure["id"], "2025-05-01"),
        (world.bombing["id"], "2025-03-01"),
        (world.campaign["id"], "2024-06-01"),
        (world.rel_member["id"], "2024-01-01"),
        (world.rel_hidden["id"], "2023-01-01"),
    ]
    assert not result["truncated"]
    by_id = {e["id"]: e for e in result["events"]}
    assert by_id[world.bombing["id"]]["dated_by"] == "occurred_at"
    assert by_id[world.report["id"]]["dated_by"] == "published"
    assert by_id[world.sighting["id"]]["name"] == "Sighting of Red Ring"
    assert by_id[world.sighting["id"]]["of"] == {"id": world.actor["id"], "type": "intrusion-set", "name": "Red Ring"}
    member = by_id[world.rel_member["id"]]
    assert member["name"] == "Pat Doe member of Red Ring" and member["dated_by"] == "start_time"
    assert member["dated_words"] == "from"
    assert member["source"] == {"id": world.member["id"], "type": "threat-actor", "name": "Pat Doe"}


def test_an_outsider_sees_only_what_is_shared(tenants, world):
    result = committed(tenants.engine, timeline.events, tenants.principal("bob"), around=world.actor["id"])
    ids = [e["id"] for e in result["events"]]
    # Alpha's report is hidden; the relationship is visible but its other end is not.
    assert world.secret_report["id"] not in ids and world.rel_hidden["id"] not in ids
    assert vizworld.SECRET not in str(result)
    assert len(ids) == 7
    overall = committed(tenants.engine, timeline.events, tenants.principal("bob"))
    assert world.secret_report["id"] not in {e["id"] for e in overall["events"]}
    # A sighting of something Bob may not see is his to see, but not what it saw.
    unnamed = next(e for e in overall["events"] if e["id"] == world.secret_sighting["id"])
    assert unnamed["name"] == "Sighting ×1" and "of" not in unnamed
    assert vizworld.SECRET not in str(overall) and world.hidden["id"] not in str(overall)
    assert committed(tenants.engine, timeline.events, tenants.principal("carol"))["events"] == []
    with pytest.raises(NotFound):
        committed(tenants.engine, timeline.events, tenants.principal("carol"), around=world.actor["id"])


def test_overall_search_types_and_limit(tenants, world):
    alice = tenants.principal("alice")
    overall = committed(tenants.engine, timeline.events, alice)
    # Every dated object, the ambush by its first_seen; relationships with a start time.
    assert {e["id"] for e in overall["events"]} == {
        world.secret_report["id"],
        world.report["id"],
        world.sighting["id"],
        world.secret_seizure["id"],
        world.seizure["id"],
        world.ambush["id"],
        world.bombing["id"],
        world.secret_sighting["id"],
        world.campaign["id"],
        world.rel_member["id"],
        world.rel_hidden["id"],
    }
    assert [e["date"] for e in overall["events"]] == sorted((e["date"] for e in overall["events"]), reverse=True)
    # A search follows the objects whose name matches, and their links.
    search = committed(tenants.engine, timeline.events, alice, text="ambush")
    assert [e["id"] for e in search["events"]] == [world.ambush["id"]]
    search = committed(tenants.engine, timeline.events, alice, text="Pat doe")
    assert [e["id"] for e in search["events"]] == [world.rel_member["id"]]
    reports = committed(tenants.engine, timeline.events, alice, types=["report", "campaign"])
    assert [e["id"] for e in reports["events"]] == [world.secret_report["id"], world.report["id"], world.campaign["id"]]
    first_two = committed(tenants.engine, timeline.events, alice, limit=2)
    assert _dates(first_two) == _dates(overall)[:2] and first_two["truncated"]
    with pytest.raises(InvalidInput):
        committed(tenants.engine, timeline.events, alice, types=["location"])
    with pytest.raises(InvalidInput):
        committed(tenants.engine, timeline.events, alice, limit=0)


def test_by_month_groups_in_order(tenants, world):
    result = committed(tenants.engine, timeline.events, tenants.principal("bob"), around=world.actor["id"])
    months = timeline.by_month(result["events"])
    assert [m for m, _ in months] == ["2025-07", "2025-06", "2025-05", "2025-03", "2024-06", "2024-01"]
    assert sum(len(items) for _, items in months) == len(result["events"])


def test_demo_world_timeline(engine):
    committed(engine, load_demo)
    psc = committed(engine, accounts.principal_for_user, "psc.analyst")
    cert = committed(engine, accounts.principal_for_user, "cert.analyst")
    hnw = demo_id("intrusion-set", "group/hnw")
    seen_by_psc = committed(engine, timeline.events, psc, around=hnw)["events"]
    seen_by_cert = committed(engine, timeline.events, cert, around=hnw)["events"]
    assert {"report", "incident", "relationship"} <= {e["type"] for e in seen_by_psc}
    assert "Market bombing in Kunduz" in {e["name"] for e in seen_by_psc}
    # CERT is in none of the groups the attacks and memberships are shared in.
    assert [e["name"] for e in seen_by_cert] == ["Regional threat landscape 2025 (public summary)"]
    overall = committed(engine, timeline.events, cert)["events"]
    assert {e["type"] for e in overall} == {"report", "incident", "sighting"}
