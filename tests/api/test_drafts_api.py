"""The draft-report and merge endpoints: documents in, review, publish, and nothing for outsiders."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from stixdata import bundle, sdo, validation_errors, write_schemas

TEXT = (
    "Interior Minister Halim Rasulov said on Monday that border guards near Termez seized 40 kg of heroin. "
    "Rasulov blamed the Jundallah Front. Payments went to wallet 0x52908400098527886E0F7030069857D2E4169EE7."
)


@pytest.fixture
def front(client, tenants):
    group = sdo("intrusion-set", name="Jundallah Front", aliases=["JF"])
    response = client.post(
        "/api/v1/bundles",
        params={"audience": "instance"},
        content=orjson.dumps(bundle(group)),
        headers=tenants.headers("alice"),
    )
    assert response.status_code == 200, response.text
    return group


def _create(client, tenants, user="alice", **body):
    return client.post(
        "/api/v1/drafts", json={"text": TEXT, "published": "2026-05-20", **body}, headers=tenants.headers(user)
    )


def test_draft_from_json_text_reviewed_and_published(client, tenants, front, tmp_path):
    response = _create(client, tenants, title="Termez seizure")
    assert response.status_code == 201, response.text
    draft = response.json()
    names = {e["name"]: e for e in draft["entities"]}
    assert names["Jundallah Front"]["ref"] == front["id"]
    rasulov = names["Halim Rasulov"]
    assert rasulov["ref"] is None and rasulov["attrs"]["role"] == "Interior Minister"
    assert [m["text"] for m in rasulov["mentions"]] == ["Halim Rasulov", "Rasulov"]
    assert {o["kind"] for o in draft["observables"]} == {"cryptocurrency-wallet"}
    assert "2026-05-18" in {d["value"] for d in draft["dates"]}

    listed = client.get("/api/v1/drafts", headers=tenants.headers("alice")).json()
    assert listed["total"] == 1 and listed["items"][0]["title"] == "Termez seizure"

    preview = client.get(f"/api/v1/drafts/{draft['id']}/bundle", headers=tenants.headers("alice")).json()
    assert {o["type"] for o in preview["objects"]} >= {"report", "identity", "intrusion-set", "cryptocurrency-wallet"}
    [seizure] = draft["events"]  # the seizure the text reports, a drug-seizure object when published
    assert (seizure["kind"], seizure["quantity"], seizure["unit"], seizure["substance"]) == (
        "drug-seizure",
        40,
        "kg",
        "heroin",
    )
    assert seizure["summary"].startswith("Seizure of 40 kg of heroin")
    assert [o["id"] for o in preview["objects"] if o["type"] == "drug-seizure"] == [seizure["id"]]
    schemas = write_schemas(tmp_path)
    for obj in preview["objects"]:
        assert validation_errors(obj, schemas) == [], obj

    wallet = draft["observables"][0]["key"]
    reviewed = client.post(
        f"/api/v1/drafts/{draft['id']}/review",
        headers=tenants.headers("alice"),
        json={"changes": [{"op": "drop", "key": wallet}]},
    )
    assert reviewed.status_code == 200 and reviewed.json()["observables"][0]["decision"] == "drop"
    bad = client.post(
        f"/api/v1/drafts/{draft['id']}/review",
        headers=tenants.headers("alice"),
        json={"changes": [{"op": "link", "key": rasulov["key"], "ref": "identity--nope"}]},
    )
    assert bad.status_code == 404 and "no object" in bad.json()["error"]["message"]

    published = client.post(
        f"/api/v1/drafts/{draft['id']}/publish",
        headers=tenants.headers("alice"),
        json={"audience": "group:ab", "tlp": "green", "reliability": "C", "credibility": 3},
    )
    assert published.status_code == 200, published.text
    report_id = published.json()["report_id"]
    seen = client.get(f"/api/v1/objects/{report_id}", headers=tenants.headers("bob"))
    assert seen.status_code == 200 and seen.json()["object"]["confidence"] == 50
    assert client.get(f"/api/v1/objects/{report_id}", headers=tenants.headers("carol")).status_code == 404
    again = client.post(
        f"/api/v1/drafts/{draft['id']}/publish",
        headers=tenants.headers("alice"),
        json={"audience": "org", "tlp": "green", "reliability": "C", "credibility": 3},
    )
    assert again.status_code == 409


def test_documents_upload_as_multipart(client, tenants, front):
    from docx import Document

    doc = Document()
    doc.add_paragraph(TEXT)
    buffer = io.BytesIO()
    doc.save(buffer)
    for name, content in (
        ("bulletin.docx", buffer.getvalue()),
        ("story.txt", TEXT.encode()),
        ("page.html", f"<html><body><nav>Home | Sport</nav><article><p>{TEXT}</p></article></body></html>".encode()),
    ):
        response = client.post(
            "/api/v1/drafts",
            headers=tenants.headers("alice"),
            files={"file": (name, content)},
            data={"published": "2026-05-20"},
        )
        assert response.status_code == 201, (name, response.text)
        draft = response.json()
        assert draft["source"] == name and "Jundallah Front" in {e["name"] for e in draft["entities"]}
    refused = client.post("/api/v1/drafts", headers=tenants.headers("alice"), files={"file": ("x.exe", b"MZ")})
    assert refused.status_code == 422 and "x.exe" in refused.json()["error"]["message"]
    assert client.get("/api/v1/drafts", headers=tenants.headers("alice")).json()["total"] == 3


@pytest.mark.parametrize(
    "body, status",
    [
        (b"", 422),
        (b"{not json", 422),
        (b'{"text": ""}', 422),
        (b'{"text": "x", "published": "soon"}', 422),
    ],
)
def test_bad_draft_input_is_refused_and_nothing_kept(client, tenants, body, status):
    response = client.post(
        "/api/v1/drafts", content=body, headers={**tenants.headers("alice"), "Content-Type": "application/json"}
    )
    assert response.status_code == status and response.json()["error"]["message"]
    assert client.get("/api/v1/drafts", headers=tenants.headers("alice")).json()["total"] == 0


def test_outsiders_get_nothing_of_a_draft_or_a_merge(client, tenants, front):
    draft = _create(client, tenants).json()
    other = sdo("intrusion-set", name="JF Brigade")
    client.post(
        "/api/v1/bundles",
        params={"audience": "org"},
        content=orjson.dumps(bundle(other)),
        headers=tenants.headers("alice"),
    )
    merge = client.post(
        "/api/v1/merges", headers=tenants.headers("alice"), json={"duplicate": other["id"], "canonical": front["id"]}
    )
    assert merge.status_code == 201, merge.text
    never = "00000000-0000-4000-8000-000000000000"
    for outsider in ("bob", "carol"):
        headers = tenants.headers(outsider)
        reads = [
            client.get(f"/api/v1/drafts/{draft['id']}", headers=headers),
            client.get(f"/api/v1/drafts/{draft['id']}/bundle", headers=headers),
            client.post(
                f"/api/v1/drafts/{draft['id']}/review", headers=headers, json={"changes": [{"op": "drop", "key": "e1"}]}
            ),
            *(
                client.post(f"/api/v1/drafts/{draft['id']}/review", headers=headers, json={"changes": [change]})
                for change in (
                    {"op": "add-entity", "kind": "person", "start": 0, "end": 8},
                    {"op": "add-observable", "kind": "cryptocurrency-wallet", "start": 0, "end": 8},
                    {"op": "add-relationship", "source": "e1", "type": "related-to", "target": "e2"},
                )
            ),
            client.post(
                f"/api/v1/drafts/{draft['id']}/publish",
                headers=headers,
                json={"audience": "org", "reliability": "A", "credibility": 1},
            ),
            client.delete(f"/api/v1/drafts/{draft['id']}", headers=headers),
        ]
        for response in reads:
            assert response.status_code == 404
            assert response.text == reads[0].text
        absent = client.get(f"/api/v1/drafts/{never}", headers=headers)
        assert reads[0].text.replace(draft["id"], never) == absent.text
        listing = client.get("/api/v1/drafts", params={"status": "all"}, headers=headers).json()
        assert listing == {"total": 0, "limit": 50, "offset": 0, "items": []}
        merges = client.get(f"/api/v1/objects/{front['id']}/merges", headers=headers)
        assert merges.status_code == 200 and merges.json() == []
        assert client.delete(f"/api/v1/merges/{merge.json()['id']}", headers=headers).status_code == 404
    assert [
        m["id"] for m in client.get(f"/api/v1/objects/{front['id']}/merges", headers=tenants.headers("rita")).json()
    ] == [merge.json()["id"]]
    for path in ("/api/v1/drafts", f"/api/v1/drafts/{draft['id']}"):
        assert client.get(path).status_code == 401


def test_review_changes_are_typed_and_anything_else_is_refused(client, tenants, front):
    headers = tenants.headers("alice")
    draft = _create(client, tenants).json()
    url = f"/api/v1/drafts/{draft['id']}/review"
    wallet = draft["observables"][0]["key"]
    for change, field in [
        ({"op": "explode", "key": "e1"}, "'op'"),
        ({"key": "e1"}, "'op'"),
        ({"op": "drop", "key": "e1", "user": "bob"}, "drop.user"),
        ({"op": "title", "title": "New", "key": "e1"}, "title.key"),
        ({"op": "rename", "key": "e1"}, "rename.name"),
        ({"op": "rename", "key": "e1", "name": "   "}, "rename.name"),
        ({"op": "kind", "key": "e1", "kind": "planet"}, "kind.kind"),
        ({"op": "combine", "key": "e1"}, "combine.into"),
        ("drop e1", "changes.1"),
    ]:
        # the valid first change is not kept either: all or none
        answer = client.post(url, headers=headers, json={"changes": [{"op": "drop", "key": "e2"}, change]})
        assert answer.status_code == 422, (change, answer.text)
        message = answer.json()["error"]["message"]
        assert message.startswith("body.changes.1") and field in message, message
    refused = client.post(url, headers=headers, json={"changes": [{"op": "rename", "key": wallet, "name": "x"}]})
    assert refused.status_code == 422 and f"'{wallet}' is not one" in refused.json()["error"]["message"]
    assert refused.json()["error"]["index"] == 0
    assert client.post(url, headers=headers, json={"changes": []}).status_code == 422
    unchanged = client.get(f"/api/v1/drafts/{draft['id']}", headers=headers).json()
    assert unchanged["history"] == [] and all(e["decision"] == "accept" for e in unchanged["entities"])
    every = [
        {"op": "title", "title": "  Termez  "},
        {"op": "drop", "key": wallet},
        {"op": "accept", "key": wallet},
        {"op": "rename", "key": "e1", "name": "Halim Rasulov"},
        {"op": "unlink", "key": "e1"},
        {"op": "kind", "key": "e1", "kind": "organization"},
        {"op": "kind", "key": "e1", "kind": "person"},
        {"op": "link", "key": "e2", "ref": front["id"]},
    ]
    reviewed = client.post(url, headers=headers, json={"changes": every})
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["title"] == "Termez" and [h["op"] for h in reviewed.json()["history"]] == [
        "title",
        "drop",
        "accept",
        "rename",
        "unlink",
        "kind",
        "kind",
        "link",
    ]


def test_the_openapi_document_describes_every_review_operation(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    body = document["paths"]["/api/v1/drafts/{draft_id}/review"]["post"]["requestBody"]["content"]
    review = schemas[body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    changes = review["properties"]["changes"]["items"]
    assert changes["discriminator"]["propertyName"] == "op"
    mapping = changes["discriminator"]["mapping"]
    fields = {
        "accept": {"key"},
        "drop": {"key"},
        "rename": {"key", "name"},
        "kind": {"key", "kind"},
        "link": {"key", "ref"},
        "unlink": {"key"},
        "combine": {"key", "into"},
        "title": {"title"},
        "published": {"published"},
        "add-entity": {"kind", "start", "end"},
        "add-observable": {"kind", "start", "end"},
        "add-relationship": {"source", "type", "target"},
    }
    assert set(mapping) == set(fields)
    assert sorted(ref for ref in mapping.values()) == sorted(c["$ref"] for c in changes["oneOf"])
    for op, ref in mapping.items():
        schema = schemas[ref.rsplit("/", 1)[1]]
        assert schema["properties"]["op"]["const"] == op and schema["additionalProperties"] is False
        assert set(schema["required"]) == set(schema["properties"]) == {"op"} | fields[op], op
        assert schema["description"]
    kind = schemas[mapping["kind"].rsplit("/", 1)[1]]["properties"]["kind"]
    assert kind["enum"] == ["person", "organization", "group", "location"]
    added = schemas[mapping["add-entity"].rsplit("/", 1)[1]]["properties"]
    assert added["kind"]["enum"] == ["person", "organization", "location"] and added["start"]["minimum"] == 0
    observable = schemas[mapping["add-observable"].rsplit("/", 1)[1]]["properties"]["kind"]
    assert "cryptocurrency-wallet" in observable["enum"] and "person" not in observable["enum"]
    relationship = schemas[mapping["add-relationship"].rsplit("/", 1)[1]]["properties"]["type"]
    assert relationship["enum"] == ["related-to", "located-at", "targets"]


def test_findings_and_relationships_are_added_and_bad_ones_refused(client, tenants, front):
    headers = tenants.headers("alice")
    draft = _create(client, tenants).json()
    url = f"/api/v1/drafts/{draft['id']}/review"
    names = {e["name"]: e["key"] for e in draft["entities"]}
    termez = TEXT.index("Termez")
    wallet = TEXT.index("0x5290")
    added = client.post(
        url,
        headers=headers,
        json={
            "changes": [
                {"op": "add-entity", "kind": "organization", "start": TEXT.index("border guards"), "end": termez - 6},
                {"op": "add-relationship", "source": names["Jundallah Front"], "type": "targets", "target": "e4"},
            ]
        },
    )
    assert added.status_code == 200, added.text
    assert added.json()["entities"][-1]["name"] == "border guards" and added.json()["entities"][-1]["key"] == "e4"
    assert added.json()["relationships"][-1]["type"] == "targets"
    for change, words in [
        ({"op": "add-entity", "kind": "person", "start": 0, "end": len(TEXT) + 5}, "inside the text"),
        ({"op": "add-entity", "kind": "person", "start": 8, "end": 9}, "blank"),  # the space after 'Interior'
        ({"op": "add-observable", "kind": "ipv4-addr", "start": termez, "end": termez + 6}, "not a valid IPv4"),
        (
            {"op": "add-observable", "kind": "cryptocurrency-wallet", "start": wallet, "end": wallet + 20},
            "not a valid wallet address",
        ),
        ({"op": "add-relationship", "source": "e4", "type": "located-at", "target": "e1"}, "'located-at' goes"),
    ]:
        refused = client.post(url, headers=headers, json={"changes": [change]})
        assert refused.status_code == 422 and words in refused.json()["error"]["message"], refused.text
    # A reader of the organisation sees the draft, and may not change it.
    reader = client.post(
        url,
        headers=tenants.headers("rita"),
        json={"changes": [{"op": "add-entity", "kind": "person", "start": 0, "end": 8}]},
    )
    assert reader.status_code == 403
    assert (
        client.get(f"/api/v1/drafts/{draft['id']}", headers=headers).json()["history"][-1]["op"] == "add-relationship"
    )


def test_the_application_passes_its_recogniser_down(tenants):
    from fastapi.testclient import TestClient

    from liaison.app import create_app
    from liaison.config import Settings

    text = {"text": "Police ended Operation Blue Crescent in Osh on Monday."}
    with TestClient(create_app(Settings(ner_plugin="ner_plugin:CodeNames"), engine=tenants.engine)) as configured:
        draft = configured.post("/api/v1/drafts", json=text, headers=tenants.headers("alice")).json()
    assert "Blue Crescent" in {e["name"] for e in draft["entities"] if e["mentions"][0]["source"] == "plugin"}


def _fixture(name: str) -> str:
    return (Path(__file__).parents[1] / "ingest" / "fixtures" / "boilerplate" / name).read_text(encoding="utf-8")


def test_boilerplate_is_dropped_shown_and_put_back_and_the_date_read_and_corrected(client, tenants):
    headers = tenants.headers("alice")
    text = _fixture("dushanbe_seizure.txt")
    draft = client.post("/api/v1/drafts", json={"text": text}, headers=headers).json()
    assert draft["title"] == "Tajik border guards seize 310 kg of drugs on the Afghan frontier"
    assert "Related posts" not in draft["text"] and "We use cookies" not in draft["text"]
    reasons = {d["reason"] for d in draft["dropped"]}
    assert {"cookie notice", "related links", "share buttons", "repeated masthead", "newsletter sign-up"} <= reasons
    assert draft["dropped"][0] == {"line": 1, "text": "ASIA-PLUS", "reason": "repeated masthead", "at": 0}
    assert draft["boilerplate_kept"] is False
    # The article date comes from the dateline; 'today' and 'on Monday' are read from it.
    assert (draft["published"], draft["date_from"], draft["date_said"]) == (
        "2025-03-14",
        "dateline",
        "DUSHANBE, 14 March 2025",
    )
    said = {d["text"]: d["value"] for d in draft["dates"]}
    assert said["today"] == "2025-03-14" and said["Monday"] == "2025-03-10"
    assert "today's" not in {d["text"] for d in draft["dates"]}  # 'today's situation' is not a date

    url = f"/api/v1/drafts/{draft['id']}"
    corrected = client.post(
        f"{url}/review", headers=headers, json={"changes": [{"op": "published", "published": "2025-03-20"}]}
    ).json()
    assert (corrected["published"], corrected["date_from"], corrected["date_said"]) == ("2025-03-20", "analyst", None)
    said = {d["text"]: d["value"] for d in corrected["dates"]}
    assert said["today"] == "2025-03-20" and said["Monday"] == "2025-03-17" and said["3 March 2025"] == "2025-03-03"
    assert corrected["history"][-1]["op"] == "published"
    assert client.get("/api/v1/drafts", headers=headers).json()["items"][0]["published"] == "2025-03-20"
    for bad in ("2025-02-30", "soon", "1850-01-01"):
        refused = client.post(
            f"{url}/review", headers=headers, json={"changes": [{"op": "published", "published": bad}]}
        )
        assert refused.status_code == 422, (bad, refused.text)

    key = corrected["entities"][0]["key"]
    client.post(f"{url}/review", headers=headers, json={"changes": [{"op": "drop", "key": key}]})
    restored = client.post(f"{url}/restore", headers=headers)
    assert restored.status_code == 200, restored.text
    whole = restored.json()
    assert whole["text"].split("\n")[0] == "ASIA-PLUS" and "Related posts" in whole["text"]
    assert [line for line in whole["text"].split("\n") if line.strip()] == [
        line for line in text.strip().split("\n") if line.strip()
    ]
    assert whole["dropped"] == [] and whole["boilerplate_kept"] is True
    assert whole["published"] == "2025-03-20" and whole["date_from"] == "analyst"
    assert all(e["decision"] == "accept" for e in whole["entities"])  # extracted anew
    assert [h["op"] for h in whole["history"]] == ["published", "drop", "restore"]
    assert whole["report_id"] == draft["report_id"]
    assert client.post(f"{url}/restore", headers=headers).status_code == 409
    assert client.post(f"{url}/restore", headers=tenants.headers("bob")).status_code == 404

    # Kept whole when asked; a date given wins over the dateline; without either, today.
    kept = client.post(
        "/api/v1/drafts", json={"text": _fixture("kabul_wire.txt"), "keep_boilerplate": True}, headers=headers
    ).json()
    assert kept["dropped"] == [] and kept["boilerplate_kept"] is True and "Read more" in kept["text"]
    assert (kept["published"], kept["date_from"]) == ("2025-03-14", "dateline")
    given = client.post(
        "/api/v1/drafts",
        headers=headers,
        files={"file": ("wire.txt", _fixture("kabul_wire.txt").encode())},
        data={"published": "2025-03-16"},
    ).json()
    assert (given["published"], given["date_from"]) == ("2025-03-16", "given")
    assert {d["reason"] for d in given["dropped"]} == {"navigation", "advertisement", "related links", "share buttons"}
    undated = client.post("/api/v1/drafts", json={"text": "Border guards seized heroin."}, headers=headers).json()
    assert undated["date_from"] == "today" and undated["dropped"] == []


def test_a_discarded_draft_is_restored_by_its_organisation_only(client, tenants, front):
    draft = _create(client, tenants).json()
    path = f"/api/v1/drafts/{draft['id']}"
    assert client.delete(path, headers=tenants.headers("alice")).json()["status"] == "discarded"
    for user in ("bob", "carol"):
        theirs = client.post(f"{path}/reopen", headers=tenants.headers(user))
        nothing = client.post("/api/v1/drafts/no-such-draft/reopen", headers=tenants.headers(user))
        assert theirs.status_code == nothing.status_code == 404
    assert client.post(f"{path}/reopen", headers=tenants.headers("alice")).json()["status"] == "draft"
    again = client.post(f"{path}/reopen", headers=tenants.headers("alice"))
    assert again.status_code == 409 and "only a discarded draft" in again.json()["error"]["message"]
