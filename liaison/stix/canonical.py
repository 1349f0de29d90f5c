"""The canonical JSON Liaison stores and signs: keys sorted, compact, UTF-8."""

from __future__ import annotations

import json

import orjson


def canonical(obj: dict) -> str:
    """`obj` as canonical JSON. orjson is fast but refuses integers beyond 64 bits, which JSON and
    the STIX validator allow: such objects go through the standard library, which writes the same
    form. Raises TypeError for what JSON cannot hold."""
    try:
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:
        try:
            return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except ValueError as exc:
            raise TypeError(str(exc)) from None
