"""Entity hit queries on real data: two agencies hold MITRE's ATT&CK for ICS (the newest release in
../shared/data/attack; see its README), as agencies do hold public data under the same ids. Every
group one agency asks about answers with the other only as that one's rules allow, and revoked or
deprecated objects answer no one. Without the releases these tests skip."""

from __future__ import annotations

import orjson
import pytest
from attackdata import DATA, releases
from stixdata import sdo
from txn import committed

from liaison.ingest.bundles import import_objects
from liaison.intel import discovery, hits


def _newest() -> list[dict]:
    files = releases("ics")
    if not files:
        pytest.skip(f"ATT&CK releases not found in {DATA} (see shared/data/README.md)")
    return orjson.loads(files[-1].read_bytes())["objects"]


def _live_groups(objects: list[dict]) -> list[dict]:
    """The intrusion sets of a release that are neither revoked nor deprecated."""
    return [
        o for o in objects if o["type"] == "intrusion-set" and not o.get("revoked") and not o.get("x_mitre_deprecated")
    ]


def _holders(tenants, user: str, stix_ids: list[str]) -> list[list[str]]:
    asked = [hits.Asked(stix_id, hits.ENTITY) for stix_id in stix_ids]
    answer = committed(tenants.engine, hits.ask, tenants.principal(user), asked)
    return [[h.organisation for h in r.holders] for r in answer.results]


def test_an_agency_holding_attack_answers_as_its_rules_say(tenants):
    objects = _newest()
    live = _live_groups(objects)
    assert len(live) >= 5, "the ICS release names its groups"
    for user in ("alice", "carol"):
        committed(tenants.engine, import_objects, tenants.principal(user), objects)
    ids = [o["id"] for o in live]
    assert _holders(tenants, "carol", ids) == [[] for _ in ids]  # Alpha's default: no one

    committed(tenants.engine, discovery.set_default, tenants.principal("adam"), ["instance"])
    kept = ids[0]
    committed(tenants.engine, discovery.set_object, tenants.principal("alice"), kept, ["none"])
    expected = [[] if stix_id == kept else ["Alpha"] for stix_id in ids]
    assert _holders(tenants, "carol", ids) == expected
    answer = committed(tenants.engine, hits.ask, tenants.principal("carol"), [hits.Asked(ids[1], hits.ENTITY)])
    assert "intrusion-set--" not in orjson.dumps([h for r in answer.results for h in r.holders]).decode()


def test_a_group_revoked_in_the_newer_content_answers_no_one(tenants):
    objects = _newest()
    live = _live_groups(objects)
    target = live[0]
    committed(tenants.engine, import_objects, tenants.principal("alice"), objects)
    committed(tenants.engine, import_objects, tenants.principal("carol"), [target])
    committed(tenants.engine, discovery.set_default, tenants.principal("adam"), ["instance"])
    assert _holders(tenants, "carol", [target["id"]]) == [["Alpha"]]
    revoked = sdo("intrusion-set", id=target["id"], created=target["created"], modified="2099-01-01T00:00:00.000Z")
    revoked |= {"name": target["name"], "revoked": True}
    committed(tenants.engine, import_objects, tenants.principal("alice"), [revoked])
    assert _holders(tenants, "carol", [target["id"]]) == [[]]
