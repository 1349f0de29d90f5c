"""Dates in news text, absolute and relative to the article's date."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.ingest.extract.dates import find_dateline, find_dates

# A Friday.
PUBLISHED = dt.date(2025, 3, 14)


def dates(text: str, published: dt.date | None = PUBLISHED) -> list[tuple[str, str, str]]:
    mentions = find_dates(text, published)
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert m.kind == "date" and m.source == "pattern"
    return [(m.text, m.value, m.attrs["precision"]) for m in mentions]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The raid took place on 12 March 2025 near the border.", "2025-03-12"),
        ("The raid took place on March 12, 2025 near the border.", "2025-03-12"),
        ("The raid took place on 12th of March 2025 near the border.", "2025-03-12"),
        ("The raid took place on Mar. 12, 2025 near the border.", "2025-03-12"),
        ("The raid is dated 2025-03-12 in the file.", "2025-03-12"),
        ("The raid is dated 12.03.2025 in the file.", "2025-03-12"),
        ("The raid is dated 25/03/2025 in the file.", "2025-03-25"),
        ("The raid is dated 03/25/2025 in the file.", "2025-03-25"),
    ],
)
def test_absolute_days(text, value):
    [(_text, found, precision)] = dates(text, None)
    assert (found, precision) == (value, "day")


def test_partial_dates():
    assert dates("Seizures rose in March 2025 and had fallen in 2024, since mid-2023.", None) == [
        ("March 2025", "2025-03", "month"),
        ("2024", "2024", "year"),
        ("2023", "2023", "year"),
    ]


def test_ambiguous_and_impossible_dates_are_skipped():
    assert dates("The forms dated 03/04/2025 and 31 February 2025 were forged.", None) == []


def test_numbers_and_words_that_are_not_dates():
    text = "A group of 2000 fighters may attack; 1,250 kilograms were seized and 12.5 percent more."
    assert dates(text) == []


@pytest.mark.parametrize(
    ("phrase", "value", "precision"),
    [
        ("yesterday", "2025-03-13", "day"),
        ("today", "2025-03-14", "day"),
        ("the day before yesterday", "2025-03-12", "day"),
        ("last night", "2025-03-13", "day"),
        ("tomorrow", "2025-03-15", "day"),
        ("on Tuesday", "2025-03-11", "day"),
        ("on Friday", "2025-03-14", "day"),
        ("last Friday", "2025-03-07", "day"),
        ("next Monday", "2025-03-17", "day"),
        ("two days ago", "2025-03-12", "day"),
        ("three weeks ago", "2025-02-21", "day"),
        ("a month ago", "2025-02", "month"),
        ("two years ago", "2023", "year"),
        ("last week", "2025-03-03", "day"),
        ("this week", "2025-03-10", "day"),
        ("last weekend", "2025-03-08", "day"),
        ("last month", "2025-02", "month"),
        ("earlier this month", "2025-03", "month"),
        ("earlier this year", "2025", "year"),
        ("last year", "2024", "year"),
        ("next year", "2026", "year"),
    ],
)
def test_relative_dates(phrase, value, precision):
    text = f"Officials said the convoy was stopped {phrase} near Termez."
    [(found_text, found, found_precision)] = dates(text)
    assert phrase.endswith(found_text)
    assert (found, found_precision) == (value, precision)


def test_relative_dates_are_marked():
    [yesterday, last_week] = find_dates("Yesterday and last week", PUBLISHED)
    assert yesterday.attrs == {"precision": "day", "relative": True}
    assert last_week.attrs == {"precision": "day", "relative": True, "approximate": True}


def test_without_the_article_date_relative_forms_are_skipped():
    text = "On Tuesday, two days ago, police said the 3 April meeting in May was moved to 5 May 2025."
    assert dates(text, None) == [("5 May 2025", "2025-05-05", "day")]


def test_a_day_without_year_takes_the_closest_year():
    assert dates("Talks resume on 3 January.", dt.date(2025, 12, 28)) == [("3 January", "2026-01-03", "day")]
    assert dates("Talks began on 20 December.", dt.date(2026, 1, 2)) == [("20 December", "2025-12-20", "day")]
    assert dates("Seizures rose in March.", dt.date(2025, 8, 1)) == [("March", "2025-03", "month")]


def test_may_the_verb_is_not_may_the_month():
    assert dates("Officials may meet again; they met in May.") == [("May", "2025-05", "month")]


def test_longest_reading_wins():
    assert dates("By March 12, 2025, and on Tuesday, March 11, the route was closed.", None) == [
        ("March 12, 2025", "2025-03-12", "day")
    ]
    assert dates("on Tuesday, March 11, the route was closed.") == [
        ("Tuesday", "2025-03-11", "day"),
        ("March 11", "2025-03-11", "day"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Officials briefed diplomats on today's situation in the border districts.",
        "In today's world, smugglers move money through hawala dealers.",
        "The Taliban of today are not the Taliban of 1996.",
        "Analysts compare the Afghanistan of today with that of the 1990s.",
        "Tomorrow's leaders were trained at the academy in Dushanbe.",
        "The report was first published by USA Today and later by Russia Today.",
        "Militants met every Friday at the mosque in Kunduz.",
        "Shops were looted on Black Friday in Almaty.",
        "The veterans remember the politics of yesterday.",
    ],
)
def test_day_words_that_do_not_mean_a_day(text):
    assert [d for d in dates(text) if d[1].startswith("2025-03-1")] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Border guards detained two couriers today, the committee said.", "2025-03-14"),
        ("Today, the committee said, two couriers were detained.", "2025-03-14"),
        ("Police said today's attack in Khorog killed two officers.", "2025-03-14"),
        ("Yesterday's deadly ambush near Rasht was claimed by no one.", "2025-03-13"),
        ("As of today, 40 people are held in Vahdat.", "2025-03-14"),
        ("The minister said on Monday that patrols would double.", "2025-03-10"),
        ("Two men were detained yesterday near the Panj river.", "2025-03-13"),
    ],
)
def test_day_words_in_news_sentences_are_dates(text, value):
    assert [d[1] for d in dates(text)] == [value]


@pytest.mark.parametrize(
    ("text", "day", "said"),
    [
        (
            "DUSHANBE, 14 March 2025 — Tajik border guards seized 310 kg of drugs.",
            "2025-03-14",
            "DUSHANBE, 14 March 2025",
        ),
        (
            "KABUL, March 14, 2025 (Reuters) — The Taliban named a governor.",
            "2025-03-14",
            "KABUL, March 14, 2025",
        ),
        ("KABUL, Afghanistan, Friday, 14 March 2025 - The talks began.", "2025-03-14", None),
        ("Mazar-i-Sharif, 3 May 2024 — Clashes broke out.", "2024-05-03", None),
        (
            "EU rejects German call to boycott British lamb.\nBRUSSELS 1996-08-22\nThe European Commission said.",
            "1996-08-22",
            "BRUSSELS 1996-08-22",
        ),
        ("Heroin seized in Khorog\nPublished: Friday, 14 March 2025 10:42\nBorder guards said.", "2025-03-14", None),
        ("Heroin seized\nUpdated March 15, 2025\nPosted on 13 March 2025 by admin\nText.", "2025-03-13", None),
        ("Heroin seized\nLast updated 2025-03-15 09:00\nBorder guards seized heroin.", "2025-03-15", None),
    ],
)
def test_the_article_date_from_its_dateline(text, day, said):
    found = find_dateline(text)
    assert found is not None and found.day.isoformat() == day
    assert said is None or found.said == said


@pytest.mark.parametrize(
    "text",
    [
        "Border guards seized heroin on 12 March 2025 near Khorog.",
        "The talks, 14 March 2025 — no dateline here.",
        "Tajik border guards said on 14 March 2025 — after a raid — that they held two men.",
        "DUSHANBE, March 14 (Reuters) — no year given.",
        "\n".join(["A line of the article that goes on."] * 20) + "\nDUSHANBE, 14 March 2025 — too late.",
    ],
)
def test_no_article_date_where_no_dateline_gives_one(text):
    assert find_dateline(text) is None


def test_a_title_that_starts_like_a_published_line_is_not_one():
    assert find_dateline("Date set for the trial of 12 men on 14 March 2025\nThe court said.") is None
    assert find_dateline("Updated figures show 40 arrests since 2 March 2025\nThe police said.") is None
