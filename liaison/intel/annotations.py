"""Opinions, notes and sightings about an object: what partners said, and adding one's own.

Annotations are STIX objects like any other: they refer to the object (`object_refs`,
`sighting_of_ref`), are created by the user's organisation and enter the store through the normal
import, shared with an audience the user picks among those that see the object (an annotation
never goes wider, nor under a weaker TLP, than what it is about: intel.reach, which imports and
sharing apply too).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Connection

from liaison import clock
from liaison.access.principal import Action, Principal
from liaison.errors import InvalidInput
from liaison.ingest.bundles import import_objects
from liaison.intel import reach
from liaison.intel.objects import ObjectView, get_object
from liaison.stix import tlp as tlp_levels
from liaison.stix.timestamps import format_ts, parse_ts, to_millis
from liaison.store import links, reads, tenancy
from liaison.store.reads import HoldingInfo

#: The STIX 2.1 opinion-enum, from disagreement to agreement.
OPINIONS = ("strongly-disagree", "disagree", "neutral", "agree", "strongly-agree")
#: Types that are not SDOs and so cannot be sighted (SROs and meta objects); SCOs have no 'created'.
_NOT_SIGHTABLE = frozenset(
    {"relationship", "sighting", "marking-definition", "language-content", "extension-definition"}
)
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


def about(conn: Connection, principal: Principal, stix_id: str) -> Annotations:
    """The latest visible opinions, notes, sightings and reports that refer to `stix_id`."""
    found = Annotations()
    rows = [
        row
        for row in links.referring_versions(conn, principal, stix_id, ("object_refs", "sighting_of_ref"))
        if row.type in KINDS
    ]
    objects = {row.pk: orjson.loads(row.raw) for row in rows}
    authors = reads.current_versions(
        conn,
        principal,
        {o["created_by_ref"] for o in objects.values() if o.get("created_by_ref")},
        include_revoked=True,
    )
    holdings = reads.holdings_of(conn, principal, [row.pk for row in rows])
    lists = {
        "opinion": found.opinions,
        "note": found.notes,
        "sighting": found.sightings,
        "report": found.containers,
        "grouping": found.containers,
    }
    for row in rows:
        obj = objects[row.pk]
        author = authors[obj["created_by_ref"]].name if obj.get("created_by_ref") in authors else None
        lists[row.type].append(Annotation(obj, author, row.tlp, holdings.get(row.pk, [])))
    return found


@dataclass(frozen=True, slots=True)
class AudienceChoice:
    spec: str  # what import_objects takes: 'org', 'group:<name>', 'instance'
    label: str


def audience_choices(
    conn: Connection, principal: Principal, stix_id: str | None = None
) -> tuple[list[AudienceChoice], str]:
    """The audiences the principal may share with, narrowest first, and the default. For an
    annotation of `stix_id` only those its rule allows (intel.reach: everyone in them sees the
    principal's view of the object), and its own organisation; the default is the narrowest of the
    former, the own organisation only when there is none. Without `stix_id` (drafts, merges,
    imports): all of them, defaulting to the own organisation."""
    view = get_object(conn, principal, stix_id) if stix_id is not None else None
    choices = _choices(conn, principal, view)
    return choices, choices[1].spec if view is not None and len(choices) > 1 else "org"


def _choices(conn: Connection, principal: Principal, view: ObjectView | None) -> list[AudienceChoice]:
    """The own organisation, then the principal's groups by size, then the instance: all of them,
    or with `view` only those an annotation of it may be held for (intel.reach)."""
    groups = {name: members for name, _desc, members in tenancy.list_groups(conn)}
    if view is None:
        found = list(tenancy.audiences(conn, principal.audience_ids).values())
    else:
        # The audience part of the rule only: the TLP part is tlp_choices'.
        claim = reach.Claim(view.stix_id, "red", frozenset({view.stix_id}))
        found = reach.Views(conn, principal, [claim]).audiences(claim)
    mine = sorted(
        (a.label.removeprefix("group:") for a in found if a.kind == "group"), key=lambda g: (len(groups[g]), g)
    )
    own = tenancy.audience_label("org", principal.org_name)
    choices = [AudienceChoice("org", f"{own} (my organisation only)")]
    for name in mine:
        label = tenancy.audience_label("group", group=name)
        choices.append(AudienceChoice(label, f"{label} ({', '.join(groups[name])})"))
    if any(a.kind == "instance" for a in found):
        choices.append(AudienceChoice("instance", "instance (every organisation of this instance)"))
    return choices


def tlp_choices(obj: dict) -> tuple[tuple[str, ...], str]:
    """The TLP levels an annotation of `obj` may have, its own or stricter, and the default: its
    own, or AMBER when it has none."""
    level = tlp_levels.level_of_object(obj)
    return tlp_levels.LEVELS[tlp_levels.LEVELS.index(level or "clear") :], level or "amber"


def _within_reach(
    conn: Connection, principal: Principal, stix_id: str, audience: str, level: str | None
) -> tuple[dict, str | None]:
    """The object an annotation is about and the annotation's TLP (the object's when none is
    given), once the annotation is known to go no wider than the object (intel.reach): to the own
    organisation or an audience that sees the principal's view of the object, with a TLP at least
    the object's (the import checks the rule again). An invisible object is not found, as an
    unknown one; errors name only audiences the principal may share with."""
    principal.require(Action.WRITE)
    view = get_object(conn, principal, stix_id)
    target = orjson.loads(view.raw)
    floor = tlp_levels.level_of_object(target)
    level = level or floor
    if level and level not in tlp_levels.LEVELS:
        raise InvalidInput(f"unknown TLP level '{level}'", parameter="tlp")
    if floor and tlp_levels.LEVELS.index(level) < tlp_levels.LEVELS.index(floor):
        raise InvalidInput(
            f"this object is TLP:{floor.upper()}; what is said about it must be TLP:{floor.upper()} or stricter",
            parameter="tlp",
        )
    allowed = [c.spec for c in _choices(conn, principal, view)]
    if audience not in allowed:
        known = audience in {c.spec for c in _choices(conn, principal, None)}
        problem = f"not everyone in '{audience}' sees this object" if known else f"unknown audience '{audience}'"
        raise InvalidInput(f"{problem}; you can share it with: {', '.join(allowed)}", audience=audience)
    return target, level


def new_object(principal: Principal, type_: str, tlp: str | None, **props) -> dict:
    """A new object of the organisation (a random id, now, its identity as author, its marking)."""
    stamp = to_millis(clock.now())
    obj = {
        "type": type_,
        "spec_version": "2.1",
        "id": f"{type_}--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        **{k: v for k, v in props.items() if v not in (None, "", [])},
    }
    if principal.org_identity_id:
        obj["created_by_ref"] = principal.org_identity_id
    if tlp:
        obj["object_marking_refs"] = [tlp_levels.TLP2_IDS[tlp]]
    return obj


def add_opinion(
    conn: Connection,
    principal: Principal,
    stix_id: str,
    *,
    opinion: str,
    explanation: str = "",
    audience: str = "org",
    tlp: str | None = None,
) -> dict:
    """Record the organisation's opinion of a visible object, within its reach (_within_reach);
    return the new STIX opinion."""
    _target, tlp = _within_reach(conn, principal, stix_id, audience, tlp)
    if opinion not in OPINIONS:
        raise InvalidInput(f"an opinion is one of: {', '.join(OPINIONS)}", parameter="opinion")
    obj = new_object(principal, "opinion", tlp, opinion=opinion, explanation=explanation.strip(), object_refs=[stix_id])
    import_objects(conn, principal, [obj], audience=audience)
    return obj


def add_note(
    conn: Connection,
    principal: Principal,
    stix_id: str,
    *,
    content: str,
    abstract: str = "",
    audience: str = "org",
    tlp: str | None = None,
) -> dict:
    """Attach a note to a visible object, within its reach (_within_reach); return the new STIX note."""
    _target, tlp = _within_reach(conn, principal, stix_id, audience, tlp)
    if not content.strip():
        raise InvalidInput("a note needs some content", parameter="content")
    obj = new_object(principal, "note", tlp, abstract=abstract.strip(), content=content.strip(), object_refs=[stix_id])
    import_objects(conn, principal, [obj], audience=audience)
    return obj


def form_time(value: str | None, name: str) -> str | None:
    """A form's date-time ('2025-03-01T10:30' from a browser, or a STIX timestamp), as STIX."""
    if not value:
        return None
    try:
        moment = parse_ts(value)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a date and time", parameter=name) from None
    return format_ts(moment, millis=True)


def sightable(obj: dict) -> bool:
    """Whether the object is an SDO, which a sighting may refer to."""
    return "created" in obj and obj.get("type") not in _NOT_SIGHTABLE


def add_sighting(
    conn: Connection,
    principal: Principal,
    stix_id: str,
    *,
    count: int | None = None,
    first_seen: str | None = None,
    last_seen: str | None = None,
    where: list[str] = (),
    description: str = "",
    audience: str = "org",
    tlp: str | None = None,
) -> dict:
    """Report that the organisation sighted a visible SDO, within its reach (_within_reach);
    return the new STIX sighting."""
    target, tlp = _within_reach(conn, principal, stix_id, audience, tlp)
    if not sightable(target):
        raise InvalidInput(f"a {target['type']} cannot be sighted; sightings are of SDOs such as indicators")
    if count is not None and not 0 <= count <= 999_999_999:
        raise InvalidInput("'count' must be between 0 and 999999999", parameter="count")
    first, last = form_time(first_seen, "first_seen"), form_time(last_seen, "last_seen")
    if first and last and last < first:
        raise InvalidInput("'last seen' must not be before 'first seen'", parameter="last_seen")
    where = [ref for ref in where if ref]
    if where:
        seen = reads.current_versions(conn, principal, set(where), include_revoked=True)
        if any(ref not in seen or seen[ref].type not in ("identity", "location") for ref in where):
            raise InvalidInput("'where sighted' must name identities or locations you can see", parameter="where")
    obj = new_object(
        principal,
        "sighting",
        tlp,
        sighting_of_ref=stix_id,
        count=count,
        first_seen=first,
        last_seen=last,
        where_sighted_refs=list(dict.fromkeys(where)),
        description=description.strip(),
    )
    import_objects(conn, principal, [obj], audience=audience)
    return obj
