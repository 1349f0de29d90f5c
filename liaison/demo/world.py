"""The demo world: fictional partner agencies, their sharing groups and users, and the STIX 2.1
intelligence they hold.

Every agency, person, group, company, number and address is invented; places are real, with real
coordinates. Domains use the reserved `.example` TLD, IP addresses the RFC 5737 documentation ranges
and phone numbers a `555` block. Ids are uuid5 and timestamps fixed, so the world is the same on
every call and loading it twice adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from liaison.stix import tlp
from liaison.stix.extensions import (
    EXT_IDS,
    EXTENSION_DEFINITIONS,
    LIAISON_IDENTITY,
    admiralty_confidence,
    admiralty_grading,
    new_sco,
    new_sdo,
    property_extension,
    sco_id,
    stable_id,
)
from liaison.stix.timestamps import format_ts, parse_ts


def _id(type_: str, key: str) -> str:
    return stable_id(type_, f"demo/{key}")


_ORGS = (  # key, name, country, sector, description
    (
        "psc",
        "Pamir Security Council",
        "TJ",
        "national-security",
        "Secretariat of a national security council; runs this Liaison instance and coordinates the partners.",
    ),
    (
        "ctd",
        "Amudarya Counter-Terrorism Directorate",
        "UZ",
        "counter-terrorism",
        "Counter-terrorism directorate: extremist groups, their members, finance and attacks.",
    ),
    (
        "dcs",
        "Alatau Drug Control Service",
        "KG",
        "counter-narcotics",
        "Counter-narcotics and border police: seizures, couriers and trafficking routes.",
    ),
    (
        "cert",
        "Anatolia National CERT",
        "TR",
        "cert",
        "National computer emergency response team: cyber attacks on government and infrastructure.",
    ),
    (
        "customs",
        "Caspian Customs Intelligence Service",
        "KZ",
        "customs",
        "Customs intelligence: ports, ferries, containers, front companies and payments.",
    ),
)
ORGANISATIONS: list[dict] = [
    {
        "name": name,
        "identity_id": _id("identity", f"org/{key}"),
        "country": country,
        "sector": sector,
        "description": f"{description} Fictional agency of the Liaison demo.",
    }
    for key, name, country, sector, description in _ORGS
]
_NAME = {key: name for key, name, *_ in _ORGS}
_IDENTITY = {key: org["identity_id"] for (key, *_), org in zip(_ORGS, ORGANISATIONS, strict=True)}

SHARING_GROUPS: list[dict] = [
    {
        "name": "central-asia-ct",
        "description": "Counter-terrorism cooperation of the Central Asian partners.",
        "members": [_NAME["psc"], _NAME["ctd"], _NAME["dcs"]],
    },
    {
        "name": "narcotics-taskforce",
        "description": "Joint taskforce on Afghan opiate and synthetic drug routes.",
        "members": [_NAME["dcs"], _NAME["customs"], _NAME["psc"]],
    },
    {
        "name": "cert-network",
        "description": "Cyber threats against government networks of the partners.",
        "members": [_NAME["cert"], _NAME["ctd"], _NAME["psc"]],
    },
]

#: What each organisation lets others discover by hit queries, by default (the others: no one).
DISCOVERABLE: dict[str, list[str]] = {
    _NAME["dcs"]: ["instance", "partners"],
    _NAME["cert"]: ["group:cert-network"],
    _NAME["ctd"]: ["group:central-asia-ct"],
}

USERS: list[dict] = [
    {"name": name, "org": _NAME[name.split(".")[0]], "role": role, "password": f"demo-{name}-2025"}
    for name, role in (
        ("psc.admin", "admin"),
        ("psc.analyst", "analyst"),
        ("psc.sync", "sync"),
        ("ctd.analyst", "analyst"),
        ("ctd.reader", "reader"),
        ("dcs.admin", "admin"),
        ("dcs.analyst", "analyst"),
        ("cert.analyst", "analyst"),
        ("cert.reader", "reader"),
        ("customs.analyst", "analyst"),
    )
] + [{"name": "operator", "org": None, "role": "operator", "password": "demo-operator-2025"}]

# --- places (real coordinates) -------------------------------------------------------------------

_COUNTRIES = (  # code, name, region, latitude, longitude
    ("AF", "Afghanistan", "southern-asia", 33.94, 67.71),
    ("TJ", "Tajikistan", "central-asia", 38.86, 71.28),
    ("UZ", "Uzbekistan", "central-asia", 41.38, 64.59),
    ("KG", "Kyrgyzstan", "central-asia", 41.20, 74.77),
    ("KZ", "Kazakhstan", "central-asia", 48.02, 66.92),
    ("IR", "Iran", "southern-asia", 32.43, 53.69),
    ("PK", "Pakistan", "southern-asia", 30.38, 69.35),
    ("TR", "Turkey", "western-asia", 38.96, 35.24),
    ("AZ", "Azerbaijan", "western-asia", 40.14, 47.58),
    ("NL", "Netherlands", "western-europe", 52.13, 5.29),
)
_CITIES = (  # name, country, latitude, longitude
    ("Kabul", "AF", 34.5553, 69.2075),
    ("Herat", "AF", 34.3482, 62.1997),
    ("Kunduz", "AF", 36.7280, 68.8681),
    ("Mazar-i-Sharif", "AF", 36.7090, 67.1109),
    ("Faizabad", "AF", 37.1166, 70.5800),
    ("Kandahar", "AF", 31.6289, 65.7372),
    ("Dushanbe", "TJ", 38.5598, 68.7870),
    ("Khorog", "TJ", 37.4897, 71.5531),
    ("Kulob", "TJ", 37.9146, 69.7845),
    ("Khujand", "TJ", 40.2826, 69.6222),
    ("Panji Poyon", "TJ", 37.2360, 68.5944),
    ("Termez", "UZ", 37.2242, 67.2783),
    ("Tashkent", "UZ", 41.2995, 69.2401),
    ("Samarkand", "UZ", 39.6270, 66.9750),
    ("Andijan", "UZ", 40.7821, 72.3442),
    ("Bishkek", "KG", 42.8746, 74.5698),
    ("Osh", "KG", 40.5283, 72.7985),
    ("Batken", "KG", 40.0626, 70.8194),
    ("Almaty", "KZ", 43.2220, 76.8512),
    ("Aktau", "KZ", 43.6410, 51.1985),
    ("Shymkent", "KZ", 42.3417, 69.5901),
    ("Mashhad", "IR", 36.2605, 59.6168),
    ("Bandar Abbas", "IR", 27.1832, 56.2666),
    ("Zahedan", "IR", 29.4963, 60.8629),
    ("Karachi", "PK", 24.8607, 67.0011),
    ("Quetta", "PK", 30.1798, 66.9750),
    ("Gwadar", "PK", 25.1264, 62.3225),
    ("Peshawar", "PK", 34.0151, 71.5249),
    ("Istanbul", "TR", 41.0082, 28.9784),
    ("Van", "TR", 38.5012, 43.3730),
    ("Mersin", "TR", 36.8121, 34.6415),
    ("Baku", "AZ", 40.4093, 49.8671),
    ("Rotterdam", "NL", 51.9244, 4.4777),
)
_AREAS = (  # name, country, region, latitude, longitude, description
    ("Fergana Valley", "UZ", "central-asia", 40.70, 71.80, "Valley shared by Uzbekistan, Kyrgyzstan and Tajikistan."),
    ("Gorno-Badakhshan", "TJ", "central-asia", 38.30, 73.00, "Autonomous region of eastern Tajikistan."),
    ("Wakhan Corridor", "AF", "southern-asia", 37.00, 73.00, "Strip of Badakhshan between Tajikistan and Pakistan."),
    ("Makran coast", "PK", "southern-asia", 25.30, 61.60, "Arid coast of Balochistan on the Arabian Sea."),
)

# --- actors (all fictional) ---------------------------------------------------------------------

_COUNTRY_OF = {name: code for name, code, *_ in _CITIES}

_GROUPS = (  # key, name, aliases, first seen, description
    (
        "hnw",
        "Harakat Nur al-Wadi",
        ["Nur al-Wadi Movement", "Harakati Nuri Vodi", "Харакат Нур аль-Вади", "حرکت نور الوادی"],
        "2019-05-01",
        "Violent extremist movement founded in northern Afghanistan; recruits among Central Asian labour migrants, "
        "with cells in Kunduz and Badakhshan and a support network in the Fergana Valley.",
    ),
    (
        "kqt",
        "Katibat Qora Tog'",
        ["Black Mountain Battalion", "Katibat Kara Tag", "Катибат Кора Тог", "كتيبة قره طاغ"],
        "2021-03-01",
        "Armed group of Central Asian fighters along the Afghan-Tajik border in Badakhshan; moves weapons and "
        "fighters across the Panj river and cooperates with Harakat Nur al-Wadi.",
    ),
    (
        "jss",
        "Jamaat Sabil al-Sharq",
        ["Eastern Path Society", "Jamoati Sabili Sharq", "Джамаат Сабиль аш-Шарк", "Sabil al-Sharq"],
        "2020-09-01",
        "Extremist network in the Fergana Valley and southern Kyrgyzstan: online radicalisation, small-scale "
        "attacks and fund-raising in cryptocurrency.",
    ),
    (
        "qcf",
        "Qalam Cyber Front",
        ["Qalam Siber Cephesi", "Кибер-фронт Калам", "QCF"],
        "2023-02-01",
        "Hacktivist group supporting Harakat Nur al-Wadi: defacements, DDoS and phishing against government "
        "portals in Central Asia and Turkey.",
    ),
)
_NETWORKS = (  # key, name, aliases, base cities, description
    (
        "zar",
        "Zarafshon Network",
        ["Zeravshan Network", "Сеть Зарафшон", "Zarafshan group"],
        ("Kunduz", "Dushanbe"),
        "Heroin and opium trafficking organisation moving consignments north through Tajikistan and Kyrgyzstan "
        "hidden in dried-fruit and cotton cargo.",
    ),
    (
        "mak",
        "Makran Coast Syndicate",
        ["Makran Syndicate", "Синдикат Макран"],
        ("Gwadar",),
        "Maritime trafficking syndicate shipping heroin and methamphetamine from the Makran coast by dhow and "
        "container.",
    ),
    (
        "cas",
        "Caspian Bridge Group",
        ["Каспийский мост", "Hazar Köprüsü"],
        ("Aktau",),
        "Moves Afghan heroin and precursor chemicals across the Caspian on ferries between Aktau and Baku to Turkey.",
    ),
)
_MILITANTS = (  # key, name, aliases, group, position, city, roles, since, description
    (
        "qahhorov",
        "Abdulvosit Qahhorov",
        ["Abdulvosit Kakhkhorov", "Абдулвосит Каххоров", "Abdul Wasit Qahhar", "Abu Yusuf al-Wakhshi"],
        "hnw",
        "emir",
        "Kunduz",
        ["director"],
        "2019-05-01",
        "Founder and leader of Harakat Nur al-Wadi.",
    ),
    (
        "sharipov",
        "Farhod Sharipov",
        ["Farkhod Sharipov", "Фарход Шарипов", "Farhad Sharifi"],
        "hnw",
        "deputy emir and military commander",
        "Faizabad",
        ["director", "agent"],
        "2019-11-01",
        "Commands the armed cells of Harakat Nur al-Wadi in Badakhshan.",
    ),
    (
        "nazarov",
        "Ilhom Nazarov",
        ["Ilkhom Nazarov", "Илхом Назаров", "Abu Bakr at-Tojiki"],
        "hnw",
        "chief recruiter",
        "Istanbul",
        ["agent"],
        "2021-02-01",
        "Recruits Central Asian labour migrants in Turkey through messenger channels.",
    ),
    (
        "rahimzoda",
        "Davron Rahimzoda",
        ["Davron Rakhimzoda", "Даврон Рахимзода", "Dawran Rahimzada"],
        "hnw",
        "financier",
        "Mashhad",
        ["sponsor"],
        "2020-06-01",
        "Handles hawala transfers and cryptocurrency wallets for Harakat Nur al-Wadi.",
    ),
    (
        "karimzoda",
        "Aziz Karimzoda",
        ["Азиз Каримзода", "Aziz Karimzada"],
        "hnw",
        "head of media office",
        "Kabul",
        ["agent"],
        "2022-01-01",
        "Runs the propaganda output of Harakat Nur al-Wadi in Tajik, Uzbek and Russian.",
    ),
    (
        "safarov",
        "Umed Safarov",
        ["Умед Сафаров", "Umid Safarov"],
        "hnw",
        "logistics coordinator",
        "Termez",
        ["agent"],
        "2023-04-01",
        "Organises the movement of fighters and money across the Termez crossing.",
    ),
    (
        "tursunov",
        "Sherzod Tursunov",
        ["Шерзод Турсунов", "Sherzod Tursunov", "Abu Muslim al-Farghani"],
        "jss",
        "emir",
        "Osh",
        ["director"],
        "2020-09-01",
        "Leader of Jamaat Sabil al-Sharq.",
    ),
    (
        "ergashev",
        "Bakhtiyor Ergashev",
        ["Baxtiyor Ergashev", "Бахтиёр Эргашев"],
        "jss",
        "propaganda chief",
        "Andijan",
        ["agent"],
        "2021-05-01",
        "Produces online recruitment material for Jamaat Sabil al-Sharq.",
    ),
    (
        "abdykadyrov",
        "Nurlan Abdykadyrov",
        ["Нурлан Абдыкадыров", "Nurlan Abdiqadirov"],
        "jss",
        "cell leader, Batken",
        "Batken",
        ["agent"],
        "2022-08-01",
        "Leads the Batken cell of Jamaat Sabil al-Sharq.",
    ),
    (
        "odinaev",
        "Jamshed Odinaev",
        ["Jamshed Odinayev", "Джамшед Одинаев", "Jamshid Odinaev"],
        "kqt",
        "field commander",
        "Khorog",
        ["director", "agent"],
        "2021-03-01",
        "Field commander of Katibat Qora Tog' on the Panj river.",
    ),
    (
        "mirzoev",
        "Rustam Mirzoev",
        ["Рустам Мирзоев", "Rustam Mirzoyev"],
        "kqt",
        "weapons procurement",
        "Peshawar",
        ["agent"],
        "2022-03-01",
        "Buys weapons and ammunition for Katibat Qora Tog' in Pakistan.",
    ),
    (
        "saidakhmedov",
        "Timur Saidakhmedov",
        ["Тимур Саидахмедов", "Temur Saidahmedov", "q4lam_admin"],
        "qcf",
        "administrator",
        "Almaty",
        ["infrastructure-operator"],
        "2023-02-01",
        "Runs the servers and channels of Qalam Cyber Front.",
    ),
)
_ATTACKS = (  # key, name, date, city, attack type, target type, killed, injured, weapon, group, description
    (
        "panj-post",
        "Attack on border post near Panji Poyon",
        "2025-02-18",
        "Panji Poyon",
        "armed-assault",
        "border-post",
        3,
        5,
        "small arms and RPG",
        "kqt",
        "Night attack by about fifteen fighters who crossed the Panj.",
    ),
    (
        "kunduz-market",
        "Market bombing in Kunduz",
        "2025-03-07",
        "Kunduz",
        "bombing",
        "civilians",
        9,
        24,
        "IED in a parked motorcycle",
        "hnw",
        "Device detonated at the vegetable market at midday.",
    ),
    (
        "khorog-convoy",
        "Ambush on police convoy on the Khorog road",
        "2025-04-12",
        "Khorog",
        "shooting",
        "police",
        2,
        4,
        "automatic rifles",
        "kqt",
        "Convoy ambushed on the Pamir highway 40 km west of Khorog.",
    ),
    (
        "osh-bazaar",
        "Vehicle ramming at Osh bazaar",
        "2025-05-03",
        "Osh",
        "vehicle-ramming",
        "civilians",
        4,
        17,
        "light truck",
        "jss",
        "A stolen light truck was driven into shoppers; the driver was arrested.",
    ),
    (
        "faizabad-kidnap",
        "Kidnapping of aid workers in Faizabad",
        "2025-05-28",
        "Faizabad",
        "kidnapping",
        "civilians",
        0,
        0,
        "firearms",
        "hnw",
        "Three aid workers abducted; released after 41 days.",
    ),
    (
        "batken-arson",
        "Arson attack on district administration in Batken",
        "2025-06-21",
        "Batken",
        "arson",
        "government",
        0,
        2,
        "petrol bombs",
        "jss",
        "Building set on fire at night; two guards injured.",
    ),
    (
        "mazar-checkpoint",
        "Suicide bombing at checkpoint in Mazar-i-Sharif",
        "2025-07-15",
        "Mazar-i-Sharif",
        "suicide-bombing",
        "police",
        6,
        11,
        "suicide vest",
        "hnw",
        "Bomber on foot approached a police checkpoint.",
    ),
    (
        "andijan-imam",
        "Stabbing of an imam in Andijan",
        "2025-08-09",
        "Andijan",
        "stabbing",
        "religious",
        1,
        0,
        "knife",
        "jss",
        "Imam who preached against the group killed after Friday prayers.",
    ),
    (
        "termez-rockets",
        "Rocket fire on the Termez border crossing",
        "2025-09-02",
        "Termez",
        "armed-assault",
        "border-post",
        0,
        3,
        "107 mm rockets",
        "hnw",
        "Four rockets fired from the Afghan bank; two hit the terminal.",
    ),
    (
        "dushanbe-plot",
        "Foiled IED plot at Dushanbe bus station",
        "2025-10-20",
        "Dushanbe",
        "bombing",
        "transport",
        0,
        0,
        "IED (defused)",
        "hnw",
        "Device found in a bag and defused; two suspects detained.",
    ),
    (
        "kulob-chief",
        "Assassination of a district police chief in Kulob",
        "2025-11-14",
        "Kulob",
        "assassination",
        "police",
        1,
        1,
        "pistol",
        "kqt",
        "Shot outside his home by two men on a motorcycle.",
    ),
    (
        "shymkent-substation",
        "Sabotage of a power substation near Shymkent",
        "2026-01-08",
        "Shymkent",
        "sabotage",
        "energy",
        0,
        0,
        "explosive charges",
        "jss",
        "Transformer destroyed; 40,000 households without power for a day.",
    ),
)
_CYBER_ATTACKS = (  # key, name, date, city, target type, description
    (
        "defacements",
        "Defacement of ministry portals",
        "2025-03-21",
        "Istanbul",
        "government",
        "Eleven government sites defaced with Harakat Nur al-Wadi propaganda through a vulnerable CMS plugin.",
    ),
    (
        "tax-ddos",
        "DDoS on the tax service portal",
        "2025-06-05",
        "Almaty",
        "government",
        "Six-hour outage of the online tax service during the filing deadline.",
    ),
    (
        "border-phishing",
        "Phishing campaign against border police staff",
        "2025-09-18",
        "Bishkek",
        "police",
        "Fake VPN login pages harvested credentials of border police officers.",
    ),
    (
        "aktau-wiper",
        "Wiper attack on port logistics systems in Aktau",
        "2026-02-03",
        "Aktau",
        "transport",
        "Booking and gate systems of a port operator wiped; ferry traffic delayed for two days.",
    ),
)
_GIVEN = (
    "Saidjon",
    "Firuz",
    "Bekzod",
    "Azamat",
    "Daler",
    "Ulugbek",
    "Kanat",
    "Mirzo",
    "Anvar",
    "Talant",
    "Rustam",
    "Jahongir",
    "Eldor",
    "Nurbek",
    "Zafar",
    "Bakyt",
)
_FAMILY = (
    "Qodirov",
    "Yusupov",
    "Toshmatov",
    "Asanov",
    "Nabiev",
    "Kurbanov",
    "Mamatov",
    "Sadykov",
    "Olimov",
    "Ismoilov",
    "Jumaev",
    "Usmonov",
    "Begaliev",
    "Khamidov",
)
_DRUGS = (  # type, unit, quantity range, USD per unit
    ("heroin", "kg", (3, 160), 18000),
    ("opium", "kg", (15, 600), 2500),
    ("hashish", "kg", (20, 900), 1200),
    ("methamphetamine", "kg", (2, 70), 15000),
    ("tramadol", "tablets", (8000, 240000), 0.4),
    ("precursors", "l", (200, 4000), 12),
)
_CONCEALMENT = (
    "in a false floor of a truck trailer",
    "inside sacks of dried apricots",
    "in the fuel tank of a passenger car",
    "sewn into bales of raw cotton",
    "inside spare tyres",
    "swallowed in pellets by the courier",
    "among crates of pomegranates",
    "in a welded compartment of a tanker",
    "inside car batteries",
    "under a load of coal",
)
_VEHICLES = (  # make, model, VIN prefix, colours
    ("Kamaz", "5490", "XTC", ("orange", "white")),
    ("MAN", "TGX", "WMA", ("white", "blue")),
    ("Howo", "A7", "LZZ", ("red", "white")),
    ("Mercedes-Benz", "Actros", "WDB", ("silver", "white")),
    ("Toyota", "Land Cruiser", "JTM", ("black", "white")),
    ("Lada", "Niva", "XTA", ("green", "beige")),
    ("Chevrolet", "Cobalt", "XWB", ("white", "grey")),
    ("Daewoo", "Nexia", "XWB", ("silver", "black")),
)
_PLATES = {"KG": "99A999AAA", "TJ": "9999AA99", "UZ": "99A999AA", "KZ": "999AAA99", "TR": "99AAA999", "AF": "AAA99999"}
_PHONES = {  # country -> (dialling prefix with a 555 block, digits after it)
    "TJ": ("+99293555", 4),
    "AF": ("+9370555", 4),
    "UZ": ("+99890555", 4),
    "KG": ("+996700555", 3),
    "KZ": ("+7701555", 4),
    "IR": ("+98912555", 4),
    "PK": ("+92300555", 4),
    "TR": ("+90532555", 4),
    "AZ": ("+99450555", 4),
}
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_VIN = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def _ts(day: str, clock: str = "09:00:00") -> str:
    return f"{day}T{clock}.000Z"


def _moment(rng: random.Random, start: str, end: str) -> str:
    first = parse_ts(start)
    span = parse_ts(end) - first
    when = first + timedelta(seconds=rng.randrange(int(span.total_seconds())))
    return format_ts(when, millis=True)


def _later(stamp: str, **delta) -> str:
    return format_ts(parse_ts(stamp) + timedelta(**delta), millis=True)


def _iban(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _imo(rng: random.Random) -> str:
    head = f"{rng.randrange(900000, 999999)}"
    return head + str(sum(int(d) * w for d, w in zip(head, range(7, 1, -1), strict=True)) % 10)


def _fill(rng: random.Random, template: str) -> str:
    return "".join(
        rng.choice("0123456789") if c == "9" else rng.choice("ABCEHKMOPTX") if c == "A" else c for c in template
    )


class _Bundle:
    """The objects one organisation shares with one audience; every object gets a TLP marking."""

    def __init__(self, world: _World, org: str, audience: str, level: str):
        self.world, self.org, self.audience, self.level = world, org, audience, level
        self.author = _IDENTITY[org]
        self.objects: list[dict] = []

    def add(self, obj: dict) -> dict:
        self.objects.append(obj)
        return obj

    def marking(self, level: str | None) -> list[str]:
        return [tlp.TLP2_IDS[level or self.level]]

    def sdo(
        self, type_: str, key: str, created: str, *, level: str | None = None, modified: str | None = None, **props
    ) -> dict:
        obj = {
            "type": type_,
            "spec_version": "2.1",
            "id": _id(type_, key),
            "created_by_ref": self.author,
            "created": created,
            "modified": modified or created,
        }
        obj.update((k, v) for k, v in props.items() if v is not None)
        obj["object_marking_refs"] = self.marking(level)
        return self.add(obj)

    def ext_sdo(self, type_: str, key: str, created: str, *, level: str | None = None, **props) -> dict:
        return self.add(
            new_sdo(
                type_,
                created=created,
                created_by_ref=self.author,
                id_=_id(type_, key),
                object_marking_refs=self.marking(level),
                **props,
            )
        )

    def rel(self, source: dict, kind: str, target: dict, created: str, **props) -> dict:
        return self.sdo(
            "relationship",
            f"{source['id']}/{kind}/{target['id']}",
            created,
            relationship_type=kind,
            source_ref=source["id"],
            target_ref=target["id"],
            **props,
        )

    def sco(self, obj: dict) -> dict:
        """Include an SCO the first time any bundle uses it (SCOs are shared, unversioned objects)."""
        if obj["id"] not in self.world.emitted:
            self.world.emitted.add(obj["id"])
            self.add(obj)
        return obj

    def report(
        self,
        key: str,
        name: str,
        published: str,
        refs: list[dict],
        grading: str,
        *,
        level: str | None = None,
        description: str,
        kind: str = "threat-report",
    ) -> dict:
        reliability, credibility = grading[0], int(grading[1])
        return self.sdo(
            "report",
            key,
            published,
            level=level,
            name=name,
            description=description,
            report_types=[kind],
            published=published,
            object_refs=[o["id"] for o in refs],
            confidence=admiralty_confidence(reliability, credibility),
            extensions=admiralty_grading(reliability, credibility),
        )

    def indicator(
        self,
        key: str,
        name: str,
        pattern: str,
        created: str,
        target: dict,
        *,
        kind: str = "malicious-activity",
        description: str,
        level: str | None = None,
    ) -> dict:
        ind = self.sdo(
            "indicator",
            key,
            created,
            level=level,
            name=name,
            description=description,
            indicator_types=[kind],
            pattern=pattern,
            pattern_type="stix",
            valid_from=created,
        )
        self.rel(ind, "indicates", target, created, level=level)
        return ind

    def note(self, key: str, created: str, refs: list[dict], abstract: str, content: str, **props) -> dict:
        return self.sdo(
            "note", key, created, abstract=abstract, content=content, object_refs=[o["id"] for o in refs], **props
        )

    def opinion(self, key: str, created: str, refs: list[dict], opinion: str, explanation: str) -> dict:
        return self.sdo(
            "opinion", key, created, opinion=opinion, explanation=explanation, object_refs=[o["id"] for o in refs]
        )

    def sighting(self, key: str, of: dict, first_seen: str, count: int, where: list[str], **props) -> dict:
        return self.sdo(
            "sighting",
            key,
            _later(first_seen, days=2),
            sighting_of_ref=of["id"],
            first_seen=first_seen,
            last_seen=_later(first_seen, days=1),
            count=count,
            where_sighted_refs=where,
            **props,
        )


class _World:
    """Builds the bundles in import order; `o` holds objects later bundles refer to."""

    def __init__(self):
        self.bundles: list[_Bundle] = []
        self.emitted: set[str] = set()
        self.o: dict[str, dict] = {}

    def bundle(self, org: str, audience: str, level: str) -> _Bundle:
        self.bundles.append(_Bundle(self, org, audience, level))
        return self.bundles[-1]

    def observable(self, type_: str, **props) -> dict:
        """A TLP:AMBER SCO, of a STIX or a Liaison extension type."""
        marking = [tlp.TLP2_IDS["amber"]]
        if type_ in ("domain-name", "ipv4-addr", "url", "email-addr"):
            return {
                "type": type_,
                "spec_version": "2.1",
                "id": sco_id(type_, {"value": props["value"]}),
                **props,
                "object_marking_refs": marking,
            }
        return new_sco(type_, object_marking_refs=marking, **props)

    def phone(self, rng: random.Random, country: str, line_type: str = "mobile") -> dict:
        prefix, digits = _PHONES[country]
        value = prefix + "".join(rng.choice("0123456789") for _ in range(digits))
        return self.observable("phone-number", value=value, country=country, line_type=line_type)

    def wallet(self, rng: random.Random, currency: str) -> dict:
        if currency == "BTC":
            value = "bc1q" + "".join(rng.choice(_BECH32) for _ in range(38))
        elif currency in ("ETH", "USDT-ERC20"):
            value = "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40))
        elif currency == "XMR":
            value = "4" + "".join(rng.choice(_BASE58) for _ in range(94))
        else:
            value = "T" + "".join(rng.choice(_BASE58) for _ in range(33))
        return self.observable("cryptocurrency-wallet", value=value, currency=currency)

    def vehicle(self, rng: random.Random, country: str) -> dict:
        make, model, wmi, colours = rng.choice(_VEHICLES)
        vin = wmi + "".join(rng.choice(_VIN) for _ in range(14)) if rng.random() < 0.6 else None
        return self.observable(
            "vehicle",
            registration=_fill(rng, _PLATES[country]),
            vin=vin,
            make=make,
            model=model,
            colour=rng.choice(colours),
            country=country,
        )

    def holdings(self) -> list[tuple[str, str, dict]]:
        return [
            (
                _NAME[b.org],
                b.audience,
                {"type": "bundle", "id": _id("bundle", f"{n}/{b.org}/{b.audience}"), "objects": b.objects},
            )
            for n, b in enumerate(self.bundles)
        ]


def _foundation(w: _World) -> None:
    b = w.bundle("psc", "instance", "clear")
    b.objects.extend(tlp.marking_definitions())
    b.add(LIAISON_IDENTITY)
    b.objects.extend(EXTENSION_DEFINITIONS)
    for org in ORGANISATIONS:
        b.add(
            {
                "type": "identity",
                "spec_version": "2.1",
                "id": org["identity_id"],
                "created_by_ref": org["identity_id"],
                "created": _ts("2025-01-02"),
                "modified": _ts("2025-01-02"),
                "name": org["name"],
                "description": org["description"],
                "identity_class": "organization",
                "sectors": ["government-national"],
                "object_marking_refs": [tlp.TLP2_IDS["clear"]],
            }
        )


def _reference(w: _World) -> None:
    """Shared with the whole instance: the gazetteer and public profiles of groups and networks."""
    o = w.o
    b = w.bundle("psc", "instance", "clear")
    created = _ts("2025-01-05")
    for code, name, region, lat, lon in _COUNTRIES:
        o[code] = b.sdo(
            "location", f"country/{code}", created, name=name, country=code, region=region, latitude=lat, longitude=lon
        )
    for name, code, lat, lon in _CITIES:
        o[name] = b.sdo(
            "location", f"city/{name}", created, name=name, city=name, country=code, latitude=lat, longitude=lon
        )
    for name, code, region, lat, lon, description in _AREAS:
        o[name] = b.sdo(
            "location",
            f"area/{name}",
            created,
            name=name,
            description=description,
            administrative_area=name,
            country=code,
            region=region,
            latitude=lat,
            longitude=lon,
        )

    b = w.bundle("psc", "instance", "green")
    created = _ts("2025-01-15")
    for key, name, aliases, since, description in _GROUPS:
        o[key] = b.sdo(
            "intrusion-set",
            f"group/{key}",
            created,
            name=name,
            aliases=aliases,
            description=description,
            first_seen=_ts(since, "00:00:00"),
            resource_level="organization",
            primary_motivation="ideology",
        )
    for key, name, aliases, cities, description in _NETWORKS:
        o[key] = b.sdo(
            "threat-actor",
            f"network/{key}",
            created,
            name=name,
            aliases=aliases,
            description=description,
            threat_actor_types=["crime-syndicate"],
            resource_level="organization",
            primary_motivation="personal-gain",
            sophistication="expert",
        )
        for city in cities:
            b.rel(o[key], "located-at", o[city], created)
    links = [
        b.rel(o[group], "originates-from", o[place], created)
        for group, place in (("hnw", "AF"), ("kqt", "Wakhan Corridor"), ("jss", "Fergana Valley"))
    ]
    links += [
        b.rel(o[group], "targets", o[place], created)
        for group, place in (
            ("hnw", "TJ"),
            ("hnw", "UZ"),
            ("kqt", "TJ"),
            ("jss", "KG"),
            ("jss", "UZ"),
            ("qcf", "TR"),
            ("qcf", "KZ"),
        )
    ]
    groups = [o[key] for key, *_ in _GROUPS] + [o[key] for key, *_ in _NETWORKS]
    o["landscape"] = b.report(
        "report/landscape-2025",
        "Regional threat landscape 2025 (public summary)",
        _ts("2025-02-10"),
        groups + links,
        "B2",
        description="Public summary of the extremist groups and trafficking networks the partners follow.",
    )


def _counter_terrorism(w: _World) -> None:
    """The counter-terrorism directorate's holdings: members, attacks, phones and wallets."""
    o, rng = w.o, random.Random("demo/ct")
    b = w.bundle("ctd", "group:central-asia-ct", "amber")
    created = _ts("2025-02-03")
    members = {}
    for key, name, aliases, group, position, city, roles, since, description in _MILITANTS:
        person = o[key] = b.sdo(
            "threat-actor",
            f"person/{key}",
            created,
            name=name,
            aliases=aliases,
            description=description,
            threat_actor_types=["terrorist"],
            roles=roles,
            resource_level="individual",
            primary_motivation="ideology",
        )
        members[key] = b.rel(
            person,
            "member-of",
            o[group],
            created,
            start_time=_ts(since, "00:00:00"),
            extensions=property_extension("organisation-position", position=position, held_from=_ts(since, "00:00:00")),
        )
        b.rel(person, "located-at", o[city], created)
    o["member:sharipov"] = members["sharipov"]

    incidents = {}
    for key, name, day, city, kind, target, killed, injured, weapon, group, description in _ATTACKS:
        when = _ts(day, f"{rng.randrange(6, 22):02d}:{rng.randrange(60):02d}:00")
        incident = incidents[key] = b.sdo(
            "incident",
            f"incident/{key}",
            _later(when, days=1),
            name=name,
            description=description,
            extensions=property_extension(
                "attack-details",
                attack_type=kind,
                killed=killed,
                injured=injured,
                target_type=target,
                weapon=weapon,
                occurred_at=when,
                location_ref=o[city]["id"],
            ),
        )
        b.rel(incident, "attributed-to", o[group], _later(when, days=3))
    o.update({f"incident:{k}": v for k, v in incidents.items()})

    phones = []
    for key, _name, _aliases, _group, _position, city, *_rest in _MILITANTS:
        for n in range(2 if key in ("qahhorov", "rahimzoda", "tursunov") else 1):
            phone = b.sco(w.phone(rng, _COUNTRY_OF[city] if n == 0 else "TR"))
            b.rel(o[key], "related-to", phone, created, description="Uses this number.")
            phones.append(
                b.indicator(
                    f"ind/phone/{key}/{n}",
                    f"Phone number used by {o[key]['name']}",
                    f"[phone-number:value = '{phone['value']}']",
                    _ts("2025-02-04"),
                    o[key],
                    kind="attribution",
                    description="Number attributed from lawful intercept.",
                )
            )
    o["ct-phones"] = phones
    wallets = []
    for owner, currency in (
        ("rahimzoda", "BTC"),
        ("rahimzoda", "USDT-TRC20"),
        ("rahimzoda", "XMR"),
        ("jss", "USDT-TRC20"),
        ("jss", "ETH"),
        ("qcf", "BTC"),
    ):
        wallet = b.sco(w.wallet(rng, currency))
        b.rel(o[owner], "related-to", wallet, created, description="Receives funds in this wallet.")
        wallets.append(
            b.indicator(
                f"ind/wallet/{owner}/{currency}",
                f"{currency} wallet of {o[owner]['name']}",
                f"[cryptocurrency-wallet:value = '{wallet['value']}']",
                _ts("2025-02-05"),
                o[owner],
                description="Donations to this wallet fund the group.",
            )
        )

    arms = b.ext_sdo(
        "trafficking-route",
        "route/arms-panj",
        _ts("2025-03-01"),
        name="Panj arms corridor",
        description="Weapons bought in Pakistan reach Katibat Qora Tog' cells in Tajikistan.",
        commodity="arms",
        waypoint_refs=[o[c]["id"] for c in ("Peshawar", "Kabul", "Kunduz", "Panji Poyon", "Kulob")],
        modes=["land"],
        first_seen=_ts("2022-03-01"),
        last_seen=_ts("2025-11-01"),
    )
    b.rel(o["kqt"], "uses", arms, _ts("2025-03-01"))
    hnw = [o[k] for k, *_r in _MILITANTS if _r[2] == "hnw"]
    o["ct-reports"] = [
        b.report(
            "report/hnw-leadership",
            "Harakat Nur al-Wadi leadership structure (Q2 2025)",
            _ts("2025-06-30"),
            [o["hnw"], *hnw, *(members[k] for k, *_r in _MILITANTS if _r[2] == "hnw")],
            "B2",
            description="Who leads Harakat Nur al-Wadi, from where, and since when.",
        ),
        b.report(
            "report/jss-kyrgyzstan",
            "Jamaat Sabil al-Sharq in southern Kyrgyzstan",
            _ts("2025-09-10"),
            [o["jss"], o["tursunov"], o["abdykadyrov"], incidents["osh-bazaar"], incidents["batken-arson"]],
            "C3",
            description="Attacks and cells of the group around Osh and Batken.",
        ),
        b.report(
            "report/kqt-badakhshan",
            "Katibat Qora Tog' cross-border operations in Badakhshan",
            _ts("2025-12-01"),
            [
                o["kqt"],
                o["odinaev"],
                o["mirzoev"],
                arms,
                incidents["panj-post"],
                incidents["khorog-convoy"],
                incidents["kulob-chief"],
            ],
            "B3",
            description="How the group crosses the Panj, with what weapons, and where it strikes.",
        ),
        b.report(
            "report/crypto-funding",
            "Cryptocurrency fund-raising by Central Asian extremist groups",
            _ts("2026-01-25"),
            [o["hnw"], o["jss"], *wallets],
            "A2",
            level="red",
            description="Wallets, exchanges and cash-out points; shared with the group only.",
        ),
    ]

    b = w.bundle("ctd", "org", "red")
    source = b.report(
        "report/termez-debrief",
        "Source debrief: Harakat Nur al-Wadi couriers in Termez",
        _ts("2025-05-19"),
        [o["safarov"], o["hnw"], o["Termez"]],
        "C2",
        description="Human source reports weekly cash couriers crossing at Termez.",
    )
    poi = b.sdo(
        "identity",
        "person/hasanov",
        _ts("2025-05-20"),
        level="amber+strict",
        name="Komil Hasanov",
        identity_class="individual",
        description="Taxi driver in Termez suspected of moving couriers.",
        extensions=property_extension(
            "organisation-position", position="driver", organisation_ref=o["hnw"]["id"], held_from=_ts("2024-10-01")
        ),
    )
    b.rel(
        poi, "related-to", o["safarov"], _ts("2025-05-20"), level="amber+strict", description="Drives for Umed Safarov."
    )
    b.note(
        "note/qahhorov-herat",
        _ts("2025-04-02"),
        [o["qahhorov"]],
        "Travel to Herat",
        "Source reports Qahhorov spent a week in Herat in March 2025, meeting a money changer.",
    )
    b.note(
        "note/source-protection",
        _ts("2025-05-21"),
        [source, poi],
        "Source protection",
        "Do not share the debrief or the identity of the driver outside the directorate.",
        level="amber+strict",
    )


def _narcotics(w: _World) -> None:
    """Routes the security council compiled, then the drug control service's seizures and couriers."""
    o = w.o
    b = w.bundle("psc", "group:narcotics-taskforce", "amber")
    created = _ts("2025-01-20")
    o["route:balkan"] = b.ext_sdo(
        "trafficking-route",
        "route/balkan",
        created,
        name="Balkan route via Iran and Turkey",
        description="Afghan heroin through Iran and eastern Turkey to Istanbul and on to the Balkans.",
        commodity="drugs",
        waypoint_refs=[o[c]["id"] for c in ("Herat", "Mashhad", "Van", "Istanbul")],
        modes=["land"],
        first_seen=_ts("2015-01-01"),
    )
    o["route:makran"] = b.ext_sdo(
        "trafficking-route",
        "route/makran",
        created,
        name="Southern maritime route",
        description="Heroin and methamphetamine by road to the coast of Pakistan, then by container to Europe.",
        commodity="drugs",
        waypoint_refs=[o[c]["id"] for c in ("Kandahar", "Quetta", "Karachi", "Rotterdam")],
        modes=["land", "sea"],
        first_seen=_ts("2018-01-01"),
    )
    b.rel(o["mak"], "uses", o["route:makran"], created)

    rng = random.Random("demo/dcs")
    b = w.bundle("dcs", "group:narcotics-taskforce", "amber")
    created = _ts("2025-02-01")
    routes = {
        "pamir": b.ext_sdo(
            "trafficking-route",
            "route/pamir",
            created,
            name="Pamir highway route",
            description="Heroin from Badakhshan along the Pamir highway to Osh and Bishkek.",
            commodity="drugs",
            waypoint_refs=[o[c]["id"] for c in ("Faizabad", "Khorog", "Osh", "Bishkek", "Almaty")],
            modes=["land"],
            first_seen=_ts("2019-06-01"),
            last_seen=_ts("2026-01-30"),
        ),
        "fergana": b.ext_sdo(
            "trafficking-route",
            "route/fergana",
            created,
            name="Fergana route",
            description="Across the Panj at Panji Poyon, through Dushanbe and Khujand into "
            "the Kyrgyz part of the Fergana Valley.",
            commodity="drugs",
            waypoint_refs=[
                o[c]["id"] for c in ("Kunduz", "Panji Poyon", "Dushanbe", "Khujand", "Batken", "Osh", "Bishkek")
            ],
            modes=["land"],
            first_seen=_ts("2016-01-01"),
            last_seen=_ts("2026-02-10"),
        ),
    }
    o.update({f"route:{k}": v for k, v in routes.items()})
    b.rel(o["zar"], "uses", routes["pamir"], created)
    b.rel(o["zar"], "uses", routes["fergana"], created)
    companies = {
        "kestrel": b.sdo(
            "identity",
            "company/kestrel",
            created,
            name="Kestrel Trans Logistics LLC",
            identity_class="organization",
            description="Osh trucking firm whose trailers carried three seized heroin loads.",
        ),
        "aral": b.sdo(
            "identity",
            "company/aral",
            created,
            name="Aral Dried Fruit Export",
            identity_class="organization",
            description="Exporter of dried apricots used as cover cargo.",
        ),
    }
    for company in companies.values():
        b.rel(company, "related-to", o["zar"], created, description="Front company of the network.")
    couriers, seizures = [], []
    names = iter(rng.sample([f"{g} {f}" for g in _GIVEN for f in _FAMILY], 40))
    for n, when in enumerate(sorted(_moment(rng, "2025-01-10", "2026-02-20") for _ in range(18))):
        drug, unit, (low, high), price = _DRUGS[rng.choices(range(len(_DRUGS)), (6, 3, 3, 2, 2, 1))[0]]
        route = rng.choice(("pamir", "fergana", None))
        city = rng.choice(("Osh", "Bishkek") if route == "pamir" else ("Batken", "Osh", "Bishkek"))
        quantity = rng.randrange(low, high) if unit != "kg" else round(rng.uniform(low, high), 1)
        vehicle = b.sco(w.vehicle(rng, rng.choice(("KG", "KG", "TJ", "UZ"))))
        courier = b.sdo(
            "identity",
            f"courier/dcs/{n}",
            _later(when, hours=6),
            name=next(names),
            identity_class="individual",
            description=f"Arrested at the seizure in {city}.",
        )
        couriers.append(courier)
        seizure = b.ext_sdo(
            "drug-seizure",
            f"seizure/dcs/{n}",
            _later(when, hours=8),
            name=f"{quantity:g} {unit} of {drug} seized in {city}",
            seized_at=when,
            drug_type=drug,
            quantity=quantity,
            quantity_unit=unit,
            estimated_value=round(quantity * price, -2),
            currency="USD",
            concealment_method=rng.choice(_CONCEALMENT),
            location_ref=o[city]["id"],
            route_ref=routes[route]["id"] if route else None,
            object_refs=[vehicle["id"], courier["id"]],
            extensions=admiralty_grading("A", 1),
        )
        seizures.append(seizure)
        if route:
            b.rel(seizure, "attributed-to", o["zar"], _later(when, days=5))
    for n, courier in enumerate(couriers[:7]):
        b.rel(
            courier,
            "member-of",
            o["zar"],
            courier["created"],
            extensions=property_extension(
                "organisation-position", position=("driver", "courier", "stash-house keeper")[n % 3]
            ),
        )
    phones, numbers = [], []
    for n, courier in enumerate(couriers[:8]):
        phone = b.sco(w.phone(rng, ("KG", "TJ", "AF")[n % 3]))
        numbers.append(phone)
        b.rel(courier, "related-to", phone, courier["created"], description="Phone found on the courier.")
        phones.append(
            b.indicator(
                f"ind/dcs-phone/{n}",
                "Phone of a Zarafshon Network courier",
                f"[phone-number:value = '{phone['value']}']",
                courier["created"],
                o["zar"],
                kind="attribution",
                description="Number extracted from a seized handset.",
            )
        )
    wallets = []
    for n in range(3):
        wallet = b.sco(w.wallet(rng, "USDT-TRC20"))
        wallets.append(
            b.indicator(
                f"ind/dcs-wallet/{n}",
                "USDT wallet paying Zarafshon couriers",
                f"[cryptocurrency-wallet:value = '{wallet['value']}']",
                _ts("2025-08-01"),
                o["zar"],
                description="Couriers were paid from this wallet after delivery.",
            )
        )
    o.update({"dcs-phones": phones, "dcs-numbers": numbers, "dcs-seizures": seizures})
    o["dcs-reports"] = [
        b.report(
            "report/northern-h1",
            "Northern route seizures, first half of 2025",
            _ts("2025-07-15"),
            [routes["pamir"], routes["fergana"], *(s for s in seizures if s["seized_at"] < "2025-07")],
            "B2",
            description="Seizures on the Pamir and Fergana routes and what they say about the network.",
        ),
        b.report(
            "report/pamir-couriers",
            "Courier network on the Pamir highway",
            _ts("2025-10-05"),
            [o["zar"], *couriers[:7], *phones],
            "B3",
            description="Drivers, stash houses and phones of the Zarafshon Network between Khorog and Osh.",
        ),
        b.report(
            "report/usdt-payments",
            "USDT payments for heroin consignments",
            _ts("2025-12-12"),
            [o["zar"], *wallets],
            "C3",
            description="Couriers are now paid in USDT on TRON.",
        ),
    ]

    b = w.bundle("dcs", "group:central-asia-ct", "amber")
    links = [
        b.rel(
            o["zar"],
            "related-to",
            o["hnw"],
            _ts("2025-08-20"),
            description="Pays Harakat Nur al-Wadi for safe passage through Kunduz.",
        ),
        b.rel(
            o["zar"],
            "related-to",
            o["kqt"],
            _ts("2025-08-20"),
            description="Katibat Qora Tog' escorts consignments to the Panj.",
        ),
    ]
    b.report(
        "report/narco-financing",
        "Narcotics revenues financing extremist groups",
        _ts("2025-08-20"),
        [o["zar"], o["hnw"], o["kqt"], *links],
        "C3",
        description="Estimated transit fees paid by the Zarafshon Network to armed groups.",
    )

    b = w.bundle("dcs", "org", "red")
    o["delivery"] = b.report(
        "report/osh-delivery",
        "Planned controlled delivery via Osh",
        _ts("2025-09-01"),
        [routes["pamir"], couriers[3]],
        "B2",
        description="A 40 kg consignment will be allowed through Khorog; interception "
        "planned at Osh. Restricted to the service.",
    )
    b.note(
        "note/delivery-team",
        _ts("2025-09-02"),
        [o["delivery"]],
        "Surveillance team",
        "Two vehicles and a drone crew assigned from 10 September.",
    )


def _customs(w: _World) -> None:
    """Customs intelligence: the Caspian route, vessels, payments and its seizures at ports."""
    o, rng = w.o, random.Random("demo/customs")
    b = w.bundle("customs", "group:narcotics-taskforce", "amber")
    created = _ts("2025-03-01")
    route = o["route:caspian"] = b.ext_sdo(
        "trafficking-route",
        "route/caspian",
        created,
        name="Caspian ferry route",
        description="Through Uzbekistan to Aktau, across the Caspian to Baku and by road to Istanbul.",
        commodity="drugs",
        waypoint_refs=[o[c]["id"] for c in ("Mazar-i-Sharif", "Termez", "Samarkand", "Aktau", "Baku", "Istanbul")],
        modes=["land", "sea"],
        first_seen=_ts("2020-01-01"),
        last_seen=_ts("2026-02-01"),
    )
    b.rel(o["cas"], "uses", route, created)
    vessels = [
        b.sco(w.observable("vessel", **props))
        for props in (
            {"name": "Aral Breeze", "imo": _imo(rng), "flag_country": "KZ", "vessel_type": "general-cargo"},
            {
                "name": "Shirvan Star",
                "imo": _imo(rng),
                "mmsi": "423" + f"{rng.randrange(10**6):06d}",
                "flag_country": "AZ",
                "vessel_type": "ferry",
            },
            {"name": "Karavan Trader", "imo": _imo(rng), "flag_country": "PA", "vessel_type": "general-cargo"},
            {"name": "Meridian Hope", "imo": _imo(rng), "flag_country": "LR", "vessel_type": "container"},
            {"name": "Nur Jamal", "flag_country": "PK", "vessel_type": "dhow"},
            {
                "name": "Al Manara 7",
                "mmsi": "422" + f"{rng.randrange(10**6):06d}",
                "flag_country": "IR",
                "vessel_type": "dhow",
            },
        )
    ]
    for vessel in vessels[:3]:
        b.rel(o["cas"], "related-to", vessel, created, description="Vessel used by the group.")
    for vessel in vessels[3:]:
        b.rel(o["mak"], "related-to", vessel, created, description="Vessel used by the syndicate.")
    accounts = [
        b.sco(w.observable("bank-account", **props))
        for props in (
            {
                "iban": _iban("TR", f"00987{rng.randrange(10**17):017d}"),
                "bic": "ANPBTRIS",
                "country": "TR",
                "bank_name": "Anatolia Participation Bank",
            },
            {
                "iban": _iban("AZ", f"ABSH{rng.randrange(10**20):020d}"),
                "bic": "ABSHAZ22",
                "country": "AZ",
                "bank_name": "Absheron Commercial Bank",
            },
            {
                "iban": _iban("AE", f"071{rng.randrange(10**16):016d}"),
                "bic": "GMBKAEAD",
                "country": "AE",
                "bank_name": "Gulf Meridian Bank",
            },
            {
                "iban": _iban("KZ", f"914{rng.randrange(10**13):013d}"),
                "bic": "STTBKZKA",
                "country": "KZ",
                "bank_name": "Steppe Trust Bank",
            },
            {
                "account_number": f"1280{rng.randrange(10**12):012d}",
                "bic": "ALSBKG22",
                "country": "KG",
                "bank_name": "Alatoo Savings Bank",
            },
        )
    ]
    companies = [
        b.sdo(
            "identity",
            "company/caspian-star",
            created,
            name="Caspian Star Shipping Agency",
            identity_class="organization",
            description="Baku shipping agent booking trailers on the Aktau ferry.",
        ),
        b.sdo(
            "identity",
            "company/silk-fortune",
            created,
            name="Silk Fortune Exchange",
            identity_class="organization",
            description="Istanbul money exchange settling the network's payments.",
        ),
    ]
    for company, account in ((companies[0], accounts[1]), (companies[1], accounts[0]), (companies[1], accounts[2])):
        b.rel(company, "related-to", account, created, description="Holds this account.")
    for company in companies:
        b.rel(company, "related-to", o["cas"], created, description="Front company of the group.")
    seizures = []
    for n, when in enumerate(sorted(_moment(rng, "2025-02-01", "2026-02-25") for _ in range(8))):
        drug, unit, (low, high), price = _DRUGS[(0, 0, 5, 3, 0, 5, 2, 0)[n]]
        if n % 2 == 0:  # on the Aktau ferries
            city, ref, carrier = "Aktau", route, vessels[n % 3]
        else:  # at road checkpoints, some from the Pamir route
            city, ref = rng.choice(("Almaty", "Shymkent")), o["route:pamir"] if n % 4 == 1 else None
            carrier = b.sco(w.vehicle(rng, "KZ"))
        quantity = round(rng.uniform(low, high), 1)
        seizures.append(
            b.ext_sdo(
                "drug-seizure",
                f"seizure/customs/{n}",
                _later(when, hours=10),
                name=f"{quantity:g} {unit} of {drug} seized at {city}",
                seized_at=when,
                drug_type=drug,
                quantity=quantity,
                quantity_unit=unit,
                estimated_value=round(quantity * price, -2),
                currency="USD",
                concealment_method=rng.choice(_CONCEALMENT),
                location_ref=o[city]["id"],
                route_ref=ref["id"] if ref else None,
                object_refs=[carrier["id"]],
                extensions=admiralty_grading("A", 1),
            )
        )
    for seizure in seizures[::2]:
        b.rel(seizure, "attributed-to", o["cas"], seizure["created"])
    b.report(
        "report/caspian-ferries",
        "Heroin on Caspian ferries",
        _ts("2025-11-20"),
        [route, o["cas"], *vessels[:3], *(s for s in seizures[::2] if s["seized_at"] < "2025-11-20"), *companies],
        "B2",
        description="Trailers booked by one agent carried four of the loads seized at Aktau.",
    )
    b.report(
        "report/payments",
        "Payment channels of the Caspian Bridge Group",
        _ts("2026-01-15"),
        [o["cas"], *companies, *accounts],
        "C3",
        description="Exchange houses and accounts receiving proceeds in Istanbul and Dubai.",
    )
    observed = b.sdo(
        "observed-data",
        "observed/customs-phones",
        _ts("2025-10-02"),
        first_observed=_ts("2025-09-28"),
        last_observed=_ts("2025-10-01"),
        number_observed=3,
        object_refs=[o["dcs-numbers"][0]["id"]],
    )
    for n, indicator in enumerate(o["dcs-phones"][:3]):
        b.sighting(
            f"sighting/customs/{n}",
            indicator,
            _ts(f"2025-{9 + n:02d}-28"),
            2 + n,
            [_IDENTITY["customs"], o["Aktau"]["id"]],
            observed_data_refs=[observed["id"]] if n == 0 else None,
            description="Number active on a truck driver's phone at the Aktau ferry.",
        )
    b.note(
        "note/customs-kestrel",
        _ts("2025-10-10"),
        [o["dcs-seizures"][0]],
        "Same trailer owner",
        "The trailer in this seizure is registered to a company that also ships through Aktau.",
    )
    b.note(
        "note/customs-pamir",
        _ts("2025-12-02"),
        [o["route:pamir"]],
        "Route extends to Aktau",
        "Two loads seized at Aktau had been repacked in Almaty; the Pamir route feeds the Caspian route.",
    )
    b.opinion(
        "opinion/customs-h1",
        _ts("2025-07-20"),
        [o["dcs-reports"][0]],
        "agree",
        "Matches the loads we see at Almaty rail terminal.",
    )
    b.opinion(
        "opinion/customs-usdt",
        _ts("2025-12-15"),
        [o["dcs-reports"][2]],
        "strongly-agree",
        "Two of the wallets also paid Caspian ferry drivers.",
    )
    b.opinion(
        "opinion/customs-seizure",
        _ts("2025-06-01"),
        [o["dcs-seizures"][1]],
        "disagree",
        "Laboratory results show the substance was not heroin but a cutting agent.",
    )
    o["accounts"] = accounts

    b = w.bundle("customs", "org", "amber+strict")
    b.note(
        "note/customs-account",
        _ts("2026-01-20"),
        [accounts[0]],
        "Account frozen",
        "Account frozen by court order on 18 January 2026; do not contact the bank.",
    )


def _cert(w: _World) -> None:
    """The national CERT's holdings on Qalam Cyber Front infrastructure and attacks."""
    o, rng = w.o, random.Random("demo/cert")
    b = w.bundle("cert", "group:cert-network", "amber")
    created = _ts("2025-03-25")
    ips = [
        b.sco(w.observable("ipv4-addr", value=ip))
        for ip in (
            "198.51.100.17",
            "198.51.100.44",
            "198.51.100.203",
            "203.0.113.9",
            "203.0.113.77",
            "203.0.113.150",
            "192.0.2.31",
            "192.0.2.200",
        )
    ]
    domains = [
        b.sco(w.observable("domain-name", value=name, resolves_to_refs=[ips[n % len(ips)]["id"]]))
        for n, name in enumerate(
            (
                "qalam-front.example",
                "qalam-leaks.example",
                "nurwadi-media.example",
                "gov-portal-update.example",
                "mail-gov-login.example",
                "border-police-vpn.example",
                "tax-refund-kz.example",
                "cdn-static-assets.example",
                "ddos-panel.example",
                "paste-mirror.example",
                "secure-docs-share.example",
                "update-check-service.example",
            )
        )
    ]
    urls = [
        b.sco(w.observable("url", value=value))
        for value in (
            "https://gov-portal-update.example/login.php",
            "https://border-police-vpn.example/auth/",
            "http://198.51.100.44/panel/",
            "https://secure-docs-share.example/d/ministry-circular.zip",
            "https://qalam-leaks.example/dump/",
        )
    ]
    emails = [
        b.sco(w.observable("email-addr", value=value))
        for value in (
            "noreply@gov-portal-update.example",
            "hr-department@mail-gov-login.example",
            "qalam.front@qalam-front.example",
        )
    ]
    infra = [
        b.sdo(
            "infrastructure",
            "infra/qcf-phishing",
            created,
            name="Qalam Cyber Front phishing hosting",
            infrastructure_types=["phishing"],
            description="Servers hosting fake government login pages.",
        ),
        b.sdo(
            "infrastructure",
            "infra/qcf-c2",
            created,
            name="Qalam Cyber Front DDoS control servers",
            infrastructure_types=["botnet", "command-and-control"],
            description="Panels steering a rented botnet.",
        ),
    ]
    for item in infra:
        b.rel(o["qcf"], "uses", item, created)
    for n, ip in enumerate(ips):
        b.rel(infra[n % 2], "consists-of", ip, created)
    indicators = []
    for n, domain in enumerate(domains):
        if n == 7:
            continue
        indicators.append(
            b.indicator(
                f"ind/domain/{n}",
                f"Qalam Cyber Front domain {domain['value']}",
                f"[domain-name:value = '{domain['value']}']",
                created,
                o["qcf"],
                description="Domain registered by the group for phishing or propaganda.",
            )
        )
    indicators += [
        b.indicator(
            f"ind/ip/{n}",
            f"Qalam Cyber Front server {ip['value']}",
            f"[ipv4-addr:value = '{ip['value']}']",
            created,
            o["qcf"],
            description="Server hosting the group's panels.",
        )
        for n, ip in enumerate(ips[:4])
    ]
    indicators += [
        b.indicator(
            f"ind/url/{n}",
            "Qalam Cyber Front phishing page",
            f"[url:value = '{url['value']}']",
            created,
            o["qcf"],
            description="Credential-harvesting page.",
        )
        for n, url in enumerate(urls[:3])
    ]
    indicators += [
        b.indicator(
            f"ind/email/{n}",
            f"Phishing sender {email['value']}",
            f"[email-addr:value = '{email['value']}']",
            created,
            o["qcf"],
            description="Sender of phishing mail to government staff.",
        )
        for n, email in enumerate(emails[:2])
    ]
    o["fp-indicator"] = b.indicator(
        "ind/domain/7",
        "Qalam Cyber Front domain cdn-static-assets.example",
        "[domain-name:value = 'cdn-static-assets.example']",
        created,
        o["qcf"],
        description="Domain seen in defacement payloads.",
    )
    incidents = []
    for key, name, day, city, target, description in _CYBER_ATTACKS:
        when = _ts(day, f"{rng.randrange(0, 24):02d}:{rng.randrange(60):02d}:00")
        incidents.append(
            b.sdo(
                "incident",
                f"incident/{key}",
                _later(when, hours=12),
                name=name,
                description=description,
                extensions=property_extension(
                    "attack-details",
                    attack_type="cyber",
                    killed=0,
                    injured=0,
                    target_type=target,
                    weapon="phishing kit" if "phishing" in key else None,
                    occurred_at=when,
                    location_ref=o[city]["id"],
                ),
            )
        )
        b.rel(incidents[-1], "attributed-to", o["qcf"], _later(when, days=2))
    o["cert-incidents"], o["cert-indicators"] = incidents, indicators
    o["cert-reports"] = [
        b.report(
            "report/qcf-infra",
            "Qalam Cyber Front infrastructure",
            _ts("2025-04-02"),
            [o["qcf"], *infra, *indicators[:12]],
            "A2",
            description="Domains, servers and mail senders of the group, with their hosting.",
        ),
        b.report(
            "report/qcf-campaigns",
            "Qalam Cyber Front campaigns 2025",
            _ts("2026-02-10"),
            [o["qcf"], *incidents],
            "B3",
            description="Defacement, DDoS, phishing and the Aktau wiper.",
        ),
    ]

    b = w.bundle("cert", "instance", "green")
    public = [
        b.indicator(
            f"ind/public/{n}",
            f"Qalam Cyber Front domain {domains[n]['value']}",
            f"[domain-name:value = '{domains[n]['value']}']",
            _ts("2025-04-05"),
            o["qcf"],
            description="Block at the resolver and the mail gateway.",
        )
        for n in (0, 1, 2, 3)
    ]
    b.report(
        "report/qcf-advisory",
        "Advisory: Qalam Cyber Front defacement wave",
        _ts("2025-04-05"),
        [o["qcf"], *public],
        "B2",
        kind="indicator",
        description="Patch the CMS plugin and block the listed domains.",
    )


def _feedback(w: _World) -> None:
    """Partners' sightings, notes and opinions on each other's objects."""
    o = w.o
    b = w.bundle("ctd", "group:cert-network", "amber")
    for n, indicator in enumerate(o["cert-indicators"][:3]):
        b.sighting(
            f"sighting/ctd/{n}",
            indicator,
            _ts(f"2025-0{5 + n}-14"),
            4 * (n + 1),
            [_IDENTITY["ctd"]],
            description="Seen in proxy logs of a ministry network.",
        )
    b.note(
        "note/ctd-phishing",
        _ts("2025-09-25"),
        [o["cert-incidents"][2]],
        "Also hit our staff",
        "Seven directorate officers received the same lure; none entered credentials.",
    )
    b.opinion(
        "opinion/ctd-infra",
        _ts("2025-04-10"),
        [o["cert-reports"][0]],
        "strongly-agree",
        "Domains match the ones in seized phones of group members.",
    )

    b = w.bundle("psc", "group:central-asia-ct", "amber")
    b.report(
        "report/psc-assessment",
        "Threat assessment: Afghan-Tajik border, winter 2025/26",
        _ts("2025-12-20"),
        [
            o["hnw"],
            o["kqt"],
            o["landscape"],
            *o["ct-reports"][:3],
            o["incident:panj-post"],
            o["incident:kulob-chief"],
            o["incident:dushanbe-plot"],
        ],
        "B2",
        description="Attack tempo on the border is expected to rise once the passes open.",
    )
    for n, (report, opinion, why) in enumerate(
        (
            (o["ct-reports"][0], "agree", "Consistent with our reporting on the Kunduz shura."),
            (o["ct-reports"][1], "neutral", "We have no independent reporting on the Batken cell."),
            (o["ct-reports"][2], "strongly-agree", "Border guards confirm the crossing points."),
            (o["incident:dushanbe-plot"], "disagree", "Our investigators link the plot to a local cell, not HNW."),
        )
    ):
        b.opinion(f"opinion/psc/{n}", _ts("2025-12-21"), [report], opinion, why)
    b.note(
        "note/psc-kunduz",
        _ts("2025-03-09"),
        [o["incident:kunduz-market"]],
        "Second device",
        "A second device was found unexploded near the mosque; same construction.",
    )
    b.note(
        "note/psc-termez",
        _ts("2025-09-04"),
        [o["incident:termez-rockets"], o["safarov"]],
        "Launch site",
        "Launch site found 3 km from the river; Safarov's network supplied the rockets.",
    )

    b = w.bundle("dcs", "group:central-asia-ct", "amber")
    for n, indicator in enumerate(o["ct-phones"][6:9]):
        b.sighting(
            f"sighting/dcs/{n}",
            indicator,
            _ts(f"2025-1{n}-03"),
            1 + n,
            [_IDENTITY["dcs"], o["Osh"]["id"]],
            description="Number called from a handset seized at Osh.",
        )

    b = w.bundle("psc", "group:narcotics-taskforce", "amber")
    b.opinion(
        "opinion/psc-pamir",
        _ts("2025-08-01"),
        [o["route:pamir"]],
        "agree",
        "Our border reporting confirms the Khorog leg.",
    )
    b.opinion(
        "opinion/psc-caspian",
        _ts("2025-11-25"),
        [o["route:caspian"]],
        "strongly-agree",
        "Matches the ferry bookings we obtained.",
    )
    b.note(
        "note/psc-balkan",
        _ts("2025-10-01"),
        [o["route:balkan"], o["route:caspian"]],
        "Shift to the Caspian",
        "Traffickers are moving loads from the Iranian route to the Caspian ferries.",
    )

    b = w.bundle("psc", "group:cert-network", "amber")
    b.opinion(
        "opinion/psc-qcf",
        _ts("2026-02-12"),
        [o["cert-reports"][1]],
        "agree",
        "The Aktau wiper matches the group's tooling.",
    )


def _updates(w: _World) -> None:
    """Later versions: a group profile updated twice, a member's fate, a sanitised report, a revocation."""
    o = w.o
    hnw = o["hnw"]
    b = w.bundle("psc", "instance", "green")
    second = b.add({**hnw, "modified": _ts("2025-06-10"), "aliases": [*hnw["aliases"], "Nour al-Wadi", "HNW"]})

    b = w.bundle("cert", "group:cert-network", "amber")
    b.add(
        {
            **o["fp-indicator"],
            "modified": _ts("2025-05-02"),
            "revoked": True,
            "description": "Revoked: the domain is a benign CDN the defacement payloads loaded by accident.",
        }
    )

    b = w.bundle("ctd", "group:central-asia-ct", "amber")
    member = o["member:sharipov"]
    b.add(
        {
            **o["sharipov"],
            "modified": _ts("2025-10-01"),
            "aliases": [*o["sharipov"]["aliases"], "Commander Farhod"],
            "description": "Commanded the armed cells of Harakat Nur al-Wadi in Badakhshan; killed in an air "
            "strike near Faizabad on 22 September 2025 (confirmed by two sources).",
        }
    )
    position = EXT_IDS["organisation-position"]
    b.add(
        {
            **member,
            "modified": _ts("2025-10-01"),
            "stop_time": _ts("2025-09-22"),
            "extensions": {position: {**member["extensions"][position], "held_until": _ts("2025-09-22")}},
        }
    )

    b = w.bundle("dcs", "group:narcotics-taskforce", "amber")
    b.add(
        {
            **o["delivery"],
            "modified": _ts("2025-11-05"),
            "name": "Controlled delivery via Osh (outcome)",
            "description": "A 40 kg heroin consignment followed from Khorog was intercepted at Osh; four arrests.",
            "object_marking_refs": [tlp.TLP2_IDS["amber"]],
        }
    )

    b = w.bundle("psc", "instance", "green")
    b.add(
        {
            **second,
            "modified": _ts("2026-01-20"),
            "description": hnw["description"] + " Since late 2025 it absorbs fighters of Katibat Qora Tog'.",
        }
    )


def demo_holdings() -> list[tuple[str, str, dict]]:
    """(owner organisation name, audience "org" | "group:<name>" | "instance", STIX bundle) in import order.
    The first bundle holds the TLP 2.0 marking definitions, Liaison's identity and extension definitions and
    the organisations' identities; later bundles may refer to objects of earlier ones."""
    w = _World()
    _foundation(w)
    _reference(w)
    _counter_terrorism(w)
    _narcotics(w)
    _customs(w)
    _cert(w)
    _feedback(w)
    _updates(w)
    return w.holdings()
