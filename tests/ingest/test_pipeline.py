"""The extraction pipeline's resolution rules, with a small knowledge index and no database."""

from __future__ import annotations

from liaison.ingest.extract.knowledge import KnowledgeIndex, KnownEntity
from liaison.ingest.extract.pipeline import extract

KNOWN = [
    KnownEntity("identity--1", "person", "Ivan Petrov"),
    KnownEntity("identity--2", "person", "Dana Haddad"),
    KnownEntity("identity--3", "person", "Muhammad Yusuf"),
    KnownEntity("intrusion-set--4", "group", "Al Shabaab"),
    KnownEntity("identity--5", "person", "Huang Kaiyong"),
]


def _entities(text: str) -> dict:
    index = KnowledgeIndex()
    index.add(KNOWN)
    return {e.name: e for e in extract(text, index=index).entities}


def test_a_surname_attaches_only_when_it_stands_alone():
    found = _entities("Ivan Petrov met his wife Olga Petrov on Petrov Street. Later, Minister Petrov left.")
    assert [m.text for m in found["Ivan Petrov"].mentions] == ["Ivan Petrov", "Petrov"]
    assert found["Ivan Petrov"].mentions[1].start == len(
        "Ivan Petrov met his wife Olga Petrov on Petrov Street. Later, Minister "
    )


def test_given_names_decide_between_a_variant_and_a_namesake():
    variant = _entities("Mohammed Yusuf spoke in Kabul.")["Muhammad Yusuf"]
    assert variant.ref == "identity--3" and variant.confidence <= 0.8
    assert any("first name written 'Mohammed'" in c for c in variant.conflicts)
    close = _entities("Police questioned Dina Haddad in Amman.")["Dana Haddad"]  # resolved, for review
    assert close.confidence <= 0.8 and any("first name written 'Dina'" in c for c in close.conflicts)
    namesake = _entities("Deputy Minister Leila Haddad spoke in Amman.")
    assert "Dana Haddad" not in namesake
    assert namesake["Leila Haddad"].ref is None
    assert any("same surname as the known person Dana Haddad" in c for c in namesake["Leila Haddad"].conflicts)


def test_articles_and_places_are_not_mistaken():
    assert _entities("Fighters of Al Shabaab attacked a base.")["Al Shabaab"].ref == "intrusion-set--4"
    hong_kong = _entities("Hong Kong police arrested three men.")
    assert "Huang Kaiyong" not in hong_kong and hong_kong["Hong Kong"].kind == "location"
