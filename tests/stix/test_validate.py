"""The import validator agrees with the OASIS tools on what it checks, and names object and property."""

from __future__ import annotations

import copy

import pytest
import stix2
from stix2validator import ValidationOptions, validate_instance
from stixdata import actor, relationship, sdo, sid

from liaison.demo.attack_shaped import attack_shaped_bundle
from liaison.stix.extensions import EXTENSION_DEFINITIONS
from liaison.stix.timestamps import normalize_timestamp
from liaison.stix.tlp import marking_definitions
from liaison.stix.validate import MAX_DEPTH, StixValidationError, validate_object

OPTIONS = ValidationOptions(strict=False)


def oasis_accepts(obj: dict) -> bool:
    """Both OASIS judges accept the object."""
    try:
        if not validate_instance(obj, OPTIONS).is_valid:
            return False
        stix2.parse(obj, allow_custom=True)
    except Exception:
        return False
    return True


VALID = [
    actor("Northern Route Cell", aliases=["NRC"], confidence=60, labels=["smuggling"]),
    sdo(
        "indicator",
        name="C2",
        pattern="[ipv4-addr:value = '198.51.100.7']",
        pattern_type="stix",
        valid_from="2025-02-01T00:00:00Z",
    ),
    sdo("location", country="KZ", latitude=43.2, longitude=76.9),
    sdo("report", name="Bulletin", published="2025-01-02T00:00:00Z", object_refs=[sid("intrusion-set")]),
    sdo("malware", name="Loader", is_family=True),
    sdo(
        "observed-data",
        first_observed="2025-01-01T00:00:00Z",
        last_observed="2025-01-01T00:00:00Z",
        number_observed=3,
        object_refs=[sid("ipv4-addr")],
    ),
    sdo("sighting", sighting_of_ref=sid("indicator"), count=2),
    {"type": "ipv4-addr", "spec_version": "2.1", "id": sid("ipv4-addr"), "value": "198.51.100.7"},
    {"type": "file", "spec_version": "2.1", "id": sid("file"), "name": "a.exe"},
    {
        "type": "x-custom-thing",
        "spec_version": "2.1",
        "id": sid("x-custom-thing"),
        "created": "2025-01-01T00:00:00.000Z",
        "modified": "2025-01-01T00:00:00.000Z",
        "x_mood": "fine",
    },
    *marking_definitions(),
    *EXTENSION_DEFINITIONS,
]


@pytest.mark.parametrize("obj", VALID, ids=lambda o: o["type"])
def test_valid_objects_pass_both_liaison_and_oasis(obj):
    assert oasis_accepts(obj)
    validate_object(obj, 0)


def _without(obj, prop):
    copied = copy.deepcopy(obj)
    del copied[prop]
    return copied


BROKEN = [
    (_without(actor("x"), "id"), "id"),
    (_without(actor("x"), "created"), "created"),
    (_without(actor("x"), "spec_version"), "spec_version"),
    (_without(actor("x"), "name"), "name"),
    ({**actor("x"), "id": "intrusion-set--not-a-uuid"}, "id"),
    ({**actor("x"), "id": sid("malware")}, "id"),
    ({**actor("x"), "name": 42}, "name"),
    ({**actor("x"), "confidence": 101}, "confidence"),
    ({**actor("x"), "confidence": "high"}, "confidence"),
    ({**actor("x"), "created": "2025-13-01T00:00:00Z"}, "created"),
    ({**actor("x"), "created": "yesterday"}, "created"),
    ({**actor("x"), "modified": "2024-01-31 09:30:00Z"}, "modified"),
    ({**actor("x"), "created_by_ref": "someone"}, "created_by_ref"),
    ({**actor("x"), "object_marking_refs": ["tlp:red"]}, "object_marking_refs"),
    ({**actor("x"), "labels": "one"}, "labels"),
    ({**actor("x"), "external_references": [{"url": "https://example.org"}]}, "external_references"),
    (
        _without(
            sdo("indicator", pattern="[x:y = 'z']", pattern_type="stix", valid_from="2025-01-01T00:00:00Z"), "pattern"
        ),
        "pattern",
    ),
    (sdo("relationship", relationship_type="uses", source_ref="nobody", target_ref=sid("malware")), "source_ref"),
    (sdo("report", name="r", published="2025-01-01T00:00:00Z", object_refs=[]), "object_refs"),
    (sdo("location", name="nowhere"), "region"),
    (sdo("location", latitude=95.0, longitude=0.0), "latitude"),
    (
        sdo(
            "observed-data",
            first_observed="2025-01-01T00:00:00Z",
            last_observed="2025-01-01T00:00:00Z",
            number_observed=0,
            object_refs=[sid("file")],
        ),
        "number_observed",
    ),
    ({"type": "ipv4-addr", "id": sid("ipv4-addr")}, "value"),
    ({"type": "Bad_Type", "id": "Bad_Type--6ba7b810-9dad-41d1-80b4-00c04fd430c8"}, "type"),
]


@pytest.mark.parametrize(("obj", "prop"), BROKEN, ids=[p for _, p in BROKEN])
def test_broken_objects_are_refused_by_both_naming_the_property(obj, prop):
    assert not oasis_accepts(obj)
    with pytest.raises(StixValidationError) as raised:
        validate_object(obj, 7)
    assert raised.value.prop == prop
    assert raised.value.index == 7 and str(raised.value).startswith("object #7")
    assert f"'{prop}'" in raised.value.message or prop in raised.value.message


def test_modified_earlier_than_created_is_kept_as_published():
    """The OASIS validator refuses it; real releases have it (ATT&CK ICS 11.0 rounds 'modified' to the
    millisecond below a 'created' with microseconds), and the store keys versions by 'modified' alone."""
    obj = {**actor("x"), "created": "2022-04-23T15:48:38.011975Z", "modified": "2022-04-23T15:48:38.011Z"}
    assert not oasis_accepts(obj)
    validate_object(obj, 0)


def test_unindexable_refs_are_kept_and_left_out_while_standard_refs_stay_strict():
    target = sid("location")
    obj = {**actor("x"), "x_foo_ref": "", "x_bar_ref": 123, "x_refs": ["not-an-id", target], "x_ok_ref": target}
    assert validate_object(obj, 0) == [("x_refs", target), ("x_ok_ref", target)]
    for prop, value in (("created_by_ref", ""), ("object_marking_refs", ["x"]), ("object_marking_refs", "x")):
        with pytest.raises(StixValidationError, match=f"'{prop}' must be"):
            validate_object({**actor("x"), prop: value}, 0)


def test_rules_apply_only_to_the_types_that_define_them():
    """A property is checked on the types whose OASIS schema defines it; elsewhere it is custom."""
    custom = sdo("x-acme-route", name=42, first_seen="soon", confidence=50, source_ref="nowhere")
    assert oasis_accepts(custom)
    assert validate_object(custom, 0) == []
    with pytest.raises(StixValidationError, match="'first_seen' must be a timestamp"):
        validate_object(sdo("campaign", name="c", first_seen="soon"), 0)


@pytest.mark.parametrize("prop", ["id", "created"])
def test_a_trailing_newline_is_not_part_of_an_id_or_timestamp(prop):
    obj = actor("x")
    obj[prop] += "\n"
    with pytest.raises(StixValidationError) as raised:
        validate_object(obj, 0)
    assert raised.value.prop == prop


def test_stix_2_0_objects_are_refused_with_a_clear_reason():
    """The OASIS tools accept 2.0; Liaison stores 2.1 only and says so."""
    with pytest.raises(StixValidationError, match="'spec_version' must be '2.1'"):
        validate_object({**actor("x"), "spec_version": "2.0"}, 0)
    stix20 = _without(actor("x"), "spec_version")  # alone, OASIS reads it as 2.1 and refuses it too
    assert not oasis_accepts(stix20)
    with pytest.raises(StixValidationError, match="STIX 2.0 content.*Liaison stores STIX 2.1"):
        validate_object(stix20, 0)


def test_refs_are_found_in_document_order_including_nested_and_extension_paths():
    target, marking, ext = sid("location"), sid("marking-definition"), "extension-definition--" + sid("x")[3:]
    obj = sdo(
        "x-liaison-route",
        created_by_ref=sid("identity"),
        object_marking_refs=[marking],
        granular_markings=[{"marking_ref": marking, "selectors": ["name"]}],
        x_contents=[{"object_ref": target, "object_modified": "2025-01-01T00:00:00Z"}],
        extensions={ext: {"extension_type": "property-extension", "waypoint_refs": [target, target]}},
    )
    refs = validate_object(obj, 0)
    assert [path for path, _ in refs] == [
        "created_by_ref",
        "object_marking_refs",
        "granular_markings.marking_ref",
        "x_contents.object_ref",
        f"extensions.{ext}.waypoint_refs",
        f"extensions.{ext}.waypoint_refs",
    ]
    assert [t for _, t in refs][-2:] == [target, target]


def test_relationship_refs_become_edges():
    a, b = actor("a"), actor("b")
    assert validate_object(relationship(a, b), 0) == [("source_ref", a["id"]), ("target_ref", b["id"])]


def test_deep_nesting_is_refused_without_recursion():
    nested: dict = {}
    cursor = nested
    for _ in range(10_000):
        cursor["x"] = {}
        cursor = cursor["x"]
    obj = {**actor("deep"), "x_payload": nested}
    with pytest.raises(StixValidationError, match="nested too deeply"):
        validate_object(obj, 3)
    shallow = {**actor("shallow"), "x_payload": [[[]]]}
    validate_object(shallow, 0)
    assert MAX_DEPTH >= 8


def test_non_objects_and_missing_ids_are_named_by_position():
    with pytest.raises(StixValidationError, match=r"^object #4: must be a JSON object"):
        validate_object([1], 4)
    with pytest.raises(StixValidationError, match=r"object #5000 \(broken\): 'id'"):
        validate_object({"type": "intrusion-set", "id": "broken"}, 5000)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2025-01-31T09:30:00Z", "2025-01-31T09:30:00.000000Z"),
        ("2025-01-31T09:30:00.1Z", "2025-01-31T09:30:00.100000Z"),
        ("2025-01-31T09:30:00.123456789Z", "2025-01-31T09:30:00.123456Z"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:60.000000Z"),
    ],
)
def test_timestamps_are_stored_fixed_width(given, stored):
    assert normalize_timestamp(given) == stored


@pytest.mark.parametrize("bad", ["2025-02-30T00:00:00Z", "2025-01-31 09:30:00Z", "2025-01-31T09:30:00+01:00", 20250131])
def test_bad_timestamps_raise_value_error(bad):
    with pytest.raises(ValueError):
        normalize_timestamp(bad)


def test_every_object_of_an_attack_shaped_bundle_passes():
    objects = attack_shaped_bundle(600, seed=11)["objects"]
    for index, obj in enumerate(objects):
        validate_object(obj, index)
    relationships = [o for o in objects if o["type"] == "relationship"]
    assert all(len(validate_object(r, 0)) >= 4 for r in relationships)  # endpoints, author, marking, modifier
