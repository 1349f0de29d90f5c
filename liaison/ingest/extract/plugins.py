"""The optional model-based recogniser: a plug-in point, off unless a setting names one.

A recogniser is any callable taking the text and returning mentions (source 'plugin'). It is named
as 'package.module:callable'; when the name is a class, it is instantiated once, without arguments,
so that a model loads when the plug-in is loaded rather than per text. Nothing is downloaded here:
the plug-in brings its own model.
"""

from __future__ import annotations

import functools
import importlib
from typing import Protocol, runtime_checkable

from liaison.errors import InvalidInput
from liaison.ingest.extract.mentions import Mention


@runtime_checkable
class Recognizer(Protocol):
    """Finds mentions in a text."""

    def __call__(self, text: str) -> list[Mention]: ...


@functools.lru_cache(maxsize=8)
def load_recognizer(spec: str | None) -> Recognizer | None:
    """The recogniser named by `spec` ('package.module:callable'), or None when `spec` is empty;
    loaded once per process and spec.

    Raises InvalidInput when the spec is malformed, cannot be imported or is not callable.
    """
    if spec is None or not spec.strip():
        return None
    module_name, sep, attribute = spec.strip().partition(":")
    if not sep or not module_name or not attribute:
        raise InvalidInput(f"NER plug-in {spec!r} must be written 'package.module:callable'", spec=spec)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InvalidInput(f"NER plug-in module {module_name!r} cannot be imported: {exc}", spec=spec) from exc
    target = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise InvalidInput(
                f"NER plug-in module {module_name!r} has no attribute {attribute!r}", spec=spec
            ) from None
    if not callable(target):
        raise InvalidInput(f"NER plug-in {spec!r} is not callable", spec=spec)
    if isinstance(target, type):
        try:
            target = target()
        except Exception as exc:
            raise InvalidInput(f"NER plug-in {spec!r} could not be set up: {exc}", spec=spec) from exc
        if not callable(target):
            raise InvalidInput(f"NER plug-in {spec!r} does not make callable recognisers", spec=spec)
    return target
