"""Folding of name spellings and the Aho–Corasick index of known names."""

from __future__ import annotations

import pytest

from liaison.ingest.extract.knowledge import KnowledgeIndex, KnownEntity
from liaison.stix.folding import similarity, skeleton


@pytest.mark.parametrize(
    "a, b",
    [
        ("Sergei Shoigu", "Sergey Shoygu"),
        ("Nikolai Patrushev", "Nikolay Patruschev"),
        ("Mohammad", "Muhammad"),
        ("Mohammed", "Muhammad"),
        ("Dmitriyev", "Dmitriev"),
        ("Khalid", "Halid"),
        ("Yusupov", "Jusupov"),
        ("Abdullah", "Abdulloh"),
        ("Yusuf", "Yousef"),
        ("Rakhmonov", "Rahmonov"),
        ("Ахмед Шоев", "Akhmed Shoyev"),
        ("Ajit Doval", "Ajit Dobhal"),
        ("Ayman Safadi", "Aiman al-Safadi"),
        ("Abbas Araghchi", "Abbas Araqchi"),
        ("Bakhtiyor", "Baxtiyor"),
        ("Maksim", "Maxim"),
        ("Mohammad Daud", "Muhammad Dawood"),
        ("Dragan Milosavljević", "Dragan Milosavljevich"),
        ("Abdul Wahid", "Abdulwahid"),
        ("Jund al Wasat", "Jund al-Wasat"),
        ("Treaty Organization", "Treaty Organisation"),
        ("the FSB's", "the FSB"),
    ],
)
def test_spellings_of_one_name_share_a_key(a, b):
    assert skeleton(a) == skeleton(b)
    assert similarity(a, b) >= 0.7


@pytest.mark.parametrize("a, b", [("Sergei Shoigu", "Sergei Lavrov"), ("Patrushev", "Petrosyan"), ("Kabul", "Kunduz")])
def test_different_names_do_not(a, b):
    assert skeleton(a) != skeleton(b)


def test_transliteration_is_closer_than_a_different_name():
    assert similarity("Sergei Shoigu", "Sergey Shoygu") == 1.0
    assert similarity("Hussein", "Hassan") < similarity("Mohammed", "Muhammad") < 1.0


def _index(*entities: KnownEntity) -> KnowledgeIndex:
    index = KnowledgeIndex()
    index.add(entities)
    return index


def test_finds_known_names_and_aliases_in_any_spelling_with_offsets():
    index = _index(
        KnownEntity("identity--1", "person", "Nikolai Patrushev"),
        KnownEntity("intrusion-set--2", "group", "Islamic Movement of Uzbekistan", ("IMU",)),
    )
    text = "Nikolay Patruschev warned that the Islamic Movement of Uzbekistan (IMU) regrouped."
    found = {(text[c.start : c.end], c.stix_ids) for c in index.find(text)}
    assert found == {
        ("Nikolay Patruschev", ("identity--1",)),
        ("Islamic Movement of Uzbekistan", ("intrusion-set--2",)),
        ("IMU", ("intrusion-set--2",)),
    }


def test_matches_whole_words_only():
    index = _index(KnownEntity("identity--1", "organization", "Kor"))
    assert index.find("Korean and Kordofan") == []
    assert [c.start for c in index.find("the Kor network")] == [4]


def test_grows_incrementally():
    index = _index(KnownEntity("identity--1", "person", "Ajit Doval"))
    index.add([KnownEntity("identity--2", "person", "Halim Rasulov")])  # lands in the small automaton
    assert {c.stix_ids for c in index.find("Ajit Doval met Halim Rasulov")} == {("identity--1",), ("identity--2",)}
    index.add([KnownEntity("identity--1", "person", "Ajit Kumar Doval")])  # a new version, another name
    assert index.entity("identity--1").name == "Ajit Kumar Doval"
    assert index.ids_for("Khalim Rasulov") == {"identity--2"}
    assert index.ids_for_surname(skeleton("Rassulov")) == {"identity--2"}


def _word(n: int) -> str:
    letters = ""
    while True:
        n, digit = divmod(n, 20)
        letters += "bdfgklmnprstvz"[digit % 14] + "aeiou"[digit % 5]
        if not n:
            return letters.capitalize()


def test_a_large_index_rebuilds_and_keeps_everything():
    index = KnowledgeIndex()
    index.add(KnownEntity(f"identity--{n}", "person", f"{_word(n)} {_word(n * 7 + 3)}") for n in range(6000))
    index.add([KnownEntity("identity--late", "person", "Late Arrival")])
    text = f"{_word(5999)} {_word(5999 * 7 + 3)} and {_word(1)} {_word(10)} met Late Arrival."
    assert {"identity--5999", "identity--1", "identity--late"} <= {i for c in index.find(text) for i in c.stix_ids}
