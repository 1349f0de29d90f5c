"""From a text to entities, observables, dates and suggested relationships.

The extractors each find mentions (observables, places, dates, titled names, known names); this
module settles overlaps, resolves names against the knowledge index through what the reader may
see, gathers mentions into entities, flags conflicts for the analyst and suggests relationships.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from liaison.ingest.extract import mentions as kinds
from liaison.ingest.extract.context import find_context_entities
from liaison.ingest.extract.dates import find_dates
from liaison.ingest.extract.folding import TOKEN, light, similarity, skeleton, skeleton_token
from liaison.ingest.extract.knowledge import KnowledgeIndex, KnownEntity
from liaison.ingest.extract.mentions import Mention
from liaison.ingest.extract.observables import find_observables
from liaison.ingest.extract.places import find_places
from liaison.ingest.extract.plugins import Recognizer
from liaison.ingest.extract.titles import TITLES

#: Visible, current views of known entities by id: what the reader may see of them (merged
#: duplicates already replaced by their canonical entity). Ids the reader may not see are absent.
Lookup = Callable[[set[str]], dict[str, KnownEntity]]

#: Below this a known name is not taken as a match.
MIN_CONFIDENCE = 0.7
#: One-word names must be this close to the known spelling (short names collide when folded).
MIN_SINGLE_WORD_SIMILARITY = 0.85
#: Longer names too: their skeletons agree, their spellings must be alike (0..1).
MIN_SIMILARITY = 0.78
#: Given names less alike than this are different people (Jana and Ivana, Dina and Dana) ...
MIN_FIRST_NAME_SIMILARITY = 0.7
#: ... and a spelling variant of a given name (Mohammed, Muhammad) is resolved, but for review.
FIRST_NAME_VARIANT_CONFIDENCE = 0.8
#: Lower-case last words that news style leaves after a group's proper name.
_GENERIC_NOUNS = frozenset({"network", "group", "cartel", "gang", "clan", "movement", "front", "brigade", "ring"})
_PARTICLES = frozenset(
    {
        "of",
        "the",
        "and",
        "for",
        "on",
        "in",
        "al",
        "el",
        "bin",
        "ibn",
        "bint",
        "ben",
        "abu",
        "de",
        "del",
        "della",
        "der",
        "den",
        "la",
        "le",
        "van",
        "von",
        "da",
        "di",
        "du",
        "do",
        "dos",
        "y",
        "e",
        "ud",
        "ul",
        "ad",
        "ed",
        "zu",
        "ter",
        "ould",
    }
)
#: A role this unlike every known role of the person is flagged.
_ROLE_AGREEMENT = 70
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\"“(])|\n\s*\n")
#: Words of titles, which may stand before a surname used alone ("Minister Petrov").
TITLE_WORDS = frozenset(w for title in TITLES for w in title.split()) | {"mr", "mrs", "ms", "dr", "gen", "col"}
_ENTITY_KIND_ORDER = {kinds.PERSON: 0, kinds.ORGANIZATION: 1, kinds.GROUP: 1, kinds.LOCATION: 2}


@dataclass(frozen=True, slots=True)
class Flag:
    """A doubt for the analyst about the known entity `ref`, kept as what the text says (`said`):
    its wording comes from what the reader sees of `ref` when it is shown (describe), so a draft
    never repeats a name or a title its reader no longer sees. Kinds: 'first-name' and 'title'
    (the entity resolved to `ref` is written otherwise), 'ambiguous' (`said` also names other
    candidates), 'namesake' (a new person sharing `ref`'s surname)."""

    kind: str
    ref: str
    said: str


@dataclass(slots=True)
class Entity:
    """One person, organisation, group or place the text talks about. What the text says of it
    (`text_name`, `said`) is kept apart from what the known object it resolves to adds (`name`,
    `known_attrs`), so dropping the link drops everything that came from the known object."""

    key: str
    kind: str
    name: str
    ref: str | None = None
    confidence: float = 1.0
    mentions: list[Mention] = field(default_factory=list)
    said: dict = field(default_factory=dict)
    known_attrs: dict = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    #: The flags in words, as the reader of the extraction sees the entities they name.
    conflicts: list[str] = field(default_factory=list)
    #: Other known entities the name could stand for: (stix id, name, confidence).
    candidates: list[tuple[str, str, float]] = field(default_factory=list)
    text_name: str = ""

    def __post_init__(self) -> None:
        self.text_name = self.text_name or self.name

    @property
    def attrs(self) -> dict:
        return {**self.said, **self.known_attrs}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A relationship the text suggests, between entity or observable keys."""

    source: str
    relationship_type: str
    target: str
    attrs: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(slots=True)
class Extraction:
    mentions: list[Mention]
    entities: list[Entity]
    observables: dict[str, Mention]
    dates: list[Mention]
    relationships: list[Suggestion]


@dataclass(slots=True)
class _Resolved:
    mention: Mention
    ref: str
    confidence: float
    candidates: list[tuple[str, str, float]]
    #: The gazetteer's place at the same words, if any: what the text itself says of it.
    place: Mention | None = None


def extract(
    text: str,
    *,
    published: datetime.date | None = None,
    index: KnowledgeIndex | None = None,
    lookup: Lookup | None = None,
    recognizer: Recognizer | None = None,
) -> Extraction:
    """Everything `text` mentions. `lookup` confirms known names against what the reader may see
    (by default every entity of `index` is visible); `recognizer` is an optional NER plug-in."""
    index = index or KnowledgeIndex()
    lookup = lookup or (lambda ids: {i: e for i in ids if (e := index.entity(i)) is not None})
    places = find_places(text)
    observables = find_observables(
        text, regions=tuple(dict.fromkeys(p.attrs["country"] for p in places if p.attrs.get("country")))
    )
    dates = find_dates(text, published)
    known, namesakes = _known_mentions(text, index, lookup, {(p.start, p.end): p for p in places})
    contextual = find_context_entities(text) + (recognizer(text) if recognizer else []) + namesakes

    taken = [(m.start, m.end) for m in observables]
    known = [r for r in known if not _overlaps(r.mention, taken)]
    taken += [(r.mention.start, r.mention.end) for r in known]
    builder = _EntityBuilder(index, lookup)
    for resolved in known:
        builder.add_resolved(resolved)
    for mention in sorted(contextual, key=lambda m: (m.start, m.start - m.end)):
        inside = [r for r in known if r.mention.start <= mention.start and mention.end <= r.mention.end]
        if inside:
            builder.add_role(inside[0].ref, mention)
        elif not _overlaps(mention, taken):
            builder.add_contextual(mention)
            taken.append((mention.start, mention.end))
    builder.corefer(text)
    builder.describe_flags()
    # A place named inside a person's or an organisation's name is not a place the text talks about.
    named = [(m.start, m.end) for e in builder.entities.values() for m in e.mentions]
    for place in places:
        if not _overlaps(place, named) and not _overlaps(place, taken):
            builder.add_place(place)
    entities = sorted(builder.entities.values(), key=lambda e: (_ENTITY_KIND_ORDER.get(e.kind, 3), e.mentions[0].start))
    observable_keys = _observable_keys(observables)
    dates = [d for d in dates if not _overlaps(d, taken)]
    every = [m for e in entities for m in e.mentions] + observables + dates
    return Extraction(
        mentions=sorted(every, key=lambda m: (m.start, -m.end)),
        entities=entities,
        observables=observable_keys,
        dates=dates,
        relationships=_suggest(text, entities, observable_keys),
    )


def _overlaps(mention: Mention, spans: Iterable[tuple[int, int]]) -> bool:
    return any(mention.start < end and start < mention.end for start, end in spans)


def _capital(word: str) -> bool:
    """A capitalised word, or one whose part after a prefix is (al-Sahil, d'Arc)."""
    return word[0].isupper() or any(part[:1].isupper() for part in re.split(r"['’\-]", word)[1:])


def _capitalised(surface: str) -> bool:
    """A name's first and last words are capitalised, the others too but for particles (of, al, bin, de ...)."""
    words = TOKEN.findall(surface)
    if len(words) > 1 and words[-1] in _GENERIC_NOUNS:
        words = words[:-1]  # the Vakhsh network
    return (
        bool(words)
        and _capital(words[0])
        and _capital(words[-1])
        and all(_capital(w) or w.lower() in _PARTICLES for w in words)
    )


def _known_mentions(
    text: str, index: KnowledgeIndex, lookup: Lookup, places: dict[tuple[int, int], Mention]
) -> tuple[list[_Resolved], list[Mention]]:
    """Known names in the text, confirmed against the reader's view, longest first where they overlap;
    and the persons whose name differs from a known person's by the given name only (namesakes).
    A name that is a place in the gazetteer is taken as a known entity only when spelled exactly."""
    found = [c for c in index.find(text) if _capitalised(text[c.start : c.end])]
    namesakes: list[Mention] = []
    if not found:
        return [], namesakes
    visible = lookup({i for c in found for i in c.stix_ids})
    resolved: list[_Resolved] = []
    for candidate in sorted(found, key=lambda c: (c.start - c.end, c.start)):
        if any(candidate.start < r.mention.end and r.mention.start < candidate.end for r in resolved):
            continue
        surface = text[candidate.start : candidate.end]
        key = skeleton(surface)  # the index knows every version's names; the reader's must match
        seen = {
            e.stix_id: e
            for i in candidate.stix_ids
            if (e := visible.get(i)) is not None and any(skeleton(n) == key for n in e.names)
        }
        scored = _score(surface, list(seen.values()))
        if not scored and _namesake(surface, seen.values()) and (candidate.start, candidate.end) not in places:
            namesakes.append(
                Mention(kinds.PERSON, candidate.start, candidate.end, surface, surface, source="knowledge-base")
            )
        if not scored or scored[0][2] < MIN_CONFIDENCE:
            continue
        ref, name, confidence = scored[0]
        entity = seen[ref]
        if confidence < 1.0 and entity.kind != kinds.LOCATION and (candidate.start, candidate.end) in places:
            continue
        mention = Mention(
            kind=entity.kind,
            start=candidate.start,
            end=candidate.end,
            text=surface,
            value=name,
            attrs=dict(entity.attrs),
            source="knowledge-base",
        )
        resolved.append(_Resolved(mention, ref, confidence, scored[1:], places.get((candidate.start, candidate.end))))
    return sorted(resolved, key=lambda r: r.mention.start), namesakes


def _score(surface: str, entities: list[KnownEntity]) -> list[tuple[str, str, float]]:
    """(stix id, name, confidence) of the entities `surface` may name, best first."""
    key = skeleton(surface)
    one_word = " " not in key
    scored: dict[str, tuple[str, str, float]] = {}
    for entity in entities:
        for name in entity.names:
            if skeleton(name) != key:
                continue
            if name == surface:
                confidence = 1.0
            elif one_word and not _is_acronym(name):
                alike = similarity(surface, name)
                if alike < MIN_SINGLE_WORD_SIMILARITY:
                    continue
                confidence = 0.45 + 0.5 * alike
            elif _is_acronym(name):
                continue  # acronyms match as written only
            else:
                alike = similarity(surface, name)
                if alike < MIN_SIMILARITY:
                    continue
                confidence = 0.45 + 0.5 * alike
            if entity.kind == kinds.PERSON and (first := _first_names(surface, name)):
                if similarity(*first) < MIN_FIRST_NAME_SIMILARITY:
                    continue  # Jana Novak is not Ivana Novak: a namesake, flagged elsewhere
                if light(first[0]) != light(first[1]):
                    confidence = min(confidence, FIRST_NAME_VARIANT_CONFIDENCE)
            best = scored.get(entity.stix_id)
            if best is None or confidence > best[2]:
                scored[entity.stix_id] = (entity.stix_id, entity.name, round(confidence, 3))
    return sorted(scored.values(), key=lambda s: (-s[2], s[1]))


def _namesake(surface: str, known: Iterable[KnownEntity]) -> bool:
    """A name of two words or more, within one sentence, sharing its surname (as spelled) with a
    known person: Dina Haddad beside Dana Haddad."""
    words = TOKEN.findall(surface)
    if len(words) < 2 or any(ch in surface for ch in ".,;:!?—–\n"):
        return False
    return any(e.kind == kinds.PERSON and light(TOKEN.findall(e.name)[-1]) == light(words[-1]) for e in known)


def _first_names(surface: str, name: str) -> tuple[str, str] | None:
    """The first words of two names of two words or more (the given names, for persons)."""
    a, b = TOKEN.findall(surface), TOKEN.findall(name)
    return (a[0], b[0]) if len(a) > 1 and len(b) > 1 else None


def describe(
    flag: Flag, known: dict[str, KnownEntity], candidates: list[tuple[str, str, float]], confidence: float
) -> str | None:
    """`flag` in words, from what the reader sees: `known` (the reader's views of entities by id)
    and the entity's `candidates` and `confidence`; None when the reader no longer sees what
    raised it, or it no longer holds."""
    entity = known.get(flag.ref)
    if entity is None:
        return None
    if flag.kind == "first-name":
        first = _first_names(flag.said, entity.name)
        if entity.kind == kinds.PERSON and first and light(first[0]) != light(first[1]):
            return (
                f"first name written '{first[0]}' here and '{first[1]}' in the known record: "
                "check that this is the same person"
            )
    elif flag.kind == "title":
        roles = entity.attrs.get("roles", ())
        if not _role_agrees(flag.said, roles):
            return f"title differs: the text says '{flag.said}', known as {', '.join(roles)}"
    elif flag.kind == "ambiguous":
        tied = [ref for ref, _name, c in candidates if c >= confidence and ref in known][:3]
        if tied:
            return f"ambiguous: '{flag.said}' also names " + ", ".join(f"{known[r].name} ({r})" for r in tied)
    elif flag.kind == "namesake" and _same_surname(flag.said, entity):
        return (
            f"same surname as the known person {entity.name} ({entity.stix_id}) but a different first name: kept apart"
        )
    return None


def _same_surname(name: str, known: KnownEntity) -> bool:
    """A known person of another name, one of whose own names (as the reader sees them) ends with
    the surname of `name`, in any spelling."""
    surname = skeleton_token(TOKEN.findall(name)[-1])
    return (
        known.kind == kinds.PERSON
        and light(known.name) != light(name)
        and any(len(words := TOKEN.findall(n)) > 1 and skeleton_token(words[-1]) == surname for n in known.names)
    )


def _is_acronym(name: str) -> bool:
    return name.isupper() and " " not in name


def _role_agrees(role: str, known: Iterable[str]) -> bool:
    known = list(known)
    return not known or any(fuzz.token_set_ratio(role.lower(), k.lower()) >= _ROLE_AGREEMENT for k in known)


class _EntityBuilder:
    """Gathers mentions into entities, keyed by the known object or by kind and folded name."""

    def __init__(self, index: KnowledgeIndex, lookup: Lookup):
        self.index = index
        self.lookup = lookup
        self.entities: dict[str, Entity] = {}

    def _entity(self, key: str, kind: str, name: str, **values) -> Entity:
        entity = self.entities.get(key)
        if entity is None:
            entity = self.entities[key] = Entity(key=key, kind=kind, name=name, **values)
        return entity

    def add_resolved(self, resolved: _Resolved) -> None:
        m, place = resolved.mention, resolved.place
        entity = self._entity(
            resolved.ref,
            m.kind,
            m.value,
            ref=resolved.ref,
            confidence=resolved.confidence,
            known_attrs={k: v for k, v in m.attrs.items() if k != "roles"},
            said=dict(place.attrs) if place else {},
            text_name=place.value if place else m.text,
            candidates=resolved.candidates,
        )
        entity.confidence = max(entity.confidence, resolved.confidence)
        entity.mentions.append(m)
        _flag(entity, Flag("first-name", resolved.ref, m.text))
        if resolved.candidates and resolved.candidates[0][2] >= resolved.confidence:
            _flag(entity, Flag("ambiguous", resolved.ref, m.text))

    def add_role(self, ref: str, mention: Mention) -> None:
        """A titled mention of an already known entity: record the role, flag a different one."""
        entity = self.entities[ref]
        role = mention.attrs.get("role")
        if not role:
            return
        entity.said.setdefault("role", role)
        _flag(entity, Flag("title", ref, role))
        if mention.attrs.get("organization"):
            entity.said.setdefault("organization", mention.attrs["organization"])

    def add_contextual(self, mention: Mention) -> None:
        """A person or organisation found from its title or context: known by another spelling, or new."""
        ids = self.index.ids_for(mention.value)
        visible = {
            e.stix_id: e for e in (self.lookup(ids) if ids else {}).values() if _compatible(e.kind, mention.kind)
        }
        scored = _score(mention.value, list(visible.values()))
        if scored and scored[0][2] >= MIN_CONFIDENCE:
            ref, name, confidence = scored[0]
            entity = self._entity(
                ref,
                visible[ref].kind,
                name,
                ref=ref,
                confidence=confidence,
                known_attrs={k: v for k, v in visible[ref].attrs.items() if k != "roles"},
                text_name=mention.value,
                candidates=scored[1:],
            )
            entity.mentions.append(mention)
            _flag(entity, Flag("first-name", ref, mention.value))
            self.add_role(ref, mention)
            return
        if mention.kind == kinds.PERSON and " " not in light(mention.value):
            namesake = self._person_with_surname(mention.value)
            if namesake is not None:  # "Minister Petrov" after "Ivan Petrov"
                namesake.mentions.append(mention)
                return
        key = f"{mention.kind}:{light(mention.value)}"
        entity = self._entity(key, mention.kind, mention.value, confidence=1.0)
        entity.mentions.append(mention)
        for attr, value in mention.attrs.items():
            entity.said.setdefault(attr, value)
        if mention.kind == kinds.PERSON:
            self._flag_namesakes(entity, mention.value)

    def _person_with_surname(self, word: str) -> Entity | None:
        """The one person of the text so far whose name ends with `word` (in any spelling)."""
        found = [
            e
            for e in self.entities.values()
            if e.kind == kinds.PERSON
            and len(TOKEN.findall(e.name)) > 1
            and skeleton_token(TOKEN.findall(e.name)[-1]) == skeleton_token(word)
        ]
        return found[0] if len(found) == 1 else None

    def _flag_namesakes(self, entity: Entity, name: str) -> None:
        """A new person whose surname is a known person's, under another first name: kept apart, flagged."""
        words = TOKEN.findall(name)
        if len(words) < 2:
            return
        ids = self.index.ids_for_surname(skeleton_token(words[-1]))
        for known in self.lookup(ids).values() if ids else ():
            if _same_surname(name, known):  # the index knows every version's names, the reader not
                entity.candidates.append((known.stix_id, known.name, round(similarity(name, known.name), 3)))
                _flag(entity, Flag("namesake", known.stix_id, name))

    def add_place(self, place: Mention) -> None:
        ids = self.index.ids_for(place.value)
        folded = skeleton(place.value)  # the index knows every version's names; the reader's must match
        visible = [
            e
            for e in (self.lookup(ids) if ids else {}).values()
            if e.kind == kinds.LOCATION and any(skeleton(n) == folded for n in e.names)
        ]
        match = next(
            (e for e in visible if not e.attrs.get("country") or e.attrs.get("country") == place.attrs.get("country")),
            None,
        )
        if match is not None:
            entity = self._entity(
                match.stix_id,
                kinds.LOCATION,
                match.name,
                ref=match.stix_id,
                said=dict(place.attrs),
                known_attrs=dict(match.attrs),
                text_name=place.value,
            )
        else:
            key = f"location:{place.attrs.get('level', '')}:{place.attrs.get('country', '')}:{light(place.value)}"
            entity = self._entity(key, kinds.LOCATION, place.value, said=dict(place.attrs))
        entity.mentions.append(place)

    def describe_flags(self) -> None:
        """Put every entity's flags in words, as the reader sees the entities they name."""
        refs = {f.ref for e in self.entities.values() for f in e.flags}
        known = self.lookup(refs) if refs else {}
        for entity in self.entities.values():
            entity.conflicts = [
                text for f in entity.flags if (text := describe(f, known, entity.candidates, entity.confidence))
            ]

    def corefer(self, text: str) -> None:
        """Later mentions of a person of the text by surname alone ('Patrushev said')."""
        by_surname: dict[str, list[Entity]] = {}
        for entity in self.entities.values():
            words = TOKEN.findall(entity.name)
            if entity.kind == kinds.PERSON and len(words) >= 2:
                by_surname.setdefault(skeleton_token(words[-1]), []).append(entity)
        if not by_surname:
            return
        taken = [(m.start, m.end) for e in self.entities.values() for m in e.mentions]
        for match in TOKEN.finditer(text):
            word = match.group()
            owners = by_surname.get(skeleton_token(word))
            if not owners or len(owners) != 1 or not word[0].isupper():
                continue
            start, end = match.span()
            if not _stands_alone(text, start, end):
                continue  # Olga Petrov, Petrov Street: another name
            if word.endswith(("'s", "’s")):
                word, end = word[:-2], end - 2  # Kakhkhorov's deputy
            if any(start < e and s < end for s, e in taken):
                continue
            owner = owners[0]
            if similarity(word, TOKEN.findall(owner.name)[-1]) < MIN_SINGLE_WORD_SIMILARITY:
                continue
            owner.mentions.append(Mention(kinds.PERSON, start, end, word, owner.name, source="coreference"))


_WORD_BEFORE = re.compile(r"([^\W\d_][\w'’.-]*)[ \t]+$")
_WORD_AFTER = re.compile(r"[ \t]+([^\W\d_][\w'’-]*)")


def _stands_alone(text: str, start: int, end: int) -> bool:
    """A surname used alone: not after another capitalised name word (but for a title: Minister
    Petrov), not before a capitalised word."""
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if before and before.group(1)[0].isupper() and before.group(1).lower().rstrip(".") not in TITLE_WORDS:
        return False
    after = _WORD_AFTER.match(text, end)
    return not (after and after.group(1)[0].isupper())


def _compatible(known_kind: str, mention_kind: str) -> bool:
    if mention_kind == kinds.ORGANIZATION:
        return known_kind in (kinds.ORGANIZATION, kinds.GROUP)
    return known_kind == mention_kind


def _flag(entity: Entity, flag: Flag) -> None:
    if flag not in entity.flags:
        entity.flags.append(flag)


def _observable_keys(observables: list[Mention]) -> dict[str, Mention]:
    """Distinct observables keyed 'kind:value' (first mention kept)."""
    keyed: dict[str, Mention] = {}
    for mention in observables:
        keyed.setdefault(f"{mention.kind}:{mention.value}", mention)
    return keyed


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        bounds.append((start, match.end()))
        start = match.end()
    bounds.append((start, len(text)))
    return bounds


def _suggest(text: str, entities: list[Entity], observables: dict[str, Mention]) -> list[Suggestion]:
    """Relationships the text supports closely enough to propose to the analyst."""
    suggestions: list[Suggestion] = []
    by_name = {light(e.name): e for e in entities if e.kind in (kinds.ORGANIZATION, kinds.GROUP)}
    places = [e for e in entities if e.kind == kinds.LOCATION]
    for entity in entities:
        organization = entity.attrs.get("organization")
        if entity.kind == kinds.PERSON and organization:
            employer = by_name.get(light(organization.removeprefix("the ")))
            if employer is not None:
                position = {"position": entity.attrs["role"]} if entity.attrs.get("role") else {}
                suggestions.append(Suggestion(entity.key, "related-to", employer.key, position))
        if entity.kind in (kinds.ORGANIZATION, kinds.GROUP) and entity.attrs.get("country"):
            # "Pakistan's Interior Ministry": located in that country, when the text names it too
            home = next(
                (
                    p
                    for p in places
                    if p.attrs.get("level") == "country" and p.attrs.get("country") == entity.attrs["country"]
                ),
                None,
            )
            if home is not None:
                suggestions.append(Suggestion(entity.key, "located-at", home.key))
    actors = [e for e in entities if e.kind in (kinds.PERSON, kinds.ORGANIZATION, kinds.GROUP)]
    for start, end in _sentences(text):
        present = [e for e in actors if any(start <= m.start < end for m in e.mentions)]
        if len(present) != 1:
            continue
        for key, mention in observables.items():
            if start <= mention.start < end:
                suggestions.append(Suggestion(present[0].key, "related-to", key))
    return list(dict.fromkeys(suggestions))
