"""A real `liaison serve` process answers over HTTP on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson

from liaison import accounts
from stixdata import actor, bundle

LIAISON = str(Path(sys.executable).with_name("liaison"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_over_http(db_url, engine, tmp_path):
    accounts.create_org(engine, "Security Council")
    accounts.create_user(engine, "sec", "Security Council", "analyst")
    token = accounts.create_token(engine, "sec")
    port = _free_port()
    server = subprocess.Popen(
        [LIAISON, "serve", "--port", str(port)],
        env={**os.environ, "LIAISON_DATABASE_URL": db_url}, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "server did not start"
                time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}
        obj = actor("Served Group")
        imported = httpx.post(f"{base}/bundles", content=orjson.dumps(bundle(obj)), headers=headers, timeout=30)
        assert imported.json()["new_versions"] == 1
        assert httpx.get(f"{base}/objects/{obj['id']}", headers=headers).json()["object"] == obj
        assert httpx.get(f"{base}/whoami").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)
