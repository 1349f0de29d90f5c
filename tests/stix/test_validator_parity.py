"""Liaison's import validator takes what the ecosystem takes: whatever the OASIS `stix2-validator`
accepts in its default mode (STIX 2.1, non-strict: SHOULDs are warnings) `validate_object` accepts.

The property is one-way, so the OASIS verdict only matters for objects Liaison refuses. The real
data is every object of every MITRE ATT&CK release in ../shared/data/attack (ICS 8.0-16.0, Mobile
9.0-14.0, about 22,000 objects, 8,200 distinct). Liaison validates every object of every release.
The OASIS validator (about 110 objects/s here: all distinct objects would take over a minute) runs,
with its verdicts cached per canonical JSON, on:

* every distinct object Liaison refuses: this alone makes the property hold for the whole data set;
* one object per distinct (type, set of property paths, nested ones included), so every type
  and every distinct set of property names is judged by both;
* every object whose content differs across releases under the same (id, modified).

Generated cases add what ATT&CK lacks: custom properties with odd values, custom objects, property
and top-level-property extensions, marking definitions without `modified`, revoked objects, and a
grid of odd values for every property the OASIS schemas define, on one object of each family. The
few places where Liaison is deliberately stricter (the store relies on them) are listed and pinned
in `test_liaison_is_deliberately_stricter_where_the_store_relies_on_it`.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections import defaultdict
from pathlib import Path

import orjson
import pytest
from stix2validator import ValidationOptions, validate_instance

from liaison.stix.validate import StixValidationError, validate_object

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "attack"
OPTIONS = ValidationOptions()  # the defaults: version from the object (2.1), strict=False
pytestmark = pytest.mark.filterwarnings("ignore:jsonschema.exceptions.RefResolutionError:DeprecationWarning")

_VERDICTS: dict[bytes, tuple[bool, list[str]]] = {}


def canonical(obj: dict) -> bytes:
    try:
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # integers beyond 64 bits
        return json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()


def oasis(obj: dict) -> tuple[bool, list[str]]:
    """The OASIS validator's verdict and errors, cached per content; a crash counts as a refusal."""
    key = canonical(obj)
    verdict = _VERDICTS.get(key)
    if verdict is None:
        try:
            result = validate_instance(copy.deepcopy(obj), OPTIONS)
            verdict = (result.is_valid, [e.message for e in result.errors])
        except Exception as exc:
            verdict = (False, [f"validator raised {exc!r}"])
        _VERDICTS[key] = verdict
    return verdict


def liaison(obj: dict) -> StixValidationError | None:
    try:
        validate_object(obj, 0)
    except StixValidationError as exc:
        return exc
    return None


# --- the ATT&CK releases --------------------------------------------------------------------


def _releases() -> list[Path]:
    def order(path: Path):
        domain, _, version = path.stem.partition("-")
        return domain, tuple(int(part) for part in version.split("."))

    return sorted(DATA.glob("*.json"), key=order)


def _paths(value, prefix: str = "") -> set[str]:
    """Every property path in `value`, list positions left out."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(prefix + key)
            found |= _paths(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            found |= _paths(item, prefix)
    return found


def test_every_attack_object_the_oasis_validator_accepts_liaison_accepts():
    releases = _releases()
    if not releases:
        pytest.skip(f"ATT&CK releases not found in {DATA} (see ../shared/data/README.md)")
    started = time.perf_counter()
    distinct: dict[bytes, dict] = {}
    refused: dict[bytes, StixValidationError] = {}
    where: dict[bytes, str] = {}
    versions: dict[tuple[str, str | None], set[bytes]] = defaultdict(set)
    total = 0
    liaison_seconds = 0.0
    for path in releases:
        objects = orjson.loads(path.read_bytes())["objects"]
        for index, obj in enumerate(objects):
            total += 1
            key = canonical(obj)
            tick = time.perf_counter()
            try:
                validate_object(obj, index)
            except StixValidationError as exc:
                refused.setdefault(key, exc)
            liaison_seconds += time.perf_counter() - tick
            distinct.setdefault(key, obj)
            where.setdefault(key, f"{path.name} #{index}")
            versions[(obj["id"], obj.get("modified"))].add(key)

    shapes: dict[tuple[str, frozenset[str]], bytes] = {}
    for key, obj in distinct.items():  # first seen, in release order
        shapes.setdefault((obj["type"], frozenset(_paths(obj))), key)
    changed = {key for keys in versions.values() if len(keys) > 1 for key in keys}
    sample = set(refused) | set(shapes.values()) | changed

    tick = time.perf_counter()
    verdicts = {key: oasis(distinct[key]) for key in sorted(sample)}
    oasis_seconds = time.perf_counter() - tick

    disagreements = [
        f"{where[key]} {distinct[key]['id']}: Liaison says {refused[key]}"
        for key in sorted(refused)
        if verdicts[key][0]
    ]
    assert not disagreements, "the OASIS validator accepts what Liaison refuses:\n" + "\n".join(disagreements[:20])

    assert {distinct[key]["type"] for key in sample} == {obj["type"] for obj in distinct.values()}
    accepted = sum(ok for ok, _ in verdicts.values())
    assert accepted > len(sample) / 2, "the OASIS validator refuses most of ATT&CK: is it misconfigured?"
    print(
        f"\nATT&CK parity: {len(releases)} releases, {total} objects ({len(distinct)} distinct) validated "
        f"by Liaison in {liaison_seconds:.2f} s, {len(refused)} distinct refused; OASIS validator on "
        f"{len(sample)} distinct objects ({len(shapes)} shapes, {len(changed)} changed under the same "
        f"modified, {len(refused)} refused by Liaison), {accepted} accepted, in {oasis_seconds:.1f} s; "
        f"total {time.perf_counter() - started:.1f} s"
    )


# --- generated cases ----------------------------------------------------------------------------

T0 = "2025-01-01T00:00:00.000Z"
EXT = "extension-definition--1f3f8a4e-6a5c-4f0e-9d3a-2b7c1e9f4a10"
IDENTITY = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5"


def sid(kind: str, n: int = 0) -> str:
    """A deterministic id, so that cached verdicts and test ids stay stable."""
    return f"{kind}--{uuid.UUID(int=uuid.uuid5(uuid.NAMESPACE_URL, f'{kind}/{n}').int, version=4)}"


def sdo(kind: str, n: int = 0, **props) -> dict:
    return {"type": kind, "spec_version": "2.1", "id": sid(kind, n), "created": T0, "modified": T0, **props}


def sco(kind: str, n: int = 0, **props) -> dict:
    return {"type": kind, "spec_version": "2.1", "id": sid(kind, n), **props}


def actor(**props) -> dict:
    return sdo("intrusion-set", **{"name": "Northern Route Cell", **props})


ATTACK_STATEMENT = {  # ATT&CK's copyright marking: a marking definition has no 'modified'
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168",
    "created": "2017-06-01T00:00:00.000Z",
    "created_by_ref": IDENTITY,
    "definition_type": "statement",
    "definition": {
        "statement": "Copyright 2015-2024, The MITRE Corporation. MITRE ATT&CK and ATT&CK are "
        "registered trademarks of The MITRE Corporation."
    },
    "x_mitre_attack_spec_version": "2.1.0",
    "x_mitre_domains": ["ics-attack"],
}


def marking(n: int, **props) -> dict:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": sid("marking-definition", n),
        "created": T0,
        **props,
    }


def property_extension(**props) -> dict:
    return {EXT: {"extension_type": "property-extension", **props}}


#: (name, object, what the OASIS validator says): each pins the OASIS verdict so the case is not vacuous.
EDGE_CASES = [
    ("empty x_foo_ref", actor(x_foo_ref=""), True),
    ("numeric x_foo_ref", actor(x_foo_ref=123), True),
    ("x_refs not ids", actor(x_refs=["not-an-id", "", 5]), True),
    ("x_ref a dict", actor(x_foo_ref={"inner_ref": sid("location")}), True),
    ("nested custom refs", actor(x_contents=[{"object_ref": "", "object_refs": ["nope", sid("location")]}]), True),
    ("nested dicts and lists", actor(x_deep={"a_b": [[1, 2], {"c_d": [True, 1.5, "e"]}], "fgh": {}}), True),
    ("unicode", actor(name="Северный путь 北路 🚚", x_note="ﷺ\u200b\u202e", description="naïve café"), True),
    ("nulls inside custom values", actor(x_list=[None, 1], x_map={"key": None}), True),
    ("null custom property", actor(x_foo=None), False),
    ("empty custom list", actor(x_foo=[]), False),
    ("very long strings", actor(description="d" * 200_000, x_long="x" * 100_000), True),
    ("huge custom integer", actor(x_big=2**70), True),
    ("custom properties without x_ prefix", actor(mitre_thing="a", some_ref="nope", some_refs=[1]), True),
    (
        "standard ref names undefined for the type",
        actor(sighting_of_ref="x", source_ref=5, where_sighted_refs="y"),
        True,
    ),
    (
        "standard props undefined for the type",
        actor(value=5, published="soon", pattern=["p"], is_family="no", defanged="no", first_observed=0),
        True,
    ),
    ("created_by_ref to a non-identity", actor(created_by_ref=sid("intrusion-set")), True),
    (
        "created_by_ref whose type has a double hyphen",
        actor(created_by_ref=f"ab--cd--{uuid.UUID(int=1, version=4)}"),
        True,
    ),
    ("revoked", actor(revoked=True, x_mitre_deprecated=True), True),
    (
        "revoked-by relationship",
        sdo(
            "relationship",
            relationship_type="revoked-by",
            source_ref=sid("attack-pattern", 1),
            target_ref=sid("attack-pattern", 2),
        ),
        True,
    ),
    (
        "custom SDO-like object",
        sdo(
            "x-mitre-tactic",
            name=42,
            x_mitre_shortname="initial-access",
            object_refs=["nope"],
            first_seen="yesterday",
            confidence=50,
        ),
        True,
    ),
    (
        "custom SDO-like object, ATT&CK matrix",
        sdo(
            "x-mitre-matrix",
            name="ICS",
            tactic_refs=[sid("x-mitre-tactic")],
            created_by_ref=IDENTITY,
            object_marking_refs=[ATTACK_STATEMENT["id"]],
        ),
        True,
    ),
    (
        "custom SCO-like object",
        sco(
            "x-acme-badge",
            confidence="high",
            revoked="no",
            external_references="none",
            badge_ref="",
            holder_refs=["nobody"],
        ),
        True,
    ),
    ("custom object without spec_version or created", {"type": "x-acme-thing", "id": sid("x-acme-thing")}, True),
    ("custom object, bad confidence", sdo("x-acme-thing", confidence="high"), False),
    (
        "property extension with odd refs",
        actor(extensions=property_extension(route_ref="", waypoint_refs=["x", 3])),
        True,
    ),
    (
        "toplevel property extension",
        actor(extensions={EXT: {"extension_type": "toplevel-property-extension"}}, toll_ref="nope", toll_amount=12),
        True,
    ),
    (
        "new-sdo extension object",
        sdo("x-acme-route", name="North", extensions={EXT: {"extension_type": "new-sdo"}}, waypoint_refs=["a", "b"]),
        True,
    ),
    ("predefined SCO extension", sco("file", name="a.exe", extensions={"x-acme-ext": {"abc_ref": "nope"}}), True),
    ("marking definition without modified (ATT&CK)", ATTACK_STATEMENT, True),
    (
        "marking definition by extension only",
        marking(0, name="PAP:GREEN", extensions=property_extension(pap="green")),
        True,
    ),
    (
        "marking definition, definition without definition_type",
        marking(1, definition={"abc": "x"}, extensions=property_extension(abc=1)),
        True,
    ),
    (
        "extension definition without created_by_ref",
        sdo(
            "extension-definition",
            name="e",
            version="1.0",
            schema="https://example.org/s",
            extension_types=["property-extension"],
        ),
        True,
    ),
    (
        "language content without object_modified",
        sdo("language-content", object_ref=sid("intrusion-set"), contents={"de": {"name": "Nordroute"}}),
        True,
    ),
    (
        "observed-data object_refs",
        sdo(
            "observed-data",
            first_observed=T0,
            last_observed=T0,
            number_observed=1,
            object_refs=[sid("ipv4-addr"), sid("ipv4-addr", 1)],
        ),
        True,
    ),
    (
        "SCO refs left untyped by the schemas",
        sco("network-traffic", protocols=["tcp"], src_ref="10.0.0.1", encapsulates_refs=["x"]),
        True,
    ),
    ("malware sample_refs left untyped", sdo("malware", name="Loader", is_family=True, sample_refs=["s-1"]), True),
    (
        "timestamps with 7 fractional digits",
        actor(created="2025-01-01T00:00:00.1234561Z", modified="2025-01-01T00:00:00.1234567Z"),
        True,
    ),
    ("granular marking by language", actor(granular_markings=[{"lang": "en", "selectors": ["name"]}]), False),
]


@pytest.mark.parametrize(
    ("obj", "oasis_accepts"), [(o, ok) for _, o, ok in EDGE_CASES], ids=[name for name, _, _ in EDGE_CASES]
)
def test_edge_cases_the_oasis_validator_accepts_liaison_accepts(obj, oasis_accepts):
    ok, errors = oasis(obj)
    assert ok == oasis_accepts, errors
    if ok:
        assert liaison(obj) is None


def test_unindexable_refs_stay_in_the_json_and_out_of_the_refs():
    target = sid("location")
    obj = actor(
        x_foo_ref="",
        x_bar_ref=123,
        x_refs=["not-an-id", target],
        x_nested={"place_ref": target},
        extensions=property_extension(route_ref="", waypoint_refs=[target, 5]),
    )
    before = copy.deepcopy(obj)
    assert oasis(obj)[0]
    assert validate_object(obj, 0) == [
        ("x_refs", target),
        ("x_nested.place_ref", target),
        (f"extensions.{EXT}.waypoint_refs", target),
    ]
    assert obj == before


KNOWN_BAD = [
    (
        "relationship to nobody",
        sdo("relationship", relationship_type="uses", source_ref="nobody", target_ref=sid("malware")),
        "source_ref",
    ),
    ("created yesterday", actor(created="yesterday"), "created"),
    ("no name", {k: v for k, v in actor().items() if k != "name"}, "name"),
    ("TLP by name", actor(object_marking_refs=["tlp:red"]), "object_marking_refs"),
    (
        "granular marking by name",
        actor(granular_markings=[{"marking_ref": "tlp:red", "selectors": ["name"]}]),
        "granular_markings.marking_ref",
    ),
    ("modified not a timestamp", actor(modified="2025-01-01"), "modified"),
    ("report without objects", sdo("report", name="r", published=T0, object_refs=[]), "object_refs"),
    (
        "sighted where nowhere",
        sdo("sighting", sighting_of_ref=sid("indicator"), where_sighted_refs=["x"]),
        "where_sighted_refs",
    ),
    ("custom object, revoked as text", sdo("x-acme-thing", revoked="yes"), "revoked"),
]


@pytest.mark.parametrize(("obj", "prop"), [(o, p) for _, o, p in KNOWN_BAD], ids=[n for n, _, _ in KNOWN_BAD])
def test_known_bad_objects_are_refused_by_both(obj, prop):
    assert not oasis(obj)[0]
    refusal = liaison(obj)
    assert refusal is not None and refusal.prop == prop


#: Where Liaison refuses what the OASIS validator (default mode) accepts, and why.
DELIBERATE = [
    ("STIX 2.0 (Liaison stores 2.1)", actor(spec_version="2.0"), "spec_version"),
    ("id prefix not the type (id is the store key)", {**sdo("x-acme-thing"), "id": sid("x-other-thing")}, "id"),
    ("type ending in a hyphen", {"type": "x-acme-", "id": sid("x-acme"), "spec_version": "2.1"}, "type"),
    ("id with a trailing newline (the validator's `$`)", {**actor(), "id": sid("intrusion-set") + "\n"}, "id"),
    ("SCO created not a timestamp (version key)", sco("file", name="a", created="garbage"), "created"),
    ("marking modified not a timestamp (version key)", {**ATTACK_STATEMENT, "modified": "yesterday"}, "modified"),
    ("SCO labels not a list of strings (indexed)", sco("ipv4-addr", value="198.51.100.7", labels="one"), "labels"),
    (
        "SCO created_by_ref not an id (owner column)",
        sco("ipv4-addr", value="198.51.100.7", created_by_ref="me"),
        "created_by_ref",
    ),
    ("deeper than MAX_DEPTH", actor(x_deep=json.loads('{"a": ' * 40 + "1" + "}" * 40)), "x_deep"),
]


@pytest.mark.parametrize(("obj", "prop"), [(o, p) for _, o, p in DELIBERATE], ids=[n for n, _, _ in DELIBERATE])
def test_liaison_is_deliberately_stricter_where_the_store_relies_on_it(obj, prop):
    assert oasis(obj)[0]
    refusal = liaison(obj)
    assert refusal is not None and refusal.prop == prop


# --- a grid of odd values -----------------------------------------------------------------------

GRID_BASES = [
    actor(),
    sdo("indicator", pattern="[ipv4-addr:value = '198.51.100.7']", pattern_type="stix", valid_from=T0),
    sdo("malware", name="Loader", is_family=True),
    sdo("location", country="KZ"),
    sdo("report", name="r", published=T0, object_refs=[sid("intrusion-set")]),
    sdo("relationship", relationship_type="uses", source_ref=sid("intrusion-set"), target_ref=sid("malware")),
    sdo("sighting", sighting_of_ref=sid("indicator")),
    ATTACK_STATEMENT,
    sco("ipv4-addr", value="198.51.100.7"),
    sco("file", name="a.exe"),
    sdo("x-mitre-tactic", name="Collection"),
    sco("x-acme-badge", x_a="b"),
]
GRID_PROPS = sorted(
    {
        "name",
        "description",
        "lang",
        "labels",
        "aliases",
        "confidence",
        "revoked",
        "defanged",
        "is_family",
        "value",
        "pattern",
        "pattern_type",
        "relationship_type",
        "context",
        "opinion",
        "content",
        "product",
        "first_seen",
        "last_seen",
        "valid_from",
        "valid_until",
        "published",
        "first_observed",
        "last_observed",
        "start_time",
        "stop_time",
        "object_modified",
        "external_references",
        "granular_markings",
        "extensions",
        "object_marking_refs",
        "object_refs",
        "source_ref",
        "target_ref",
        "sighting_of_ref",
        "where_sighted_refs",
        "sample_refs",
        "latitude",
        "country",
        "number_observed",
        "extension_types",
        "x_foo",
        "x_foo_ref",
        "x_foo_refs",
    }
)
GRID_VALUES = [
    None,
    "",
    "abc",
    0,
    101,
    1.5,
    True,
    [],
    ["abc"],
    [1],
    {},
    {"abc": 1},
    "2025-02-30T00:00:00Z",
    "2026-01-01T00:00:00.000Z",
    sid("identity"),
    [sid("marking-definition")],
    [{"source_name": "abc"}],
    [{"selectors": ["id"], "lang": "en"}],
]
#: The properties of DELIBERATE: the validator leaves them untyped on some objects, the store does not.
STORE_PROPS = {"spec_version", "created", "modified", "labels", "created_by_ref"}


def test_a_grid_of_odd_values_the_oasis_validator_accepts_liaison_accepts():
    """Every value of GRID_VALUES in every property of GRID_PROPS on every base: Liaison judges all;
    the OASIS validator judges one refusal per (type, property, kind of value, Liaison's reason)."""
    refusals: dict[tuple, dict] = {}
    judged = 0
    for base in GRID_BASES:
        for prop in GRID_PROPS:
            for value in GRID_VALUES:
                obj = {**copy.deepcopy(base), prop: copy.deepcopy(value)}
                judged += 1
                refusal = liaison(obj)
                if refusal is not None and refusal.prop not in STORE_PROPS:
                    kind = type(value).__name__ + (type(value[0]).__name__ if isinstance(value, list) and value else "")
                    refusals.setdefault((base["type"], prop, kind, refusal.message.split(",")[0][:40]), obj)
    wrong = [f"{key}: {liaison(obj)}" for key, obj in sorted(refusals.items(), key=str) if oasis(obj)[0]]
    assert not wrong, "the OASIS validator accepts what Liaison refuses:\n" + "\n".join(wrong)
    assert judged > 5000 and len(refusals) > 100
