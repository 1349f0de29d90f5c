"""The events of a draft on its review page: in words, after the relationships, accepted and dropped
like any finding; the byline's person shown as the author, not among the entities."""

from __future__ import annotations

import re

TEXT = """By Lailuma Noori

The Drug Control Agency seized 212 kg of heroin from Ali Karimov near the Panj river crossing in Khatlon \
region on Tuesday, the agency said."""


def test_the_review_page_shows_events_in_words_and_the_author_apart(web, tenants):
    alice = web("alice")
    created = alice.post("/drafts", {"text": TEXT, "published": "2025-03-12"}, follow_redirects=False)
    assert created.status_code == 303, created.text
    path = created.headers["location"]
    page = alice.get(path).text
    events = page.index('<h2 id="events">')
    assert page.index("Suggested relationships") < events < page.index('id="publish-form"')
    card = re.search(r'<article class="finding event event-drug-seizure" id="(v\d+)">(.*?)</article>', page, re.S)
    assert card, page[events:]
    assert (
        "Seizure of 212 kg of heroin near Panj river crossing, Khatlon, on 2025-03-11 by Drug Control Agency; "
        "suspects: Ali Karimov"
    ) in card.group(2)
    author = page.index("<h2>Author</h2>")
    assert page.index("Lailuma Noori</strong>", author) < page.index("<h2>Entities")
    assert page.count("Lailuma Noori</strong>") == 1  # not a card among the entities

    key = card.group(1)
    dropped = alice.post(f"{path}/review", {"op": "drop", "key": key}, follow_redirects=False)
    assert dropped.status_code == 303 and dropped.headers["location"].endswith(f"#{key}")
    assert f'class="finding event event-drug-seizure dropped" id="{key}"' in alice.get(path).text
    assert web("carol").get(path).status_code == 404
