"""The live stream is woken by a commit that wrote events in its own process, after the commit
(so that what it then reads includes them), and not by a rollback or a transaction without
events: on SQLite, the one process, readers need not wait for their poll."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from stixdata import actor

from liaison.db.tables import event
from liaison.ingest.bundles import import_objects
from liaison.store.listen import Committed


def test_a_commit_with_events_wakes_after_it_and_nothing_else_does(tenants):
    engine = tenants.engine
    seen: list[int] = []

    def count() -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(event)).scalar_one()

    def woken() -> None:  # what a reader woken now would find
        seen.append(count())

    before = count()

    committed = Committed(engine, woken)
    committed.start()
    try:
        with engine.begin() as conn:
            import_objects(conn, tenants.principal("alice"), [actor("Woken", level="green")], audience="instance")
        assert seen == [before + 1]
        with pytest.raises(RuntimeError), engine.begin() as conn:
            import_objects(conn, tenants.principal("alice"), [actor("Rolled back", level="green")], audience="instance")
            raise RuntimeError("the request fails after the import")
        with engine.begin() as conn:
            conn.execute(select(1))
        assert seen == [before + 1]
    finally:
        committed.stop()
    with engine.begin() as conn:
        import_objects(conn, tenants.principal("alice"), [actor("After stop", level="green")], audience="instance")
    assert len(seen) == 1
