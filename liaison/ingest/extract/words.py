"""The word index and the word lists that the people and organisation rules share.

Both families walk the same words of a text (`Words`) and stop at the same words: sentence openers,
joining words, organisation heads and the capitalised words that never belong to a person's name.
They live here, below both families, so that neither family imports the other.
"""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass

from liaison.ingest.extract import gazetteer
from liaison.ingest.extract.gazetteer.words import FUNCTION_WORDS, SENTENCE_WORDS
from liaison.ingest.extract.titles import TITLES

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
CONNECTORS = frozenset({"of", "for", "on", "against", "and", "the", "de", "du", "des", "la", "al", "el"})
PREFIXED = re.compile(r"(?:al|el|ad|as|ash|at|az|ud|ul|ur|bin|ibn|abu|ben|wal|wa)-[^\W\d_]", re.IGNORECASE)
CALENDAR = frozenset(calendar.day_name) | frozenset(calendar.month_name[1:]) | frozenset(calendar.month_abbr[1:])
#: Capitalised words that open sentences: pronouns, connectives, days, collective nouns.
OPENERS = (
    SENTENCE_WORDS
    | CALENDAR
    | frozenset(
        """
I He She It We They You Me Him Us Them Who Whom Whose Which What However Meanwhile Moreover Furthermore
According Following Earlier Later Yesterday Today Tomorrow Tonight Officials Authorities Sources
""".split()
    )
)
#: Capitalised words that never start or belong to a person's name.
NOT_NAME = (
    OPENERS
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
_WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?(?:['’]s)?")
POSSESSIVE = re.compile(r"['’]s$")


@dataclass(slots=True)
class Words:
    """The words of a text with their offsets, and whether plain spaces join each to the one before."""

    text: str
    starts: list[int]
    ends: list[int]
    words: list[str]
    joined: list[bool]

    @classmethod
    def of(cls, text: str) -> Words:
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


def capitalised_run(words: Words, i: int, through_possessives: bool = False) -> tuple[int, int] | None:
    """The run of capitalised words (with 'of', 'and'... inside) starting at word i, as (first, last);
    it ends at a possessive ("Pakistan's") unless `through_possessives`."""
    if i >= len(words.words) or not words.words[i][:1].isupper():
        return None
    last = i
    k = i + 1
    while k < len(words.words) and words.joined[k]:
        if not through_possessives and POSSESSIVE.search(words.words[k - 1]):
            break
        word = words.words[k]
        if word[:1].isupper() or PREFIXED.match(word):
            last = k
        elif word not in CONNECTORS:
            break
        k += 1
    return i, last


def org_word(word: str) -> bool:
    place = gazetteer.place_for(word)
    return word in ORG_WORDS or word in ORG_HEADS or (place is not None and place.level != "city")
