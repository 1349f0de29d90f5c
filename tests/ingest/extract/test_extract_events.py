"""Events in news text: drug seizures, arrests, detentions, escapes and positions.

The mentions are written by hand, the way the rest of the pipeline finds them (a person known to the
platform or titled, an organisation, a place with its attributes, a date with its ISO value), so
these tests say what the event rules make of them and nothing else.
"""

from __future__ import annotations

import time

import jsonschema
import pytest

from liaison.ingest.extract.dates import find_dates
from liaison.ingest.extract.drug_amounts import find_amounts
from liaison.ingest.extract.events import (
    AGENCY,
    ARREST,
    ARRESTED,
    DETENTION,
    DRUG_SEIZURE,
    EMPLOYER,
    ESCAPE,
    ESCAPED,
    HOLDER,
    POSITION,
    SUSPECT,
    Event,
    find_events,
)
from liaison.ingest.extract.mentions import DATE, LOCATION, ORGANIZATION, PERSON, Mention
from liaison.stix import extensions

_PLACES = {
    "Khatlon": {"level": "region", "country": "TJ"},
    "Kunduz": {"level": "city", "country": "AF"},
    "Khorog": {"level": "city", "country": "TJ"},
    "Khujand": {"level": "city", "country": "TJ"},
    "Nangarhar": {"level": "region", "country": "AF"},
    "Kandahar": {"level": "region", "country": "AF"},
    "Afghanistan": {"level": "country", "country": "AF"},
    "Tajikistan": {"level": "country", "country": "TJ"},
    "Dushanbe": {"level": "city", "country": "TJ"},
    "Shahritus": {"level": "city", "country": "TJ"},
    "Osh": {"level": "city", "country": "KG"},
    "Latakia": {"level": "city", "country": "SY"},
}
_DEMONYMS = {"Tajik": "Tajikistan", "Afghan": "Afghanistan", "Kyrgyz": "Kyrgyzstan"}
_DATES = {
    "Tuesday": "2025-03-04",
    "Monday": "2025-03-03",
    "Friday": "2025-02-28",
    "Sunday": "2025-03-02",
    "March 3": "2025-03-03",
    "on Wednesday": "2025-03-05",
    "in March": "2025-03",
}


def mentions(text: str, persons=(), orgs=(), places=()) -> list[Mention]:
    """Mentions of every listed person and organisation, and of the known places and dates, at each
    of their occurrences in `text`, as the extractors would give them."""
    found = []

    def every(surface: str, kind: str, value: str, attrs: dict) -> None:
        start = text.find(surface)
        while start != -1:
            end = start + len(surface)
            if (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
                found.append(Mention(kind, start, end, surface, value, dict(attrs)))
            start = text.find(surface, end)

    for name in persons:
        every(name, PERSON, name, {})
    for name in orgs:
        every(name, ORGANIZATION, name, {})
    for name, attrs in {**_PLACES, **dict.fromkeys(places, {"level": "city"})}.items():
        every(name, LOCATION, name, attrs)
    for name, place in _DEMONYMS.items():
        every(name, LOCATION, place, {"level": "country", "demonym": True})
    for surface, value in _DATES.items():
        every(surface, DATE, value, {"precision": "day" if len(value) == 10 else "month"})
    return found


def events(text: str, persons=(), orgs=(), kind: str | None = None, places=()) -> list[Event]:
    found = find_events(text, mentions(text, persons, orgs, places))
    for event in found:
        assert text[event.start : event.end] == event.text
    return [e for e in found if kind is None or e.kind == kind]


def roles(event: Event) -> list[tuple[str, str]]:
    return [(p.role, p.mention.value) for p in event.participants]


def one(found: list[Event]) -> Event:
    assert len(found) == 1, found
    return found[0]


# --- drug seizures -------------------------------------------------------------------------------------


def test_the_brief_example():
    text = (
        "DUSHANBE, March 3 (Asia-Plus) - The Drug Control Agency seized 212 kg of heroin near the Panj river "
        "crossing in Khatlon region on Tuesday, the agency's press office said."
    )
    event = one(events(text, orgs=["Drug Control Agency"], kind=DRUG_SEIZURE))
    assert (event.substance, event.quantity, event.unit, event.approximate) == ("heroin", 212.0, "kg", False)
    assert event.text == "seized 212 kg of heroin"
    assert event.site == "Panj river crossing"
    assert event.place.value == "Khatlon"
    assert event.date.value == "2025-03-04"  # Tuesday, not the dateline's date
    assert roles(event) == [(AGENCY, "Drug Control Agency")]
    # a gazetteer that knows Panj: the place nearest the seizure
    assert one(events(text, orgs=["Drug Control Agency"], kind=DRUG_SEIZURE, places=["Panj"])).place.value == "Panj"


def test_a_seizure_without_a_named_organisation_has_no_agency():
    text = "Tajik border troops seized 212 kilograms of heroin near the Panj river crossing, officials said."
    event = one(events(text))
    assert event.participants == () and event.site == "Panj river crossing"
    assert event.place is None  # 'Tajik' is a demonym, not where it happened


def test_the_nearest_locative_place_wins():
    text = (
        "Police in Kunduz said officers seized 40 kg of opium at a checkpoint outside Khorog, in the "
        "mountainous Gorno-Badakhshan region."
    )
    assert one(events(text)).place.value == "Khorog"


def test_passive_with_the_agency_after_by():
    text = (
        "KABUL (TOLOnews) - Some 1.2 tonnes of hashish were seized by the Counter Narcotics Police of Afghanistan "
        "in Kandahar province on Sunday, the Ministry of Interior said."
    )
    event = one(events(text, orgs=["Counter Narcotics Police of Afghanistan", "Ministry of Interior"]))
    assert (event.substance, event.quantity, event.unit, event.approximate) == ("hashish", 1200.0, "kg", True)
    assert event.amount == "Some 1.2 tonnes of hashish"
    assert roles(event) == [(AGENCY, "Counter Narcotics Police of Afghanistan")]
    assert event.place.value == "Kandahar" and event.date.value == "2025-03-02"


@pytest.mark.parametrize(
    "sentence",
    [
        "About 30 kg of heroin was seized in Nangarhar.",
        "Thirty kilograms of heroin had been seized in Nangarhar.",
        "The 30 kg of heroin, hidden in a truck carrying onions, were seized in Nangarhar.",
        "A 30 kg heroin consignment was intercepted in Nangarhar.",
    ],
)
def test_passive_shapes(sentence):
    event = one(events(sentence))
    assert (event.substance, event.quantity, event.unit) == ("heroin", 30.0, "kg")
    assert event.place.value == "Nangarhar"


def test_the_seizure_of_and_the_announcing_organisation():
    text = "The Ministry of Interior announced the seizure of 30 kilograms of heroin in Nangarhar on Wednesday."
    event = one(events(text, orgs=["Ministry of Interior"]))
    assert event.text == "seizure of 30 kilograms of heroin"
    assert roles(event) == [(AGENCY, "Ministry of Interior")]
    assert event.date.value == "2025-03-05"


def test_a_haul():
    text = "It was the second 212-kg heroin haul on the Afghan-Tajik border in March."
    event = one(events(text))
    assert (event.substance, event.quantity, event.unit) == ("heroin", 212.0, "kg")
    assert event.text == "212-kg heroin haul"


def test_several_amounts_give_several_seizures():
    text = (
        "Customs officers at the Osh airport seized 40 kg of heroin, 12.5 kg of raw opium and 300 grams of "
        "hashish from a Kyrgyz national on Friday."
    )
    found = events(text)
    assert [(e.substance, e.quantity, e.unit) for e in found] == [
        ("heroin", 40.0, "kg"),
        ("opium", 12.5, "kg"),
        ("hashish", 300.0, "g"),
    ]
    assert {e.date.value for e in found} == {"2025-02-28"}
    assert {e.site for e in found} == {"Osh airport"}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Police seized 212 kilograms (467 pounds) of heroin.", ("heroin", 212.0, "kg", False)),
        ("Police seized more than 3,500 tablets of methamphetamine.", ("methamphetamine", 3500.0, "tablets", True)),
        ("Syrian forces seized 1.2 million Captagon pills in Latakia.", ("captagon", 1_200_000.0, "tablets", False)),
        ("Officers seized 3,500 tramadol tablets.", ("tramadol", 3500.0, "tablets", False)),
        ("Guards seized over 40 kg of crystal meth.", ("methamphetamine", 40.0, "kg", True)),
        ("Police seized 2 kg of meth.", ("methamphetamine", 2.0, "kg", False)),
        ("Police seized 12 kg of charas.", ("hashish", 12.0, "kg", False)),
        ("Police seized 3 kg of cannabis resin.", ("hashish", 3.0, "kg", False)),
        ("Police seized 25 kg of ganja.", ("cannabis", 25.0, "kg", False)),
        ("Police seized 500 pounds of marijuana.", ("cannabis", 226.796, "kg", False)),
        ("Customs seized 2.5 tons of acetic anhydride.", ("precursors", 2500.0, "kg", False)),
        ("Customs seized 150 litres of acetic anhydride.", ("precursors", 150.0, "l", False)),
        ("Police seized heroin weighing 40 kilograms.", ("heroin", 40.0, "kg", False)),
        ("Troops seized two tonnes of opium gum.", ("opium", 2000.0, "kg", False)),
        ("Navy seized 1.5 t of cocaine.", ("cocaine", 1500.0, "kg", False)),
        ("Border guards seized 850 grammes of pure heroin.", ("heroin", 850.0, "g", False)),
    ],
)
def test_amounts_substances_and_units(sentence, expected):
    event = one(events(sentence))
    assert (event.substance, event.quantity, event.unit, event.approximate) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Police seized 40 kg of drugs.",  # no substance: the extension needs one
        "Police seized 40 kg of narcotics and 2 kg of ice.",  # 'ice' is not read as methamphetamine
        "Police seized 20 kg of brown sugar.",
        "Police seized 5 t opium.",  # a one-letter unit needs 'of'
        "Police seized 12 kg.",
    ],
)
def test_no_substance_no_seizure(sentence):
    assert events(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "No drugs were seized during the operation.",
        "No heroin was seized, police said.",
        "Police denied that 200 kg of heroin had been seized in Khatlon.",
        "Police said they had not seized 200 kg of heroin, contrary to earlier reports.",
        "Officials said no 200 kg of heroin was found.",
        "The smugglers tried to move 200 kg of heroin across the river.",
        "Authorities plan to seize 1 tonne of opium stockpiled by farmers.",
        "Police would have seized 50 kg of heroin had the truck stopped.",
        "It was not clear whether 50 kg of heroin was seized.",
        "Tajik border troops seized 4.5 tonnes of heroin last year, the agency said.",
        "Authorities seized 4.5 tonnes of heroin in 2024, up from 3 tonnes.",
        "Since the beginning of the year, police have seized 900 kg of hashish.",
        "A shipment of 212 kg of heroin crossed the Panj river.",
    ],
)
def test_negated_doubtful_or_total_seizures_give_nothing(sentence):
    assert events(sentence, kind=DRUG_SEIZURE) == []


def test_a_seizure_repeated_by_the_article_is_one_event():
    text = (
        "Tajik guards seize 212 kg of heroin\n\n"
        "DUSHANBE, March 3 (Asia-Plus) - Tajik border guards seized 212 kg of heroin near the Panj river crossing "
        "in Khatlon region on Tuesday.\n\nThe 212 kg of heroin was the largest haul this month."
    )
    event = one(events(text))
    assert event.text == "seize 212 kg of heroin"  # the headline, its slots filled from the lead
    assert event.place.value == "Khatlon" and event.date.value == "2025-03-04"


def test_the_persons_the_drugs_were_taken_from_and_those_arrested_with_them():
    text = (
        "Police seized 5 kg of heroin from Ali Karimov and his brother Daler Karimov in Khorog on Monday. "
        "In Kunduz, police seized 20 kg of opium and arrested Farhod Azizov."
    )
    persons = ["Ali Karimov", "Daler Karimov", "Farhod Azizov"]
    first, second = events(text, persons=persons, kind=DRUG_SEIZURE)
    assert roles(first) == [(SUSPECT, "Ali Karimov"), (SUSPECT, "Daler Karimov")]
    assert first.place.value == "Khorog"
    assert roles(second) == [(SUSPECT, "Farhod Azizov")]
    arrest = one(events(text, persons=persons, kind=ARREST))
    assert roles(arrest) == [(ARRESTED, "Farhod Azizov")]


def test_seizure_properties_fit_the_platform_extension():
    text = "Border troops seized 212 kg of heroin near the Panj river crossing on Tuesday."
    event = one(events(text))
    props = event.properties()
    assert props == {
        "name": "212 kg of heroin",
        "drug_type": "heroin",
        "quantity": 212.0,
        "quantity_unit": "kg",
        "seized_at": "2025-03-04T00:00:00.000Z",
    }
    definition = next(d for d in extensions._DEFINITIONS if d.name == "drug-seizure")
    obj = extensions.new_sdo("drug-seizure", created="2025-03-05T00:00:00.000Z", **props)
    jsonschema.validate(obj, definition.schema())


def test_a_month_is_no_seizure_timestamp():
    event = one(events("Police seized 20 kg of heroin in March."))
    assert event.date.value == "2025-03" and "seized_at" not in event.properties()


def test_with_the_real_date_extractor():
    import datetime

    text = "Police seized 20 kg of heroin in Khorog on 2 March 2025, the Interior Ministry said."
    found = find_events(text, find_dates(text, datetime.date(2025, 3, 5)))
    assert one(found).date.value == "2025-03-02"


# --- arrests, detentions, escapes --------------------------------------------------------------------


def test_detained_persons_in_a_passive_list():
    text = (
        "Ali Karimov, 34, and his brother Daler Karimov were detained in the Shahritus district on Monday, "
        "the State Committee for National Security said."
    )
    event = one(events(text, persons=["Ali Karimov", "Daler Karimov"], orgs=["State Committee for National Security"]))
    assert event.kind == DETENTION
    assert roles(event) == [(ARRESTED, "Ali Karimov"), (ARRESTED, "Daler Karimov")]
    assert event.place.value == "Shahritus" and event.date.value == "2025-03-03"


def test_arrested_by_an_organisation():
    text = "Former customs officer Ali Karimov was arrested by the Drug Control Agency in Dushanbe on Friday."
    event = one(events(text, persons=["Ali Karimov"], orgs=["Drug Control Agency"]))
    assert event.kind == ARREST
    assert roles(event) == [(AGENCY, "Drug Control Agency"), (ARRESTED, "Ali Karimov")]
    assert event.place.value == "Dushanbe" and event.date.value == "2025-02-28"


def test_active_voice_with_the_organisation_as_subject():
    text = (
        "The State Committee for National Security detained Farhod Azizov, a former border officer, "
        "and Daler Saidov in Khujand on Tuesday."
    )
    event = one(events(text, persons=["Farhod Azizov", "Daler Saidov"], orgs=["State Committee for National Security"]))
    assert event.kind == DETENTION
    assert roles(event) == [
        (AGENCY, "State Committee for National Security"),
        (ARRESTED, "Farhod Azizov"),
        (ARRESTED, "Daler Saidov"),
    ]
    assert event.place.value == "Khujand"


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Police in Kunduz arrested Ali Karimov on Tuesday.", ARREST),
        ("Ali Karimov, who was arrested in Khorog on Friday, denies the charges.", ARREST),
        ("The case came to light after the arrest of Ali Karimov in Khorog.", ARREST),
        ("Ali Karimov's arrest in Khorog was confirmed by his lawyer.", ARREST),
        ("Ali Karimov was taken into custody in Khorog.", DETENTION),
        ("Ali Karimov was apprehended in Khorog.", ARREST),
        ("The detention of the alleged courier Ali Karimov in Khorog drew protests.", DETENTION),
    ],
)
def test_custody_shapes(sentence, kind):
    event = one(events(sentence, persons=["Ali Karimov"]))
    assert event.kind == kind and roles(event) == [(ARRESTED, "Ali Karimov")]
    assert event.place.value in ("Khorog", "Kunduz")


def test_detained_along_with():
    text = "Ali Karimov was detained along with his associate Daler Saidov."
    event = one(events(text, persons=["Ali Karimov", "Daler Saidov"]))
    assert roles(event) == [(ARRESTED, "Ali Karimov"), (ARRESTED, "Daler Saidov")]


@pytest.mark.parametrize(
    "sentence",
    [
        "Ali Karimov denied being arrested.",
        "Ali Karimov denied reports that he had been detained.",
        "Ali Karimov was not detained, his lawyer said.",
        "A court issued a warrant for the arrest of Ali Karimov.",
        "Activists called for the arrest of Ali Karimov.",
        "It was unclear whether Ali Karimov was detained.",
        "Ali Karimov could be arrested if he returns.",
        "Ali Karimov's brother was detained in Khorog.",
        "Ali Karimov escaped arrest by hiding in the mountains.",
        "Two Afghan nationals were detained on Tuesday.",
        "Police arrested two men for smuggling heroin bought from Ali Karimov.",
        "Police arrested the driver after Ali Karimov fled.",
        "Ali Karimov's arrest warrant was issued in Dushanbe.",
        "Ali Karimov faces arrest if he returns to Tajikistan.",
    ],
)
def test_no_custody(sentence):
    assert events(sentence, persons=["Ali Karimov"], kind=ARREST) == []
    assert events(sentence, persons=["Ali Karimov"], kind=DETENTION) == []


def test_escaped_towards():
    text = "Two men were detained and a third suspect, Farhod Azizov, escaped towards Kunduz, police said."
    event = one(events(text, persons=["Farhod Azizov"]))
    assert event.kind == ESCAPE and roles(event) == [(ESCAPED, "Farhod Azizov")]
    assert event.direction.value == "Kunduz" and event.place is None


@pytest.mark.parametrize(
    ("sentence", "direction", "place"),
    [
        ("Farhod Azizov fled across the border into Afghanistan on Monday.", "Afghanistan", None),
        ("Farhod Azizov managed to escape to Afghanistan.", "Afghanistan", None),
        ("Farhod Azizov escaped from custody in Khujand.", None, "Khujand"),
        ("Farhod Azizov, who was serving 12 years, escaped from a prison in Khujand.", None, "Khujand"),
    ],
)
def test_escape_shapes(sentence, direction, place):
    event = one(events(sentence, persons=["Farhod Azizov"], kind=ESCAPE))
    assert roles(event) == [(ESCAPED, "Farhod Azizov")]
    assert (event.direction and event.direction.value) == direction
    assert (event.place and event.place.value) == place


@pytest.mark.parametrize(
    "sentence",
    [
        "Farhod Azizov tried to escape towards Kunduz.",
        "Farhod Azizov failed to escape to Afghanistan.",
        "Farhod Azizov escaped unhurt when his car was fired on.",
        "Thousands of civilians fled to Kunduz.",
        "Farhod Azizov did not escape to Afghanistan, police said.",
    ],
)
def test_no_escape(sentence):
    assert events(sentence, persons=["Farhod Azizov"], kind=ESCAPE) == []


def test_escapes_and_arrests_join_the_seizure_of_their_sentence():
    text = (
        "Border troops seized 212 kg of heroin near the Panj river crossing; Ali Karimov was detained and "
        "Farhod Azizov escaped towards Kunduz."
    )
    seizure = one(events(text, persons=["Ali Karimov", "Farhod Azizov"], kind=DRUG_SEIZURE))
    assert roles(seizure) == [(SUSPECT, "Ali Karimov"), (SUSPECT, "Farhod Azizov")]


# --- positions -------------------------------------------------------------------------------------------

STATE_COMMITTEE = "State Committee for National Security"


def test_position_of_the_organisation_in_the_sentence_before():
    text = (
        "The State Committee for National Security said the heroin came from Afghanistan. Deputy chairman "
        "Col. Rustam Nazarov told reporters the route was new."
    )
    event = one(events(text, persons=["Rustam Nazarov"], orgs=[STATE_COMMITTEE], kind=POSITION))
    assert (event.role, event.rank) == ("Deputy Chairman", "Colonel")
    assert roles(event) == [(HOLDER, "Rustam Nazarov"), (EMPLOYER, STATE_COMMITTEE)]
    assert event.text == "Deputy chairman Col. Rustam Nazarov"
    assert event.properties() == {"position": "Deputy Chairman"}


@pytest.mark.parametrize(
    ("sentence", "role", "rank"),
    [
        ("State Committee for National Security Deputy Chairman Rustam Nazarov said.", "Deputy Chairman", None),
        ("The State Committee for National Security's deputy chairman, Rustam Nazarov, said.", "Deputy Chairman", None),
        (
            "Deputy chairman Col. Rustam Nazarov of the State Committee for National Security said.",
            "Deputy Chairman",
            "Colonel",
        ),
        (
            "Rustam Nazarov, deputy chairman of the State Committee for National Security, said.",
            "Deputy Chairman",
            None,
        ),
        (
            "Col. Rustam Nazarov, deputy chairman of the State Committee for National Security, said.",
            "Deputy Chairman",
            "Colonel",
        ),
        (
            "Deputy Chairman of the State Committee for National Security Maj. Gen. Rustam Nazarov said.",
            "Deputy Chairman",
            "Major General",
        ),
        (
            "According to the State Committee for National Security, its spokesman Rustam Nazarov said.",
            "Spokesman",
            None,
        ),
    ],
)
def test_position_shapes(sentence, role, rank):
    event = one(events(sentence, persons=["Rustam Nazarov"], orgs=[STATE_COMMITTEE], kind=POSITION))
    assert (event.role, event.rank) == (role, rank)
    assert roles(event) == [(HOLDER, "Rustam Nazarov"), (EMPLOYER, STATE_COMMITTEE)]


@pytest.mark.parametrize(
    "text",
    [
        # an Interior Minister is no officer of the organisation that speaks
        "The State Committee for National Security said Interior Minister Rustam Nazarov was informed.",
        # a former position is no current one
        "Former deputy chairman Rustam Nazarov of the State Committee for National Security was detained.",
        # the only organisation of the sentence comes after the person: not his
        "Deputy chairman Rustam Nazarov told the State Committee for National Security that he would resign.",
        # two organisations in the sentence before: which one?
        "The State Committee for National Security and the Drug Control Agency met. Deputy chairman Rustam "
        "Nazarov spoke.",
        # a rank is no position
        "Col. Rustam Nazarov of the State Committee for National Security said.",
        # no organisation at all
        "Deputy chairman Rustam Nazarov said the route was new.",
    ],
)
def test_no_position(text):
    assert events(text, persons=["Rustam Nazarov"], orgs=[STATE_COMMITTEE, "Drug Control Agency"], kind=POSITION) == []


# --- the API and robustness -------------------------------------------------------------------------------


def test_an_event_is_frozen_and_its_organisation_is_at_hand():
    text = "The Drug Control Agency seized 40 kg of opium."
    event = one(events(text, orgs=["Drug Control Agency"]))
    assert event.organization.value == "Drug Control Agency"
    assert event.having(SUSPECT) == ()
    with pytest.raises(AttributeError):
        event.quantity = 1.0  # type: ignore[misc]


def test_no_mentions_no_persons_but_seizures_still():
    assert find_events("", []) == []
    assert [e.kind for e in find_events("Police seized 40 kg of opium.", [])] == [DRUG_SEIZURE]


def test_adversarial_input_stays_linear():
    chunks = [
        "1" * 20_000,
        " kg" * 10_000,
        "(" * 10_000 + ")" * 10_000,
        ". " * 10_000,
        "seized " * 5_000,
        "1,000," * 5_000,
        " of heroin" * 3_000,
        "was arrested " * 3_000,
        "Deputy chairman Col. " * 1_500,
        "escaped towards " * 2_000,
        "—,;" * 5_000,
    ]
    text = "".join(chunks)[:200_000]
    text = text.ljust(200_000, ".")
    # a mention every 40 characters, of every kind, as a hostile plug-in could send
    kinds = [PERSON, ORGANIZATION, LOCATION, DATE]
    many = [
        Mention(kinds[i % 4], s, s + 10, text[s : s + 10], "X", {}) for i, s in enumerate(range(0, len(text) - 10, 40))
    ]
    began = time.perf_counter()
    find_events(text, many)
    find_amounts(text)
    assert time.perf_counter() - began < 1.5


def test_many_events_stay_linear():
    text = "Police seized 12 kg of heroin near the Panj river crossing. Ali Karimov was arrested. " * 2_300
    many = mentions(text, persons=["Ali Karimov"])
    began = time.perf_counter()
    found = find_events(text, many)
    assert time.perf_counter() - began < 1.5
    assert [e.kind for e in found] == [DRUG_SEIZURE, ARREST]  # one of each: the article repeats itself
