"""Hard-wrapped text read as the prose it is, offsets unchanged.

Plain-text articles and e-mails are often wrapped at a fixed width, so a name can be cut by a line
break ("the Secretary of the Security\\nCouncil Sergei Shoygu"); every rule that stops at a line
(names, titles, datelines, headlines) then misses it. `unwrapped` turns the breaks inside a
wrapped paragraph into spaces — the same length, so every offset found on it holds for the text
the analyst sees — and leaves the lines of headlines, bylines, datelines, lists and tables alone.
"""

from __future__ import annotations

import re

#: A line this long or longer may have been wrapped.
_WRAP_WIDTH = 40
_PARAGRAPH = re.compile(r"(?:[^\n]*\S[^\n]*\n?)+")
_ENDS_SENTENCE = re.compile(r"[.!?:;\"”’)\]]\s*$")
_TABULAR = re.compile(r"[|\t]|^\s*(?:[-*•–—]|\d+[.)])\s")


def unwrapped(text: str) -> str:
    """`text` with the line breaks inside wrapped paragraphs made spaces. A paragraph (lines between
    blank lines) counts as wrapped when it ends a sentence; within it, a break is joined when the
    line before it is long and does not itself end a sentence, and neither line is a list item or
    a table row."""
    if "\n" not in text:
        return text
    out = list(text)
    for match in _PARAGRAPH.finditer(text):
        block = match.group().rstrip("\n")
        lines = block.split("\n")
        if len(lines) < 2 or not _ENDS_SENTENCE.search(lines[-1]):
            continue
        offset = match.start()
        for line, following in zip(lines, lines[1:], strict=False):
            offset += len(line)
            if (
                len(line.strip()) >= _WRAP_WIDTH
                and not _ENDS_SENTENCE.search(line)
                and not _TABULAR.search(line)
                and not _TABULAR.search(following)
            ):
                out[offset] = " "
            offset += 1
    return "".join(out)
