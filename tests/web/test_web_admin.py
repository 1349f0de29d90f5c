"""Administration pages: the operator's and each organisation admin's, kept apart. Written from the
side of Bravo's admin, who wants to reach into Alpha, and of an operator who must see no
intelligence; every change takes effect and is audited."""

from __future__ import annotations

import base64
import re

import pytest
from sqlalchemy import update
from txn import committed
from webtools import csrf_in, form_login, password_of

from liaison import accounts, audit
from liaison.access.credentials import hash_password
from liaison.db.tables import user
from liaison.ingest.bundles import import_objects
from liaison.store import tenancy


@pytest.fixture
def admins(tenants):
    """Admins of Bravo (bea) and Charlie (cid) and an operator (ops), with the tenants' passwords."""
    committed(tenants.engine, accounts.create_group, "ac", ["Alpha", "Charlie"])
    for name, org, role in (("bea", "Bravo", "admin"), ("cid", "Charlie", "admin"), ("ops", None, "operator")):
        committed(tenants.engine, accounts.create_user, name, org, role)
        with tenants.engine.begin() as conn:
            conn.execute(update(user).where(user.c.name == name).values(password_hash=hash_password(password_of(name))))
    return tenants


def _change_password(client, name: str, password: str, new_password: str):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": name, "password": password, "new_password": new_password, "csrf_token": csrf_in(page.text)},
        follow_redirects=False,
    )


def _audited(engine) -> list[str]:
    with engine.connect() as conn:
        return [e["action"] for e in audit.entries(conn)]


def _body(page) -> str:
    """The part of a page that answers the request (the message), without the CSRF token."""
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page.text)


def test_only_administrators_reach_the_admin_pages(web, admins):
    for name in ("alice", "rita"):
        page = web(name).get("/admin")
        assert page.status_code == 403 and "admin or operator role" in page.text
        for path, data in (
            ("/admin/users", {"name": "eve", "role": "admin", "password": "0123456789ab"}),
            ("/admin/tokens", {"user": "alice", "name": "x"}),
            ("/admin/groups", {"name": "zz"}),
        ):
            assert web(name).post(path, data).status_code == 403, path
    assert [u.name for u in tenancy.list_users(admins.engine.connect(), roles=("admin",))] == ["adam", "bea", "cid"]
    assert web("adam").get("/admin").status_code == 200 and web("ops").get("/admin").status_code == 200


def test_an_admin_manages_only_its_own_organisations_users(web, client, admins):
    bea = web("bea")
    page = bea.get("/admin").text
    assert "bob" in page and "alice" not in page and "adam" not in page and "carol" not in page
    # Bravo's admin cannot give Alpha a user: the user lands in Bravo, whatever the form says.
    assert (
        bea.post(
            "/admin/users",
            {"name": "eve", "org": "Alpha", "role": "admin", "password": "0123456789ab"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert committed(admins.engine, accounts.principal_for_user, "eve").org_name == "Bravo"
    # Alpha's users answer exactly as users that do not exist.
    for path, data in (
        ("/admin/users/{}/role", {"role": "reader"}),
        ("/admin/users/{}/disable", {}),
        ("/admin/tokens", {"user": "{}", "name": "x"}),
    ):
        answers = [
            bea.post(path.format(name), {k: v.format(name) for k, v in data.items()}) for name in ("alice", "nobody")
        ]
        assert [a.status_code for a in answers] == [404, 404], path
        assert _body(answers[0]).replace("alice", "nobody") == _body(answers[1])
    alice = committed(admins.engine, accounts.principal_for_user, "alice")
    assert alice.role == "analyst" and not tenancy.user_by_name(admins.engine.connect(), "alice").disabled
    # Its own users it manages: role, disable (which ends sessions), enable.
    assert bea.post("/admin/users/eve/role", {"role": "reader"}).status_code == 200
    assert committed(admins.engine, accounts.principal_for_user, "eve").role == "reader"
    assert bea.post("/admin/users/eve/role", {"role": "sync"}).status_code == 422
    # Bea chose eve's password: eve must choose her own before she gets in.
    chosen = form_login(client, "eve", "0123456789ab")
    assert chosen.status_code == 403 and "choose your own" in chosen.text
    assert _change_password(client, "eve", "0123456789ab", "eves-own-password").status_code == 303
    assert form_login(client, "eve", "0123456789ab").status_code == 401
    assert bea.post("/admin/users/eve/disable").status_code == 200
    assert client.get("/", follow_redirects=False).status_code == 303
    assert bea.post("/admin/users/eve/enable").status_code == 200
    assert bea.post("/admin/users/bea/disable").status_code == 422
    assert bea.post("/admin/users/bea/role", {"role": "reader"}).status_code == 422
    for name in ("system", "operator@host", "a/b"):  # names the audit log gives others, or no URL holds
        answer = bea.post("/admin/users", {"name": name, "role": "reader", "password": "0123456789ab"})
        assert answer.status_code == 422, name
    short = bea.post("/admin/users", {"name": "frank", "role": "reader", "password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert {"admin.user-add", "admin.user-role", "admin.user-disable", "admin.user-enable"} <= set(
        _audited(admins.engine)
    )


def test_an_admin_cannot_mint_a_token_for_another_organisations_user(web, client, admins):
    """The finding: Bravo's admin made a token for Alpha's analyst and read Alpha's AMBER+STRICT object."""
    committed(
        admins.engine,
        import_objects,
        admins.principal("alice"),
        [
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": "indicator--3c1b6f4e-5a57-4e58-9d4b-1f3a1f6b2c10",
                "created": "2025-01-01T00:00:00.000Z",
                "modified": "2025-01-01T00:00:00.000Z",
                "name": "strict secret",
                "pattern": "[ipv4-addr:value = '203.0.113.9']",
                "pattern_type": "stix",
                "valid_from": "2025-01-01T00:00:00Z",
                "object_marking_refs": ["marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"],
            }
        ],
        audience="org",
    )
    bea = web("bea")
    answer = bea.post("/admin/tokens", {"user": "alice", "name": "stolen"})
    assert answer.status_code == 404 and "lia_" not in answer.text
    assert all(t.name != "stolen" for t in tenancy.list_tokens(admins.engine.connect()))
    alpha_token = next(t.id for t in tenancy.list_tokens(admins.engine.connect()) if t.user == "alice")
    assert bea.post(f"/admin/tokens/{alpha_token}/revoke").status_code == 404
    assert client.get("/api/v1/whoami", headers=admins.headers("alice")).status_code == 200
    # Its own organisation's tokens: shown once, scoped, expiring, listed by last use, revocable.
    page = bea.post("/admin/tokens", {"user": "bob", "name": "laptop", "scope": "read", "days": "7"})
    assert page.status_code == 200 and "shown only once" in page.text
    token = re.search(r"<code>(lia_[^<]+)</code>", page.text).group(1)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/whoami", headers=auth).json()["user"] == "bob"
    assert client.post("/api/v1/bundles", headers=auth, content=b"{}").status_code == 403  # read-only
    listing = bea.get("/admin").text
    assert token not in listing
    assert listing.index("laptop") < listing.index(">api<")  # used last, listed first
    reader = bea.post("/admin/tokens", {"user": "bob", "name": "w", "scope": "sync"})
    assert reader.status_code == 422 and "scope" in reader.text
    token_id = max(t.id for t in tenancy.list_tokens(admins.engine.connect()) if t.name == "laptop")
    assert bea.post(f"/admin/tokens/{token_id}/revoke").status_code == 200
    assert client.get("/api/v1/whoami", headers=auth).status_code == 401
    assert {"admin.token-create", "admin.token-revoke"} <= set(_audited(admins.engine))


def test_groups_are_joined_by_invitation_and_left_by_choice(web, admins):
    """The finding: Bravo's admin added Bravo to group ac. Now only ac's owner invites, and only
    the invited organisation's admin accepts."""
    bea, adam, cid = web("bea"), web("adam"), web("cid")
    unknown = bea.post("/admin/groups/nosuch/members", {"org": "Bravo", "action": "accept"})
    for action in ("invite", "accept", "add"):
        answer = bea.post("/admin/groups/ac/members", {"org": "Bravo", "action": action})
        assert answer.status_code in (403, 404), action
    assert _body(bea.post("/admin/groups/ac/members", {"org": "Bravo", "action": "accept"})).replace(
        "ac", "nosuch"
    ) == _body(unknown).replace("ac", "nosuch")
    assert "group:ac" not in bea.get("/admin").text
    # Bravo makes its own group and invites Charlie; Alpha cannot accept for Charlie.
    assert bea.post("/admin/groups", {"name": "bc"}).status_code == 200
    groups = {g.name: g for g in tenancy.group_views(admins.engine.connect())}
    assert groups["bc"].owner == "Bravo" and groups["bc"].members == ["Bravo"]
    assert bea.post("/admin/groups/bc/members", {"org": "Charlie", "action": "invite"}).status_code == 200
    assert adam.post("/admin/groups/bc/members", {"org": "Charlie", "action": "accept"}).status_code == 404
    carol_before = committed(admins.engine, accounts.principal_for_user, "carol").audience_ids
    assert cid.post("/admin/groups/bc/members", {"action": "accept"}).status_code == 200
    assert len(committed(admins.engine, accounts.principal_for_user, "carol").audience_ids) == len(carol_before) + 1
    # Bravo cannot expel Charlie (leaving is Charlie's choice); Charlie leaves; the owner cannot.
    assert bea.post("/admin/groups/bc/members", {"org": "Charlie", "action": "remove"}).status_code == 403
    assert cid.post("/admin/groups/bc/members", {"action": "leave"}).status_code == 200
    assert committed(admins.engine, accounts.principal_for_user, "carol").audience_ids == carol_before
    assert bea.post("/admin/groups/bc/members", {"action": "leave"}).status_code == 422
    assert {"admin.group-add", "admin.group-invite", "admin.group-join", "admin.group-leave"} <= set(
        _audited(admins.engine)
    )


def test_the_operator_runs_the_instance_and_reads_no_intelligence(web, client, admins):
    committed(
        admins.engine,
        import_objects,
        admins.principal("alice"),
        [
            {
                "type": "threat-actor",
                "spec_version": "2.1",
                "id": "threat-actor--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
                "created": "2025-01-01T00:00:00.000Z",
                "modified": "2025-01-01T00:00:00.000Z",
                "name": "Instance Wide",
                "threat_actor_types": ["crime-syndicate"],
            }
        ],
        audience="instance",
    )
    ops = web("ops")
    assert ops.get("/", follow_redirects=False).headers["location"] == "/admin"
    assert "Instance Wide" not in ops.get("/search?q=Instance").text
    # A new organisation comes with its first admin; a second admin is that admin's to add.
    assert (
        ops.post(
            "/admin/orgs", {"name": "Delta", "admin_name": "dora", "password": "0123456789ab"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert committed(admins.engine, accounts.principal_for_user, "dora").org_name == "Delta"
    assert form_login(client, "dora", "0123456789ab").status_code == 403  # dora chooses her own password first
    second = ops.post("/admin/users", {"name": "dan", "org": "Delta", "role": "admin", "password": "0123456789ab"})
    assert second.status_code == 422 and "has accounts already" in second.text
    # Nor an admin planted in an organisation whose admin is gone: it would read what Bravo holds.
    committed(admins.engine, accounts.set_disabled, "bea", True)
    planted = ops.post("/admin/users", {"name": "mole", "org": "Bravo", "role": "admin", "password": "0123456789ab"})
    assert planted.status_code == 422
    analyst = ops.post("/admin/users", {"name": "dan", "org": "Delta", "role": "analyst", "password": "0123456789ab"})
    assert analyst.status_code == 422
    assert ops.post("/admin/tokens", {"user": "alice", "name": "x"}).status_code == 404
    # Nor for a sync account of a local organisation: its token would read that organisation's holdings.
    committed(admins.engine, accounts.create_user, "bravo-sync", "Bravo", "sync")
    assert ops.post("/admin/tokens", {"user": "bravo-sync", "name": "x"}).status_code == 404
    assert "bravo-sync" not in ops.get("/admin").text
    # Partners and their sync accounts, groups repaired.
    public = base64.b64encode(bytes(range(32))).decode()
    assert (
        ops.post(
            "/admin/partners", {"name": "Remote", "url": "https://remote.example/", "public_key": public}
        ).status_code
        == 200
    )
    assert ops.post("/admin/users", {"name": "remote-sync", "org": "Remote", "role": "sync"}).status_code == 200
    page = ops.post("/admin/tokens", {"user": "remote-sync", "name": "sync"})
    assert page.status_code == 200 and "shown only once" in page.text
    # It adds no one to a group, nor invites: it could bring the partner it registered into any
    # group and read the group through that partner's token. It repairs: takes out, hands on.
    for action in ("add", "invite"):
        ops.post("/admin/groups/ab/members", {"org": "Remote", "action": action})
    assert ops.post("/admin/groups", {"name": "puppets"}).status_code == 422
    groups = {g.name: g for g in tenancy.group_views(admins.engine.connect())}
    assert groups["ab"].members == ["Alpha", "Bravo"] and groups["ab"].invited == [] and "puppets" not in groups
    assert ops.post("/admin/groups/ab/members", {"org": "Bravo", "action": "owner"}).status_code == 200
    assert ops.post("/admin/groups/ab/members", {"org": "Alpha", "action": "remove"}).status_code == 200
    assert {g.name: g for g in tenancy.group_views(admins.engine.connect())}["ab"].members == ["Bravo"]
    listing = ops.get("/admin").text
    assert "Remote" in listing and "https://remote.example/" in listing and "carol" not in listing
    bad = ops.post("/admin/partners", {"name": "Other", "url": "ftp://x"})
    assert bad.status_code == 422 and "https://" in bad.text
    # Organisation admins add no organisations or partners.
    assert (
        web("adam").post("/admin/orgs", {"name": "Echo", "admin_name": "e", "password": "0123456789ab"}).status_code
        == 403
    )
    assert web("adam").post("/admin/partners", {"name": "Other"}).status_code == 403
    assert {"admin.org-add", "admin.partner-add", "admin.group-owner", "admin.group-member-remove"} <= set(
        _audited(admins.engine)
    )
    # Its API token reads nothing either.
    token = committed(admins.engine, accounts.create_token, "ops")
    objects = client.get("/api/v1/objects", headers={"Authorization": f"Bearer {token}"}).json()
    assert objects["total"] == 0


def test_the_operator_page_after_a_change_does_not_wait_for_the_instance_key(web, admins):
    """Making the instance key takes a transaction of its own; a page shown after its request wrote
    must not ask for it, or on SQLite it waits for the lock its own request holds (30 s, then 500)."""
    from sqlalchemy import delete

    from liaison.db.tables import instance_key
    from liaison.federation import partners

    with admins.engine.begin() as conn:
        partners.add_partner(conn, "Remote", "https://remote.example/", None, None)
        accounts.create_user(conn, "remote-sync", "Remote", "sync")
    ops = web("ops")
    with admins.engine.begin() as conn:
        conn.execute(delete(instance_key))
    page = ops.post("/admin/tokens", {"user": "remote-sync", "name": "sync"})
    assert page.status_code == 200 and "shown only once" in page.text and "no key yet" in page.text
    assert "admin.token-create" in _audited(admins.engine)
