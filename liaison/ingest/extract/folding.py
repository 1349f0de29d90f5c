"""Name folding: spellings and transliterations of one name fold to the same key.

Two levels. `light` removes what transliteration systems disagree on among consonants and marks
(anyascii, case, kh/h, shch/sch/sh, dzh/dj/j, ph/f, q/k, w/v, y/i, doubled letters, a final h after a
vowel): Shoygu and Shoigu, Sergey and Sergei, Patruschev and Patrushev fold alike. `skeleton` also
reduces every run of vowels to one, so that Mohammad, Muhammad and Mohammed, Yusuf and Yousef,
Dmitriyev and Dmitriev meet. Skeletons find candidates; the similarity of the light forms says how
sure the match is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz

#: Consonant spellings that differ between transliteration systems, longest first.
_CONSONANTS = (
    ("shch", "sh"), ("sch", "sh"), ("tch", "ch"), ("dzh", "j"), ("dj", "j"), ("zh", "j"),
    ("kh", "h"), ("gh", "g"), ("ph", "f"), ("ck", "k"), ("q", "k"), ("w", "v"), ("y", "i"),
)
_CONSONANT_RE = re.compile("|".join(a for a, _ in _CONSONANTS))
_CONSONANT_MAP = dict(_CONSONANTS)
_NOT_LETTER = re.compile(r"[^a-z]+")
_DOUBLE = re.compile(r"([a-z])\1+")
_FINAL_H = re.compile(r"(?<=[aeiou])h$")
_VOWELS = re.compile(r"[aeiou]+")
#: German-style initial j before a vowel (Jusupov, Jakub) is the English y.
_INITIAL_J = re.compile(r"^j(?=[aeiou])")
#: Token pattern shared by the index and the texts it searches: letters with inner hyphens/apostrophes.
TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


@lru_cache(maxsize=200_000)
def light_token(token: str) -> str:
    """One word folded for spelling variants, vowels kept."""
    word = _NOT_LETTER.sub("", anyascii(token).lower())
    word = _INITIAL_J.sub("i", word)
    word = _CONSONANT_RE.sub(lambda m: _CONSONANT_MAP[m.group()], word)
    word = _DOUBLE.sub(r"\1", word)
    return _FINAL_H.sub("", word)


@lru_cache(maxsize=200_000)
def skeleton_token(token: str) -> str:
    """One word folded further: every run of vowels becomes 'a'."""
    return _VOWELS.sub("a", light_token(token))


def tokens(name: str) -> list[str]:
    return TOKEN.findall(name)


def light(name: str) -> str:
    """A whole name folded for spelling variants (words joined by single spaces)."""
    return " ".join(filter(None, map(light_token, tokens(name))))


def skeleton(name: str) -> str:
    """A whole name's candidate key."""
    return " ".join(filter(None, map(skeleton_token, tokens(name))))


def similarity(a: str, b: str) -> float:
    """How alike two names are after light folding, 0..1 (1: the same up to transliteration)."""
    la, lb = light(a), light(b)
    if la == lb:
        return 1.0
    return fuzz.ratio(la, lb) / 100
