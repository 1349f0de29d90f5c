"""A draft's review, typed: the document stored with the draft and the document its reader is
shown (the changes an analyst makes to it are in `draft_changes`).

The stored document (`ReviewDocument`) keeps what the text says and the ids of the known objects
its entities were resolved to, never their content; `as_seen` makes what a reader is shown
(`SeenReview`) from what that reader sees of those objects now.

The stored JSON is the one drafts have always had; a field an earlier release wrote and this one
no longer reads (such as the `conflicts` in words of drafts published before migration 0005) is
ignored when the document is read.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, model_serializer
from sqlalchemy import Connection

from liaison import clock
from liaison.access.principal import Principal
from liaison.errors import InvalidInput
from liaison.ingest.boilerplate import Dropped
from liaison.ingest.extract import events
from liaison.ingest.extract import mentions as kinds
from liaison.ingest.extract.dates import find_dates
from liaison.ingest.extract.knowledge import KnownEntity
from liaison.ingest.extract.pipeline import Extraction
from liaison.ingest.extract.resolution import Flag, describe
from liaison.intel import draft_bundle, event_words
from liaison.intel.resolution import visible_entities

Decision = Literal["accept", "drop"]
#: The kinds of entity a draft finds (ingest.extract.mentions.ENTITY_KINDS).
EntityKind = Literal[kinds.PERSON, kinds.ORGANIZATION, kinds.GROUP, kinds.LOCATION]
#: How long a title may be; a longer one is cut.
TITLE_LENGTH = 300
#: How much of a change's value the history keeps.
HISTORY_VALUE_LENGTH = 300
#: Where a draft's article date comes from: the caller, the document's own metadata, a dateline
#: or 'Published:' line at the text's start, the day the draft was made, or the analyst's correction.
DateFrom = Literal["given", "document", "dateline", "today", "analyst"]


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


#: The years an article date may fall in; one outside them is a misreading or a typing error.
ARTICLE_YEARS = (1900, 2100)


def plausible_article_date(day: datetime.date) -> bool:
    return ARTICLE_YEARS[0] <= day.year <= ARTICLE_YEARS[1]


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


class DroppedLine(_Part):
    """A line of the text read that the draft's text leaves out as boilerplate: its number in the
    text read, its words, why, and `at`, the offset in the draft's text where it stood."""

    line: int
    text: str
    reason: str
    at: int


# --- events (begin): what the text says happened, between its entities -------------------------

#: The kinds of event a draft finds (ingest.extract.events).
EventKind = Literal[events.DRUG_SEIZURE, events.ARREST, events.DETENTION, events.ESCAPE, events.POSITION]


class EventParticipant(_Part):
    """An entity finding (by `key`) taking part in an event, with its `role` (events.AGENCY,
    SUSPECT, ARRESTED, ESCAPED, HOLDER, EMPLOYER)."""

    key: str
    role: str


class EventFinding(_Part):
    """An event the text reports: a drug seizure, an arrest, a detention, an escape or a person's
    position (ingest.extract.events.Event). `mention` is its trigger phrase; participants, `place`
    and `direction` (where an escape led) are entity findings by key, `date` the date the text
    gives it. Slots that do not apply to its kind stay empty. `id` is the STIX id of the object
    publishing makes of it: the drug-seizure, or the (first) relationship of the others."""

    omitted_when_empty = (
        "place",
        "date",
        "direction",
        "site",
        "substance",
        "substance_text",
        "quantity",
        "unit",
        "approximate",
        "amount",
        "role",
        "rank",
    )

    key: str
    kind: EventKind
    mention: Mention
    participants: list[EventParticipant] = []
    place: str | None = None
    date: DateFinding | None = None
    direction: str | None = None
    site: str | None = None
    substance: str | None = None
    substance_text: str | None = None
    quantity: float | None = None
    unit: str | None = None
    approximate: bool = False
    amount: str | None = None
    role: str | None = None
    rank: str | None = None
    decision: Decision = "accept"
    id: str

    def having(self, *roles: str) -> list[str]:
        """The keys of the participants with one of `roles`, in text order."""
        return [p.key for p in self.participants if p.role in roles]


# --- events (end) ---------------------------------------------------------------------------------

Finding = EntityFinding | ObservableFinding | RelationshipFinding | EventFinding


class RecogniserRun(_Part):
    """The statistical recogniser on this draft: `on`, and its name and version or why it was off."""

    on: bool
    detail: str


class _Review(_Part):
    report_id: str
    extracted_at: str
    observables: list[ObservableFinding] = []
    dates: list[DateFinding] = []
    relationships: list[RelationshipFinding] = []
    history: list[HistoryEntry] = []
    #: Where the article date (the draft's `published`) comes from; None for drafts made before
    #: this was recorded.
    date_from: DateFrom | None = None
    #: The words the date was read from, when it comes from a dateline.
    date_said: str | None = None
    #: The boilerplate lines left out of the text (`ingest.boilerplate`).
    dropped: list[DroppedLine] = []
    #: The text was kept whole: the analyst asked for it, or put the dropped lines back.
    boilerplate_kept: bool = False
    #: Whether the statistical recogniser proposed names, and which, or why it was off.
    recogniser: RecogniserRun | None = None


class ReviewDocument(_Review):
    """The review as the draft stores it."""

    omitted_when_empty = ("date_from", "date_said", "dropped", "boilerplate_kept", "recogniser", "events")

    entities: list[EntityFinding] = []
    #: The events the text reports (drafts made before events were read have none).
    events: list[EventFinding] = []

    def finding(self, key: str) -> Finding:
        """The finding keyed `key`, whichever kind it is."""
        for section in (self.entities, self.observables, self.relationships, self.events):
            for item in section:
                if item.key == key:
                    return item
        raise InvalidInput(f"no finding '{key}' in this draft", key=key)


def load(review_json: str | bytes) -> ReviewDocument:
    """The review document of a draft row's `review` column."""
    return ReviewDocument.model_validate_json(review_json)


def _mention(m) -> Mention:
    return Mention(start=m.start, end=m.end, text=m.text, source=m.source)


def review_of(
    extraction: Extraction,
    *,
    dropped: Sequence[Dropped] = (),
    date_from: DateFrom | None = None,
    date_said: str | None = None,
    boilerplate_kept: bool = False,
) -> ReviewDocument:
    """The review document of an extraction: every finding with a key, a planned STIX id and the
    decision 'accept' (the analyst drops or corrects what is wrong). It keeps what the text says
    and the ids of the known objects it was resolved to, never their content: names, attributes
    and flags about them are made when the draft is read (as_seen), from what its reader sees.
    `dropped` are the boilerplate lines the text was read without, `date_from` and `date_said`
    where the article date comes from."""
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
                # a value failing its checksum is shown, left out until the analyst accepts it
                decision="drop" if m.attrs.get("verified") is False else "accept",
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
        events=_events_of(extraction, found, relationships),
        date_from=date_from,
        date_said=date_said,
        dropped=[DroppedLine(line=d.line, text=d.text, reason=d.reason, at=d.at) for d in dropped],
        boilerplate_kept=boilerplate_kept,
        recogniser=(
            RecogniserRun(on=extraction.recogniser.on, detail=extraction.recogniser.detail)
            if extraction.recogniser
            else None
        ),
    )


# --- events (begin): the event findings of an extraction -----------------------------------------


def _events_of(
    extraction: Extraction, entities: list[EntityFinding], relationships: list[RelationshipFinding]
) -> list[EventFinding]:
    """An EventFinding per event, its mentions mapped to the entity findings whose mentions they
    are (by offsets): a participant whose entity is not found is left out, and so is an event left
    without the persons it is about (an arrest's, a detention's, an escape's) or a position without
    its holder or organisation. A position that a suggested relationship already gives (the same
    person and organisation) is that relationship, which takes the event's position if it had none."""
    at = {(m.start, m.end): e.key for e in entities for m in e.mentions}

    def key(mention) -> str | None:
        return at.get((mention.start, mention.end)) if mention is not None else None

    found: list[EventFinding] = []
    for event in extraction.events:
        pairs = dict.fromkeys((k, p.role) for p in event.participants if (k := key(p.mention)) is not None)
        participants = [EventParticipant(key=k, role=role) for k, role in pairs]
        finding = EventFinding(
            key=f"v{len(found) + 1}",
            kind=event.kind,
            mention=Mention(start=event.start, end=event.end, text=event.text),
            participants=participants,
            place=key(event.place),
            date=(DateFinding(**_mention(event.date).model_dump(), value=event.date.value) if event.date else None),
            direction=key(event.direction),
            site=event.site,
            substance=event.substance,
            substance_text=event.substance_text,
            quantity=event.quantity,
            unit=event.unit,
            approximate=event.approximate,
            amount=event.amount,
            role=event.role,
            rank=event.rank,
            id=f"{'drug-seizure' if event.kind == events.DRUG_SEIZURE else 'relationship'}--{uuid.uuid4()}",
        )
        if event.kind == events.POSITION:
            holder, employer = finding.having(events.HOLDER), finding.having(events.EMPLOYER)
            if not holder or not employer:
                continue
            same = next((r for r in relationships if (r.source, r.target) == (holder[0], employer[0])), None)
            if same is not None:
                if finding.role and not same.attrs.get("position"):
                    same.attrs = {**same.attrs, "position": finding.role}
                continue
        elif event.kind != events.DRUG_SEIZURE and not finding.having(events.ARRESTED, events.ESCAPED):
            continue
        found.append(finding)
    return found


# --- events (end) ---------------------------------------------------------------------------------


def redate(doc: ReviewDocument, text: str, published: datetime.date) -> None:
    """Read the dates of `text` again (in place) against another article date: the relative ones
    ('yesterday', 'on Monday', '12 March') move with it. As when the draft was made, a date inside
    a name or an observable the extraction found is not one."""
    before = {(d.start, d.end) for d in doc.dates}
    taken = [(m.start, m.end) for o in doc.observables for m in o.mentions]
    taken += [(m.start, m.end) for e in doc.entities if e.kind != kinds.LOCATION for m in e.mentions]
    doc.dates = [
        DateFinding(start=d.start, end=d.end, text=d.text, source=d.source, value=d.value)
        for d in find_dates(text, published)
        if (d.start, d.end) in before or not any(d.start < end and start < d.end for start, end in taken)
    ]


# --- the document as its reader sees it ----------------------------------------------------------


class SeenCandidate(_Part):
    ref: str
    name: str
    confidence: float


class SeenEntity(_Entity):
    """An entity as its reader sees it: a linked entity named and described by the reader's view
    of the known object; `conflicts` are the flags in words."""

    omitted_when_empty = ("combined_into", "no_longer_visible")

    #: The name as the draft writes it (the text's, or the analyst's correction): what publishing
    #: writes into the publisher's own objects, where `name` may be another organisation's.
    written: str
    candidates: list[SeenCandidate] = []
    #: Linked when the draft was made to an object its reader no longer sees: a new entity now.
    no_longer_visible: bool = False
    conflicts: list[str] = []


# --- events (begin): an event as its reader sees it ----------------------------------------------


class SeenParticipant(EventParticipant):
    """A participant named as its reader sees the entity; `kept` is False when the entity is dropped
    (publishing then leaves it out of the event)."""

    name: str
    kept: bool = True


class SeenEvent(EventFinding):
    """An event as its reader sees it: participants named, keys of combined entities followed to
    the entity they were combined into, its date as the draft reads it now, and `summary`, the
    event in words."""

    participants: list[SeenParticipant] = []
    summary: str


# --- events (end) ---------------------------------------------------------------------------------


class SeenReview(_Review):
    """The review as one reader sees it (what DraftView holds)."""

    entities: list[SeenEntity] = []
    events: list[SeenEvent] = []


def as_seen(conn: Connection, principal: Principal, doc: ReviewDocument) -> SeenReview:
    """The review with everything about known objects made from what `principal` sees of them now
    (a group left, a share narrowed or a version sanitised since the extraction change it): their
    names, kinds and attributes, the candidates and the flags in words. A link to an object the
    principal no longer sees is dropped, and the finding is a new one with what the text says."""
    refs = {e.ref for e in doc.entities if e.ref} | {c.ref for e in doc.entities for c in e.candidates}
    refs |= {f.ref for e in doc.entities for f in e.flags}
    known = visible_entities(conn, principal, refs)
    shared = {name: getattr(doc, name) for name in _Review.model_fields}
    entities = [_entity_as_seen(e, known, doc.report_id) for e in doc.entities]
    return SeenReview(**shared, entities=entities, events=[_event_as_seen(v, doc, entities) for v in doc.events])


def _entity_as_seen(stored: EntityFinding, known: dict[str, KnownEntity], report_id: str) -> SeenEntity:
    seen = stored.model_dump(include=set(_Entity.model_fields)) | {"written": stored.name}
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


# --- events (begin): reading an event -----------------------------------------------------------


def _event_as_seen(stored: EventFinding, doc: ReviewDocument, entities: list[SeenEntity]) -> SeenEvent:
    """The event with its entities as the reader sees them (names from the seen entities only, so
    nothing of an object the reader may not see shows) and in words."""
    by_key = {e.key: e for e in entities}

    def current(key: str | None) -> SeenEntity | None:
        seen = set()
        while key is not None and key in by_key and by_key[key].combined_into and key not in seen:
            seen.add(key)
            key = by_key[key].combined_into
        return by_key.get(key) if key is not None else None

    participants = []
    for p in stored.participants:
        entity = current(p.key)
        if entity is not None and all((q.key, q.role) != (entity.key, p.role) for q in participants):
            participants.append(
                SeenParticipant(key=entity.key, role=p.role, name=entity.name, kept=entity.decision == "accept")
            )
    place, direction = current(stored.place), current(stored.direction)
    date = stored.date
    if date is not None:  # read again when the article date is corrected ('on Tuesday' moves with it)
        now = next((d for d in doc.dates if (d.start, d.end) == (date.start, date.end)), None)
        date = now or date
    seen = stored.model_dump(exclude={"participants", "place", "direction", "date"})
    event = SeenEvent(
        **seen,
        participants=participants,
        place=place.key if place else None,
        direction=direction.key if direction else None,
        date=date,
        summary="",
    )
    names = {p.key: p.name for p in participants} | {e.key: e.name for e in (place, direction) if e is not None}
    event.summary = event_words.in_words(event, names.get)
    return event


# --- events (end) ---------------------------------------------------------------------------------
