"""Correlation hits as events and alerts, from a hostile partner's side: that a new object shares a
value with another is told only to a reader who may see another carrier when it reads (through the
stream's own reads and through the fan-out alike), never because the other carrier is held out of
its sight; a correlation watch alerts only on what the watcher may see; warning-listed values
alert no one.

Alpha and Bravo share the group 'ab'; Charlie is outside it (tests/conftest.py `tenants`)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import event as sa_event
from txn import committed

from liaison.alerts import evaluate, inbox, stream, watchlists
from liaison.alerts.hub import Hub, Subscription
from liaison.errors import NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import sharing

PHONE = "+93701234567"


def _phone(value: str = PHONE) -> dict:
    """A phone-number object with a random id, as each agency's own tools make them."""
    return {"type": "phone-number", "spec_version": "2.1", "id": f"phone-number--{uuid.uuid4()}", "value": value}


def _address(value: str) -> dict:
    return {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": value}


def _import(tenants, user, objects, audience):
    committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def _start(tenants, user):
    return committed(tenants.engine, stream.start, tenants.principal(user), None)


def _seen(tenants, user, after):
    found = []
    while True:
        notices, last = committed(tenants.engine, stream.read, tenants.principal(user), after)
        found += [(n.kind, n.stix_id) for n in notices]
        if last == after:
            return found
        after = last


def _correlated(tenants, user, after) -> set[str]:
    return {stix_id for kind, stix_id in _seen(tenants, user, after) if kind == "correlated"}


def _alerts(tenants, user):
    evaluate.run(tenants.engine)
    page = committed(tenants.engine, inbox.list_alerts, tenants.principal(user))
    return {a.object_id: a.reason for a in page.alerts}


def _watch(tenants, user, **spec):
    return committed(tenants.engine, watchlists.watch, tenants.principal(user), "correlation", spec)


def test_a_correlation_hit_is_told_only_to_readers_who_may_see_another_carrier(tenants):
    start = {u: _start(tenants, u) for u in ("alice", "bob", "carol")}
    ours = _phone()
    _import(tenants, "alice", [ours], "org")  # Alpha's alone
    theirs = _phone()
    _import(tenants, "bob", [theirs], "instance")
    # Everyone sees Bravo's number; only Alpha's members see another object carrying it, and
    # the hit is told with the change that made it (Bravo's), not retold with Alpha's own.
    assert ("version", theirs["id"]) in _seen(tenants, "carol", start["carol"])
    assert _correlated(tenants, "alice", start["alice"]) == {theirs["id"]}
    assert _correlated(tenants, "carol", start["carol"]) == set()
    assert _correlated(tenants, "bob", start["bob"]) == set()  # Bravo's own number is no hit for Bravo


def test_the_fan_out_tells_a_correlation_hit_as_the_stream_reads_it(tenants):
    async def run():
        hub = Hub(tenants.engine)
        await hub.start()
        subs = {
            u: Subscription(u, lambda u=u: tenants.principal(u), tenants.principal(u), stream.Filters(), hub.position)
            for u in ("alice", "bob", "carol")
        }
        for sub in subs.values():
            hub.subscribe(sub)
        ours, theirs = _phone(), _phone()
        _import(tenants, "alice", [ours], "org")
        _import(tenants, "bob", [theirs], "instance")
        while await hub.step():
            pass
        handed = {}
        for user, sub in subs.items():
            data = b""
            while not sub.queue.empty():
                data += sub.queue.get_nowait().data
            handed[user] = data.decode()
        assert "event: correlated" in handed["alice"] and theirs["id"] in handed["alice"]
        for user in ("bob", "carol"):
            assert theirs["id"] in handed[user] and "event: correlated" not in handed[user], user

    asyncio.run(run())


def test_a_carrier_narrowed_before_the_read_takes_the_hit_with_it(tenants):
    start = _start(tenants, "carol")
    ours = _phone()
    _import(tenants, "alice", [ours], "instance")
    theirs = _phone()
    _import(tenants, "bob", [theirs], "instance")
    # Alpha takes its number back to itself before Charlie reads: Charlie is told of Bravo's
    # number, and of no correlation with what it can no longer see.
    committed(tenants.engine, sharing.unshare, tenants.principal("alice"), ours["id"], "instance")
    assert ("version", theirs["id"]) in _seen(tenants, "carol", start)
    assert _correlated(tenants, "carol", start) == set()


def test_a_warning_listed_value_is_no_correlation_hit(tenants):
    start = _start(tenants, "alice")
    _import(tenants, "alice", [_address("8.8.8.8")], "org")  # a public resolver, on a warning list
    _import(tenants, "bob", [_address("8.8.8.8")], "instance")
    assert _correlated(tenants, "alice", start) == set()


def test_a_correlation_watch_alerts_on_what_the_watchers_organisation_holds(tenants):
    _watch(tenants, "alice")
    _watch(tenants, "bob")
    _watch(tenants, "carol")
    ours = _phone()
    _import(tenants, "alice", [ours], "org")
    theirs = _phone()
    _import(tenants, "bob", [theirs], "instance")
    found = _alerts(tenants, "alice")
    assert found == {theirs["id"]: "shares +93701234567 with what your organisation holds"}
    # Bravo holds the new number itself, and the only other carrier is Alpha's, out of its sight.
    assert _alerts(tenants, "bob") == {}
    assert _alerts(tenants, "carol") == {}
    # Charlie sees both carriers of a number shared with everyone, but holds neither.
    _import(tenants, "alice", [_phone("+992900000002")], "instance")
    second = _phone("+992900000002")
    _import(tenants, "bob", [second], "instance")
    assert second["id"] in _alerts(tenants, "alice")
    assert _alerts(tenants, "carol") == {}


def test_a_correlation_watch_of_one_object_is_refused_for_an_object_out_of_sight(tenants):
    ours = _phone()
    _import(tenants, "alice", [ours], "org")
    with pytest.raises(NotFound) as hidden:
        _watch(tenants, "carol", id=ours["id"])
    with pytest.raises(NotFound) as unknown:
        _watch(tenants, "carol", id=f"phone-number--{uuid.uuid4()}")
    assert str(hidden.value).split()[:2] == str(unknown.value).split()[:2]
    made = _watch(tenants, "alice", id=ours["id"])
    assert made.shown.startswith("what shares a value with")
    theirs = _phone()
    unrelated = _phone("+992900000001")
    _import(tenants, "bob", [theirs, unrelated], "group:ab")
    assert _alerts(tenants, "alice") == {theirs["id"]: "shares +93701234567 with the watched object"}


def _probe(tenants, value) -> tuple[bool, str | None]:
    """Charlie's probe of a value: two objects of its own carrying it, one after the other, then
    its stream and its correlation alerts read back: whether the first is told as a hit."""
    start = _start(tenants, "carol")
    first, second = _phone(value), _phone(value)
    _import(tenants, "carol", [first], "org")
    _import(tenants, "carol", [second], "org")
    told = first["id"] in _correlated(tenants, "carol", start)
    return told, _alerts(tenants, "carol").get(first["id"])


def test_a_partner_cannot_test_whether_anyone_holds_a_value_out_of_its_sight(tenants):
    _watch(tenants, "carol")
    _import(tenants, "alice", [_phone("+93700000001")], "org")  # Alpha's alone: never discoverable
    held = _probe(tenants, "+93700000001")
    free = _probe(tenants, "+93700000002")  # held by no one
    assert held == free == (False, None)


def _statements(tenants, user, after) -> int:
    counted = [0]

    def count(*_args):
        counted[0] += 1

    with tenants.engine.begin() as conn:
        sa_event.listen(conn, "before_cursor_execute", count)
        stream.read(conn, tenants.principal(user), after)
        sa_event.remove(conn, "before_cursor_execute", count)
    return counted[0]


def test_judging_a_hit_does_the_same_work_whoever_holds_the_value_out_of_sight(tenants):
    _import(tenants, "alice", [_phone("+93700000005")], "org")
    counts = {}
    for label, value in (("warm-up", "+93700000004"), ("held", "+93700000005"), ("free", "+93700000006")):
        start = _start(tenants, "carol")
        _import(tenants, "carol", [_phone(value)], "org")
        counts[label] = _statements(tenants, "carol", start)
    assert counts["held"] == counts["free"]


def _import_work(tenants, user, objects) -> float:
    """SQLite: virtual machine steps of the import (its work, not its time); PostgreSQL: the
    events' statements' rows read are not counted by a hook, so the test runs on SQLite."""
    steps = [0]

    def step():
        steps[0] += 1
        return 0

    principal = tenants.principal(user)
    with tenants.engine.begin() as conn:
        raw = conn.connection.driver_connection
        raw.set_progress_handler(step, 1)
        try:
            import_objects(conn, principal, objects, audience="org")
        finally:
            raw.set_progress_handler(None, 1)
    return steps[0]


def test_an_import_does_no_more_work_for_a_value_others_hold_out_of_sight(tenants):
    if tenants.engine.dialect.name != "sqlite":
        pytest.skip("the measure of work is SQLite's virtual machine steps")
    _import(tenants, "bob", [_phone("+93700000008") for _ in range(3000)], "org")  # Bravo's, hidden
    free = _import_work(tenants, "carol", [_phone("+93700000007")])  # a value no one holds
    held = _import_work(tenants, "carol", [_phone("+93700000008")])
    assert held == free


def test_a_correlation_alert_says_so_however_the_events_are_batched(tenants):
    _watch(tenants, "alice")
    _import(tenants, "alice", [_phone()], "org")
    theirs = _phone()
    _import(tenants, "bob", [theirs], "instance")
    evaluate.run(tenants.engine, batch=1)  # the change's events read one at a time
    page = committed(tenants.engine, inbox.list_alerts, tenants.principal("alice"))
    assert [(a.object_id, a.kind) for a in page.alerts] == [(theirs["id"], "correlated")]
