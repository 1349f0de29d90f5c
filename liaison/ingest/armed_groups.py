"""Terrorist and armed groups for the reference knowledge: the MISP galaxies list cyber threat
actors but no terrorist or armed groups, and news names these groups in many ways ("ISIS",
"ISIL", "Islamic State", "Daesh"). Written for Liaison, in our own words, from the groups the UN
Security Council's and the EU's sanctions lists designate; each becomes a `threat-actor` with its
other names as aliases, so that every spelling resolves to one group."""

from __future__ import annotations

from dataclasses import dataclass

#: Version of the list below: change it whenever the list changes.
GROUPS_VERSION = "2026-12-07"


@dataclass(frozen=True, slots=True)
class ArmedGroup:
    key: str
    name: str
    aliases: tuple[str, ...]
    description: str
    kinds: tuple[str, ...] = ("terrorist",)


GROUPS = (
    ArmedGroup(
        "isil",
        "Islamic State",
        (
            "ISIS",
            "ISIL",
            "IS",
            "Daesh",
            "Da'esh",
            "Islamic State of Iraq and the Levant",
            "Islamic State of Iraq and Syria",
        ),
        "Jihadist group that held territory in Iraq and Syria from 2014 and keeps affiliates in several regions.",
    ),
    ArmedGroup(
        "iskp",
        "Islamic State Khorasan Province",
        ("ISKP", "ISIS-K", "IS-K", "ISKP", "Islamic State Khorasan", "Wilayat Khorasan"),
        "The Islamic State's affiliate in Afghanistan and Pakistan, active since 2015.",
    ),
    ArmedGroup(
        "al-qaida",
        "Al-Qaida",
        ("Al-Qaeda", "al-Qaeda", "Al Qaeda", "AQ", "al-Qaida"),
        "Transnational jihadist network founded in the late 1980s, with regional branches.",
    ),
    ArmedGroup(
        "aqap",
        "Al-Qaida in the Arabian Peninsula",
        ("AQAP", "Al-Qaeda in the Arabian Peninsula", "Ansar al-Sharia in Yemen"),
        "Al-Qaida's branch in Yemen and the Arabian Peninsula.",
    ),
    ArmedGroup(
        "aqim",
        "Al-Qaida in the Islamic Maghreb",
        ("AQIM", "Al-Qaeda in the Islamic Maghreb"),
        "Al-Qaida's branch in North Africa and the Sahel.",
    ),
    ArmedGroup(
        "aqis",
        "Al-Qaida in the Indian Subcontinent",
        ("AQIS", "Al-Qaeda in the Indian Subcontinent"),
        "Al-Qaida's branch in South Asia, announced in 2014.",
    ),
    ArmedGroup(
        "jnim",
        "Jama'at Nusrat al-Islam wal-Muslimin",
        ("JNIM", "Group for the Support of Islam and Muslims", "GSIM"),
        "Coalition of Sahel jihadist groups aligned with Al-Qaida, formed in 2017.",
    ),
    ArmedGroup(
        "hts",
        "Hay'at Tahrir al-Sham",
        ("HTS", "Tahrir al-Sham", "Jabhat al-Nusra", "al-Nusra Front", "Nusra Front", "Jabhat Fatah al-Sham"),
        "Syrian armed group that grew out of Al-Qaida's former Syrian branch.",
    ),
    ArmedGroup(
        "al-shabaab",
        "Al-Shabaab",
        ("al-Shabab", "Harakat al-Shabaab al-Mujahideen", "Al Shabaab"),
        "Somali jihadist group aligned with Al-Qaida.",
    ),
    ArmedGroup(
        "boko-haram",
        "Boko Haram",
        ("Jama'atu Ahlis Sunna Lidda'awati wal-Jihad", "JAS"),
        "Jihadist group of north-eastern Nigeria and the Lake Chad basin.",
    ),
    ArmedGroup(
        "iswap",
        "Islamic State West Africa Province",
        ("ISWAP", "IS West Africa"),
        "The Islamic State's affiliate in the Lake Chad basin, split from Boko Haram in 2016.",
    ),
    ArmedGroup(
        "taliban",
        "Taliban",
        ("Islamic Emirate of Afghanistan", "Afghan Taliban", "the Taliban"),
        "Movement that has governed Afghanistan since August 2021; its leaders are under UN sanctions.",
        ("nation-state",),
    ),
    ArmedGroup(
        "ttp",
        "Tehrik-i-Taliban Pakistan",
        ("TTP", "Pakistani Taliban", "Tehreek-e-Taliban Pakistan"),
        "Umbrella of Pakistani militant groups fighting the state of Pakistan since 2007.",
    ),
    ArmedGroup(
        "haqqani",
        "Haqqani Network",
        ("Haqqanis", "Haqqani network"),
        "Afghan militant network closely tied to the Taliban, long based in North Waziristan.",
    ),
    ArmedGroup(
        "imu",
        "Islamic Movement of Uzbekistan",
        ("IMU",),
        "Central Asian jihadist group founded in the late 1990s, later split between Al-Qaida and the Islamic State.",
    ),
    ArmedGroup(
        "tip",
        "Turkistan Islamic Party",
        ("TIP", "East Turkestan Islamic Movement", "ETIM"),
        "Uyghur jihadist group active in Syria and Afghanistan.",
    ),
    ArmedGroup(
        "jamaat-ansarullah",
        "Jamaat Ansarullah",
        ("Jamaat Ansarullah of Tajikistan", "Tajik Taliban"),
        "Tajik jihadist group based in northern Afghanistan.",
    ),
    ArmedGroup(
        "let",
        "Lashkar-e-Tayyiba",
        ("LeT", "Lashkar-e-Taiba", "Lashkar-i-Taiba", "Jamaat-ud-Dawa", "JuD"),
        "Pakistan-based militant group behind the 2008 Mumbai attacks.",
    ),
    ArmedGroup(
        "jem",
        "Jaish-e-Mohammed",
        ("JeM", "Jaish-e-Muhammad", "Jaish-i-Mohammed"),
        "Pakistan-based militant group fighting in Kashmir.",
    ),
    ArmedGroup(
        "hizballah",
        "Hizballah",
        ("Hezbollah", "Hizbullah", "Hizbollah"),
        "Lebanese Shia party and armed group; its military wing is on the EU's terrorist list.",
    ),
    ArmedGroup(
        "hamas",
        "Hamas",
        ("Harakat al-Muqawama al-Islamiya", "Izz ad-Din al-Qassam Brigades"),
        "Palestinian Islamist movement and armed group that governed Gaza from 2007.",
    ),
    ArmedGroup(
        "pkk",
        "Kurdistan Workers' Party",
        ("PKK", "Partiya Karkerên Kurdistanê", "Kongra-Gel", "KADEK"),
        "Kurdish armed group fighting the Turkish state since 1984; on the EU's terrorist list.",
    ),
    ArmedGroup(
        "farc-dissidents",
        "FARC dissidents",
        ("FARC-EP dissidents", "Estado Mayor Central", "EMC"),
        "Armed factions of Colombia's former FARC guerrilla that rejected the 2016 peace agreement.",
    ),
    ArmedGroup(
        "eln",
        "National Liberation Army",
        ("ELN", "Ejército de Liberación Nacional"),
        "Colombian guerrilla group active since 1964, financed partly by drug trafficking.",
    ),
    ArmedGroup(
        "sinaloa",
        "Sinaloa Cartel",
        ("Cártel de Sinaloa", "CDS", "Sinaloa Federation"),
        "Mexican drug trafficking organisation, designated a foreign terrorist organisation by the US in 2025.",
        ("crime-syndicate",),
    ),
    ArmedGroup(
        "cjng",
        "Jalisco New Generation Cartel",
        ("CJNG", "Cártel de Jalisco Nueva Generación"),
        "Mexican drug trafficking organisation, designated a foreign terrorist organisation by the US in 2025.",
        ("crime-syndicate",),
    ),
)
