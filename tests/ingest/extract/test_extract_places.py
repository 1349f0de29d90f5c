"""Places in news text: countries, demonyms, regions, provinces and cities."""

from __future__ import annotations

import pytest

from liaison.ingest.extract import gazetteer
from liaison.ingest.extract.places import find_places


def places(text: str) -> list[tuple[str, str]]:
    mentions = find_places(text)
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert m.kind == "location" and m.source == "gazetteer"
    return [(m.text, m.value) for m in mentions]


def test_the_brief_example():
    text = (
        "Russian Security Council Secretary met Afghan officials in Kabul on Tuesday to discuss "
        "counter-terrorism and drug trafficking"
    )
    mentions = find_places(text)
    assert [(m.text, m.value, m.attrs["level"], m.attrs["country"]) for m in mentions] == [
        ("Russian", "Russia", "country", "RU"),
        ("Afghan", "Afghanistan", "country", "AF"),
        ("Kabul", "Kabul", "city", "AF"),
    ]
    russian, afghan, kabul = mentions
    assert russian.attrs["demonym"] is True and "demonym" not in kabul.attrs
    assert kabul.attrs["geonameid"] == 1138958
    assert kabul.attrs["latitude"] == pytest.approx(34.53, abs=0.05)
    assert kabul.attrs["longitude"] == pytest.approx(69.17, abs=0.05)
    assert afghan.attrs["latitude"] == kabul.attrs["latitude"]  # a country sits at its capital


@pytest.mark.parametrize(
    ("form", "country"),
    [
        ("Russia", "RU"),
        ("Iran", "IR"),
        ("Syria", "SY"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("UAE", "AE"),
        ("United States", "US"),
        ("U.S.", "US"),
        ("Britain", "GB"),
        ("DR Congo", "CD"),
        ("North Korea", "KP"),
        ("Kosovo", "XK"),
        ("Côte d'Ivoire", "CI"),
    ],
)
def test_country_short_forms(form, country):
    mentions = find_places(f"Officials from {form} attended the meeting.")
    assert [(m.text, m.attrs["country"], m.attrs["level"]) for m in mentions] == [(form, country, "country")]


@pytest.mark.parametrize(
    ("demonym", "country"),
    [
        ("Tajik", "TJ"),
        ("Uzbek", "UZ"),
        ("Iranian", "IR"),
        ("Pakistani", "PK"),
        ("Turkish", "TR"),
        ("Kyrgyz", "KG"),
        ("Kazakh", "KZ"),
        ("Chinese", "CN"),
        ("Syrian", "SY"),
        ("Iraqi", "IQ"),
        ("Turkmen", "TM"),
        ("Emirati", "AE"),
        ("Saudi", "SA"),
        ("British", "GB"),
        ("American", "US"),
        ("South Korean", "KR"),
        ("Afghans", "AF"),
        ("Uzbeks", "UZ"),
        ("Iraqis", "IQ"),
    ],
)
def test_demonyms_stand_for_their_country(demonym, country):
    [mention] = find_places(f"The {demonym} delegation left early.")
    assert mention.text == demonym
    assert mention.attrs == {**mention.attrs, "country": country, "level": "country", "demonym": True}


def test_every_country_has_a_demonym_or_is_a_small_territory():
    import pycountry

    from liaison.ingest.extract.gazetteer.countries import DEMONYMS

    sovereign_like = {c.alpha_2 for c in pycountry.countries if getattr(c, "official_name", None)}
    assert len(DEMONYMS) >= 190
    assert len(sovereign_like - set(DEMONYMS)) < 15


def test_us_in_a_shouted_headline_is_a_pronoun():
    assert places("JOIN US FOR THE LIVE BRIEFING TONIGHT") == []
    assert places("The US and Russia met; US officials declined to comment.") == [
        ("US", "United States"),
        ("Russia", "Russia"),
        ("US", "United States"),
    ]


@pytest.mark.parametrize(
    ("region", "value"),
    [
        ("Central Asia", "Central Asia"),
        ("Middle East", "Middle East"),
        ("Sahel", "Sahel"),
        ("Balkans", "Balkans"),
        ("Caucasus", "Caucasus"),
        ("Golden Crescent", "Golden Crescent"),
        ("Fergana Valley", "Fergana Valley"),
        ("Badakhshan", "Badakhshan"),
        ("Kurdistan", "Kurdistan"),
        ("Helmand", "Helmand"),
    ],
)
def test_regions(region, value):
    [mention] = find_places(f"Smuggling through the {region} has grown.")
    assert (mention.text, mention.value, mention.attrs["level"]) == (region, value, "region")
    assert isinstance(mention.attrs["latitude"], float)


def test_provinces_from_the_iso_subdivisions():
    [nangarhar] = find_places("Fighting spread across Nangarhar overnight.")
    assert (nangarhar.value, nangarhar.attrs["level"], nangarhar.attrs["country"]) == ("Nangarhar", "region", "AF")
    [texas] = find_places("Cartel couriers were arrested in Texas.")
    assert (texas.value, texas.attrs["country"]) == ("Texas", "US")


def test_region_adjectives():
    assert places("Central Asian and Kurdish leaders met.") == [
        ("Central Asian", "Central Asia"),
        ("Kurdish", "Kurdistan"),
    ]


def test_city_name_variants_and_exonyms():
    text = "Flights from Kiev and Bombay landed in Mazar-i-Sharif and Mazar-e Sharif."
    assert places(text) == [
        ("Kiev", "Kyiv"),
        ("Bombay", "Mumbai"),
        ("Mazar-i-Sharif", "Mazar-e Sharif"),
        ("Mazar-e Sharif", "Mazar-e Sharif"),
    ]


def test_small_towns_need_a_locative_context():
    assert places("Khorog was quiet.") == []
    assert places("Clashes broke out in Khorog on Monday.") == [("Khorog", "Khorugh")]
    assert places("a checkpoint near the town of Ishkashim") == [("Ishkashim", "Ishqoshim")]


def test_small_towns_listed_beside_a_place_are_places():
    text = "Police raided homes in Taloqan, Khulm and Charikar."
    assert [v for _t, v in places(text)] == ["Taloqan", "Khulm", "Charikar"]
    assert places("Taloqan, Khulm and Charikar were quiet.") == []


def test_people_named_like_cities_are_not_places():
    text = "Vladimir Putin spoke with Hassan Rouhani and Mr. Herat about trade."
    assert places(text) == []


def test_common_words_named_like_cities_are_not_places():
    text = (
        "Police in the capital said March was calm. Reading the report, Mobile phones and Split "
        "votes were noted; Most officials agreed. Toyota pickups carried the fighters."
    )
    assert places(text) == []


@pytest.mark.parametrize(
    ("text", "value", "country"),
    [
        ("BISHKEK, March 23 — Kyrgyz police said on Monday", "Bishkek", "KG"),
        ("MEXICO CITY, March 2 (Reuters) - Prosecutors said", "Mexico City", "MX"),
        ("THE HAGUE — Europol said on Monday", "The Hague", "NL"),
        ("MAZAR-I-SHARIF, Afghanistan — Officials said", "Mazar-e Sharif", "AF"),
        ("BOGOTÁ, Feb 25 — The navy said", "Bogota", "CO"),
    ],
)
def test_datelines_in_capitals(text, value, country):
    first = find_places(text)[0]
    assert (first.value, first.attrs["country"], first.start) == (value, country, 0)


def test_place_names_that_are_ordinary_words_need_a_place_noun():
    assert places("Cocaine was found at the port of Bar on Thursday.") == [("Bar", "Bar")]
    assert places("Police in Split said the bar was closed.") == []
    assert places("Pilgrims returned from the city of Medina.") == [("Medina", "Madinah")]
    assert places("Prosecutor Lourdes Medina said so.") == []


def test_accented_spellings_and_article_less_provinces():
    assert places("Flights to Bogotá resumed.") == [("Bogotá", "Bogota")]
    assert places("Raids in Anbar and Al Anbar continued.") == [("Anbar", "Al Anbar"), ("Al Anbar", "Al Anbar")]


def test_a_city_followed_by_a_place_word_stays_a_city():
    assert places("Kandahar Airport and Herat Province were closed.") == [("Kandahar", "Kandahar"), ("Herat", "Herat")]


def test_longest_name_wins():
    assert places("Ships crossed the South China Sea towards Papua New Guinea.") == [
        ("South China Sea", "South China Sea"),
        ("Papua New Guinea", "Papua New Guinea"),
    ]


def test_words_inside_other_words_do_not_match():
    assert places("Romanians and Omanis met Nigerien traders; Nigeriana is no place.") == [
        ("Romanians", "Romania"),
        ("Omanis", "Oman"),
        ("Nigerien", "Niger"),
    ]


def test_gazetteer_lookup():
    assert gazetteer.place_for("Afghan").name == "Afghanistan"
    assert gazetteer.place_for("Kabul").level == "city"
    assert gazetteer.place_for("kabul") is None  # names are matched with their capitals
    assert gazetteer.place_for("Monday") is None


def test_a_place_hyphenated_into_another_name_is_not_that_place():
    assert [m.text for m in find_places("Guards stopped a courier at the Kyzyl-Art pass.")] == []
    assert [m.value for m in find_places("Talks on the Afghan-Tajik border resumed.")] == ["Afghanistan", "Tajikistan"]
