"""The live stream's fan-out from a hostile partner's side: what each subscriber is handed equals
what it may read through the predicate, judged again at each batch (a group left or a token
revoked takes effect at the next change), and a slow reader neither delays the others nor loses
or repeats anything when it catches up on its own."""

from __future__ import annotations

import asyncio
import re

import orjson
import pytest
from stixdata import actor
from txn import committed

from liaison import accounts, administration
from liaison.access.credentials import token_digest
from liaison.alerts import stream
from liaison.alerts.hub import STALE, Hub, Subscription, TooManyStreams, take
from liaison.errors import Unauthorized
from liaison.http.deps import credentials_of
from liaison.ingest.bundles import import_objects
from liaison.intel import sharing

_ID = re.compile(rb'"id":"([a-z-]+--[0-9a-f-]+)"')


def _import(tenants, user, objects, audience):
    committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def _subscriber(tenants, user, position, authenticate=None):
    return Subscription(
        key=user,
        authenticate=authenticate or (lambda: tenants.principal(user)),
        principal=tenants.principal(user),
        chosen=stream.Filters(),
        position=position,
    )


def _drained(sub) -> list[str]:
    found = []
    while not sub.queue.empty():
        item = sub.queue.get_nowait()
        if item is None:
            found.append("END")
        else:
            found += [m.decode() for m in _ID.findall(item.data)]
    return found


def _read_all(tenants, user, after) -> list[str]:
    found = []
    while True:
        notices, last = committed(tenants.engine, stream.read, tenants.principal(user), after)
        found += [n.stix_id for n in notices]
        if last == after:
            return found
        after = last


def test_each_subscriber_is_handed_what_the_predicate_lets_it_read(tenants):
    async def run():
        hub = Hub(tenants.engine, batch=3)
        await hub.start()
        start = hub.position
        subs = {u: _subscriber(tenants, u, start) for u in ("alice", "bob", "carol")}
        for sub in subs.values():
            hub.subscribe(sub)
        for n, audience in enumerate(["org", "group:ab", "instance", "group:ab", "org", "instance", "group:ab"]):
            _import(
                tenants,
                "alice",
                [actor(f"Fan-out {n}", level="amber" if audience != "instance" else "green")],
                audience,
            )
        while await hub.step():
            pass
        for user, sub in subs.items():
            assert _drained(sub) == _read_all(tenants, user, start), user
        assert len(_read_all(tenants, "carol", start)) == 2 and len(_read_all(tenants, "bob", start)) == 5

    asyncio.run(run())


def test_a_group_left_or_a_token_revoked_takes_effect_at_the_next_change(tenants):
    revoked = {"carol": False}

    def carol():
        if revoked["carol"]:
            raise Unauthorized("the token was revoked")
        return tenants.principal("carol")

    async def run():
        hub = Hub(tenants.engine)
        await hub.start()
        bob, charlie = _subscriber(tenants, "bob", hub.position), _subscriber(tenants, "carol", hub.position, carol)
        hub.subscribe(bob)
        hub.subscribe(charlie)
        committed(tenants.engine, accounts.create_user, "ops", None, "operator")
        committed(tenants.engine, administration.remove_member, tenants.principal("ops"), "ab", "Bravo")
        left = actor("After Bravo Left", level="amber")
        everyone = actor("Everyone", level="green")
        _import(tenants, "alice", [left], "group:ab")
        revoked["carol"] = True
        _import(tenants, "alice", [everyone], "instance")
        await hub.step()
        assert _drained(bob) == [everyone["id"]]  # the group's change went after Bravo left it
        assert _drained(charlie) == ["END"] and charlie.ended

    asyncio.run(run())


def test_a_slow_reader_delays_no_one_and_catches_up_without_loss_or_repeat(tenants):
    async def run():
        hub = Hub(tenants.engine, batch=2, queue=1)
        await hub.start()
        start = hub.position
        slow, quick = _subscriber(tenants, "bob", start), _subscriber(tenants, "alice", start)
        slow.key = "slow"
        hub.subscribe(slow)
        hub.subscribe(quick)
        made = [actor(f"Burst {n}", level="green") for n in range(6)]
        got_quick = []
        for obj in made:
            _import(tenants, "alice", [obj], "instance")
            await hub.step()
            got_quick += _drained(quick)  # the quick reader reads as it goes; the slow one does not
        assert got_quick == [o["id"] for o in made]
        assert slow.lagging and not hub.level(slow)
        first = _drained(slow)  # what it had queued before it fell behind ...
        rest = _read_all(tenants, "bob", slow.position)  # ... then it reads the outbox itself
        assert first + rest == [o["id"] for o in made]

    asyncio.run(run())


def test_streams_per_token_are_capped(tenants):
    async def run():
        hub = Hub(tenants.engine, per_key=2)
        await hub.start()
        for _ in range(2):
            hub.subscribe(_subscriber(tenants, "bob", hub.position))
        with pytest.raises(TooManyStreams):
            hub.subscribe(_subscriber(tenants, "bob", hub.position))
        hub.subscribe(_subscriber(tenants, "alice", hub.position))  # another token is not held back

    asyncio.run(run())


def test_a_coalescing_subscriber_gets_each_batch_as_one_event_with_the_same_changes(tenants):
    async def run():
        hub = Hub(tenants.engine)
        await hub.start()
        start = hub.position
        one, many = _subscriber(tenants, "bob", start), _subscriber(tenants, "bob", start)
        many.coalesce = True
        hub.subscribe(one)
        hub.subscribe(many)
        made = [actor(f"Coalesced {n}", level="green") for n in range(3)]
        _import(tenants, "alice", made, "instance")
        await hub.step()
        chunk = many.queue.get_nowait().data
        assert chunk.count(b"event: changes") == 1 and chunk.startswith(b"id: ")
        changes = orjson.loads(chunk.split(b"data: ", 1)[1].split(b"\n", 1)[0])["changes"]
        assert [c[1] for c in changes] == _drained(one) == [o["id"] for o in made]

    asyncio.run(run())


def test_a_chunk_queued_too_long_is_read_again_through_the_predicate(tenants):
    async def run():
        hub = Hub(tenants.engine)
        await hub.start()
        sub = _subscriber(tenants, "bob", hub.position)
        hub.subscribe(sub)
        shared = actor("Withdrawn While Queued", level="amber")
        _import(tenants, "alice", [shared], "group:ab")
        await hub.step()
        item = sub.queue.get_nowait()
        assert shared["id"].encode() in item.data
        committed(tenants.engine, sharing.unshare, tenants.principal("alice"), shared["id"], "group:ab")
        stale = type(item)(item.after, item.data, item.at - STALE - 1)  # the reader was slow to take it
        assert take(sub, stale) == b"" and sub.lagging and sub.position == item.after
        assert _read_all(tenants, "bob", sub.position) == []  # what it catches up on no longer holds it

    asyncio.run(run())


def test_the_cap_counts_a_token_however_its_header_is_spelt(tenants):
    spellings = ("Bearer T0k3n", "bearer T0k3n", "BEARER   T0k3n", "Bearer  T0k3n ")
    assert len({token_digest(credentials_of(header)[1]) for header in spellings}) == 1


def test_a_stream_narrowed_to_an_audience_or_a_watchlist_of_ones_own(tenants):
    from liaison.alerts import watchlists
    from liaison.errors import InvalidInput, NotFound

    bob = tenants.principal("bob")
    watched = committed(tenants.engine, watchlists.watch, bob, "value", {"value": "+93 70 123 4567"})
    by_group = committed(tenants.engine, stream.filters, bob, (), "group:ab", None)
    by_watch = committed(tenants.engine, stream.filters, bob, (), None, watched.id)
    carol = tenants.principal("carol")
    refusals = set()
    for spec in ("group:ab", "org:Alpha", "group:nope"):  # not Charlie's, another's, unknown: alike
        with pytest.raises(InvalidInput) as refused:
            committed(tenants.engine, stream.filters, carol, (), spec, None)
        refusals.add(str(refused.value).replace(spec, "X"))
    assert len(refusals) == 1
    with pytest.raises(NotFound):  # another user's watchlist is unknown to carol
        committed(tenants.engine, stream.filters, carol, (), None, watched.id)

    async def run():
        hub = Hub(tenants.engine)
        await hub.start()
        group_sub, watch_sub = _subscriber(tenants, "bob", hub.position), _subscriber(tenants, "bob", hub.position)
        group_sub.chosen, watch_sub.chosen = by_group, by_watch
        hub.subscribe(group_sub)
        hub.subscribe(watch_sub)
        start = hub.position
        everyone = actor("For Everyone", level="green")
        in_group = actor("For The Group", level="amber")
        phone = {
            "type": "phone-number",
            "spec_version": "2.1",
            "id": "phone-number--4b1e3f0a-2c7d-4e8f-9a1b-3c5d7e9f1a2b",
        }
        phone["value"] = "+93701234567"
        _import(tenants, "alice", [everyone], "instance")
        _import(tenants, "alice", [in_group], "group:ab")
        _import(tenants, "alice", [phone], "instance")
        while await hub.step():
            pass
        assert _drained(group_sub) == [in_group["id"]]
        # A watchlist's stream reads for itself (matching reads the store), never slowing the hub.
        assert _drained(watch_sub) == [] and not hub.level(watch_sub)
        notices, _last = committed(tenants.engine, stream.read, bob, start, chosen=by_watch)
        assert [n.stix_id for n in notices] == [phone["id"]]  # catching up filters alike

    asyncio.run(run())


def test_a_reader_that_caught_up_past_the_hub_is_handed_nothing_twice(tenants):
    async def run():
        hub = Hub(tenants.engine, batch=2)
        await hub.start()
        start = hub.position
        made = [actor(f"Ahead {n}", level="green") for n in range(6)]
        for obj in made:
            _import(tenants, "alice", [obj], "instance")
        sub = _subscriber(tenants, "bob", start)
        hub.subscribe(sub)
        read = _read_all(tenants, "bob", start)  # it reads to the end by itself, past the hub
        sub.position = max(e for e in _event_ids(tenants, start))
        assert read == [o["id"] for o in made] and hub.level(sub)
        while await hub.step():
            pass
        assert _drained(sub) == []  # everything it already had, nothing again

    asyncio.run(run())


def _event_ids(tenants, after):
    from sqlalchemy import select

    from liaison.db.tables import event

    with tenants.engine.connect() as conn:
        return list(conn.execute(select(event.c.id).where(event.c.id > after)).scalars())
