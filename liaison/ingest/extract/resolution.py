"""Known names in a text, matched against the knowledge index through what the reader may see.

How alike a written name must be to a known one (`score`), when a different given name makes a
namesake rather than a match, and the doubts (`Flag`) left for the analyst, put in words from what
the reader sees of the entity they name (`describe`), so a draft never repeats a hidden name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from liaison.ingest.extract import mentions as kinds
from liaison.ingest.extract.knowledge import KnowledgeIndex, KnownEntity
from liaison.ingest.extract.mentions import Mention
from liaison.ingest.extract.numbers import NUMBER_WORDS
from liaison.ingest.extract.titles import NAME_LOWER_WORDS
from liaison.ingest.extract.words import NOT_NAME
from liaison.stix.folding import TOKEN, light, similarity, skeleton, skeleton_token

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
#: A role this unlike every known role of the person is flagged.
_ROLE_AGREEMENT = 70


@dataclass(frozen=True, slots=True)
class Flag:
    """A doubt for the analyst about the known entity `ref`, kept as what the text says (`said`):
    its wording comes from what the reader sees of `ref` when it is shown (describe), so a draft
    never repeats a name or a title its reader no longer sees. Kinds: 'first-name' and 'title'
    (the entity resolved to `ref` is written otherwise), 'ambiguous' (`said` also names other
    candidates), 'namesake' (a new person sharing `ref`'s surname), 'variants' (the text writes one
    person several ways, `said` lists them; `ref` is empty when the person is new)."""

    kind: str
    ref: str
    said: str


@dataclass(slots=True)
class Resolved:
    mention: Mention
    ref: str
    confidence: float
    candidates: list[tuple[str, str, float]]
    #: The gazetteer's place at the same words, if any: what the text itself says of it.
    place: Mention | None = None


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
        and all(_capital(w) or w.lower() in NAME_LOWER_WORDS for w in words)
    )


def known_mentions(
    text: str, index: KnowledgeIndex, lookup: Lookup, places: dict[tuple[int, int], Mention]
) -> tuple[list[Resolved], list[Mention]]:
    """Known names in the text, confirmed against the reader's view, longest first where they overlap;
    and the persons whose name differs from a known person's by the given name only (namesakes).
    A name that is a place in the gazetteer is taken as a known entity only when spelled exactly.
    A one-word name that is also a word never naming anyone here — a sentence opener, a number, a
    calendar word, a title, an organisation's generic head ('Some', 'One', 'May', 'Cardinal',
    'Group': names of provinces and groups in the reference data) — is not taken."""
    found = [
        c
        for c in index.find(text)
        if _capitalised(surface := text[c.start : c.end]) and not (" " not in surface and _ordinary(surface))
    ]
    namesakes: list[Mention] = []
    if not found:
        return [], namesakes
    visible = lookup({i for c in found for i in c.stix_ids})
    resolved: list[Resolved] = []
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
        scored = score(surface, list(seen.values()))
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
        resolved.append(Resolved(mention, ref, confidence, scored[1:], places.get((candidate.start, candidate.end))))
    return sorted(resolved, key=lambda r: r.mention.start), namesakes


#: Number words, capitalised when they open a sentence ('One of the...').
_NUMBERS = frozenset(NUMBER_WORDS) | {"hundred", "thousand"}


def _ordinary(word: str) -> bool:
    return word in NOT_NAME or word.lower() in _NUMBERS


def score(surface: str, entities: list[KnownEntity]) -> list[tuple[str, str, float]]:
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
    if flag.kind == "variants":
        return f"one person written several ways in this text ({flag.said}): check they are the same person"
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
    elif flag.kind == "namesake" and same_surname(flag.said, entity):
        return (
            f"same surname as the known person {entity.name} ({entity.stix_id}) but a different first name: kept apart"
        )
    return None


def same_surname(name: str, known: KnownEntity) -> bool:
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
