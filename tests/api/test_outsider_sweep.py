"""Every GET endpoint of the REST API, walked from the OpenAPI document: an outsider learns nothing of
a private object, a draft or a merge — each answers exactly as for an id that never existed."""

from __future__ import annotations

import re

import orjson
import pytest
from stixdata import bundle, relationship, sdo

SECRET = "Vault Seven Sweep"
#: Exported bundles get a fresh id each time.
_BUNDLE_ID = re.compile(r"bundle--[0-9a-f-]{36}")
NEVER = {
    "stix": "intrusion-set--00000000-0000-4000-8000-000000000000",
    "draft": "00000000-0000-4000-8000-000000000000",
    "merge": "relationship--00000000-0000-4000-8000-000000000000",
}


@pytest.fixture
def hidden(client, tenants):
    """Alpha's org-only object, linked, merged and mentioned in an Alpha draft."""
    secret = sdo("intrusion-set", name=SECRET, description="kept by Alpha", level="amber+strict")
    twin = sdo("intrusion-set", name="Vault Seven Sweep Cell", level="amber+strict")
    place = sdo("location", name="Sweep Harbour", latitude=40.1, longitude=64.2, country="UZ")
    link = relationship(secret, place, "located-at", level="amber+strict")
    response = client.post(
        "/api/v1/bundles",
        params={"audience": "org"},
        content=orjson.dumps(bundle(secret, twin, place, link)),
        headers=tenants.headers("alice"),
    )
    assert response.status_code == 200, response.text
    merge = client.post(
        "/api/v1/merges", json={"duplicate": twin["id"], "canonical": secret["id"]}, headers=tenants.headers("alice")
    ).json()
    draft = client.post(
        "/api/v1/drafts", json={"text": f"{SECRET} moved its cell to Samarkand."}, headers=tenants.headers("alice")
    ).json()
    assert draft["entities"][0]["ref"] == secret["id"]
    return {"stix": secret["id"], "draft": draft["id"], "merge": merge["id"]}


def _get_paths(client) -> list[str]:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    # The live stream never ends: its blindness is tested over HTTP (tests/api/test_stream_http.py)
    # and in its reading (tests/intel/test_stream.py).
    return sorted(
        p
        for p, ops in paths.items()
        if "get" in ops and p.startswith("/api/v1/") and "{name}" not in p and p != "/api/v1/stream"
    )


def _fill(path: str, ids: dict) -> str:
    return (
        path.replace("{stix_id}", ids["stix"])
        .replace("{draft_id}", ids["draft"])
        .replace("{relationship_id}", ids["merge"])
    )


def _params(ids: dict) -> dict:
    return {"q": SECRET, "around": ids["stix"], "id": ids["stix"]}


def test_every_get_endpoint_is_covered_and_blind_for_outsiders(client, tenants, hidden):
    paths = _get_paths(client)
    assert {
        "/api/v1/objects/{stix_id}",
        "/api/v1/drafts/{draft_id}",
        "/api/v1/objects/{stix_id}/merges",
        "/api/v1/objects/{stix_id}/neighbourhood",
        "/api/v1/map",
        "/api/v1/timeline",
        "/api/v1/search",
    } <= set(paths)
    for outsider in ("bob", "carol"):
        headers = tenants.headers(outsider)
        for path in paths:
            seen = client.get(_fill(path, hidden), params=_params(hidden), headers=headers)
            absent = client.get(_fill(path, NEVER), params=_params(NEVER), headers=headers)
            assert seen.status_code < 500, (path, seen.text)
            body = seen.text
            for value in (SECRET, "kept by Alpha", "Sweep Harbour", hidden["merge"]):
                assert value not in body, (outsider, path, value)
            for key in ("stix", "draft"):
                body = body.replace(hidden[key], NEVER[key])
            body, other = _BUNDLE_ID.sub("bundle--<fresh>", body), _BUNDLE_ID.sub("bundle--<fresh>", absent.text)
            if path not in ("/api/v1/whoami", "/api/v1/instance", "/api/v1/export", "/api/v1/alerts/digest"):
                # these hold fresh ids/times
                assert (seen.status_code, body) == (absent.status_code, other), (outsider, path)
    # The owner's own view of the same endpoints does show the object (the sweep can fail).
    owner = client.get(f"/api/v1/objects/{hidden['stix']}/neighbourhood", headers=tenants.headers("alice"))
    assert SECRET in owner.text and "Sweep Harbour" in owner.text
