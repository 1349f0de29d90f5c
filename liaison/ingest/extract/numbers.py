"""Numbers written as words, for the rules that read counts (dates: 'two weeks ago'; amounts:
'twelve kilograms'; one-word names that are numbers: 'One')."""

from __future__ import annotations

NUMBER_WORDS = {
    word: value
    for value, word in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())
    if value
}
