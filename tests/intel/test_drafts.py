"""Open-source text into draft reports: extraction resolved within the reader's rights, review, publish."""

from __future__ import annotations

import datetime

import orjson
import pytest
import stix2

from liaison import audit
from liaison.errors import Conflict, Forbidden, InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import drafts, merges
from liaison.intel.objects import get_object
from liaison.stix.extensions import EXT_IDS, property_extension
from stixdata import sdo, validation_errors, write_schemas

ARTICLE = (
    "Russian Security Council Secretary Nikolay Patruschev met Afghan officials in Kabul on Tuesday to "
    "discuss counter-terrorism and drug trafficking. Patrushev said the IMU had moved fighters towards "
    "Badakhshan. Farhod Sharipov, a commander of the group, was seen in Kunduz last month. Informants "
    "reached him on +93 70 555 0147 and at sharipov@mail.example."
)


@pytest.fixture
def known(tenants):
    """Alpha shares three named entities with the instance; Bravo keeps a militant to itself."""
    patrushev = sdo("identity", name="Nikolai Patrushev", identity_class="individual",
                    roles=["Secretary of the Security Council"])
    council = sdo("identity", name="Security Council of the Russian Federation", identity_class="organization",
                  extensions=property_extension("entity-aliases", aliases=["Russian Security Council"]))
    imu = sdo("intrusion-set", name="Islamic Movement of Uzbekistan", aliases=["IMU"])
    shoigu = sdo("identity", name="Sergei Shoigu", identity_class="individual", roles=["Defence Minister"])
    sharipov = sdo("threat-actor", name="Farhod Sharipov", resource_level="individual", threat_actor_types=["terrorist"])
    import_objects(tenants.engine, tenants.principal("alice"), [patrushev, council, imu, shoigu], audience="instance")
    import_objects(tenants.engine, tenants.principal("bob"), [sharipov], audience="org")
    return {"patrushev": patrushev, "council": council, "imu": imu, "shoigu": shoigu, "sharipov": sharipov}


def _draft(tenants, user, text=ARTICLE, **kw):
    return drafts.create_draft(tenants.engine, tenants.principal(user), text=text, published="2026-03-14", **kw)


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
        assert ARTICLE[m["start"]:m["end"]] == m["text"]
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


def test_the_same_text_resolves_further_for_an_analyst_who_sees_more(tenants, known):
    view = _draft(tenants, "bob")
    assert _entity(view, "Farhod Sharipov")["ref"] == known["sharipov"]["id"]


def test_namesakes_and_other_titles_are_flagged_not_merged(tenants, known):
    text = ("Deputy Minister Alexei Shoigu visited Dushanbe. Defence Minister Nikolai Patrushev "
            "was also there, officials said.")
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
    assert drafts.get_draft(tenants.engine, tenants.principal("rita"), view.id).id == view.id  # same organisation
    for outsider in ("bob", "carol"):
        with pytest.raises(NotFound):
            drafts.get_draft(tenants.engine, tenants.principal(outsider), view.id)
        with pytest.raises(NotFound):
            drafts.review(tenants.engine, tenants.principal(outsider), view.id, [{"op": "drop", "key": "e1"}])
        assert drafts.list_drafts(tenants.engine, tenants.principal(outsider)) == (0, [])
    assert drafts.list_drafts(tenants.engine, tenants.principal("alice"))[0] == 1
    with pytest.raises(Forbidden):
        _draft(tenants, "rita")  # readers do not write


def test_review_then_publish_makes_valid_stix_shared_as_chosen(tenants, known, tmp_path):
    alice = tenants.principal("alice")
    view = _draft(tenants, "alice")
    sharipov, kunduz = _entity(view, "Farhod Sharipov"), _entity(view, "Kunduz")
    email = next(o for o in view.review["observables"] if o["kind"] == "email-addr")
    view = drafts.review(tenants.engine, alice, view.id, [
        {"op": "rename", "key": sharipov["key"], "name": "Farhod Sharipov Jr"},
        {"op": "drop", "key": kunduz["key"]},
        {"op": "drop", "key": email["key"]},
        {"op": "title", "title": "Council secretary in Kabul"},
    ])
    assert view.title == "Council secretary in Kabul" and len(view.review["history"]) == 4
    with pytest.raises(InvalidInput):  # all or nothing: the valid first change is not kept either
        drafts.review(tenants.engine, alice, view.id, [{"op": "drop", "key": "e1"}, {"op": "explode", "key": "e2"}])
    assert all(e["decision"] == "accept" for e in drafts.get_draft(tenants.engine, alice, view.id).review["entities"]
               if e["key"] == "e1")

    report_id = drafts.publish(tenants.engine, alice, view.id, audience="group:ab", level="amber",
                               reliability="B", credibility=2)
    report = orjson.loads(get_object(tenants.engine, tenants.principal("bob"), report_id).raw)
    assert report["confidence"] == 74 and report["name"] == "Council secretary in Kabul"
    grading = report["extensions"][EXT_IDS["admiralty-grading"]]
    assert (grading["source_reliability"], grading["information_credibility"]) == ("B", 2)
    mentions = report["extensions"][EXT_IDS["report-mentions"]]["mentions"]
    for m in mentions:
        assert report["description"][m["start"]:m["end"]]
        assert m["kind"] == "date" or m["object_ref"] in report["object_refs"]
    assert known["patrushev"]["id"] in report["object_refs"]
    assert "Kunduz" not in {m["value"] for m in mentions}

    objects = [orjson.loads(get_object(tenants.engine, alice, ref).raw) for ref in report["object_refs"]]
    names = {o.get("name") for o in objects}
    assert "Farhod Sharipov Jr" in names and "Kabul" in names and "Kunduz" not in names
    schemas = write_schemas(tmp_path)
    for obj in [report, *objects]:
        assert validation_errors(obj, schemas) == [], obj["id"]
        stix2.parse(obj, allow_custom=True)
    with pytest.raises(NotFound):  # Charlie is outside group ab
        get_object(tenants.engine, tenants.principal("carol"), report_id)
    with pytest.raises(Conflict):
        drafts.publish(tenants.engine, alice, view.id, audience="org", level="amber", reliability="B", credibility=2)
    with tenants.engine.connect() as conn:
        assert audit.entries(conn, "draft.publish")[0]["target"] == report_id


def test_publishing_cannot_reveal_entities_to_a_wider_audience(tenants, known):
    bob = tenants.principal("bob")
    view = _draft(tenants, "bob")
    assert _entity(view, "Farhod Sharipov")["ref"] == known["sharipov"]["id"]  # Bravo's org-only object
    with pytest.raises(InvalidInput, match="reveal"):
        drafts.publish(tenants.engine, bob, view.id, audience="instance", level="green", reliability="C", credibility=3)
    assert drafts.get_draft(tenants.engine, bob, view.id).status == "draft"
    with pytest.raises(InvalidInput, match="TLP:RED"):
        drafts.publish(tenants.engine, bob, view.id, audience="instance", level="red", reliability="C", credibility=3)
    report_id = drafts.publish(tenants.engine, bob, view.id, audience="org", level="red", reliability="C", credibility=3)
    assert get_object(tenants.engine, bob, report_id)


def test_merges_redirect_resolution_for_those_who_see_them_and_split_undoes_them(tenants, known):
    alice, carol = tenants.principal("alice"), tenants.principal("carol")
    variant = sdo("identity", name="N. P. Patrushev-Volkov", identity_class="individual")
    import_objects(tenants.engine, alice, [variant], audience="instance")
    merge = merges.merge(tenants.engine, alice, variant["id"], known["patrushev"]["id"], audience="group:ab")
    text = "N. P. Patrushev-Volkov arrived in Dushanbe."
    assert _entity(_draft(tenants, "alice", text=text), "Nikolai Patrushev")["ref"] == known["patrushev"]["id"]
    assert _entity(_draft(tenants, "bob", text=text), "Nikolai Patrushev")["ref"] == known["patrushev"]["id"]
    # Charlie is outside group ab: no merge for Charlie, the variant stands for itself.
    assert _draft(tenants, "carol", text=text).review["entities"][0]["ref"] == variant["id"]
    assert merges.merges_of(tenants.engine, carol, variant["id"]) == []
    assert [m["id"] for m in merges.merges_of(tenants.engine, tenants.principal("bob"), variant["id"])] == [merge["id"]]
    with pytest.raises(Conflict):
        merges.merge(tenants.engine, alice, variant["id"], known["shoigu"]["id"])
    with pytest.raises(Forbidden):
        merges.split(tenants.engine, tenants.principal("bob"), merge["id"])
    merges.split(tenants.engine, alice, merge["id"])
    assert merges.merges_of(tenants.engine, alice, variant["id"]) == []
    assert _draft(tenants, "alice", text=text).review["entities"][0]["ref"] == variant["id"]
    with tenants.engine.connect() as conn:
        assert [e["action"] for e in audit.entries(conn)][:2] == ["entity.split", "entity.merge"]
    with pytest.raises(NotFound):
        merges.merge(tenants.engine, carol, known["sharipov"]["id"], known["patrushev"]["id"])
    with pytest.raises(InvalidInput):
        merges.merge(tenants.engine, alice, known["imu"]["id"], known["patrushev"]["id"])


def test_relative_dates_need_the_article_date(tenants, known):
    view = drafts.create_draft(tenants.engine, tenants.principal("alice"), text="Patrushev spoke yesterday.")
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    assert view.published == datetime.date.today().isoformat()
    assert [d["value"] for d in view.review["dates"]] == [yesterday]
    with pytest.raises(InvalidInput):
        drafts.create_draft(tenants.engine, tenants.principal("alice"), text="x", published="last week")


def test_a_configured_recogniser_adds_its_findings(tenants, monkeypatch):
    import ner_plugin

    from liaison.config import get_settings

    monkeypatch.setenv("LIAISON_NER_PLUGIN", "ner_plugin:CodeNames")
    get_settings.cache_clear()
    try:
        for _ in range(2):
            view = _draft(tenants, "alice", text="Police ended Operation Blue Crescent in Osh on Monday.")
            found = _entity(view, "Blue Crescent")
            assert found["kind"] == "organization" and found["mentions"][0]["source"] == "plugin"
        assert ner_plugin.CodeNames.loaded == 1  # set up once, like a model
        monkeypatch.setenv("LIAISON_NER_PLUGIN", "ner_plugin:Missing")
        get_settings.cache_clear()
        with pytest.raises(InvalidInput, match="no attribute"):
            _draft(tenants, "alice", text="Operation Blue Crescent")
    finally:
        get_settings.cache_clear()


def test_a_merge_is_shared_as_widely_as_both_entities_by_default(tenants, known):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    everyone = sdo("identity", name="Nikolai P. Patrushev", identity_class="individual")
    in_group = sdo("identity", name="N. Patrushev", identity_class="individual")
    import_objects(tenants.engine, alice, [everyone], audience="instance")
    import_objects(tenants.engine, alice, [in_group], audience="group:ab")
    wide = merges.merge(tenants.engine, alice, everyone["id"], known["patrushev"]["id"])
    narrow = merges.merge(tenants.engine, alice, in_group["id"], known["patrushev"]["id"])
    carol = tenants.principal("carol")
    assert [m["id"] for m in merges.merges_of(tenants.engine, carol, known["patrushev"]["id"])] == [wide["id"]]
    assert {m["id"] for m in merges.merges_of(tenants.engine, bob, known["patrushev"]["id"])} == {wide["id"], narrow["id"]}


def test_what_a_report_or_a_merge_may_not_reveal(tenants, known):
    from liaison import accounts
    from liaison.federation.partners import add_partner

    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    with tenants.engine.begin() as conn:
        add_partner(conn, "Remote", None, None, None)
    accounts.create_group(tenants.engine, "with-remote", ["Alpha", "Remote"])
    alice = tenants.principal("alice")
    # Instance-wide entities are not for a group with a partner instance: partners never read the instance.
    view = _draft(tenants, "alice", text="Nikolai Patrushev arrived in Dushanbe.")
    with pytest.raises(InvalidInput, match="reveal"):
        drafts.publish(tenants.engine, alice, view.id, audience="group:with-remote", level="amber",
                       reliability="B", credibility=2)
    # A newer version shared more narrowly is the one the report would show: judged by it.
    v1 = sdo("identity", name="Timur Kasymov", identity_class="individual")
    v2 = dict(v1, modified="2025-06-01T00:00:00.000Z", name="Timur Kestrel Kasymov")
    import_objects(tenants.engine, bob, [v1], audience="instance")
    import_objects(tenants.engine, bob, [v2], audience="group:ab")
    view = _draft(tenants, "alice", text="Timur Kestrel Kasymov was seen in Osh.")
    assert _entity(view, "Timur Kestrel Kasymov")["ref"] == v1["id"]
    with pytest.raises(InvalidInput, match="reveal"):
        drafts.publish(tenants.engine, alice, view.id, audience="instance", level="amber", reliability="B",
                       credibility=2)
    # Nor may a report lower the TLP of what it links.
    view = _draft(tenants, "alice", text="Timur Kestrel Kasymov was seen in Osh.")
    red = sdo("identity", name="Gulnora Saidova", identity_class="individual", level="red")
    import_objects(tenants.engine, alice, [red], audience="org")
    view = _draft(tenants, "alice", text="Gulnora Saidova was seen in Osh.")
    with pytest.raises(InvalidInput, match="TLP:RED"):
        drafts.publish(tenants.engine, alice, view.id, audience="org", level="amber", reliability="B", credibility=2)
    # A merge names both entities: it goes to no audience that does not see both.
    with pytest.raises(InvalidInput, match="sees both"):
        merges.merge(tenants.engine, alice, known["shoigu"]["id"], v1["id"], audience="instance")
    assert merges.merge(tenants.engine, alice, known["shoigu"]["id"], v1["id"])["id"]  # auto: group:ab
    assert merges.merges_of(tenants.engine, tenants.principal("carol"), v1["id"]) == []


def test_a_revocation_one_cannot_see_changes_nothing_for_one(tenants):
    bob = tenants.principal("bob")
    courier = sdo("identity", name="Anvar Tashkentov", identity_class="individual")
    import_objects(tenants.engine, bob, [courier], audience="group:ab")
    assert _entity(_draft(tenants, "alice", text="Anvar Tashkentov crossed at Termez."), "Anvar Tashkentov")["ref"]
    revoked = dict(courier, modified="2025-09-09T00:00:00.000Z", revoked=True)
    import_objects(tenants.engine, bob, [revoked], audience="org")
    seen_by_alice = _draft(tenants, "alice", text="Anvar Tashkentov crossed at Termez.")
    assert _entity(seen_by_alice, "Anvar Tashkentov")["ref"] == courier["id"]  # Alice sees no revocation
    seen_by_bob = _draft(tenants, "bob", text="Anvar Tashkentov crossed at Termez.")
    assert courier["id"] not in {e["ref"] for e in seen_by_bob.review["entities"]}  # Bob revoked it


def test_a_draft_shows_only_what_its_reader_still_sees(tenants):
    bob = tenants.principal("bob")
    courier = sdo("identity", name="Anvar Tashkentov", identity_class="individual")
    import_objects(tenants.engine, bob, [courier], audience="group:ab")
    view = _draft(tenants, "alice", text="Anvar Tashkentov crossed at Termez.")
    assert _entity(view, "Anvar Tashkentov")["ref"] == courier["id"]
    with tenants.engine.begin() as conn:  # Alpha leaves group ab
        from sqlalchemy import delete

        from liaison.db.tables import group_member
        conn.execute(delete(group_member).where(group_member.c.org_id == tenants.principal("alice").org_id))
    again = drafts.get_draft(tenants.engine, tenants.principal("alice"), view.id)
    assert courier["id"] not in orjson.dumps(again.as_dict()).decode()
    assert _entity(again, "Anvar Tashkentov")["no_longer_visible"] is True


def test_what_an_earlier_private_report_holds_is_shared_along_with_a_wider_one(tenants):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    text = "Police in Kabul traced calls to +93 70 555 0199 and visits to hxxp://kabul-cell[.]example/join."
    first = _draft(tenants, "alice", text=text)
    drafts.publish(tenants.engine, alice, first.id, audience="org", level="amber", reliability="C", credibility=3)
    second = _draft(tenants, "alice", text=text)
    kabul = _entity(second, "Kabul")
    assert kabul["ref"]  # the place the first report made, known now
    report_id = drafts.publish(tenants.engine, alice, second.id, audience="group:ab", level="amber",
                               reliability="C", credibility=3)
    report = orjson.loads(get_object(tenants.engine, bob, report_id).raw)
    for ref in report["object_refs"]:  # everything the report points at, Bob may open
        assert get_object(tenants.engine, bob, ref)
    assert kabul["ref"] in report["object_refs"]


def test_review_keeps_the_draft_consistent(tenants):
    alice = tenants.principal("alice")
    text = "Kamila Nurova, director of the Border Service, met Nurova's deputy in Osh. The Border Service said so."
    view = _draft(tenants, "alice", text=text)
    person, service = _entity(view, "Kamila Nurova"), _entity(view, "Border Service")
    place = next(e for e in view.review["entities"] if e["kind"] == "location")
    for bad in ({"op": "combine", "key": person["key"], "into": service["key"]},
                {"op": "combine", "key": service["key"], "into": place["key"]},
                {"op": "kind", "key": person["key"], "kind": "location"}):
        with pytest.raises(InvalidInput):
            drafts.review(tenants.engine, alice, view.id, [bad])
    forged = drafts.review(tenants.engine, alice, view.id, [
        {"op": "drop", "key": place["key"], "user": "bob", "at": "2020-01-01T00:00:00Z"}])
    assert forged.review["history"][-1]["user"] == "alice" and forged.review["history"][-1]["at"] > "2026"
    with pytest.raises(InvalidInput):
        drafts.create_draft(tenants.engine, alice, text="x yesterday", published="9999-12-31")


def test_merges_do_not_chain(tenants, known):
    alice = tenants.principal("alice")
    a = sdo("identity", name="H. Rasulov", identity_class="individual")
    b = sdo("identity", name="Halim Rasulov", identity_class="individual")
    c = sdo("identity", name="Khalim Rasulov", identity_class="individual")
    import_objects(tenants.engine, alice, [a, b, c], audience="org")
    merges.merge(tenants.engine, alice, a["id"], b["id"])
    with pytest.raises(Conflict, match="merged into"):
        merges.merge(tenants.engine, alice, b["id"], c["id"])


def test_decomposed_and_control_characters_are_normalised(tenants):
    import unicodedata

    text = unicodedata.normalize("NFD", "Interior Minister Jürgen Müller met officials in Zürich.\x00")
    view = _draft(tenants, "alice", text=text)
    assert "\x00" not in view.text and "Jürgen Müller" in view.text
    assert any(e["kind"] == "location" and e["attrs"].get("country") == "CH" for e in view.review["entities"])
    assert _entity(view, "Jürgen Müller")["mentions"][0]["text"] == "Jürgen Müller"
