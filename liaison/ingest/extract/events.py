"""Events a text reports, built on the mentions the other extractors found.

- a **drug seizure**: '(Border troops) seized 212 kg of heroin near the Panj river crossing',
  '30 kg of heroin were seized', 'the seizure of 30 kg of heroin', 'a 212 kg heroin haul': substance,
  quantity and unit (drug_amounts.py), the place, the date, the seizing organisation, and the persons
  the drugs were taken from;
- an **arrest** or a **detention**: 'Ali Karimov was arrested', 'police detained Ali Karimov and
  Daler Nazarov', 'the arrest of Ali Karimov', "Karimov's detention": the persons, the arresting
  organisation, the place and the date;
- an **escape**: 'Karimov escaped towards Kunduz', 'fled across the border into Afghanistan',
  'escaped from custody': the persons and the place they fled towards;
- a **position**: 'Deputy chairman Col. Rustam Nazarov' of an organisation named with the title, in
  the sentence before it or in the sentence before that one's ("the State Committee ... said. Deputy
  chairman Col. Rustam Nazarov told ..."), or 'Rustam Nazarov, deputy chairman of the State
  Committee ...': the person, the organisation, the role and the rank.

Precision comes first: an event needs its trigger, its amount or its persons in the shapes above;
a negation, a doubt or an intention before the trigger in its clause ('no heroin was seized', 'denied
being arrested', 'tried to escape', 'a warrant for the arrest of') and yearly totals ('seized 4.5
tonnes of heroin last year') give nothing. Every scan is bounded by a window around its trigger, so
the cost stays linear in the text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from liaison.ingest.extract.drug_amounts import DrugAmount, find_amounts
from liaison.ingest.extract.mentions import DATE, GROUP, LOCATION, ORGANIZATION, PERSON, Mention
from liaison.ingest.extract.sentences import sentences
from liaison.ingest.extract.titles import role_name

__all__ = [
    "AGENCY",
    "ARREST",
    "ARRESTED",
    "DETENTION",
    "DRUG_SEIZURE",
    "EMPLOYER",
    "ESCAPE",
    "ESCAPED",
    "HOLDER",
    "POSITION",
    "SUSPECT",
    "Event",
    "Participant",
    "find_events",
]

#: Event kinds.
DRUG_SEIZURE = "drug-seizure"
ARREST = "arrest"
DETENTION = "detention"
ESCAPE = "escape"
POSITION = "position"
#: Participant roles.
AGENCY = "agency"  # the organisation that seized or arrested
SUSPECT = "suspect"  # a person the drugs were taken from, or arrested or fleeing in the same sentence
ARRESTED = "arrested"  # a person taken into custody (arrest or detention)
ESCAPED = "escaped"
HOLDER = "holder"  # the person holding a position
EMPLOYER = "employer"  # the organisation of the position


@dataclass(frozen=True, slots=True)
class Participant:
    mention: Mention
    role: str


@dataclass(frozen=True, slots=True)
class Event:
    """An event at `text[start:end]` (its trigger phrase), with what the text says of it.

    Slots that do not apply to a kind stay None: substance, quantity, unit, approximate and amount
    are a seizure's (`unit` is the drug-seizure extension's quantity_unit: kg, g, l, units,
    tablets; tonnes and pounds are given in kg), `direction` an escape's (the place fled towards),
    `role` and `rank` a position's ('Deputy Chairman', 'Colonel'). `site` is a named spot that is
    no place mention ('Panj river crossing').
    """

    kind: str
    start: int
    end: int
    text: str
    participants: tuple[Participant, ...] = ()
    place: Mention | None = None
    date: Mention | None = None
    site: str | None = None
    direction: Mention | None = None
    substance: str | None = None
    substance_text: str | None = None
    quantity: float | None = None
    unit: str | None = None
    approximate: bool = False
    amount: str | None = None
    role: str | None = None
    rank: str | None = None

    def having(self, role: str) -> tuple[Mention, ...]:
        """The mentions taking part with `role`."""
        return tuple(p.mention for p in self.participants if p.role == role)

    @property
    def organization(self) -> Mention | None:
        """The acting organisation (seizing, arresting) or the employer of a position."""
        found = self.having(AGENCY) or self.having(EMPLOYER)
        return found[0] if found else None

    def properties(self) -> dict:
        """The extension properties the event gives without STIX ids: drug-seizure's name,
        drug_type, quantity, quantity_unit and seized_at (when the date is a day); the
        organisation-position's position."""
        if self.kind == DRUG_SEIZURE:
            props = {
                "name": f"{self.quantity:g} {self.unit} of {self.substance}",
                "drug_type": self.substance,
                "quantity": self.quantity,
                "quantity_unit": self.unit,
            }
            if self.date is not None and len(self.date.value) == 10:
                props["seized_at"] = f"{self.date.value}T00:00:00.000Z"
            return props
        if self.kind == POSITION:
            return {"position": self.role}
        return {}


def find_events(text: str, mentions: Iterable[Mention], clues: Clues | None = None) -> list[Event]:
    """The seizures, arrests, detentions, escapes and positions `text` reports, in text order.
    `mentions` are what the extractors found in `text` (persons, organisations, groups, places,
    dates); an event only refers to these. `clues` are the text's own (`Clues(text)`), when the
    caller found them already (a draft does while the model reads)."""
    if clues is not None and clues.text != text:
        raise ValueError("the clues are of another text")
    doc = _Doc(clues or Clues(text), mentions)
    seizures = list(_seizures(doc))
    custody = list(_custody(doc))
    escapes = list(_escapes(doc))
    positions = list(_positions(doc))
    by_sentence: dict[tuple[int, int], list[Event]] = {}
    for event in custody + escapes:
        by_sentence.setdefault(doc.sentence(event.start), []).append(event)
    seizures = [_with_suspects(s, by_sentence.get(doc.sentence(s.start), [])) for s in seizures]
    events = _merged(seizures, _seizure_key) + _merged(custody, _persons_key) + _merged(escapes, _persons_key)
    events += _merged(positions, _position_key)
    return sorted(events, key=lambda e: (e.start, e.end, e.kind))


# --- the text and its mentions ------------------------------------------------------------------------

#: How far from its trigger an event's slots are looked for (within the sentence).
_WINDOW = 300


class Clues:
    """What events are read by that depends on the text alone: its sentences, its clause cuts,
    doubts, totals and sites, each found once in the whole text (triggers look theirs up: no
    rescan per trigger)."""

    def __init__(self, text: str):
        self.text = text
        self.bounds = sentences(text)
        self.starts = [s for s, _ in self.bounds]
        self.cuts = [m.end() for m in _CLAUSE_CUT.finditer(text)]
        self.doubts = _spans(_DOUBT, text)
        self.totals = _spans(_TOTALS, text)
        self.sites = [(m.start(), m.end(), " ".join(m["site"].split())) for m in _SITE.finditer(text)]


class _Doc(Clues):
    """The text and its clues, with its mentions by kind, sorted, for bounded look-ups."""

    def __init__(self, clues: Clues, mentions: Iterable[Mention]):
        vars(self).update(vars(clues))  # the clues as they were found, not found again
        mentions = list(mentions)
        self.by_kind: dict[str, tuple[list[int], list[Mention]]] = {}
        for kind, kinds in (
            (PERSON, (PERSON,)),
            (ORGANIZATION, (ORGANIZATION, GROUP)),
            (LOCATION, (LOCATION,)),
            (DATE, (DATE,)),
        ):
            chosen = sorted((m for m in mentions if m.kind in kinds), key=lambda m: (m.start, -m.end))
            self.by_kind[kind] = ([m.start for m in chosen], chosen)
        self.names = sorted(
            (m.start, m.end) for kind in (PERSON, ORGANIZATION) for m in self.by_kind[kind][1]
        )  # spans of names, where no place is taken as one

    def sentence(self, offset: int) -> tuple[int, int]:
        return self.bounds[max(0, bisect.bisect_right(self.starts, offset) - 1)]

    def window(self, start: int, end: int) -> tuple[int, int]:
        """Where an event's slots are looked for: its sentence, at most _WINDOW characters around it."""
        low, high = self.sentence(start)
        return max(low, start - _WINDOW), min(high, end + _WINDOW)

    def between(self, kind: str, start: int, end: int) -> list[Mention]:
        """Mentions of `kind` starting in [start, end)."""
        starts, chosen = self.by_kind[kind]
        return chosen[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]

    def starting_at(self, kind: str, offset: int) -> Mention | None:
        found = self.between(kind, offset, offset + 1)
        return found[0] if found else None

    def ending_before(self, kind: str, offset: int, reach: int = 120) -> Mention | None:
        """The mention of `kind` ending last at or before `offset` (within `reach`), not overlapping it."""
        candidates = [m for m in self.between(kind, max(0, offset - reach - 200), offset) if m.end <= offset]
        candidates = [m for m in candidates if offset - m.end <= reach]
        return max(candidates, key=lambda m: m.end) if candidates else None

    def any_between(self, spans: list[tuple[int, int]], start: int, end: int) -> bool:
        """True when one of `spans` (sorted, not overlapping) lies within [start, end)."""
        i = bisect.bisect_left(spans, (start, -1))
        return i < len(spans) and spans[i][1] <= end

    def inside_name(self, mention: Mention) -> bool:
        i = bisect.bisect_right(self.names, (mention.start, len(self.text) + 1))
        return any(
            s <= mention.start and mention.end <= e and (s, e) != (mention.start, mention.end)
            for s, e in self.names[max(0, i - 3) : i]
        )


def _spans(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


# --- clauses: negation, doubt, totals ----------------------------------------------------------------

#: What separates a trigger's clause from what comes before it.
_CLAUSE_CUT = re.compile(
    r"[;:()\[\]—–]|[ \t]-[ \t]|,[ \t]+and(?![\w-])"
    r"|(?<![\w-])(?:but|while|whereas|although|though|said|says|told)(?![\w-])",
    re.IGNORECASE,
)
#: Words before a trigger in its clause that make the event denied, doubtful or not (yet) real.
_DOUBT = re.compile(
    r"(?<![\w'’-])(?:no|not|never|nothing|none|neither|nor|without|den(?:y|ies|ied|ying)|refut(?:e|es|ed)"
    r"|reject(?:s|ed)?|false(?:ly)?|whether|if|cannot|unable|fail(?:s|ed|ing)?|tr(?:y|ies|ied|ying)"
    r"|attempt(?:s|ed|ing)?|sought|seek(?:s|ing)?|plan(?:s|ned|ning)?|intend(?:s|ed)?|aim(?:s|ed)?|will|would"
    r"|could|might|(?-i:may)|should|must|threat(?:en|ens|ened|ening)?|vow(?:s|ed)?|pledg(?:e|es|ed)|warrants?"
    r"|call(?:s|ed|ing)?[ \t]+for|demand(?:s|ed)?|avoid(?:s|ed|ing)?|evad(?:e|es|ed|ing)|escap(?:e|es|ed|ing)"
    r"|resist(?:s|ed|ing)?|fear(?:s|ed)?|fac(?:e|es|ed|ing)|risk(?:s|ed)?|rumou?r(?:s|ed)?|unconfirmed"
    r"|prevent(?:s|ed)?|order(?:s|ed)?)(?![\w'’-])|n['’]t(?![\w'’-])",
    re.IGNORECASE,
)
#: Totals over a period are statistics, not a seizure ('seized 4.5 tonnes of heroin last year').
_TOTALS = re.compile(
    r"(?<![\w-])(?:(?:so[ \t]+far[ \t]+this|this|last|past|previous|each|every|per|a)[ \t]+year"
    r"|(?:each|every|per|a)[ \t]+(?:month|quarter))(?![\w-])"
    r"|(?<![\w-])(?:since|during|over|in)[ \t]+the[ \t]+(?:beginning|start|past|last|first|second|third|course)"
    r"[ \t]+(?:of[ \t]+)?(?:the[ \t]+)?(?:year|half|quarter|months?|years?|\w+[ \t]+(?:months|years|weeks))"
    r"|(?<![\w-])(?:in|since|during|throughout)[ \t]+(?:19|20)\d\d(?![\w-])|(?<![\w-])annually(?![\w-])"
    r"|(?<![\w-])in[ \t]+recent[ \t]+(?:weeks|months|years)|(?<![\w-])statistic",
    re.IGNORECASE,
)


def _clause_start(doc: _Doc, offset: int) -> int:
    low = max(doc.sentence(offset)[0], offset - 120)
    i = bisect.bisect_right(doc.cuts, offset) - 1
    return max(low, doc.cuts[i]) if i >= 0 else low


def _doubted(doc: _Doc, offset: int) -> bool:
    """True when the clause before `offset` denies, doubts or only intends what follows."""
    return doc.any_between(doc.doubts, _clause_start(doc, offset), offset)


# --- slots: places, dates, sites, organisations, persons ----------------------------------------------

_DIRECTION = r"(?:(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?|central)"
_PLACE_NOUNS = (
    r"(?:village|town|city|district|province|region|port|area|outskirts|suburbs?|county|oblast|valley"
    r"|capital|border[ \t]+town|border[ \t]+district|border[ \t]+province|border[ \t]+region)"
)
#: Text right before a place that makes it where something happened ('near', 'in the northern province of').
_LOCATIVE = re.compile(
    r"(?<![\w-])(?:near|in|at|outside|around|inside|within|along|close[ \t]+to|on[ \t]+the[ \t]+outskirts[ \t]+of"
    r"|off[ \t]+the[ \t]+coast[ \t]+of)[ \t]+(?:the[ \t]+)?(?:(?:remote|mountainous|rural|" + _DIRECTION + r")"
    r"[ \t]+)?(?:(?:[\w'’-]+[ \t]+){0,2}?" + _PLACE_NOUNS + r"[ \t]+of[ \t]+)?$",
    re.IGNORECASE,
)
#: A named spot after 'near', 'at': 'the Panj river crossing', 'the Ishkashim border checkpoint'.
_SITE = re.compile(
    r"(?<![\w-])(?:near|at|in|outside|on)[ \t]+the[ \t]+(?P<site>[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*){0,2}"
    r"(?:[ \t]+(?:river|border|customs|checkpoint))?[ \t]+(?:crossing(?:[ \t]+point)?|checkpoint|check-point"
    r"|border[ \t]+post|post|bridge|port|dry[ \t]+port|airport|terminal|railway[ \t]+station|station|market"
    r"|pass|crossing))(?![\w-])"
)
#: A dateline before a date ('DUSHANBE, '): the article's date, not the event's.
_DATELINE = re.compile(r"(?:^|\n)[ \t]*[A-Z][A-Z .'’-]{1,40},[ \t]*$")


def _place(doc: _Doc, start: int, end: int, exclude: Iterable[Mention] = ()) -> Mention | None:
    """The place nearest to text[start:end] that the text says the event happened at: in its sentence,
    in its clause when before it ('Police in Kunduz said officers seized ... outside Khorog')."""
    low, high = doc.window(start, end)
    clause = _clause_start(doc, start)
    excluded = set(exclude)
    best = None
    for m in doc.between(LOCATION, low, high):
        if m.start < clause or m in excluded or m.attrs.get("demonym") or m.end > high or doc.inside_name(m):
            continue
        if not _LOCATIVE.search(doc.text, max(low, m.start - 60), m.start):
            continue
        best = _nearer(best, m, start, end)
    return best[1] if best else None


def _date(doc: _Doc, start: int, end: int) -> Mention | None:
    """The date nearest to text[start:end] in its sentence, a dateline's left aside."""
    low, high = doc.window(start, end)
    best = None
    for m in doc.between(DATE, low, high):
        if m.end > high or _DATELINE.search(doc.text, max(0, m.start - 45), m.start):
            continue
        best = _nearer(best, m, start, end)
    return best[1] if best else None


def _nearer(best: tuple[int, Mention] | None, m: Mention, start: int, end: int) -> tuple[int, Mention]:
    """(distance, mention) of the nearer to text[start:end] of `best` and `m` (the first on a tie)."""
    distance = start - m.end if m.end <= start else max(0, m.start - end)
    return (distance, m) if best is None or distance < best[0] else best


def _site(doc: _Doc, start: int, end: int) -> str | None:
    low, high = doc.window(start, end)
    i = bisect.bisect_left(doc.sites, (low, -1))
    found = []
    while i < len(doc.sites) and doc.sites[i][1] <= high:
        found.append(doc.sites[i])
        i += 1
    if not found:
        return None
    return min(found, key=lambda m: start - m[1] if m[1] <= start else max(0, m[0] - end))[2]


#: Between an organisation and the verb it is the subject of ('The Drug Control Agency (DCA) has seized',
#: "the agency's officers seized", 'the Border Service said its guards had seized').
_SUBJECT_GAP = re.compile(
    r"(?:['’]s)?(?:[ \t]*\([^()\n]{1,12}\))?"
    r"(?:[ \t]+(?:officers|officials|agents|troops|guards|forces|staff|units|personnel|teams?|investigators"
    r"|detectives|operatives|border[ \t]+guards|border[ \t]+troops))?"
    r"(?:[ \t]+said[ \t]+(?:it|they|its[ \t]+\w+|their[ \t]+\w+))?"
    r"(?:[ \t]+(?:have|has|had|also|reportedly|recently|jointly|successfully|on[ \t]+[A-Z][a-z]+)){0,3}[ \t]+",
)
#: Between a passive verb (or a seized amount) and the organisation after 'by'.
_BY_GAP = re.compile(
    r"[ \t]+by[ \t]+(?:the[ \t]+)?(?:(?:officers|officials|agents|troops|guards|forces|staff|members)[ \t]+of[ \t]+"
    r"(?:the[ \t]+)?)?"
)


def _subject(doc: _Doc, offset: int) -> Mention | None:
    """The organisation that is the subject of the verb at `offset`."""
    org = doc.ending_before(ORGANIZATION, offset, reach=80)
    if org is not None and _SUBJECT_GAP.fullmatch(doc.text, org.end, offset):
        return org
    return None


def _by(doc: _Doc, offset: int) -> Mention | None:
    """The organisation named after 'by' at `offset`."""
    match = _BY_GAP.match(doc.text, offset)
    return doc.starting_at(ORGANIZATION, match.end()) if match else None


#: Between two persons of a list ('Ali Karimov, 34, and his brother Daler Karimov').
_PERSON_LIST = re.compile(
    r"(?:[ \t]*\([^()\n]{1,40}\))?(?:[ \t]*,[^,;.()\n]{1,60})?[ \t]*"
    r"(?:,[ \t]*(?:and[ \t]+|as[ \t]+well[ \t]+as[ \t]+)?|and[ \t]+|as[ \t]+well[ \t]+as[ \t]+|&[ \t]+)"
    r"(?:(?:his|her|their|the)[ \t]+(?:[a-z-]+[ \t]+){0,2})?"
)
_POSSESSIVE_AFTER = re.compile(r"['’]s?(?![\w])")


def _persons_after(doc: _Doc, first: Mention) -> list[Mention]:
    """`first` and the persons listed after it."""
    found = [first]
    while len(found) < 12:
        nxt = [m for m in doc.between(PERSON, found[-1].end, found[-1].end + 120) if m.start >= found[-1].end]
        if not nxt or not _PERSON_LIST.fullmatch(doc.text, found[-1].end, nxt[0].start):
            break
        found.append(nxt[0])
    return [m for m in found if not _POSSESSIVE_AFTER.match(doc.text, m.end)]


def _persons_before(doc: _Doc, last: Mention) -> list[Mention]:
    """`last` and the persons listed before it, in text order."""
    found = [last]
    while len(found) < 12:
        previous = doc.ending_before(PERSON, found[0].start, reach=100)
        if previous is None or not _PERSON_LIST.fullmatch(doc.text, previous.end, found[0].start):
            break
        found.insert(0, previous)
    return [m for m in found if not _POSSESSIVE_AFTER.match(doc.text, m.end)]


#: Between a subject and its (passive) verb: an apposition, a relative 'who', an auxiliary, adverbs.
_ADVERBS = r"(?:[a-z]+ly|also|later|then|all|both|soon|subsequently|eventually|quickly|reportedly)"
_SUBJECT_TO_VERB = re.compile(
    r"(?:[ \t]*\([^()\n]{1,40}\))?(?:[ \t]*,[^,;.()\n]{1,80},)?(?:[ \t]*,?[ \t]+who)?"
    rf"(?:[ \t]*,)?(?:[ \t]+{_ADVERBS}){{0,2}}[ \t]+(?:(?:was|were|is|are|got|(?:has|have|had)[ \t]+been|being)"
    rf"(?:[ \t]+{_ADVERBS}){{0,2}}[ \t]+)?$"
)
_AUXILIARY = re.compile(
    rf"(?<![\w-])(?:was|were|is|are|got|been|being)(?:[ \t]+{_ADVERBS}){{0,2}}[ \t]+$", re.IGNORECASE
)


def _passive(doc: _Doc, offset: int) -> bool:
    return _AUXILIARY.search(doc.text, max(0, offset - 60), offset) is not None


def _subjects(doc: _Doc, offset: int, gap: re.Pattern) -> list[Mention]:
    """The persons that are the subject of the verb at `offset` ('Ali Karimov and Daler Nazarov were')."""
    last = doc.ending_before(PERSON, offset, reach=140)
    if last is None or not gap.match(doc.text[last.end : offset]):
        return []
    return _persons_before(doc, last)


# --- seizures -------------------------------------------------------------------------------------------

_SEIZE_VERB = re.compile(
    r"(?<![\w-])(?:seiz(?:ed|es|e|ing)|confiscat(?:ed|es|e|ing)|intercept(?:ed|s|ing)?|impound(?:ed|s|ing)?"
    r"|recover(?:ed|s|ing)?|f(?:ou|i)nds?|discover(?:ed|s)?|uncover(?:ed|s)?|netted|nabbed|captur(?:ed|es|e))"
    r"(?![\w-])",
    re.IGNORECASE,
)
_SEIZE_NOUN = re.compile(
    r"(?<![\w-])(?:seizures?|confiscation|interception|recovery|discovery)[ \t]+of[ \t]+", re.IGNORECASE
)
_HAUL_AFTER = re.compile(r"[ \t]+(?:haul|seizure|bust)(?![\w-])", re.IGNORECASE)
#: Between a seizing verb and the first amount it took ('seized a truck carrying 212 kg').
_TO_AMOUNT = re.compile(r"[^.;:!?()\n]{0,60}")
_NOT_TO_AMOUNT = re.compile(
    r"(?<![\w-])(?:who|which|that|after|before|when|while|because|but|said|says|told|according|weigh(?:ed|s)"
    r"|totall?ed|was|were|is|are|and[ \t]+[a-z]+ed)(?![\w-])",
    re.IGNORECASE,
)
#: Between two amounts of one seizure ('212 kg of heroin, 40 kg of opium and 5 kg of hashish').
_AMOUNT_LIST = re.compile(
    r"[ \t]*(?:,[ \t]*)?(?:(?:and|as[ \t]+well[ \t]+as|plus|along[ \t]+with|together[ \t]+with)[ \t]+)?"
)
#: Between a seized amount and its passive verb ('212 kg of heroin, hidden in a truck, were').
_AMOUNT_TO_VERB = re.compile(
    r"[ \t]*(?:,[^,;.()\n]{1,80},[ \t]*)?(?:(?:shipment|consignment|cargo|haul|batch|stash|parcel|package|load)s?"
    r"[ \t]+)?(?:(?:has|have|had)[ \t]+)?"
)
#: After the amounts: the persons they were taken from.
_FROM_PERSON = re.compile(
    r"[^.;:!?\n]{0,60}?(?<![\w-])(?:from|belonging[ \t]+to|in[ \t]+the[ \t]+possession[ \t]+of|owned[ \t]+by"
    r"|carried[ \t]+by)[ \t]+(?:(?:the|a|an)[ \t]+)?(?:[a-z-]+[ \t]+){0,3}?$"
)


def _seizures(doc: _Doc) -> Iterator[Event]:
    text = doc.text
    amounts = find_amounts(text)
    ends = [a.end for a in amounts]
    starts = [a.start for a in amounts]
    used: set[int] = set()

    def amount_at(offset: int) -> int | None:
        i = bisect.bisect_left(starts, offset)
        return i if i < len(amounts) and starts[i] == offset else None

    def chain_after(i: int) -> list[int]:
        chain = [i]
        while chain[-1] + 1 < len(amounts) and _AMOUNT_LIST.fullmatch(
            text, amounts[chain[-1]].end, amounts[chain[-1] + 1].start
        ):
            chain.append(chain[-1] + 1)
        return chain

    def chain_before(i: int) -> list[int]:
        chain = [i]
        while chain[0] > 0 and _AMOUNT_LIST.fullmatch(text, amounts[chain[0] - 1].end, amounts[chain[0]].start):
            chain.insert(0, chain[0] - 1)
        return chain

    found: list[tuple[int, int, list[int], bool, Mention | None]] = []  # trigger span, amounts, passive, agency
    for match in _SEIZE_NOUN.finditer(text):
        i = amount_at(match.end())
        if i is not None:
            chain = chain_after(i)
            agency = _by(doc, amounts[chain[-1]].end) or _announcer(doc, match.start())
            found.append((match.start(), match.end(), chain, False, agency))
    for i, amount in enumerate(amounts):
        haul = _HAUL_AFTER.match(text, amount.end)
        if haul:
            found.append((haul.start() + 1, haul.end(), [i], False, _by(doc, haul.end())))
    for match in _SEIZE_VERB.finditer(text):
        if _passive(doc, match.start()):
            aux = _AUXILIARY.search(text, max(0, match.start() - 60), match.start())
            j = bisect.bisect_right(ends, aux.start()) - 1
            if j < 0 or not _AMOUNT_TO_VERB.fullmatch(text, amounts[j].end, aux.start()):
                continue
            found.append((match.start(), match.end(), chain_before(j), True, _by(doc, match.end())))
        else:
            j = bisect.bisect_left(starts, match.end())
            if j >= len(amounts) or amounts[j].start - match.end() > 60:
                continue
            if not _TO_AMOUNT.fullmatch(text, match.end(), amounts[j].start):
                continue
            if _NOT_TO_AMOUNT.search(text, match.end(), amounts[j].start):
                continue
            found.append((match.start(), match.end(), chain_after(j), False, _subject(doc, match.start())))

    for t_start, t_end, chain, _passive_voice, agency in sorted(found, key=lambda f: f[0]):
        chosen = [i for i in chain if i not in used]
        if not chosen:
            continue
        first = amounts[chain[0]]
        if _doubted(doc, min(t_start, first.start)):
            continue
        if doc.any_between(doc.totals, *doc.window(t_start, t_end)):
            continue
        suspects = _suspects(doc, amounts[chain[-1]].end)
        for i in chosen:
            used.add(i)
            yield _seizure(doc, t_start, t_end, amounts[i], agency, suspects)


def _announcer(doc: _Doc, offset: int) -> Mention | None:
    """'The Drug Control Agency announced the seizure of': the organisation announcing its seizure."""
    org = doc.ending_before(ORGANIZATION, offset, reach=60)
    if org is None:
        return None
    gap = doc.text[org.end : offset]
    if re.fullmatch(
        r"(?:[ \t]*\([^()\n]{1,12}\))?[ \t]+(?:announced|reported|confirmed)[ \t]+(?:the|a)[ \t]+"
        r"(?:record[ \t]+)?",
        gap,
    ):
        return org
    return None


def _suspects(doc: _Doc, offset: int) -> list[Mention]:
    for person in doc.between(PERSON, offset, offset + 100):
        if _FROM_PERSON.fullmatch(doc.text, offset, person.start):
            return _persons_after(doc, person)
    return []


def _seizure(
    doc: _Doc, t_start: int, t_end: int, amount: DrugAmount, agency: Mention | None, suspects: list[Mention]
) -> Event:
    start, end = min(t_start, amount.start), max(t_end, amount.end)
    return _event(
        doc,
        DRUG_SEIZURE,
        start,
        end,
        agency,
        [Participant(p, SUSPECT) for p in suspects],
        site=_site(doc, start, end),
        substance=amount.substance,
        substance_text=amount.substance_text,
        quantity=amount.quantity,
        unit=amount.unit,
        approximate=amount.approximate,
        amount=amount.text,
    )


def _with_suspects(seizure: Event, others: list[Event]) -> Event:
    """A seizure gains as suspects the persons arrested or fleeing in its sentence (`others`)."""
    have = {p.mention for p in seizure.participants}
    added = [
        Participant(p.mention, SUSPECT)
        for other in others
        for p in other.participants
        if p.role in (ARRESTED, ESCAPED) and p.mention not in have
    ]
    return replace(seizure, participants=seizure.participants + tuple(dict.fromkeys(added))) if added else seizure


# --- arrests, detentions and escapes -------------------------------------------------------------------

_CUSTODY = re.compile(
    r"(?<![\w-])(?:(?P<verb>(?i:arrested|detained|apprehended))(?![\w-])"
    r"|(?P<custody>taken[ \t]+into[ \t]+custody)(?![\w-])"
    r"|(?P<noun>(?i:arrest|detention|apprehension))[ \t]+of[ \t]+(?:(?:the|a|an)[ \t]+)?(?:[a-z-]+[ \t]+){0,3}?"
    r"(?=[A-Z]))",
)
_POSSESSED_CUSTODY = re.compile(r"['’]s?[ \t]+(?:recent[ \t]+|subsequent[ \t]+)?(?P<noun>arrest|detention)(?![\w-])")
_KIND = {"arrest": ARREST, "apprehen": ARREST, "detain": DETENTION, "detenti": DETENTION, "taken in": DETENTION}
#: After an active custody verb: where its object ends.
_OBJECT_END = re.compile(
    r"[.;:!?\n]|(?<![\w-])(?:who|whom|which|that|after|before|because|while|when|whereas|but|although|said|says"
    r"|told|for|on[ \t]+suspicion|in[ \t]+connection|on[ \t]+charges|accused|suspected|charged|over|from|near|in"
    r"|at|on|with)(?![\w-])",
    re.IGNORECASE,
)
_ALONG_WITH = re.compile(
    r"[ \t]+(?:along|together)[ \t]+with[ \t]+(?:(?:his|her|their|the)[ \t]+(?:[a-z-]+[ \t]+){0,2})?"
)
_ESCAPE = re.compile(
    r"(?<![\w-])(?:(?P<past>escaped|fled|absconded|slipped[ \t]+away|ran[ \t]+away|broke[ \t]+out)"
    r"|(?P<base>escape|flee))(?![\w-])",
    re.IGNORECASE,
)
_ABLE = re.compile(r"(?:managed|was[ \t]+able|were[ \t]+able)[ \t]+to[ \t]+$", re.IGNORECASE)
_ESCAPE_SUBJECT = re.compile(
    r"(?:[ \t]*\([^()\n]{1,40}\))?(?:[ \t]*,[^,;.()\n]{1,80},)?(?:[ \t]*,?[ \t]+who)?"
    rf"(?:[ \t]*,)?(?:[ \t]+(?:had|has|have|{_ADVERBS})){{0,3}}"
    r"(?:[ \t]+(?:managed|was[ \t]+able|were[ \t]+able)[ \t]+to)?[ \t]+$"
)
#: After an escape verb: the way to the place fled towards.
_TOWARDS = re.compile(
    r"[ \t]+(?:(?:back|abroad|across[ \t]+the[ \t]+(?:border|river|frontier)|over[ \t]+the[ \t]+border)[ \t]+)?"
    r"(?:towards?|to|into|in[ \t]+the[ \t]+direction[ \t]+of)[ \t]+(?:the[ \t]+)?"
    r"(?:(?:neighbouring|neighboring|" + _DIRECTION + r")[ \t]+)?",
    re.IGNORECASE,
)
_FROM_CUSTODY = re.compile(
    r"[ \t]+(?:from[ \t]+(?:a[ \t]+|the[ \t]+|police[ \t]+)?(?:[a-z-]+[ \t]+){0,2}?(?:custody|prison|jail|detention"
    r"|colony|convoy|court|police)|arrest|capture|custody)(?![\w-])",
    re.IGNORECASE,
)


def _custody(doc: _Doc) -> Iterator[Event]:
    text = doc.text
    for match in _CUSTODY.finditer(text):
        kind = next(k for prefix, k in _KIND.items() if match.group().lower().startswith(prefix))
        agency = None
        if match["noun"]:
            first = doc.starting_at(PERSON, match.end())
            persons = _persons_after(doc, first) if first else []
            if persons:
                agency = _by(doc, persons[-1].end)
        elif _passive(doc, match.start()) or match["custody"]:
            persons = _subjects(doc, match.start(), _SUBJECT_TO_VERB)
            along = _ALONG_WITH.match(text, match.end())
            if persons and along and (more := doc.starting_at(PERSON, along.end())):
                persons += _persons_after(doc, more)
            agency = _by(doc, match.end())
        else:
            stop = _OBJECT_END.search(text, match.end(), min(len(text), match.end() + 160))
            end = stop.start() if stop else min(len(text), match.end() + 160)
            first = next(iter(doc.between(PERSON, match.end(), end)), None)
            persons = _persons_after(doc, first) if first else []
            persons = [p for p in persons if p.start < end or p is persons[0]]
            agency = _subject(doc, match.start())
        if not persons or _doubted(doc, min(match.start(), persons[0].start)):
            continue
        yield _custody_event(
            doc,
            kind,
            min(match.start(), persons[0].start),
            max(match.end(), persons[-1].end),
            persons,
            agency,
            ARRESTED,
        )
    for person in doc.by_kind[PERSON][1]:
        possessed = _POSSESSED_CUSTODY.match(text, person.end)
        if possessed is None or re.match(r"[ \t]+warrant", text[possessed.end() : possessed.end() + 12]):
            continue
        if _doubted(doc, person.start):
            continue
        kind = ARREST if possessed["noun"] == "arrest" else DETENTION
        yield _custody_event(doc, kind, person.start, possessed.end(), [person], None, ARRESTED)


def _custody_event(
    doc: _Doc, kind: str, start: int, end: int, persons: list[Mention], agency: Mention | None, role: str
) -> Event:
    return _event(doc, kind, start, end, agency, [Participant(p, role) for p in persons])


def _event(
    doc: _Doc, kind: str, start: int, end: int, agency: Mention | None, others: list[Participant], **details
) -> Event:
    """An event over text[start:end], with its agency first, then `others`, at the place and on the
    date nearest to it."""
    participants = ([Participant(agency, AGENCY)] if agency else []) + others
    return Event(
        kind,
        start,
        end,
        doc.text[start:end],
        participants=tuple(participants),
        place=_place(doc, start, end),
        date=_date(doc, start, end),
        **details,
    )


def _escapes(doc: _Doc) -> Iterator[Event]:
    text = doc.text
    for match in _ESCAPE.finditer(text):
        if match["base"] and not _ABLE.search(text, max(0, match.start() - 30), match.start()):
            continue
        persons = _subjects(doc, match.start(), _ESCAPE_SUBJECT)
        if not persons or _doubted(doc, persons[0].start) or _doubted(doc, match.start()):
            continue
        direction = None
        towards = _TOWARDS.match(text, match.end())
        if towards is not None:
            direction = doc.starting_at(LOCATION, towards.end())
        if direction is None and not _FROM_CUSTODY.match(text, match.end()):
            continue  # 'escaped unhurt', 'fled the scene': no escape from the law the text makes clear
        start = persons[0].start
        end = direction.end if direction is not None else match.end()
        event = _custody_event(doc, ESCAPE, start, end, persons, None, ESCAPED)
        yield replace(
            event, direction=direction, place=_place(doc, start, end, exclude=[direction] if direction else [])
        )


# --- positions ------------------------------------------------------------------------------------------

_ORG_TITLES = (
    "chairman|chairwoman|chairperson|chair|director[ -]general|director|head|chief|commander|spokesman"
    "|spokeswoman|spokesperson|press[ \t]+secretary|secretary[ -]general|secretary|vice[ -]president|president"
    "|leader|co-founder|founder|coordinator|chief[ \t]+executive(?:[ \t]+officer)?|ceo|chief[ \t]+of[ \t]+staff"
    "|commissioner|minister|governor|inspector[ -]general|prosecutor[ -]general|rector|ambassador"
)
_MODIFIERS = "deputy|first[ \t]+deputy|acting|interim|vice|first|senior|assistant|executive|chief"
_TITLE = rf"(?P<title>(?:(?:{_MODIFIERS})[ \t]+){{0,2}}(?:{_ORG_TITLES}))"
#: Ranks: full words or abbreviations, capitalised.
_RANK_WORDS = {
    "gen": "General",
    "lt gen": "Lieutenant General",
    "maj gen": "Major General",
    "brig gen": "Brigadier General",
    "brig": "Brigadier",
    "col": "Colonel",
    "lt col": "Lieutenant Colonel",
    "maj": "Major",
    "capt": "Captain",
    "lt": "Lieutenant",
    "sgt": "Sergeant",
    "adm": "Admiral",
    "cmdr": "Commander",
}
_RANK = (
    r"(?P<rank>(?:Police[ \t]+|Army[ \t]+)?(?:(?:Lieutenant|Major|Brigadier)[ \t]+General|General"
    r"|Lieutenant[ \t]+Colonel|Colonel|Major|Captain|Lieutenant|Sergeant|(?:Vice|Rear)[ \t]+Admiral|Admiral|Marshal"
    r"|(?:Lt|Maj|Brig)\.?[ \t-]*Gen\.?|Gen\.|Lt\.?[ \t-]*Col\.?|Col\.|Maj\.|Capt\.|Lt\.|Sgt\.|Adm\.|Cmdr\.))"
)
#: Titles whose organisation may be inferred from the sentence or the one before; others name their own
#: institution ('Interior Minister', 'Governor').
_INFERABLE = re.compile(
    r"(?:chairman|chairwoman|chairperson|chair|director|head|chief|commander|spokes(?:man|woman|person)"
    r"|secretary|coordinator|leader)$",
    re.IGNORECASE,
)
#: A capitalised word right before a title, which says whose title it is ('Interior Minister', 'Tajik deputy').
_QUALIFIED = re.compile(r"(?<![\w'’-])(?!(?:The|A|An|Its|Their|His|Her|Our)[ \t])[A-Z][\w'’-]*[ \t]+$")
_RANK_BEFORE = re.compile(rf"(?<![\w.-]){_RANK}[ \t]+$")
_TITLE_BEFORE = re.compile(rf"(?<![\w-]){_TITLE}[ \t]*,?[ \t]+$", re.IGNORECASE)
_TITLE_OF_BEFORE = re.compile(rf"(?<![\w-]){_TITLE}[ \t]+(?:of|at)[ \t]+(?:the[ \t]+)?$", re.IGNORECASE)
_FORMER = re.compile(r"(?<![\w-])(?:former|ex|then|late|outgoing|retired|sacked|dismissed|ousted)[ \t-]+$", re.I)
_OWNER_GAP = re.compile(r"(?:['’]s)?[ \t]+")
_OF_AFTER = re.compile(r"[ \t]*,?[ \t]+(?:of|at|from)[ \t]+(?:the[ \t]+)?")
_APPOSITION = re.compile(
    rf"[ \t]*,[ \t]+(?:(?:the|a|an)[ \t]+)?(?:{_RANK}[ \t]+(?:and[ \t]+)?)?{_TITLE}[ \t]+(?:of|at|for|in)[ \t]+"
    r"(?:the[ \t]+)?",
    re.IGNORECASE,
)


def _positions(doc: _Doc) -> Iterator[Event]:
    text = doc.text
    for person in doc.by_kind[PERSON][1]:
        offset, rank = person.start, None
        if m := _RANK_BEFORE.search(text, max(0, offset - 30), offset):
            offset, rank = m.start(), m["rank"]
        title, org, start, attached = None, None, offset, True
        if m := _TITLE_BEFORE.search(text, max(0, offset - 60), offset):
            title, start = m["title"], m.start()
            owner = doc.ending_before(ORGANIZATION, m.start(), reach=4)
            if owner is not None and _OWNER_GAP.fullmatch(text, owner.end, m.start()):
                org = owner  # "the State Committee's deputy chairman", 'FSB Director'
            elif (after := _OF_AFTER.match(text, person.end)) and (found := doc.starting_at(ORGANIZATION, after.end())):
                org = found  # 'Deputy chairman Col. Rustam Nazarov of the State Committee'
            elif _INFERABLE.search(title) and not _QUALIFIED.search(text, max(0, m.start() - 40), m.start()):
                org, attached = _organisation_around(doc, person, m.start()), False
        elif (owner := doc.ending_before(ORGANIZATION, offset, reach=3)) and re.fullmatch(
            r"[ \t]*,?[ \t]*", text[owner.end : offset]
        ):
            if m := _TITLE_OF_BEFORE.search(text, max(0, owner.start - 80), owner.start):
                title, org, start = m["title"], owner, m.start()  # 'Deputy Chairman of the X Col. Rustam Nazarov'
        if title is None and (m := _APPOSITION.match(text, person.end)):
            found = doc.starting_at(ORGANIZATION, m.end())
            if found is not None:  # 'Rustam Nazarov, deputy chairman of the X'
                title, org, start = m["title"], found, offset
                rank = rank or m["rank"]
        if title is None or org is None or _FORMER.search(text, max(0, start - 20), start) or _doubted(doc, start):
            continue
        role = role_name(" ".join(title.split()))
        if role is None:
            continue
        if attached:
            start, end = min(start, org.start), max(person.end, org.end)
        else:
            end = person.end
        yield Event(
            POSITION,
            start,
            end,
            text[start:end],
            participants=(Participant(person, HOLDER), Participant(org, EMPLOYER)),
            role=role,
            rank=_rank_name(rank) if rank else None,
        )


def _organisation_around(doc: _Doc, person: Mention, title_start: int) -> Mention | None:
    """The one organisation of the person's sentence, named before the title; when the sentence names
    none, the one of the sentence before."""
    low, high = doc.sentence(person.start)
    here = doc.between(ORGANIZATION, max(low, title_start - _WINDOW), min(high, person.end + _WINDOW))
    if here:
        before = {m.value for m in here if m.end <= title_start}
        if len({m.value for m in here}) == 1 and before:
            return max((m for m in here if m.end <= title_start), key=lambda m: m.end)
        return None
    if low == 0:
        return None
    p_low, p_high = doc.sentence(low - 1)
    there = doc.between(ORGANIZATION, max(p_low, p_high - 2 * _WINDOW), p_high)
    if len({m.value for m in there}) == 1:
        return there[-1]
    return None


def _rank_name(rank: str) -> str:
    key = " ".join(rank.replace(".", " ").replace("-", " ").lower().split())
    key = key.removeprefix("police ").removeprefix("army ")
    return _RANK_WORDS.get(key) or " ".join(w.capitalize() for w in key.split())


# --- repeats --------------------------------------------------------------------------------------------


def _seizure_key(event: Event) -> tuple:
    return (event.substance, event.quantity, event.unit)


def _persons_key(event: Event) -> tuple:
    return (event.kind, frozenset(m.value for p in event.participants if p.role != AGENCY for m in [p.mention]))


def _position_key(event: Event) -> tuple:
    return (event.having(HOLDER)[0].value, event.having(EMPLOYER)[0].value, event.role)


def _merged(events: list[Event], key) -> list[Event]:
    """One event per key (an article repeats its seizure in the headline, the lead and later): the
    first, its empty slots filled from the later ones."""
    kept: dict[tuple, Event] = {}
    for event in sorted(events, key=lambda e: e.start):
        k = key(event)
        first = kept.get(k)
        if first is None:
            kept[k] = event
            continue
        filled = {
            name: getattr(event, name)
            for name in ("place", "date", "site", "direction", "rank")
            if getattr(first, name) is None and getattr(event, name) is not None
        }
        have = {(p.mention.value, p.role) for p in first.participants}
        extra = tuple(p for p in event.participants if (p.mention.value, p.role) not in have)
        if any(p.role in (AGENCY, EMPLOYER) for p in first.participants):
            extra = tuple(p for p in extra if p.role not in (AGENCY, EMPLOYER))
        if filled or extra:
            kept[k] = replace(first, participants=first.participants + extra, **filled)
    return list(kept.values())
