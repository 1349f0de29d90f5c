"""The place table kept on disk between processes: read back as built, rebuilt when damaged."""

from __future__ import annotations

from liaison.ingest.extract.gazetteer import Place
from liaison.ingest.extract.gazetteer.cache import cached_places

KABUL = Place("Kabul", "city", "AF", 34.52813, 69.17233, 1138958)
AFGHAN = Place("Afghanistan", "country", "AF", demonym=True)


def test_built_once_then_read_back_equal(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    builds = []

    def build():
        builds.append(1)
        return {"Kabul": KABUL, "Afghan": AFGHAN, "Afghans": AFGHAN}

    first = cached_places(Place, build)
    second = cached_places(Place, build)
    assert first == second == build() and len(builds) == 2  # the second call read the file
    (written,) = (tmp_path / "liaison").glob("gazetteer-*.json")
    written.write_text('{"places": [["half a record"]], "forms": {"Kabul": 7}}')
    assert cached_places(Place, build) == first and len(builds) == 3  # damaged: built again
