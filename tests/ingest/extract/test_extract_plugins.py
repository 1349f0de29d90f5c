"""The optional NER plug-in point: loading a recogniser from 'package.module:callable'."""

from __future__ import annotations

import re

import pytest

from liaison.errors import InvalidInput
from liaison.ingest.extract.mentions import PERSON, Mention
from liaison.ingest.extract.plugins import Recognizer, load_recognizer

NOT_CALLABLE = 42


def capitalised_pairs(text: str) -> list[Mention]:
    """A toy recogniser: every pair of capitalised words is a person."""
    return [
        Mention(PERSON, m.start(), m.end(), m.group(), m.group(), source="plugin")
        for m in re.finditer(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", text)
    ]


class LoadedModel:
    """A recogniser that 'loads its model' once, when instantiated."""

    instances = 0

    def __init__(self) -> None:
        type(self).instances += 1
        self.vocabulary = {"Ajit Doval"}

    def __call__(self, text: str) -> list[Mention]:
        return [
            Mention(PERSON, i, i + len(name), name, name, source="plugin")
            for name in self.vocabulary
            if (i := text.find(name)) >= 0
        ]


class Broken:
    def __init__(self) -> None:
        raise RuntimeError("model file missing")


@pytest.mark.parametrize("spec", [None, "", "   "])
def test_no_spec_no_recognizer(spec):
    assert load_recognizer(spec) is None


def test_a_function_is_the_recognizer():
    recognizer = load_recognizer(f"{__name__}:capitalised_pairs")
    assert isinstance(recognizer, Recognizer)
    [mention] = recognizer("Officials said Ajit Doval arrived.")
    assert (mention.text, mention.kind, mention.source) == ("Ajit Doval", "person", "plugin")


def test_a_class_is_instantiated_once():
    before = LoadedModel.instances
    recognizer = load_recognizer(f"{__name__}:LoadedModel")
    recognizer("first text")
    assert [m.value for m in recognizer("Then Ajit Doval spoke.")] == ["Ajit Doval"]
    assert LoadedModel.instances == before + 1


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_colon_here", "package.module:callable"),
        (":capitalised_pairs", "package.module:callable"),
        ("liaison_no_such_module:run", "cannot be imported"),
        (f"{__name__}:missing", "has no attribute"),
        (f"{__name__}:NOT_CALLABLE", "is not callable"),
        (f"{__name__}:Broken", "model file missing"),
    ],
)
def test_bad_specs_are_invalid_input(spec, message):
    with pytest.raises(InvalidInput, match=message):
        load_recognizer(spec)
