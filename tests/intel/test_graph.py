"""The neighbourhood graph: the right nodes and edges, and nothing of what the principal may not see."""

from __future__ import annotations

import pytest
import vizworld
from stixdata import actor, relationship, sdo
from txn import committed

from liaison.demo.load import load_demo
from liaison.demo.world import _id as demo_id
from liaison.errors import InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import graph
from liaison.store import reads


@pytest.fixture
def world(tenants):
    return vizworld.build(tenants)


def _labels(result, other_of: str) -> set[tuple[str, str, str]]:
    """(label, direction, other end) of each edge, seen from `other_of`."""
    return {
        (e.label, "out" if e.source == other_of else "in", e.target if e.source == other_of else e.source)
        for e in result.edges
    }


def test_relationships_refs_and_referrers(tenants, world):
    result = committed(tenants.engine, graph.neighbourhood, tenants.principal("alice"), world.actor["id"])
    centre = world.actor["id"]
    assert [n.id for n in result.nodes if n.centre] == [centre]
    assert _labels(result, centre) == {
        ("related-to", "out", world.partner["id"]),
        ("related-to", "out", world.hidden["id"]),
        ("attributed-to", "in", world.bombing["id"]),
        ("attributed-to", "in", world.seizure["id"]),
        ("attributed-to", "in", world.secret_seizure["id"]),
        ("attributed-to", "in", world.campaign["id"]),
        ("member-of", "in", world.member["id"]),
        ("object_refs", "in", world.report["id"]),
        ("object_refs", "in", world.secret_report["id"]),
        ("object_refs", "in", world.note["id"]),
        ("sighting_of_ref", "in", world.sighting["id"]),
    }
    nodes = {n.id: n for n in result.nodes}
    assert len(nodes) == len(result.nodes) == 12 and not result.truncated
    assert (nodes[world.note["id"]].name, nodes[world.note["id"]].type) == ("Seen again", "note")
    assert (nodes[world.hidden["id"]].name, nodes[world.hidden["id"]].tlp) == (vizworld.SECRET, "amber+strict")
    relationship_edges = {e.id: e for e in result.edges if e.kind == "relationship"}
    assert relationship_edges[world.rel_bombing["id"]].as_dict() == {
        "id": world.rel_bombing["id"],
        "source": world.bombing["id"],
        "target": centre,
        "label": "attributed-to",
        "words": "attributed to",
        "kind": "relationship",
    }
    ref = next(e for e in result.edges if e.source == world.report["id"])
    assert ref.id == f"ref:object_refs:{world.report['id']}:{centre}" and ref.kind == "ref"
    assert ref.words == "refers to"
    sighted = {e.words for e in result.edges if e.label == "sighting_of_ref"}
    assert sighted == {"sighting of"}


def test_embedded_refs_from_the_centre(tenants, world):
    result = committed(tenants.engine, graph.neighbourhood, tenants.principal("alice"), world.route["id"])
    route = world.route["id"]
    assert _labels(result, route) == {
        ("waypoint_refs", "out", world.dushanbe["id"]),
        ("waypoint_refs", "out", world.base["id"]),
        ("waypoint_refs", "out", world.khorog["id"]),
    }
    assert {e.words for e in result.edges} == {"waypoint"}
    # Refs inside extensions are labelled with their property name.
    result = committed(tenants.engine, graph.neighbourhood, tenants.principal("alice"), world.dushanbe["id"])
    assert ("location_ref", "in", world.bombing["id"]) in _labels(result, world.dushanbe["id"])


def test_a_link_needs_both_ends_visible(tenants, world):
    bob = tenants.principal("bob")
    result = committed(tenants.engine, graph.neighbourhood, bob, world.actor["id"])
    ids = (
        {n.id for n in result.nodes}
        | {e.id for e in result.edges}
        | {e.source for e in result.edges}
        | {e.target for e in result.edges}
    )
    # The relationship to the hidden group is visible to Bravo; its other end is not: no node, no edge.
    assert world.hidden["id"] not in ids and world.rel_hidden["id"] not in ids
    assert world.secret_report["id"] not in ids
    assert all(vizworld.SECRET not in n.name for n in result.nodes)
    assert len(result.nodes) == 10
    with tenants.engine.connect() as conn:  # everything shown is visible to Bob
        assert all(reads.get_version(conn, bob, node.id) is not None for node in result.nodes)
    # A route's waypoints: the hidden one is no neighbour of Bob's.
    route = committed(tenants.engine, graph.neighbourhood, bob, world.route["id"])
    assert {n.id for n in route.nodes} == {world.route["id"], world.dushanbe["id"], world.khorog["id"]}


def test_an_outsider_gets_not_found_like_a_missing_object(tenants, world):
    carol = tenants.principal("carol")
    with pytest.raises(NotFound) as hidden:
        committed(tenants.engine, graph.neighbourhood, carol, world.actor["id"])
    never = "intrusion-set--00000000-0000-4000-8000-000000000000"
    with pytest.raises(NotFound) as missing:
        committed(tenants.engine, graph.neighbourhood, carol, never)
    assert hidden.value.message.replace(world.actor["id"], never) == missing.value.message
    with pytest.raises(NotFound):
        committed(tenants.engine, graph.neighbourhood, tenants.principal("bob"), world.hidden["id"])
    with pytest.raises(InvalidInput):
        committed(tenants.engine, graph.neighbourhood, carol, "not-an-id")


def test_filter_by_label_and_noise_only_on_request(tenants, world):
    alice = tenants.principal("alice")
    result = committed(
        tenants.engine, graph.neighbourhood, alice, world.actor["id"], relationship_types=["member-of", "object_refs"]
    )
    assert {e.label for e in result.edges} == {"member-of", "object_refs"}
    assert len(result.nodes) == 1 + 1 + 3
    default = committed(tenants.engine, graph.neighbourhood, alice, world.actor["id"])
    assert alice.org_identity_id not in {n.id for n in default.nodes}
    asked = committed(
        tenants.engine, graph.neighbourhood, alice, world.actor["id"], relationship_types=["created_by_ref"]
    )
    assert [(e.label, e.target) for e in asked.edges] == [("created_by_ref", alice.org_identity_id)]


def test_latest_version_and_revocation(tenants, world):
    alice = tenants.principal("alice")
    later = "2025-09-01T00:00:00.000Z"
    # The report's latest version no longer refers to the actor; the note is revoked.
    committed(
        tenants.engine,
        import_objects,
        alice,
        [
            dict(world.report, modified=later, object_refs=[world.bombing["id"]]),
            dict(world.note, modified=later, revoked=True),
            dict(world.rel_partner, modified=later, revoked=True),
            dict(world.member, modified=later, revoked=True),
        ],
        audience="group:ab",
    )
    result = committed(tenants.engine, graph.neighbourhood, alice, world.actor["id"])
    ids = {n.id for n in result.nodes} | {e.id for e in result.edges}
    for gone in (world.report, world.note, world.rel_partner, world.partner, world.member, world.rel_member):
        assert gone["id"] not in ids, gone.get("name") or gone["type"]
    assert world.bombing["id"] in ids
    # Bob still sees the report's older version only if it is the latest he may see: here it is not.
    assert world.report["id"] not in {
        n.id for n in committed(tenants.engine, graph.neighbourhood, tenants.principal("bob"), world.actor["id"]).nodes
    }


def test_a_version_bob_cannot_see_leaves_him_the_one_he_can(tenants, world):
    """Latest *visible*: Alpha's private later version does not hide the group version from Bravo."""
    alice = tenants.principal("alice")
    committed(
        tenants.engine,
        import_objects,
        alice,
        [
            dict(
                world.report,
                modified="2025-09-01T00:00:00.000Z",
                object_refs=[world.bombing["id"]],
                object_marking_refs=["marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"],
            )
        ],
        audience="org",
    )
    bob_graph = committed(tenants.engine, graph.neighbourhood, tenants.principal("bob"), world.actor["id"])
    bob_nodes = {n.id for n in bob_graph.nodes}
    alice_nodes = {n.id for n in committed(tenants.engine, graph.neighbourhood, alice, world.actor["id"]).nodes}
    assert world.report["id"] in bob_nodes and world.report["id"] not in alice_nodes


def test_limit_truncates_and_counts_only_what_is_visible(tenants):
    alice = tenants.principal("alice")
    hub = sdo("intrusion-set", name="Hub", level="amber")
    spokes = [sdo("threat-actor", name=f"Spoke {n}", level="amber") for n in range(6)]
    hidden = [sdo("threat-actor", name=f"Hidden {n}", level="amber+strict") for n in range(6)]
    rels = [relationship(s, hub, "member-of", level="amber") for s in spokes + hidden]
    committed(tenants.engine, import_objects, alice, hidden, audience="org")
    committed(tenants.engine, import_objects, alice, [hub, *spokes, *rels], audience="group:ab")
    bob = tenants.principal("bob")
    full = committed(tenants.engine, graph.neighbourhood, bob, hub["id"], limit=6)
    assert len(full.nodes) == 7 and not full.truncated
    cut = committed(tenants.engine, graph.neighbourhood, bob, hub["id"], limit=4)
    assert len(cut.nodes) == 5 and len(cut.edges) == 4 and cut.truncated
    assert not committed(tenants.engine, graph.neighbourhood, alice, hub["id"], limit=12).truncated
    assert committed(tenants.engine, graph.neighbourhood, alice, hub["id"], limit=11).truncated
    with pytest.raises(InvalidInput):
        committed(tenants.engine, graph.neighbourhood, bob, hub["id"], limit=0)


def test_relations_rows_show_direction_and_audiences(tenants, world):
    rows, truncated = committed(tenants.engine, graph.relations, tenants.principal("bob"), world.actor["id"])
    assert not truncated
    assert committed(tenants.engine, graph.relations, tenants.principal("bob"), world.actor["id"], limit=3)[1]
    by_other = {r["other"]["id"]: r for r in rows}
    assert by_other[world.partner["id"]]["direction"] == "out"
    assert by_other[world.member["id"]]["direction"] == "in"
    assert by_other[world.member["id"]]["label"] == "member-of"
    assert by_other[world.member["id"]]["audiences"] == ["group:ab"]
    assert world.hidden["id"] not in by_other and len(rows) == 9


def test_demo_world_neighbourhoods_follow_the_audiences(engine):
    committed(engine, load_demo)
    from liaison import accounts

    hnw = demo_id("intrusion-set", "group/hnw")
    ct = committed(engine, accounts.principal_for_user, "psc.analyst")
    cert = committed(engine, accounts.principal_for_user, "cert.analyst")
    seen_by_ct = committed(engine, graph.neighbourhood, ct, hnw)
    seen_by_cert = committed(engine, graph.neighbourhood, cert, hnw)
    ct_labels = {e.label for e in seen_by_ct.edges}
    assert {"member-of", "attributed-to", "targets", "object_refs"} <= ct_labels
    # The members are shared in the counter-terrorism group only, which CERT is not part of.
    assert "member-of" not in {e.label for e in seen_by_cert.edges}
    assert {n.id for n in seen_by_cert.nodes} < {n.id for n in seen_by_ct.nodes}
    with engine.connect() as conn:
        for principal, result in ((ct, seen_by_ct), (cert, seen_by_cert)):
            for item in [n.id for n in result.nodes] + [e.id for e in result.edges if e.kind == "relationship"]:
                assert reads.get_version(conn, principal, item) is not None, item


def test_a_report_draws_each_object_it_refers_to_once(tenants):
    """A published draft refers to an object by `object_refs` and names it in its mentions extension
    too: one edge, its own property's."""
    from liaison.stix.extensions import EXT_IDS

    target = actor("Oxus Couriers", level="green")
    report = sdo(
        "report",
        name="Ferry seizure",
        published="2025-01-01T00:00:00Z",
        description="Oxus Couriers again",
        object_refs=[target["id"]],
        level="green",
        extensions={
            EXT_IDS["report-mentions"]: {
                "extension_type": "property-extension",
                "mentions": [
                    {"start": 0, "end": 13, "kind": "group", "value": "Oxus Couriers", "object_ref": target["id"]}
                ],
                "extracted_at": "2025-01-01T00:00:00.000Z",
            }
        },
    )
    committed(tenants.engine, import_objects, tenants.principal("alice"), [target, report], audience="instance")
    result = committed(tenants.engine, graph.neighbourhood, tenants.principal("bob"), report["id"])
    edges = [e for e in result.edges if e.target == target["id"]]
    assert [(e.label, e.words) for e in edges] == [("object_refs", "refers to")]
    around = committed(tenants.engine, graph.neighbourhood, tenants.principal("bob"), target["id"])
    assert len([e for e in around.edges if e.source == report["id"]]) == 1
