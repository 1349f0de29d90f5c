"""Administration pages: admins only, and each change takes effect and is audited."""

from __future__ import annotations

import base64
import re

from liaison import accounts, audit
from webtools import form_login


ADMIN_POSTS = [("/admin/orgs", {"name": "Delta"}),
               ("/admin/users", {"name": "eve", "org": "Alpha", "role": "admin", "password": "0123456789ab"}),
               ("/admin/users/alice/role", {"role": "admin"}),
               ("/admin/users/bob/disable", {}),
               ("/admin/tokens", {"user": "alice", "name": "x"}),
               ("/admin/tokens/1/revoke", {}),
               ("/admin/groups", {"name": "cd", "members": "Charlie"}),
               ("/admin/groups/ab/members", {"org": "Charlie"}),
               ("/admin/partners", {"name": "Remote"})]


def test_only_admins_reach_the_admin_pages(web, tenants):
    for name in ("alice", "rita"):
        user = web(name)
        page = user.get("/admin")
        assert page.status_code == 403 and "admin role" in page.text
        for path, data in ADMIN_POSTS:
            assert user.post(path, data).status_code == 403, path
    assert [u.name for u in accounts.list_users(tenants.engine) if u.role == "admin"] == ["adam"]
    assert "Delta" not in [o.name for o in accounts.list_orgs(tenants.engine)]
    assert web("adam").get("/admin").status_code == 200


def test_admin_manages_users(web, client, tenants):
    adam = web("adam")
    added = adam.post("/admin/users", {"name": "erin", "org": "Bravo", "role": "reader", "password": "erin-secret-pw"},
                      follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"].endswith("#users")
    assert form_login(client, "erin", "erin-secret-pw").status_code == 303
    assert adam.post("/admin/users/erin/role", {"role": "analyst"}).status_code == 200
    assert accounts.principal_for_user(tenants.engine, "erin").role == "analyst"
    assert adam.post("/admin/users/erin/disable").status_code == 200
    assert client.get("/", follow_redirects=False).status_code == 303  # erin's session ended
    assert "disabled" in form_login(client, "erin", "erin-secret-pw").text
    adam.post("/admin/users/erin/enable")
    assert form_login(client, "erin", "erin-secret-pw").status_code == 303
    short = adam.post("/admin/users", {"name": "frank", "org": "Bravo", "role": "reader", "password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    twice = adam.post("/admin/users", {"name": "erin", "org": "Bravo", "role": "reader", "password": "0123456789"})
    assert twice.status_code == 409 and "already exists" in twice.text
    assert adam.post("/admin/users/adam/disable").status_code == 422
    assert adam.post("/admin/users/adam/role", {"role": "reader"}).status_code == 422
    with tenants.engine.connect() as conn:
        actions = [e["action"] for e in audit.entries(conn)]
    assert {"admin.user-add", "admin.user-role", "admin.user-disable", "admin.user-enable"} <= set(actions)


def test_admin_tokens_are_shown_once_and_revocable(web, client, tenants):
    adam = web("adam")
    page = adam.post("/admin/tokens", {"user": "carol", "name": "laptop"})
    assert page.status_code == 200 and "shown only once" in page.text
    token = re.search(r"<code>(lia_[^<]+)</code>", page.text).group(1)
    assert client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"}).json()["user"] == "carol"
    assert token not in adam.get("/admin").text
    token_id = max(t.id for t in accounts.list_tokens(tenants.engine) if t.name == "laptop")
    assert adam.post(f"/admin/tokens/{token_id}/revoke").status_code == 200
    assert client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert adam.post(f"/admin/tokens/{token_id}/revoke").status_code == 404


def test_admin_manages_organisations_groups_and_partners(web, tenants):
    adam = web("adam")
    assert adam.post("/admin/orgs", {"name": "Delta"}).status_code == 200
    assert adam.post("/admin/groups", {"name": "cd", "members": ["Charlie", "Delta"]}).status_code == 200
    groups = {name: members for name, _d, members in accounts.list_groups(tenants.engine)}
    assert groups["cd"] == ["Charlie", "Delta"]
    assert adam.post("/admin/groups/ab/members", {"org": "Charlie", "action": "add"}).status_code == 200
    carol = accounts.principal_for_user(tenants.engine, "carol")
    assert len(carol.audience_ids) == 4  # own, instance, ab, cd
    assert adam.post("/admin/groups/ab/members", {"org": "Charlie", "action": "remove"}).status_code == 200
    assert len(accounts.principal_for_user(tenants.engine, "carol").audience_ids) == 3
    again = adam.post("/admin/groups/ab/members", {"org": "Charlie", "action": "remove"})
    assert again.status_code == 422 and "is not a member" in again.text
    public = base64.b64encode(bytes(range(32))).decode()
    added = adam.post("/admin/partners", {"name": "Remote", "url": "https://remote.example/", "public_key": public})
    assert added.status_code == 200
    page = adam.get("/admin").text
    assert "Remote" in page and "https://remote.example/" in page and "not synced yet" in page
    bad = adam.post("/admin/partners", {"name": "Other", "url": "ftp://x"})
    assert bad.status_code == 422 and "https://" in bad.text
    bad_key = adam.post("/admin/partners", {"name": "Other", "public_key": "not a key"})
    assert bad_key.status_code == 422 and "public key" in bad_key.text
