"""Organisations not yet known to the platform, found from how they are written.

- a capitalised name ending in Agency, Ministry, Council... ('the Federal Security Service',
  'Ministry of Foreign Affairs', "Pakistan's Interior Ministry");
- a name introduced by what it is ('Tengri Cyber, a security company');
- a name defined with its acronym ('the United Nations Office on Drugs and Crime (UNODC)'), whose
  later uses are reported too.
"""

from __future__ import annotations

import re

from liaison.ingest.extract import gazetteer
from liaison.ingest.extract.gazetteer.words import FUNCTION_WORDS, SENTENCE_WORDS
from liaison.ingest.extract.mentions import ORGANIZATION, Mention
from liaison.ingest.extract.titles import TITLE_WORDS, TITLES
from liaison.ingest.extract.words import (
    CALENDAR,
    CONNECTORS,
    NOT_NAME,
    OPENERS,
    ORG_HEADS,
    ORG_WORDS,
    POSSESSIVE,
    PREFIXED,
    Words,
    capitalised_run,
    org_word,
)

_EXTENDERS = frozenset({"of", "for", "on", "against"})
#: Possessives that belong to an organisation's name ("the Attorney General's Office", "People's Party").
_NAME_POSSESSIVES = (
    ORG_WORDS
    | frozenset(w.capitalize() for t in TITLES for w in t.split() if w.isalpha())
    | frozenset({"People", "Workers", "Children", "Women", "Mothers", "Veterans"})
)
#: Nouns naming a kind of organisation, used in appositions ('Tengri Cyber, a security company').
ORG_NOUNS = (
    "company",
    "firm",
    "group",
    "organisation",
    "organization",
    "network",
    "gang",
    "cartel",
    "militia",
    "faction",
    "charity",
    "foundation",
    "bank",
    "exchange",
    "startup",
    "outlet",
    "newspaper",
    "agency",
    "contractor",
    "supplier",
    "subsidiary",
    "movement",
    "syndicate",
    "consortium",
    "conglomerate",
    "airline",
    "front",
    "outfit",
    "think tank",
    "platform",
    "marketplace",
    "forum",
    "brokerage",
)
#: A name of at most eight words, starting at a word's start (so a failed match is not retried at
#: every later capital of a long run).
_ORG_NAME = r"(?P<name>(?<![\w'’&-])[A-Z][\w'’&-]*(?:[ \t]+(?:[A-Z0-9][\w'’&-]*|of|for|and|al-\w+)){0,7})"
#: 'a security company', 'the transport firm': up to three describing words, none of them 'of'.
_ORG_KIND = rf"(?:a|an|the)[ \t]+(?:(?!of\b)[\w'’-]+[ \t]+){{0,3}}?(?:{'|'.join(ORG_NOUNS)})"
_ORG_APPOSITIONS = (
    re.compile(rf"{_ORG_NAME},[ \t]+{_ORG_KIND}\b"),  # 'Tengri Cyber, a security company'
    re.compile(rf"\b{_ORG_KIND},[ \t]+{_ORG_NAME}(?=[ \t]*,|[ \t]+(?:which|that|said|says)\b)"),
    re.compile(
        rf"\b(?:a|an)[ \t]+(?:[\w'’-]+[ \t]+){{0,2}}?(?:{'|'.join(ORG_NOUNS)})[ \t]+"
        rf"(?:calling[ \t]+itself|called|named|known[ \t]+as)[ \t]+{_ORG_NAME}"
    ),
)
_ACRONYM = re.compile(r"\(\s*(?P<acronym>[A-Z][A-Za-z0-9&-]{1,11})\s*\)")


def organisations(words: Words):
    yield from _acronym_organisations(words)  # first: these carry the acronym
    yield from _headed_organisations(words)
    yield from _apposed_organisations(words)


def _apposed_organisations(words: Words):
    """Organisations introduced by what they are: 'Tengri Cyber, a security company', 'a transport
    company, Sahil Transit, which', 'a group calling itself Cyber Simorgh'."""
    for pattern in _ORG_APPOSITIONS:
        for match in pattern.finditer(words.text):
            start, end = match.span("name")
            i = words.at(start)
            while i < len(words.words) and words.starts[i] < end and words.words[i] in OPENERS:
                i += 1  # 'In Tengri Cyber, ...' is not part of the name
            if i >= len(words.words) or words.starts[i] >= end:
                continue
            start = words.starts[i]
            name = words.text[start:end].rstrip(".")
            if gazetteer.place_for(name) is not None or name in NOT_NAME:
                continue
            yield Mention(ORGANIZATION, start, start + len(name), name, " ".join(name.split()), {}, source="context")


def _headed_organisations(words: Words):
    n = len(words.words)
    i = 0
    while i < n:
        run = capitalised_run(words, i, through_possessives=True)
        if run is None:
            i += 1
            continue
        for start, end, country in _orgs_in_run(words, *run):
            raw = POSSESSIVE.sub("", words.text[words.starts[start] : words.ends[end]])
            attrs = {"country": country} if country else {}
            yield Mention(
                ORGANIZATION,
                words.starts[start],
                words.starts[start] + len(raw),
                raw,
                " ".join(raw.split()),
                attrs,
                source="context",
            )
        i = run[1] + 1


def _orgs_in_run(words: Words, first: int, last: int) -> list[tuple[int, int, str | None]]:
    """Every organisation in a capitalised run ('the Sinaloa Cartel and the Haqqani Network')."""
    while last >= first and words.words[last] in CONNECTORS:
        last -= 1
    found = _org_in_run(words, first, last) if first <= last else None
    if found is None:
        return []
    start, end, _country = found
    return [*_orgs_in_run(words, first, start - 1), found, *_orgs_in_run(words, end + 1, last)]


def _org_in_run(words: Words, first: int, last: int) -> tuple[int, int, str | None] | None:
    """The longest organisation name in a capitalised run: (first, last word, owner country) or None."""
    country = None
    for k in range(first, last + 1):  # "Pakistan's Interior Ministry": the name starts after the owner
        bare = POSSESSIVE.sub("", words.words[k])
        if bare != words.words[k]:
            if bare in ORG_HEADS:  # "the Interior Ministry's spokesman": the name ends here
                last = k
                break
            if bare not in _NAME_POSSESSIVES:  # "Putin's Security Council", "Pakistan's Interior Ministry"
                place = gazetteer.place_for(bare)
                country = place.country if place is not None else None
                first = k + 1
    while first <= last and (words.words[first] in OPENERS or words.words[first] in CONNECTORS):
        first += 1
    heads = [k for k in range(first, last + 1) if POSSESSIVE.sub("", words.words[k]) in ORG_HEADS]
    for head in reversed(heads):
        # 'Officers of the Federal Security Service': the name starts after the last joining word
        # ... but 'and' joins two names only after a first organisation ('the Sinaloa Cartel and
        # Haqqani Network'); otherwise it is inside the name ('Jammu and Kashmir Police').
        start = max(
            [first]
            + [
                k + 1
                for k in range(first, head)
                if words.words[k] in CONNECTORS
                and (words.words[k] != "and" or any(POSSESSIVE.sub("", w) in ORG_HEADS for w in words.words[first:k]))
            ]
        )
        end = _extension_end(words, head, last)
        name = words.text[words.starts[start] : words.ends[end]]
        if (start < head or end > head) and gazetteer.place_for(name) is None:
            return start, end, country
    return None


def _extension_end(words: Words, head: int, last: int) -> int:
    """The last word of an organisation whose head is word `head`, with what follows it as 'of', 'for'
    or 'on' and organisation words or places: 'Ministry of Foreign Affairs', 'Office on Drugs and Crime'."""
    end = k = head
    while k + 2 <= last and words.words[k + 1] in _EXTENDERS:
        m = k + 2
        if m <= last and words.words[m] == "the":
            m += 1
        stop = m
        while stop <= last and (
            _extension_word(words.words[stop])
            or (words.words[stop] == "and" and stop + 1 <= last and _extension_word(words.words[stop + 1]))
        ):
            stop += 1
        if stop == m:
            break
        end = k = stop - 1
    return end


def _extension_word(word: str) -> bool:
    """A word that continues an organisation's name after 'of the': an organisation word, a place,
    or any other capitalised word that is not a title ('of the Red Cross', 'of Sahel States')."""
    return org_word(word) or (
        word[:1].isupper()
        and word.lower() not in TITLE_WORDS
        and word not in FUNCTION_WORDS
        and word not in CALENDAR
        and not POSSESSIVE.search(word)
    )


def _acronym_organisations(words: Words):
    text = words.text
    defined: dict[str, str] = {}
    definitions: list[tuple[int, int]] = []
    for match in _ACRONYM.finditer(text):
        acronym = match["acronym"]
        if sum(ch.isupper() for ch in acronym) < 2:
            continue
        i = words.at(match.start()) - 1
        if i < 0 or text[words.ends[i] : match.start()].strip():
            continue
        name = _expansion(words, i, acronym)
        if name is None:
            continue
        start, end = words.starts[name[0]], words.ends[name[1]]
        value = " ".join(text[start:end].split())
        if gazetteer.place_for(value) is not None:
            continue
        defined.setdefault(acronym, value)
        definitions.append((start, match.end()))
        yield Mention(ORGANIZATION, start, end, text[start:end], value, {"acronym": acronym}, source="context")
        # the acronym in its brackets names the organisation too (else another extractor may take it)
        yield Mention(ORGANIZATION, *match.span("acronym"), acronym, value, {"acronym": acronym}, source="context")
    for acronym, value in defined.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", text):
            if not any(a <= match.start() < b for a, b in definitions):
                yield Mention(ORGANIZATION, *match.span(), acronym, value, {"acronym": acronym}, source="context")


def _expansion(words: Words, i: int, acronym: str) -> tuple[int, int] | None:
    """The words before '(ACRONYM)' that it abbreviates, as (first, last) word indices, or None."""
    letters = [ch for ch in acronym if ch.isupper()]
    first = i
    while (
        first > 0
        and words.joined[first]
        and (
            words.words[first - 1][:1].isupper()
            or PREFIXED.match(words.words[first - 1])
            or words.words[first - 1] in CONNECTORS
        )
    ):
        first -= 1
    for start in range(first, i + 1):
        if words.words[start] in CONNECTORS:
            continue
        initials = [
            part[0]
            for w in words.words[start : i + 1]
            if w not in CONNECTORS
            for part in w.split("-")
            if part[:1].isupper()
        ]
        if initials == letters and words.words[start] not in SENTENCE_WORDS:
            return start, i
    found = _org_in_run(words, first, i)
    return (found[0], found[1]) if found is not None and found[1] == i else None
