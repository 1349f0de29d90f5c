"""A tiny recogniser standing in for a model-based NER plug-in in tests: it knows operation code names."""

from __future__ import annotations

import re

from liaison.ingest.extract.mentions import ORGANIZATION, Mention

_CODENAME = re.compile(r"\bOperation ([A-Z][a-z]+ [A-Z][a-z]+)\b")


class CodeNames:
    """Instantiated once by the plug-in loader, as a model would be."""

    loaded = 0

    def __init__(self) -> None:
        CodeNames.loaded += 1

    def __call__(self, text: str) -> list[Mention]:
        return [
            Mention(ORGANIZATION, m.start(1), m.end(1), m.group(1), m.group(1), source="plugin")
            for m in _CODENAME.finditer(text)
        ]
