"""Name folding: spellings and transliterations of one name fold to the same key.

Two levels. `light` removes what transliteration systems disagree on among consonants and marks
(anyascii, case, kh/h, shch/sch/sh, dzh/dj/j, ph/f, bh/b, dh/d, th/t, q/k, w/v, y/i, doubled letters, a
final h after a vowel, the Arabic article al-/el-, a possessive 's): Shoygu and Shoigu, Sergey and
Sergei, Patruschev and Patrushev, al-Safadi and Safadi fold alike. `skeleton` also reduces every run
of vowels to one, merges the consonants that transliterations swap (b/v, g/k, ks/x/h, z/s, a final
ch/c) and drops a glide (v, j) between vowels, so that Mohammad, Muhammad and Mohammed, Yusuf and
Yousef, Dmitriyev and Dmitriev, Doval and Dobhal, Araghchi and Araqchi, Baxtiyor and Bakhtiyor,
Maxim and Maksim, Dawood and Daud, Milosavljevich and Milosavljević meet; "Abdul Wahid" and
"Abdulwahid" are one word to it. Skeletons find candidates; the similarity of the light forms says
how sure the match is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz

#: Consonant spellings that differ between transliteration systems, longest first.
_CONSONANTS = (
    ("shch", "sh"),
    ("sch", "sh"),
    ("tch", "ch"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("bh", "b"),
    ("dh", "d"),
    ("th", "t"),
    ("ck", "k"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
)
#: Consonants that transliterations of one name swap; merged in skeletons only.
_SKELETON_CONSONANTS = str.maketrans("bgxz", "vkhs")
#: A v (from w) or a j between vowels is a glide some spellings leave out: Dawood, Daud; Ardijan, Ardian.
_GLIDE = re.compile(r"a[vj]a")
#: The Serbo-Croatian -ić written -ich or -ic.
_FINAL_CH = re.compile(r"ch$")
#: The Arabic article written before a name (al-Safadi, el-Sisi, ud-Din).
_ARTICLE = re.compile(r"^(?:al|el|ul|ud|ad|ed|ar|as|ash|at|az)['’\-](?=\w)")
#: The English possessive: the FSB's officers.
_POSSESSIVE = re.compile(r"['’]s$")
#: The Arabic article standing alone (Jund al Wasat), left out of skeletons like al- is.
ARTICLES = frozenset({"al", "el"})
#: First words that compound with the next in Arabic names: "Abdul Wahid" is also written "Abdulwahid".
COMPOUNDING = frozenset({"abdul", "abdal", "abdel", "abdol", "abd"})
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
    word = _NOT_LETTER.sub("", _ARTICLE.sub("", _POSSESSIVE.sub("", anyascii(token).lower())))
    word = _CONSONANT_RE.sub(lambda m: _CONSONANT_MAP[m.group()], word)
    word = _INITIAL_J.sub("i", word)
    word = _DOUBLE.sub(r"\1", word)
    return _FINAL_H.sub("", word)


@lru_cache(maxsize=200_000)
def skeleton_token(token: str) -> str:
    """One word folded further: every run of vowels becomes 'a', swapped consonants merge."""
    folded = _FINAL_CH.sub("c", light_token(token).replace("ks", "x"))
    folded = _VOWELS.sub("a", folded).translate(_SKELETON_CONSONANTS)
    return _DOUBLE.sub(r"\1", _GLIDE.sub("a", folded))


def tokens(name: str) -> list[str]:
    return TOKEN.findall(name)


@lru_cache(maxsize=200_000)
def light(name: str) -> str:
    """A whole name folded for spelling variants (words joined by single spaces; a standalone
    article before another word left out, as in skeletons)."""
    words = [w for w in map(light_token, tokens(name)) if w]
    return " ".join(w for i, w in enumerate(words) if not (w in ARTICLES and i + 1 < len(words)))


def skeleton_keys(words: list[str]) -> list[tuple[int, int, str]]:
    """(first word, last word, key) of the skeleton words of a word sequence; a compounding first
    word ("Abdul") is joined to the word after it."""
    keys: list[tuple[int, int, str]] = []
    index = 0
    while index < len(words):
        key = skeleton_token(words[index])
        if not key or (light_token(words[index]) in ARTICLES and index + 1 < len(words)):
            index += 1
            continue
        if light_token(words[index]) in COMPOUNDING and index + 1 < len(words):
            keys.append((index, index + 1, key + skeleton_token(words[index + 1])))
            index += 2
            continue
        keys.append((index, index, key))
        index += 1
    return keys


@lru_cache(maxsize=200_000)
def skeleton(name: str) -> str:
    """A whole name's candidate key (names recur: an article's, the index's, each candidate's)."""
    return " ".join(key for _, _, key in skeleton_keys(tokens(name)))


def similarity(a: str, b: str) -> float:
    """How alike two names are after light folding, 0..1 (1: the same up to transliteration)."""
    la, lb = light(a), light(b)
    if la == lb:
        return 1.0
    return fuzz.ratio(la, lb) / 100
