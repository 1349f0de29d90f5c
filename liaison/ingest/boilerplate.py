"""Boilerplate in plain text: what a web page, a newsletter or a copy-paste puts around an article.

HTML pages lose theirs to trafilatura (`documents`); pasted text, .txt, PDF and Word files keep
everything, so this filter reads them line by line: cookie and consent notices, 'Related posts' /
'Read more' / 'You may also like' headings and the headline links after them, share, follow and
subscribe button lines, 'Advertisement', newsletter sign-ups, copyright footers, navigation
crumbs and menus, comment prompts, tag lines, and a masthead or title repeated at the top and the
bottom of the page.

Conservative by design: each rule matches the whole line against a closed list of forms (or a
notice's own wording, addressed to the reader), a line that reads like reported speech is never
a notice, a line longer than `MAX_LINE` is article text, and a table row is kept. What is dropped
is returned with its reason and the place it held, so that the analyst sees it and `restore` can
put it back. Linear in the text's length: every pattern is anchored, without nested repetition,
and runs on lines of bounded length only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Lines longer than this are article text, whatever they say.
MAX_LINE = 600
#: Lines longer than this are never a button, a heading, a menu or a headline link.
SHORT_LINE = 200
#: Of a masthead: how many non-blank lines are the top of the page, and its foot.
_TOP, _FOOT = 3, 5
#: Headline links read after a 'Related posts' heading, at most.
_BLOCK_LINES = 30


@dataclass(frozen=True, slots=True)
class Dropped:
    """A line left out: its number in the text read (1-based), its words, why, and `at`: the
    offset in the filtered text where it stood (where `restore` puts it back)."""

    line: int
    text: str
    reason: str
    at: int


@dataclass(frozen=True, slots=True)
class Filtered:
    text: str
    dropped: tuple[Dropped, ...] = ()


COOKIE = "cookie notice"
RELATED = "related links"
SHARE = "share buttons"
ADVERT = "advertisement"
NEWSLETTER = "newsletter sign-up"
FOOTER = "copyright footer"
NAVIGATION = "navigation"
COMMENTS = "comments prompt"
TAGS = "tag line"
MASTHEAD = "repeated masthead"
TITLE = "repeated title"


def _whole(pattern: str) -> re.Pattern:
    return re.compile(rf"(?:{pattern})", re.IGNORECASE)


#: Bullets, arrows and the like around a line; its words are what is matched.
_EDGES = re.compile(r"^[\s\-–—•·*>|»›#]+|[\s\-–—•·*<|«‹:.!…»›]+$")
_ADVERT = _whole(
    r"advertisements?|advertising|ads?|sponsored(?: content| links?| stories)?|paid (?:content|post|partner)"
    r"|promoted(?: content| stories)?|(?:the )?(?:story|article|text) continues (?:below|after)(?: (?:this|the))?"
    r"(?: (?:advertisement|advert|ad))?|scroll (?:down )?to continue(?: reading| with content)?"
    r"|continue reading(?: below| the (?:main )?story)?"
)
_CONSENT_BUTTON = _whole(
    r"(?:accept|reject|allow|deny|decline)(?: all| necessary| selected)?(?: cookies)?|i (?:agree|accept)|agree"
    r"|got it|ok(?:ay)?|close|(?:manage|customi[sz]e) (?:cookies|preferences|settings|options|choices)"
    r"|cookie (?:settings|preferences)|privacy settings|more options|learn more|more info(?:rmation)?"
)
_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_CONSENT = re.compile(
    r"\b(?:we use|we and our (?:partners|vendors)|this (?:web ?)?site uses|our (?:web ?)?site uses|this site is using"
    r"|by (?:continuing|clicking|using|browsing|staying|scrolling)|you (?:agree|consent|accept)"
    r"|your (?:consent|experience|browsing|preferences|privacy|device|choices)|(?:accept|allow|reject) (?:all|cookies)"
    r"|learn more|more info|cookie (?:policy|settings|preferences|notice|statement))\b",
    re.IGNORECASE,
)
#: Reported speech: a line that quotes or attributes is the article's, whatever its words.
_REPORTED = re.compile(r"[“”\"«»]|\b(?:said|says|told|according to|reported|stated)\b", re.IGNORECASE)
_RELATED_HEADING = _whole(
    r"related|related (?:posts?|articles?|stories|news|coverage|content|reading|links|topics|materials?)"
    r"|read (?:more|also|next)|see also|also read|also (?:on|at) [\w .-]{1,30}"
    r"|more (?:from|on|in|about) [\w .'’-]{1,40}"
    r"|more (?:stories|news|articles|headlines|to read)|you (?:may|might) (?:also )?(?:like|enjoy|be interested in"
    r"|have missed)|recommended(?: for you| stories| articles| reading)?|most (?:read|popular|viewed|shared|commented)"
    r"|(?:trending|popular)(?: now| stories| posts| articles| today)?|top stories|latest(?: news| stories| articles)?"
    r"|don['’]t miss|editor['’]?s (?:picks|choice)|what to read next|further reading|other news|news feed"
)
_RELATED_LINK = re.compile(
    r"^(?:read (?:more|also|next)|also read|related|see also|more|recommended)\s*[:|»›>–—-]\s*\S", re.IGNORECASE
)
#: Words of a share, follow or subscribe bar; `_SHARE_CORE` are those a bar names at least once.
_SHARE_CORE = frozenset(
    "share shares tweet facebook twitter linkedin whatsapp telegram viber email e-mail mail print copy pinterest "
    "reddit vk vkontakte odnoklassniki messenger instagram youtube tiktok threads bluesky mastodon follow subscribe "
    "flipboard rss bookmark".split()
)
_SHARE_WORDS = _SHARE_CORE | frozenset(
    "this article story post page on via by with to us our the and or in x ok link url save send channel feed "
    "news google comments comment".split()
)
_SHARE_TOKEN = re.compile(r"[@#]?[\w'’-]+")
_NEWSLETTER = re.compile(
    r"\bnewsletters?\b.{0,80}\b(?:sign[ -]?up|subscribe|inbox|e-?mail|register|delivered|receive|join)\b"
    r"|\b(?:sign[ -]?up|subscribe|register|join)\b.{0,60}\bnewsletters?\b"
    r"|\benter your e-?mail\b|\b(?:straight|directly|delivered) (?:to|in)(?:to)? your inbox\b",
    re.IGNORECASE,
)
_SIGN_UP = _whole(r"(?:sign[ -]?up|subscribe|register)(?: now| today| here| for free| free)?|newsletters?")
_FOOTER = re.compile(
    r"^(?:©|\(c\)\s*(?:19|20)\d\d|copyright\b)|\ball rights reserved\b"
    r"|\b(?:reproduction|republication|use) of (?:the |our |this )?(?:materials?|content|articles?)\b.{0,80}"
    r"\b(?:permission|prohibited|forbidden|link|consent)\b",
    re.IGNORECASE,
)
_ONE_WORD_NAVIGATION = _whole(
    r"menu|main menu|search|home|home ?page|skip to (?:main )?content|skip to navigation|back to top|to top"
    r"|toggle navigation|open menu|close menu|log ?in|sign ?in|log ?out|register|next (?:article|story|post)"
    r"|previous (?:article|story|post)|next|previous|print(?: this)?(?: article| page)?|listen(?: to this article)?"
    r"|font size|a\+|a-|[a-z]{2}(?: ?\| ?[a-z]{2}){1,5}"
)
_CRUMB_SEPARATORS = re.compile(r"\s+(?:/|\||>)\s+|\s*(?:›|»|→|::)\s*")
_CRUMB_HEADS = frozenset({"home", "homepage", "main", "main page", "start", "news", "front page"})
_NAVIGATION_WORDS = frozenset(
    "home news world politics economy business society sport sports culture opinion opinions video videos photo "
    "photos multimedia analysis interviews interview regions region asia europe africa americas contacts contact "
    "about us advertise advertising privacy policy terms of use service conditions search menu login log in sign "
    "register subscribe subscription rss archive archives editorial staff careers jobs faq help sitemap cookies "
    "cookie feedback english русский русская версия тоҷикӣ o'zbek қазақ кыргызча "
    "pashto farsi events science tech technology health lifestyle travel weather markets finance sections "
    "topics blogs blog podcasts podcast live tv radio more".split()
)
_COMMENTS = _whole(
    r"(?:\d+ )?comments?(?: ?\(\d+\))?|leave a (?:comment|reply)|add (?:a )?comment|post a comment"
    r"|(?:log ?in|sign ?in|register) to (?:comment|post a comment|reply)|(?:show|view|hide|load) (?:all )?comments"
    r"|be the first to comment|comments are closed|\d+ repl(?:y|ies)|reply"
)
_TAGS = re.compile(r"^(?:tags?|topics?|keywords?|filed under|categories|category)\s*:\s*\S", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.;,]['’\")\]]?$")
_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")


def strip_boilerplate(text: str) -> Filtered:
    """`text` without its boilerplate lines, and what was dropped (in the order of the text). A
    text that would be left empty is returned whole: then none of it was boilerplate to drop."""
    lines = text.split("\n")
    reasons: dict[int, str] = {}
    for number, line in enumerate(lines):
        if (reason := _reason(line)) is not None:
            reasons[number] = reason
    _related_blocks(lines, reasons)
    _consent_buttons(lines, reasons)
    _mastheads(lines, reasons)
    if not reasons:
        return Filtered(text)
    return _assemble(lines, reasons) or Filtered(text)


def restore(text: str, dropped: list[Dropped] | tuple[Dropped, ...]) -> str:
    """The text with the dropped lines put back where they stood (blank lines aside)."""
    out, cursor = [], 0
    for item in sorted(dropped, key=lambda d: (d.at, d.line)):
        at = min(max(item.at, cursor), len(text))
        out.append(text[cursor:at])
        if out[-1] and not out[-1].endswith("\n"):
            out.append("\n")
        out.append(item.text + "\n")
        cursor = at
    out.append(text[cursor:])
    return "".join(out).rstrip("\n")


def _assemble(lines: list[str], reasons: dict[int, str]) -> Filtered | None:
    """The kept lines (runs of blank lines made one) and each dropped line at its place in them."""
    out: list[str] = []
    size = 0  # length of "\n".join(out)
    dropped = []
    for number, line in enumerate(lines):
        reason = reasons.get(number)
        if reason is not None:
            dropped.append((number, line.strip(), reason, size))
            continue
        blank = not line.strip()
        if blank and (not out or not out[-1].strip()):
            continue
        size += len(line) + (1 if out else 0)
        out.append(line)
    while out and not out[-1].strip():
        size -= len(out.pop()) + (1 if out else 0)
    if not out:
        return None
    kept = "\n".join(out)
    return Filtered(kept, tuple(Dropped(n + 1, words, why, min(at, len(kept))) for n, words, why, at in dropped))


def _words(line: str) -> str:
    """A line's words, without the bullets, arrows and punctuation around them."""
    return _EDGES.sub("", line).strip()


def _reason(line: str) -> str | None:
    """Why a line, by itself, is boilerplate; None when it is not (or may be the article's)."""
    if len(line) > MAX_LINE:
        return None
    words = _words(line)
    if not words or not _LETTER.search(words):
        return None
    if _COOKIE.search(words) and _CONSENT.search(words) and not _REPORTED.search(words):
        return COOKIE
    if _NEWSLETTER.search(words) and not _REPORTED.search(words) and len(words) <= 2 * SHORT_LINE:
        return NEWSLETTER
    if _FOOTER.search(words) and not _REPORTED.search(words) and len(words) <= 2 * SHORT_LINE:
        return FOOTER
    if len(words) > SHORT_LINE or "\t" in words:
        return None
    if _ADVERT.fullmatch(words):
        return ADVERT
    if _RELATED_HEADING.fullmatch(words) or _RELATED_LINK.match(words):
        return RELATED
    if _SIGN_UP.fullmatch(words):
        return NEWSLETTER
    if _COMMENTS.fullmatch(words):
        return COMMENTS
    if _ONE_WORD_NAVIGATION.fullmatch(words) or _crumbs(words):
        return NAVIGATION
    if _share_bar(words):
        return SHARE
    if _TAGS.match(words) and not _SENTENCE_END.search(words):
        return TAGS
    return None


def _share_bar(words: str) -> bool:
    tokens = [t.lower() for t in _SHARE_TOKEN.findall(words)]
    return (
        bool(tokens)
        and len(tokens) <= 16
        and any(t in _SHARE_CORE for t in tokens)
        and all(t in _SHARE_WORDS or t[0] in "@#" or t.isdigit() for t in tokens)
    )


def _crumbs(words: str) -> bool:
    """A breadcrumb trail ('Home › News › Central Asia') or a menu ('News | Politics | Economy')."""
    parts = [p.strip().lower() for p in _CRUMB_SEPARATORS.split(words)]
    if len(parts) < 2 or any(not p or len(p) > 60 for p in parts) or _SENTENCE_END.search(words):
        return False
    if parts[0] in _CRUMB_HEADS and all(len(p.split()) <= 8 for p in parts):
        return True
    known = sum(all(w in _NAVIGATION_WORDS for w in p.split()) for p in parts)
    return len(parts) >= 3 and known >= 2 and known * 5 >= len(parts) * 3


def _headline(line: str) -> bool:
    """A line that may be the title of another story linked under a 'Related posts' heading."""
    words = _words(line)
    return (
        0 < len(words) <= SHORT_LINE
        and not _SENTENCE_END.search(line.strip())
        and not line.rstrip().endswith(":")
        and len(_WORD.findall(words)) <= 25
        and "|" not in words
        and "\t" not in line
    )


def _prose(line: str) -> bool:
    """A line of the article's prose: a long one ending a sentence."""
    words = line.strip()
    return len(words) >= 80 and words[-1] in '.!?"”’)'


def _related_blocks(lines: list[str], reasons: dict[int, str]) -> None:
    """After a 'Related posts' heading, the headline links that follow it, up to the first line
    that is not one or is other boilerplate. A headline after a blank line that the article's
    prose follows is a subheading of the article: there the block ends."""
    for number in sorted(n for n, r in reasons.items() if r == RELATED):
        if not _RELATED_HEADING.fullmatch(_words(lines[number])):
            continue
        taken, blank = 0, False
        for after in range(number + 1, min(number + 1 + 2 * _BLOCK_LINES, len(lines))):
            line = lines[after]
            if not line.strip():
                blank = True
                continue
            if after in reasons:
                if reasons[after] != RELATED:
                    break
                blank = False
                continue
            if taken >= _BLOCK_LINES or not _headline(line) or (blank and _prose(_next_filled(lines, after))):
                break
            reasons[after] = RELATED
            taken, blank = taken + 1, False


def _next_filled(lines: list[str], number: int) -> str:
    for line in lines[number + 1 : number + 4]:
        if line.strip():
            return line
    return ""


def _consent_buttons(lines: list[str], reasons: dict[int, str]) -> None:
    """'Accept all', 'Manage preferences' and the like beside a cookie notice."""
    notices = [n for n, r in reasons.items() if r == COOKIE]
    for number in notices:
        for step in (-1, 1):
            seen, at = 0, number + step
            while 0 <= at < len(lines) and seen < 4:
                if lines[at].strip():
                    if reasons.get(at) == COOKIE:
                        break
                    if at in reasons or not _CONSENT_BUTTON.fullmatch(_words(lines[at])):
                        break
                    reasons[at] = COOKIE
                    seen += 1
                at += step


def _mastheads(lines: list[str], reasons: dict[int, str]) -> None:
    """A line at the very top of the page repeated at its foot, near the top again, or three
    times: a masthead (every copy dropped) or, of four words or more, a title (the first copy
    kept). The top is the first `_TOP` lines still kept, the foot the last `_FOOT`."""
    filled = [n for n, line in enumerate(lines) if line.strip() and n not in reasons]
    if len(filled) < 3:
        return
    top, near, foot = set(filled[:_TOP]), set(filled[: 2 * _TOP]), set(filled[-_FOOT:])
    places: dict[str, list[int]] = {}
    for n in filled:
        key = _masthead_key(lines[n])
        if key is not None:
            places.setdefault(key, []).append(n)
    for key, at in places.items():
        if len(at) < 2 or not (at[0] in top or at[-1] in foot):
            continue
        if len(at) == 2 and not (at[0] in top and (at[1] in near or at[1] in foot)):
            continue
        title = len(key.split()) >= 4
        for n in at[1:] if title else at:
            reasons[n] = TITLE if title else MASTHEAD


def _masthead_key(line: str) -> str | None:
    """A line's words as a masthead or title would repeat them; None for what is neither (a
    sentence, a table row, a single plain word such as a table cell)."""
    words = " ".join(line.split())
    if not 3 <= len(words) <= 100 or "|" in words or "\t" in line or _SENTENCE_END.search(words):
        return None
    if not _LETTER.search(words):
        return None
    tokens = words.split()
    if len(tokens) == 1 and not (any(c in words for c in "-./") or (words.isupper() and len(words) > 3)):
        return None
    return words.casefold()
