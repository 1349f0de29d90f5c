"""Liaison's STIX 2.1 extension definitions (§7.3): new SCOs, new SDOs and property extensions.

Each definition's `schema` is a JSON Schema (draft 2020-12, serialized as text) of the whole object
carrying the extension, the form stix2-validator's `--schemas` option applies to objects named by
extension-definition id; its `description` says in prose what the extension is for.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from liaison.stix import tlp

#: Namespace of the deterministic (uuid5) ids of objects Liaison itself defines.
NAMESPACE = uuid.UUID("9daa6443-fe6c-41d6-ba00-04296f452a54")
#: STIX 2.1 §2.9 namespace for deterministic SCO ids.
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
DEFINED = "2025-01-01T00:00:00.000Z"

ADMIRALTY_RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
ADMIRALTY_CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}
#: Credibility 1-5 -> the value of the STIX 2.1 Admiralty Credibility confidence scale (Appendix A).
_CREDIBILITY_CONFIDENCE = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10}
#: Reliability nudges the value inside its credibility band (the band stays recoverable).
_RELIABILITY_OFFSET = {"A": 8, "B": 4, "C": 0, "D": -4, "E": -8, "F": -2}
#: Credibility 6 has no STIX scale value; it maps to the STIX "Low" value whatever the source.
_UNJUDGED_CONFIDENCE = 15


def stable_id(type_: str, key: str) -> str:
    """A deterministic `type--uuid5` id for an object Liaison makes, named by `key`."""
    return f"{type_}--{uuid.uuid5(NAMESPACE, f'{type_}:{key}')}"


def sco_id(type_: str, contributing: dict) -> str:
    """The STIX 2.1 deterministic SCO id: uuid5 over the canonical JSON of the id-contributing properties."""
    canonical = json.dumps(contributing, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{type_}--{uuid.uuid5(SCO_NAMESPACE, canonical)}"


# JSON Schema fragments.
_TIMESTAMP = {
    "type": "string",
    "pattern": r"^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):"
    r"([0-5][0-9]|60)(\.[0-9]+)?Z$",
}
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
_COUNTRY = {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2 country code."}
_OPEN_VOCAB = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}


def _text(description: str) -> dict:
    return {"type": "string", "minLength": 1, "description": description}


def _ref(description: str, *types: str) -> dict:
    kinds = "|".join(types) if types else "[a-z][a-z0-9-]+[a-z0-9]"
    return {"type": "string", "pattern": f"^({kinds})--{_UUID}$", "description": description}


def _vocab(description: str, *suggested: str) -> dict:
    return {**_OPEN_VOCAB, "description": f"{description} Open vocabulary: {', '.join(suggested)}."}


@dataclass(frozen=True)
class _Definition:
    name: str
    kind: str  # "new-sco" | "new-sdo" | "property-extension"
    description: str
    properties: dict
    required: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()  # at least one of these must be present
    applies_to: tuple[str, ...] = ()  # property extensions: object types (empty: any)
    id_contributing: tuple[tuple[str, ...], ...] = ()  # new SCOs: first alternative with a value wins

    @property
    def id(self) -> str:
        return stable_id("extension-definition", self.name)

    def body_schema(self) -> dict:
        schema = {
            "type": "object",
            "properties": {"extension_type": {"const": self.kind}, **self.properties},
            "required": ["extension_type", *self.required],
        }
        if self.any_of:
            schema["anyOf"] = [{"required": [p]} for p in self.any_of]
        return schema

    def schema(self) -> dict:
        head = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": self.name,
            "description": self.description,
            "type": "object",
        }
        if self.kind == "property-extension":
            schema = {
                **head,
                "properties": {
                    "extensions": {
                        "type": "object",
                        "properties": {self.id: self.body_schema()},
                        "required": [self.id],
                    },
                },
                "required": ["extensions"],
            }
            if self.applies_to:
                schema["properties"]["type"] = {"enum": list(self.applies_to)}
            return schema
        marker = {
            "type": "object",
            "properties": {
                self.id: {
                    "type": "object",
                    "properties": {"extension_type": {"const": self.kind}},
                    "required": ["extension_type"],
                }
            },
            "required": [self.id],
        }
        common = ["type", "spec_version", "id", "extensions"]
        if self.kind == "new-sdo":
            common += ["created", "modified"]
        schema = {
            **head,
            "properties": {
                "type": {"const": self.name},
                "spec_version": {"const": "2.1"},
                "id": {"type": "string", "pattern": f"^{self.name}--{_UUID}$"},
                **self.properties,
                "extensions": marker,
            },
            "required": common + list(self.required),
        }
        if self.any_of:
            schema["anyOf"] = [{"required": [p]} for p in self.any_of]
        return schema

    def extension_definition(self) -> dict:
        return {
            "type": "extension-definition",
            "spec_version": "2.1",
            "id": self.id,
            "created_by_ref": LIAISON_IDENTITY["id"],
            "created": DEFINED,
            "modified": DEFINED,
            "name": self.name,
            "description": self.description,
            "schema": json.dumps(self.schema(), separators=(",", ":"), ensure_ascii=False),
            "version": "1.0",
            "extension_types": [self.kind],
            "object_marking_refs": [tlp.TLP2_IDS["clear"]],
        }


def _id_rule(alternatives: tuple[tuple[str, ...], ...]) -> str:
    return (
        " Deterministic id (uuid5, STIX 2.1 §2.9) over: "
        + "; otherwise ".join(", ".join(group) for group in alternatives)
        + " (the first group with a value present)."
    )


_ADMIRALTY_TEXT = (
    "Admiralty (NATO) grading of the source and of the information an object carries. "
    "source_reliability: " + "; ".join(f"{k} {v}" for k, v in ADMIRALTY_RELIABILITY.items()) + ". "
    "information_credibility: " + "; ".join(f"{k} {v}" for k, v in ADMIRALTY_CREDIBILITY.items()) + ". "
    "Mapping to STIX confidence: credibility 1-5 gives the STIX 2.1 Admiralty Credibility scale value "
    "(1=90, 2=70, 3=50, 4=30, 5=10), moved inside its band by the source reliability "
    "(A +8, B +4, C 0, D -4, E -8, F -2), so the credibility stays recoverable from confidence; "
    "credibility 6 maps to 15 (the STIX 'Low' value) whatever the source. Applies to any SDO or SRO."
)

_DEFINITIONS = (
    _Definition(
        "phone-number",
        "new-sco",
        "A telephone number (observable). Properties: value (E.164, required), country, carrier, line_type."
        + _id_rule((("value",),)),
        {
            "value": {"type": "string", "pattern": r"^\+[1-9][0-9]{6,14}$", "description": "E.164 number."},
            "country": _COUNTRY,
            "carrier": _text("Network operator the number belongs to."),
            "line_type": {"enum": ["mobile", "landline", "voip", "satellite"], "description": "Kind of line."},
        },
        required=("value",),
        id_contributing=(("value",),),
    ),
    _Definition(
        "cryptocurrency-wallet",
        "new-sco",
        "A cryptocurrency wallet address (observable). Properties: value (address, required), currency "
        "(ticker, with the chain for tokens: BTC, ETH, XMR, USDT-TRC20, USDT-ERC20)." + _id_rule((("value",),)),
        {
            "value": _text("Wallet address as used on its chain."),
            "currency": {
                "type": "string",
                "pattern": "^[A-Z0-9]{2,10}(-[A-Z0-9]{2,10})?$",
                "description": "Currency ticker, with the chain for tokens (USDT-TRC20).",
            },
        },
        required=("value",),
        id_contributing=(("value",),),
    ),
    _Definition(
        "bank-account",
        "new-sco",
        "A bank account (observable). Properties: iban, bic, account_number (iban or account_number "
        "required), bank_name, country." + _id_rule((("iban",), ("bic", "account_number", "country"))),
        {
            "iban": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$", "description": "IBAN."},
            "bic": {"type": "string", "pattern": "^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$", "description": "SWIFT/BIC."},
            "account_number": _text("Domestic account number."),
            "bank_name": _text("Name of the bank."),
            "country": _COUNTRY,
        },
        any_of=("iban", "account_number"),
        id_contributing=(("iban",), ("bic", "account_number", "country")),
    ),
    _Definition(
        "vehicle",
        "new-sco",
        "A road vehicle (observable). Properties: registration (plate), vin (registration or vin required), "
        "make, model, colour, country (of registration)." + _id_rule((("vin",), ("registration", "country"))),
        {
            "registration": _text("Registration plate as written, without spaces."),
            "vin": {"type": "string", "pattern": "^[A-HJ-NPR-Z0-9]{17}$", "description": "Vehicle identification no."},
            "make": _text("Manufacturer."),
            "model": _text("Model."),
            "colour": _text("Colour."),
            "country": _COUNTRY,
        },
        any_of=("registration", "vin"),
        id_contributing=(("vin",), ("registration", "country")),
    ),
    _Definition(
        "vessel",
        "new-sco",
        "A ship or boat (observable). Properties: name, imo, mmsi (one of them required), flag_country, "
        "vessel_type." + _id_rule((("imo",), ("mmsi",), ("name", "flag_country"))),
        {
            "name": _text("Vessel name."),
            "imo": {"type": "string", "pattern": "^[0-9]{7}$", "description": "IMO ship number."},
            "mmsi": {"type": "string", "pattern": "^[0-9]{9}$", "description": "Maritime Mobile Service Identity."},
            "flag_country": _COUNTRY,
            "vessel_type": _vocab(
                "Kind of vessel.",
                "general-cargo",
                "container",
                "tanker",
                "bulk-carrier",
                "fishing",
                "dhow",
                "ferry",
                "yacht",
                "speedboat",
            ),
        },
        any_of=("name", "imo", "mmsi"),
        id_contributing=(("imo",), ("mmsi",), ("name", "flag_country")),
    ),
    _Definition(
        "drug-seizure",
        "new-sdo",
        "A seizure of illicit drugs or precursors. Properties: name, description, seized_at, drug_type, "
        "quantity, quantity_unit, estimated_value, currency, concealment_method, location_ref (location), "
        "route_ref (trafficking-route), object_refs (persons, vehicles, vessels, ... involved).",
        {
            "name": _text("Short name of the seizure."),
            "description": _text("What was seized, how and from whom."),
            "seized_at": {**_TIMESTAMP, "description": "When the seizure took place."},
            "drug_type": _vocab(
                "Substance seized.",
                "heroin",
                "opium",
                "morphine",
                "cocaine",
                "methamphetamine",
                "amphetamine",
                "captagon",
                "cannabis",
                "hashish",
                "tramadol",
                "precursors",
            ),
            "quantity": {"type": "number", "minimum": 0, "description": "Amount seized, in quantity_unit."},
            "quantity_unit": {"enum": ["kg", "g", "l", "units", "tablets"], "description": "Unit of quantity."},
            "estimated_value": {"type": "number", "minimum": 0, "description": "Street value, in currency."},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code."},
            "concealment_method": _text("How the goods were hidden."),
            "location_ref": _ref("Where the seizure took place.", "location"),
            "route_ref": _ref("The trafficking route the consignment travelled.", "trafficking-route"),
            "object_refs": {
                "type": "array",
                "minItems": 1,
                "items": _ref("An object involved."),
                "description": "Persons, groups, vehicles, vessels and other objects involved.",
            },
        },
        required=("name", "seized_at", "drug_type", "quantity", "quantity_unit"),
    ),
    _Definition(
        "trafficking-route",
        "new-sdo",
        "A route used to move illicit commodities. Properties: name, description, commodity, waypoint_refs "
        "(ordered locations, origin first), modes, first_seen, last_seen.",
        {
            "name": _text("Name of the route."),
            "description": _text("How the route is run."),
            "commodity": _vocab(
                "What is moved.", "drugs", "precursors", "arms", "humans", "goods", "cash", "fuel", "wildlife"
            ),
            "waypoint_refs": {
                "type": "array",
                "minItems": 2,
                "items": _ref("A waypoint.", "location"),
                "description": "Locations in travel order, origin first.",
            },
            "modes": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"enum": ["land", "sea", "air"]},
                "description": "Means of transport.",
            },
            "first_seen": {**_TIMESTAMP, "description": "When the route was first seen in use."},
            "last_seen": {**_TIMESTAMP, "description": "When the route was last seen in use."},
        },
        required=("name", "commodity", "waypoint_refs"),
    ),
    _Definition(
        "attack-details",
        "property-extension",
        "Details of a physical or cyber attack, on incident objects. Properties: attack_type, killed, injured, "
        "target_type, weapon, occurred_at, location_ref.",
        {
            "attack_type": _vocab(
                "Kind of attack.",
                "bombing",
                "suicide-bombing",
                "shooting",
                "vehicle-ramming",
                "stabbing",
                "arson",
                "kidnapping",
                "hostage-taking",
                "assassination",
                "armed-assault",
                "sabotage",
                "cyber",
            ),
            "killed": {"type": "integer", "minimum": 0, "description": "Persons killed, attackers excluded."},
            "injured": {"type": "integer", "minimum": 0, "description": "Persons injured."},
            "target_type": _vocab(
                "What was attacked.",
                "government",
                "military",
                "police",
                "border-post",
                "civilians",
                "religious",
                "education",
                "transport",
                "energy",
                "telecommunications",
                "business",
                "diplomatic",
                "media",
            ),
            "weapon": _text("Weapon or means used."),
            "occurred_at": {**_TIMESTAMP, "description": "When the attack took place."},
            "location_ref": _ref("Where the attack took place.", "location"),
        },
        required=("attack_type",),
        applies_to=("incident",),
    ),
    _Definition(
        "organisation-position",
        "property-extension",
        "A person's position in an organisation, on a relationship from the person to the organisation "
        "(organisation_ref optional: it is the target) or on the person's identity (organisation_ref "
        "required). Properties: position, organisation_ref, held_from, held_until.",
        {
            "position": _text("Position or role title."),
            "organisation_ref": _ref("The organisation.", "identity", "intrusion-set", "threat-actor"),
            "held_from": {**_TIMESTAMP, "description": "Since when the position is held."},
            "held_until": {**_TIMESTAMP, "description": "Until when the position was held."},
        },
        required=("position",),
        applies_to=("relationship", "identity"),
    ),
    _Definition(
        "admiralty-grading",
        "property-extension",
        _ADMIRALTY_TEXT,
        {
            "source_reliability": {"enum": list(ADMIRALTY_RELIABILITY), "description": "Source reliability."},
            "information_credibility": {
                "type": "integer",
                "minimum": 1,
                "maximum": 6,
                "description": "Information credibility.",
            },
        },
        required=("source_reliability", "information_credibility"),
    ),
    _Definition(
        "entity-aliases",
        "property-extension",
        "Other names a person, organisation or place goes by (STIX 2.1 gives identities and locations "
        "no aliases): spelling variants, transliterations, nicknames, acronyms. Properties: aliases.",
        {
            "aliases": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": _text("Another name."),
                "description": "Other names of the object.",
            }
        },
        required=("aliases",),
        applies_to=("identity", "location"),
    ),
    _Definition(
        "report-mentions",
        "property-extension",
        "Where a report's text (its description) mentions the objects it refers to, so a reader can "
        "highlight them: character offsets (Unicode code points, end exclusive) with the kind of "
        "mention and, for entities and observables, the object referred to. Properties: mentions "
        "(start, end, kind, value, object_ref), extracted_at.",
        {
            "mentions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "start": {"type": "integer", "minimum": 0},
                        "end": {"type": "integer", "minimum": 1},
                        "kind": _vocab(
                            "What is mentioned.",
                            "person",
                            "organization",
                            "group",
                            "location",
                            "date",
                            "email-addr",
                            "url",
                            "domain-name",
                            "ipv4-addr",
                            "ipv6-addr",
                            "file",
                            "phone-number",
                            "bank-account",
                            "cryptocurrency-wallet",
                        ),
                        "value": _text("The normalised value or the canonical name."),
                        "object_ref": _ref("The object mentioned (one of the report's object_refs)."),
                    },
                    "required": ["start", "end", "kind"],
                },
                "description": "Mentions in text order.",
            },
            "extracted_at": {**_TIMESTAMP, "description": "When the mentions were extracted."},
        },
        required=("mentions",),
        applies_to=("report",),
    ),
    _Definition(
        "signed-provenance",
        "property-extension",
        "Where an object version comes from, signed: the originating Liaison instance's name, the id "
        "of its Ed25519 key (first 16 bytes of the SHA-256 of the raw public key, hex) and a detached "
        "Ed25519 signature (base64) over the object's canonical JSON without this extension (UTF-8, "
        "keys sorted, no insignificant white space). Receivers verify it against the key they pinned "
        "for that instance; relaying instances pass it on unchanged.",
        {
            "origin": _text("Name of the originating instance."),
            "key_id": {"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "Signing key id."},
            "signature": {"type": "string", "pattern": "^[A-Za-z0-9+/]{86}==$", "description": "Ed25519 signature."},
            "signed_at": {**_TIMESTAMP, "description": "When the origin signed."},
        },
        required=("origin", "key_id", "signature", "signed_at"),
    ),
)
_BY_NAME = {d.name: d for d in _DEFINITIONS}

LIAISON_IDENTITY: dict = {
    "type": "identity",
    "spec_version": "2.1",
    "id": stable_id("identity", "liaison"),
    "created": DEFINED,
    "modified": DEFINED,
    "name": "Liaison",
    "identity_class": "system",
    "description": "The Liaison intelligence-sharing platform, author of its STIX extension definitions.",
    "created_by_ref": stable_id("identity", "liaison"),
    "object_marking_refs": [tlp.TLP2_IDS["clear"]],
}
EXTENSION_DEFINITIONS: list[dict] = [d.extension_definition() for d in _DEFINITIONS]
EXT_IDS: dict[str, str] = {d.name: d.id for d in _DEFINITIONS}

_SCO_COMMON = {"spec_version", "object_marking_refs", "granular_markings", "defanged", "extensions"}
_SDO_COMMON = {
    "spec_version",
    "modified",
    "revoked",
    "labels",
    "confidence",
    "lang",
    "external_references",
    "object_marking_refs",
    "granular_markings",
    "extensions",
}


def _check(definition: _Definition, props: dict, common: set[str]) -> None:
    unknown = set(props) - set(definition.properties) - common
    missing = [p for p in definition.required if props.get(p) is None]
    if unknown or missing:
        raise ValueError(f"{definition.name}: unknown properties {sorted(unknown)}, missing {missing}")
    if definition.any_of and not any(props.get(p) is not None for p in definition.any_of):
        raise ValueError(f"{definition.name}: needs one of {', '.join(definition.any_of)}")


def property_extensions_of(type_: str) -> list[_Definition]:
    """The platform's property extensions made for objects of `type_`."""
    return [d for d in _DEFINITIONS if d.kind == "property-extension" and type_ in d.applies_to]


def definition_named(name: str) -> _Definition | None:
    """The platform's extension definition `name` (a type for new objects, or a property extension)."""
    return _BY_NAME.get(name)


def _definition(name: str, kind: str) -> _Definition:
    definition = _BY_NAME.get(name)
    if definition is None or definition.kind != kind:
        raise ValueError(f"'{name}' is not a Liaison {kind} extension")
    return definition


def _with_marker(definition: _Definition, extensions: dict | None) -> dict:
    return {definition.id: {"extension_type": definition.kind}, **(extensions or {})}


def new_sco(type_: str, **props) -> dict:
    """A new SCO of Liaison's extension type `type_` with its deterministic id and extension marker."""
    definition = _definition(type_, "new-sco")
    props = {k: v for k, v in props.items() if v is not None}
    _check(definition, props, _SCO_COMMON)
    group = next(g for g in definition.id_contributing if any(p in props for p in g))
    contributing = {p: props[p] for p in group if p in props}
    return {
        "type": type_,
        "spec_version": "2.1",
        "id": sco_id(type_, contributing),
        **props,
        "extensions": _with_marker(definition, props.get("extensions")),
    }


def new_sdo(type_: str, *, created: str, created_by_ref: str | None = None, id_: str | None = None, **props) -> dict:
    """A new SDO of Liaison's extension type `type_`; without `id_` the id is derived from its content.
    `modified` defaults to `created`."""
    definition = _definition(type_, "new-sdo")
    props = {k: v for k, v in props.items() if v is not None}
    _check(definition, props, _SDO_COMMON)
    obj = {
        "type": type_,
        "spec_version": "2.1",
        "id": "",
        "created": created,
        "modified": props.pop("modified", created),
    }
    if created_by_ref:
        obj["created_by_ref"] = created_by_ref
    obj.update(props)
    obj["extensions"] = _with_marker(definition, props.get("extensions"))
    obj["id"] = id_ or stable_id(type_, json.dumps(obj, sort_keys=True, separators=(",", ":")))
    return obj


def property_extension(name: str, **props) -> dict:
    """The `extensions` entry of Liaison's property extension `name`: {extension id: body}."""
    definition = _definition(name, "property-extension")
    props = {k: v for k, v in props.items() if v is not None}
    _check(definition, props, set())
    return {definition.id: {"extension_type": "property-extension", **props}}


def admiralty_grading(reliability: str, credibility: int) -> dict:
    """The admiralty-grading extension entry for source `reliability` (A-F) and information `credibility` (1-6)."""
    if reliability not in ADMIRALTY_RELIABILITY or credibility not in ADMIRALTY_CREDIBILITY:
        raise ValueError(f"not an Admiralty grading: {reliability}{credibility}")
    return property_extension("admiralty-grading", source_reliability=reliability, information_credibility=credibility)


def admiralty_confidence(reliability: str, credibility: int) -> int:
    """STIX confidence (0-100) for an Admiralty grading; see the admiralty-grading definition for the mapping."""
    if reliability not in ADMIRALTY_RELIABILITY or credibility not in ADMIRALTY_CREDIBILITY:
        raise ValueError(f"not an Admiralty grading: {reliability}{credibility}")
    if credibility == 6:
        return _UNJUDGED_CONFIDENCE
    return _CREDIBILITY_CONFIDENCE[credibility] + _RELIABILITY_OFFSET[reliability]
