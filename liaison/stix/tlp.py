"""TLP 2.0 markings: the published STIX marking-definition objects and the audience rules they impose."""

from __future__ import annotations

from collections.abc import Iterable

TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"

#: Levels from least to most restrictive.
LEVELS = ("clear", "green", "amber", "amber+strict", "red")

#: TLP 2.0 marking-definition ids as published in the OASIS STIX common objects.
TLP2_IDS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

#: TLP 1.0 marking-definition ids from the STIX 2.1 specification, read as their TLP 2.0 equivalents.
TLP1_IDS = {
    "clear": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}

#: Definitions OASIS publishes, which every STIX consumer knows without being sent them.
PUBLISHED_IDS = frozenset({TLP2_EXTENSION_ID, *TLP2_IDS.values(), *TLP1_IDS.values()})

LEVEL_BY_MARKING_ID = {mid: level for ids in (TLP1_IDS, TLP2_IDS) for level, mid in ids.items()}
_RANK = {level: rank for rank, level in enumerate(LEVELS)}

#: Audience kinds each level may be given, narrowest first. TLP:RED goes to named recipients only
#: (the own organisation, another organisation named directly, or a named sharing group);
#: TLP:AMBER+STRICT stays in the own organisation.
ALLOWED_AUDIENCE_KINDS = {
    "clear": ("org", "direct", "group", "instance"),
    "green": ("org", "direct", "group", "instance"),
    "amber": ("org", "direct", "group", "instance"),
    "amber+strict": ("org",),
    "red": ("org", "direct", "group"),
}


def marking_definition(level: str) -> dict:
    """The published TLP 2.0 marking-definition object for `level`."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[level],
        "created": TLP2_CREATED,
        "name": f"TLP:{level.upper()}",
        "extensions": {TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level}},
    }


def marking_definitions() -> list[dict]:
    """All five TLP 2.0 marking definitions."""
    return [marking_definition(level) for level in LEVELS]


def level_of(marking_refs: Iterable[str] | None) -> str | None:
    """The most restrictive TLP level among `marking_refs`, or None when no TLP marking applies."""
    found = [LEVEL_BY_MARKING_ID[ref] for ref in marking_refs or () if ref in LEVEL_BY_MARKING_ID]
    return max(found, key=_RANK.__getitem__) if found else None


def level_of_object(obj: dict) -> str | None:
    """The most restrictive TLP level marking any part of `obj`: among its `object_marking_refs`
    and the `marking_ref` of each of its `granular_markings` (a TLP:RED description makes the
    object RED to share; entries with `lang` instead mark a language, not a TLP level). None when
    no TLP marking applies; malformed values are ignored."""
    refs = obj.get("object_marking_refs")
    found = [ref for ref in refs if isinstance(ref, str)] if isinstance(refs, list) else []
    granular = obj.get("granular_markings")
    if isinstance(granular, list):
        found += [m["marking_ref"] for m in granular if isinstance(m, dict) and isinstance(m.get("marking_ref"), str)]
    return level_of(found)


def allows(level: str | None, audience_kind: str) -> bool:
    """Whether an object marked `level` may be given an audience of `audience_kind`."""
    return level is None or audience_kind in ALLOWED_AUDIENCE_KINDS[level]
