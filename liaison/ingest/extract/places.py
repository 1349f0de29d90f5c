"""Places named in a text: countries and their demonyms, regions, provinces and cities."""

from __future__ import annotations

import re

from liaison.ingest.extract import gazetteer
from liaison.ingest.extract.gazetteer import Place
from liaison.ingest.extract.gazetteer.words import FUNCTION_WORDS, LOCATIVE_WORDS, PLACE_FOLLOWERS, PLACE_NOUNS
from liaison.ingest.extract.mentions import LOCATION, Mention

_DIRECTIONS = r"(?:north|south|east|west|central|northern|southern|eastern|western)(?:-?(?:east|west)(?:ern)?)?"
#: Text just before a small town that shows it is used as a place ('in', 'near the town of').
_LOCATIVE_BEFORE = re.compile(
    rf"(?:\b(?:{'|'.join(map(re.escape, LOCATIVE_WORDS))})\s+(?:the\s+)?(?:{_DIRECTIONS}\s+)?"
    rf"|\b(?:{'|'.join(PLACE_NOUNS)})\s+of\s+)$",
    re.IGNORECASE,
)
#: Text just after a small town that shows it is used as a place ('Kunduz province', 'Khorog-based').
_LOCATIVE_AFTER = re.compile(rf"(?:\s+(?:{'|'.join(PLACE_NOUNS)}|airport|border|checkpoint)\b|-based\b)", re.IGNORECASE)
#: A place noun before a name that is also an ordinary word ('the port of Bar').
_PLACE_NOUN_BEFORE = re.compile(rf"\b(?:{'|'.join(PLACE_NOUNS)})\s+of\s+$", re.IGNORECASE)
#: A dateline: a place in capitals opening a line, before a comma, a dash or a parenthesis.
_CAPITAL_WORD = "[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.-]+"
_DATELINE = re.compile(
    rf"^[ \t]*(?P<place>{_CAPITAL_WORD}(?:[ \t]+{_CAPITAL_WORD}){{0,3}})"
    r"(?=[ \t]*,|[ \t]+[-—–(]|[ \t]+\d{4}-\d\d-\d\d\b)",
    re.MULTILINE,
)
_LOWER_IN_NAMES = frozenset({"i", "e", "al", "el", "de", "del", "la", "le", "of", "the", "and", "ul", "ud", "es"})
#: What separates the items of a list of places ('Kunduz, Baghlan and Takhar').
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or)\s|/)\s*")
_WORD_BEFORE = re.compile(r"(?:^|[^\w'’.-])([\w'’.-]+)[ \t]+$")
_WORD_AFTER = re.compile(r"[ \t]+([\w'’-]+)")
_POSSESSIVE = re.compile(r"['’]s?$")
_LOOKBACK = 60


def find_places(text: str) -> list[Mention]:
    """Every place named in `text`, as `location` mentions (value: the canonical name)."""
    hits = [hit for hit in _longest_hits(text) if _plausible(text, *hit)]
    accepted = [_in_its_context(text, *hit) for hit in hits]
    _accept_list_items(text, hits, accepted)
    found = [hit for hit, ok in zip(hits, accepted, strict=True) if ok] + _datelines(text)
    return [
        Mention(LOCATION, start, end, text[start:end], place.name, place.attrs(), source="gazetteer")
        for start, end, place in sorted(found, key=lambda hit: hit[0])
    ]


def _datelines(text: str) -> list[tuple[int, int, Place]]:
    """The place of a news dateline in capitals ('MEXICO CITY, March 2 -', 'THE HAGUE (Reuters) -')."""
    found = []
    for match in _DATELINE.finditer(text):
        written = match.group("place")
        for form in (written.title(), _name_case(written)):
            place = gazetteer.place_for(form)
            if place is not None:
                found.append((match.start("place"), match.end("place"), place))
                break
    return found


def _longest_hits(text: str) -> list[tuple[int, int, Place]]:
    """Whole-word matches of known names, the longest winning where they overlap, in text order."""
    found = []
    for last, (length, place) in gazetteer.automaton().iter(text):
        start, end = last - length + 1, last + 1
        if (
            (start == 0 or not text[start - 1].isalnum())
            and (end == len(text) or not text[end].isalnum())
            and not _in_compound_name(text, start, end)
        ):
            found.append((start, end, place))
    found.sort(key=lambda hit: (hit[0] - hit[1], hit[0]))
    taken = bytearray(len(text))
    chosen = []
    for start, end, place in found:
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            chosen.append((start, end, place))
    chosen.sort(key=lambda hit: hit[0])
    return chosen


def _in_compound_name(text: str, start: int, end: int) -> bool:
    """A place name hyphenated to a capitalised word that is no place is part of another name
    (Kyzyl-Art, a pass); joined to another place it stands (the Afghan-Tajik border)."""
    after = re.match(r"-([A-ZÀ-ÖØ-Þ][\w'’]*)", text[end : end + 40])
    before = re.search(r"(?:^|[^\w'’-])([A-ZÀ-ÖØ-Þ][\w'’]*)-$", text[max(0, start - 40) : start])
    return any(m and gazetteer.place_for(m.group(1)) is None for m in (after, before))


def _plausible(text: str, start: int, end: int, place: Place) -> bool:
    """False for 'US' in a shouted headline and for place names used as people's names."""
    form = text[start:end]
    if form.isupper() and _shouting(text, start, end):
        return False
    if not place.person_like:
        return True
    before = _WORD_BEFORE.search(text, max(0, start - _LOOKBACK), start)
    if before and _is_name_word(before.group(1)):
        return False
    after = _WORD_AFTER.match(text, end)
    return not (after and _is_name_word(after.group(1)) and _POSSESSIVE.sub("", after.group(1)) not in PLACE_FOLLOWERS)


def _is_name_word(word: str) -> bool:
    """A capitalised word that could belong to a person's name ('Hassan', 'Mr.'), not a place or 'In'."""
    word = _POSSESSIVE.sub("", word)
    if word.endswith("."):  # an abbreviated title or an initial, else the end of a sentence
        core = word.rstrip(".")
        return core[:1].isupper() and len(core) <= 3
    return word[:1].isupper() and word not in FUNCTION_WORDS and gazetteer.place_for(word) is None


def _shouting(text: str, start: int, end: int) -> bool:
    """True when the letters around a span are mostly capitals (a headline in upper case)."""
    around = text[max(0, start - 40) : start] + text[end : end + 40]
    letters = [ch for ch in around if ch.isalpha()]
    return len(letters) >= 8 and sum(ch.isupper() for ch in letters) > 0.6 * len(letters)


def _name_case(written: str) -> str:
    """A name in capitals as it is usually written: 'MAZAR-I-SHARIF' -> 'Mazar-i-Sharif'."""
    words = [word.split("-") for word in written.lower().split()]
    return " ".join(
        "-".join(part if (i or j) and part in _LOWER_IN_NAMES else part.capitalize() for j, part in enumerate(parts))
        for i, parts in enumerate(words)
    )


def _in_its_context(text: str, start: int, end: int, place: Place) -> bool:
    """Whether a place that needs context has it: 'in Khorog' for a small town, 'the port of Bar' for
    a name that is also a word."""
    if place.ambiguous:
        return bool(_PLACE_NOUN_BEFORE.search(text, max(0, start - _LOOKBACK), start))
    if place.needs_context:
        return bool(_LOCATIVE_BEFORE.search(text, max(0, start - _LOOKBACK), start) or _LOCATIVE_AFTER.match(text, end))
    return True


def _accept_list_items(text: str, hits: list[tuple[int, int, Place]], accepted: list[bool]) -> None:
    """A small town listed beside an accepted place is a place too ('in Kunduz, Khanabad and Imam Sahib')."""
    changed = True
    while changed:
        changed = False
        for i in range(len(hits) - 1):
            if accepted[i] == accepted[i + 1]:
                continue
            pending = i + 1 if accepted[i] else i
            if not hits[pending][2].ambiguous and _LIST_GAP.fullmatch(text, hits[i][1], hits[i + 1][0]):
                accepted[pending] = changed = True
