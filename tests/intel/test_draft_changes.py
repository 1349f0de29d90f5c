"""What an analyst adds to a draft: names and values from the text, relationships between
findings; values failing their checksum kept unverified; acronyms published as aliases."""

from __future__ import annotations

import pytest
from stixdata import validation_errors, write_schemas
from txn import committed

from liaison.errors import Forbidden, InvalidInput, NotFound
from liaison.intel import drafts
from liaison.stix.extensions import EXT_IDS

TEXT = (
    "Officers of the Collective Security Treaty Organization (CSTO) met Rustam Nazarov in Dushanbe. "
    "Karim Tolibov, a courier, paid into wallet 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 and wrote to "
    "tolib@mail.example.   Later, the CSTO said so."
)


def _draft(tenants, user="alice", text=TEXT):
    return committed(
        tenants.engine,
        drafts.create_draft,
        tenants.principal(user),
        text=text,
        published="2026-03-14",
        use_model=False,
    )


def _review(tenants, view, *changes, user="alice"):
    return committed(tenants.engine, drafts.review, tenants.principal(user), view.id, list(changes))


def _at(text: str, words: str) -> dict:
    start = text.index(words)
    return {"start": start, "end": start + len(words)}


def _bundle(tenants, view):
    return committed(tenants.engine, drafts.preview_bundle, tenants.principal("alice"), view.id)["objects"]


def test_names_and_values_are_added_from_the_text_and_published(tenants, tmp_path):
    view = _draft(tenants)
    assert "Rustam Nazarov" not in {e["name"] for e in view.review["entities"]}  # the rules miss him
    before = len(view.review["entities"])
    added = _review(
        tenants,
        view,
        {"op": "add-entity", "kind": "person", **_at(TEXT, " Rustam Nazarov")},  # blanks around are left out
        {"op": "add-observable", "kind": "email-addr", **_at(TEXT, "tolib@mail.example.  ")},
    )
    person = added.review["entities"][-1]
    assert person["key"] == f"e{before + 1}" and person["name"] == "Rustam Nazarov" and person["kind"] == "person"
    assert person["mentions"] == [{**_at(TEXT, "Rustam Nazarov"), "text": "Rustam Nazarov", "source": "analyst"}]
    assert person["new_id"].startswith("identity--") and person["decision"] == "accept"
    mail = next(o for o in added.review["observables"] if o["kind"] == "email-addr")
    assert mail["value"] == "tolib@mail.example" and mail["mentions"][0]["text"] == "tolib@mail.example"
    assert [h["op"] for h in added.review["history"]] == ["add-entity", "add-observable"]
    assert added.review["history"][0]["start"] == str(TEXT.index(" Rustam"))

    objects = _bundle(tenants, added)
    names = {o.get("name"): o for o in objects}
    assert names["Rustam Nazarov"]["identity_class"] == "individual"
    assert "email-addr" in {o["type"] for o in objects}
    report = objects[-1]
    assert person["new_id"] in report["object_refs"]
    schemas = write_schemas(tmp_path)
    for obj in objects:
        assert validation_errors(obj, schemas) == [], obj


def test_what_is_not_in_the_text_or_not_a_value_is_refused(tenants):
    view = _draft(tenants)
    tolibov = next(e for e in view.review["entities"] if e["name"] == "Karim Tolibov")
    blanks = TEXT.index("   Later")
    for change, words in [
        ({"op": "add-entity", "kind": "person", "start": 5, "end": len(TEXT) + 1}, "inside the text"),
        ({"op": "add-entity", "kind": "person", "start": 9, "end": 9}, "inside the text"),
        ({"op": "add-entity", "kind": "person", "start": blanks, "end": blanks + 3}, "blank"),
        ({"op": "add-entity", "kind": "person", **_at(TEXT, "Karim Tolibov")}, f"already {tolibov['key']}"),
        ({"op": "add-entity", "kind": "location", **_at(TEXT, "Karim")}, "gazetteer does not know 'Karim'"),
        ({"op": "add-observable", "kind": "ipv4-addr", **_at(TEXT, "Dushanbe")}, "not a valid IPv4 address"),
        ({"op": "add-observable", "kind": "email-addr", **_at(TEXT, "tolib@mail")}, "not a valid e-mail address"),
    ]:
        with pytest.raises(InvalidInput, match=words):
            _review(tenants, view, change)
    with pytest.raises(InvalidInput, match="start"):  # negative offsets are not offsets
        _review(tenants, view, {"op": "add-entity", "kind": "person", "start": -1, "end": 4})
    with pytest.raises(InvalidInput, match="kind"):  # an analyst adds persons, organisations, places
        _review(tenants, view, {"op": "add-entity", "kind": "group", "start": 0, "end": 4})
    assert committed(tenants.engine, drafts.get_draft, tenants.principal("alice"), view.id).review["history"] == []


def test_a_place_is_added_with_what_the_gazetteer_knows(tenants):
    text = "The shipment left Split by ferry for Bari."
    view = _draft(tenants, text=text)
    assert "Split" not in {e["name"] for e in view.review["entities"]}  # a word before it is a city
    added = _review(tenants, view, {"op": "add-entity", "kind": "location", **_at(text, "Split")})
    place = added.review["entities"][-1]
    assert (place["kind"], place["name"], place["attrs"]["country"], place["attrs"]["level"]) == (
        "location",
        "Split",
        "HR",
        "city",
    )
    assert place["new_id"].startswith("location--")
    location = next(o for o in _bundle(tenants, added) if o["id"] == place["new_id"])
    assert location["country"] == "HR" and "latitude" in location


def test_a_wallet_failing_its_checksum_is_shown_unverified_and_published_only_if_accepted(tenants):
    view = _draft(tenants)
    wallet = next(o for o in view.review["observables"] if o["kind"] == "cryptocurrency-wallet")
    assert wallet["attrs"] == {"currency": "BTC", "verified": False, "reason": "checksum fails"}
    assert wallet["decision"] == "drop"
    assert "cryptocurrency-wallet" not in {o["type"] for o in _bundle(tenants, view)}
    # Selecting it again does not sneak it in: the same checksum refuses it, and says where it is.
    with pytest.raises(InvalidInput, match=f"checksum fails \\(it is listed as {wallet['key']}: accept it there"):
        _review(
            tenants,
            view,
            {"op": "add-observable", "kind": "cryptocurrency-wallet", **_at(TEXT, wallet["value"])},
        )
    accepted = _review(tenants, view, {"op": "accept", "key": wallet["key"]})
    objects = _bundle(tenants, accepted)
    published = next(o for o in objects if o["type"] == "cryptocurrency-wallet")
    assert published["value"] == wallet["value"] and "verified" not in str(published)


def test_relationships_are_added_between_findings_that_fit(tenants):
    view = _draft(tenants)
    entities = {e["name"]: e["key"] for e in view.review["entities"]}
    mail = _review(tenants, view, {"op": "add-observable", "kind": "email-addr", **_at(TEXT, "tolib@mail.example")})
    email = next(o["key"] for o in mail.review["observables"] if o["kind"] == "email-addr")
    tolibov, csto = entities["Karim Tolibov"], entities["Collective Security Treaty Organization"]
    dushanbe = entities["Dushanbe"]
    wallet = next(o["key"] for o in view.review["observables"] if o["kind"] == "cryptocurrency-wallet")  # dropped
    for change, words in [
        ({"source": tolibov, "type": "located-at", "target": csto}, "'located-at' goes from"),
        ({"source": dushanbe, "type": "located-at", "target": csto}, "'located-at' goes from"),
        ({"source": tolibov, "type": "targets", "target": dushanbe}, "'targets' goes from a group"),
        ({"source": email, "type": "located-at", "target": dushanbe}, "is a email-addr"),
        ({"source": tolibov, "type": "related-to", "target": tolibov}, "two different"),
        ({"source": tolibov, "type": "related-to", "target": "e99"}, "no finding 'e99'"),
        ({"source": tolibov, "type": "related-to", "target": wallet}, "dropped: accept it first"),
    ]:
        with pytest.raises(InvalidInput, match=words):
            _review(tenants, view, {"op": "add-relationship", **change})
    with pytest.raises(InvalidInput, match="'member-of'|type"):
        _review(tenants, view, {"op": "add-relationship", "source": tolibov, "type": "member-of", "target": csto})
    related = _review(
        tenants,
        view,
        {"op": "add-relationship", "source": tolibov, "type": "related-to", "target": csto},
        {"op": "add-relationship", "source": csto, "type": "located-at", "target": dushanbe},
        {"op": "add-relationship", "source": email, "type": "related-to", "target": csto},
    )
    added = [r for r in related.review["relationships"] if r["attrs"].get("source") == "analyst"]
    assert [(r["source"], r["type"], r["target"]) for r in added] == [
        (tolibov, "related-to", csto),
        (csto, "located-at", dushanbe),
        (email, "related-to", csto),
    ]
    assert len({r["key"] for r in related.review["relationships"]}) == len(related.review["relationships"])
    with pytest.raises(InvalidInput, match=f"already has this relationship as {added[0]['key']}"):
        _review(tenants, view, {"op": "add-relationship", "source": tolibov, "type": "related-to", "target": csto})
    objects = _bundle(tenants, related)
    ids = {e["key"]: e["new_id"] or e["ref"] for e in related.review["entities"]}
    published = {
        (o["source_ref"], o["relationship_type"], o["target_ref"]) for o in objects if o["type"] == "relationship"
    }
    assert (ids[tolibov], "related-to", ids[csto]) in published
    assert (ids[csto], "located-at", ids[dushanbe]) in published


def test_an_acronym_beside_a_name_is_published_as_an_alias(tenants, tmp_path):
    view = _draft(tenants)
    csto = next(e for e in view.review["entities"] if e["name"] == "Collective Security Treaty Organization")
    assert csto["attrs"]["acronym"] == "CSTO"
    organisation = next(o for o in _bundle(tenants, view) if o.get("name") == csto["name"])
    assert organisation["extensions"][EXT_IDS["entity-aliases"]]["aliases"] == ["CSTO"]
    assert validation_errors(organisation, write_schemas(tmp_path)) == []


def test_only_the_drafts_organisation_may_add_and_only_its_writers(tenants):
    view = _draft(tenants)
    change = {"op": "add-entity", "kind": "person", **_at(TEXT, "Rustam Nazarov")}
    refusals = []
    for user, draft_id in (("bob", view.id), ("carol", view.id), ("bob", "00000000-0000-4000-8000-000000000000")):
        with pytest.raises(NotFound) as refused:
            committed(tenants.engine, drafts.review, tenants.principal(user), draft_id, [change])
        refusals.append(refused.value.message.replace(draft_id, "<id>"))
    assert len(set(refusals)) == 1  # another organisation's draft is as absent as no draft
    with pytest.raises(Forbidden):
        committed(tenants.engine, drafts.review, tenants.principal("rita"), view.id, [change])
    assert committed(tenants.engine, drafts.get_draft, tenants.principal("alice"), view.id).review["history"] == []
