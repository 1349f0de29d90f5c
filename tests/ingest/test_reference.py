"""Reference knowledge from public data (`liaison reference load`): built as valid STIX, held for the
whole instance, resolvable like anything else the instance knows, and loaded again without change."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from liaison import accounts
from liaison.db.engine import make_engine
from liaison.errors import InvalidInput, NotFound
from liaison.ingest import reference
from liaison.ingest.bundles import prepare
from liaison.intel.resolution import knowledge_index, visible_entities
from liaison.stix.extensions import EXT_IDS
from liaison.store import tenancy

ALIASES = EXT_IDS["entity-aliases"]
LIAISON = str(Path(sys.executable).with_name("liaison"))
#: A few countries and their subdivisions: the whole of ISO 3166 is loaded once, by the CLI test.
CODES = ("AF", "RU", "UZ", "US")
#: APT28's cluster in the MISP threat-actor galaxy.
APT28_UUID = "5b4ee3ea-eee3-4c8e-8323-85ae32658754"


def _aliases(obj: dict) -> list[str]:
    return obj.get("aliases") or obj.get("extensions", {}).get(ALIASES, {}).get("aliases", [])


def _by_name(objects: list[dict]) -> dict[str, dict]:
    return {o["name"]: o for o in objects if "name" in o}


def _few_countries() -> list[dict]:
    return reference.countries(CODES)


def _apt28_and_friends() -> list[dict]:
    """Three galaxy clusters with their relationships: enough to resolve, fast to import."""
    everything = reference.galaxies()
    keep = {o["id"] for o in everything if o.get("name") in ("APT28", "APT29", "Lazarus Group")}
    return [o for o in everything if o["id"] in keep or o.get("source_ref") in keep]


SMALL = {"countries": _few_countries, "galaxies": _apt28_and_friends}


def test_every_object_built_is_valid_stix_with_its_source():
    objects = [
        *reference.foundation(),
        *reference.organisations(),
        *reference.armed_groups(),
        *_few_countries(),
        *_apt28_and_friends(),
    ]
    for index, obj in enumerate(objects):
        prepare(obj, index)  # raises on anything the importer would refuse
        sourced = ("identity", "location", "intrusion-set", "threat-actor", "relationship")
        if obj["type"] in sourced and obj["id"] != reference.LIAISON_IDENTITY["id"]:
            assert obj["external_references"], obj["id"]
            assert obj["object_marking_refs"] == [reference.tlp.TLP2_IDS["clear"]]
    ids = [o["id"] for o in objects]
    assert len(ids) == len(set(ids))
    assert [o["id"] for o in reference.organisations()] == [o["id"] for o in reference.organisations()]


def test_organisations_carry_acronyms_and_full_names():
    orgs = _by_name(reference.organisations())
    assert 40 <= len(orgs) <= 80
    csto = orgs["Collective Security Treaty Organization"]
    assert csto["identity_class"] == "organization" and "CSTO" in _aliases(csto)
    assert {"UNODC", "NATO", "INTERPOL", "FATF", "ASEAN", "OPCW"} <= {a for o in orgs.values() for a in _aliases(o)}


def test_countries_and_subdivisions():
    places = reference.countries(CODES)
    countries = {o["country"]: o for o in places if "administrative_area" not in o}
    assert set(countries) == set(CODES)
    assert countries["RU"]["name"] == "Russia" and "Russian Federation" in _aliases(countries["RU"])
    assert countries["RU"]["region"] == "eastern-europe" and countries["UZ"]["region"] == "central-asia"
    assert countries["AF"]["id"] == reference.country_id("AF")
    assert all("latitude" not in o for o in places)
    provinces = {o["administrative_area"]: o for o in places if o["country"] == "AF" and "administrative_area" in o}
    assert len(provinces) == 34
    assert provinces["Helmand"]["name"] == "Helmand"  # a province only
    assert provinces["Kābul"]["name"] == "Kābul (province)"  # the city keeps the bare name
    georgia = next(o for o in places if o.get("administrative_area") == "Georgia")
    assert georgia["country"] == "US" and georgia["name"] == "Georgia (state)"  # not the country


def test_galaxy_actors_with_aliases_source_and_origin():
    found = _apt28_and_friends()
    actors = _by_name(found)
    apt28 = actors["APT28"]
    assert apt28["type"] == "intrusion-set" and "fancy bear" in {a.casefold() for a in apt28["aliases"]}
    source = apt28["external_references"][0]
    assert source["source_name"] == "MISP galaxy threat-actor" and "version" in source["description"]
    assert len(apt28.get("description", "")) <= reference.DESCRIPTION_CHARS + 1
    origin = next(o for o in found if o.get("source_ref") == apt28["id"])
    assert origin["relationship_type"] == "originates-from" and origin["target_ref"] == reference.country_id("RU")


def test_unknown_source_and_organisation_are_refused(tenants):
    with pytest.raises(InvalidInput):
        reference.parse_sources(["countries,moons"])
    assert reference.parse_sources(["organisations", "countries"]) == ["countries", "organisations"]
    assert reference.parse_sources(None) == list(reference.SOURCES)
    with tenants.engine.begin() as conn, pytest.raises(NotFound):
        reference.holder(conn, "Nowhere")


def test_loaded_once_resolvable_by_everyone_and_idempotent(tenants):
    with tenants.engine.begin() as conn:
        principal = reference.holder(conn)  # the first organisation
        assert principal.org_name == "Alpha"
        loaded = reference.load(conn, principal, reference.SOURCES, build=SMALL)
    assert [s.source for s in loaded] == list(reference.SOURCES)
    assert all(s.created == s.objects for s in loaded)

    with tenants.engine.begin() as conn:
        index = knowledge_index(conn)
        csto = index.ids_for("CSTO")
        assert len(csto) == 1 and csto == index.ids_for("Collective Security Treaty Organization")
        assert reference.country_id("RU") in index.ids_for("Russian Federation")
        apt28 = reference.reference_id("intrusion-set", f"misp:threat-actor:{APT28_UUID}")
        assert index.ids_for("Fancy Bear") == {apt28}  # an alias; the index folds digits away, so
        assert apt28 in index.ids_for("APT28")  # 'APT28' is also every other APT's key, told apart by scoring
        # Another organisation of the instance sees them as they are.
        # every name of a designated group resolves to the one group
        isil = reference.reference_id("threat-actor", "group:isil")
        assert index.ids_for("ISIS") == index.ids_for("Islamic State") == index.ids_for("Daesh") == {isil}
        carol = accounts.principal_for_user(conn, "carol")
        seen = visible_entities(conn, carol, csto | {apt28, reference.country_id("UZ")})
        kinds = sorted(e.kind for e in seen.values())
        assert kinds == ["group", "location", "organization"]
        assert next(e for e in seen.values() if e.kind == "location").attrs["level"] == "country"

    with tenants.engine.begin() as conn:
        again = reference.load(conn, reference.holder(conn, "Alpha"), reference.SOURCES, build=SMALL)
    assert [(s.created, s.report.new_holdings, s.report.corrections) for s in again] == [(0, 0, 0)] * 4
    assert [s.unchanged for s in again] == [s.objects for s in loaded]

    # Another organisation loading the same data holds the same contents: no new versions.
    with tenants.engine.begin() as conn:
        other = reference.load(conn, reference.holder(conn, "Bravo"), ["organisations"])
    assert other[0].created == 0 and other[0].report.corrections == 0


@pytest.fixture
def cli(sqlite_template, tmp_path):
    """The `liaison` command as a real process, on SQLite only (the loads above run on both)."""
    path = tmp_path / "liaison.db"
    shutil.copy(sqlite_template, path)
    env = {**os.environ, "LIAISON_DATABASE_URL": f"sqlite:///{path}"}

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([LIAISON, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        if ok:
            assert done.returncode == 0, done.stderr + done.stdout
        return done

    return run


def test_cli_load_prints_what_it_did(cli):
    cli("org", "add", "Operations")
    cli("org", "add", "Customs")
    first = cli("reference", "load", "--source", "organisations", "--org", "Customs").stdout
    assert "Customs" in first
    again = cli("reference", "load", "--source", "organisations", "--org", "Customs").stdout
    row = next(line for line in again.splitlines() if "organisations" in line)
    cells = [cell.strip() for cell in row.strip("│┃ ").split("│")]
    assert cells[1:5] == [str(len(reference.ORGANISATIONS) + 3), "0", "0", str(len(reference.ORGANISATIONS) + 3)]
    done = cli("reference", "load", "--org", "Nowhere", ok=False)
    assert done.returncode == 1 and "no organisation named 'Nowhere'" in done.stderr


def test_everything_loads_in_seconds(sqlite_template, tmp_path):
    """The whole of every source, once, on SQLite: about 6,600 objects."""
    path = tmp_path / "liaison.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    with engine.begin() as conn:
        accounts.create_org(conn, "Operations")
        loaded = reference.load(conn, reference.holder(conn), reference.SOURCES)
    seconds = time.perf_counter() - started
    engine.dispose()
    counts = {s.source: s.created for s in loaded}
    assert counts["countries"] > 5000 and counts["galaxies"] > 800 and counts["organisations"] >= 40
    assert seconds < 30, seconds


def test_first_organisation_is_the_oldest_local_one(engine):
    with engine.begin() as conn:
        with pytest.raises(InvalidInput):
            reference.holder(conn)
        accounts.create_org(conn, "Zulu")
        accounts.create_org(conn, "Alpha")
        assert reference.holder(conn).org_name == "Zulu"
        assert tenancy.local_org_named(conn, "Alpha") is not None
