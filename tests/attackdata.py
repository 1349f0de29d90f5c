"""MITRE's ATT&CK releases in ../shared/data/attack (see its README), for tests that read real data
and skip without it."""

from __future__ import annotations

import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "attack"


def releases(domain: str) -> list[Path]:
    """The domain's release files, oldest first (by version number, so 9.0 before 10.0)."""
    found = DATA.glob(f"{domain}-*.json")
    return sorted(found, key=lambda p: tuple(int(n) for n in re.findall(r"\d+", p.stem)))
