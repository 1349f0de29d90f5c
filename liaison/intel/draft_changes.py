"""The changes an analyst makes to a draft's review, typed: each change is one model, told apart
by its `op` (`Change`), and applied by one function (`_OPERATIONS`); the REST API takes the same
models as its request body, so its OpenAPI document describes every change, and the web UI's
review forms build them too. The analyst's additions (an entity or an observable selected in the
text, a relationship between two findings) are changes like the others.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError
from sqlalchemy import Connection

from liaison import clock
from liaison.access.principal import Principal
from liaison.errors import InvalidInput, NotFound
from liaison.ingest.extract import gazetteer
from liaison.ingest.extract import mentions as kinds
from liaison.ingest.extract.observables import read_observable
from liaison.ingest.extract.places import find_places
from liaison.intel import draft_bundle
from liaison.intel.draft_review import (
    ARTICLE_YEARS,
    HISTORY_VALUE_LENGTH,
    TITLE_LENGTH,
    EntityFinding,
    EntityKind,
    Finding,
    HistoryEntry,
    Mention,
    ObservableFinding,
    RelationshipFinding,
    ReviewDocument,
    plausible_article_date,
    redate,
)
from liaison.intel.resolution import known_entity
from liaison.stix.entities import NAMED_TYPES
from liaison.store import reads

# --- the changes ---------------------------------------------------------------------------------

Key = Annotated[str, Field(min_length=1, max_length=100, description="A finding's key in the draft: e1, o2, r3…")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AcceptFinding(_Change):
    """Publish a finding (every finding is accepted until it is dropped)."""

    op: Literal["accept"]
    key: Key


class DropFinding(_Change):
    """Leave a finding out of the publication."""

    op: Literal["drop"]
    key: Key


class RenameEntity(_Change):
    """Name an entity otherwise: it becomes a new entity of that name, linked to no known object."""

    op: Literal["rename"]
    key: Key
    name: Text


class ChangeEntityKind(_Change):
    """Make an entity a person, an organisation, a group or a place: a new entity of that kind (a
    place needs the country or coordinates the gazetteer gave; else link it to a known place)."""

    op: Literal["kind"]
    key: Key
    kind: EntityKind


class LinkEntity(_Change):
    """Resolve an entity to a known person, organisation, group or place you may see."""

    op: Literal["link"]
    key: Key
    ref: Annotated[Text, Field(description="The STIX id of the known object")]


class UnlinkEntity(_Change):
    """Make an entity resolved to a known object a new entity, as the text names it."""

    op: Literal["unlink"]
    key: Key


class CombineEntities(_Change):
    """Count an entity as another one of the draft (`into`, which must be kept): its mentions and
    relationships move there, and it is dropped."""

    op: Literal["combine"]
    key: Key
    into: Key


class SetTitle(_Change):
    """Give the draft, and the report it publishes, another title (cut to 300 characters)."""

    op: Literal["title"]
    title: Text


class SetArticleDate(_Change):
    """Correct the article's date (the report's `published`): the dates the text gives relative to
    it ('yesterday', 'on Monday', '12 March') are read again from the new date."""

    op: Literal["published"]
    published: Annotated[datetime.date, Field(description="The article's date, YYYY-MM-DD (1900 to 2100)")]


# --- additions (begin): findings and relationships the analyst adds -----------------------------

#: The kinds of entity an analyst adds from the text.
AddedKind = Literal[kinds.PERSON, kinds.ORGANIZATION, kinds.LOCATION]
#: The kinds of observable (ingest.extract.mentions.OBSERVABLE_KINDS).
ObservableKind = Literal[kinds.OBSERVABLE_KINDS]
#: The relationships an analyst adds, in STIX 2.1's words: any two findings are `related-to`; a
#: person, an organisation or a group is `located-at` a place (a group's is published as
#: `originates-from`); a group `targets` a person, an organisation or a place.
RelationshipType = Literal["related-to", "located-at", "targets"]
Offset = Annotated[int, Field(ge=0, description="A character offset in the draft's text")]
#: The longest name an analyst adds.
NAME_LENGTH = 200


class AddEntity(_Change):
    """Add the words of the text from `start` to `end` as a new person, organisation or place (a
    place the gazetteer knows, for its country and coordinates); the name is the text there."""

    op: Literal["add-entity"]
    kind: AddedKind
    start: Offset
    end: Offset


class AddObservable(_Change):
    """Add the words of the text from `start` to `end` as an observable of `kind`, read and checked
    as the extractor reads it (a wallet whose checksum fails, a malformed address… is refused)."""

    op: Literal["add-observable"]
    kind: ObservableKind
    start: Offset
    end: Offset


class AddRelationship(_Change):
    """Relate two findings of the draft (entities or observables, by key): `related-to` any two;
    a person, organisation or group `located-at` a place; a group `targets` a person, an
    organisation or a place."""

    op: Literal["add-relationship"]
    source: Key
    type: RelationshipType
    target: Key


# --- additions (end) ------------------------------------------------------------------------------


Change = Annotated[
    AcceptFinding
    | DropFinding
    | RenameEntity
    | ChangeEntityKind
    | LinkEntity
    | UnlinkEntity
    | CombineEntities
    | SetTitle
    | SetArticleDate
    | AddEntity
    | AddObservable
    | AddRelationship,
    Field(discriminator="op"),
]
_CHANGES = TypeAdapter(list[Change])


def parse_changes(changes: Sequence[Change | dict]) -> list[Change]:
    """The changes as their models (models pass as they are; their JSON form is read into them);
    InvalidInput naming each change and field that is wrong otherwise."""
    if not isinstance(changes, (list, tuple)) or not changes:
        raise InvalidInput("send a non-empty list of changes")
    try:
        return _CHANGES.validate_python(changes)
    except ValidationError as exc:
        problems = [_problem(error) for error in exc.errors(include_url=False)]
        index, field = problems[0][0], problems[0][1]
        raise InvalidInput("; ".join(text for _i, _f, text in problems), index=index, field=field) from None


def _problem(error: dict) -> tuple[int | None, str | None, str]:
    """(change index, field, words) of one validation error; its location is (index, op, field…)."""
    index, *rest = error["loc"] or (None,)
    if error["type"].startswith("union_tag"):
        field = "op"
    else:
        field = ".".join(str(part) for part in rest[1:]) or None
    return index, field, f"change #{index}" + (f", {field}" if field else "") + f": {error['msg']}"


@dataclass
class _Edit:
    """A review under way: the document and title the changes apply to, in one transaction."""

    conn: Connection
    principal: Principal
    doc: ReviewDocument
    title: str
    #: The draft's text and article date (YYYY-MM-DD), which a date correction reads and changes.
    text: str = ""
    published: str | None = None

    def finding(self, key: str) -> Finding:
        item = self.doc.finding(key)
        if isinstance(item, EntityFinding) and item.combined_into:
            raise InvalidInput(f"'{key}' was combined into '{item.combined_into}'; change that one", key=key)
        return item

    def entity(self, change: _Change) -> EntityFinding:
        item = self.finding(change.key)
        if not isinstance(item, EntityFinding):
            raise InvalidInput(f"'{change.op}' changes entities; '{change.key}' is not one", key=change.key)
        return item


@dataclass(frozen=True, slots=True)
class Applied:
    """The draft's title and article date once the changes are made."""

    title: str
    published: str | None


def apply(
    conn: Connection,
    principal: Principal,
    doc: ReviewDocument,
    title: str,
    changes: Sequence[Change],
    *,
    text: str = "",
    published: str | None = None,
) -> Applied:
    """Apply `changes` in order to `doc` (in place), each recorded in its history, to the draft of
    `title`, `text` and article date `published`. InvalidInput names the change that cannot be
    made; then the document must be dropped."""
    edit = _Edit(conn, principal, doc, title, text, published)
    for number, change in enumerate(changes):
        try:
            _OPERATIONS[type(change)](edit, change)
        except InvalidInput as exc:
            raise InvalidInput(f"change #{number}: {exc.message}", index=number, **exc.details) from None
        fields = {k: str(v)[:HISTORY_VALUE_LENGTH] for k, v in change.model_dump().items()}
        doc.history.append(HistoryEntry(**fields, at=clock.now(), user=principal.user_name))
    return Applied(edit.title, edit.published)


def _decide(edit: _Edit, change: AcceptFinding | DropFinding) -> None:
    edit.finding(change.key).decision = change.op


def _anew(entity: EntityFinding) -> None:
    """The entity is what the text says (its name and attributes), a new object: whatever came
    from the known object it was linked to goes with the link."""
    entity.ref, entity.confidence = None, 1.0
    entity.new_id = draft_bundle.new_entity_id(entity.kind, entity.name, entity.attrs)


def _rename(edit: _Edit, change: RenameEntity) -> None:
    entity = edit.entity(change)
    entity.name = change.name
    _anew(entity)


def _change_kind(edit: _Edit, change: ChangeEntityKind) -> None:
    entity = edit.entity(change)
    if change.kind == kinds.LOCATION and not (entity.attrs.get("country") or entity.attrs.get("latitude")):
        raise InvalidInput("a place needs a country or coordinates: link it to a known location instead", field="kind")
    entity.kind = change.kind
    _anew(entity)


def _link(edit: _Edit, change: LinkEntity) -> None:
    """Resolve a draft entity to an existing object the principal may see; its name and
    attributes are read from that object whenever the draft is."""
    entity = edit.entity(change)
    row = reads.current_versions(edit.conn, edit.principal, {change.ref}).get(change.ref)
    if row is None:
        raise NotFound(f"no object {change.ref}")
    known = known_entity(orjson.loads(row.raw)) if change.ref.split("--")[0] in NAMED_TYPES else None
    if known is None:
        raise InvalidInput(f"{change.ref} is not a person, organisation, group or place", field="ref")
    entity.ref, entity.kind, entity.confidence, entity.new_id = change.ref, known.kind, 1.0, None


def _unlink(edit: _Edit, change: UnlinkEntity) -> None:
    _anew(edit.entity(change))


def _combine(edit: _Edit, change: CombineEntities) -> None:
    entity, into = edit.entity(change), edit.doc.finding(change.into)
    if into is entity or not isinstance(into, EntityFinding) or into.combined_into or into.decision == "drop":
        raise InvalidInput("combine an entity into another entity of the draft that is kept", field="into")
    if (into.kind == kinds.PERSON) != (entity.kind == kinds.PERSON) or (into.kind == kinds.LOCATION) != (
        entity.kind == kinds.LOCATION
    ):
        raise InvalidInput(f"a {entity.kind} cannot be combined with a {into.kind}", field="into")
    into.mentions = sorted(into.mentions + entity.mentions, key=lambda m: m.start)
    entity.decision, entity.mentions, entity.combined_into = "drop", [], into.key
    for rel in edit.doc.relationships:
        rel.source = into.key if rel.source == entity.key else rel.source
        rel.target = into.key if rel.target == entity.key else rel.target
    edit.doc.relationships = [r for r in edit.doc.relationships if r.source != r.target]


def _retitle(edit: _Edit, change: SetTitle) -> None:
    edit.title = change.title[:TITLE_LENGTH]


def _redate(edit: _Edit, change: SetArticleDate) -> None:
    if not plausible_article_date(change.published):
        raise InvalidInput("the article date must be between {} and {}".format(*ARTICLE_YEARS), field="published")
    edit.published = change.published.isoformat()
    edit.doc.date_from, edit.doc.date_said = "analyst", None
    redate(edit.doc, edit.text, change.published)


# --- additions (begin): adding findings and relationships -----------------------------------------

#: Where a relationship type may go: (kinds of source, kinds of target); None is any finding.
_ENDS: dict[str, tuple[frozenset[str] | None, frozenset[str] | None]] = {
    "related-to": (None, None),
    "located-at": (
        frozenset({kinds.PERSON, kinds.ORGANIZATION, kinds.GROUP}),
        frozenset({kinds.LOCATION}),
    ),
    "targets": (frozenset({kinds.GROUP}), frozenset({kinds.PERSON, kinds.ORGANIZATION, kinds.LOCATION})),
}
_TRAILING = ".,;:!?'\"’”"


def _span(edit: _Edit, change: AddEntity | AddObservable) -> tuple[int, int, str]:
    """The words from `change.start` to `change.end` without the blanks around them, as (start,
    end, words); InvalidInput when they are not inside the text or are blank."""
    text = edit.text
    if not change.start < change.end <= len(text):
        raise InvalidInput(f"choose words inside the text: start before end, both from 0 to {len(text)}", field="end")
    start, end = change.start, change.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise InvalidInput("the words chosen are blank: choose a name or a value", field="start")
    return start, end, text[start:end]


def locate(text: str, words: str, near: int | None = None) -> tuple[int, int]:
    """Where `words` (exactly as written, case aside) occur in `text`: the first occurrence, or the
    one nearest to the offset `near`; InvalidInput when they do not."""
    words = words.strip()
    if not words:
        raise InvalidInput("the words chosen are blank: choose a name or a value", field="words")
    starts = _occurrences(text, words)
    if not starts and len(text.lower()) == len(text) and len(words.lower()) == len(words):
        starts = _occurrences(text.lower(), words.lower())
    if not starts:
        raise InvalidInput(f"'{words[:100]}' is not in the text: give the words exactly as written", field="words")
    start = starts[0] if near is None else min(starts, key=lambda s: abs(s - near))
    return start, start + len(words)


def _occurrences(text: str, words: str) -> list[int]:
    found, at = [], text.find(words)
    while at != -1:
        found.append(at)
        at = text.find(words, at + 1)
    return found


def _next_key(prefix: str, items: Sequence[Any]) -> str:
    numbers = [int(i.key[len(prefix) :]) for i in items if i.key.startswith(prefix) and i.key[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _add_entity(edit: _Edit, change: AddEntity) -> None:
    start, end, name = _span(edit, change)
    if len(name) > NAME_LENGTH or "\n" in name:
        raise InvalidInput(f"choose the words of one name, on one line (at most {NAME_LENGTH} characters)", field="end")
    for entity in edit.doc.entities:
        if not entity.combined_into and any((m.start, m.end) == (start, end) for m in entity.mentions):
            raise InvalidInput(
                f"'{name}' there is already {entity.key} ({entity.name}); correct that one", key=entity.key
            )
    attrs: dict[str, Any] = {}
    if change.kind == kinds.LOCATION:
        known = _known_place(edit.text, start, end)
        if known is None:
            raise InvalidInput(
                f"the gazetteer does not know '{name}', and a place needs its country or coordinates: "
                "add it as an organisation, or add the country it is in",
                field="kind",
            )
        name, facts = known
        attrs = {k: v for k, v in facts.items() if k in ("level", "country", "latitude", "longitude")}
    edit.doc.entities.append(
        EntityFinding(
            key=_next_key("e", edit.doc.entities),
            kind=change.kind,
            name=name,
            new_id=draft_bundle.new_entity_id(change.kind, name, attrs),
            attrs=attrs,
            mentions=[Mention(start=start, end=end, text=edit.text[start:end], source="analyst")],
        )
    )


def _known_place(text: str, start: int, end: int) -> tuple[str, dict[str, Any]] | None:
    """The gazetteer's place at text[start:end], as (canonical name, facts): as the extractor reads
    it there, else the words' own entry (the analyst says it is a place: even a name that is also
    a word or a person's)."""
    found = [p for p in find_places(text) if (p.start, p.end) == (start, end)]
    if found:
        return found[0].value, found[0].attrs
    words = text[start:end]
    place = gazetteer.place_for(words, ambiguous=True) or gazetteer.place_for(words.title(), ambiguous=True)
    return (place.name, place.attrs()) if place is not None else None


def _add_observable(edit: _Edit, change: AddObservable) -> None:
    start, end, _words = _span(edit, change)
    while end > start + 1 and edit.text[end - 1] in _TRAILING:  # the full stop after an address
        end -= 1
    written = edit.text[start:end]
    regions = ()
    if change.kind == "phone-number":
        regions = tuple(dict.fromkeys(p.attrs["country"] for p in find_places(edit.text) if p.attrs.get("country")))
    try:
        found = read_observable(change.kind, written, regions)
    except ValueError as exc:
        listed = [o.key for o in edit.doc.observables if any((m.start, m.end) == (start, end) for m in o.mentions)]
        advice = f" (it is listed as {listed[0]}: accept it there)" if listed else ""
        raise InvalidInput(f"{exc}{advice}", field="kind") from None
    mention = Mention(start=start, end=end, text=written, source="analyst")
    same = next((o for o in edit.doc.observables if (o.kind, o.value) == (found.kind, found.value)), None)
    if same is not None:  # another mention of a value the draft has: one object, accepted
        if all((m.start, m.end) != (start, end) for m in same.mentions):
            same.mentions = sorted([*same.mentions, mention], key=lambda m: m.start)
        same.decision = "accept"
        return
    edit.doc.observables.append(
        ObservableFinding(
            key=_next_key("o", edit.doc.observables),
            kind=found.kind,
            value=found.value,
            attrs=found.attrs,
            id=draft_bundle.observable_id(found.kind, found.value, found.attrs),
            mentions=[mention],
        )
    )


def _end(edit: _Edit, key: str, field: str) -> EntityFinding | ObservableFinding:
    item = edit.finding(key)
    if not isinstance(item, (EntityFinding, ObservableFinding)):
        raise InvalidInput(f"a relationship joins entities and observables; '{key}' is neither", field=field)
    if item.decision == "drop":
        raise InvalidInput(f"'{key}' is dropped: accept it first", field=field)
    return item


def _add_relationship(edit: _Edit, change: AddRelationship) -> None:
    if change.source == change.target:
        raise InvalidInput("relate two different findings", field="target")
    source, target = _end(edit, change.source, "source"), _end(edit, change.target, "target")
    sources, targets = _ENDS[change.type]
    for item, allowed, field in ((source, sources, "source"), (target, targets, "target")):
        if allowed is not None and (not isinstance(item, EntityFinding) or item.kind not in allowed):
            raise InvalidInput(
                f"'{change.type}' goes from a {' or '.join(sorted(sources or ['finding']))} "
                f"to a {' or '.join(sorted(targets or ['finding']))}; {item.key} is a {item.kind}",
                field=field,
            )
    for rel in edit.doc.relationships:
        if (rel.source, rel.type, rel.target) == (change.source, change.type, change.target):
            dropped = " (dropped: accept it there)" if rel.decision == "drop" else ""
            raise InvalidInput(f"the draft already has this relationship as {rel.key}{dropped}", key=rel.key)
    edit.doc.relationships.append(
        RelationshipFinding(
            key=_next_key("r", edit.doc.relationships),
            source=change.source,
            target=change.target,
            type=change.type,
            attrs={"source": "analyst"},
            id=f"relationship--{uuid.uuid4()}",
        )
    )


# --- additions (end) ------------------------------------------------------------------------------


_OPERATIONS: dict[type[_Change], Callable[[_Edit, Any], None]] = {
    AcceptFinding: _decide,
    DropFinding: _decide,
    RenameEntity: _rename,
    ChangeEntityKind: _change_kind,
    LinkEntity: _link,
    UnlinkEntity: _unlink,
    CombineEntities: _combine,
    SetTitle: _retitle,
    SetArticleDate: _redate,
    AddEntity: _add_entity,
    AddObservable: _add_observable,
    AddRelationship: _add_relationship,
}
