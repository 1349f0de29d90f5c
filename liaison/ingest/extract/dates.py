"""Dates in a text: absolute ('12 March 2025', '2025-03-12', 'March 2025', 'in 2024') and, given the
article's date, relative ones ('yesterday', 'on Tuesday', 'two days ago', 'last month').

Values are ISO dates cut to their precision: 'YYYY-MM-DD' (day), 'YYYY-MM' (month) or 'YYYY' (year).
Calendar arithmetic only (dateparser is ~100x slower per span). Conventions, for relative forms:
a bare weekday ('on Tuesday') is the latest such day on or before the article date, 'last Tuesday'
the latest one before it, 'next Tuesday' the first one after; 'last week' is the Monday starting the
previous week (attrs approximate=True); a day or month without a year takes the year that puts it
closest to the article date. Ambiguous numeric dates ('03/04/2025') are skipped.

A day word is a date only where the text means a day: 'today's situation', 'the Taliban of today'
and 'USA Today' are not ('today's attack' and 'as of today' are); nor is a weekday in 'every
Friday' or 'Black Friday'. `find_dateline` reads the article's own date from its first lines: a
dateline ('DUSHANBE, 14 March 2025 —', 'KABUL, March 14, 2025 (Reuters) —', 'LONDON 1996-08-22')
or a 'Published: …' / 'Updated …' line.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import NamedTuple

from liaison.ingest.extract.mentions import DATE, Mention
from liaison.ingest.extract.numbers import NUMBER_WORDS

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_NUMBERS = {"a": 1, "an": 1, **NUMBER_WORDS, "a couple of": 2, "a few": 3}
_COUNT = r"(?P<count>\d{1,3}|a couple of|a few|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"

_ISO = re.compile(r"\b(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})\b")
_DOTTED = re.compile(r"\b(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})\b")
_SLASHED = re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4})\b")
_DAY_MONTH = re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}(?!\d)(?:,?\s+{_YEAR})?\b(?!:)")
_MONTH_YEAR = re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b")
_BARE_MONTH = re.compile(
    rf"\b(?:(?:in|since|during|until|till|by|from|early|late|the end of|the beginning of)\s+|mid-)"
    rf"{_MONTH}(?![\w-])(?!\s+\d)",
    re.IGNORECASE,
)
_BARE_YEAR = re.compile(
    rf"\b(?:(?:in|since|during|until|till|by|from|before|after|early|late|mid|throughout|the year|"
    rf"the end of|the beginning of|the start of)\s+|mid-){_YEAR}\b(?![-/.]\d)",
    re.IGNORECASE,
)
_DAY_WORD = re.compile(
    r"\b(?P<word>the day before yesterday|yesterday|today|tonight|tomorrow|last night|this morning|"
    r"this afternoon|this evening)\b",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(
    r"\b(?:(?P<which>(?i:last|this|next|past))\s+)?"
    r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
)
_AGO = re.compile(rf"\b{_COUNT}\s+(?P<unit>day|week|month|year)s?\s+ago\b", re.IGNORECASE)
_PERIOD = re.compile(
    r"(?<!\bthe )\b(?P<which>last|this|next|earlier\s+this|later\s+this)\s+(?P<unit>week|weekend|month|year)\b",
    re.IGNORECASE,
)
_PERIOD_OFFSETS = {"last": -1, "this": 0, "earlier this": 0, "later this": 0, "next": 1}
#: What 'today's …', 'yesterday's …' name when they mean that day: events, not states of affairs.
_EVENTS = frozenset(
    "attack attacks raid raids blast blasts explosion explosions bombing bombings shooting shootings clash clashes "
    "fighting strike strikes airstrike airstrikes vote voting election elections poll referendum meeting meetings "
    "talks summit session sessions hearing hearings trial verdict ruling sentencing decision announcement "
    "statement statements briefing conference press speech address ceremony funeral visit visits protest protests "
    "rally rallies march demonstration operation operations seizure seizures arrest arrests detention incident "
    "incidents ambush assault offensive ceasefire deadline launch match game race edition paper report reports "
    "decree order sitting debate negotiations exchange handover release".split()
)
#: Words before a weekday that make it a name ('Black Friday', 'Bloody Sunday').
_WEEKDAY_NAMES = frozenset("black good bloody holy super cyber ash palm easter maundy shrove blue giving".split())
_POSSESSIVE = re.compile(r"['’]s\s+(?P<first>[\w-]+)(?:\s+(?P<second>[\w-]+))?")
_OF_BEFORE = re.compile(r"(?<!\bas )\bof\s+$", re.IGNORECASE)
_EVERY_BEFORE = re.compile(r"\b(?:every|each)\s+$", re.IGNORECASE)
_NAME_BEFORE = re.compile(r"(?P<word>[A-Z][\w&.\-]*)[ \t]+$")


class _Found(NamedTuple):
    start: int
    end: int
    value: str | None  # None: not a date after all, but its span is not read any other way
    precision: str
    relative: bool
    approximate: bool = False


def find_dates(text: str, published: dt.date | None = None) -> list[Mention]:
    """Every date in `text`; relative ones ('yesterday') only when the article date is known."""
    found = [*_absolute(text, published)]
    if published is not None:
        found += _relative(text, published)
    found.sort(key=lambda f: (f.start - f.end, f.start))
    taken = bytearray(len(text))
    mentions = []
    for f in found:
        if not any(taken[f.start : f.end]):
            taken[f.start : f.end] = b"\x01" * (f.end - f.start)
            if f.value is None:
                continue
            attrs = {"precision": f.precision}
            if f.relative:
                attrs["relative"] = True
            if f.approximate:
                attrs["approximate"] = True
            mentions.append(Mention(DATE, f.start, f.end, text[f.start : f.end], f.value, attrs))
    return sorted(mentions, key=lambda m: m.start)


def _absolute(text: str, published: dt.date | None):
    for match in _ISO.finditer(text):
        yield from _day(match, int(match["year"]), int(match["month"]), int(match["day"]))
    for match in _DOTTED.finditer(text):
        yield from _day(match, int(match["year"]), int(match["month"]), int(match["day"]))
    for match in _SLASHED.finditer(text):
        a, b = int(match["a"]), int(match["b"])
        if (a > 12) != (b > 12):  # one reading only: 25/03/2025 or 03/25/2025
            day, month = (a, b) if a > 12 else (b, a)
            yield from _day(match, int(match["year"]), month, day)
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(text):
            month, day = _MONTHS[match["month"].rstrip(".").lower()], int(match["day"])
            if match["year"]:
                yield from _day(match, int(match["year"]), month, day)
            elif published is not None:
                year = _closest_year(published, lambda y, month=month, day=day: _safe_date(y, month, day))
                if year is not None:
                    yield _Found(*match.span(), _iso(year, month, day), "day", relative=True)
    for match in _MONTH_YEAR.finditer(text):
        month = _MONTHS[match["month"].rstrip(".").lower()]
        yield _Found(*match.span(), _iso(int(match["year"]), month), "month", relative=False)
    for match in _BARE_YEAR.finditer(text):
        yield _Found(*match.span("year"), match["year"], "year", relative=False)
    if published is not None:
        for match in _BARE_MONTH.finditer(text):
            if not match["month"][0].isupper():
                continue
            month = _MONTHS[match["month"].rstrip(".").lower()]
            year = _closest_year(published, lambda y, month=month: dt.date(y, month, 15))
            yield _Found(*match.span("month"), _iso(year, month), "month", relative=True)


def _relative(text: str, published: dt.date):
    for match in _DAY_WORD.finditer(text):
        if not _means_a_day(text, match):
            yield _Found(*match.span(), None, "day", relative=True)
            continue
        word = match["word"].lower()
        shift = {"the day before yesterday": -2, "yesterday": -1, "last night": -1, "tomorrow": 1}.get(word, 0)
        yield _Found(*match.span(), (published + dt.timedelta(days=shift)).isoformat(), "day", relative=True)
    for match in _WEEKDAY.finditer(text):
        before = text[max(0, match.start() - 20) : match.start()]
        named = _NAME_BEFORE.search(before)
        if _EVERY_BEFORE.search(before) or (named and named["word"].lower() in _WEEKDAY_NAMES):
            yield _Found(*match.span(), None, "day", relative=True)
            continue
        which = (match["which"] or "").lower()
        back = (published.weekday() - _WEEKDAYS[match["weekday"].lower()]) % 7
        if which in ("last", "past"):
            day = published - dt.timedelta(days=back or 7)
        elif which == "next":
            day = published + dt.timedelta(days=(7 - back) % 7 or 7)
        else:
            day = published - dt.timedelta(days=back)
        yield _Found(*match.span(), day.isoformat(), "day", relative=True)
    for match in _AGO.finditer(text):
        count = _NUMBERS.get(match["count"].lower()) or int(match["count"])
        unit = match["unit"].lower()
        yield _Found(
            *match.span(),
            *_shifted(published, unit, -count),
            relative=True,
            approximate=unit == "week" or match["count"].lower() == "a few",
        )
    for match in _PERIOD.finditer(text):
        offset = _PERIOD_OFFSETS[" ".join(match["which"].lower().split())]
        unit = match["unit"].lower()
        if unit == "weekend":
            saturday = published - dt.timedelta(days=(published.weekday() - 5) % 7)  # latest, or today
            if published.weekday() < 5:  # on a weekday 'this weekend' is the coming one
                saturday += dt.timedelta(days=7)
            saturday += dt.timedelta(weeks=offset)
            yield _Found(*match.span(), saturday.isoformat(), "day", relative=True, approximate=True)
        elif unit == "week":
            monday = published - dt.timedelta(days=published.weekday()) + dt.timedelta(weeks=offset)
            yield _Found(*match.span(), monday.isoformat(), "day", relative=True, approximate=True)
        else:
            yield _Found(*match.span(), *_shifted(published, unit, offset), relative=True)


def _means_a_day(text: str, match: re.Match) -> bool:
    """Whether a day word ('today', 'yesterday') means a day where it stands: not in 'today's
    situation' (but in 'today's attack'), 'the Taliban of today' (but 'as of today'), 'USA Today'."""
    after = _POSSESSIVE.match(text, match.end(), min(len(text), match.end() + 60))
    if after is not None:
        return any(w is not None and w.lower() in _EVENTS for w in (after["first"], after["second"]))
    before = text[max(0, match.start() - 20) : match.start()]
    if _OF_BEFORE.search(before):
        return False
    if match["word"][0].isupper() and (named := _NAME_BEFORE.search(before)) and not _sentence_start(before, named):
        return False  # 'USA Today', 'Russia Today'
    return True


def _sentence_start(before: str, named: re.Match) -> bool:
    """Whether the capitalised word before a match starts a sentence (so it may be capitalised
    for that alone): it follows a full stop, a line's start or nothing."""
    ahead = before[: named.start()].rstrip(" \t")
    return not ahead or ahead[-1] in '.!?\n:;"“—–-'


class Dateline(NamedTuple):
    """The article's date as its first lines give it, and the words it was read from."""

    day: dt.date
    said: str


#: How far into a text, and into how many of its lines, the article's date is looked for.
_DATELINE_CHARS, _DATELINE_LINES, _DATELINE_LINE = 3000, 15, 300
#: How far after 'Published:' its date may start ('Wednesday, ' before it).
_DATE_WITHIN = 12
_META = re.compile(
    r"(?P<what>first published|published|posted|last updated|updated|dated|date)\b(?:\s+on)?\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
_PLACE_WORD = r"[^\W\d_][\w'’.\-]*"
_DATELINE_PLACE = re.compile(
    rf"(?P<place>{_PLACE_WORD}(?: {_PLACE_WORD}){{0,3}})"
    rf"(?:\s*,\s*(?!{_MONTH}\s*\d){_PLACE_WORD}(?:\s{_PLACE_WORD}){{0,2}})?"
    r"(?:\s*,\s*|\s+)(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
)
_DATELINE_END = re.compile(r"\s*(?:\([^()\n]{1,40}\)\s*)?(?:[—–\-]+|:|$)")


def find_dateline(text: str) -> Dateline | None:
    """The article's date from its first lines: a dateline ('DUSHANBE, 14 March 2025 —'), else a
    'Published: …' (or 'Posted', 'Date') line, else an 'Updated …' line; None when none gives a
    whole date."""
    found: dict[str, Dateline] = {}
    lines = [line.strip() for line in text[:_DATELINE_CHARS].split("\n") if line.strip()]
    for line in lines[:_DATELINE_LINES]:
        line = line[:_DATELINE_LINE]
        if (meta := _META.match(line)) is not None:
            day = _first_day(line[meta.end() : meta.end() + 80])
            what = "updated" if "updated" in meta["what"].lower() else "published"
            if day is not None and what not in found:
                found[what] = Dateline(day[0], line[: meta.end() + day[1]].strip())
        elif "dateline" not in found and (place := _DATELINE_PLACE.match(line)) is not None:
            words = place["place"].split()
            if all(w[0].isupper() for w in words) and (day := _dated_at(line, place.end())) is not None:
                found["dateline"] = Dateline(day[0], line[: day[1]].strip())
    return found.get("dateline") or found.get("published") or found.get("updated")


def _first_day(words: str) -> tuple[dt.date, int] | None:
    """The whole date that `words` start with (after a weekday, say), and where it ends."""
    for mention in find_dates(words):
        if mention.start <= _DATE_WITHIN and mention.attrs["precision"] == "day" and not mention.attrs.get("relative"):
            return dt.date.fromisoformat(mention.value), mention.end
    return None


def _dated_at(line: str, at: int) -> tuple[dt.date, int] | None:
    """The whole date that starts at `at` and ends a dateline, and where it ends."""
    for pattern in (_ISO, _DAY_MONTH, _MONTH_DAY):
        match = pattern.match(line, at)
        if match is None or not match["year"] or _DATELINE_END.match(line, match.end()) is None:
            continue
        month = match["month"]
        month = int(month) if month.isdigit() else _MONTHS[month.rstrip(".").lower()]
        day = _safe_date(int(match["year"]), month, int(match["day"]))
        if day is not None:
            return day, match.end()
    return None


def _shifted(published: dt.date, unit: str, count: int) -> tuple[str, str]:
    """The date `count` units from `published`, as (value, precision)."""
    if unit in ("day", "week"):
        return (published + dt.timedelta(days=count * (7 if unit == "week" else 1))).isoformat(), "day"
    if unit == "month":
        months = published.year * 12 + published.month - 1 + count
        return _iso(months // 12, months % 12 + 1), "month"
    return _iso(published.year + count), "year"


def _day(match: re.Match, year: int, month: int, day: int):
    """The day matched; an impossible one ('31 February 2025') still holds its span, so that no
    shorter reading of it ('February 2025') is reported."""
    valid = _safe_date(year, month, day) is not None
    yield _Found(*match.span(), _iso(year, month, day) if valid else None, "day", relative=False)


def _closest_year(published: dt.date, make) -> int | None:
    """Of the article's year and its neighbours, the year whose date (from `make`) is closest to it."""
    options = [
        (abs((d - published).days), d.year)
        for y in (published.year - 1, published.year, published.year + 1)
        if (d := make(y)) is not None
    ]
    return min(options)[1] if options else None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _iso(year: int, month: int | None = None, day: int | None = None) -> str:
    out = f"{year:04d}"
    if month is not None:
        out += f"-{month:02d}"
    if day is not None:
        out += f"-{day:02d}"
    return out
