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
    discarded = alice.post(f"{path}/discard", follow_redirects=False)
    assert discarded.status_code == 303 and discarded.headers["location"].startswith("/drafts?done=")
    assert "you can restore it from the discarded drafts until" in alice.get(discarded.headers["location"]).text
    listed = alice.get("/drafts?status=discarded").text
    assert "discarded" in listed and f'action="{path}/reopen"' in listed
    for name in ("bob", "carol"):  # another organisation restores nothing, and learns nothing
        other = web(name)
        assert other.post(f"{path}/reopen").status_code == other.post("/drafts/nothing-here/reopen").status_code == 404
        assert f"{path}/reopen" not in other.get("/drafts?status=discarded").text
    assert alice.post(f"{path}/reopen", follow_redirects=False).headers["location"] == path
    assert 'id="publish-form"' in alice.get(path).text  # a draft again


def test_a_draft_discarded_long_ago_is_not_restored(web, tenants):
    from sqlalchemy import update

    from liaison.db.tables import draft_report

    alice = web("alice")
    path = _draft_path(alice.post("/drafts", {"text": TEXT}, follow_redirects=False))
    alice.post(f"{path}/discard")
    with tenants.engine.begin() as conn:  # discarded 31 days ago
        conn.execute(update(draft_report).values(updated_at="2020-01-01T00:00:00.000000Z"))
    assert 'id="reopen-form"' not in alice.get(path).text
    refused = alice.post(f"{path}/reopen")
    assert refused.status_code == 409 and "can no longer be restored" in refused.text


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


def test_dropped_boilerplate_is_shown_and_put_back_and_the_date_corrected(web, tenants):
    from pathlib import Path

    text = (Path(__file__).parents[1] / "ingest" / "fixtures" / "boilerplate" / "dushanbe_seizure.txt").read_text()
    alice = web("alice")
    path = _draft_path(alice.post("/drafts", {"text": text}, follow_redirects=False))
    page = alice.get(path).text
    assert "Dropped from the text" in page and "29 lines" in page and "cookie notice" in page
    assert "We use cookies to give you the best experience" in page.split('id="dropped"')[1]
    assert "We use cookies" not in page.split('id="dropped"')[0]  # not in the text shown above
    assert 'id="article-date">2025-03-14<' in page and "read from the dateline “DUSHANBE, 14 March 2025”" in page
    refused = alice.post(f"{path}/review", {"op": "published", "published": "14/03/2025"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    moved = alice.post(f"{path}/review", {"op": "published", "published": "2025-03-20"}, follow_redirects=False)
    assert moved.status_code == 303
    page = alice.get(path).text
    assert 'id="article-date">2025-03-20<' in page and "corrected in the review" in page
    assert 'title="today">2025-03-20<' in page  # 'today' read again from the corrected date
    assert web("bob").post(f"{path}/restore").status_code == 404
    assert _draft_path(alice.post(f"{path}/restore", follow_redirects=False)) == path
    page = alice.get(path).text
    assert "Dropped from the text" not in page and "The whole text is kept" in page
    assert "Related posts" in page.split('id="dropped"')[0]
    refused = alice.post(f"{path}/restore")
    assert refused.status_code == 409 and "nothing was dropped" in refused.text
    kept = _draft_path(alice.post("/drafts", {"text": text, "keep_boilerplate": "1"}, follow_redirects=False))
    assert "The whole text is kept" in alice.get(kept).text


ADDING = (
    "Officers of the Collective Security Treaty Organization (CSTO) met Rustam Nazarov in Dushanbe. "
    "Funds went to wallet 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 through the Golden Crescent exchange "
    "and to tolib@mail.example."
)


def test_findings_are_added_without_script_and_shown_with_their_state(web, tenants):
    alice = web("alice")
    path = _draft_path(alice.post("/drafts", {"text": ADDING, "published": "2026-01-14"}, follow_redirects=False))
    page = alice.get(path).text
    assert "alias: CSTO" in page
    assert "unverified (checksum fails)" in page
    wallet = re.search(
        r'<article class="finding dropped" id="(o\d+)">\s*<header><span class="mention kind-crypto', page
    )
    assert wallet  # left out until accepted
    assert 'id="selection-toolbar"' in page and 'id="add-entity-form"' in page and 'id="add-relationship-form"' in page

    # The plain form: the exact words, found where they first occur.
    added = alice.post(
        f"{path}/review",
        {"op": "add-entity", "kind": "organization", "words": "Golden Crescent exchange"},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    key = added.headers["location"].rsplit("#", 1)[1]
    page = alice.get(path).text
    assert re.search(
        rf'id="{key}">\s*<header>\s*<span class="mention kind-organization">organization</span>\s*'
        r"<strong>Golden Crescent exchange<",
        page,
    )
    assert "added by the analyst" in page
    # The toolbar's post: offsets and the words selected; offsets that do not fit the words are
    # read from the words (a browser counts characters otherwise).
    at = ADDING.index("tolib@")
    moved = alice.post(
        f"{path}/review",
        {
            "op": "add-observable",
            "kind": "email-addr",
            "start": str(at + 3),
            "end": str(at + 21),
            "words": "tolib@mail.example",
        },
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"].startswith(f"{path}#o")
    for form, words in (
        ({"op": "add-entity", "kind": "person", "words": "Nobody Here"}, "is not in the text"),
        (
            {"op": "add-observable", "kind": "cryptocurrency-wallet", "words": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"},
            "checksum fails",
        ),
        ({"op": "add-entity", "kind": "person", "start": "5", "end": "99999"}, "inside the text"),
    ):
        refused = alice.post(f"{path}/review", form)
        assert refused.status_code == 422 and words in refused.text and 'role="alert"' in refused.text, form
    related = alice.post(
        f"{path}/review",
        {"op": "add-relationship", "source": key, "type": "related-to", "target": "e1"},
        follow_redirects=False,
    )
    assert related.status_code == 303 and "#r" in related.headers["location"]
    assert (
        web("bob").post(f"{path}/review", {"op": "add-entity", "kind": "person", "words": "Dushanbe"}).status_code
        == 404
    )


def test_a_reader_gets_no_forms_and_may_not_post(web, tenants):
    path = _draft_path(web("alice").post("/drafts", {"text": ADDING}, follow_redirects=False))
    rita = web("rita")
    page = rita.get(path).text
    assert "Rustam Nazarov" in page or "Dushanbe" in page
    assert "<form" not in page.split('<main class="content"')[1]
    for form in (
        {"op": "add-entity", "kind": "person", "words": "Rustam Nazarov"},
        {"op": "add-relationship", "source": "e1", "type": "related-to", "target": "e2"},
        {"op": "drop", "key": "e1"},
    ):
        assert rita.post(f"{path}/review", form).status_code == 403
