"""People and organisations not yet known to the platform, found from titles and context.

- a title before a name: 'Interior Minister Ali Jalali', 'Secretary of the Security Council Nikolai
  Patrushev', 'Taliban spokesman Zabihullah Mujahid' (role, and the organisation when one is named);
- an apposition: 'Ali Jalali, director of the Border Police,' or 'X Y, a spokesman for Z';
- an organisation: a capitalised name ending in Agency, Ministry, Council... ('the Federal Security
  Service', 'Ministry of Foreign Affairs', "Pakistan's Interior Ministry"), or a name defined with its
  acronym ('the United Nations Office on Drugs and Crime (UNODC)'), whose later uses are reported too.

Precision comes first: a name is a run of capitalised words that are not weekdays, months, places,
demonyms or ordinary sentence openers, and a name without a title or apposition is not reported.
"""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass

from liaison.ingest.extract import gazetteer
from liaison.ingest.extract.gazetteer.words import FUNCTION_WORDS, SENTENCE_WORDS
from liaison.ingest.extract.mentions import ORGANIZATION, PERSON, Mention
from liaison.ingest.extract.titles import HONORIFICS, ROLE_MODIFIERS, ROLE_QUALIFIERS, TITLES, role_name

__all__ = ["TITLES", "find_context_entities"]

#: Last words of organisation names.
ORG_HEADS = frozenset(
    """
Agency Service Services Council Ministry Directorate Committee Front Brigade Brigades Movement Army Party
Bureau Office Police Guard Guards Commission Authority Cartel Network Organization Organisation Department
Corps Forces Force Administration Institute Center Centre Unit League Alliance Battalion Regiment Command
Court Assembly Group Bank Foundation Association Federation Coalition Tribunal Secretariat Inspectorate
Gendarmerie Militia Academy University Mission Programme Program Fund Embassy Consulate Emirate
Syndicate Clan Observatory Collegium Labs Lab Logistics Trading Holdings Holding Company Corporation Corp
Ltd LLC Inc Enterprises Shipping Exchange Partners Consulting Technologies Systems Airlines
""".split()
)
#: Words that may follow 'of', 'for' or 'on' after an organisation's head ('Ministry of Foreign Affairs').
ORG_WORDS = frozenset(
    """
Interior Internal Foreign Affairs Defence Defense Justice Finance Home Health Economy Energy Trade
Information Culture Education Transport Agriculture Refugees Repatriation Security State National Public
Drugs Drug Narcotics Counter-Narcotics Counternarcotics Crime Crimes Control Terrorism Counter-Terrorism
Counterterrorism Intelligence Investigation Investigations Enforcement Customs Border Borders Emergency
Emergencies Situations Migration Immigration Cooperation Co-operation Human Rights Women Peace
Reconciliation Religious Virtue Vice Propagation Prevention Promotion Armed Communications Technology
Mines Petroleum Water Tribal Rural Rehabilitation Development Commerce Industry Industries Labour Labor
Social Martyrs Disabled Hajj Higher Federal Central Special Strategic Studies Research United Nations
Revolution Islamic General Staff Operations Protection Coordination Combating Financial Monitoring
Economic Anti-Corruption Corruption Prosecution Prisons Corrections Veterans Youth Sports Waqf
International Law Homeland Narcotic Atomic External
""".split()
)
#: Words of titles ('Chairman', 'Minister'): a name that reaches one has ended.
_TITLE_WORDS = frozenset(w for title in TITLES for w in title.split())
_CONNECTORS = frozenset({"of", "for", "on", "against", "and", "the", "de", "du", "des", "la", "al", "el"})
_EXTENDERS = frozenset({"of", "for", "on", "against"})
_PARTICLES = frozenset(
    {
        "bin",
        "ibn",
        "bint",
        "van",
        "von",
        "de",
        "der",
        "den",
        "da",
        "di",
        "du",
        "la",
        "le",
        "al",
        "el",
        "ul",
        "ud",
        "dos",
        "das",
        "y",
        "ter",
        "ten",
        "zu",
    }
)
_PREFIXED = re.compile(r"(?:al|el|ad|as|ash|at|az|ud|ul|ur|bin|ibn|abu|ben|wal|wa)-[^\W\d_]", re.IGNORECASE)
_CALENDAR = frozenset(calendar.day_name) | frozenset(calendar.month_name[1:]) | frozenset(calendar.month_abbr[1:])
#: Capitalised words that open sentences: pronouns, connectives, days, collective nouns.
_OPENERS = (
    SENTENCE_WORDS
    | _CALENDAR
    | frozenset(
        """
I He She It We They You Me Him Us Them Who Whom Whose Which What However Meanwhile Moreover Furthermore
According Following Earlier Later Yesterday Today Tomorrow Tonight Officials Authorities Sources
""".split()
    )
)
#: Capitalised words that never start or belong to a person's name.
_NOT_NAME = (
    _OPENERS
    | FUNCTION_WORDS
    | ORG_HEADS
    | ORG_WORDS
    | frozenset(
        """
Police Government Republic Kingdom Emirates States Province District City Region Valley Street Road Airport
Border God Allah Christmas Easter Ramadan Eid New Year Covid Coronavirus Internet
""".split()
    )
    | frozenset(w.capitalize() for t in TITLES for w in t.replace("-", " ").split() if w.isalpha())
)
#: Possessives that belong to an organisation's name ("the Attorney General's Office", "People's Party").
_NAME_POSSESSIVES = (
    ORG_WORDS
    | frozenset(w.capitalize() for t in TITLES for w in t.split() if w.isalpha())
    | frozenset({"People", "Workers", "Children", "Women", "Mothers", "Veterans"})
)
_WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?(?:['’]s)?")
_POSSESSIVE = re.compile(r"['’]s$")
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
#: After a title: an optional place or organisation, then a comma before the name ('manager in Aktau, ').
_NAMED_AFTER = re.compile(
    r"(?:\s+(?:in|of|at|for)\s+(?:the\s+)?(?P<where>[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*){0,5}))?,[ \t]+(?=[^\W\d_])"
)
#: What closes a name given in apposition.
_APPOSITION_END = re.compile(
    r"['’]?s?\s*[,;)]|\s+(?:said|says|told|added|denied|confirmed|warned|stated|noted|explained|insisted)\b"
)
_ORIGIN = re.compile(r"-(?:born|based|backed|led|linked|registered|flagged)$")
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
_MAX_NAME_WORDS = 5


@dataclass(slots=True)
class _Words:
    """The words of a text with their offsets, and whether plain spaces join each to the one before."""

    text: str
    starts: list[int]
    ends: list[int]
    words: list[str]
    joined: list[bool]

    @classmethod
    def of(cls, text: str) -> _Words:
        starts, ends, words, joined = [], [], [], []
        for match in _WORD.finditer(text):
            gap = text[ends[-1] : match.start()] if ends else None
            joined.append(bool(gap) and gap.isspace() and "\n" not in gap)
            starts.append(match.start())
            ends.append(match.end())
            words.append(match.group())
        return cls(text, starts, ends, words, joined)

    def at(self, offset: int) -> int:
        """Index of the first word starting at or after `offset`."""
        return bisect.bisect_left(self.starts, offset)

    def follows(self, i: int, offset: int) -> bool:
        """True when word i comes right after `offset`, separated only by spaces."""
        gap = self.text[offset : self.starts[i]] if i < len(self.starts) else "x"
        return gap.isspace() and "\n" not in gap


def find_context_entities(text: str) -> list[Mention]:
    """People and organisations named in `text` with a title, a role or an organisation word."""
    words = _Words.of(text)
    skip = _headline_lines(text)
    found: dict[tuple[str, int, int], Mention] = {}
    for mention in (*_titled_people(words), *_appositions(words), *_organisations(words)):
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


def _headline_lines(text: str) -> list[tuple[int, int]]:
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


# --- people -------------------------------------------------------------------------------------------


def _title_matches(words: _Words):
    """The titles in the text, tried only at words that can begin one (much faster than a full scan)."""
    resume = 0
    for i, word in enumerate(words.words):
        if words.starts[i] < resume or word.lower() not in _TITLE_STARTS:
            continue
        match = _TITLE.match(words.text, words.starts[i])
        if match is not None:
            resume = match.end()
            yield match


def _titled_people(words: _Words):
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
            organization, country = _owner_before(words, match.start())
            if country:
                attrs["country"] = country
        if organization:
            attrs["organization"] = organization
        yield _person(words, name, attrs)


def _named_after(words: _Words, title: re.Match, after: re.Match):
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
        organization, country = _owner_before(words, title.start())
        if country:
            attrs["country"] = country
        if organization:
            attrs["organization"] = organization
    yield _person(words, name, attrs)


def _org_after_of(words: _Words, j: int) -> tuple[str, int] | None:
    """For 'Secretary of the Security Council Nikolai Patrushev' at 'of': ('Security Council', index of
    'Nikolai'). The organisation ends at its last head word, else at its last organisation word."""
    k = j + 1
    if k < len(words.words) and words.words[k].lower() == "the" and words.joined[k]:
        k += 1
    run = _capitalised_run(words, k)
    if run is None:
        return None
    first, last = run
    heads = [i for i in range(first, last + 1) if words.words[i] in ORG_HEADS]
    if heads:
        end = heads[-1]
    else:
        end = first - 1
        while end + 1 <= last and (_org_word(words.words[end + 1]) or words.words[end + 1] in _CONNECTORS):
            end += 1
        while end >= first and words.words[end] in _CONNECTORS:
            end -= 1
    if end < first or end >= last:
        return None
    return words.text[words.starts[first] : words.ends[end]], end + 1


def _appositions(words: _Words):
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
            place = gazetteer.place_for(_POSSESSIVE.sub("", owner))
            if place is not None:
                if place.country:
                    attrs["country"] = place.country
            elif not _POSSESSIVE.search(owner):
                attrs["organization"] = owner
        if match["prep"]:
            j = words.at(match.end())
            run = _capitalised_run(words, j) if j < len(words.words) and words.starts[j] == match.end() else None
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


def _person(words: _Words, name: tuple[int, int], attrs: dict) -> Mention:
    start, end = words.starts[name[0]], words.ends[name[1]]
    if _POSSESSIVE.search(words.words[name[1]]):
        end -= 2
    raw = words.text[start:end]
    return Mention(PERSON, start, end, raw, " ".join(raw.split()), attrs, source="context")


def _is_name_word(word: str) -> bool:
    """A capitalised word that can be part of a person's name."""
    word = _POSSESSIVE.sub("", word)
    if _PREFIXED.match(word):
        return word.split("-", 1)[1][:1].isupper()
    if not word[:1].isupper() or (len(word) > 1 and word.isupper()) or word in _NOT_NAME:
        return False
    place = gazetteer.place_for(word)
    return place is None or place.person_like or (place.level == "city" and not place.demonym)


def _name_from(words: _Words, i: int, single_word: bool) -> tuple[int, int] | None:
    """The person's name starting at word i: (first, last) word indices, or None."""
    if i >= len(words.words) or not _is_name_word(words.words[i]):
        return None
    last = i
    k = i + 1
    while k < len(words.words) and words.joined[k] and k - i < _MAX_NAME_WORDS:
        if _POSSESSIVE.search(words.words[k - 1]):
            break
        if _is_name_word(words.words[k]):
            last = k
        elif not (
            words.words[k] in _PARTICLES
            and k + 1 < len(words.words)
            and words.joined[k + 1]
            and _is_name_word(words.words[k + 1])
        ):
            break
        k += 1
    if last == i and not single_word:
        return None
    return i, last


def _name_before(words: _Words, i: int) -> tuple[int, int] | None:
    """The person's name ending at word i (before an apposition), of two words or more."""
    first = i
    k = i
    while k > 0 and words.joined[k] and i - k < _MAX_NAME_WORDS:
        previous = words.words[k - 1]
        if _is_name_word(previous) and not _POSSESSIVE.search(previous):
            first = k - 1
        elif not (previous in _PARTICLES and k - 2 >= 0 and words.joined[k - 1] and _is_name_word(words.words[k - 2])):
            break
        k -= 1
    if first == i or not _is_name_word(words.words[i]):
        return None
    before = words.words[first - 1] if first > 0 and words.joined[first] else None
    if before is not None and before[:1].isupper() and before not in FUNCTION_WORDS:
        return None  # part of a longer capitalised phrase: 'Security Council Nikolai Patrushev, ...'
    return first, i


def _owner_before(words: _Words, offset: int) -> tuple[str | None, str | None]:
    """The organisation or country written just before a title: 'FSB Director', "Russia's envoy"."""
    i = words.at(offset) - 1
    if i < 0 or not (words.text[words.ends[i] : offset].isspace() and "\n" not in words.text[words.ends[i] : offset]):
        return None, None
    last = i
    first = None
    k = i
    while k >= 0 and (words.words[k][:1].isupper() or (words.words[k] in _CONNECTORS and k < last)):
        if words.words[k] in _OPENERS:
            break
        first = k
        if not words.joined[k]:
            break
        k -= 1
    if first is None:
        return None, None
    while first <= last and words.words[first] in _CONNECTORS:
        first += 1
    if first > last:
        return None, None
    phrase = words.text[words.starts[first] : words.ends[last]]
    bare = _POSSESSIVE.sub("", phrase)
    place = gazetteer.place_for(bare)
    if place is not None:
        return None, place.country
    if all(gazetteer.place_for(_POSSESSIVE.sub("", w)) is not None for w in words.words[first : last + 1]):
        return None, None
    if _POSSESSIVE.search(phrase) or any(_TITLE.fullmatch(w) for w in words.words[first : last + 1]):
        return None, None
    if first == last and phrase in ORG_WORDS:  # an adjective ('Federal prosecutor'), no organisation
        return None, None
    return phrase, None


# --- organisations ------------------------------------------------------------------------------------


def _capitalised_run(words: _Words, i: int, through_possessives: bool = False) -> tuple[int, int] | None:
    """The run of capitalised words (with 'of', 'and'... inside) starting at word i, as (first, last);
    it ends at a possessive ("Pakistan's") unless `through_possessives`."""
    if i >= len(words.words) or not words.words[i][:1].isupper():
        return None
    last = i
    k = i + 1
    while k < len(words.words) and words.joined[k]:
        if not through_possessives and _POSSESSIVE.search(words.words[k - 1]):
            break
        word = words.words[k]
        if word[:1].isupper() or _PREFIXED.match(word):
            last = k
        elif word not in _CONNECTORS:
            break
        k += 1
    return i, last


def _org_word(word: str) -> bool:
    place = gazetteer.place_for(word)
    return word in ORG_WORDS or word in ORG_HEADS or (place is not None and place.level != "city")


def _organisations(words: _Words):
    yield from _acronym_organisations(words)  # first: these carry the acronym
    yield from _headed_organisations(words)
    yield from _apposed_organisations(words)


def _apposed_organisations(words: _Words):
    """Organisations introduced by what they are: 'Tengri Cyber, a security company', 'a transport
    company, Sahil Transit, which', 'a group calling itself Cyber Simorgh'."""
    for pattern in _ORG_APPOSITIONS:
        for match in pattern.finditer(words.text):
            start, end = match.span("name")
            i = words.at(start)
            while i < len(words.words) and words.starts[i] < end and words.words[i] in _OPENERS:
                i += 1  # 'In Tengri Cyber, ...' is not part of the name
            if i >= len(words.words) or words.starts[i] >= end:
                continue
            start = words.starts[i]
            name = words.text[start:end].rstrip(".")
            if gazetteer.place_for(name) is not None or name in _NOT_NAME:
                continue
            yield Mention(ORGANIZATION, start, start + len(name), name, " ".join(name.split()), {}, source="context")


def _headed_organisations(words: _Words):
    n = len(words.words)
    i = 0
    while i < n:
        run = _capitalised_run(words, i, through_possessives=True)
        if run is None:
            i += 1
            continue
        for start, end, country in _orgs_in_run(words, *run):
            raw = _POSSESSIVE.sub("", words.text[words.starts[start] : words.ends[end]])
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


def _orgs_in_run(words: _Words, first: int, last: int) -> list[tuple[int, int, str | None]]:
    """Every organisation in a capitalised run ('the Sinaloa Cartel and the Haqqani Network')."""
    while last >= first and words.words[last] in _CONNECTORS:
        last -= 1
    found = _org_in_run(words, first, last) if first <= last else None
    if found is None:
        return []
    start, end, _country = found
    return [*_orgs_in_run(words, first, start - 1), found, *_orgs_in_run(words, end + 1, last)]


def _org_in_run(words: _Words, first: int, last: int) -> tuple[int, int, str | None] | None:
    """The longest organisation name in a capitalised run: (first, last word, owner country) or None."""
    country = None
    for k in range(first, last + 1):  # "Pakistan's Interior Ministry": the name starts after the owner
        bare = _POSSESSIVE.sub("", words.words[k])
        if bare != words.words[k]:
            if bare in ORG_HEADS:  # "the Interior Ministry's spokesman": the name ends here
                last = k
                break
            if bare not in _NAME_POSSESSIVES:  # "Putin's Security Council", "Pakistan's Interior Ministry"
                place = gazetteer.place_for(bare)
                country = place.country if place is not None else None
                first = k + 1
    while first <= last and (words.words[first] in _OPENERS or words.words[first] in _CONNECTORS):
        first += 1
    heads = [k for k in range(first, last + 1) if _POSSESSIVE.sub("", words.words[k]) in ORG_HEADS]
    for head in reversed(heads):
        # 'Officers of the Federal Security Service': the name starts after the last joining word
        # ... but 'and' joins two names only after a first organisation ('the Sinaloa Cartel and
        # Haqqani Network'); otherwise it is inside the name ('Jammu and Kashmir Police').
        start = max(
            [first]
            + [
                k + 1
                for k in range(first, head)
                if words.words[k] in _CONNECTORS
                and (words.words[k] != "and" or any(_POSSESSIVE.sub("", w) in ORG_HEADS for w in words.words[first:k]))
            ]
        )
        end = _extension_end(words, head, last)
        name = words.text[words.starts[start] : words.ends[end]]
        if (start < head or end > head) and gazetteer.place_for(name) is None:
            return start, end, country
    return None


def _extension_end(words: _Words, head: int, last: int) -> int:
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
    return _org_word(word) or (
        word[:1].isupper()
        and word.lower() not in _TITLE_WORDS
        and word not in FUNCTION_WORDS
        and not _POSSESSIVE.search(word)
    )


def _acronym_organisations(words: _Words):
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
    for acronym, value in defined.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", text):
            if not any(a <= match.start() < b for a, b in definitions):
                yield Mention(ORGANIZATION, *match.span(), acronym, value, {"acronym": acronym}, source="context")


def _expansion(words: _Words, i: int, acronym: str) -> tuple[int, int] | None:
    """The words before '(ACRONYM)' that it abbreviates, as (first, last) word indices, or None."""
    letters = [ch for ch in acronym if ch.isupper()]
    first = i
    while (
        first > 0
        and words.joined[first]
        and (
            words.words[first - 1][:1].isupper()
            or _PREFIXED.match(words.words[first - 1])
            or words.words[first - 1] in _CONNECTORS
        )
    ):
        first -= 1
    for start in range(first, i + 1):
        if words.words[start] in _CONNECTORS:
            continue
        initials = [
            part[0]
            for w in words.words[start : i + 1]
            if w not in _CONNECTORS
            for part in w.split("-")
            if part[:1].isupper()
        ]
        if initials == letters and words.words[start] not in SENTENCE_WORDS:
            return start, i
    found = _org_in_run(words, first, i)
    return (found[0], found[1]) if found is not None and found[1] == i else None
