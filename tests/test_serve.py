"""A real `liaison serve` process answers over HTTP on loopback."""

from __future__ import annotations

import httpx
import orjson
from servers import LiveServer
from stixdata import actor, bundle

from liaison import accounts


def test_serve_over_http(db_url, engine, tmp_path):
    with engine.begin() as conn:
        accounts.create_org(conn, "Security Council")
        accounts.create_user(conn, "sec", "Security Council", "analyst")
        token = accounts.create_token(conn, "sec")
    with LiveServer(db_url, tmp_path) as server:
        base = f"{server.url}/api/v1"
        headers = {"Authorization": f"Bearer {token}"}
        obj = actor("Served Group")
        imported = httpx.post(f"{base}/bundles", content=orjson.dumps(bundle(obj)), headers=headers, timeout=30)
        assert imported.json()["new_versions"] == 1
        assert httpx.get(f"{base}/objects/{obj['id']}", headers=headers).json()["object"] == obj
        assert httpx.get(f"{base}/whoami").status_code == 401
