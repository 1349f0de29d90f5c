"""A draft's review, typed: the document stored with the draft, the document its reader is shown,
and the changes an analyst makes to it.

The stored document (`ReviewDocument`) keeps what the text says and the ids of the known objects
its entities were resolved to, never their content; `as_seen` makes what a reader is shown
(`SeenReview`) from what that reader sees of those objects now. Each change is one model, told
apart by its `op` (`Change`), and applied by one function (`_OPERATIONS`); the REST API takes the
same models as its request body, so its OpenAPI document describes every change, and the web
UI's review forms build them too.

The stored JSON is the one drafts have always had; a field an earlier release wrote and this one
no longer reads (such as the `conflicts` in words of drafts published before migration 0005) is
ignored when the document is read.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError, model_serializer
from sqlalchemy import Connection

from liaison import clock
from liaison.access.principal import Principal
from liaison.errors import InvalidInput, NotFound
from liaison.ingest.extract import mentions as kinds
from liaison.ingest.extract.knowledge import KnownEntity
from liaison.ingest.extract.pipeline import Extraction, Flag, describe
from liaison.intel import draft_bundle
from liaison.intel.resolution import NAMED_TYPES, known_entity, visible_entities
from liaison.store import reads

Decision = Literal["accept", "drop"]
#: The kinds of entity a draft finds (ingest.extract.mentions.ENTITY_KINDS).
EntityKind = Literal[kinds.PERSON, kinds.ORGANIZATION, kinds.GROUP, kinds.LOCATION]
#: How long a title may be; a longer one is cut.
TITLE_LENGTH = 300
#: How much of a change's value the history keeps.
HISTORY_VALUE_LENGTH = 300


# --- the stored document -------------------------------------------------------------------------


class _Part(BaseModel):
    """Part of a review document. Fields an earlier release wrote and this one does not know are
    ignored; those named in `omitted_when_empty` are left out of the JSON while empty, as drafts
    have always been written."""

    model_config = ConfigDict(extra="ignore")
    omitted_when_empty: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _leave_out_empty(self, handler):
        data = handler(self)
        for name in self.omitted_when_empty:
            if not data.get(name):
                data.pop(name, None)
        return data


class Mention(_Part):
    """Where the text names a finding: `text[start:end]`, found by the extractor `source`."""

    start: int
    end: int
    text: str
    source: str | None = None


class DateFinding(Mention):
    value: str


class Candidate(_Part):
    """Another known entity the name could stand for (its name is read when the draft is)."""

    ref: str
    confidence: float


class _Entity(_Part):
    """What an entity is in the text: its name as written, its kind and the attributes the text
    and the gazetteer give; `ref` is the known object it was resolved to, `new_id` the object
    publishing makes (None while it refers to `ref`)."""

    key: str
    kind: str
    name: str
    ref: str | None = None
    new_id: str | None = None
    confidence: float = 1.0
    decision: Decision = "accept"
    attrs: dict[str, Any] = {}
    mentions: list[Mention] = []
    #: The entity it was combined into (then dropped, its mentions moved there).
    combined_into: str | None = None


class EntityFinding(_Entity):
    omitted_when_empty = ("combined_into",)

    #: Doubts about known entities, as the text gives them (put in words when read).
    flags: list[Flag] = []
    candidates: list[Candidate] = []


class ObservableFinding(_Part):
    key: str
    kind: str
    value: str
    attrs: dict[str, Any] = {}
    decision: Decision = "accept"
    id: str
    mentions: list[Mention] = []


class RelationshipFinding(_Part):
    """A relationship the text suggests, between the findings keyed `source` and `target`."""

    key: str
    source: str
    target: str
    type: str
    attrs: dict[str, Any] = {}
    decision: Decision = "accept"
    id: str


class HistoryEntry(_Part):
    """One applied change: its fields (values cut to HISTORY_VALUE_LENGTH), when and by whom."""

    # Entries written before changes were typed carry whatever fields the change had.
    model_config = ConfigDict(extra="allow")

    op: str
    at: str
    user: str


Finding = EntityFinding | ObservableFinding | RelationshipFinding


class _Review(_Part):
    report_id: str
    extracted_at: str
    observables: list[ObservableFinding] = []
    dates: list[DateFinding] = []
    relationships: list[RelationshipFinding] = []
    history: list[HistoryEntry] = []


class ReviewDocument(_Review):
    """The review as the draft stores it."""

    entities: list[EntityFinding] = []

    def finding(self, key: str) -> Finding:
        """The finding keyed `key`, whichever kind it is."""
        for section in (self.entities, self.observables, self.relationships):
            for item in section:
                if item.key == key:
                    return item
        raise InvalidInput(f"no finding '{key}' in this draft", key=key)


def load(review_json: str | bytes) -> ReviewDocument:
    """The review document of a draft row's `review` column."""
    return ReviewDocument.model_validate_json(review_json)


def _mention(m) -> Mention:
    return Mention(start=m.start, end=m.end, text=m.text, source=m.source)


def review_of(extraction: Extraction) -> ReviewDocument:
    """The review document of an extraction: every finding with a key, a planned STIX id and the
    decision 'accept' (the analyst drops or corrects what is wrong). It keeps what the text says
    and the ids of the known objects it was resolved to, never their content: names, attributes
    and flags about them are made when the draft is read (as_seen), from what its reader sees."""
    found, keys = [], {}
    for number, entity in enumerate(extraction.entities, 1):
        key = keys[entity.key] = f"e{number}"
        attrs = {k: v for k, v in entity.said.items() if isinstance(v, (str, int, float, list))}
        found.append(
            EntityFinding(
                key=key,
                kind=entity.kind,
                name=entity.text_name,
                ref=entity.ref,
                new_id=None if entity.ref else draft_bundle.new_entity_id(entity.kind, entity.text_name, attrs),
                confidence=round(entity.confidence, 3),
                attrs=attrs,
                flags=entity.flags,
                candidates=[Candidate(ref=r, confidence=c) for r, _name, c in entity.candidates],
                mentions=[_mention(m) for m in entity.mentions],
            )
        )
    observables = []
    for number, (okey, m) in enumerate(extraction.observables.items(), 1):
        key = keys[okey] = f"o{number}"
        observables.append(
            ObservableFinding(
                key=key,
                kind=m.kind,
                value=m.value,
                attrs=m.attrs,
                id=draft_bundle.observable_id(m.kind, m.value, m.attrs),
                mentions=[_mention(x) for x in extraction.mentions if f"{x.kind}:{x.value}" == okey],
            )
        )
    relationships = [
        RelationshipFinding(
            key=f"r{number}",
            source=keys[s.source],
            target=keys[s.target],
            type=s.relationship_type,
            attrs=s.attrs,
            id=f"relationship--{uuid.uuid4()}",
        )
        for number, s in enumerate(extraction.relationships, 1)
    ]
    return ReviewDocument(
        report_id=f"report--{uuid.uuid4()}",
        extracted_at=clock.now(),
        entities=found,
        observables=observables,
        dates=[DateFinding(**_mention(d).model_dump(), value=d.value) for d in extraction.dates],
        relationships=relationships,
    )


# --- the document as its reader sees it ----------------------------------------------------------


class SeenCandidate(_Part):
    ref: str
    name: str
    confidence: float


class SeenEntity(_Entity):
    """An entity as its reader sees it: a linked entity named and described by the reader's view
    of the known object; `conflicts` are the flags in words."""

    omitted_when_empty = ("combined_into", "no_longer_visible")

    candidates: list[SeenCandidate] = []
    #: Linked when the draft was made to an object its reader no longer sees: a new entity now.
    no_longer_visible: bool = False
    conflicts: list[str] = []


class SeenReview(_Review):
    """The review as one reader sees it (what DraftView holds)."""

    entities: list[SeenEntity] = []


def as_seen(conn: Connection, principal: Principal, doc: ReviewDocument) -> SeenReview:
    """The review with everything about known objects made from what `principal` sees of them now
    (a group left, a share narrowed or a version sanitised since the extraction change it): their
    names, kinds and attributes, the candidates and the flags in words. A link to an object the
    principal no longer sees is dropped, and the finding is a new one with what the text says."""
    refs = {e.ref for e in doc.entities if e.ref} | {c.ref for e in doc.entities for c in e.candidates}
    refs |= {f.ref for e in doc.entities for f in e.flags}
    known = visible_entities(conn, principal, refs)
    shared = {name: getattr(doc, name) for name in _Review.model_fields}
    return SeenReview(**shared, entities=[_entity_as_seen(e, known, doc.report_id) for e in doc.entities])


def _entity_as_seen(stored: EntityFinding, known: dict[str, KnownEntity], report_id: str) -> SeenEntity:
    seen = stored.model_dump(include=set(_Entity.model_fields))
    linked = known.get(stored.ref) if stored.ref else None
    if stored.ref and linked is None:
        # The same new id on every read, so the preview shows what publishing makes.
        seen.update(
            ref=None,
            confidence=1.0,
            no_longer_visible=True,
            new_id=draft_bundle.new_entity_id(stored.kind, stored.name, stored.attrs, seed=f"{report_id}/{stored.key}"),
        )
    elif linked is not None and _gazetteer_place(stored):
        seen["new_id"] = stored.ref  # the publisher makes it from the text, as anyone would
    elif linked is not None:
        seen.update(
            name=linked.name,
            kind=linked.kind,
            attrs={**stored.attrs, **{k: v for k, v in linked.attrs.items() if k != "roles"}},
        )
    candidates = [
        SeenCandidate(ref=c.ref, name=known[c.ref].name, confidence=c.confidence)
        for c in stored.candidates
        if c.ref in known
    ]
    named = [(c.ref, c.name, c.confidence) for c in candidates]
    flags = [f for f in stored.flags if f.kind == "namesake" or f.ref == seen["ref"]]
    conflicts = [text for f in flags if (text := describe(f, known, named, seen["confidence"]))]
    return SeenEntity(**seen, candidates=candidates, conflicts=conflicts)


def _gazetteer_place(entity: EntityFinding) -> bool:
    """A place linked to the very object the gazetteer makes of the text's name and facts."""
    return entity.kind == kinds.LOCATION and entity.ref == draft_bundle.new_entity_id(
        kinds.LOCATION, entity.name, entity.attrs
    )


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


Change = Annotated[
    AcceptFinding
    | DropFinding
    | RenameEntity
    | ChangeEntityKind
    | LinkEntity
    | UnlinkEntity
    | CombineEntities
    | SetTitle,
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


def apply(conn: Connection, principal: Principal, doc: ReviewDocument, title: str, changes: Sequence[Change]) -> str:
    """Apply `changes` in order to `doc` (in place), each recorded in its history; return the
    title. InvalidInput names the change that cannot be made; then the document must be dropped."""
    edit = _Edit(conn, principal, doc, title)
    for number, change in enumerate(changes):
        try:
            _OPERATIONS[type(change)](edit, change)
        except InvalidInput as exc:
            raise InvalidInput(f"change #{number}: {exc.message}", index=number, **exc.details) from None
        fields = {k: str(v)[:HISTORY_VALUE_LENGTH] for k, v in change.model_dump().items()}
        doc.history.append(HistoryEntry(**fields, at=clock.now(), user=principal.user_name))
    return edit.title


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


_OPERATIONS: dict[type[_Change], Callable[[_Edit, Any], None]] = {
    AcceptFinding: _decide,
    DropFinding: _decide,
    RenameEntity: _rename,
    ChangeEntityKind: _change_kind,
    LinkEntity: _link,
    UnlinkEntity: _unlink,
    CombineEntities: _combine,
    SetTitle: _retitle,
}
