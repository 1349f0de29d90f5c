"""The draft-report and merge endpoints: documents in, review, publish, and nothing for outsiders."""

from __future__ import annotations

import io

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


def test_the_application_passes_its_recogniser_down(tenants):
    from fastapi.testclient import TestClient

    from liaison.app import create_app
    from liaison.config import Settings

    text = {"text": "Police ended Operation Blue Crescent in Osh on Monday."}
    with TestClient(create_app(Settings(ner_plugin="ner_plugin:CodeNames"), engine=tenants.engine)) as configured:
        draft = configured.post("/api/v1/drafts", json=text, headers=tenants.headers("alice")).json()
    assert "Blue Crescent" in {e["name"] for e in draft["entities"] if e["mentions"][0]["source"] == "plugin"}
