"""Search by name on real data: MITRE's ATT&CK for ICS (the newest release in ../shared/data/attack;
see its README). Every live group is found first by each of its aliases as written, and still found
when two letters of an alias are swapped (a typo), as the search page ranks them. Without the
releases this test skips."""

from __future__ import annotations

import orjson
import pytest
from attackdata import DATA, releases
from txn import committed

from liaison.ingest.bundles import import_objects
from liaison.intel import search


def _newest() -> list[dict]:
    files = releases("ics")
    if not files:
        pytest.skip(f"ATT&CK releases not found in {DATA} (see shared/data/README.md)")
    return orjson.loads(files[-1].read_bytes())["objects"]


def _typo(word: str) -> str:
    """The word with two letters in its middle swapped."""
    i = len(word) // 2
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def test_attack_groups_are_found_by_their_aliases_and_a_typo_of_them(tenants):
    objects = _newest()
    committed(tenants.engine, import_objects, tenants.principal("alice"), objects, audience="instance")
    groups = [o for o in objects if o["type"] == "intrusion-set" and not o.get("revoked")]
    aliases = [
        (g["id"], alias)
        for g in groups
        for alias in g.get("aliases", [])
        if alias.isalpha() and len(alias) >= 7 and alias.lower() != g["name"].lower()
    ]
    assert len(aliases) >= 5, "the ICS release names its groups' aliases"
    for group_id, alias in aliases:
        found = committed(tenants.engine, search.search, tenants.principal("carol"), q=alias, limit=10)
        assert (found.hits[0].stix_id, found.hits[0].matched) == (group_id, "exact name"), alias
        typed = committed(tenants.engine, search.search, tenants.principal("carol"), q=_typo(alias), limit=10)
        assert group_id in [h.stix_id for h in typed.hits if h.matched != "text"], (alias, _typo(alias))
