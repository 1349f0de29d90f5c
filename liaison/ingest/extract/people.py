"""People not yet known to the platform, found from a title or an apposition.

- a title before a name: 'Interior Minister Ali Jalali', 'Secretary of the Security Council Nikolai
  Patrushev', 'Taliban spokesman Zabihullah Mujahid' (role, and the organisation when one is named);
- an apposition: 'Ali Jalali, director of the Border Police,' or 'X Y, a spokesman for Z'.

A name is a run of capitalised words that are not weekdays, months, places, demonyms or ordinary
sentence openers, joined perhaps by particles ('bin', 'van').
"""

from __future__ import annotations

import re

from liaison.ingest.extract import gazetteer
from liaison.ingest.extract.gazetteer.words import FUNCTION_WORDS
from liaison.ingest.extract.mentions import PERSON, Mention
from liaison.ingest.extract.titles import (
    HONORIFICS,
    NAME_PARTICLES,
    ROLE_MODIFIERS,
    ROLE_QUALIFIERS,
    TITLE_WORDS,
    TITLES,
    role_name,
)
from liaison.ingest.extract.words import (
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

_TITLE = re.compile(
    r"(?<![\w-])(?:(?:" + "|".join(ROLE_QUALIFIERS) + r")\s+)*"
    r"(?P<title>(?:(?:" + "|".join(ROLE_MODIFIERS) + r")\s+)*(?:" + "|".join(re.escape(t) for t in TITLES) + r"))"
    r"(?![\w-])",
    re.IGNORECASE,
)
_TITLE_STARTS = (
    frozenset(t.split()[0].rstrip(".").split(".")[0] for t in TITLES)
    | frozenset(ROLE_MODIFIERS)
    | frozenset(ROLE_QUALIFIERS)
)
_APPOSITION = re.compile(
    r",\s+(?:(?:a|an|the)\s+)?(?:(?:" + "|".join(ROLE_QUALIFIERS) + r")\s+)*"
    r"(?P<owner>(?:[^\W\d_][\w'’-]*\s+){0,4}?)"
    r"(?P<title>(?:(?:" + "|".join(ROLE_MODIFIERS) + r")\s+)*(?:" + "|".join(re.escape(t) for t in TITLES) + r"))"
    r"(?![\w-])(?:\s+(?P<prep>of|for|at|with|in|to)\s+(?:the\s+)?)?",
    re.IGNORECASE,
)
#: 'Serge Strokan a Russia analyst said': an apposition without its commas, closed by a verb of saying.
_BARE_APPOSITION = re.compile(
    r"[ \t]+(?:a|an)[ \t]+(?:(?:" + "|".join(ROLE_QUALIFIERS) + r")[ \t]+)*"
    r"(?P<owner>(?:[A-Z][\w'’-]*[ \t]+){0,3})"
    r"(?P<title>(?:(?:" + "|".join(ROLE_MODIFIERS) + r")[ \t]+)*(?:" + "|".join(re.escape(t) for t in TITLES) + r"))"
    r"[ \t]+(?:said|says|told|added|noted|warned|explained|wrote|believes|argued)\b"
)
_BARE_ARTICLE = re.compile(r"(?<=[A-Za-z])[ \t]+an?[ \t]")
#: A byline: 'By: Lailuma Noori', 'By Lailuma Noori, TOLOnews', 'BY JOHN SMITH'.
_BYLINE = re.compile(
    r"^[ \t]*(?:By|BY|by)\b:?[ \t]+(?P<name>[^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’.-]*){1,4}?)"
    r"(?:[ \t]*(?:,|\||-|—|–|\band\b)[ \t]*(?P<outlet>[^\n]{1,60}?))?[ \t]*$",
    re.MULTILINE,
)
#: After a title: an optional place or organisation, then a comma before the name ('manager in Aktau, ').
_NAMED_AFTER = re.compile(
    r"(?:\s+(?:in|of|at|for)\s+(?:the\s+)?(?P<where>[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*){0,5}))?,[ \t]+(?=[^\W\d_])"
)
#: What closes a name given in apposition.
_APPOSITION_END = re.compile(
    r"['’]?s?\s*[,;)]|\s+(?:said|says|told|added|denied|confirmed|warned|stated|noted|explained|insisted)\b"
)
_ORIGIN = re.compile(r"-(?:born|based|backed|led|linked|registered|flagged)$")
_MAX_NAME_WORDS = 5


def _title_matches(words: Words):
    """The titles in the text, tried only at words that can begin one (much faster than a full scan)."""
    resume = 0
    for i, word in enumerate(words.words):
        if words.starts[i] < resume or word.lower() not in _TITLE_STARTS:
            continue
        match = _TITLE.match(words.text, words.starts[i])
        if match is not None:
            resume = match.end()
            yield match


def titled_people(words: Words):
    for match in _title_matches(words):
        title = match["title"]
        j = words.at(match.end())
        organization = None
        if j < len(words.words) and words.follows(j, match.end()) and words.words[j] in ("of", "at"):
            of_run = _org_after_of(words, j)
            if of_run is None:
                continue
            organization, j = of_run
        elif (after := _NAMED_AFTER.match(words.text, match.end())) is not None:
            yield from _named_after(words, match, after)
            continue
        elif j >= len(words.words) or not words.follows(j, match.end()):
            continue
        strong = title[0].isupper() or title.lower() in HONORIFICS
        inner = _TITLE.match(words.text, words.starts[j]) if j < len(words.words) else None
        if inner is not None and words.follows(words.at(inner.end()), inner.end()):
            j = words.at(inner.end())  # 'Police Chief Mawlawi Abdul Rahman': the name follows both titles
        name = _name_from(words, j, single_word=strong)
        if name is None:
            continue
        attrs = _role_attrs(title)
        if organization is None:
            _add_owner_before(words, match.start(), attrs)
        else:
            attrs["organization"] = organization
        yield _person(words, name, attrs)


def _named_after(words: Words, title: re.Match, after: re.Match):
    """'the company's chief analyst, Aigerim Bekova, said': a title, a comma, a name closed by a comma
    or a verb of saying."""
    j = words.at(after.end())
    name = _name_from(words, j, single_word=False) if j < len(words.words) else None
    if name is None or not _APPOSITION_END.match(words.text, words.ends[name[1]]):
        return
    attrs = _role_attrs(title["title"])
    where = after["where"]
    if where:
        place = gazetteer.place_for(where)
        if place is None:
            attrs["organization"] = where
        elif place.country:
            attrs["country"] = place.country
    else:
        _add_owner_before(words, title.start(), attrs)
    yield _person(words, name, attrs)


def _add_owner_before(words: Words, offset: int, attrs: dict) -> None:
    """The organisation or country written just before a title, into a person's attributes."""
    organization, country = _owner_before(words, offset)
    if country:
        attrs["country"] = country
    if organization:
        attrs["organization"] = organization


def _org_after_of(words: Words, j: int) -> tuple[str, int] | None:
    """For 'Secretary of the Security Council Nikolai Patrushev' at 'of': ('Security Council', index of
    'Nikolai'). The organisation ends at its last head word, else at its last organisation word; a
    country's possessive before it is not part of it ("of Russia's Security Council")."""
    k = j + 1
    if k < len(words.words) and words.words[k].lower() == "the" and words.joined[k]:
        k += 1
    if (
        k + 1 < len(words.words)
        and POSSESSIVE.search(words.words[k])
        and words.joined[k + 1]
        and gazetteer.place_for(POSSESSIVE.sub("", words.words[k])) is not None
    ):
        k += 1
    run = capitalised_run(words, k)
    if run is None:
        return None
    first, last = run
    heads = [i for i in range(first, last + 1) if words.words[i] in ORG_HEADS]
    if heads:
        end = heads[-1]
    else:
        end = first - 1
        while end + 1 <= last and (org_word(words.words[end + 1]) or words.words[end + 1] in CONNECTORS):
            end += 1
        while end >= first and words.words[end] in CONNECTORS:
            end -= 1
    if end < first or end >= last:
        return None
    return words.text[words.starts[first] : words.ends[end]], end + 1


def appositions(words: Words):
    text = words.text
    for match in _APPOSITION.finditer(text):
        i = words.at(match.start()) - 1  # the word before the comma
        if i < 0 or words.ends[i] != match.start():
            continue
        name = _name_before(words, i)
        if name is None:
            continue
        tail = text[match.end() : match.end() + 1]
        attrs = _role_attrs(match["title"])
        owner = _owner_words(match["owner"])
        if owner:
            place = gazetteer.place_for(POSSESSIVE.sub("", owner))
            if place is not None:
                if place.country:
                    attrs["country"] = place.country
            elif not POSSESSIVE.search(owner):
                attrs["organization"] = owner
        if match["prep"]:
            j = words.at(match.end())
            run = capitalised_run(words, j) if j < len(words.words) and words.starts[j] == match.end() else None
            if run is not None:
                owner = words.text[words.starts[run[0]] : words.ends[run[1]]]
                place = gazetteer.place_for(owner)
                if place is None:
                    attrs["organization"] = owner
                elif place.country:
                    attrs.setdefault("country", place.country)
        elif tail and tail not in ",.;:" and not tail.isspace():
            continue
        yield _person(words, name, attrs)


def bare_appositions(words: Words):
    """'Serge Strokan a Russia analyst said': a name of two words or more, an article, a title
    (with its owner) and a verb of saying, no commas. Tried only where ' a ' or ' an ' follows a
    capitalised word (the full pattern at every space is slow on long texts)."""
    for start in _BARE_ARTICLE.finditer(words.text):
        match = _BARE_APPOSITION.match(words.text, start.start())
        if match is None:
            continue
        i = words.at(match.start()) - 1
        if i < 0 or words.ends[i] != match.start():
            continue
        name = _name_before(words, i)
        if name is None:
            continue
        attrs = _role_attrs(match["title"])
        owner = _owner_words(match["owner"])
        if owner:
            place = gazetteer.place_for(POSSESSIVE.sub("", owner))
            if place is None:
                attrs["organization"] = owner
            elif place.country:
                attrs["country"] = place.country
        yield _person(words, name, attrs)


def bylines(words: Words):
    """The author named in a byline, with the role 'Author' and the mark 'byline' (the draft links
    the author to the report, not as one of its subjects); the outlet after a comma is their
    organisation."""
    for match in _BYLINE.finditer(words.text):
        written = match["name"]
        parts = written.split()
        if written.isupper():
            parts = [p.capitalize() for p in parts]
        if not all(_is_name_word(p) or p.lower() in NAME_PARTICLES for p in parts) or not _is_name_word(parts[-1]):
            continue
        start = match.start("name")
        attrs = {"role": "Author", "byline": True}
        outlet = (match["outlet"] or "").strip()
        if outlet and outlet[:1].isupper() and len(outlet.split()) <= 5:
            attrs["organization"] = outlet
        yield Mention(PERSON, start, start + len(written), written, " ".join(parts), attrs, source="context")


def _owner_words(words: str) -> str | None:
    """The capitalised tail of the words between an apposition's article and its title ('Taliban' in
    'a senior Taliban spokesman'), or None."""
    tail = []
    for word in reversed(words.split()):
        if not word[:1].isupper():
            break
        tail.insert(0, _ORIGIN.sub("", word))  # 'a Mauritanian-born trafficker': a country
    return " ".join(tail) or None


def _role_attrs(title: str) -> dict:
    role = role_name(" ".join(title.split()))
    return {"role": role} if role else {}


def _person(words: Words, name: tuple[int, int], attrs: dict) -> Mention:
    start, end = words.starts[name[0]], words.ends[name[1]]
    if POSSESSIVE.search(words.words[name[1]]):
        end -= 2
    raw = words.text[start:end]
    return Mention(PERSON, start, end, raw, " ".join(raw.split()), attrs, source="context")


def _is_name_word(word: str) -> bool:
    """A capitalised word that can be part of a person's name."""
    word = POSSESSIVE.sub("", word)
    if PREFIXED.match(word):
        return word.split("-", 1)[1][:1].isupper()
    if not word[:1].isupper() or (len(word) > 1 and word.isupper()) or word in NOT_NAME:
        return False
    if "-" in word and all(part.lower() in TITLE_WORDS for part in word.split("-")):
        return False  # 'Lieutenant-Colonel'
    place = gazetteer.place_for(word)
    return place is None or place.person_like or (place.level == "city" and not place.demonym)


def _name_from(words: Words, i: int, single_word: bool) -> tuple[int, int] | None:
    """The person's name starting at word i: (first, last) word indices, or None."""
    if i >= len(words.words) or not _is_name_word(words.words[i]):
        return None
    last = i
    k = i + 1
    while k < len(words.words) and words.joined[k] and k - i < _MAX_NAME_WORDS:
        if POSSESSIVE.search(words.words[k - 1]):
            break
        if _is_name_word(words.words[k]):
            last = k
        elif not (
            words.words[k] in NAME_PARTICLES
            and k + 1 < len(words.words)
            and words.joined[k + 1]
            and _is_name_word(words.words[k + 1])
        ):
            break
        k += 1
    if last == i and not single_word:
        return None
    return i, last


def _name_before(words: Words, i: int) -> tuple[int, int] | None:
    """The person's name ending at word i (before an apposition), of two words or more."""
    first = i
    k = i
    while k > 0 and words.joined[k] and i - k < _MAX_NAME_WORDS:
        previous = words.words[k - 1]
        if _is_name_word(previous) and not POSSESSIVE.search(previous):
            first = k - 1
        elif not (
            previous in NAME_PARTICLES and k - 2 >= 0 and words.joined[k - 1] and _is_name_word(words.words[k - 2])
        ):
            break
        k -= 1
    if first == i or not _is_name_word(words.words[i]):
        return None
    before = words.words[first - 1] if first > 0 and words.joined[first] else None
    if before is not None and before[:1].isupper() and before not in FUNCTION_WORDS:
        return None  # part of a longer capitalised phrase: 'Security Council Nikolai Patrushev, ...'
    return first, i


def _owner_before(words: Words, offset: int) -> tuple[str | None, str | None]:
    """The organisation or country written just before a title: 'FSB Director', "Russia's envoy"."""
    i = words.at(offset) - 1
    if i < 0 or not (words.text[words.ends[i] : offset].isspace() and "\n" not in words.text[words.ends[i] : offset]):
        return None, None
    last = i
    first = None
    k = i
    while k >= 0 and (words.words[k][:1].isupper() or (words.words[k] in CONNECTORS and k < last)):
        if words.words[k] in OPENERS:
            break
        first = k
        if not words.joined[k]:
            break
        k -= 1
    if first is None:
        return None, None
    while first <= last and words.words[first] in CONNECTORS:
        first += 1
    if first > last:
        return None, None
    phrase = words.text[words.starts[first] : words.ends[last]]
    bare = POSSESSIVE.sub("", phrase)
    place = gazetteer.place_for(bare)
    if place is not None:
        return None, place.country
    if all(gazetteer.place_for(POSSESSIVE.sub("", w)) is not None for w in words.words[first : last + 1]):
        return None, None
    if POSSESSIVE.search(phrase) or any(_TITLE.fullmatch(w) for w in words.words[first : last + 1]):
        return None, None
    if first == last and phrase in ORG_WORDS:  # an adjective ('Federal prosecutor'), no organisation
        return None, None
    return phrase, None
