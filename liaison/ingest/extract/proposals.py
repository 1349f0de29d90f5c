"""What the statistical recogniser proposes, made fit for the rules to judge.

The model's spans are often a little off where news style is regular: a leading "the", a
possessive or a title kept inside a person's name ("Lieutenant-Colonel Max Marriner"), a span
running over a line break or into a date. It also labels one name two ways in one article
("Cofinec" a person here, an organisation there) and misses repeats of a name it found once.
The rules here tidy each span, settle one kind per name and article (a company suffix or the
rules' own reading decides first, then the majority), and mark the name's other occurrences.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from liaison.ingest.extract import gazetteer
from liaison.ingest.extract.mentions import LOCATION, ORGANIZATION, PERSON, Mention
from liaison.ingest.extract.spans import Occupied
from liaison.ingest.extract.titles import HONORIFICS, TITLE_WORDS
from liaison.ingest.extract.words import NOT_NAME, OPENERS, ORG_HEADS, ORG_WORDS
from liaison.stix.folding import light

_TOKEN = re.compile(r"\S+")
#: Words that name a kind of organisation, not one: a name made of them alone says not whose it is.
_GENERIC = ORG_WORDS | ORG_HEADS | frozenset("Army Navy Detectives Troops Guards Investigators Prosecutors".split())
_ARTICLES = frozenset({"the", "a", "an"})
_POSSESSIVES = frozenset({"'s", "’s", "'", "’"})
#: Last words that make a name a company's, whatever the model says.
_COMPANY_ENDINGS = frozenset(
    """Inc Inc. Corp Corp. Co Co. Ltd Ltd. LLC Plc plc PLC SpA S.p.A. AG SA S.A. NV N.V. BV GmbH Cos Bhd Oyj
    AB ASA Group Holdings Bank Airlines""".split()
)
_ABBREVIATED = frozenset({"Inc", "Corp", "Co", "Ltd", "Bros", "Jr", "Sr", "St"})
_DASHES = frozenset({"-", "--", "—", "–"})
_NEXT_WORD = re.compile(r"[ \t]+(\S+?)(?=[\s,;:)]|$)")
_FIRST_CAPITAL = re.compile(r"[^\W\d_]", re.UNICODE)
#: First words of movements' and armed groups' names (Arabic, Persian, Urdu, Pashto): 'Jamaat Ansarullah'.
_MOVEMENT_WORDS = frozenset(
    """Jamaat Jamaat-e Jamaat-ul Jamiat Jamiat-e Harakat Hizb Hezb Hezb-e Tehrik Tehreek Tahrik Lashkar Jaish
    Jabhat Katibat Liwa Ansar Ansaru Jund Jundallah Majlis Tanzim Ittehad Ittihad""".split()
)
_TABLE_SEPARATOR = re.compile(r"[ \t]*\|?[ \t]*:?-{3,}")
#: A one-word "person" the article never names in full but repeats this often is a company.
_REPEATED_COMPANY = 3
#: A proposal repeated elsewhere is marked only when it is this long and capitalised.
_MIN_REPEAT = 3


def tidy(text: str, proposals: Iterable[Mention]) -> list[Mention]:
    """Each proposal cut to its name: one line, no leading article or title, no trailing
    possessive or words without letters; proposals left with no capitalised word are dropped,
    and so are those that are only a calendar word or a sentence opener."""
    tidied = []
    for mention in proposals:
        kept = _tidy_one(text, mention)
        if kept is not None:
            tidied.append(kept)
    return tidied


def _tidy_one(text: str, mention: Mention) -> Mention | None:
    start, end = mention.start, mention.end
    segment = text[start:end]
    if "\n" in segment:  # the first line holding a letter
        offset = 0
        for line in segment.split("\n"):
            if _FIRST_CAPITAL.search(line):
                start, end = start + offset, start + offset + len(line)
                break
            offset += len(line) + 1
    tokens = [(m.start() + start, m.end() + start, m.group()) for m in _TOKEN.finditer(text[start:end])]
    dash = next((i for i, t in enumerate(tokens) if i and t[2] in _DASHES), None)
    if dash is not None:  # 'GERMANY - Bunds': a headline's topic and its subject
        tokens = tokens[:dash]
    while tokens and (not _has_letter(tokens[0][2]) or tokens[0][2].lower() in _ARTICLES):
        tokens.pop(0)
    while tokens and (not _has_letter(tokens[-1][2]) or tokens[-1][2] in _POSSESSIVES or tokens[-1][2].islower()):
        tokens.pop()
    if not tokens:
        return None
    start, end = tokens[0][0], tokens[-1][1]
    if text[start:end].endswith(("'s", "’s")):
        end -= 2
    kind = mention.kind
    following = _NEXT_WORD.match(text, end)
    if following and following.group(1) in _COMPANY_ENDINGS:  # 'Dow Chemical Co'
        end, kind = following.end(1), ORGANIZATION
    if text[end - 1 : end + 1] != ".." and text[end : end + 1] == "." and text[start:end].split()[-1] in _ABBREVIATED:
        end += 1  # 'Barnett Banks Inc.'
    surface = text[start:end]
    words = surface.split()
    if not words or not words[0][:1].isupper() or (len(words) == 1 and (words[0] in OPENERS)):
        return None
    if kind != ORGANIZATION and len(words) > 1 and (words[-1] in _COMPANY_ENDINGS or words[-1] in ORG_HEADS):
        kind = ORGANIZATION
    if kind != ORGANIZATION and len(words) > 1 and words[0] in _MOVEMENT_WORDS:
        kind = ORGANIZATION  # 'Jamaat Ansarullah', 'Harakat Nur al-Sahil'
    if _in_table_header(text, start):
        return None  # '| Date | District | Drug |': column names
    if kind == ORGANIZATION and all(w in _GENERIC for w in words):
        return None  # 'Interior', 'Customs', 'National Security Committee': whose?
    return Mention(kind, start, end, surface, " ".join(words), dict(mention.attrs), source=mention.source)


def _untitled(mention: Mention) -> Mention | None:
    """A person's proposal without the titles before the name ('Lieutenant-Colonel Max Marriner');
    None when nothing but a title or a word that is never a name is left."""
    words = list(_TOKEN.finditer(mention.text))
    while len(words) > 1 and _is_title(words[0].group()):
        words.pop(0)
    if len(words) == 1 and words[0].group() in NOT_NAME:
        return None
    offset = words[0].start()
    if not offset:
        return mention
    surface = mention.text[offset:]
    return Mention(
        PERSON, mention.start + offset, mention.end, surface, " ".join(surface.split()), mention.attrs, mention.source
    )


def _in_table_header(text: str, offset: int) -> bool:
    """On the first row of a table written with pipes: the line holds '|' and the next one is the
    row of dashes under the column names."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    if end < 0 or "|" not in text[start:end]:
        return False
    following = text[end + 1 : text.find("\n", end + 1) if text.find("\n", end + 1) >= 0 else len(text)]
    return bool(_TABLE_SEPARATOR.match(following))


def _has_letter(token: str) -> bool:
    return any(ch.isalpha() for ch in token)


def _is_title(token: str) -> bool:
    bare = token.rstrip(".").lower()
    return bare in TITLE_WORDS or bare in HONORIFICS or any(p in TITLE_WORDS for p in bare.split("-") if p)


def settle_kinds(proposals: list[Mention], ruled: dict[str, str]) -> list[Mention]:
    """One kind per name in an article: the rules' reading of the name (`ruled`: folded name →
    kind) when they have one, else a person's when it is part of a person's name written in full,
    else a place's when the gazetteer knows it as a place and never as a person's name, else the
    kind the model gave most often (the first one on a tie). A one-word person the article never
    names in full is dropped: the model says "person" of companies ("Cofinec", "Ericsson") as
    often as of people, and the rules resolve known surnames themselves; one it repeats three
    times or more is taken as the company it most likely is ("Pirelli", "Cofinec")."""
    votes: dict[str, Counter] = {}
    for m in proposals:
        votes.setdefault(light(m.value), Counter())[m.kind] += 1
    surnames = {
        light(part)
        for m in proposals
        if m.kind == PERSON and len(m.value.split()) > 1 and votes[light(m.value)].most_common(1)[0][0] == PERSON
        for part in (m.value.split()[0], m.value.split()[-1])  # 'Wang Donghai': family name first
    } | {key.split()[-1] for key, kind in ruled.items() if kind == PERSON and " " in key}
    settled = []
    for m in proposals:
        key = light(m.value)
        kind = (
            ruled.get(key) or (PERSON if key in surnames else _place_kind(m.value)) or votes[key].most_common(1)[0][0]
        )
        if kind != m.kind:
            m = Mention(kind, m.start, m.end, m.text, m.value, m.attrs, m.source)
        if kind == PERSON and " " not in key and key not in surnames and not ruled.get(key):
            if sum(votes[key].values()) < _REPEATED_COMPANY:
                continue  # news names a person in full first: a lone word is a company as often as not
            kind, m = ORGANIZATION, Mention(ORGANIZATION, m.start, m.end, m.text, m.value, m.attrs, m.source)
        if kind == PERSON:
            m = _untitled(m)
        if m is not None:
            settled.append(m)
    return settled


def _place_kind(name: str) -> str | None:
    """LOCATION for a name the gazetteer knows as a place and never as a person's or a word."""
    place = gazetteer.place_for(name.title() if name.isupper() else name)
    if place is None or place.person_like or place.ambiguous or place.demonym:
        return None
    return LOCATION


def repeats(text: str, proposals: list[Mention], taken: Occupied) -> list[Mention]:
    """The other occurrences of the proposed names, written the same way (or in capitals on a line
    written in capitals), where nothing else was found."""
    by_folded: dict[str, Mention] = {}
    for m in proposals:
        if len(m.text) >= _MIN_REPEAT and m.text[:1].isupper():
            by_folded.setdefault(m.text.lower(), m)
    if not by_folded:
        return []
    spans = taken.copy()
    for m in proposals:
        spans.take(m.start, m.end)
    found = []
    for start, end in _occurrences(text, by_folded):
        surface = text[start:end]
        original = by_folded.get(surface.lower())
        if original is None or not (surface == original.text or (surface.isupper() and _line_in_capitals(text, start))):
            continue
        if spans.overlaps(start, end):
            continue
        found.append(Mention(original.kind, start, end, surface, original.value, dict(original.attrs), "model"))
        spans.take(start, end)
    return found


#: A character that continues a word: a name found next to one is part of a longer word.
_WORD_CHAR = re.compile(r"[\w'’-]")


def _occurrences(text: str, lowered_names: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of `text` where one of `lowered_names` stands as whole words (any case), leftmost
    first, the longest at a place, none overlapping. Found with str.find: compiling an alternation
    of each text's names cost more than the rest of this step."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer: offsets would drift
        lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    found = []
    for name in lowered_names:
        start = lowered.find(name)
        while start >= 0:
            end = start + len(name)
            if not (start and _WORD_CHAR.match(text, start - 1)) and not (
                end < len(text) and _WORD_CHAR.match(text, end)
            ):
                found.append((start, end))
            start = lowered.find(name, start + 1)
    found.sort(key=lambda span: (span[0], -span[1]))
    kept: list[tuple[int, int]] = []
    for start, end in found:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def _line_in_capitals(text: str, offset: int) -> bool:
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)
