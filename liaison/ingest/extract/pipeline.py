"""From a text to entities, observables, dates and suggested relationships.

The extractors each find mentions (observables, places, dates, titled names, known names); this
module settles overlaps, resolves names against the knowledge index through what the reader may
see, gathers mentions into entities, flags conflicts for the analyst and suggests relationships.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from liaison.ingest.extract import mentions as kinds
from liaison.ingest.extract.context import find_context_entities, headline_lines
from liaison.ingest.extract.dates import find_dates
from liaison.ingest.extract.entities import Entity, EntityBuilder
from liaison.ingest.extract.events import Clues, Event, find_events
from liaison.ingest.extract.knowledge import KnowledgeIndex
from liaison.ingest.extract.layout import unwrapped
from liaison.ingest.extract.mentions import Mention
from liaison.ingest.extract.observables import find_observables
from liaison.ingest.extract.places import find_places
from liaison.ingest.extract.plugins import Recognizer
from liaison.ingest.extract.proposals import repeats, settle_kinds, tidy
from liaison.ingest.extract.recogniser_process import FAILED, Failed
from liaison.ingest.extract.resolution import Lookup, known_mentions
from liaison.ingest.extract.spans import Containers, Occupied
from liaison.ingest.extract.statistical import Status
from liaison.ingest.extract.suggestions import Suggestion, suggest
from liaison.stix.folding import light


class Model(Protocol):
    """The statistical recogniser: `start(text)` returns what collects its proposals."""

    def start(self, text: str) -> Callable[[], list[Mention]]: ...


_ENTITY_KIND_ORDER = {kinds.PERSON: 0, kinds.ORGANIZATION: 1, kinds.GROUP: 1, kinds.LOCATION: 2}


@dataclass(slots=True)
class Extraction:
    mentions: list[Mention]
    entities: list[Entity]
    observables: dict[str, Mention]
    dates: list[Mention]
    relationships: list[Suggestion]
    #: Seizures, arrests, detentions, escapes and positions, between the mentions above.
    events: list[Event] = field(default_factory=list)
    #: Whether the statistical recogniser ran: its name and version, or why it was off.
    recogniser: Status | None = None


class Begun:
    """A model that began reading a text before extraction was called (a draft starts it first, so
    that it reads while the draft's date and the knowledge index are made ready): `start` hands
    back what it began, for that text alone."""

    def __init__(self, model: Model, text: str):
        self.text = unwrapped(text)
        self._pending = model.start(self.text)

    def start(self, text: str) -> Callable[[], list[Mention]]:
        if text != self.text:
            raise ValueError("the model began reading another text")
        return self._pending


def extract(
    text: str,
    *,
    published: datetime.date | None = None,
    index: KnowledgeIndex | None = None,
    lookup: Lookup | None = None,
    recognizer: Recognizer | None = None,
    model: Model | None = None,
    recogniser: Status | None = None,
) -> Extraction:
    """Everything `text` mentions. `lookup` confirms known names against what the reader may see
    (by default every entity of `index` is visible); `recognizer` is an optional NER plug-in whose
    findings count as the rules' own; `model` is the statistical recogniser (started on the text
    first, collected once the rules are done: in its own process it reads while they run), whose
    proposals count only where no rule found anything, and `recogniser` says what it was (or why
    it was off)."""
    text = unwrapped(text)
    pending = model.start(text) if model is not None else None  # the model reads while the rules run
    index = index or KnowledgeIndex()
    lookup = lookup or (lambda ids: {i: e for i in ids if (e := index.entity(i)) is not None})
    places = find_places(text)
    observables = find_observables(
        text, regions=tuple(dict.fromkeys(p.attrs["country"] for p in places if p.attrs.get("country")))
    )
    dates = find_dates(text, published)
    known, namesakes = known_mentions(text, index, lookup, {(p.start, p.end): p for p in places})
    contextual = find_context_entities(text) + (recognizer(text) if recognizer else []) + namesakes
    clues = Clues(text)  # for events, found while the model reads: they depend on the text alone
    proposed = []
    if pending is not None:
        try:
            proposed = tidy(text, pending())
        except Failed:
            recogniser = FAILED

    taken = Occupied(len(text))
    for m in observables:
        taken.take(m.start, m.end)
    others = [*places, *contextual, *proposed]
    # One visibility check for every name the builder will look up, instead of one per name (the
    # lookup remembers what it found for the rest of this extraction).
    wanted = {i for m in others for i in index.ids_for(m.value)}
    if wanted:
        lookup(wanted)
    longer = Containers((m.start, m.end) for m in others)
    surnames = {light(m.value.split()[-1]) for m in others if m.kind == kinds.PERSON and " " in m.value}
    known = [
        r
        for r in known
        if not taken.overlaps(r.mention.start, r.mention.end) and not _place_in_a_name(r.mention, longer, surnames)
    ]
    for r in known:
        taken.take(r.mention.start, r.mention.end)
    builder = EntityBuilder(index, lookup)
    for resolved in known:
        builder.add_resolved(resolved)
    for mention in sorted(contextual, key=lambda m: (m.start, m.start - m.end)):
        inside = [r for r in known if r.mention.start <= mention.start and mention.end <= r.mention.end]
        if inside:
            builder.add_role(inside[0].ref, mention)
        elif not taken.overlaps(mention.start, mention.end):
            builder.add_contextual(mention)
            taken.take(mention.start, mention.end)
    if proposed:
        _add_proposals(text, proposed, builder, places, taken)
    builder.corefer(text)
    builder.unify_variants(text)
    builder.describe_flags()
    # A place named inside a person's or an organisation's name is not a place the text talks about.
    for e in builder.entities.values():
        for m in e.mentions:
            taken.take(m.start, m.end)
    for place in places:
        if not taken.overlaps(place.start, place.end):
            builder.add_place(place)
    entities = sorted(builder.entities.values(), key=lambda e: (_ENTITY_KIND_ORDER.get(e.kind, 3), e.mentions[0].start))
    observable_keys = _observable_keys(observables)
    dates = [d for d in dates if not taken.overlaps(d.start, d.end)]
    every = [m for e in entities for m in e.mentions] + observables + dates
    return Extraction(
        mentions=sorted(every, key=lambda m: (m.start, -m.end)),
        entities=entities,
        observables=observable_keys,
        dates=dates,
        relationships=suggest(text, entities, observable_keys),
        events=find_events(text, every, clues),
        recogniser=recogniser,
    )


def _add_proposals(
    text: str, proposed: list[Mention], builder: EntityBuilder, places: list[Mention], taken: Occupied
) -> None:
    """The model's (tidied) proposals where the rules found nothing: one kind per name (the rules'
    reading first), with the names' other occurrences. At a place the gazetteer found (which gives
    it a country and coordinates), only a person proposed over a town's name counts ("Farrakhan"):
    the model calls cities organisations where a gazetteer knows better ("WARSAW", "Arbil")."""
    ruled = {light(m.value): e.kind for e in builder.entities.values() for m in e.mentions}
    proposals = _outside_headlines(text, settle_kinds(proposed, ruled))
    at_places = {(p.start, p.end): p for p in places}
    kept = []
    for mention in proposals:
        place = at_places.get((mention.start, mention.end))
        if taken.overlaps(mention.start, mention.end) or (
            place is not None and (mention.kind != kinds.PERSON or _strong(place))
        ):
            continue
        kept.append(mention)
    for mention in sorted(kept + repeats(text, kept, taken), key=lambda m: m.start):
        if taken.overlaps(mention.start, mention.end):
            continue
        if mention.kind == kinds.LOCATION:
            builder.add_place(mention)
        elif not builder.add_short_form(mention):
            builder.add_contextual(mention)
        taken.take(mention.start, mention.end)


def _outside_headlines(text: str, proposals: list[Mention]) -> list[Mention]:
    """The proposals, but those on a headline line written in capitals or Title Case ('Russia,
    Afghanistan Discuss Regional Security Threats'), where capitals say nothing about names, unless
    the article's other lines use the name too."""
    headlines = headline_lines(text)
    if not headlines:
        return proposals
    in_body = {light(m.value) for m in proposals if not any(a <= m.start < b for a, b in headlines)}
    return [m for m in proposals if light(m.value) in in_body or not any(a <= m.start < b for a, b in headlines)]


def _place_in_a_name(mention: Mention, longer: Containers, surnames: set[str]) -> bool:
    """A known place named inside a longer name another extractor found ('Poland' in 'National Bank
    of Poland', 'Cuba' in 'Santiago de Cuba'), or a one-word place that is the surname of a person
    the text names in full ('Jordan' after 'Neil Jordan')."""
    if mention.kind != kinds.LOCATION:
        return False
    if " " not in mention.text and light(mention.text) in surnames:
        return True
    return longer.strictly_contain(mention.start, mention.end)


def _strong(place: Mention) -> bool:
    return place.attrs.get("level") in ("country", "region")


def _observable_keys(observables: list[Mention]) -> dict[str, Mention]:
    """Distinct observables keyed 'kind:value' (first mention kept)."""
    keyed: dict[str, Mention] = {}
    for mention in observables:
        keyed.setdefault(f"{mention.kind}:{mention.value}", mention)
    return keyed
