"""Liaison's extension definitions and builders produce objects the OASIS tools accept."""

from __future__ import annotations

import json
import uuid

import pytest
import stix2
from stixdata import validation_errors, write_schemas

from liaison.stix import extensions as ext
from liaison.stix.extensions import EXT_IDS, EXTENSION_DEFINITIONS, LIAISON_IDENTITY

T0 = "2025-03-01T10:00:00.000Z"
LOCATION = "location--0c1f6a3e-6f43-4f6b-9d5a-6a2d7c3b8e11"
GROUP = "intrusion-set--6f0c2b53-0b3e-4c1a-9a63-2f5d3e4a1b22"
PERSON = "threat-actor--9b7c4d21-5e3f-4a6b-8c7d-1e2f3a4b5c6d"

NEW_SCOS = {
    "phone-number": {"value": "+992935550123", "country": "TJ", "carrier": "Example Mobile", "line_type": "mobile"},
    "cryptocurrency-wallet": {"value": "TXyzExampleWalletAddress0000000001", "currency": "USDT-TRC20"},
    "bank-account": {
        "iban": "TR330006100519786457841326",
        "bic": "ANPBTRIS",
        "bank_name": "Example Bank",
        "country": "TR",
    },
    "vehicle": {
        "registration": "01A123BC",
        "vin": "XTC54900012345678",
        "make": "Kamaz",
        "model": "5490",
        "colour": "orange",
        "country": "UZ",
    },
    "vessel": {
        "name": "Aral Breeze",
        "imo": "9074729",
        "mmsi": "436000123",
        "flag_country": "KZ",
        "vessel_type": "general-cargo",
    },
}
NEW_SDOS = {
    "drug-seizure": {
        "name": "12.5 kg heroin at Osh",
        "seized_at": "2025-02-27T04:10:00.000Z",
        "drug_type": "heroin",
        "quantity": 12.5,
        "quantity_unit": "kg",
        "estimated_value": 225000,
        "currency": "USD",
        "concealment_method": "in spare tyres",
        "location_ref": LOCATION,
        "object_refs": [PERSON],
    },
    "trafficking-route": {
        "name": "Pamir highway",
        "commodity": "drugs",
        "waypoint_refs": [LOCATION, LOCATION],
        "modes": ["land"],
        "first_seen": "2019-01-01T00:00:00.000Z",
    },
}


@pytest.fixture(scope="module")
def schema_dir(tmp_path_factory) -> str:
    return write_schemas(tmp_path_factory.mktemp("schemas"))


def sdo(type_: str, **props) -> dict:
    return {
        "type": type_,
        "spec_version": "2.1",
        "id": f"{type_}--{uuid.uuid4()}",
        "created": T0,
        "modified": T0,
        **props,
    }


def test_extension_definitions_are_published_stix():
    assert len(EXTENSION_DEFINITIONS) == len(EXT_IDS) == 13
    kinds = {d["name"]: d["extension_types"] for d in EXTENSION_DEFINITIONS}
    assert {n for n, k in kinds.items() if k == ["new-sco"]} == set(NEW_SCOS)
    assert {n for n, k in kinds.items() if k == ["new-sdo"]} == set(NEW_SDOS)
    assert {n for n, k in kinds.items() if k == ["property-extension"]} == {
        "attack-details",
        "organisation-position",
        "admiralty-grading",
        "signed-provenance",
        "entity-aliases",
        "report-mentions",
    }
    for definition in [LIAISON_IDENTITY, *EXTENSION_DEFINITIONS]:
        assert validation_errors(definition, None) == []
        stix2.parse(definition)
    for definition in EXTENSION_DEFINITIONS:
        assert EXT_IDS[definition["name"]] == definition["id"]
        assert uuid.UUID(definition["id"].split("--")[1]).version == 5
        assert definition["created_by_ref"] == LIAISON_IDENTITY["id"] and definition["version"] == "1.0"
        schema = json.loads(definition["schema"])
        assert schema["title"] == definition["name"] and schema["$schema"].startswith("https://json-schema.org/")
        assert "://" not in definition["schema"].replace(schema["$schema"], "")  # nothing to fetch
        assert "x_" not in definition["schema"]
    assert LIAISON_IDENTITY["identity_class"] == "system" and LIAISON_IDENTITY["name"] == "Liaison"


@pytest.mark.parametrize("type_", sorted(NEW_SCOS))
def test_new_sco_validates_and_has_a_deterministic_id(type_, schema_dir):
    obj = ext.new_sco(type_, **NEW_SCOS[type_])
    assert obj["extensions"] == {EXT_IDS[type_]: {"extension_type": "new-sco"}}
    assert uuid.UUID(obj["id"].split("--")[1]).version == 5
    assert ext.new_sco(type_, **NEW_SCOS[type_]) == obj
    assert validation_errors(obj, None) == validation_errors(obj, schema_dir) == []
    assert stix2.parse(obj, allow_custom=True)["id"] == obj["id"]


def test_sco_ids_follow_the_stix_rule():
    assert ext.sco_id("domain-name", {"value": "example.org"}) == stix2.DomainName(value="example.org").id
    phone = ext.new_sco("phone-number", value="+992935550123", country="TJ")
    assert phone["id"] == ext.new_sco("phone-number", value="+992935550123", line_type="voip")["id"]
    assert phone["id"] == ext.sco_id("phone-number", {"value": "+992935550123"})
    by_iban = ext.new_sco("bank-account", iban="TR330006100519786457841326", bic="ANPBTRIS")
    assert by_iban["id"] == ext.new_sco("bank-account", iban="TR330006100519786457841326")["id"]
    by_number = ext.new_sco("bank-account", account_number="1280123", bic="ALSBKG22", country="KG")
    assert by_number["id"] == ext.sco_id(
        "bank-account", {"account_number": "1280123", "bic": "ALSBKG22", "country": "KG"}
    )
    assert ext.new_sco("vessel", imo="9074729", name="A")["id"] == ext.new_sco("vessel", imo="9074729", name="B")["id"]


@pytest.mark.parametrize("type_", sorted(NEW_SDOS))
def test_new_sdo_validates(type_, schema_dir):
    identity = LIAISON_IDENTITY["id"]
    obj = ext.new_sdo(type_, created=T0, created_by_ref=identity, **NEW_SDOS[type_])
    assert obj["modified"] == T0 and obj["created_by_ref"] == identity
    assert obj["extensions"] == {EXT_IDS[type_]: {"extension_type": "new-sdo"}}
    assert ext.new_sdo(type_, created=T0, created_by_ref=identity, **NEW_SDOS[type_]) == obj
    assert ext.new_sdo(type_, created=T0, id_=f"{type_}--{uuid.uuid4()}", **NEW_SDOS[type_])["id"] != obj["id"]
    assert validation_errors(obj, None) == validation_errors(obj, schema_dir) == []
    assert stix2.parse(obj, allow_custom=True)["id"] == obj["id"]


def test_property_extensions_validate(schema_dir):
    graded = ext.admiralty_grading("B", 2)
    assert graded == {
        EXT_IDS["admiralty-grading"]: {
            "extension_type": "property-extension",
            "source_reliability": "B",
            "information_credibility": 2,
        }
    }
    incident = sdo(
        "incident",
        name="Market bombing",
        extensions={
            **graded,
            **ext.property_extension(
                "attack-details",
                attack_type="bombing",
                killed=9,
                injured=24,
                target_type="civilians",
                weapon="IED",
                occurred_at=T0,
                location_ref=LOCATION,
            ),
        },
    )
    member = sdo(
        "relationship",
        relationship_type="related-to",
        source_ref=PERSON,
        target_ref=GROUP,
        extensions=ext.property_extension(
            "organisation-position", position="emir", held_from="2019-05-01T00:00:00.000Z"
        ),
    )
    person = sdo(
        "identity",
        name="A. Person",
        identity_class="individual",
        extensions=ext.property_extension("organisation-position", position="driver", organisation_ref=GROUP),
    )
    report = sdo(
        "report",
        name="Assessment",
        report_types=["threat-report"],
        published=T0,
        object_refs=[GROUP],
        confidence=ext.admiralty_confidence("B", 2),
        extensions=graded,
    )
    seizure = ext.new_sdo("drug-seizure", created=T0, extensions=graded, **NEW_SDOS["drug-seizure"])
    assert set(seizure["extensions"]) == {EXT_IDS["drug-seizure"], EXT_IDS["admiralty-grading"]}
    for obj in (incident, member, person, report, seizure):
        assert validation_errors(obj, None) == validation_errors(obj, schema_dir) == []
        stix2.parse(obj, allow_custom=True)


def test_the_schemas_catch_bad_extension_content(schema_dir):
    attack = EXT_IDS["attack-details"]
    incident = sdo("incident", name="x", extensions={attack: {"extension_type": "property-extension", "killed": -1}})
    errors = validation_errors(incident, schema_dir)
    assert any("attack_type" in e for e in errors) and any("minimum" in e for e in errors)
    phone = {**ext.new_sco("phone-number", value="+992935550123"), "value": "0935550123"}
    assert validation_errors(phone, schema_dir) and not validation_errors(phone, None)
    misplaced = sdo(
        "indicator",
        name="x",
        description="x",
        indicator_types=["attribution"],
        pattern="[domain-name:value = 'c.example']",
        pattern_type="stix",
        valid_from=T0,
        extensions=ext.property_extension("attack-details", attack_type="cyber"),
    )
    assert validation_errors(misplaced, None) == []
    assert any("'incident'" in e for e in validation_errors(misplaced, schema_dir))


def test_builders_refuse_what_the_definitions_do_not_allow():
    with pytest.raises(ValueError):
        ext.new_sco("drug-seizure", value="x")
    with pytest.raises(ValueError):
        ext.new_sco("phone-number", country="TJ")
    with pytest.raises(ValueError):
        ext.new_sco("phone-number", value="+992935550123", x_colour="red")
    with pytest.raises(ValueError):
        ext.new_sco("vehicle", make="Lada")
    with pytest.raises(ValueError):
        ext.new_sdo("trafficking-route", created=T0, name="r", commodity="drugs")
    with pytest.raises(ValueError):
        ext.property_extension("attack-details", killed=1)
    with pytest.raises(ValueError):
        ext.admiralty_grading("G", 1)
    with pytest.raises(ValueError):
        ext.admiralty_confidence("A", 7)


def test_admiralty_confidence_is_monotonic_and_keeps_the_stix_band():
    reliabilities, credibilities = "ABCDEF", range(1, 7)
    scores = {(r, c): ext.admiralty_confidence(r, c) for r in reliabilities for c in credibilities}
    assert all(0 <= s <= 100 for s in scores.values())
    assert scores["A", 1] > scores["C", 3] > scores["F", 6]
    for c in range(1, 6):  # better sources score higher; F (cannot be judged) sits between C and D
        assert [scores[r, c] for r in "ABCFDE"] == sorted((scores[r, c] for r in "ABCFDE"), reverse=True)
        band = {5: (0, 19), 4: (20, 39), 3: (40, 59), 2: (60, 79), 1: (80, 100)}[c]  # STIX 2.1 Appendix A
        assert all(band[0] <= scores[r, c] <= band[1] for r in reliabilities)
    for r in reliabilities:
        assert [scores[r, c] for c in range(1, 6)] == sorted((scores[r, c] for c in range(1, 6)), reverse=True)
        assert scores[r, 6] < scores[r, 3]
    assert (
        "credibility 6 maps to 15"
        in next(d for d in EXTENSION_DEFINITIONS if d["name"] == "admiralty-grading")["description"]
    )
