"""API tokens: expiry, scope, throttling of bad ones; what a partner's sync account may list."""

from __future__ import annotations

import base64

from sqlalchemy import select, update
from txn import committed

from liaison import accounts, lockout
from liaison.db.tables import api_token
from liaison.errors import InvalidInput
from liaison.federation import partners
from liaison.store import auth_failures


def _basic(user: str, token: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()}


def test_tokens_expire(client, tenants):
    token = committed(tenants.engine, accounts.create_token, "alice", "short", days=1)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/whoami", headers=headers).status_code == 200
    with tenants.engine.begin() as conn:
        conn.execute(
            update(api_token).where(api_token.c.name == "short").values(expires_at="2020-01-01T00:00:00.000000Z")
        )
    answer = client.get("/api/v1/whoami", headers=headers)
    assert answer.status_code == 401 and "expired" in answer.json()["error"]["message"]


def test_a_tokens_last_use_is_recorded_to_the_minute(client, tenants):
    token = committed(tenants.engine, accounts.create_token, "alice", "used")
    headers = {"Authorization": f"Bearer {token}"}

    def last_used() -> str | None:
        with tenants.engine.connect() as conn:
            return conn.execute(select(api_token.c.last_used_at).where(api_token.c.name == "used")).scalar_one()

    assert last_used() is None
    assert client.get("/api/v1/whoami", headers=headers).status_code == 200
    first = last_used()
    assert first is not None
    assert client.get("/api/v1/whoami", headers=headers).status_code == 200
    assert last_used() == first  # within the minute: no write
    with tenants.engine.begin() as conn:
        conn.execute(
            update(api_token).where(api_token.c.name == "used").values(last_used_at="2020-01-01T00:00:00.000000Z")
        )
    assert client.get("/api/v1/whoami", headers=headers).status_code == 200
    assert last_used() > first


def test_a_token_does_what_its_scope_allows(client, tenants):
    token = committed(tenants.engine, accounts.create_token, "alice", "r", scope="read")
    read = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/objects", headers=read).status_code == 200
    refused = client.post("/api/v1/bundles", headers=read, content=b'{"type": "bundle", "id": "bundle--x"}')
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]["message"]
    assert client.delete("/taxii2/liaison/collections/x/objects/y/", headers=read).status_code == 403
    # A reader's token cannot be made to write; a sync account's only syncs.
    for user, scope in (("rita", "write"), ("alice", "sync")):
        try:
            committed(tenants.engine, accounts.create_token, user, "x", scope=scope)
        except InvalidInput as exc:
            assert "scope" in exc.message
        else:
            raise AssertionError(f"{user} got a {scope} token")


def test_a_sync_token_reaches_taxii_and_nothing_else(client, tenants):
    with tenants.engine.begin() as conn:
        partners.add_partner(conn, "Remote", None, None, None)
        accounts.create_user(conn, "remote-sync", "Remote", "sync")
        token = accounts.create_token(conn, "remote-sync")
    headers = _basic("remote-sync", token)
    assert client.get("/taxii2/", headers=headers).status_code == 200
    assert client.get("/taxii2/liaison/collections/", headers=headers).status_code == 200
    for path in ("/api/v1/objects", "/api/v1/search?q=x", "/api/v1/export", "/api/v1/drafts"):
        assert client.get(path, headers=headers).status_code == 403, path
    assert client.get("/", headers=headers, follow_redirects=False).status_code == 303  # the web UI wants a login


def test_a_partners_sync_account_lists_only_its_own_partnership(client, tenants):
    """The finding: a partner's sync account listed every partner (names, URLs, key ids, counts)."""
    with tenants.engine.begin() as conn:
        partners.add_partner(conn, "Remote", "https://remote.example/", "t1", None)
        partners.add_partner(conn, "Secret Partner", "https://secret.example/", "t2", None)
        accounts.create_user(conn, "remote-sync", "Remote", "sync")
        token = accounts.create_token(conn, "remote-sync")
    listing = client.get("/api/v1/partners", headers=_basic("remote-sync", token))
    assert [p["name"] for p in listing.json()["partners"]] == ["Remote"]
    assert "secret" not in listing.text.lower()
    # An organisation's users see who the partners are, not how the instance reaches them.
    seen = client.get("/api/v1/partners", headers=tenants.headers("alice")).json()["partners"]
    assert [p["name"] for p in seen] == ["Remote", "Secret Partner"] and all("url" not in p for p in seen)
    assert client.post("/api/v1/partners/Remote/sync", headers=tenants.headers("adam")).status_code == 403


def test_bad_tokens_lock_the_client_address_out_but_never_a_valid_token(client, tenants):
    """Tokens cannot be guessed, but a client that keeps trying is stopped. The lock-out is per
    address, and a valid token always passes: whoever shares a NAT or a proxy with a partner
    cannot stop its sync, and naming a partner's sync account never locks that account out."""
    for _ in range(lockout.ADDRESS_LIMIT):
        assert client.get("/api/v1/whoami", headers=_basic("alice", "lia_guess")).status_code == 401
    locked = client.get("/api/v1/whoami", headers=_basic("alice", "lia_guess"))
    assert locked.status_code == 429 and "too many failed attempts" in locked.json()["error"]["message"]
    assert 0 < int(locked.headers["Retry-After"]) <= lockout.LOCK.total_seconds()
    assert client.get("/taxii2/", headers={"Authorization": "Bearer lia_guess"}).status_code == 429
    assert client.get("/api/v1/whoami", headers=tenants.headers("alice")).status_code == 200
    assert client.get("/taxii2/", headers=tenants.headers("alice")).status_code == 200
    with tenants.engine.connect() as conn:
        assert auth_failures.failures(conn, [lockout.account_key("alice")]) == {}
