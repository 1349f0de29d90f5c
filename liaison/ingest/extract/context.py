"""People and organisations not yet known to the platform, found from titles and context.

The rule families live apart (people.py: titles and appositions; organisations.py: organisation
heads, appositions and acronyms); this module runs them over one word index, drops what they find in
headlines (whose capitals say nothing about names) and keeps the outermost of nested mentions.

Precision comes first: a name is a run of capitalised words that are not weekdays, months, places,
demonyms or ordinary sentence openers, and a name without a title or apposition is not reported.
"""

from __future__ import annotations

import re

from liaison.ingest.extract.mentions import Mention
from liaison.ingest.extract.organisations import organisations
from liaison.ingest.extract.people import appositions, bare_appositions, bylines, titled_people
from liaison.ingest.extract.titles import TITLES
from liaison.ingest.extract.words import Words

__all__ = ["TITLES", "find_context_entities"]


def find_context_entities(text: str) -> list[Mention]:
    """People and organisations named in `text` with a title, a role or an organisation word."""
    words = Words.of(text)
    skip = headline_lines(text)
    found: dict[tuple[str, int, int], Mention] = {}
    for mention in (
        *bylines(words),
        *titled_people(words),
        *appositions(words),
        *bare_appositions(words),
        *organisations(words),
    ):
        if not any(a <= mention.start < b for a, b in skip):
            found.setdefault((mention.kind, mention.start, mention.end), mention)
    mentions = sorted(found.values(), key=lambda m: (m.start, -m.end))
    return _without_nested(mentions)


def _without_nested(mentions: list[Mention]) -> list[Mention]:
    """Drops a mention lying inside another of the same kind."""
    kept: list[Mention] = []
    for m in mentions:
        if not any(k.kind == m.kind and k.start <= m.start and m.end <= k.end for k in kept):
            kept.append(m)
    return kept


def headline_lines(text: str) -> list[tuple[int, int]]:
    """Lines written in Title Case without a final stop (headlines), where capitals say nothing about names."""
    spans = []
    offset = 0
    for line in text.splitlines(keepends=True):
        long_words = re.findall(r"[^\W\d_]{4,}", line)
        if (
            len(long_words) >= 4
            and not line.rstrip().endswith((".", "!", "?", ";", ",", '"', "\u201d", ")"))
            and sum(w[0].isupper() for w in long_words) >= 0.8 * len(long_words)
        ):
            spans.append((offset, offset + len(line)))
        offset += len(line)
    return spans
