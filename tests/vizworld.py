"""A small world for the graph, map and timeline tests. Alpha shares most of it with the group
'ab' (Alpha and Bravo) and keeps a few objects to itself, so Bravo sees links whose other end it
may not see; Charlie sees nothing of it."""

from __future__ import annotations

from types import SimpleNamespace

from stixdata import relationship, sdo
from txn import committed

from liaison.ingest.bundles import import_objects
from liaison.stix import tlp
from liaison.stix.extensions import new_sdo, property_extension

SECRET = "Vault Seven"


def _location(name: str, lat: float, lon: float, level: str = "amber") -> dict:
    return sdo("location", name=name, latitude=lat, longitude=lon, level=level)


def _incident(name: str, **attack) -> dict:
    return sdo(
        "incident",
        name=name,
        level="amber",
        extensions=property_extension("attack-details", attack_type="bombing", **attack),
    )


def _seizure(name: str, when: str, location: dict, level: str = "amber") -> dict:
    return new_sdo(
        "drug-seizure",
        created="2025-01-02T00:00:00.000Z",
        name=name,
        seized_at=when,
        drug_type="heroin",
        quantity=12.5,
        quantity_unit="kg",
        location_ref=location["id"],
        object_marking_refs=[tlp.TLP2_IDS[level]],
    )


def build(tenants) -> SimpleNamespace:
    """Import the world as Alice (Alpha); return its objects by name."""
    alpha = tenants.principal("alice")
    w = SimpleNamespace()
    w.dushanbe = _location("Dushanbe", 38.5598, 68.7870)
    w.khorog = _location("Khorog", 37.4897, 71.5531)
    w.nowhere = sdo("location", name="Pamir", region="central-asia", level="amber")  # no coordinates
    w.base = _location("Secret Base", 37.0, 70.0, level="amber+strict")
    w.actor = sdo("intrusion-set", name="Red Ring", level="amber", created_by_ref=alpha.org_identity_id)
    w.partner = sdo("intrusion-set", name="Blue Ring", level="amber")
    w.hidden = sdo("intrusion-set", name=SECRET, level="amber+strict")
    w.member = sdo("threat-actor", name="Pat Doe", level="amber")
    w.campaign = sdo("campaign", name="Spring Offensive", first_seen="2024-06-01T00:00:00Z", level="amber")
    w.bombing = _incident("Bombing in Dushanbe", occurred_at="2025-03-01T10:00:00Z", location_ref=w.dushanbe["id"])
    w.ambush = sdo(
        "incident",
        name="Ambush near Khorog",
        first_seen="2025-04-01T00:00:00Z",
        level="amber",
        extensions=property_extension("attack-details", attack_type="shooting"),
    )
    w.seizure = _seizure("12.5 kg of heroin at Dushanbe", "2025-05-01T00:00:00Z", w.dushanbe)
    w.secret_seizure = _seizure("Seizure at the base", "2025-05-02T00:00:00Z", w.base)
    w.route = new_sdo(
        "trafficking-route",
        created="2025-01-02T00:00:00.000Z",
        name="Pamir highway route",
        commodity="drugs",
        waypoint_refs=[w.dushanbe["id"], w.base["id"], w.khorog["id"]],
        first_seen="2024-01-01T00:00:00Z",
        last_seen="2025-12-01T00:00:00Z",
        object_marking_refs=[tlp.TLP2_IDS["amber"]],
    )
    w.short_route = new_sdo(
        "trafficking-route",
        created="2025-01-02T00:00:00.000Z",
        name="Base shuttle",
        commodity="arms",
        waypoint_refs=[w.dushanbe["id"], w.base["id"]],
        object_marking_refs=[tlp.TLP2_IDS["amber"]],
    )
    w.sighting = sdo(
        "sighting",
        sighting_of_ref=w.actor["id"],
        first_seen="2025-06-01T00:00:00Z",
        count=3,
        where_sighted_refs=[w.khorog["id"], alpha.org_identity_id],
        level="amber",
    )
    w.report = sdo(
        "report",
        name="Red Ring in Tajikistan",
        published="2025-07-01T00:00:00Z",
        object_refs=[w.actor["id"], w.bombing["id"]],
        level="amber",
    )
    w.note = sdo(
        "note",
        abstract="Seen again",
        content="Red Ring members seen in Khorog.",
        object_refs=[w.actor["id"]],
        level="amber",
    )
    w.rel_partner = relationship(w.actor, w.partner, "related-to", level="amber")
    w.rel_bombing = relationship(w.bombing, w.actor, "attributed-to", level="amber")
    w.rel_ambush_at = relationship(w.ambush, w.khorog, "located-at", level="amber")
    w.rel_seizure = relationship(w.seizure, w.actor, "attributed-to", level="amber")
    w.rel_member = relationship(w.member, w.actor, "member-of", start_time="2024-01-01T00:00:00Z", level="amber")
    w.rel_campaign = relationship(w.campaign, w.actor, "attributed-to", level="amber")
    # Shared with the group, but their other end is Alpha's alone.
    w.rel_hidden = relationship(w.actor, w.hidden, "related-to", start_time="2023-01-01T00:00:00Z", level="amber")
    w.rel_secret_seizure = relationship(w.secret_seizure, w.actor, "attributed-to", level="amber")
    w.secret_sighting = sdo(
        "sighting", sighting_of_ref=w.hidden["id"], first_seen="2025-02-01T00:00:00Z", count=1, level="amber"
    )
    # Alpha's alone.
    w.secret_report = sdo(
        "report",
        name=f"{SECRET} and Red Ring",
        published="2025-08-01T00:00:00Z",
        object_refs=[w.actor["id"], w.hidden["id"]],
        level="amber+strict",
    )
    private = [w.base, w.hidden, w.secret_report]
    shared = [v for k, v in vars(w).items() if isinstance(v, dict) and not any(v is p for p in private)]
    # The shared part first: it holds a sighting of a private object, which the import refuses once
    # the object is known (intel/reach); such data still reaches a store (the object arriving
    # after what refers to it), and the reads must not leak through it.
    committed(tenants.engine, import_objects, alpha, shared, audience="group:ab")
    committed(tenants.engine, import_objects, alpha, private, audience="org")
    return w
