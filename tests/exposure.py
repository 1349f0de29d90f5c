"""The invariant of the postings by audience: exactly each version's postings times the audiences of
its live holdings (the test's own derivation, from the tables the store writes)."""

from __future__ import annotations


def assert_postings_follow_holdings(engine) -> None:
    with engine.begin() as conn:
        exposed = set(conn.exec_driver_sql("SELECT kind, audience_id, key, version_pk FROM posting_exposure"))
        derived = conn.exec_driver_sql(
            "SELECT DISTINCT p.kind, h.audience_id, p.key, p.version_pk FROM posting p"
            " JOIN holding h ON h.version_pk = p.version_pk AND h.superseded_at IS NULL"
        )
        assert exposed == set(derived)
        # Neither table has a foreign key (migration 0012): no row may outlive its version.
        for table in ("posting", "posting_exposure"):
            orphans = conn.exec_driver_sql(
                f"SELECT count(*) FROM {table} WHERE version_pk NOT IN (SELECT pk FROM object_version)"
            ).scalar()
            assert orphans == 0, f"{orphans} rows of {table} name a version that is gone"
