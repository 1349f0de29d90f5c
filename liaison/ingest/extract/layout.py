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
    for paragraph in _paragraphs(text):
        lines = [line for _offset, line in paragraph]
        if len(lines) < 2 or not _ENDS_SENTENCE.search(lines[-1]):
            continue
        for (offset, line), (_next_offset, following) in zip(paragraph, paragraph[1:], strict=False):
            if (
                len(line.strip()) >= _WRAP_WIDTH
                and not _ENDS_SENTENCE.search(line)
                and not _TABULAR.search(line)
                and not _TABULAR.search(following)
            ):
                out[offset + len(line)] = " "
    return "".join(out)


def _paragraphs(text: str) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines, each line with its offset (one pass over the lines: a regular
    expression for 'a line holding a non-space' backtracks quadratically over a long blank line)."""
    paragraphs: list[list[tuple[int, str]]] = [[]]
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            paragraphs[-1].append((offset, line))
        elif paragraphs[-1]:
            paragraphs.append([])
        offset += len(line) + 1
    return [p for p in paragraphs if p]
