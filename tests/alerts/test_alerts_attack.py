"""Watching an entity on real data no one here wrote: MITRE ATT&CK for ICS, one release imported
after another. A watch on a group is told of exactly the group's new versions and the new or
corrected objects that refer to it (its relationships, the release's collection that lists it), as
the release files themselves say."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest
from attackdata import DATA, releases
from txn import committed

from liaison.alerts import evaluate, inbox, watchlists
from liaison.ingest.bundles import import_objects

pytestmark = pytest.mark.skipif(
    len(releases("ics")) < 2, reason=f"needs two ATT&CK for ICS releases in {DATA} (see ../shared/data/README.md)"
)


def _content(obj: dict) -> tuple:
    return obj["id"], obj.get("modified"), orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def _about(obj: dict, group: str) -> bool:
    """The group itself, a relationship from or to it, or the collection that lists it."""
    listed = {item.get("object_ref") for item in obj.get("x_mitre_contents") or ()}
    return obj["id"] == group or group in (obj.get("source_ref"), obj.get("target_ref")) or group in listed


def test_a_watched_group_is_told_of_what_the_next_release_changes_about_it(tenants):
    older, newer = (orjson.loads(path.read_bytes())["objects"] for path in releases("ics")[-3:-1])
    before = {_content(o) for o in older}
    changed = [o for o in newer if _content(o) not in before]
    groups = [o["id"] for o in older if o["type"] == "intrusion-set"]
    busiest = Counter(g for o in changed for g in groups if _about(o, g)).most_common(1)
    if not busiest:
        pytest.skip("the newest two releases change nothing about any group")
    group = busiest[0][0]
    committed(tenants.engine, import_objects, tenants.principal("alice"), older, audience="instance")
    committed(tenants.engine, watchlists.watch, tenants.principal("bob"), "entity", {"id": group})
    committed(tenants.engine, import_objects, tenants.principal("alice"), newer, audience="instance")
    evaluate.run(tenants.engine)
    alerts = committed(tenants.engine, inbox.list_alerts, tenants.principal("bob"), limit=200).alerts
    assert {a.object_id for a in alerts} == {o["id"] for o in changed if _about(o, group)}
    assert all(a.reason in ("the watched entity", "refers to the watched entity") for a in alerts)
