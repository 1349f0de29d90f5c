"""The names the platform knows, as one Aho–Corasick automaton over folded name keys.

Every name and alias of a known person, organisation, group or place is folded to its skeleton
(liaison.stix.folding) and put in the automaton; a text is folded word by word into the
same alphabet and scanned once, so spelling variants and transliterations of a known name are found
in one pass whatever the size of the knowledge base. The index grows incrementally: names added since
the last full build go to a small second automaton, merged into the main one when it grows large.

The index holds every name of the instance, whoever may see it; it only proposes candidates.
Callers confirm them against what the reader may see (liaison.intel.resolution) before anything is
shown.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick

from liaison.stix.folding import TOKEN, skeleton, skeleton_keys

#: Names added after the last full build that trigger a rebuild of the main automaton.
_REBUILD_AT = 5000


@dataclass(frozen=True, slots=True)
class KnownEntity:
    """A known object with the names it goes by. `kind`: person, organization, group or location."""

    stix_id: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    attrs: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A run of words, `text[start:end]`, whose folded form is a known name of these entities."""

    start: int
    end: int
    stix_ids: tuple[str, ...]


class FoldedText:
    """A text as the sequence of its words' skeletons, with each word's character span."""

    __slots__ = ("spans", "stream", "_word_at")

    def __init__(self, text: str):
        words = list(TOKEN.finditer(text))
        self.spans: list[tuple[int, int]] = []
        keys: list[str] = []
        for first, last, key in skeleton_keys([w.group() for w in words]):
            end = words[last].end()
            if words[last].group().endswith(("'s", "’s")):
                end -= 2  # the FSB's officers: the name ends before the possessive
            self.spans.append((words[first].start(), end))
            keys.append(key)
        # " k1 k2 k3 ": every key is framed by spaces, so matches fall on word boundaries.
        self.stream = " " + " ".join(keys) + " "
        self._word_at: dict[int, int] = {}
        position = 1
        for index, key in enumerate(keys):
            self._word_at[position] = index
            position += len(key) + 1

    def word_starting_at(self, position: int) -> int:
        return self._word_at[position]


class KnowledgeIndex:
    """Known entities by folded name; thread-safe for one writer and many readers."""

    def __init__(self) -> None:
        self._entities: dict[str, KnownEntity] = {}
        self._ids_by_key: dict[str, set[str]] = {}
        self._ids_by_surname: dict[str, set[str]] = {}
        self._main = ahocorasick.Automaton()
        self._delta = ahocorasick.Automaton()
        self._delta_keys: set[str] = set()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entities)

    def add(self, entities: Iterable[KnownEntity]) -> None:
        """Add or replace entities (by STIX id); names an entity no longer has stop matching, since
        candidates are checked against the entity's current names."""
        with self._lock:
            for entity in entities:
                self._entities[entity.stix_id] = entity
                for name in entity.names:
                    key = skeleton(name)
                    if not key:
                        continue
                    ids = self._ids_by_key.get(key)
                    if ids is None:
                        self._ids_by_key[key] = {entity.stix_id}
                        self._delta_keys.add(key)
                    else:
                        ids.add(entity.stix_id)
                    words = key.split(" ")
                    if entity.kind == "person" and len(words) > 1:
                        self._ids_by_surname.setdefault(words[-1], set()).add(entity.stix_id)
            self._rebuild()

    def _rebuild(self) -> None:
        if len(self._delta_keys) >= _REBUILD_AT or (self._delta_keys and len(self._main) == 0):
            self._main = _automaton(self._ids_by_key)
            self._delta_keys.clear()
            self._delta = ahocorasick.Automaton()
        elif self._delta_keys:
            self._delta = _automaton({k: self._ids_by_key[k] for k in self._delta_keys})

    def entity(self, stix_id: str) -> KnownEntity | None:
        return self._entities.get(stix_id)

    def ids_for(self, name: str) -> set[str]:
        """Entities one of whose names folds like `name`."""
        return {i for i in tuple(self._ids_by_key.get(skeleton(name), ())) if i in self._entities}

    def ids_for_surname(self, surname_key: str) -> set[str]:
        """Known persons whose name ends with a word of skeleton `surname_key`."""
        return {i for i in tuple(self._ids_by_surname.get(surname_key, ())) if i in self._entities}

    def find(self, text: str) -> list[Candidate]:
        """Every run of words in `text` that folds to a known name (overlapping runs included)."""
        folded = FoldedText(text)
        found: list[Candidate] = []
        for automaton in (self._main, self._delta):
            if len(automaton) == 0:
                continue
            for end, key in automaton.iter(folded.stream):
                # `end` is the index of the closing frame space, so the key starts len(key) before it.
                first = folded.word_starting_at(end - len(key))
                last = first + key.count(" ")
                ids = tuple(sorted(i for i in tuple(self._ids_by_key.get(key, ())) if i in self._entities))
                if ids:
                    found.append(Candidate(folded.spans[first][0], folded.spans[last][1], ids))
        return found


def _automaton(ids_by_key: dict[str, set[str]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key in ids_by_key:
        automaton.add_word(f" {key} ", key)
    automaton.make_automaton()
    return automaton
