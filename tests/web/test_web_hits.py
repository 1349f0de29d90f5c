"""The web pages of hit/no-hit queries and requests for information: the query form and its history,
the request form of each hit, the inbox with its decisions, the object page's "Discoverable by" and
the organisation default on the requests page.

Alpha and Bravo share the group 'ab'; Charlie is outside it; rita is Alpha's reader and adam its admin
(tests/conftest.py)."""

from __future__ import annotations

import re
import uuid
from urllib.parse import unquote

from txn import committed

from liaison.ingest.bundles import import_objects
from liaison.intel import discovery

DOMAIN = "smuggling-route.example"
_REFERENCE = re.compile(r'name="reference" value="([^"]+)"')
_ROW = re.compile(r'<tr class="(is-hit|no-hit)">(.*?)</tr>', re.S)


def sco(kind: str, value: str) -> dict:
    return {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.uuid4()}", "value": value}


def held(tenants, user: str = "bob", value: str = DOMAIN, scopes: tuple[str, ...] = ("instance",), audience="org"):
    """An object `user`'s organisation holds, discoverable by `scopes` (none set: the default)."""
    obj = sco("domain-name", value)
    committed(tenants.engine, import_objects, tenants.principal(user), [obj], audience=audience)
    if scopes:
        committed(tenants.engine, discovery.set_object, tenants.principal(user), obj["id"], list(scopes))
    return obj


def ask(client, text: str, type_: str = ""):
    """Ask on the hits page; the redirect is followed to the page showing the answer."""
    answer = client.post("/hits", {"values": text, "type": type_}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].startswith("/hits#query-")
    return client.get("/hits")


def rows(page: str) -> list[tuple[str, str]]:
    """(is-hit or no-hit, the row's text) of every result on the hits page, newest query first."""
    return [(kind, re.sub(r"<[^>]+>", " ", body)) for kind, body in _ROW.findall(page)]


def request_from_hit(tenants, web, reason: str = "seizure at the border, case 41"):
    """Bob's domain answers Alpha's query; alice asks Bravo for it. Returns (object, request id, alice)."""
    obj = held(tenants)
    alice = web("alice")
    page = ask(alice, DOMAIN).text
    [reference] = _REFERENCE.findall(page)
    sent = alice.post("/requests", {"reference": reference, "reason": reason, "hours": ""}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    assert location.startswith("/requests?done=") and "#request-" in location
    alice.last_location = location
    return obj, location.rsplit("#request-", 1)[1], alice


def test_a_query_answers_a_hit_and_a_no_hit(tenants, web):
    obj = held(tenants)
    alice = web("alice")
    form = alice.get("/hits")
    assert form.status_code == 200 and 'name="values"' in form.text and 'value="phone-number"' in form.text
    page = ask(alice, f"{DOMAIN.upper()}.\nnobody-holds.example").text
    [(first, hit_row), (second, miss_row)] = rows(page)
    assert (first, second) == ("is-hit", "no-hit")
    assert DOMAIN.upper() in hit_row and DOMAIN in hit_row and "Bravo" in hit_row and "on this instance" in hit_row
    assert "nobody-holds.example" in miss_row and "no hit" in miss_row and "Bravo" not in miss_row
    assert obj["id"] not in page and "domain-name--" not in page  # who holds it, never what
    assert "<strong>998</strong>" in page and "1000 values per hour" in page
    assert page.count("Request information") == 1 and 'name="hours" min="1" max="2160" value="48"' in page


def test_the_history_shows_only_ones_own_queries(tenants, web):
    alice, bob, rita = web("alice"), web("bob"), web("rita")
    ask(alice, "alice-asked.example")
    ask(bob, "bob-asked.example")
    mine = alice.get("/hits").text
    assert "alice-asked.example" in mine and "bob-asked.example" not in mine
    theirs = bob.get("/hits").text
    assert "bob-asked.example" in theirs and "alice-asked.example" not in theirs
    same_org = rita.get("/hits").text  # a colleague's queries are the colleague's
    assert "alice-asked.example" not in same_org and "You have asked nothing yet" in same_org


def test_a_refused_query_keeps_what_was_typed(tenants, web, client):
    alice = web("alice")
    typed = "203.0.113.9\nnot an address"
    refused = alice.post("/hits", {"values": typed, "type": "ipv4-addr"})
    assert refused.status_code == 422
    assert (
        'role="alert"' in refused.text
        and "not an address" in refused.text
        and "is not a valid ipv4-addr" in refused.text
    )
    assert f">{typed}</textarea>" in refused.text and '<option value="ipv4-addr" selected>' in refused.text
    assert rows(refused.text) == []  # nothing was asked
    empty = alice.post("/hits", {"values": "  \n "})
    assert empty.status_code == 422 and "at least one value" in empty.text

    settings = client.app.state.settings
    client.app.state.settings = settings.model_copy(update={"hit_values_per_window": 2})
    try:
        ask(alice, "a.example\nb.example")
        over = alice.post("/hits", {"values": "c.example"})
    finally:
        client.app.state.settings = settings
    assert over.status_code == 429
    assert "may ask about 2 values" in over.text and "Try again in" in over.text
    assert ">c.example</textarea>" in over.text and "<strong>0</strong>" in over.text


def test_a_request_reaches_the_holders_inbox_and_an_approval_shares_the_object(tenants, web):
    obj, request_id, alice = request_from_hit(tenants, web)
    sent = alice.get(alice.last_location).text
    assert "Request sent to Bravo about smuggling-route.example" in sent
    assert f'id="request-{request_id}"' in sent and "seizure at the border, case 41" in sent
    assert f"/requests/{request_id}/approve" not in sent  # the requester does not decide
    assert alice.get(f"/objects/{obj['id']}").status_code == 404

    bob = web("bob")
    inbox = bob.get("/requests").text
    assert "Inbox · 1 open" in inbox and "from <strong>Alpha</strong>" in inbox
    assert (
        f'formaction="/requests/{request_id}/approve"' in inbox and f'action="/requests/{request_id}/decline"' in inbox
    )
    approved = bob.post(f"/requests/{request_id}/approve", {"message": "see the case file"}, follow_redirects=False)
    assert approved.status_code == 303, approved.text
    after = bob.get(approved.headers["location"]).text
    assert "Approved Alpha&#39;s request about smuggling-route.example: shared 1 object" in after
    assert f"/requests/{request_id}/approve" not in after  # decided: no more forms

    seen = alice.get("/requests").text
    assert 'request-approved">approved' in seen and "see the case file" in seen
    assert f'href="/objects/{obj["id"]}"' in seen
    assert alice.get(f"/objects/{obj['id']}").status_code == 200
    again = bob.post(f"/requests/{request_id}/approve", {})
    assert again.status_code == 409 and "approved already" in again.text


def test_a_decline_message_with_a_hash_survives_the_redirect(tenants, web):
    obj, request_id, alice = request_from_hit(tenants, web)
    message = "Not now: see case #41 & ask again in 100% certainty"
    declined = web("bob").post(f"/requests/{request_id}/decline", {"message": message}, follow_redirects=False)
    assert declined.status_code == 303
    location = declined.headers["location"]
    path, _, anchor = location.partition("#")
    assert anchor == f"request-{request_id}" and message in unquote(path)
    shown = web("bob").get(location).text
    assert "Not now: see case #41 &amp; ask again in 100% certainty" in shown
    seen = alice.get("/requests").text
    assert 'request-declined">declined' in seen and "Not now: see case #41 &amp; ask again in 100% certainty" in seen
    assert alice.get(f"/objects/{obj['id']}").status_code == 404


def test_an_overdue_request_is_marked(tenants, web):
    _obj, request_id, alice = request_from_hit(tenants, web)
    assert ">overdue<" not in web("bob").get("/requests").text
    with tenants.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE info_request SET deadline = '2000-01-01T00:00:00.000000Z'")
    for page in (web("bob").get("/requests").text, alice.get("/requests").text):
        assert ">overdue<" in page and "passed" in page


def test_a_refused_request_keeps_the_reason_typed(tenants, web):
    held(tenants)
    alice = web("alice")
    [reference] = _REFERENCE.findall(ask(alice, DOMAIN).text)
    refused = alice.post("/requests", {"reference": reference, "reason": "case 41", "hours": "5000"})
    assert refused.status_code == 422 and "1 hour to 90 days" in refused.text
    assert '<details class="request-info" open>' in refused.text and ">case 41</textarea>" in refused.text
    assert 'value="5000"' in refused.text


def test_a_reader_queries_but_is_shown_no_form_it_cannot_use(tenants, web):
    obj = held(tenants, "alice", "alpha-holds.example")
    held(tenants)
    rita = web("rita")
    nav = rita.get("/").text
    assert 'href="/hits"' in nav and 'href="/requests"' in nav
    page = ask(rita, DOMAIN).text
    assert rows(page)[0][0] == "is-hit" and "Bravo" in page
    assert "Request information" not in page and 'action="/requests"' not in page
    assert "Analysts of Alpha can ask the holders" in page

    carol = web("carol")  # Charlie asks Alpha: a request in the inbox rita reads
    [reference] = _REFERENCE.findall(ask(carol, "alpha-holds.example").text)
    assert (
        carol.post("/requests", {"reference": reference, "reason": "case 7"}, follow_redirects=False).status_code == 303
    )
    inbox = rita.get("/requests").text
    assert "from <strong>Charlie</strong>" in inbox and "case 7" in inbox
    assert "/approve" not in inbox and "/decline" not in inbox and 'action="/discoverability"' not in inbox
    request_id = re.search(r'id="request-([0-9a-f-]+)"', inbox).group(1)
    assert rita.post(f"/requests/{request_id}/approve", {}).status_code == 403

    object_page = rita.get(f"/objects/{obj['id']}").text
    assert 'id="discoverable"' in object_page and "this instance's other organisations" in object_page
    assert "/discoverability" not in object_page
    assert rita.post(f"/objects/{obj['id']}/discoverability", {"mode": "none"}).status_code == 403


def test_another_organisations_request_answers_like_a_missing_one(tenants, web):
    _obj, request_id, alice = request_from_hit(tenants, web)
    carol = web("carol")
    for action in ("approve", "decline"):
        theirs = carol.post(f"/requests/{request_id}/{action}", {"message": "x"})
        missing = carol.post(f"/requests/{uuid.uuid4()}/{action}", {"message": "x"})
        assert theirs.status_code == missing.status_code == 404
        assert theirs.text == missing.text
        own = alice.post(f"/requests/{request_id}/{action}", {"message": "x"})  # the requester is no holder
        assert own.status_code == 404 and "no request for information by that id" in own.text
    assert "Inbox · 1 open" in web("bob").get("/requests").text  # nothing was decided


def test_the_discoverability_form_changes_what_a_hit_answers(tenants, web):
    obj = held(tenants, scopes=())  # Bravo's default: no one
    alice, bob, carol = web("alice"), web("bob"), web("carol")
    assert rows(ask(alice, DOMAIN).text)[0][0] == "no-hit"

    page = bob.get(f"/objects/{obj['id']}").text
    assert 'id="discoverable"' in page and "the organisation's default" in page
    assert f'action="/objects/{obj["id"]}/discoverability"' in page and 'value="group:ab"' in page
    done = bob.post(
        f"/objects/{obj['id']}/discoverability", {"mode": "only", "scope": ["group:ab"]}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == f"/objects/{obj['id']}#discoverable"
    assert "members of group:ab" in bob.get(f"/objects/{obj['id']}").text
    assert rows(ask(alice, DOMAIN).text)[0][0] == "is-hit"
    assert rows(ask(carol, DOMAIN).text)[0][0] == "no-hit"  # not in the group

    refused = bob.post(f"/objects/{obj['id']}/discoverability", {"mode": "only"})
    assert refused.status_code == 422 and "tick who may discover it" in refused.text

    assert (
        bob.post(f"/objects/{obj['id']}/discoverability", {"mode": "none"}, follow_redirects=False).status_code == 303
    )
    [(answer, _row), *_] = rows(ask(alice, DOMAIN).text)
    assert answer == "no-hit"


def test_the_section_is_shown_only_to_organisations_that_hold_the_object(tenants, web):
    shared = held(tenants, audience="group:ab")
    page = web("alice").get(f"/objects/{shared['id']}")
    assert page.status_code == 200 and 'id="discoverable"' not in page.text  # seen, not held
    refused = web("alice").post(f"/objects/{shared['id']}/discoverability", {"mode": "none"})
    assert refused.status_code == 404


def test_an_admin_sets_the_organisation_default_on_the_requests_page(tenants, web):
    held(tenants, "alice", "alpha-default.example", scopes=())
    assert 'action="/discoverability"' not in web("alice").get("/requests").text
    adam = web("adam")
    page = adam.get("/requests").text
    assert 'id="discoverability"' in page and '<strong><span class="scope">no one</span></strong>' in page
    bob = web("bob")
    assert rows(ask(bob, "alpha-default.example").text)[0][0] == "no-hit"
    done = adam.post("/discoverability", {"mode": "only", "scope": ["instance"]}, follow_redirects=False)
    assert done.status_code == 303
    shown = adam.get(done.headers["location"]).text
    assert "By default, Alpha&#39;s holdings are now discoverable by this instance&#39;s other organisations" in shown
    assert rows(ask(bob, "alpha-default.example").text)[0][0] == "is-hit"
    assert web("alice").post("/discoverability", {"mode": "none"}).status_code == 403


def test_every_form_needs_the_sessions_csrf_token(tenants, web):
    obj, request_id, alice = request_from_hit(tenants, web)
    bob, adam = web("bob"), web("adam")
    for client, path, data in (
        (alice, "/hits", {"values": DOMAIN}),
        (alice, "/requests", {"reference": "x", "reason": "y"}),
        (bob, f"/requests/{request_id}/approve", {}),
        (bob, f"/requests/{request_id}/decline", {}),
        (bob, f"/objects/{obj['id']}/discoverability", {"mode": "none"}),
        (adam, "/discoverability", {"mode": "none"}),
    ):
        refused = client.http.post(path, data={**data, "csrf_token": "forged"}, follow_redirects=False)
        assert refused.status_code == 403, path
    assert "Inbox · 1 open" in bob.get("/requests").text
