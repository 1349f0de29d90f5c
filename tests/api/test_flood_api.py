"""REST flood control (/api/v1/correlation/exclusions and /warninglists), from the side of Bravo's
admin reaching for Alpha's rows, and of Alpha's analyst and reader, who may look but not change."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import orjson
import pytest
from stixdata import bundle
from txn import committed

from liaison import accounts, audit
from liaison.intel import flood

ADDRESS = "203.0.113.9"
DNS = "List of known IPv4 public DNS resolvers"
SLASHED = "List of known GitHub IP ranges (https://api.github.com/meta)"
BASE = "/api/v1/correlation"


@pytest.fixture
def staff(tenants):
    """Bravo's admin bea and the operator ops, with API tokens (the operator's reads only)."""
    committed(tenants.engine, accounts.create_user, "bea", "Bravo", "admin")
    committed(tenants.engine, accounts.create_user, "ops", None, "operator")
    for name in ("bea", "ops"):
        tenants.tokens[name] = committed(tenants.engine, accounts.create_token, name)
    return tenants


def _sco(value: str) -> dict:
    return {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": value}


def _import(client, tenants, user, *objects):
    response = client.post(
        "/api/v1/bundles",
        params={"audience": "group:ab"},
        content=orjson.dumps(bundle(*objects)),
        headers=tenants.headers(user),
    )
    assert response.status_code == 200, response.text


def test_an_admin_excludes_for_its_organisation(client, staff):
    mine, theirs = _sco(ADDRESS), _sco(ADDRESS)
    _import(client, staff, "alice", mine)
    _import(client, staff, "bob", theirs)
    adam = staff.headers("adam")
    added = client.post(f"{BASE}/exclusions", json={"what": "value", "value": ADDRESS}, headers=adam)
    assert added.status_code == 201, added.text
    row = added.json()
    assert (row["what"], row["kind"], row["value"], row["scope"], row["removable"]) == (
        "value",
        "ipv4",
        ADDRESS,
        "organisation",
        True,
    )
    again = client.post(f"{BASE}/exclusions", json={"what": "value", "value": ADDRESS}, headers=adam)
    assert again.status_code == 409

    for_alice = client.get(f"/api/v1/objects/{mine['id']}/correlations", headers=staff.headers("alice")).json()
    assert for_alice["hits"] == [] and for_alice["values"][0]["excluded"] is True
    for_bob = client.get(f"/api/v1/objects/{theirs['id']}/correlations", headers=staff.headers("bob")).json()
    assert [h["id"] for h in for_bob["hits"]] == [mine["id"]] and for_bob["values"][0]["excluded"] is False
    listed = client.get(f"{BASE}/exclusions", headers=staff.headers("rita")).json()["exclusions"]
    assert [(e["id"], e["removable"]) for e in listed] == [(row["id"], False)]

    gone = client.delete(f"{BASE}/exclusions/{row['id']}", headers=adam)
    assert gone.status_code == 204
    assert client.get(f"{BASE}/exclusions", headers=adam).json() == {"exclusions": []}
    with staff.engine.connect() as conn:
        actions = [e["action"] for e in audit.entries(conn) if e["action"].startswith("correlation.")]
    assert actions == ["correlation.exclusion-remove", "correlation.exclusion-add"]


def test_an_admin_switches_lists_for_its_organisation(client, staff):
    adam = staff.headers("adam")
    for name in (DNS, SLASHED):
        switched = client.put(f"{BASE}/warninglists/{quote(name, safe='')}", json={"enabled": False}, headers=adam)
        assert switched.status_code == 200, switched.text
        assert switched.json() == {
            "name": name,
            "description": switched.json()["description"],
            "enabled": False,
            "instance_enabled": True,
            "org_enabled": False,
        }
    for user, off in (("rita", {DNS, SLASHED}), ("bob", set()), ("ops", set())):
        lists = client.get(f"{BASE}/warninglists", headers=staff.headers(user)).json()["warning_lists"]
        assert {w["name"] for w in lists if not w["enabled"]} == off, user
    unknown = client.put(f"{BASE}/warninglists/Nobody", json={"enabled": False}, headers=adam)
    assert unknown.status_code == 404


def test_bravos_admin_cannot_read_or_remove_alphas_exclusion(client, staff):
    row = committed(staff.engine, flood.add_exclusion, staff.principal("adam"), "org", "Charlie")
    missing = row.id + 1000
    bea = staff.headers("bea")
    for method in ("GET", "DELETE"):
        hidden = client.request(method, f"{BASE}/exclusions/{row.id}", headers=bea)
        absent = client.request(method, f"{BASE}/exclusions/{missing}", headers=bea)
        assert hidden.status_code == absent.status_code == 404, (method, hidden.text)
        assert hidden.content == absent.content, method
    assert client.get(f"{BASE}/exclusions", headers=bea).json() == {"exclusions": []}
    # Alpha's exclusion is untouched, and Alpha's people still see it.
    assert client.get(f"{BASE}/exclusions/{row.id}", headers=staff.headers("alice")).status_code == 200


def test_analysts_readers_and_read_tokens_change_nothing(client, staff):
    for user in ("alice", "rita", "ops"):
        headers = staff.headers(user)
        answers = [
            client.post(f"{BASE}/exclusions", json={"what": "type", "value": "indicator"}, headers=headers),
            client.put(f"{BASE}/warninglists/{quote(DNS)}", json={"enabled": False}, headers=headers),
            client.delete(f"{BASE}/exclusions/1", headers=headers),
        ]
        assert [a.status_code for a in answers] == [403, 403, 403], (user, [a.text for a in answers])
    assert client.get(f"{BASE}/exclusions", headers=staff.headers("adam")).json() == {"exclusions": []}
    lists = client.get(f"{BASE}/warninglists", headers=staff.headers("adam")).json()["warning_lists"]
    assert all(w["enabled"] for w in lists)


def test_the_operators_exclusion_shows_for_everyone(client, staff):
    row = committed(staff.engine, flood.add_exclusion, staff.principal("ops"), "type", "indicator")
    for user in ("alice", "bob", "carol", "ops"):
        listed = client.get(f"{BASE}/exclusions", headers=staff.headers(user)).json()["exclusions"]
        assert [(e["id"], e["scope"]) for e in listed] == [(row.id, "instance")], user
    refused = client.delete(f"{BASE}/exclusions/{row.id}", headers=staff.headers("adam"))
    assert refused.status_code == 403


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths[f"{BASE}/exclusions"]) == {"get", "post"}
    assert set(paths[f"{BASE}/exclusions/{{exclusion_id}}"]) == {"get", "delete"}
    assert set(paths[f"{BASE}/warninglists"]) == {"get"}
    assert set(paths[f"{BASE}/warninglists/{{name}}"]) == {"put"}
