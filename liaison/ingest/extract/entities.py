"""The entities of a text: mentions gathered by the known object they resolve to, or by kind and name.

New people and organisations are checked against known ones under other spellings, flagged when they
share a known person's surname, and found again where the text later uses a surname alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from liaison.ingest.extract import gazetteer
from liaison.ingest.extract import mentions as kinds
from liaison.ingest.extract.knowledge import KnowledgeIndex
from liaison.ingest.extract.mentions import Mention
from liaison.ingest.extract.resolution import (
    MIN_CONFIDENCE,
    MIN_SINGLE_WORD_SIMILARITY,
    Flag,
    Lookup,
    Resolved,
    describe,
    same_surname,
    score,
)
from liaison.ingest.extract.sentences import sentences
from liaison.ingest.extract.titles import TITLE_WORDS
from liaison.stix.folding import TOKEN, light, similarity, skeleton, skeleton_token


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


class EntityBuilder:
    """Gathers mentions into entities, keyed by the known object or by kind and folded name."""

    def __init__(self, index: KnowledgeIndex, lookup: Lookup):
        self.index = index
        self.lookup = lookup
        self.entities: dict[str, Entity] = {}
        #: Organisations by the first words of their names as written (add_short_form), and how
        #: many of each one's mentions are indexed so.
        self._prefixes: dict[tuple[str, ...], set[str]] = {}
        self._prefixed: dict[str, int] = {}

    def _entity(self, key: str, kind: str, name: str, **values) -> Entity:
        entity = self.entities.get(key)
        if entity is None:
            entity = self.entities[key] = Entity(key=key, kind=kind, name=name, **values)
        return entity

    def add_resolved(self, resolved: Resolved) -> None:
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
        """A titled mention of an already known entity: record the role (flag a different one), the
        organisation the text gives and the byline mark (a known author is still no subject)."""
        entity = self.entities[ref]
        role = mention.attrs.get("role")
        if not role:
            return
        entity.said.setdefault("role", role)
        _flag(entity, Flag("title", ref, role))
        for attr in ("organization", "byline"):
            if mention.attrs.get(attr):
                entity.said.setdefault(attr, mention.attrs[attr])

    def add_contextual(self, mention: Mention) -> None:
        """A person or organisation found from its title or context: known by another spelling, or new.
        An organisation the text gives a country ("Kazakhstan's National Security Committee") is
        also looked for under its name with the country ("National Security Committee of
        Kazakhstan"), as reference data and partners name national bodies."""
        written = [mention.value]
        code = mention.attrs.get("country") if mention.kind == kinds.ORGANIZATION else None
        country = gazetteer.country_names().get(code) if code else None
        if country:
            written.append(f"{mention.value} of {country}")
        ids = {i for name in written for i in self.index.ids_for(name)}
        visible = {
            e.stix_id: e for e in (self.lookup(ids) if ids else {}).values() if _compatible(e.kind, mention.kind)
        }
        scored = max((score(name, list(visible.values())) for name in written), key=lambda s: s[0][2] if s else 0.0)
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

    def add_short_form(self, mention: Mention) -> bool:
        """An organisation named by the first words of one the text names in full ('Los Halcones'
        after 'Los Halcones del Pacífico', 'Pirelli' after 'Pirelli SpA') is that organisation.
        True when the mention was added so; False when no single organisation fits."""
        if mention.kind != kinds.ORGANIZATION:
            return False
        words = tuple(light(w) for w in TOKEN.findall(mention.value))
        for entity in self.entities.values():  # index the names written in full since the last call
            done = self._prefixed.get(entity.key, 0)
            if entity.kind in (kinds.ORGANIZATION, kinds.GROUP) and len(entity.mentions) > done:
                for m in entity.mentions[done:]:
                    full = tuple(light(w) for w in TOKEN.findall(m.text))
                    for n in range(1, len(full)):
                        self._prefixes.setdefault(full[:n], set()).add(entity.key)
                self._prefixed[entity.key] = len(entity.mentions)
        fits = self._prefixes.get(words, set()) & self.entities.keys()
        if len(fits) != 1:
            return False
        self.entities[next(iter(fits))].mentions.append(mention)
        return True

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
            if same_surname(name, known):  # the index knows every version's names, the reader not
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

    def _people_by_surname(self, *, as_written: bool) -> dict[str, list[Entity]]:
        """The persons named in full, by the folded last word of their name (`as_written`: the
        name the text gives, else the one they resolve to)."""
        by_surname: dict[str, list[Entity]] = {}
        for entity in self.entities.values():
            words = TOKEN.findall(entity.text_name if as_written else entity.name)
            if entity.kind == kinds.PERSON and len(words) >= 2:
                by_surname.setdefault(skeleton_token(words[-1]), []).append(entity)
        return by_surname

    def corefer(self, text: str) -> None:
        """Later mentions of a person of the text by surname alone ('Patrushev said')."""
        by_surname = self._people_by_surname(as_written=False)
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

    def unify_variants(self, text: str) -> None:
        """One person per article where the article means one: persons of the text sharing a
        surname, under different first names ('Nikolai Shoygu', 'Sergei Shoygu'), become one —
        the known one if either is known — with the other spellings as aliases and a flag for
        review, when the text gives them the same title or uses the surname alone. They stay
        apart when one sentence names both, when their titles differ, or when both are known."""
        bounds = sentences(text)
        for surname, people in self._people_by_surname(as_written=True).items():
            if len(people) < 2:
                continue
            alone = _surname_alone(text, surname)
            people.sort(key=lambda e: (e.ref is None, e.mentions[0].start))  # the known one first
            kept = people[0]
            for other in people[1:]:
                if not _one_person(kept, other, bounds, alone):
                    continue
                kept.mentions.extend(other.mentions)
                kept.mentions.sort(key=lambda m: m.start)
                aliases = kept.said.setdefault("aliases", [])
                for name in (other.text_name, *other.said.get("aliases", ())):
                    if name not in aliases and light(name) != light(kept.text_name):
                        aliases.append(name)
                for attr, value in other.said.items():
                    kept.said.setdefault(attr, value)
                _flag(kept, Flag("variants", kept.ref or "", ", ".join([kept.text_name, *aliases])))
                del self.entities[other.key]
        self._fold_lone_surnames()
        self.corefer(text)  # a surname used alone now has one owner

    def _fold_lone_surnames(self) -> None:
        """A new one-word person ('Shoygu') whose word is the surname of exactly one person of the
        text named in full is that person."""
        full = self._people_by_surname(as_written=True)
        for entity in list(self.entities.values()):
            words = TOKEN.findall(entity.text_name)
            owners = full.get(skeleton_token(words[0])) if len(words) == 1 else None
            if entity.kind == kinds.PERSON and entity.ref is None and owners and len(owners) == 1:
                owners[0].mentions.extend(entity.mentions)
                owners[0].mentions.sort(key=lambda m: m.start)
                del self.entities[entity.key]


def _one_person(a: Entity, b: Entity, bounds: list[tuple[int, int]], surname_alone: bool) -> bool:
    if a.ref and b.ref:
        return False  # two known people
    for start, end in bounds:
        if any(start <= m.start < end for m in a.mentions) and any(start <= m.start < end for m in b.mentions):
            return False  # 'Nikolai Shoygu and his brother Sergei Shoygu'
    roles = (a.said.get("role"), b.said.get("role"))
    if all(roles):
        return light(roles[0]) == light(roles[1])
    return surname_alone


def _surname_alone(text: str, surname: str) -> bool:
    return any(
        skeleton_token(m.group()) == surname and m.group()[0].isupper() and _stands_alone(text, *m.span())
        for m in TOKEN.finditer(text)
    )


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
