"""Relationships a text suggests between its entities and observables, for the analyst to confirm.

A person is related to the organisation the text names as theirs, an organisation to the country it
belongs to, and the one actor of a sentence to the observables in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liaison.ingest.extract import mentions as kinds
from liaison.ingest.extract.entities import Entity
from liaison.ingest.extract.mentions import Mention
from liaison.ingest.extract.sentences import sentences
from liaison.stix.folding import light


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A relationship the text suggests, between entity or observable keys."""

    source: str
    relationship_type: str
    target: str
    attrs: dict = field(default_factory=dict, hash=False, compare=False)


def suggest(text: str, entities: list[Entity], observables: dict[str, Mention]) -> list[Suggestion]:
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
    for start, end in sentences(text):
        present = [e for e in actors if any(start <= m.start < end for m in e.mentions)]
        if len(present) != 1:
            continue
        for key, mention in observables.items():
            if start <= mention.start < end:
                suggestions.append(Suggestion(present[0].key, "related-to", key))
    return list(dict.fromkeys(suggestions))
