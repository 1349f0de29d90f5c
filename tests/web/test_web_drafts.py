"""The draft pages in-process, on both databases: CSRF, errors, and nothing for another organisation."""

from __future__ import annotations

import re

from txn import committed

TEXT = "Interior Minister Halim Rasulov visited Termez on Monday with officials of the Border Service."


def _draft_path(response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_paste_review_publish_and_read(web, tenants):
    alice = web("alice")
    path = _draft_path(
        alice.post(
            "/drafts", {"text": TEXT, "title": "Termez visit", "published": "2026-01-14"}, follow_redirects=False
        )
    )
    page = alice.get(path).text
    assert "Halim Rasulov" in page and "Termez visit" in page and 'class="mention kind-location' in page
    key = re.search(r'<article class="finding[^"]*" id="(e\d+)">\s*<header>\s*<span class="mention kind-person', page)
    assert key
    dropped = alice.post(f"{path}/review", {"op": "drop", "key": key.group(1)}, follow_redirects=False)
    assert dropped.status_code == 303 and dropped.headers["location"].endswith(f"#{key.group(1)}")
    refused = alice.post(f"{path}/review", {"op": "link", "key": key.group(1), "ref": "identity--x"})
    assert refused.status_code == 404 and "no object identity--x" in refused.text  # shown on the review page
    bad = alice.post(
        f"{path}/publish", {"audience": "instance", "level": "red", "reliability": "A", "credibility": "1"}
    )
    assert bad.status_code == 422 and "TLP:RED" in bad.text
    done = alice.post(
        f"{path}/publish",
        {"audience": "group:ab", "level": "amber", "reliability": "A", "credibility": "1"},
        follow_redirects=False,
    )
    report = done.headers["location"]
    assert report.startswith("/reports/report--")
    reader = alice.get(report).text
    assert "Termez visit" in reader and "A1" in reader and 'href="/objects/location--' in reader
    assert web("bob").get(report).status_code == 200
    assert web("carol").get(report).status_code == 404


def test_other_organisations_and_forged_forms_get_nothing(web, tenants):
    alice = web("alice")
    path = _draft_path(alice.post("/drafts", {"text": TEXT}, follow_redirects=False))
    for name in ("bob", "carol"):
        other = web(name)
        assert other.get(path).status_code == 404
        assert other.post(f"{path}/review", {"op": "drop", "key": "e1"}).status_code == 404
        assert other.post(f"{path}/discard").status_code == 404
        assert "Halim Rasulov" not in other.get("/drafts?status=all").text
    forged = alice.http.post(f"{path}/discard", data={"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert alice.post(f"{path}/discard", follow_redirects=False).status_code == 303
    assert "discarded" in alice.get("/drafts?status=discarded").text


def test_the_reader_ignores_mentions_that_do_not_fit_the_text():
    from liaison.web.reports import segments

    text = "Officials met in Kabul."
    mentions = [
        {"start": "0", "end": 5},
        {"start": 1},
        {"start": 6, "end": 2},
        {"start": 17, "end": 22},
        {"start": 20, "end": 99},
    ]
    assert segments(text, mentions) == [("Officials met in ", None), ("Kabul", mentions[3]), (".", None)]


def test_the_review_page_shows_only_what_its_reader_still_sees(web, tenants):
    from stixdata import sdo

    from liaison.ingest.bundles import import_objects
    from liaison.intel import sharing

    officer = sdo(
        "identity", name="Halim Rasulov", identity_class="individual", roles=["Head of the Border Directorate"]
    )
    alice = tenants.principal("alice")
    committed(tenants.engine, import_objects, alice, [officer], audience="group:ab")
    bob = web("bob")
    path = _draft_path(bob.post("/drafts", {"text": TEXT, "published": "2026-01-14"}, follow_redirects=False))
    assert "Border Directorate" in bob.get(path).text and officer["id"] in bob.get(path).text
    committed(tenants.engine, sharing.unshare, alice, officer["id"], "group:ab")
    page = bob.get(path).text
    assert "Border Directorate" not in page and officer["id"] not in page
    assert "Halim Rasulov" in page and "no longer shared with you" in page


def test_the_review_forms_build_the_typed_changes(web, tenants):
    alice = web("alice")
    path = _draft_path(alice.post("/drafts", {"text": TEXT, "published": "2026-01-14"}, follow_redirects=False))
    kinds = re.search(r'<select name="kind">(.*?)</select>', alice.get(path).text, re.S).group(1)
    assert re.findall(r"<option(?: selected)?>(\w+)</option>", kinds) == ["person", "organization", "group", "location"]
    for form, words in (
        ({"op": "explode", "key": "e1"}, "explode"),
        ({"op": "drop", "key": "e1", "why": "x"}, "why"),
        ({"op": "rename", "key": "e1"}, "name"),
        ({"op": "kind", "key": "e1", "kind": "city"}, "kind"),
    ):
        refused = alice.post(f"{path}/review", form)
        assert refused.status_code == 422 and words in refused.text and 'role="alert"' in refused.text, form
        assert "Halim Rasulov" in refused.text  # the review page, with the error
    renamed = alice.post(
        f"{path}/review", {"op": "rename", "key": "e1", "name": "Halim Rasulov Jr"}, follow_redirects=False
    )
    assert renamed.status_code == 303 and renamed.headers["location"].endswith("#e1")
    assert "Halim Rasulov Jr" in alice.get(path).text
    assert web("bob").post(f"{path}/review", {"op": "explode", "key": "e1"}).status_code == 404
