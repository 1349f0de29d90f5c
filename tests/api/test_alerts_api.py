"""Watchlists, alerts, the digest and webhooks over REST, from another agency's side: its users
neither see nor change Alpha's watchlists, alerts or webhooks, and each answers exactly as for
one that does not exist."""

from __future__ import annotations

import orjson
from stixdata import actor, bundle

from liaison import accounts
from liaison.alerts import evaluate
from liaison.app import create_app
from liaison.config import Settings

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _import(client, tenants, user, *objects, audience="instance"):
    answer = client.post(
        "/api/v1/bundles",
        params={"audience": audience},
        content=orjson.dumps(bundle(*objects)),
        headers=tenants.headers(user),
    )
    assert answer.status_code == 200, answer.text


def test_watch_be_alerted_and_mark_read(client, tenants):
    alice = tenants.headers("alice")
    made = client.post("/api/v1/watchlists", json={"kind": "type", "type": "intrusion-set"}, headers=alice)
    assert made.status_code == 201, made.text
    assert (
        client.post("/api/v1/watchlists", json={"kind": "type", "type": "intrusion-set"}, headers=alice).status_code
        == 409
    )
    group = actor("Oxus Couriers", level="green")
    _import(client, tenants, "bob", group)
    evaluate.run(tenants.engine)
    page = client.get("/api/v1/alerts", headers=alice).json()
    assert page["unread"] == 1 and [a["object"]["id"] for a in page["items"]] == [group["id"]]
    assert page["items"][0]["watchlist"]["id"] == made.json()["id"]
    assert client.post("/api/v1/alerts/read", json={}, headers=alice).json() == {"marked": 1}
    assert client.get("/api/v1/alerts", params={"unread": True}, headers=alice).json()["total"] == 0
    digest = client.get("/api/v1/alerts/digest", headers=alice).json()
    assert digest["total"] == 1 and digest["watchlists"][0]["id"] == made.json()["id"]
    for odd in ("not an address", "a@b.example,c@d.example", "Eve <eve@e.example>", "a@b.example\r\nBcc: x@y.example"):
        assert client.put("/api/v1/alerts/digest", json={"email": odd}, headers=alice).status_code == 422
    assert client.put("/api/v1/alerts/digest", json={"email": "alice@alpha.example"}, headers=alice).json() == {
        "email": "alice@alpha.example"
    }


def test_another_agencys_watchlists_and_alerts_answer_as_unknown_ones(client, tenants):
    alice, carol = tenants.headers("alice"), tenants.headers("carol")
    mine = client.post("/api/v1/watchlists", json={"kind": "type", "type": "intrusion-set"}, headers=alice).json()
    _import(client, tenants, "alice", actor("Alpha Only", level="amber"), audience="org")
    evaluate.run(tenants.engine)
    [alert] = client.get("/api/v1/alerts", headers=alice).json()["items"]
    for method, path in (("GET", "/api/v1/watchlists/{}"), ("DELETE", "/api/v1/watchlists/{}")):
        theirs = client.request(method, path.format(mine["id"]), headers=carol)
        unknown = client.request(method, path.format(UNKNOWN), headers=carol)
        assert (theirs.status_code, theirs.text.replace(mine["id"], UNKNOWN)) == (unknown.status_code, unknown.text)
    assert client.get("/api/v1/watchlists", headers=carol).json() == {"items": []}
    assert client.get("/api/v1/alerts", headers=carol).json()["total"] == 0
    assert client.post("/api/v1/alerts/read", json={"ids": [alert["id"]]}, headers=carol).json() == {"marked": 0}
    assert client.get("/api/v1/alerts", params={"unread": True}, headers=alice).json()["total"] == 1
    assert client.get(f"/api/v1/watchlists/{mine['id']}", headers=alice).status_code == 200


def test_webhooks_are_an_organisation_admins_and_no_other(tenants):
    settings = Settings(webhook_hosts="127.0.0.1:*", sync_interval=0, run_jobs=False)
    from fastapi.testclient import TestClient

    with tenants.engine.begin() as conn:
        accounts.create_user(conn, "bea", "Bravo", "admin")
        bea_token = accounts.create_token(conn, "bea")
    with TestClient(create_app(settings, engine=tenants.engine)) as client:
        adam, bea = tenants.headers("adam"), {"Authorization": f"Bearer {bea_token}"}
        refused = client.post("/api/v1/webhooks", json={"url": "http://192.0.2.7/hook"}, headers=adam)
        assert refused.status_code == 422 and "does not allow" in refused.text
        for odd in ("http://evil.com／.example.org/", "http://[::1/", "http://a＃b/"):
            assert client.post("/api/v1/webhooks", json={"url": odd}, headers=adam).status_code == 422
        made = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=adam)
        assert made.status_code == 201 and len(made.json()["secret"]) >= 32
        hook = made.json()["id"]
        assert "secret" not in client.get("/api/v1/webhooks", headers=adam).text
        assert client.post(f"/api/v1/webhooks/{hook}/test", headers=adam).status_code == 202
        assert [d["test"] for d in client.get(f"/api/v1/webhooks/{hook}/deliveries", headers=adam).json()["items"]] == [
            True
        ]
        for method, path in (
            ("GET", "/api/v1/webhooks/{}/deliveries"),
            ("POST", "/api/v1/webhooks/{}/test"),
            ("DELETE", "/api/v1/webhooks/{}"),
        ):
            theirs = client.request(method, path.format(hook), headers=bea)
            unknown = client.request(method, path.format(UNKNOWN), headers=bea)
            assert theirs.status_code == 404
            assert (theirs.status_code, theirs.text.replace(hook, UNKNOWN)) == (unknown.status_code, unknown.text)
        assert client.get("/api/v1/webhooks", headers=bea).json() == {"items": []}
        assert client.get("/api/v1/webhooks", headers=tenants.headers("alice")).status_code == 403
        # The queue is the operator's to see; payloads are never shown.
        assert client.get("/api/v1/jobs", headers=adam).status_code == 403
        with tenants.engine.begin() as conn:
            accounts.create_user(conn, "ops", None, "operator")
            ops = {"Authorization": f"Bearer {accounts.create_token(conn, 'ops')}"}
        queue = client.get("/api/v1/jobs", headers=ops).json()
        assert queue["states"] == {"queued": 1} and queue["items"][0]["kind"] == "webhook.deliver"
        assert "payload" not in queue["items"][0]


def test_control_characters_are_refused_not_stored_or_failed_on(client, tenants):
    adam, alice = tenants.headers("adam"), tenants.headers("alice")
    assert client.put("/api/v1/alerts/digest", json={"email": "a\x00b@example.org"}, headers=alice).status_code == 422
    assert client.put("/api/v1/alerts/digest", json={"email": "é@example.org"}, headers=alice).status_code == 422
    for body in (
        {"kind": "place", "country": "AF", "province": "K\x00"},
        {"kind": "value", "value": "a\x00b@example.org"},
    ):
        assert client.post("/api/v1/watchlists", json=body, headers=alice).status_code == 422
    assert client.get("/api/v1/watchlists/x%00y", headers=alice).status_code == 404
    assert client.get("/api/v1/saved-searches/x%00y", headers=alice).status_code == 404
    assert client.get("/api/v1/alerts", params={"watchlist": "x\x00"}, headers=alice).json()["total"] == 0
    assert client.post("/api/v1/alerts/read", json={"ids": ["x\x00"]}, headers=alice).json() == {"marked": 0}
    assert client.get("/api/v1/webhooks/x%00y/deliveries", headers=adam).status_code in (403, 404)
    assert client.get("/api/v1/stream", params={"audience": "group:\x00"}, headers=alice).status_code == 422


def test_a_correlation_watch_over_rest_alerts_on_a_partners_matching_number(client, tenants):
    def phone(n):
        return {"type": "phone-number", "spec_version": "2.1", "id": f"phone-number--{n}", "value": "+93701234567"}

    alice, carol = tenants.headers("alice"), tenants.headers("carol")
    made = client.post("/api/v1/watchlists", json={"kind": "correlation"}, headers=alice)
    assert made.status_code == 201 and made.json()["shown"] == "what shares a value with Alpha's holdings"
    assert client.post("/api/v1/watchlists", json={"kind": "correlation"}, headers=carol).status_code == 201
    _import(client, tenants, "alice", phone("0b0c2f35-6a3d-4b7e-9a51-2d0f5e8a9c01"), audience="org")
    _import(client, tenants, "bob", phone("5e1d7c44-93b2-4c0a-8f6e-7a2b3c4d5e02"))
    evaluate.run(tenants.engine)
    items = client.get("/api/v1/alerts", headers=alice).json()["items"]
    assert [(a["object"]["id"], a["reason"]) for a in items] == [
        ("phone-number--5e1d7c44-93b2-4c0a-8f6e-7a2b3c4d5e02", "shares +93701234567 with what your organisation holds")
    ]
    assert client.get("/api/v1/alerts", headers=carol).json()["total"] == 0
