"""Synthetic bundles shaped like MITRE ATT&CK's STIX 2.1 releases, for tests and benchmarks.

The proportions follow the enterprise release: about four objects in five are relationships;
the rest are techniques (with sub-techniques and kill-chain phases), software, groups,
campaigns, mitigations, data sources and components, and the custom `x-mitre-tactic`,
`x-mitre-matrix` and `x-mitre-collection` objects, all created by one identity under one
statement marking that has `created` but no `modified`. A few techniques are revoked, a few
deprecated. Everything is generated from a seed, so a bundle can be rebuilt exactly.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from liaison.stix.timestamps import format_ts, parse_ts

#: Share of each SDO kind among all objects; relationships fill the rest.
_SHARES = {
    "attack-pattern": 0.09,
    "malware": 0.045,
    "course-of-action": 0.02,
    "intrusion-set": 0.015,
    "tool": 0.008,
    "campaign": 0.004,
    "x-mitre-data-component": 0.008,
    "x-mitre-data-source": 0.003,
}
_TACTICS = (
    "reconnaissance",
    "resource-development",
    "initial-access",
    "execution",
    "persistence",
    "privilege-escalation",
    "defense-evasion",
    "credential-access",
    "discovery",
    "lateral-movement",
    "collection",
    "command-and-control",
    "exfiltration",
    "impact",
)
_PLATFORMS = ("Windows", "Linux", "macOS", "Network", "Containers", "IaaS", "SaaS", "Office Suite")
_WORDS = (
    "adversaries",
    "may",
    "abuse",
    "legitimate",
    "credentials",
    "services",
    "to",
    "gain",
    "access",
    "remote",
    "systems",
    "and",
    "execute",
    "commands",
    "through",
    "scheduled",
    "tasks",
    "hide",
    "artifacts",
    "collect",
    "data",
    "from",
    "local",
    "network",
    "shares",
    "before",
    "exfiltration",
)
_EPOCH = datetime(2017, 5, 31, tzinfo=UTC)


class _Maker:
    def __init__(self, seed: int, domain: str):
        self.rng = random.Random(seed)
        self.domain = domain
        self.identity = self.id("identity")
        self.marking = self.id("marking-definition")
        self.counter = 0

    def id(self, kind: str) -> str:
        return f"{kind}--{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"

    def stamp(self, after: str | None = None) -> str:
        base = parse_ts(after) if after else _EPOCH
        moment = base + timedelta(seconds=self.rng.randrange(0, 3 * 365 * 86400), milliseconds=self.rng.randrange(1000))
        return format_ts(moment, millis=True)

    def text(self, words: int) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(words)).capitalize() + "."

    def common(self, kind: str, **props) -> dict:
        created = self.stamp()
        obj = {
            "type": kind,
            "spec_version": "2.1",
            "id": props.pop("id", None) or self.id(kind),
            "created": created,
            "modified": self.stamp(created),
            "created_by_ref": self.identity,
            "object_marking_refs": [self.marking],
            "x_mitre_attack_spec_version": "3.2.0",
            "x_mitre_modified_by_ref": self.identity,
            "x_mitre_domains": [self.domain],
        }
        obj.update(props)
        return obj

    def reference(self, prefix: str, path: str) -> list[dict]:
        self.counter += 1
        external_id = f"{prefix}{self.counter:04d}"
        return [
            {
                "source_name": "mitre-attack",
                "external_id": external_id,
                "url": f"https://attack.example.org/{path}/{external_id}",
            },
            {
                "source_name": f"Report {self.rng.randrange(1, 900)}",
                "description": self.text(6),
                "url": f"https://reports.example.org/{self.rng.randrange(10**6)}",
            },
        ]


def _identity_and_marking(m: _Maker) -> list[dict]:
    return [
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": m.identity,
            "created": "2017-06-01T00:00:00.000Z",
            "modified": "2017-06-01T00:00:00.000Z",
            "name": "The MITRE-like Corporation",
            "identity_class": "organization",
            "object_marking_refs": [m.marking],
            "x_mitre_attack_spec_version": "3.2.0",
            "x_mitre_domains": [m.domain],
            "x_mitre_version": "1.0",
        },
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": m.marking,
            "created": "2017-06-01T00:00:00.000Z",
            "created_by_ref": m.identity,
            "definition_type": "statement",
            "definition": {"statement": "Copyright the synthetic ATT&CK authors; generated for tests."},
            "x_mitre_attack_spec_version": "3.2.0",
            "x_mitre_domains": [m.domain],
        },
    ]


def _sdo(m: _Maker, kind: str, tactics: list[dict]) -> dict:
    name = m.text(3)[:-1]
    if kind == "attack-pattern":
        phases = m.rng.sample(tactics, k=m.rng.randint(1, 2))
        return m.common(
            kind,
            name=name,
            description=m.text(40),
            external_references=m.reference("T", "techniques"),
            kill_chain_phases=[
                {"kill_chain_name": "mitre-attack", "phase_name": t["x_mitre_shortname"]} for t in phases
            ],
            x_mitre_platforms=m.rng.sample(_PLATFORMS, k=m.rng.randint(1, 4)),
            x_mitre_version="1.2",
            x_mitre_is_subtechnique=m.rng.random() < 0.6,
            x_mitre_detection=m.text(20),
            x_mitre_data_sources=["Process: Process Creation", "Command: Command Execution"],
            x_mitre_deprecated=m.rng.random() < 0.03,
            revoked=False,
        )
    if kind in ("malware", "tool"):
        extra = {"is_family": True} if kind == "malware" else {}
        return m.common(
            kind,
            name=name,
            description=m.text(25),
            external_references=m.reference("S", "software"),
            x_mitre_aliases=[name, m.text(1)[:-1]],
            x_mitre_platforms=list(_PLATFORMS[:2]),
            x_mitre_version="1.1",
            revoked=False,
            **extra,
        )
    if kind == "intrusion-set":
        return m.common(
            kind,
            name=name,
            description=m.text(30),
            aliases=[name, m.text(2)[:-1]],
            external_references=m.reference("G", "groups"),
            x_mitre_version="2.0",
            revoked=False,
        )
    if kind == "campaign":
        first = m.stamp()
        return m.common(
            kind,
            name=name,
            description=m.text(20),
            aliases=[name],
            first_seen=first,
            last_seen=m.stamp(first),
            x_mitre_first_seen_citation="(Citation: Report 1)",
            x_mitre_last_seen_citation="(Citation: Report 2)",
            external_references=m.reference("C", "campaigns"),
            x_mitre_version="1.0",
            revoked=False,
        )
    if kind == "course-of-action":
        return m.common(
            kind,
            name=name,
            description=m.text(25),
            external_references=m.reference("M", "mitigations"),
            x_mitre_version="1.0",
            revoked=False,
        )
    if kind == "x-mitre-data-source":
        return m.common(
            kind,
            name=name,
            description=m.text(15),
            external_references=m.reference("DS", "datasources"),
            x_mitre_platforms=list(_PLATFORMS[:3]),
            x_mitre_collection_layers=["Host"],
            x_mitre_version="1.0",
            revoked=False,
        )
    raise ValueError(kind)


def attack_shaped_objects(n: int, seed: int = 0, domain: str = "enterprise-attack") -> Iterator[dict]:
    """Exactly `n` objects (n ≥ 40) in ATT&CK's proportions, in a fixed order for a given seed."""
    if n < 40:
        raise ValueError("an ATT&CK-shaped bundle needs at least 40 objects")
    m = _Maker(seed, domain)
    head = _identity_and_marking(m)
    tactics = [
        m.common(
            "x-mitre-tactic",
            name=t.replace("-", " ").title(),
            description=m.text(12),
            x_mitre_shortname=t,
            external_references=m.reference("TA", "tactics"),
            x_mitre_version="1.0",
        )
        for t in _TACTICS
    ]
    matrix = m.common(
        "x-mitre-matrix",
        name="Enterprise ATT&CK",
        description=m.text(10),
        tactic_refs=[t["id"] for t in tactics],
        external_references=m.reference("X", "matrices"),
        x_mitre_version="1.0",
    )
    budget = n - len(head) - len(tactics) - 2  # the matrix and the collection
    counts = {kind: max(1, int(budget * share)) for kind, share in _SHARES.items()}
    by_kind: dict[str, list[dict]] = {kind: [] for kind in _SHARES}
    for kind, count in counts.items():
        if kind == "x-mitre-data-component":
            continue
        by_kind[kind] = [_sdo(m, kind, tactics) for _ in range(count)]
    for _ in range(counts["x-mitre-data-component"]):
        by_kind["x-mitre-data-component"].append(
            m.common(
                "x-mitre-data-component",
                name=m.text(2)[:-1],
                description=m.text(12),
                x_mitre_data_source_ref=m.rng.choice(by_kind["x-mitre-data-source"])["id"],
                x_mitre_version="1.0",
            )
        )
    techniques = by_kind["attack-pattern"]
    revoked = techniques[: min(len(techniques) - 1, max(1, len(techniques) // 60))]
    for technique in revoked:
        technique["revoked"] = True
    sdos = [obj for kind in _SHARES for obj in by_kind[kind]]
    everything = [*head, *tactics, matrix, *sdos]
    collection = m.common(
        "x-mitre-collection",
        name="Enterprise ATT&CK (synthetic)",
        description=m.text(10),
        x_mitre_version="15.1",
        x_mitre_contents=[
            {"object_ref": o["id"], "object_modified": o.get("modified", o["created"])} for o in everything
        ],
    )

    yield from everything
    yield collection
    live = techniques[len(revoked) :]
    actors = by_kind["intrusion-set"] + by_kind["campaign"] + by_kind["malware"] + by_kind["tool"]
    rules = [
        ("uses", actors, live),
        ("mitigates", by_kind["course-of-action"], live),
        ("detects", by_kind["x-mitre-data-component"], live),
        ("subtechnique-of", live, live),
        ("uses", by_kind["intrusion-set"], by_kind["malware"] + by_kind["tool"]),
        ("attributed-to", by_kind["campaign"], by_kind["intrusion-set"]),
    ]
    weights = (70, 12, 8, 6, 3, 1)
    for i in range(n - len(everything) - 1):
        if i < len(revoked):
            kind, source, target = "revoked-by", revoked[i], m.rng.choice(live)
        else:
            kind, sources, targets = m.rng.choices(rules, weights)[0]
            source, target = m.rng.choice(sources), m.rng.choice(targets)
        yield m.common(
            "relationship",
            relationship_type=kind,
            source_ref=source["id"],
            target_ref=target["id"],
            description=f"[{source['name']}] {m.text(12)} (Citation: Report {m.rng.randrange(900)})",
            external_references=m.reference("R", "relationships")[1:],
            x_mitre_version="1.0",
            revoked=False,
        )


def attack_shaped_bundle(n: int, seed: int = 0, domain: str = "enterprise-attack") -> dict:
    """A whole bundle of `n` ATT&CK-shaped objects."""
    rng = random.Random(seed ^ 0x5EED)
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "objects": list(attack_shaped_objects(n, seed, domain)),
    }


def write_attack_shaped_file(path: Path, n: int, seed: int = 0) -> int:
    """Write a bundle of `n` objects to `path` without holding it all in memory; returns its size."""
    rng = random.Random(seed ^ 0x5EED)
    with open(path, "wb") as out:
        out.write(
            b'{"type": "bundle", "id": "bundle--%s", "objects": [\n'
            % str(uuid.UUID(int=rng.getrandbits(128), version=4)).encode()
        )
        for i, obj in enumerate(attack_shaped_objects(n, seed)):
            out.write((b",\n" if i else b"") + orjson.dumps(obj))
        out.write(b"\n]}\n")
    return Path(path).stat().st_size
