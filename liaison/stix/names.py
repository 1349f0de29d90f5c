"""The names an object goes by, as the keys search matches and ranks them by.

A name is folded as extraction folds it (liaison.stix.folding), so a search for "Hamidov" finds
"Khamidov" and "Shirzay" finds "Shirzai"; each word of a name starts a key of its own (the name from
that word on), so a search for a surname or the start of one finds the full name too.
"""

from __future__ import annotations

from liaison.stix.extensions import EXT_IDS
from liaison.stix.folding import light, skeleton

#: Words of a name from which keys start: a name longer than this is found by its first words, and
#: by its other words through the text index.
KEYED_WORDS = 6
_ALIASES = EXT_IDS["entity-aliases"]


def names_of(obj: dict) -> list[str]:
    """The object's name and aliases (STIX, ATT&CK's and the platform's aliases extension). A
    custom property of another shape (a partner's `x_mitre_aliases: 5`) is no name, not an error."""
    extension = (obj.get("extensions") or {}).get(_ALIASES)
    found = [obj.get("name"), *_listed(obj.get("aliases")), *_listed(obj.get("x_mitre_aliases"))]
    found += _listed(extension.get("aliases") if isinstance(extension, dict) else None)
    return list(dict.fromkeys(n for n in found if isinstance(n, str) and n.strip()))


def _listed(value: object) -> list:
    return value if isinstance(value, list) else []


def name_keys(obj: dict) -> tuple[tuple[str, int, str], ...]:
    """(key, position, skeleton) rows for the name_key table: `key` is the light fold of the name
    from word `position` on, `skeleton` its skeleton."""
    rows: dict[tuple[str, int], str] = {}
    for name in names_of(obj):
        words = name.split()
        for position in range(min(len(words), KEYED_WORDS)):
            rest = " ".join(words[position:])
            key, folded = light(rest), skeleton(rest)
            if key and folded:
                rows.setdefault((key, position), folded)
    return tuple((key, position, folded) for (key, position), folded in rows.items())


def query_keys(text: str) -> tuple[str, str] | None:
    """(light fold, skeleton) of a search's words read as a name, or None when they fold to nothing."""
    key = skeleton(text)
    return (light(text), key) if key else None
