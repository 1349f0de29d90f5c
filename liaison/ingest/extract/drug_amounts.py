"""Amounts of drugs written in news text: '212 kg of heroin', '1.2 tonnes of hashish', '3,500
methamphetamine tablets', 'heroin weighing 40 kilograms', 'over 40 kg of raw opium'.

Substances are normalised to the drug-seizure extension's `drug_type` vocabulary (heroin, opium,
morphine, cocaine, methamphetamine, amphetamine, captagon, cannabis, hashish, tramadol, precursors;
plus fentanyl, mdma and ketamine, which the open vocabulary allows); units to its `quantity_unit`
(kg, g, l, units, tablets): tonnes and pounds become kg, millilitres l, pills and capsules tablets.
Generic words ('drugs', 'narcotics') name no substance and give no amount: the extension requires one.
Every pattern is bounded (no nested unbounded repetition), so a hostile text costs linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from liaison.ingest.extract.numbers import NUMBER_WORDS

#: Substance as written (lower case, spaces single) -> drug_type. Longest forms are tried first.
SUBSTANCES: dict[str, str] = {
    "heroin": "heroin",
    "heroine": "heroin",
    "opium": "opium",
    "opium gum": "opium",
    "opium paste": "opium",
    "morphine": "morphine",
    "morphine base": "morphine",
    "cocaine": "cocaine",
    "cocaine hydrochloride": "cocaine",
    "cocaine paste": "cocaine",
    "coca paste": "cocaine",
    "methamphetamine": "methamphetamine",
    "methamphetamines": "methamphetamine",
    "methamphetamine hydrochloride": "methamphetamine",
    "metamfetamine": "methamphetamine",
    "meth": "methamphetamine",
    "crystal meth": "methamphetamine",
    "crystal methamphetamine": "methamphetamine",
    "shabu": "methamphetamine",
    "yaba": "methamphetamine",
    "amphetamine": "amphetamine",
    "amphetamines": "amphetamine",
    "captagon": "captagon",
    "fenethylline": "captagon",
    "cannabis": "cannabis",
    "marijuana": "cannabis",
    "marihuana": "cannabis",
    "ganja": "cannabis",
    "hashish": "hashish",
    "hash": "hashish",
    "charas": "hashish",
    "cannabis resin": "hashish",
    "tramadol": "tramadol",
    "precursors": "precursors",
    "precursor chemicals": "precursors",
    "precursor substances": "precursors",
    "chemical precursors": "precursors",
    "drug precursors": "precursors",
    "acetic anhydride": "precursors",
    "ephedrine": "precursors",
    "pseudoephedrine": "precursors",
    "potassium permanganate": "precursors",
    "safrole": "precursors",
    "fentanyl": "fentanyl",
    "mdma": "mdma",
    "ecstasy": "mdma",
    "ketamine": "ketamine",
}
#: Written unit (lower case) -> (extension unit, factor to it).
_UNITS: dict[str, tuple[str, float]] = {
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "kilogrammes"), ("kg", 1.0)),
    **dict.fromkeys(("g", "gr", "gm", "gram", "grams", "gramme", "grammes"), ("g", 1.0)),
    **dict.fromkeys(("t", "ton", "tons", "tonne", "tonnes", "metric ton", "metric tons"), ("kg", 1000.0)),
    **dict.fromkeys(("lb", "lbs", "pound", "pounds"), ("kg", 0.45359237)),
    **dict.fromkeys(("l", "litre", "litres", "liter", "liters", "ltr"), ("l", 1.0)),
    **dict.fromkeys(("ml", "millilitre", "millilitres", "milliliter", "milliliters"), ("l", 0.001)),
    **dict.fromkeys(("tablet", "tablets", "pill", "pills", "capsule", "capsules"), ("tablets", 1.0)),
    **dict.fromkeys(("ampoule", "ampoules", "ampule", "ampules", "vial", "vials"), ("units", 1.0)),
}
#: One-letter units, read only before 'of' ('1.2 t of hashish'), never alone ('5 g' is kept: 'g' is common).
_BARE_UNITS = frozenset({"t", "l"})
_COUNTS = ("tablet", "tablets", "pill", "pills", "capsule", "capsules")
_WORD_NUMBERS = {
    **NUMBER_WORDS,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "a hundred": 100,
}
_SCALES = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "billion": 1e9}
#: Words before a number that make it an estimate.
_APPROXIMATE = (
    "about|around|approximately|approx\\.|nearly|almost|over|more than|at least|some|roughly|up to|close to"
    "|in excess of|upwards of|an estimated|just over|just under|just below|under"
)
#: Words that may stand between an amount and its substance ('212 kg of pure heroin').
_ADJECTIVES = (
    "pure|raw|high-grade|high grade|high-quality|high quality|uncut|refined|powdered|powder|liquid|compressed"
    "|crack|illicit|illegal|smuggled|suspected|synthetic|afghan|brown|white|black|pressed|counterfeit|fake"
)

_NUMBER = (
    r"(?P<num>\d{1,3}(?:,\d{3}){1,4}(?:\.\d{1,3})?|\d{1,9}(?:\.\d{1,3})?"
    rf"|(?:{'|'.join(sorted(_WORD_NUMBERS, key=len, reverse=True))}))"
)
_SCALE = rf"(?:[ \t]+(?P<scale>{'|'.join(_SCALES)}))?"
_QUALIFIER = rf"(?:(?P<qual>{_APPROXIMATE})[ \t]+)?"


def _alternatives(forms) -> str:
    """A regex alternation of `forms`, longest first, any run of blanks where a form has a space."""
    return "|".join(re.escape(form).replace(r"\ ", "[ \t]+") for form in sorted(forms, key=len, reverse=True))


_UNIT = rf"(?P<unit>{_alternatives(_UNITS)})"
_SUBSTANCE_WORDS = _alternatives(SUBSTANCES)
_SUBSTANCE = rf"(?P<substance>{_SUBSTANCE_WORDS})"
_ADJ = rf"(?:(?:{_ADJECTIVES})[ \t]+){{0,2}}"
#: A conversion in parentheses after the unit (AP style: '212 kilograms (467 pounds) of heroin').
_CONVERSION = r"(?:[ \t]*\([^()\n]{1,40}\))?"
_START = r"(?<![\w.,])"
_END = r"(?![\w-])"

#: '212 kg of heroin', 'over 1.2 tonnes of hashish', '3,500 tablets of methamphetamine', '40 kg heroin'.
_AMOUNT_OF = re.compile(
    rf"{_START}{_QUALIFIER}{_NUMBER}{_SCALE}[ \t]*(?:-[ \t]*)?{_UNIT}(?![\w])(?P<conv>{_CONVERSION})"
    rf"(?P<of>[ \t]+of)?[ \t]+{_ADJ}{_SUBSTANCE}{_END}",
    re.IGNORECASE,
)
#: '3,500 methamphetamine tablets', '1.2 million Captagon pills'.
_COUNTED = re.compile(
    rf"{_START}{_QUALIFIER}{_NUMBER}{_SCALE}[ \t]+{_ADJ}{_SUBSTANCE}[ \t]+(?P<unit>{'|'.join(_COUNTS)}){_END}",
    re.IGNORECASE,
)
#: 'heroin weighing 212 kg', 'hashish weighing a total of 1.2 tonnes'.
_WEIGHING = re.compile(
    rf"(?<![\w-]){_SUBSTANCE}[ \t]+(?:weighing|totall?ing|amounting[ \t]+to|with[ \t]+a[ \t]+total[ \t]+weight[ \t]+of)"
    rf"(?:[ \t]+a[ \t]+total[ \t]+of)?[ \t]+{_QUALIFIER}{_NUMBER}{_SCALE}[ \t]*{_UNIT}{_END}",
    re.IGNORECASE,
)
_PATTERNS = (_AMOUNT_OF, _COUNTED, _WEIGHING)
#: Substances alone: amounts are only looked for around them.
_ANY_SUBSTANCE = re.compile(rf"(?<![\w-])(?:{_SUBSTANCE_WORDS})(?![\w-])", re.IGNORECASE)
#: How far before and after a substance its amount may be written.
_BEFORE, _AFTER = 120, 90


@dataclass(frozen=True, slots=True)
class DrugAmount:
    """An amount of one substance at `text[start:end]`."""

    start: int
    end: int
    text: str
    substance: str  # drug_type vocabulary
    substance_text: str  # as written, lower case ('crystal meth')
    quantity: float  # in `unit`
    unit: str  # kg | g | l | units | tablets
    approximate: bool


def find_amounts(text: str, start: int = 0, end: int | None = None) -> list[DrugAmount]:
    """Every amount of a named drug in `text[start:end]`, in text order, overlapping ones dropped."""
    end = len(text) if end is None else end
    found: list[DrugAmount] = []
    for low, high in _around_substances(text, start, end):
        for pattern in _PATTERNS:
            for match in pattern.finditer(text, low, high):
                whole = pattern.match(text, match.start(), end)  # not cut short by the window's end
                amount = _amount(whole) if whole is not None else None
                if amount is not None:
                    found.append(amount)
    found.sort(key=lambda a: (a.start, a.start - a.end))
    kept: list[DrugAmount] = []
    for amount in found:
        if not kept or amount.start >= kept[-1].end:
            kept.append(amount)
    return kept


def _around_substances(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The stretches of text[start:end] near a substance's name, merged."""
    windows: list[tuple[int, int]] = []
    for match in _ANY_SUBSTANCE.finditer(text, start, end):
        low, high = max(start, match.start() - _BEFORE), min(end, match.end() + _AFTER)
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return windows


def _amount(match: re.Match) -> DrugAmount | None:
    unit_text = " ".join(match["unit"].lower().split())
    if unit_text in _BARE_UNITS and not match.groupdict().get("of"):
        return None
    number = _number(match["num"])
    if number is None or number <= 0:
        return None
    scale = _SCALES.get((match["scale"] or "").lower(), 1.0)
    unit, factor = _UNITS[unit_text]
    quantity = round(number * scale * factor, 3)
    substance_text = " ".join(match["substance"].lower().split())
    return DrugAmount(
        start=match.start(),
        end=match.end(),
        text=match.group(),
        substance=SUBSTANCES[substance_text],
        substance_text=substance_text,
        quantity=quantity,
        unit=unit,
        approximate=bool(match["qual"]),
    )


def _number(written: str) -> float | None:
    word = " ".join(written.lower().split())
    if word in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[word])
    try:
        return float(written.replace(",", ""))
    except ValueError:
        return None
