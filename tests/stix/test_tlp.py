"""An object's TLP level counts its object markings and the markings of its granular markings."""

from __future__ import annotations

import pytest
from stixdata import actor, sid

from liaison.stix.tlp import TLP1_IDS, TLP2_IDS, level_of, level_of_object


def _granular(*refs: str, lang: str | None = None) -> list[dict]:
    entries = [{"marking_ref": ref, "selectors": ["description"]} for ref in refs]
    if lang:
        entries.append({"lang": lang, "selectors": ["name"]})
    return entries


def test_no_markings_no_level():
    assert level_of_object(actor("x")) is None


def test_object_markings_alone_give_the_level_like_level_of():
    obj = actor("x", object_marking_refs=[TLP2_IDS["green"], TLP2_IDS["amber"]])
    assert level_of_object(obj) == level_of(obj["object_marking_refs"]) == "amber"


def test_a_granular_marking_alone_marks_the_object():
    assert level_of_object(actor("x", granular_markings=_granular(TLP2_IDS["red"]))) == "red"


@pytest.mark.parametrize(
    ("object_level", "granular_level", "expected"),
    [
        ("clear", "red", "red"),
        ("red", "green", "red"),
        ("green", "amber+strict", "amber+strict"),
        ("amber", "amber", "amber"),
    ],
)
def test_the_most_restrictive_of_object_and_granular_markings_wins(object_level, granular_level, expected):
    obj = actor(
        "x", object_marking_refs=[TLP2_IDS[object_level]], granular_markings=_granular(TLP2_IDS[granular_level])
    )
    assert level_of_object(obj) == expected


def test_tlp1_granular_markings_count_as_their_tlp2_equivalents():
    obj = actor("x", object_marking_refs=[TLP1_IDS["clear"]], granular_markings=_granular(TLP1_IDS["amber"]))
    assert level_of_object(obj) == "amber"


def test_language_entries_and_other_markings_are_ignored():
    statement = sid("marking-definition")
    obj = actor("x", object_marking_refs=[statement], granular_markings=_granular(statement, lang="en"))
    assert level_of_object(obj) is None
    obj["granular_markings"].append({"marking_ref": TLP2_IDS["green"], "selectors": ["name"]})
    assert level_of_object(obj) == "green"


@pytest.mark.parametrize("granular", [None, "red", [None, 5, "x", {"selectors": ["name"]}, {"marking_ref": 7}]])
def test_malformed_granular_markings_are_ignored(granular):
    obj = actor("x", object_marking_refs=[TLP2_IDS["green"]], granular_markings=granular)
    assert level_of_object(obj) == "green"


@pytest.mark.parametrize("refs", [None, [], TLP2_IDS["red"], [None, 3, ["nested"]]])
def test_malformed_object_markings_are_ignored(refs):
    obj = actor("x", object_marking_refs=refs, granular_markings=_granular(TLP2_IDS["amber"]))
    assert level_of_object(obj) == "amber"
