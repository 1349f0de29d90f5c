"""Read STIX bundles from files or bodies of any size: small ones at once, large ones streamed,
hostile ones (malformed, deeply nested, not a bundle) refused before anything is written."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import ijson
import orjson

from liaison.errors import InvalidInput

#: Bodies up to this size are parsed in one go; larger ones are streamed object by object.
WHOLE_PARSE_BYTES = 16 * 1024 * 1024
#: Deepest JSON nesting accepted while streaming (objects themselves are limited further by validation).
MAX_DEPTH = 64


def _envelope_error(message: str) -> InvalidInput:
    return InvalidInput(f"not a STIX bundle: {message}")


def _check_parsed(doc: object) -> list:
    if not isinstance(doc, dict):
        raise _envelope_error("the top level must be a JSON object")
    if doc.get("type") != "bundle":
        raise _envelope_error("property 'type' must be 'bundle'")
    objects = doc.get("objects", [])
    if not isinstance(objects, list):
        raise _envelope_error("property 'objects' must be an array")
    return objects


def _scan(stream: BinaryIO) -> int:
    """One pass over the token stream: the JSON is well formed, not nested deeper than MAX_DEPTH,
    and is a bundle whose 'objects' is an array. Returns how many items 'objects' holds."""
    depth = 0
    expect = None  # the top-level key whose value comes next
    seen_type = False
    in_objects = False
    count = 0
    try:
        for event, value in ijson.basic_parse(stream):
            if in_objects and depth == 2 and event != "end_array":
                count += 1
            if expect is not None and depth == 1:
                if expect == "type" and value != "bundle":
                    raise _envelope_error("property 'type' must be 'bundle'")
                if expect == "objects" and event != "start_array":
                    raise _envelope_error("property 'objects' must be an array")
                seen_type = seen_type or expect == "type"
                in_objects = expect == "objects"
                expect = None
            if event in ("start_map", "start_array"):
                if depth == 0 and event != "start_map":
                    raise _envelope_error("the top level must be a JSON object")
                depth += 1
                if depth > MAX_DEPTH:
                    raise InvalidInput(f"JSON nested too deeply (more than {MAX_DEPTH} levels)")
            elif event in ("end_map", "end_array"):
                depth -= 1
                in_objects = in_objects and depth >= 2
            elif event == "map_key" and depth == 1:
                expect = value
            elif depth == 0:
                raise _envelope_error("the top level must be a JSON object")
    except ijson.JSONError as exc:
        raise InvalidInput(f"malformed JSON: {exc}") from None
    if not seen_type:
        raise _envelope_error("property 'type' must be 'bundle'")
    return count


def _stream_items(stream: BinaryIO) -> Iterator[dict]:
    stream.seek(0)
    try:
        yield from ijson.items(stream, "objects.item", use_float=True)
    except ijson.JSONError as exc:  # the scan passed, so only a file changed under us gets here
        raise InvalidInput(f"malformed JSON: {exc}") from None


def open_bundle(stream: BinaryIO) -> tuple[int, Iterable[dict]]:
    """(number of objects, the objects) of the bundle in `stream`, a seekable binary file. Small
    bundles are parsed at once; large ones are checked in one pass, then streamed object by object."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size <= WHOLE_PARSE_BYTES:
        objects = parse_bytes(stream.read())
        return len(objects), objects
    return _scan(stream), _stream_items(stream)


def parse_bytes(data: bytes) -> list:
    """The objects of a bundle held in memory."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if str(exc).startswith("depth limit exceeded"):
            raise InvalidInput(f"JSON nested too deeply ({exc})") from None
        raise InvalidInput(f"malformed JSON: {exc}") from None
    return _check_parsed(doc)
