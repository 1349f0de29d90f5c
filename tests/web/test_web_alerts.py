"""The alerts pages from another agency's side: the header counts only one's own alerts about what
one may still see; another user's watchlist and another organisation's webhook cannot be changed,
and answer as unknown ones; a watch form never sends the browser off the instance."""

from __future__ import annotations

import orjson
from stixdata import actor, bundle
from txn import committed

from liaison import accounts
from liaison.alerts import evaluate, watchlists
from liaison.app import create_app
from liaison.config import Settings


def _import(client, tenants, user, *objects, audience="instance"):
    answer = client.post(
        "/api/v1/bundles",
        params={"audience": audience},
        content=orjson.dumps(bundle(*objects)),
        headers=tenants.headers(user),
    )
    assert answer.status_code == 200, answer.text


def test_the_header_counts_ones_own_alerts_only(client, tenants, web):
    alice, carol = web("alice"), web("carol")
    made = alice.post(
        "/watchlists", {"kind": "type", "type": "intrusion-set", "back": "//evil.example/x"}, follow_redirects=False
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/watchlists?")
    committed(tenants.engine, watchlists.watch, tenants.principal("carol"), "type", {"type": "intrusion-set"})
    _import(client, tenants, "bob", actor("Group Share", level="amber"), audience="group:ab")
    evaluate.run(tenants.engine)
    page = alice.get("/alerts").text
    assert 'class="counter"' in page and "Group Share" in page
    other = carol.get("/alerts").text
    assert 'class="counter"' not in other and "Group Share" not in other


def test_another_users_watchlist_cannot_be_removed(client, tenants, web):
    mine = committed(tenants.engine, watchlists.watch, tenants.principal("alice"), "type", {"type": "intrusion-set"})
    theirs = web("bob").post(f"/watchlists/{mine.id}/delete", follow_redirects=False)
    unknown = web("bob").post("/watchlists/00000000-0000-4000-8000-000000000000/delete", follow_redirects=False)
    assert theirs.status_code == unknown.status_code == 303
    assert theirs.headers["location"].replace(mine.id, "X") == unknown.headers["location"].replace(
        "00000000-0000-4000-8000-000000000000", "X"
    )
    assert [w.id for w in committed(tenants.engine, watchlists.list_watchlists, tenants.principal("alice"))] == [
        mine.id
    ]


def test_another_organisations_webhooks_are_out_of_an_admins_reach(tenants, passwords):
    from fastapi.testclient import TestClient
    from webtools import WebClient, csrf_in, form_login

    with tenants.engine.begin() as conn:
        accounts.create_user(conn, "bea", "Bravo", "admin", password=passwords("adam"))
    app = create_app(Settings(webhook_hosts="127.0.0.1:*", sync_interval=0, run_jobs=False), engine=tenants.engine)
    with TestClient(app) as adam_http, TestClient(app) as bea_http:
        form_login(adam_http, "adam", passwords("adam"))
        form_login(bea_http, "bea", passwords("adam"))
        adam = WebClient(adam_http, csrf_in(adam_http.get("/").text))
        bea = WebClient(bea_http, csrf_in(bea_http.get("/").text))
        made = adam.post("/admin/webhooks", {"url": "http://127.0.0.1:9/alpha-hook"})
        assert made.status_code == 201 and "shown only once" in made.text
        hook = made.text.split('id="hook-')[1].split('"')[0]
        assert "alpha-hook" not in bea.get("/admin/webhooks").text
        for action in ("test", "stop"):
            theirs = bea.post(f"/admin/webhooks/{hook}/{action}")
            unknown = bea.post(f"/admin/webhooks/00000000-0000-4000-8000-000000000000/{action}")
            assert theirs.status_code == unknown.status_code == 404
            assert "alpha-hook" not in theirs.text
        assert "alpha-hook" in adam.get("/admin/webhooks").text and "stopped" not in adam.get("/admin/webhooks").text


def test_the_correlation_watch_form_watches_ones_own_organisations_holdings(client, tenants, web):
    alice = web("alice")
    made = alice.post("/watchlists", {"kind": "correlation"}, follow_redirects=False)
    assert made.status_code == 303
    page = alice.get("/watchlists").text
    assert (
        "what shares a value with Alpha&#39;s holdings" in page or "what shares a value with Alpha's holdings" in page
    )
    assert "Alpha" not in web("bob").get("/watchlists").text.split("What you watch")[1].split("</section>")[0]
