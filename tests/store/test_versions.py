"""The version model under real producers and hostile partners: corrections, ownership chains, no
write-path oracles, TLP in granular markings, one object in several audiences."""

from __future__ import annotations

import orjson
import pytest
from exposure import assert_postings_follow_holdings
from sqlalchemy import func, select
from stixdata import actor, bundle, sdo
from txn import committed, streamed

from liaison.db.tables import holding, object_version
from liaison.errors import InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import details, sharing
from liaison.intel import objects as intel
from liaison.stix import tlp


def _content(engine, principal, stix_id) -> dict:
    return orjson.loads(committed(engine, intel.get_object, principal, stix_id).raw)


def _answers(report) -> dict:
    """An import's answer without its timing: what a caller learns from it."""
    return {k: v for k, v in report.as_dict().items() if k != "seconds"}


# --- corrections ------------------------------------------------------------------------------


def test_a_correction_moves_the_holding_and_keeps_the_history(tenants):
    alice = tenants.principal("alice")
    first = actor("Statement", description="first wording")
    corrected = dict(first, description="second wording")
    committed(tenants.engine, import_objects, alice, [first], audience="group:ab")
    report = committed(tenants.engine, import_objects, alice, [corrected], audience="group:ab")
    assert (report.new_versions, report.corrections) == (1, 1)
    assert _content(tenants.engine, alice, first["id"])["description"] == "second wording"
    bob = tenants.principal("bob")
    assert _content(tenants.engine, bob, first["id"])["description"] == "second wording"
    history = committed(tenants.engine, intel.list_versions, alice, first["id"])
    assert [(v["superseded_at"] is not None, v["current"]) for v in history] == [(True, False), (False, True)]
    everything = committed(tenants.engine, intel.make_filters)
    exported = b"".join(streamed(tenants.engine, intel.export_bundle, alice, everything, all_versions=True))
    descriptions = [o.get("description") for o in orjson.loads(exported)["objects"] if o["id"] == first["id"]]
    assert descriptions == ["first wording", "second wording"]  # replaced content first, so a re-import holds the same


def test_content_received_before_is_a_no_op_even_when_it_flips_back(tenants):
    """ATT&CK flips values back and forth between releases: re-importing an old release changes nothing."""
    alice = tenants.principal("alice")
    a = actor("Flip", x_mitre_version="1.0")
    b = dict(a, x_mitre_version="1.1")
    committed(tenants.engine, import_objects, alice, [a])
    committed(tenants.engine, import_objects, alice, [b])
    again = committed(tenants.engine, import_objects, alice, [a])
    assert (again.new_versions, again.new_holdings, again.corrections, again.already_received) == (0, 0, 0, 1)
    assert _content(tenants.engine, alice, a["id"])["x_mitre_version"] == "1.1"


def test_each_organisation_keeps_what_it_received(tenants):
    alice, carol = tenants.principal("alice"), tenants.principal("carol")
    old = actor("Public", description="release 8")
    new = dict(old, description="release 9")
    committed(tenants.engine, import_objects, alice, [old], audience="instance")
    committed(tenants.engine, import_objects, carol, [old])
    committed(tenants.engine, import_objects, alice, [new], audience="instance")
    assert _content(tenants.engine, carol, old["id"])["description"] == "release 8"
    assert _content(tenants.engine, alice, old["id"])["description"] == "release 9"
    assert _content(tenants.engine, tenants.principal("bob"), old["id"])["description"] == "release 9"


def test_a_correction_within_one_bundle_follows_the_bundle_order(tenants):
    alice = tenants.principal("alice")
    a = actor("Twice", description="earlier")
    report = committed(tenants.engine, import_objects, alice, [a, dict(a, description="later")])
    assert report.corrections == 1
    assert _content(tenants.engine, alice, a["id"])["description"] == "later"


def test_sharing_and_correcting_in_one_bundle_leaves_no_live_copy_of_the_replaced_text(tenants):
    """Alpha holds its source's real name for itself; one bundle shares that content with group ab
    and corrects it to a sanitised text. Bravo reads the correction only, and no live holding of
    the replaced content is left for the group (a version history of Bravo's sees nothing of it)."""
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    real = actor("Source", description="SECRET source name")
    committed(tenants.engine, import_objects, alice, [real], audience="org")
    sanitised = dict(real, description="a source")
    report = committed(tenants.engine, import_objects, alice, [real, sanitised], audience="group:ab")
    assert report.corrections == 1
    assert _content(tenants.engine, bob, real["id"])["description"] == "a source"
    with tenants.engine.connect() as conn:
        live = (
            conn.execute(
                select(object_version.c.raw)
                .join(holding, holding.c.version_pk == object_version.c.pk)
                .where(object_version.c.stix_id == real["id"], holding.c.superseded_at.is_(None))
            )
            .scalars()
            .all()
        )
        assert live and not any("SECRET" in raw for raw in live)  # the correction, for Alpha and for ab
    versions = committed(tenants.engine, intel.list_versions, bob, real["id"])
    assert "SECRET" not in orjson.dumps(versions).decode()
    assert_postings_follow_holdings(tenants.engine)


def test_a_corrections_storm_is_bounded_and_whole(tenants):
    alice = tenants.principal("alice")
    base = actor("Storm")
    storm = [dict(base, description=f"edit {i}") for i in range(1000)]
    report = committed(tenants.engine, import_objects, alice, storm)
    assert (report.received, report.corrections) == (1000, 999)
    assert _content(tenants.engine, alice, base["id"])["description"] == "edit 999"
    with tenants.engine.connect() as conn:
        live = conn.execute(
            select(func.count())
            .select_from(holding)
            .join(object_version, object_version.c.pk == holding.c.version_pk)
            .where(object_version.c.stix_id == base["id"], holding.c.superseded_at.is_(None))
        ).scalar_one()
    assert live == 1


# --- ownership chains -------------------------------------------------------------------------


def test_another_organisation_cannot_version_what_alpha_owns(tenants):
    """Bravo imports later versions of Alpha's instance-wide object (no created_by_ref, a new name,
    then a revocation): they are Bravo's claim. Alpha and everyone reading Alpha's holdings see
    Alpha's object, and Alpha goes on versioning it."""
    alice, bob, carol = (tenants.principal(u) for u in ("alice", "bob", "carol"))
    mine = actor("Zarafshon Network", created_by_ref=alice.org_identity_id)
    committed(tenants.engine, import_objects, alice, [mine], audience="instance")
    hijack = {k: v for k, v in mine.items() if k != "created_by_ref"} | {
        "modified": "2025-06-01T00:00:00.000Z",
        "name": "Bravo's name",
    }
    revoke = dict(hijack, modified="2025-07-01T00:00:00.000Z", revoked=True)
    committed(tenants.engine, import_objects, bob, [hijack, revoke], audience="instance")
    for reader in (alice, carol):
        assert _content(tenants.engine, reader, mine["id"])["name"] == "Zarafshon Network"
    sets = committed(tenants.engine, intel.make_filters, types=["intrusion-set"])
    listed = committed(tenants.engine, intel.list_objects, carol, sets)
    assert [v.stix_id for v in listed.items] == [mine["id"]]
    update = dict(mine, modified="2025-08-01T00:00:00.000Z", description="Alpha's update")
    committed(tenants.engine, import_objects, alice, [update], audience="instance")  # not refused as revoked
    assert _content(tenants.engine, carol, mine["id"])["description"] == "Alpha's update"
    page = committed(tenants.engine, details.details, carol, mine["id"])
    assert page.chain == "Alpha" and [(c.organisation, c.revoked) for c in page.claims] == [("Bravo", True)]


def test_an_org_only_object_known_only_by_its_id_cannot_be_taken_over(tenants):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    secret = actor("Private cell", created_by_ref=alice.org_identity_id)
    committed(tenants.engine, import_objects, alice, [secret])
    claim = {k: v for k, v in secret.items() if k != "created_by_ref"} | {
        "modified": "2026-01-01T00:00:00.000Z",
        "name": "decoy",
        "revoked": True,
    }
    committed(tenants.engine, import_objects, bob, [claim], audience="group:ab")
    assert _content(tenants.engine, alice, secret["id"])["name"] == "Private cell"
    assert "revoked" not in _content(tenants.engine, alice, secret["id"])


# --- no existence oracle on writes ------------------------------------------------------------


def _domain(value: str) -> dict:
    import uuid

    return {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": f"domain-name--{uuid.uuid5(uuid.NAMESPACE_URL, value)}",
        "value": value,
    }


def test_an_sco_held_privately_by_another_answers_as_if_absent(tenants):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    committed(tenants.engine, import_objects, alice, [_domain("held.example.org")])
    probe = _answers(committed(tenants.engine, import_objects, bob, [_domain("held.example.org")]))
    control = _answers(committed(tenants.engine, import_objects, bob, [_domain("never.example.org")]))
    assert probe == control and probe["new_versions"] == 1


def test_other_content_under_a_hidden_version_answers_as_if_absent(tenants):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    hidden = actor("Hidden")
    committed(tenants.engine, import_objects, alice, [hidden])
    probe = _answers(committed(tenants.engine, import_objects, bob, [dict(hidden, description="guess")]))
    control = _answers(committed(tenants.engine, import_objects, bob, [actor("Fresh")]))
    assert probe == control
    assert "description" not in _content(tenants.engine, alice, hidden["id"])


def test_two_organisations_keep_their_own_content_of_one_sco(tenants):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    mine = dict(_domain("shared.example.org"), x_note="Alpha's")
    theirs = dict(mine, x_note="Bravo's")
    committed(tenants.engine, import_objects, alice, [mine])
    committed(tenants.engine, import_objects, bob, [theirs])
    assert _content(tenants.engine, alice, mine["id"])["x_note"] == "Alpha's"
    assert _content(tenants.engine, bob, mine["id"])["x_note"] == "Bravo's"


# --- TLP in granular markings -----------------------------------------------------------------


def test_a_red_granular_marking_keeps_the_object_from_the_instance(tenants):
    alice = tenants.principal("alice")
    obj = actor(
        "Granular",
        description="source: KESTREL",
        granular_markings=[{"marking_ref": tlp.TLP2_IDS["red"], "selectors": ["description"]}],
    )
    with pytest.raises(InvalidInput, match="TLP:RED"):
        committed(tenants.engine, import_objects, alice, [obj], audience="instance")
    committed(tenants.engine, import_objects, alice, [obj], audience="group:ab")
    with pytest.raises(InvalidInput, match="TLP:RED"):
        committed(tenants.engine, sharing.share, alice, obj["id"], "instance")
    with pytest.raises(NotFound):
        committed(tenants.engine, intel.get_object, tenants.principal("carol"), obj["id"])


# --- one object, several audiences ------------------------------------------------------------


def test_importing_again_for_another_audience_adds_it(tenants):
    alice, carol = tenants.principal("alice"), tenants.principal("carol")
    obj = actor("Two audiences")
    committed(tenants.engine, import_objects, alice, [obj], audience="group:ab")
    report = committed(tenants.engine, import_objects, alice, [obj], audience="instance")
    assert report.new_holdings == 1
    held = committed(tenants.engine, intel.get_object, alice, obj["id"]).holdings
    assert {h.audience for h in held} == {"group:ab", "instance"}
    assert _content(tenants.engine, carol, obj["id"])["name"] == "Two audiences"


def test_share_and_unshare_act_on_the_current_version_and_take_annotations_along(tenants):
    alice, carol = tenants.principal("alice"), tenants.principal("carol")
    v1 = actor("Sanitised", description="names the informant")
    v2 = dict(v1, modified="2025-02-01T00:00:00.000Z", description="sanitised")
    committed(tenants.engine, import_objects, alice, [v1, v2])
    assert committed(tenants.engine, sharing.share, alice, v1["id"], "instance")["added"] == 1
    assert _content(tenants.engine, carol, v1["id"])["description"] == "sanitised"
    assert len(committed(tenants.engine, intel.list_versions, carol, v1["id"])) == 1  # the earlier version stays home
    note = sdo("note", content="Alpha's note", object_refs=[v1["id"]])
    committed(tenants.engine, import_objects, alice, [note], audience="instance")
    result = committed(tenants.engine, sharing.unshare, alice, v1["id"], "instance")
    assert (result["removed"], result["annotations_removed"]) == (1, 1)
    for stix_id in (v1["id"], note["id"]):
        with pytest.raises(NotFound):
            committed(tenants.engine, intel.get_object, carol, stix_id)
        assert committed(tenants.engine, intel.get_object, alice, stix_id)  # still held by Alpha for itself


def test_sharing_what_you_cannot_see_answers_as_for_nothing(tenants):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    hidden = actor("Not yours")
    committed(tenants.engine, import_objects, alice, [hidden])
    for action in (sharing.share, sharing.unshare):
        with pytest.raises(NotFound) as invisible:
            committed(tenants.engine, action, bob, hidden["id"], "group:ab")
        with pytest.raises(NotFound) as unknown:
            committed(tenants.engine, action, bob, actor("nowhere")["id"], "group:ab")
        assert invisible.value.message == unknown.value.message
    visible = actor("Seen, not held")
    committed(tenants.engine, import_objects, alice, [visible], audience="group:ab")
    with pytest.raises(InvalidInput, match="only its holders share it"):
        committed(tenants.engine, sharing.share, bob, visible["id"], "instance")
    assert committed(tenants.engine, intel.get_object, bob, visible["id"]).holdings[0].audience == "group:ab"


def test_unshare_every_version(tenants):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    v1 = actor("All of it")
    v2 = dict(v1, modified="2025-03-01T00:00:00.000Z")
    committed(tenants.engine, import_objects, alice, [v1, v2], audience="group:ab")
    assert committed(tenants.engine, sharing.unshare, alice, v1["id"], "group:ab", all_versions=True)["removed"] == 2
    with pytest.raises(NotFound):
        committed(tenants.engine, intel.list_versions, bob, v1["id"])
    assert len(committed(tenants.engine, intel.list_versions, alice, v1["id"])) == 2


def test_the_rest_api_shares_and_unshares(client, tenants):
    obj = actor("Over REST")
    client.post("/api/v1/bundles", content=orjson.dumps(bundle(obj)), headers=tenants.headers("alice"))
    answer = client.post(
        f"/api/v1/objects/{obj['id']}/audiences", json={"audience": "group:ab"}, headers=tenants.headers("alice")
    )
    assert answer.status_code == 200 and answer.json()["added"] == 1
    assert client.get(f"/api/v1/objects/{obj['id']}", headers=tenants.headers("bob")).status_code == 200
    gone = client.delete(
        f"/api/v1/objects/{obj['id']}/audiences", params={"audience": "group:ab"}, headers=tenants.headers("alice")
    )
    assert gone.status_code == 200 and gone.json()["removed"] == 1
    assert client.get(f"/api/v1/objects/{obj['id']}", headers=tenants.headers("bob")).status_code == 404
    hostile = client.post(
        f"/api/v1/objects/{obj['id']}/audiences", json={"audience": "group:ab"}, headers=tenants.headers("bob")
    )
    unknown = client.post(
        f"/api/v1/objects/{actor('x')['id']}/audiences", json={"audience": "group:ab"}, headers=tenants.headers("bob")
    )
    assert hostile.status_code == unknown.status_code == 404 and hostile.json() == unknown.json()


# --- real data as it is -----------------------------------------------------------------------


def test_values_the_validator_allows_are_kept_exactly(tenants):
    """Integers beyond 64 bits and a `relationship_type` on a type that has none: JSON and the OASIS
    validator allow both; they are kept as received and export unchanged."""
    alice = tenants.principal("alice")
    target = actor("Target")
    odd = sdo(
        "x-acme-link", x_big=2**70, relationship_type={"not": "a string"}, source_ref=target["id"], x_empty_ref=""
    )
    report = committed(tenants.engine, import_objects, alice, [target, odd])
    assert report.new_versions == 2
    assert _content(tenants.engine, alice, odd["id"]) == odd


# --- found in review, from the hostile side ---------------------------------------------------


def test_a_correction_to_red_leaves_the_audiences_red_does_not_allow(tenants):
    alice, carol = tenants.principal("alice"), tenants.principal("carol")
    public = actor("Indicator source", description="open reporting")
    committed(tenants.engine, import_objects, alice, [public], audience="instance")
    red = dict(
        public,
        description="SECRET source: agent X",
        granular_markings=[{"marking_ref": tlp.TLP2_IDS["red"], "selectors": ["description"]}],
    )
    committed(tenants.engine, import_objects, alice, [red], audience="group:ab")
    with pytest.raises(NotFound):
        committed(tenants.engine, intel.get_object, carol, public["id"])
    assert _content(tenants.engine, tenants.principal("bob"), public["id"])["description"].startswith("SECRET")


def test_what_a_correction_replaced_is_history_for_its_holder_only(tenants):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    sensitive = actor("Cell", description="SENSITIVE: informant name")
    committed(tenants.engine, import_objects, alice, [sensitive], audience="group:ab")
    committed(tenants.engine, import_objects, alice, [dict(sensitive, description="sanitised")], audience="group:ab")
    for reader, expected in ((alice, 2), (bob, 1)):
        assert len(committed(tenants.engine, intel.list_versions, reader, sensitive["id"])) == expected
    everything = committed(tenants.engine, intel.make_filters)
    exported = b"".join(streamed(tenants.engine, intel.export_bundle, bob, everything, all_versions=True))
    assert b"SENSITIVE" not in exported
    versions = committed(tenants.engine, details.details, bob, sensitive["id"]).versions
    assert [v.object["description"] for v in versions] == ["sanitised"]


def test_taxii_serves_the_owners_chain_not_a_later_revoking_claim(tenants):
    from liaison.store import collections as colls

    alice, bob, carol = (tenants.principal(u) for u in ("alice", "bob", "carol"))
    mine = sdo("malware", name="Alpha's malware", is_family=False, created_by_ref=alice.org_identity_id)
    committed(tenants.engine, import_objects, alice, [mine], audience="instance")
    claim = {k: v for k, v in mine.items() if k != "created_by_ref"} | {
        "modified": "2025-09-01T00:00:00.000Z",
        "revoked": True,
    }
    committed(tenants.engine, import_objects, bob, [claim], audience="instance")
    with tenants.engine.connect() as conn:
        coll = next(c for c in colls.collections_for(conn, carol) if c.kind == "instance")
        for versions in (("last",), ("all",)):
            found, _ = colls.entries(conn, carol, coll.audience_id, colls.Query(ids=(mine["id"],), versions=versions))
            assert [orjson.loads(e.raw) for e in found] == [mine]


def test_concurrent_imports_of_one_version_leave_one_live_content(tenants):
    import threading

    bob = tenants.principal("bob")
    base = actor("Raced")
    barrier = threading.Barrier(2)
    errors = []

    def run(text: str) -> None:
        barrier.wait()
        try:
            committed(tenants.engine, import_objects, bob, [dict(base, description=text)])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with tenants.engine.connect() as conn:
        live = conn.execute(
            select(func.count())
            .select_from(holding)
            .join(object_version, object_version.c.pk == holding.c.version_pk)
            .where(object_version.c.stix_id == base["id"], holding.c.superseded_at.is_(None))
        ).scalar_one()
    assert live == 1
