"""Open-source text into draft reports: extraction resolved within the reader's rights, review, publish."""

from __future__ import annotations

import datetime

import orjson
import pytest
import stix2
from stixdata import sdo, validation_errors, write_schemas
from txn import committed

from liaison import audit
from liaison.errors import Conflict, Forbidden, InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import drafts, merges
from liaison.intel.objects import get_object
from liaison.stix.extensions import EXT_IDS, property_extension

ARTICLE = (
    "Russian Security Council Secretary Nikolay Patruschev met Afghan officials in Kabul on Tuesday to "
    "discuss counter-terrorism and drug trafficking. Patrushev said the IMU had moved fighters towards "
    "Badakhshan. Farhod Sharipov, a commander of the group, was seen in Kunduz last month. Informants "
    "reached him on +93 70 555 0147 and at sharipov@mail.example."
)


@pytest.fixture
def known(tenants):
    """Alpha shares three named entities with the instance; Bravo keeps a militant to itself."""
    patrushev = sdo(
        "identity", name="Nikolai Patrushev", identity_class="individual", roles=["Secretary of the Security Council"]
    )
    council = sdo(
        "identity",
        name="Security Council of the Russian Federation",
        identity_class="organization",
        extensions=property_extension("entity-aliases", aliases=["Russian Security Council"]),
    )
    imu = sdo("intrusion-set", name="Islamic Movement of Uzbekistan", aliases=["IMU"])
    shoigu = sdo("identity", name="Sergei Shoigu", identity_class="individual", roles=["Defence Minister"])
    sharipov = sdo(
        "threat-actor", name="Farhod Sharipov", resource_level="individual", threat_actor_types=["terrorist"]
    )
    committed(
        tenants.engine,
        import_objects,
        tenants.principal("alice"),
        [patrushev, council, imu, shoigu],
        audience="instance",
    )
    committed(tenants.engine, import_objects, tenants.principal("bob"), [sharipov], audience="org")
    return {"patrushev": patrushev, "council": council, "imu": imu, "shoigu": shoigu, "sharipov": sharipov}


def _draft(tenants, user, text=ARTICLE, **kw):
    return committed(
        tenants.engine, drafts.create_draft, tenants.principal(user), text=text, published="2026-03-14", **kw
    )


def _entity(view, name):
    return next(e for e in view.review["entities"] if e["name"] == name)


def test_a_text_becomes_a_draft_resolved_against_what_the_analyst_may_see(tenants, known):
    view = _draft(tenants, "alice", title="Patrushev in Kabul", source="https://news.example/kabul")
    assert (view.status, view.title, view.published) == ("draft", "Patrushev in Kabul", "2026-03-14")
    patrushev = _entity(view, "Nikolai Patrushev")
    assert patrushev["ref"] == known["patrushev"]["id"] and patrushev["kind"] == "person"
    assert 0.9 <= patrushev["confidence"] <= 1.0
    assert [m["text"] for m in patrushev["mentions"]] == ["Nikolay Patruschev", "Patrushev"]
    for m in patrushev["mentions"]:
        assert ARTICLE[m["start"] : m["end"]] == m["text"]
    assert _entity(view, "Security Council of the Russian Federation")["ref"] == known["council"]["id"]
    assert _entity(view, "Islamic Movement of Uzbekistan")["ref"] == known["imu"]["id"]
    places = {e["name"]: e for e in view.review["entities"] if e["kind"] == "location"}
    assert {"Afghanistan", "Kabul", "Kunduz"} <= set(places)
    assert places["Kabul"]["attrs"]["country"] == "AF" and places["Kabul"]["new_id"].startswith("location--")
    assert {"2026-03-10", "2026-02"} <= {d["value"] for d in view.review["dates"]}  # "on Tuesday", "last month"
    kinds = {o["kind"]: o["value"] for o in view.review["observables"]}
    assert kinds["phone-number"] == "+93705550147" and kinds["email-addr"] == "sharipov@mail.example"
    # Bravo's militant is not Alpha's to see: a new person, and nothing of Bravo's object shows.
    sharipov = _entity(view, "Farhod Sharipov")
    assert sharipov["ref"] is None and sharipov["new_id"].startswith("identity--")
    assert known["sharipov"]["id"] not in orjson.dumps(view.as_dict()).decode()


@pytest.mark.parametrize("use_model", [True, False])
def test_a_name_only_another_agency_holds_resolves_to_nothing_with_or_without_the_recogniser(tenants, known, use_model):
    # No title, no apposition: only the statistical recogniser finds this name, and Bravo's
    # militant must not stand behind it for Alpha, as a reference, a candidate or a flag.
    text = "Farhod Sharipov met two couriers near Kunduz last week, local officials said."
    view = _draft(tenants, "alice", text=text, use_model=use_model)
    assert view.review["recogniser"]["on"] is use_model
    people = [e for e in view.review["entities"] if e["kind"] == "person"]
    if use_model:
        assert [(p["name"], p["ref"], p["candidates"]) for p in people] == [("Farhod Sharipov", None, [])]
    assert known["sharipov"]["id"] not in orjson.dumps(view.as_dict()).decode()
    assert (
        _draft(tenants, "bob", text=text, use_model=use_model).review["entities"][0]["ref"] == (known["sharipov"]["id"])
    )


def test_the_same_text_resolves_further_for_an_analyst_who_sees_more(tenants, known):
    view = _draft(tenants, "bob")
    assert _entity(view, "Farhod Sharipov")["ref"] == known["sharipov"]["id"]


def test_namesakes_and_other_titles_are_flagged_not_merged(tenants, known):
    text = (
        "Deputy Minister Alexei Shoigu visited Dushanbe. Defence Minister Nikolai Patrushev "
        "was also there, officials said."
    )
    view = _draft(tenants, "alice", text=text)
    alexei = _entity(view, "Alexei Shoigu")
    assert alexei["ref"] is None
    assert any("same surname" in c and "Sergei Shoigu" in c for c in alexei["conflicts"])
    assert alexei["candidates"][0]["ref"] == known["shoigu"]["id"]
    patrushev = _entity(view, "Nikolai Patrushev")
    assert patrushev["ref"] == known["patrushev"]["id"]
    assert any("title differs" in c and "Defence Minister" in c for c in patrushev["conflicts"])


def test_drafts_belong_to_their_organisation(tenants, known):
    view = _draft(tenants, "alice")
    same_organisation = tenants.principal("rita")
    assert committed(tenants.engine, drafts.get_draft, same_organisation, view.id).id == view.id
    for outsider in ("bob", "carol"):
        with pytest.raises(NotFound):
            committed(tenants.engine, drafts.get_draft, tenants.principal(outsider), view.id)
        with pytest.raises(NotFound):
            committed(
                tenants.engine, drafts.review, tenants.principal(outsider), view.id, [{"op": "drop", "key": "e1"}]
            )
        assert committed(tenants.engine, drafts.list_drafts, tenants.principal(outsider)) == (0, [])
    assert committed(tenants.engine, drafts.list_drafts, tenants.principal("alice"))[0] == 1
    with pytest.raises(Forbidden):
        _draft(tenants, "rita")  # readers do not write


def test_review_then_publish_makes_valid_stix_shared_as_chosen(tenants, known, tmp_path):
    alice = tenants.principal("alice")
    view = _draft(tenants, "alice")
    sharipov, kunduz = _entity(view, "Farhod Sharipov"), _entity(view, "Kunduz")
    email = next(o for o in view.review["observables"] if o["kind"] == "email-addr")
    view = committed(
        tenants.engine,
        drafts.review,
        alice,
        view.id,
        [
            {"op": "rename", "key": sharipov["key"], "name": "Farhod Sharipov Jr"},
            {"op": "drop", "key": kunduz["key"]},
            {"op": "drop", "key": email["key"]},
            {"op": "title", "title": "Council secretary in Kabul"},
        ],
    )
    assert view.title == "Council secretary in Kabul" and len(view.review["history"]) == 4
    with pytest.raises(InvalidInput):  # all or nothing: the valid first change is not kept either
        committed(
            tenants.engine, drafts.review, alice, view.id, [{"op": "drop", "key": "e1"}, {"op": "explode", "key": "e2"}]
        )
    unchanged = committed(tenants.engine, drafts.get_draft, alice, view.id)
    assert all(e["decision"] == "accept" for e in unchanged.review["entities"] if e["key"] == "e1")

    report_id = committed(
        tenants.engine,
        drafts.publish,
        alice,
        view.id,
        audience="group:ab",
        level="amber",
        reliability="B",
        credibility=2,
    )
    report = orjson.loads(committed(tenants.engine, get_object, tenants.principal("bob"), report_id).raw)
    assert report["confidence"] == 74 and report["name"] == "Council secretary in Kabul"
    grading = report["extensions"][EXT_IDS["admiralty-grading"]]
    assert (grading["source_reliability"], grading["information_credibility"]) == ("B", 2)
    mentions = report["extensions"][EXT_IDS["report-mentions"]]["mentions"]
    for m in mentions:
        assert report["description"][m["start"] : m["end"]]
        assert m["kind"] == "date" or m["object_ref"] in report["object_refs"]
    assert known["patrushev"]["id"] in report["object_refs"]
    assert "Kunduz" not in {m["value"] for m in mentions}

    objects = [orjson.loads(committed(tenants.engine, get_object, alice, ref).raw) for ref in report["object_refs"]]
    names = {o.get("name") for o in objects}
    assert "Farhod Sharipov Jr" in names and "Kabul" in names and "Kunduz" not in names
    schemas = write_schemas(tmp_path)
    for obj in [report, *objects]:
        assert validation_errors(obj, schemas) == [], obj["id"]
        stix2.parse(obj, allow_custom=True)
    with pytest.raises(NotFound):  # Charlie is outside group ab
        committed(tenants.engine, get_object, tenants.principal("carol"), report_id)
    with pytest.raises(Conflict):
        committed(
            tenants.engine,
            drafts.publish,
            alice,
            view.id,
            audience="org",
            level="amber",
            reliability="B",
            credibility=2,
        )
    with tenants.engine.connect() as conn:
        assert audit.entries(conn, "draft.publish")[0]["target"] == report_id


def test_publishing_cannot_reveal_entities_to_a_wider_audience(tenants, known):
    bob = tenants.principal("bob")
    view = _draft(tenants, "bob")
    assert _entity(view, "Farhod Sharipov")["ref"] == known["sharipov"]["id"]  # Bravo's org-only object
    with pytest.raises(InvalidInput, match="reveal"):
        committed(
            tenants.engine,
            drafts.publish,
            bob,
            view.id,
            audience="instance",
            level="green",
            reliability="C",
            credibility=3,
        )
    assert committed(tenants.engine, drafts.get_draft, bob, view.id).status == "draft"
    with pytest.raises(InvalidInput, match="TLP:RED"):
        committed(
            tenants.engine,
            drafts.publish,
            bob,
            view.id,
            audience="instance",
            level="red",
            reliability="C",
            credibility=3,
        )
    report_id = committed(
        tenants.engine, drafts.publish, bob, view.id, audience="org", level="red", reliability="C", credibility=3
    )
    assert committed(tenants.engine, get_object, bob, report_id)


def test_merges_redirect_resolution_for_those_who_see_them_and_split_undoes_them(tenants, known):
    alice, carol = tenants.principal("alice"), tenants.principal("carol")
    variant = sdo("identity", name="N. P. Patrushev-Volkov", identity_class="individual")
    committed(tenants.engine, import_objects, alice, [variant], audience="instance")
    merge = committed(tenants.engine, merges.merge, alice, variant["id"], known["patrushev"]["id"], audience="group:ab")
    text = "N. P. Patrushev-Volkov arrived in Dushanbe."
    assert _entity(_draft(tenants, "alice", text=text), "Nikolai Patrushev")["ref"] == known["patrushev"]["id"]
    assert _entity(_draft(tenants, "bob", text=text), "Nikolai Patrushev")["ref"] == known["patrushev"]["id"]
    # Charlie is outside group ab: no merge for Charlie, the variant stands for itself.
    assert _draft(tenants, "carol", text=text).review["entities"][0]["ref"] == variant["id"]
    assert committed(tenants.engine, merges.merges_of, carol, variant["id"]) == []
    seen_by_bob = committed(tenants.engine, merges.merges_of, tenants.principal("bob"), variant["id"])
    assert [m["id"] for m in seen_by_bob] == [merge["id"]]
    with pytest.raises(Conflict):
        committed(tenants.engine, merges.merge, alice, variant["id"], known["shoigu"]["id"])
    with pytest.raises(Forbidden):
        committed(tenants.engine, merges.split, tenants.principal("bob"), merge["id"])
    committed(tenants.engine, merges.split, alice, merge["id"])
    assert committed(tenants.engine, merges.merges_of, alice, variant["id"]) == []
    assert _draft(tenants, "alice", text=text).review["entities"][0]["ref"] == variant["id"]
    with tenants.engine.connect() as conn:
        assert [e["action"] for e in audit.entries(conn)][:2] == ["entity.split", "entity.merge"]
    with pytest.raises(NotFound):
        committed(tenants.engine, merges.merge, carol, known["sharipov"]["id"], known["patrushev"]["id"])
    with pytest.raises(InvalidInput):
        committed(tenants.engine, merges.merge, alice, known["imu"]["id"], known["patrushev"]["id"])


def test_relative_dates_need_the_article_date(tenants, known):
    alice = tenants.principal("alice")
    view = committed(tenants.engine, drafts.create_draft, alice, text="Patrushev spoke yesterday.")
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    assert view.published == datetime.date.today().isoformat()
    assert [d["value"] for d in view.review["dates"]] == [yesterday]
    with pytest.raises(InvalidInput):
        committed(tenants.engine, drafts.create_draft, alice, text="x", published="last week")


def test_a_configured_recogniser_adds_its_findings(tenants):
    import ner_plugin

    for _ in range(2):
        view = _draft(
            tenants,
            "alice",
            text="Police ended Operation Blue Crescent in Osh on Monday.",
            ner_plugin="ner_plugin:CodeNames",
        )
        found = _entity(view, "Blue Crescent")
        assert found["kind"] == "organization" and found["mentions"][0]["source"] == "plugin"
    assert ner_plugin.CodeNames.loaded == 1  # set up once, like a model
    with pytest.raises(InvalidInput, match="no attribute"):
        _draft(tenants, "alice", text="Operation Blue Crescent", ner_plugin="ner_plugin:Missing")
    plain = _draft(tenants, "alice", text="Police ended Operation Blue Crescent in Osh on Monday.")  # no plug-in
    assert all(m["source"] != "plugin" for e in plain.review["entities"] for m in e["mentions"])


def test_a_merge_is_shared_as_widely_as_both_entities_by_default(tenants, known):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    everyone = sdo("identity", name="Nikolai P. Patrushev", identity_class="individual")
    in_group = sdo("identity", name="N. Patrushev", identity_class="individual")
    committed(tenants.engine, import_objects, alice, [everyone], audience="instance")
    committed(tenants.engine, import_objects, alice, [in_group], audience="group:ab")
    wide = committed(tenants.engine, merges.merge, alice, everyone["id"], known["patrushev"]["id"])
    narrow = committed(tenants.engine, merges.merge, alice, in_group["id"], known["patrushev"]["id"])
    carol = tenants.principal("carol")
    seen_by_carol = committed(tenants.engine, merges.merges_of, carol, known["patrushev"]["id"])
    assert [m["id"] for m in seen_by_carol] == [wide["id"]]
    seen_by_bob = committed(tenants.engine, merges.merges_of, bob, known["patrushev"]["id"])
    assert {m["id"] for m in seen_by_bob} == {wide["id"], narrow["id"]}


def test_what_a_report_or_a_merge_may_not_reveal(tenants, known):
    from liaison import accounts
    from liaison.federation.partners import add_partner

    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    with tenants.engine.begin() as conn:
        add_partner(conn, "Remote", None, None, None)
    committed(tenants.engine, accounts.create_group, "with-remote", ["Alpha", "Remote"])
    alice = tenants.principal("alice")
    # Instance-wide entities are not for a group with a partner instance: partners never read the instance.
    view = _draft(tenants, "alice", text="Nikolai Patrushev arrived in Dushanbe.")
    with pytest.raises(InvalidInput, match="reveal"):
        committed(
            tenants.engine,
            drafts.publish,
            alice,
            view.id,
            audience="group:with-remote",
            level="amber",
            reliability="B",
            credibility=2,
        )
    # A newer version shared more narrowly is the one the report would show: judged by it.
    v1 = sdo("identity", name="Timur Kasymov", identity_class="individual")
    v2 = dict(v1, modified="2025-06-01T00:00:00.000Z", name="Timur Kestrel Kasymov")
    committed(tenants.engine, import_objects, bob, [v1], audience="instance")
    committed(tenants.engine, import_objects, bob, [v2], audience="group:ab")
    view = _draft(tenants, "alice", text="Timur Kestrel Kasymov was seen in Osh.")
    assert _entity(view, "Timur Kestrel Kasymov")["ref"] == v1["id"]
    with pytest.raises(InvalidInput, match="reveal"):
        committed(
            tenants.engine,
            drafts.publish,
            alice,
            view.id,
            audience="instance",
            level="amber",
            reliability="B",
            credibility=2,
        )
    # Nor may a report lower the TLP of what it links.
    view = _draft(tenants, "alice", text="Timur Kestrel Kasymov was seen in Osh.")
    red = sdo("identity", name="Gulnora Saidova", identity_class="individual", level="red")
    committed(tenants.engine, import_objects, alice, [red], audience="org")
    view = _draft(tenants, "alice", text="Gulnora Saidova was seen in Osh.")
    with pytest.raises(InvalidInput, match="TLP:RED"):
        committed(
            tenants.engine,
            drafts.publish,
            alice,
            view.id,
            audience="org",
            level="amber",
            reliability="B",
            credibility=2,
        )
    # A merge names both entities: it goes to no audience that does not see both.
    with pytest.raises(InvalidInput, match="sees both"):
        committed(tenants.engine, merges.merge, alice, known["shoigu"]["id"], v1["id"], audience="instance")
    assert committed(tenants.engine, merges.merge, alice, known["shoigu"]["id"], v1["id"])["id"]  # auto: group:ab
    assert committed(tenants.engine, merges.merges_of, tenants.principal("carol"), v1["id"]) == []


def test_a_revocation_one_cannot_see_changes_nothing_for_one(tenants):
    bob = tenants.principal("bob")
    courier = sdo("identity", name="Anvar Tashkentov", identity_class="individual")
    committed(tenants.engine, import_objects, bob, [courier], audience="group:ab")
    assert _entity(_draft(tenants, "alice", text="Anvar Tashkentov crossed at Termez."), "Anvar Tashkentov")["ref"]
    revoked = dict(courier, modified="2025-09-09T00:00:00.000Z", revoked=True)
    committed(tenants.engine, import_objects, bob, [revoked], audience="org")
    seen_by_alice = _draft(tenants, "alice", text="Anvar Tashkentov crossed at Termez.")
    assert _entity(seen_by_alice, "Anvar Tashkentov")["ref"] == courier["id"]  # Alice sees no revocation
    seen_by_bob = _draft(tenants, "bob", text="Anvar Tashkentov crossed at Termez.")
    assert courier["id"] not in {e["ref"] for e in seen_by_bob.review["entities"]}  # Bob revoked it


def test_a_draft_shows_only_what_its_reader_still_sees(tenants):
    bob = tenants.principal("bob")
    courier = sdo("identity", name="Anvar Tashkentov", identity_class="individual")
    committed(tenants.engine, import_objects, bob, [courier], audience="group:ab")
    view = _draft(tenants, "alice", text="Anvar Tashkentov crossed at Termez.")
    assert _entity(view, "Anvar Tashkentov")["ref"] == courier["id"]
    with tenants.engine.begin() as conn:  # Alpha leaves group ab
        from sqlalchemy import delete

        from liaison.db.tables import group_member

        conn.execute(delete(group_member).where(group_member.c.org_id == tenants.principal("alice").org_id))
    again = committed(tenants.engine, drafts.get_draft, tenants.principal("alice"), view.id)
    assert courier["id"] not in orjson.dumps(again.as_dict()).decode()
    assert _entity(again, "Anvar Tashkentov")["no_longer_visible"] is True


def test_what_an_earlier_private_report_holds_is_shared_along_with_a_wider_one(tenants):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    text = "Police in Kabul traced calls to +93 70 555 0199 and visits to hxxp://kabul-cell[.]example/join."
    first = _draft(tenants, "alice", text=text)
    committed(
        tenants.engine, drafts.publish, alice, first.id, audience="org", level="amber", reliability="C", credibility=3
    )
    second = _draft(tenants, "alice", text=text)
    kabul = _entity(second, "Kabul")
    assert kabul["ref"]  # the place the first report made, known now
    report_id = committed(
        tenants.engine,
        drafts.publish,
        alice,
        second.id,
        audience="group:ab",
        level="amber",
        reliability="C",
        credibility=3,
    )
    report = orjson.loads(committed(tenants.engine, get_object, bob, report_id).raw)
    for ref in report["object_refs"]:  # everything the report points at, Bob may open
        assert committed(tenants.engine, get_object, bob, ref)
    assert kabul["ref"] in report["object_refs"]


def test_review_keeps_the_draft_consistent(tenants):
    alice = tenants.principal("alice")
    text = "Kamila Nurova, director of the Border Service, met Nurova's deputy in Osh. The Border Service said so."
    view = _draft(tenants, "alice", text=text)
    person, service = _entity(view, "Kamila Nurova"), _entity(view, "Border Service")
    place = next(e for e in view.review["entities"] if e["kind"] == "location")
    for bad in (
        {"op": "combine", "key": person["key"], "into": service["key"]},
        {"op": "combine", "key": service["key"], "into": place["key"]},
        {"op": "kind", "key": person["key"], "kind": "location"},
    ):
        with pytest.raises(InvalidInput):
            committed(tenants.engine, drafts.review, alice, view.id, [bad])
    with pytest.raises(InvalidInput, match="user: Extra inputs"):  # a change says what it changes, no more
        committed(
            tenants.engine,
            drafts.review,
            alice,
            view.id,
            [{"op": "drop", "key": place["key"], "user": "bob", "at": "2020-01-01T00:00:00Z"}],
        )
    dropped = committed(tenants.engine, drafts.review, alice, view.id, [{"op": "drop", "key": place["key"]}])
    assert dropped.review["history"][-1]["user"] == "alice" and dropped.review["history"][-1]["at"] > "2026"
    with pytest.raises(InvalidInput):
        committed(tenants.engine, drafts.create_draft, alice, text="x yesterday", published="9999-12-31")


def test_merges_do_not_chain(tenants, known):
    alice = tenants.principal("alice")
    a = sdo("identity", name="H. Rasulov", identity_class="individual")
    b = sdo("identity", name="Halim Rasulov", identity_class="individual")
    c = sdo("identity", name="Khalim Rasulov", identity_class="individual")
    committed(tenants.engine, import_objects, alice, [a, b, c], audience="org")
    committed(tenants.engine, merges.merge, alice, a["id"], b["id"])
    with pytest.raises(Conflict, match="merged into"):
        committed(tenants.engine, merges.merge, alice, b["id"], c["id"])


def test_decomposed_and_control_characters_are_normalised(tenants):
    import unicodedata

    text = unicodedata.normalize("NFD", "Interior Minister Jürgen Müller met officials in Zürich.\x00")
    view = _draft(tenants, "alice", text=text)
    assert "\x00" not in view.text and "Jürgen Müller" in view.text
    assert any(e["kind"] == "location" and e["attrs"].get("country") == "CH" for e in view.review["entities"])
    assert _entity(view, "Jürgen Müller")["mentions"][0]["text"] == "Jürgen Müller"


def _stored(tenants, draft_id: str) -> dict:
    from sqlalchemy import select

    from liaison.db.tables import draft_report

    with tenants.engine.connect() as conn:
        return orjson.loads(
            conn.execute(select(draft_report.c.review).where(draft_report.c.id == draft_id)).scalar_one()
        )


def test_the_stored_review_keeps_the_shape_drafts_always_had(tenants, known):
    from sqlalchemy import update

    from liaison.db.tables import draft_report

    alice = tenants.principal("alice")
    view = _draft(tenants, "alice")
    stored = _stored(tenants, view.id)
    # Where the date comes from and whether the recogniser ran are new; the text's dropped
    # boilerplate, when there is none, is left out.
    assert set(stored) == {
        "report_id",
        "extracted_at",
        "entities",
        "observables",
        "dates",
        "relationships",
        "history",
        "date_from",
        "recogniser",
        "events",
    }
    # The events too ('Russian Security Council Secretary Nikolay Patruschev'), their entities by key.
    [position] = stored["events"]
    assert set(position) == {"key", "kind", "mention", "participants", "role", "decision", "id"}
    assert [p["role"] for p in position["participants"]] == ["holder", "employer"]
    assert stored.pop("recogniser")["on"] is True
    assert stored.pop("date_from") == "given"  # and a draft stored without them reads as before
    assert {frozenset(e) for e in stored["entities"]} == {
        frozenset(
            (
                "key",
                "kind",
                "name",
                "ref",
                "new_id",
                "confidence",
                "decision",
                "attrs",
                "flags",
                "candidates",
                "mentions",
            )
        )
    }
    # As a draft stored by an earlier release reads: flags in words, candidates with names, a loose history.
    for entity in stored["entities"]:
        entity.pop("flags")
        entity["conflicts"] = ["words of an earlier release"]
        entity["candidates"] = [dict(c, name="Name of an earlier release") for c in entity["candidates"]]
    stored["history"] = [
        {"op": "drop", "key": "e9", "note": "sent by an earlier client", "at": "2025-01-01T00:00:00Z", "user": "alice"}
    ]
    with tenants.engine.begin() as conn:
        conn.execute(
            update(draft_report).where(draft_report.c.id == view.id).values(review=orjson.dumps(stored).decode())
        )
    again = committed(tenants.engine, drafts.get_draft, alice, view.id)
    assert "earlier release" not in orjson.dumps(again.as_dict()).decode()
    assert again.review["history"][0]["note"] == "sent by an earlier client"
    combined = committed(
        tenants.engine,
        drafts.review,
        alice,
        view.id,
        [{"op": "combine", "key": _entity(view, "Kunduz")["key"], "into": _entity(view, "Kabul")["key"]}],
    )
    kunduz = next(e for e in _stored(tenants, view.id)["entities"] if e["key"] == _entity(view, "Kunduz")["key"])
    assert kunduz["combined_into"] == _entity(view, "Kabul")["key"] and kunduz["flags"] == []
    assert all(
        "combined_into" not in e and "no_longer_visible" not in e
        for e in combined.review["entities"]
        if e["key"] != kunduz["key"]
    )
    assert committed(
        tenants.engine, drafts.publish, alice, view.id, audience="org", level="amber", reliability="C", credibility=3
    )
