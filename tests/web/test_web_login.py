"""Logging in and out, sessions and CSRF, through the real application on both databases."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from txn import committed
from webtools import csrf_in, form_login

from liaison import accounts, audit, lockout
from liaison.access.credentials import token_digest
from liaison.db.tables import web_session
from liaison.store import auth_failures
from liaison.web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE


def test_pages_send_browsers_to_the_login_page_and_back(client, passwords):
    answer = client.get("/search?q=ferry&type=note", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/search%3Fq%3Dferry%26type%3Dnote"
    htmx = client.get(
        "/search?q=x",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/objects/x"},
        follow_redirects=False,
    )
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"] == "/login?next=/objects/x"
    login = form_login(client, "alice", passwords("alice"), "/search?q=ferry&type=note")
    assert login.status_code == 303 and login.headers["location"] == "/search?q=ferry&type=note"
    assert client.get("/search?q=ferry").status_code == 200


def test_the_session_cookie_is_random_http_only_and_lax(client, passwords, tenants):
    login = form_login(client, "alice", passwords("alice"))
    cookie = next(c for c in login.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    token = client.cookies[SESSION_COOKIE]
    assert len(token) >= 40
    with tenants.engine.connect() as conn:
        stored = conn.execute(select(web_session.c.token_hash)).scalars().all()
    assert stored == [token_digest(token)]  # only the digest is kept


def test_wrong_credentials_get_one_clear_message(client, passwords, tenants):
    wrong_password = form_login(client, "alice", "not-her-password")
    unknown_user = form_login(client, "mallory", passwords("alice"))
    for answer in (wrong_password, unknown_user):
        assert answer.status_code == 401
        assert "Wrong user name or password." in answer.text
        assert SESSION_COOKIE not in client.cookies
    assert "alice" in wrong_password.text  # the name typed stays in the form
    committed(tenants.engine, accounts.set_disabled, "alice", True)
    disabled = form_login(client, "alice", passwords("alice"))
    assert disabled.status_code == 401 and "disabled" in disabled.text
    committed(tenants.engine, accounts.set_disabled, "alice", False)
    assert form_login(client, "alice", passwords("alice")).status_code == 303


def test_users_without_a_password_cannot_log_in(client, tenants):
    committed(tenants.engine, accounts.create_user, "tokenonly", "Alpha", "analyst")
    assert form_login(client, "tokenonly", "").status_code == 401


def test_login_needs_its_own_csrf_token_and_a_local_next(client, passwords):
    client.get("/login")
    forged = client.post(
        "/login",
        data={"username": "alice", "password": passwords("alice"), "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and SESSION_COOKIE not in client.cookies
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        token = csrf_in(client.get("/login").text)
        answer = client.post(
            "/login",
            data={"username": "alice", "password": passwords("alice"), "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_every_post_needs_the_sessions_csrf_token(web):
    alice = web("alice")
    for token in (None, "", "x" * 43):
        data = {} if token is None else {"csrf_token": token}
        answer = alice.http.post("/logout", data=data, follow_redirects=False)
        assert answer.status_code == 403 and "reload the page" in answer.text
    header = alice.http.post("/logout", headers={"X-CSRF-Token": "wrong"}, follow_redirects=False)
    assert header.status_code == 403
    # Another user's token does not do either.
    bob = web("bob")
    assert alice.http.post("/logout", data={"csrf_token": bob.csrf}, follow_redirects=False).status_code == 403
    assert alice.get("/").status_code == 200  # still logged in


def test_logout_ends_the_session_for_good(web, client):
    alice = web("alice")
    token = alice.http.cookies[SESSION_COOKIE]
    answer = alice.post("/logout", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert alice.get("/", follow_redirects=False).status_code == 303
    replay = TestClient(client.app, cookies={SESSION_COOKIE: token})
    assert replay.get("/", follow_redirects=False).status_code == 303
    assert "You have been logged out." in alice.get("/login?logged_out").text


def test_expired_sessions_and_disabled_users_are_logged_out(web, tenants):
    alice, bob = web("alice"), web("bob")
    with tenants.engine.begin() as conn:
        mine = web_session.c.token_hash == token_digest(alice.http.cookies[SESSION_COOKIE])
        conn.execute(update(web_session).where(mine).values(expires_at="2000-01-01T00:00:00.000000Z"))
    assert alice.get("/", follow_redirects=False).headers["location"] == "/login"
    assert bob.get("/").status_code == 200
    committed(tenants.engine, accounts.set_disabled, "bob", True)
    assert bob.get("/", follow_redirects=False).status_code == 303


def test_the_layout_shows_who_is_logged_in_and_admin_only_to_admins(web):
    page = web("alice").get("/").text
    assert 'class="user"' in page and "alice" in page and "Alpha" in page
    for label in ("Dashboard", "Search", "Graph", "Map", "Timeline", "Drafts", "Import", "Logout"):
        assert f">{label}<" in page
    assert 'href="/admin"' not in page
    assert 'href="/admin"' in web("adam").get("/").text


def test_errors_are_pages_for_browsers_and_json_for_the_api(web, client):
    alice = web("alice")
    missing = alice.get("/no/such/page")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "alice" in missing.text  # the layout, logged in
    api = client.get("/api/v1/no/such/thing")
    assert api.status_code == 404 and api.json()["error"]["code"] == "http-error"

    def broken():
        raise RuntimeError("a bug")

    client.app.add_api_route("/broken", broken)
    client.app.add_api_route("/api/v1/broken", broken)
    lenient = TestClient(client.app, raise_server_exceptions=False)
    page = lenient.get("/broken")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html") and "a bug" not in page.text
    assert lenient.get("/api/v1/broken").json()["error"]["code"] == "server-error"


def test_only_the_needed_front_end_files_are_served(client):
    htmx = client.get("/static/vendor/htmx.org/dist/htmx.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.content[:2000]
    for hidden in ("htmx.org/package.json", "htmx.org/dist/htmx.js", "../package.json", "cytoscape/src/index.mjs"):
        assert client.get(f"/static/vendor/{hidden}").status_code == 404
    assert client.get("/static/css/app.css").status_code == 200


def test_secure_cookies_behind_a_tls_proxy(client, passwords, monkeypatch):
    from fastapi.testclient import TestClient
    from webtools import form_login

    monkeypatch.setattr(
        client.app.state, "settings", client.app.state.settings.model_copy(update={"secure_cookies": True})
    )
    with TestClient(client.app) as http:
        response = form_login(http, "alice", passwords("alice"))
    assert response.status_code == 303 and "secure" in response.headers["set-cookie"].lower()


def test_the_login_token_is_one_the_server_issued_for_the_cookie(client, passwords):
    """The finding: any cookie/token pair the client chose was accepted (login CSRF)."""
    data = {"username": "alice", "password": passwords("alice")}
    client.cookies.set(LOGIN_CSRF_COOKIE, "chosen", path="/login")
    chosen = client.post("/login", data={**data, "csrf_token": "chosen"}, follow_redirects=False)
    assert chosen.status_code == 403 and SESSION_COOKIE not in client.cookies
    # A real token, issued for another browser's cookie, does not pass either.
    other = TestClient(client.app)
    issued = csrf_in(other.get("/login").text)
    client.cookies.set(LOGIN_CSRF_COOKIE, "chosen", path="/login")
    assert client.post("/login", data={**data, "csrf_token": issued}, follow_redirects=False).status_code == 403
    assert other.post("/login", data={**data, "csrf_token": issued}, follow_redirects=False).status_code == 303
    other.close()


def test_wrong_passwords_lock_the_account_out_until_an_admin_unlocks_it(client, passwords, tenants):
    """The finding: twelve wrong passwords in a row, then the right one logged in."""
    for _ in range(lockout.ACCOUNT_LIMIT):
        assert form_login(client, "alice", "wrong-password").status_code == 401
    locked = form_login(client, "alice", passwords("alice"))
    assert locked.status_code == 429 and "too many failed attempts" in locked.text.lower()
    assert SESSION_COOKIE not in client.cookies
    # An unknown name is locked out alike, so a lock-out tells no one who has an account.
    for _ in range(lockout.ACCOUNT_LIMIT):
        form_login(client, "mallory", "wrong-password")
    assert form_login(client, "mallory", "x").status_code == 429
    with tenants.engine.connect() as conn:
        entries = audit.entries(conn, action="auth.lockout")
    assert {e["target"] for e in entries} == {"user:alice", "user:mallory"}
    # Alpha's admin unlocks its analyst; Bravo's could not have.
    adam = TestClient(client.app)
    assert form_login(adam, "adam", passwords("adam")).status_code == 303
    adam_csrf = csrf_in(adam.get("/admin").text)
    assert "alice" in adam.get("/admin").text.split('id="locks"')[1]
    assert adam.post("/admin/unlock", data={"key": "user:mallory", "csrf_token": adam_csrf}).status_code == 404
    assert (
        adam.post(
            "/admin/unlock", data={"key": "user:alice", "csrf_token": adam_csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    assert form_login(client, "alice", passwords("alice")).status_code == 303
    adam.close()


def test_failures_are_recorded_whatever_becomes_of_the_request(client, passwords, tenants):
    form_login(client, "alice", "wrong-password")
    with tenants.engine.connect() as conn:
        assert auth_failures.failures(conn, ["user:alice", "addr:testclient"]) == {
            "user:alice": 1,
            "addr:testclient": 1,
        }
    form_login(client, "alice", passwords("alice"))  # a right password takes back its own count
    with tenants.engine.connect() as conn:
        assert auth_failures.failures(conn, ["user:alice", "addr:testclient"]) == {"addr:testclient": 1}


def test_partners_sync_accounts_have_no_web_ui(client, tenants):
    committed(tenants.engine, accounts.create_user, "psync", "Bravo", "sync", "sync-password-1")
    answer = form_login(client, "psync", "sync-password-1")
    assert answer.status_code == 401 and "sync account" in answer.text and SESSION_COOKIE not in client.cookies
