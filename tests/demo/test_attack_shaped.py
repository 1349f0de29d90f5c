"""The ATT&CK-shaped generator: exact sizes, ATT&CK's proportions and structure, reproducible."""

from __future__ import annotations

import collections

import orjson
import pytest

from liaison.demo.attack_shaped import attack_shaped_bundle, attack_shaped_objects, write_attack_shaped_file


def test_size_proportions_and_uniqueness():
    objects = attack_shaped_bundle(5000, seed=5)["objects"]
    assert len(objects) == 5000 and len({o["id"] for o in objects}) == 5000
    kinds = collections.Counter(o["type"] for o in objects)
    assert 0.75 <= kinds["relationship"] / 5000 <= 0.85
    for kind in (
        "attack-pattern",
        "malware",
        "tool",
        "intrusion-set",
        "campaign",
        "course-of-action",
        "x-mitre-data-source",
        "x-mitre-data-component",
    ):
        assert kinds[kind] >= 1, kind
    assert (kinds["x-mitre-tactic"], kinds["x-mitre-matrix"], kinds["x-mitre-collection"]) == (14, 1, 1)


def test_structure_refers_only_to_objects_of_the_bundle():
    objects = attack_shaped_bundle(2000, seed=2)["objects"]
    ids = {o["id"] for o in objects}
    by_type = collections.defaultdict(list)
    for obj in objects:
        by_type[obj["type"]].append(obj)
    marking = by_type["marking-definition"][0]
    assert "modified" not in marking and marking["definition_type"] == "statement"
    assert set(by_type["x-mitre-matrix"][0]["tactic_refs"]) == {t["id"] for t in by_type["x-mitre-tactic"]}
    contents = by_type["x-mitre-collection"][0]["x_mitre_contents"]
    assert {c["object_ref"] for c in contents} <= ids and len(contents) > 300
    assert all(r["source_ref"] in ids and r["target_ref"] in ids for r in by_type["relationship"])
    revoked = [o for o in by_type["attack-pattern"] if o["revoked"]]
    assert revoked and {r["source_ref"] for r in by_type["relationship"] if r["relationship_type"] == "revoked-by"} == {
        o["id"] for o in revoked
    }
    assert {r["relationship_type"] for r in by_type["relationship"]} >= {"uses", "mitigates", "subtechnique-of"}


def test_same_seed_same_objects_and_file_streams_the_same_bundle(tmp_path):
    assert list(attack_shaped_objects(300, seed=9)) == list(attack_shaped_objects(300, seed=9))
    assert list(attack_shaped_objects(300, seed=9)) != list(attack_shaped_objects(300, seed=10))
    size = write_attack_shaped_file(tmp_path / "a.json", 300, seed=9)
    data = (tmp_path / "a.json").read_bytes()
    assert size == len(data) and orjson.loads(data) == attack_shaped_bundle(300, seed=9)


def test_too_small_is_refused():
    with pytest.raises(ValueError):
        list(attack_shaped_objects(10))
