"""The event outbox and the live stream's reading, from a hostile partner's side: an event is
written with its change or not at all, reaches only readers who may see the version when it is
read (a share narrowed before delivery tells nothing), and cursors neither repeat nor lose events
nor count the changes a reader may not see."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from stixdata import actor
from txn import committed

from liaison.alerts import stream
from liaison.db.tables import event
from liaison.errors import InvalidInput
from liaison.ingest.bundles import import_objects
from liaison.intel import sharing


def _import(tenants, user, objects, audience="instance"):
    committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def _start(tenants, user):
    return committed(tenants.engine, stream.start, tenants.principal(user), None)


def _read(tenants, user, after):
    return committed(tenants.engine, stream.read, tenants.principal(user), after)


def _seen(tenants, user, after):
    notices, _last = _read(tenants, user, after)
    return [(n.kind, n.stix_id) for n in notices]


def test_an_event_is_written_with_its_change_or_not_at_all(tenants):
    count = lambda conn: conn.execute(select(func.count()).select_from(event)).scalar_one()  # noqa: E731
    before = committed(tenants.engine, count)
    with pytest.raises(RuntimeError), tenants.engine.begin() as conn:
        import_objects(conn, tenants.principal("alice"), [actor("Rolled Back", level="green")], audience="instance")
        raise RuntimeError("the request fails after the import")
    assert committed(tenants.engine, count) == before
    _import(tenants, "alice", [actor("Kept", level="green")])
    assert committed(tenants.engine, count) == before + 1


def test_versions_corrections_revocations_and_shares_reach_those_who_see_them(tenants):
    start = {u: _start(tenants, u) for u in ("alice", "bob", "carol")}
    early = actor("Steppe Wolves", level="amber")
    _import(tenants, "alice", [early], "org")
    committed(tenants.engine, sharing.share, tenants.principal("alice"), early["id"], "group:ab")
    # Bravo is told of the share with its group, not of Alpha's version for Alpha alone.
    assert _seen(tenants, "bob", start["bob"]) == [("shared", early["id"])]
    start["bob"] = _read(tenants, "bob", start["bob"])[1]
    mine = actor("Oxus Couriers", level="amber", modified="2025-01-01T00:00:00.000Z")
    _import(tenants, "alice", [mine], "group:ab")
    corrected = dict(mine, description="sanitised")
    _import(tenants, "alice", [corrected], "group:ab")
    revoked = dict(mine, modified="2025-02-01T00:00:00.000Z", revoked=True)
    _import(tenants, "alice", [revoked], "group:ab")
    # Read after all three: the first content was replaced by its correction (a sanitised text),
    # so only the correction and the revocation are told, never the replaced content.
    assert [k for k, _ in _seen(tenants, "bob", start["bob"])] == ["corrected", "revoked"]
    assert _seen(tenants, "carol", start["carol"]) == []
    assert {i for _, i in _seen(tenants, "alice", start["alice"])} == {early["id"], mine["id"]}


def test_a_share_narrowed_before_delivery_tells_nothing(tenants):
    start = _start(tenants, "bob")
    mine = actor("Juniper Ledger", level="amber")
    _import(tenants, "alice", [mine], "group:ab")
    committed(tenants.engine, sharing.unshare, tenants.principal("alice"), mine["id"], "group:ab")
    assert _seen(tenants, "bob", start) == []  # neither the share nor the unshare
    other = actor("Oxus Couriers", level="green")
    _import(tenants, "alice", [other])
    assert _seen(tenants, "bob", start) == [("version", other["id"])]


def test_cursors_resume_without_repeats_or_losses_and_count_nothing(tenants):
    start = _start(tenants, "bob")
    first, hidden, second = actor("One", level="green"), actor("Hidden", level="amber"), actor("Two", level="green")
    _import(tenants, "alice", [first])
    _import(tenants, "alice", [hidden], "org")
    notices, _ = _read(tenants, "bob", start)
    assert [n.stix_id for n in notices] == [first["id"]]
    resumed = committed(tenants.engine, stream.start, tenants.principal("bob"), notices[0].cursor)
    _import(tenants, "alice", [second])
    assert [n.stix_id for n in _read(tenants, "bob", resumed)[0]] == [second["id"]]
    # Cursors are opaque: the same event gives different strings, a forged one is refused.
    again, _ = _read(tenants, "bob", start)
    assert again[0].cursor != notices[0].cursor and len(again[0].cursor) > 20
    with pytest.raises(InvalidInput, match="not one this stream gave"):
        committed(tenants.engine, stream.start, tenants.principal("bob"), "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA")


def test_events_are_kept_for_a_while_and_a_cursor_past_them_is_told_so(tenants):
    from sqlalchemy import update

    from liaison.errors import Gone

    start = _start(tenants, "bob")
    _import(tenants, "alice", [actor("One", level="green")])
    with tenants.engine.begin() as conn:  # a year old
        conn.execute(update(event).values(at="2025-01-01T00:00:00.000000Z"))
    after_first = _read(tenants, "bob", start)[0][0].cursor  # told a year ago
    _import(tenants, "alice", [actor("Two", level="green")])
    recent = _read(tenants, "bob", start)[0][-1].cursor
    assert stream.purge(tenants.engine, 30) >= 1
    with pytest.raises(Gone, match="no longer kept"):  # what followed may be gone: the reader is told
        committed(tenants.engine, stream.start, tenants.principal("bob"), after_first)
    committed(tenants.engine, stream.start, tenants.principal("bob"), recent)  # a recent one resumes
    fresh = committed(tenants.engine, stream.start, tenants.principal("bob"), None)
    assert _read(tenants, "bob", fresh)[0] == []


def test_another_organisations_holding_of_the_same_content_tells_nothing(tenants):
    """Bravo holds an actor for the instance, Charlie reads it. Alpha then holds the same content
    for itself, shares it with group ab and withdraws it: Charlie, in neither audience, is told
    nothing of Alpha's holdings, though it sees the very same version through Bravo's."""
    same = actor("Oxus Couriers", level="green")
    _import(tenants, "bob", [same])
    start = _start(tenants, "carol")
    _import(tenants, "alice", [same], "org")
    committed(tenants.engine, sharing.share, tenants.principal("alice"), same["id"], "group:ab")
    committed(tenants.engine, sharing.unshare, tenants.principal("alice"), same["id"], "group:ab")
    assert _seen(tenants, "carol", start) == []


def test_a_withdrawal_that_leaves_the_object_with_its_organisation_tells_its_members(tenants):
    start = {u: _start(tenants, u) for u in ("alice", "bob")}
    mine = actor("Back Home", level="amber")
    _import(tenants, "alice", [mine], "group:ab")
    committed(tenants.engine, sharing.unshare, tenants.principal("alice"), mine["id"], "group:ab")
    # Held for Alpha alone now: Alpha's members are told; Bravo, which lost it, is not.
    assert _seen(tenants, "alice", start["alice"]) == [("shared", mine["id"])]
    assert _seen(tenants, "bob", start["bob"]) == []


def test_a_correction_is_told_as_one_only_to_audiences_that_held_what_it_replaced(tenants):
    start = {u: _start(tenants, u) for u in ("alice", "bob")}
    mine = actor("Private First", level="amber", modified="2025-01-01T00:00:00.000Z")
    _import(tenants, "alice", [mine], "org")
    _import(tenants, "alice", [dict(mine, description="now for the group too")], "group:ab")
    assert ("corrected", mine["id"]) in _seen(tenants, "alice", start["alice"])
    assert _seen(tenants, "bob", start["bob"]) == [("version", mine["id"])]


def test_a_content_replaced_within_its_own_import_is_no_correction_to_anyone(tenants):
    start = _start(tenants, "bob")
    first = actor("Twice In One Bundle", level="amber", modified="2025-01-01T00:00:00.000Z")
    _import(tenants, "alice", [first, dict(first, description="the second content")], "group:ab")
    assert _seen(tenants, "bob", start) == [("version", first["id"])]
