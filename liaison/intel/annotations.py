"""Opinions, notes and sightings about an object: what partners said, and adding one's own.

Annotations are STIX objects like any other: they refer to the object (`object_refs`,
`sighting_of_ref`), are created by the user's organisation and enter the store through the normal
import with an audience the user picks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import orjson
from sqlalchemy import Engine

from liaison import clock
from liaison.access.principal import Principal
from liaison.errors import InvalidInput
from liaison.ingest.bundles import import_objects
from liaison.intel.objects import get_object
from liaison.stix import tlp as tlp_levels
from liaison.store import reads, refs, tenancy
from liaison.store.reads import HoldingInfo

#: The STIX 2.1 opinion-enum, from disagreement to agreement.
OPINIONS = ("strongly-disagree", "disagree", "neutral", "agree", "strongly-agree")
#: Types that are not SDOs and so cannot be sighted (SROs and meta objects); SCOs have no 'created'.
_NOT_SIGHTABLE = frozenset({"relationship", "sighting", "marking-definition", "language-content",
                            "extension-definition"})
#: The types listed about an object (through `object_refs`, or `sighting_of_ref` for sightings).
KINDS = ("opinion", "note", "sighting", "report", "grouping")


@dataclass(frozen=True, slots=True)
class Annotation:
    """An annotation as shown: the STIX object, who made it, who holds it shared with whom."""

    object: dict
    author: str | None
    tlp: str | None
    holdings: list[HoldingInfo]


@dataclass(slots=True)
class Annotations:
    opinions: list[Annotation] = field(default_factory=list)
    notes: list[Annotation] = field(default_factory=list)
    sightings: list[Annotation] = field(default_factory=list)
    #: Reports and groupings that include the object.
    containers: list[Annotation] = field(default_factory=list)


def about(engine: Engine, principal: Principal, stix_id: str) -> Annotations:
    """The latest visible opinions, notes, sightings and reports that refer to `stix_id`."""
    found = Annotations()
    with engine.connect() as conn:
        rows = [row for row in refs.referrers(conn, principal, stix_id, ("object_refs", "sighting_of_ref"))
                if row.type in KINDS]
        objects = {row.pk: orjson.loads(row.raw) for row in rows}
        authors = refs.latest(conn, principal, {o["created_by_ref"] for o in objects.values()
                                                if o.get("created_by_ref")})
        holdings = reads.holdings_of(conn, principal, [row.pk for row in rows])
    lists = {"opinion": found.opinions, "note": found.notes, "sighting": found.sightings,
             "report": found.containers, "grouping": found.containers}
    for row in rows:
        obj = objects[row.pk]
        author = authors.get(obj.get("created_by_ref"), (None, None, None))[1]
        lists[row.type].append(Annotation(obj, author, row.tlp, holdings.get(row.pk, [])))
    return found


@dataclass(frozen=True, slots=True)
class AudienceChoice:
    spec: str  # what import_objects takes: 'org', 'group:<name>', 'instance'
    label: str


def audience_choices(engine: Engine, principal: Principal,
                     stix_id: str | None = None) -> tuple[list[AudienceChoice], str]:
    """The audiences the principal may share with, narrowest first, and the default for an
    annotation of `stix_id`: the narrowest one that also includes the object's owner (the
    organisation that created it, or else those holding it), or the own organisation."""
    view = get_object(engine, principal, stix_id) if stix_id is not None else None
    with engine.connect() as conn:
        groups = {name: set(members) for name, _desc, members in tenancy.list_groups(conn)}
        labels = {a.label for a in tenancy.audiences(conn, principal.audience_ids).values()}
        orgs = {row.identity_id: row for row in tenancy.list_orgs(conn)}
    mine = [name for name in sorted(groups, key=lambda g: (len(groups[g]), g)) if f"group:{name}" in labels]
    choices = [AudienceChoice("org", f"org:{principal.org_name} (my organisation only)")]
    choices += [AudienceChoice(f"group:{name}", f"group:{name} ({', '.join(sorted(groups[name]))})") for name in mine]
    if "instance" in labels:
        choices.append(AudienceChoice("instance", "instance (every organisation of this instance)"))
    if view is None:
        return choices, "org"
    creator = orjson.loads(view.raw).get("created_by_ref")
    owners = {orgs[creator].name} if creator in orgs else {h.owner for h in view.holdings}
    if principal.org_name in owners:
        return choices, "org"
    for name in mine:
        if owners & groups[name]:
            return choices, f"group:{name}"
    local = {row.name for row in orgs.values() if row.partner_id is None}
    return choices, "instance" if "instance" in labels and owners & local else "org"


def _stamp() -> str:
    """Now, as a STIX timestamp with milliseconds."""
    return clock.now()[:23] + "Z"


def _new(principal: Principal, type_: str, tlp: str | None, **props) -> dict:
    principal.require_writer()
    if tlp and tlp not in tlp_levels.LEVELS:
        raise InvalidInput(f"unknown TLP level '{tlp}'", parameter="tlp")
    stamp = _stamp()
    obj = {"type": type_, "spec_version": "2.1", "id": f"{type_}--{uuid.uuid4()}", "created": stamp,
           "modified": stamp, **{k: v for k, v in props.items() if v not in (None, "", [])}}
    if principal.org_identity_id:
        obj["created_by_ref"] = principal.org_identity_id
    if tlp:
        obj["object_marking_refs"] = [tlp_levels.TLP2_IDS[tlp]]
    return obj


def add_opinion(engine: Engine, principal: Principal, stix_id: str, *, opinion: str, explanation: str = "",
                audience: str = "org", tlp: str | None = None) -> dict:
    """Record the organisation's opinion of a visible object; return the new STIX opinion."""
    get_object(engine, principal, stix_id)
    if opinion not in OPINIONS:
        raise InvalidInput(f"an opinion is one of: {', '.join(OPINIONS)}", parameter="opinion")
    obj = _new(principal, "opinion", tlp, opinion=opinion, explanation=explanation.strip(), object_refs=[stix_id])
    import_objects(engine, principal, [obj], audience=audience)
    return obj


def add_note(engine: Engine, principal: Principal, stix_id: str, *, content: str, abstract: str = "",
             audience: str = "org", tlp: str | None = None) -> dict:
    """Attach a note to a visible object; return the new STIX note."""
    get_object(engine, principal, stix_id)
    if not content.strip():
        raise InvalidInput("a note needs some content", parameter="content")
    obj = _new(principal, "note", tlp, abstract=abstract.strip(), content=content.strip(), object_refs=[stix_id])
    import_objects(engine, principal, [obj], audience=audience)
    return obj


def _when(value: str | None, name: str) -> str | None:
    """A form's date-time ('2025-03-01T10:30' from a browser, or a STIX timestamp), as STIX."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"'{name}' must be a date and time", parameter=name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return clock.format_ts(moment)[:23] + "Z"


def sightable(obj: dict) -> bool:
    """Whether the object is an SDO, which a sighting may refer to."""
    return "created" in obj and obj.get("type") not in _NOT_SIGHTABLE


def add_sighting(engine: Engine, principal: Principal, stix_id: str, *, count: int | None = None,
                 first_seen: str | None = None, last_seen: str | None = None, where: list[str] = (),
                 description: str = "", audience: str = "org", tlp: str | None = None) -> dict:
    """Report that the organisation sighted a visible SDO; return the new STIX sighting."""
    target = orjson.loads(get_object(engine, principal, stix_id).raw)
    if not sightable(target):
        raise InvalidInput(f"a {target['type']} cannot be sighted; sightings are of SDOs such as indicators")
    if count is not None and not 0 <= count <= 999_999_999:
        raise InvalidInput("'count' must be between 0 and 999999999", parameter="count")
    first, last = _when(first_seen, "first_seen"), _when(last_seen, "last_seen")
    if first and last and last < first:
        raise InvalidInput("'last seen' must not be before 'first seen'", parameter="last_seen")
    where = [ref for ref in where if ref]
    if where:
        with engine.connect() as conn:
            seen = refs.latest(conn, principal, set(where))
        if any(seen.get(ref, ("",))[0] not in ("identity", "location") for ref in where):
            raise InvalidInput("'where sighted' must name identities or locations you can see", parameter="where")
    obj = _new(principal, "sighting", tlp, sighting_of_ref=stix_id, count=count, first_seen=first,
               last_seen=last, where_sighted_refs=list(dict.fromkeys(where)), description=description.strip())
    import_objects(engine, principal, [obj], audience=audience)
    return obj
