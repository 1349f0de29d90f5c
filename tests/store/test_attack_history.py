"""Every real ATT&CK release imports in version order, as an analyst loads each update: the history
is complete, the latest is the last release, re-imports change nothing, and an organisation that
stopped at the first release keeps what it received. The releases are MITRE's, in
../shared/data/attack (see its README); without them these tests skip."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from attackdata import DATA, releases
from sqlalchemy import func, select
from txn import committed, streamed

from liaison.db.tables import edge, holding, object_version
from liaison.ingest.bundles import import_objects, version_stamp
from liaison.intel import objects as intel


def _objects(path: Path) -> list[dict]:
    return orjson.loads(path.read_bytes())["objects"]


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (object_version, holding, edge)
        )


def _export(engine, principal, *, all_versions: bool) -> list[dict]:
    filters = committed(engine, intel.make_filters, include_revoked=True)
    chunks = streamed(engine, intel.export_bundle, principal, filters, all_versions=all_versions)
    return orjson.loads(b"".join(chunks))["objects"]


@pytest.mark.parametrize("domain", ["ics", "mobile"])
def test_every_release_in_order(tenants, domain):
    files = releases(domain)
    if len(files) < 2:
        pytest.skip(f"ATT&CK releases not found in {DATA} (see shared/data/README.md)")
    engine = tenants.engine
    alice, carol = tenants.principal("alice"), tenants.principal("carol")
    first = _objects(files[0])
    committed(engine, import_objects, carol, first)
    carried: set[tuple[str, str]] = set()
    corrections = 0
    for path in files:
        objs = _objects(path)
        report = committed(engine, import_objects, alice, objs, audience="instance")
        assert report.received == len(objs), path.name
        corrections += report.corrections
        carried |= {(o["id"], version_stamp(o)) for o in objs}
    assert corrections > 0  # ATT&CK re-publishes versions with other content: they are corrections here

    last = {o["id"]: o for o in _objects(files[-1])}
    latest = {o["id"]: o for o in _export(engine, alice, all_versions=False)}
    wrong = [i for i, o in last.items() if latest.get(i) != o]
    assert wrong == []
    history = _export(engine, alice, all_versions=True)
    assert carried <= {(o["id"], version_stamp(o)) for o in history}

    before = _counts(engine)
    for path in files:
        again = committed(engine, import_objects, alice, _objects(path), audience="instance")
        assert (again.new_versions, again.new_holdings, again.corrections) == (0, 0, 0), path.name
    assert _counts(engine) == before

    mine = {o["id"]: o for o in first}
    seen = {o["id"]: o for o in _export(engine, carol, all_versions=False) if o["id"] in mine}
    assert [i for i, o in mine.items() if seen.get(i) != o] == []
