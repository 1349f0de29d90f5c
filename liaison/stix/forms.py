"""Forms for making and changing objects, read off each type's schema: the platform's extension
definitions (their JSON schemas) and a few core STIX types described the same way. A new extension
gets its form from its definition, with no template code of its own.

A field's kind says how a page asks for it: text, long text, a choice (closed vocabulary), a word
with suggestions (open vocabulary), a number, a date and time, lines (a list of names), a pick of
one object or several (by name, never by a pasted identifier), or a choice of several words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from liaison.stix import extensions as ext

_OPEN = re.compile(r"Open vocabulary: (.+)\.$")
_REF_TYPES = re.compile(r"^\^\(([a-z0-9|-]+)\)--")
_LONG = frozenset({"description", "content", "explanation", "objective", "pattern"})
#: Property extensions the platform writes itself (a report's mentions, its text's aliases).
_MADE_BY_MACHINE = frozenset({"report-mentions", "entity-aliases"})


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str  # text, long, choice, suggest, number, integer, when, lines, ref, refs, choices
    label: str
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    ref_types: tuple[str, ...] = ()  # for ref(s): the types that may be picked (empty: any)


@dataclass(frozen=True, slots=True)
class Form:
    """A type's fields; one named '<extension>.<property>' fills a property extension's body."""

    type: str
    title: str
    fields: tuple[Field, ...]
    #: How the object is made: 'sdo' (core), 'new-sdo' or 'new-sco' (the platform's extension types).
    made_as: str

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


_TIMESTAMP = {"type": "string", "format": "date-time"}


def _vocab(description: str, *words: str) -> dict:
    return {"type": "string", "description": f"{description} Open vocabulary: {', '.join(words)}."}


#: Core STIX types, described like the extension definitions (the properties an analyst fills in).
_CORE: dict[str, tuple[str, dict, tuple[str, ...]]] = {
    "threat-actor": (
        "Threat actor",
        {
            "name": {"type": "string", "description": "Name of the actor."},
            "description": {"type": "string", "description": "Who they are and what they do."},
            "aliases": {"type": "array", "items": {"type": "string"}, "description": "Other names, one a line."},
            "threat_actor_types": {
                "type": "array",
                "items": {"enum": ["crime-syndicate", "terrorist", "criminal", "nation-state", "activist", "spy"]},
                "description": "What kind of actor.",
            },
            "first_seen": {**_TIMESTAMP, "description": "When first seen."},
        },
        ("name",),
    ),
    "intrusion-set": (
        "Group",
        {
            "name": {"type": "string", "description": "Name of the group."},
            "description": {"type": "string", "description": "What the group is and does."},
            "aliases": {"type": "array", "items": {"type": "string"}, "description": "Other names, one a line."},
            "first_seen": {**_TIMESTAMP, "description": "When first seen."},
        },
        ("name",),
    ),
    "identity": (
        "Person or organisation",
        {
            "name": {"type": "string", "description": "Full name."},
            "identity_class": {"enum": ["individual", "organization", "group"], "description": "A person or not."},
            "description": {"type": "string", "description": "Who they are."},
            "roles": {"type": "array", "items": {"type": "string"}, "description": "Roles or titles, one a line."},
            "contact_information": {"type": "string", "description": "How to reach them."},
        },
        ("name", "identity_class"),
    ),
    "location": (
        "Place",
        {
            "name": {"type": "string", "description": "Name of the place."},
            "description": {"type": "string", "description": "What is there."},
            "country": {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2 code."},
            "region": _vocab("Region.", "central-asia", "southern-asia", "western-asia", "eastern-europe"),
            "city": {"type": "string", "description": "City."},
            "latitude": {"type": "number", "minimum": -90, "maximum": 90, "description": "Latitude (WGS 84)."},
            "longitude": {"type": "number", "minimum": -180, "maximum": 180, "description": "Longitude (WGS 84)."},
        },
        ("name",),
    ),
    "incident": (
        "Incident",
        {
            "name": {"type": "string", "description": "Short name of the incident."},
            "description": {"type": "string", "description": "What happened."},
        },
        ("name",),
    ),
    "report": (
        "Report",
        {
            "name": {"type": "string", "description": "Title."},
            "description": {"type": "string", "description": "The report's text."},
            "published": {**_TIMESTAMP, "description": "When it was published."},
            "object_refs": {
                "type": "array",
                "items": {"type": "string", "pattern": "^([a-z][a-z0-9-]+[a-z0-9])--"},
                "description": "What the report is about.",
            },
        },
        ("name", "published", "object_refs"),
    ),
}
#: The order in which types are offered.
CREATABLE = (
    "drug-seizure",
    "trafficking-route",
    "threat-actor",
    "intrusion-set",
    "identity",
    "location",
    "incident",
    "report",
    "phone-number",
    "cryptocurrency-wallet",
    "bank-account",
    "vehicle",
    "vessel",
)


def _label(name: str) -> str:
    words = name.rsplit(".", 1)[-1].removesuffix("_refs").removesuffix("_ref").replace("_", " ")
    return words[:1].upper() + words[1:]


def _field(name: str, schema: dict, required: bool) -> Field:
    help_text = schema.get("description", "")
    label = _label(name)
    kind = schema.get("type")
    if "enum" in schema:
        return Field(name, "choice", label, required, help_text, tuple(schema["enum"]))
    if kind == "array":
        items = schema.get("items", {})
        if "enum" in items:
            return Field(name, "choices", label, required, help_text, tuple(items["enum"]))
        if (found := _REF_TYPES.match(items.get("pattern", ""))) or name.endswith("_refs"):
            types = tuple(t for t in found.group(1).split("|") if "[" not in t) if found else ()
            return Field(name, "refs", label, required, help_text, ref_types=types)
        return Field(name, "lines", label, required, help_text)
    if kind in ("number", "integer"):
        return Field(name, kind, label, required, help_text)
    if schema.get("format") == "date-time" or schema.get("pattern", "").startswith("^[0-9]{4}-(0[1-9]"):
        return Field(name, "when", label, required, help_text)
    if (found := _REF_TYPES.match(schema.get("pattern", ""))) or name.endswith("_ref"):
        types = tuple(t for t in found.group(1).split("|") if "[" not in t) if found else ()
        return Field(name, "ref", label, required, help_text, ref_types=types)
    if found := _OPEN.search(help_text):
        words = tuple(w.strip() for w in found.group(1).split(","))
        return Field(name, "suggest", label, required, help_text[: found.start()].strip(), words)
    return Field(name, "long" if name in _LONG else "text", label, required, help_text)


def form_for(type_: str) -> Form | None:
    """The form of a type an analyst may make, or None."""
    if type_ in _CORE:
        title, properties, required = _CORE[type_]
        made_as = "sdo"
    else:
        definition = ext.definition_named(type_)
        if definition is None or definition.kind not in ("new-sdo", "new-sco"):
            return None
        title, properties, required = type_.replace("-", " ").capitalize(), definition.properties, definition.required
        required = tuple(required) + (
            definition.any_of[:1] if definition.any_of and len(definition.any_of) == 1 else ()
        )
        made_as = definition.kind
    fields = tuple(_field(name, schema, name in required) for name, schema in properties.items())
    for extension in ext.property_extensions_of(type_):
        if extension.name in _MADE_BY_MACHINE:
            continue
        fields += tuple(
            _field(f"{extension.name}.{name}", schema, False) for name, schema in extension.properties.items()
        )
    return Form(type_, title, fields, made_as)


def forms() -> list[Form]:
    """Every type an analyst may make, in the order offered."""
    return [f for t in CREATABLE if (f := form_for(t)) is not None]
