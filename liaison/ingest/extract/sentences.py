"""Sentence bounds, for the rules that look no further than a sentence (who a phone number belongs
to, which people are told apart, an event's slots). One splitter for all of them, so that they
agree on where a sentence ends: at a stop before a capital or a line end, or at a blank line, but
not after an abbreviation ('Col.', 'U.S.', an initial)."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?]{1,3}[\"'”’)\]]?(?=[ \t]*\n|[ \t]+[\"“'‘(\[]?[A-Z0-9])|\n[ \t]*\n")
#: Words that end in a full stop without ending a sentence ('Col.', 'U.S.', an initial).
_ABBREVIATION = re.compile(
    r"(?<![\w.])(?:[A-Za-z]|mr|mrs|ms|dr|st|col|lt|gen|maj|capt|sgt|brig|adm|cmdr|sen|rep|gov|prof|no|nos|vs"
    r"|approx|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|inc|ltd|corp|[a-z]\.[a-z])$",
    re.IGNORECASE,
)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, covering it from end to end."""
    bounds, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.group()[0] == "." and _ABBREVIATION.search(text, max(0, match.start() - 8), match.start()):
            continue
        bounds.append((start, match.end()))
        start = match.end()
    bounds.append((start, len(text)))
    return bounds
