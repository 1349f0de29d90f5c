"""Set-based writes of prepared object versions and the holdings that share them.

What an organisation received is what it holds. Its holdings of one (stix_id, modified) point at
one content: a different content under the same key is a correction, which the organisation's
holdings move to (the replaced ones stay, superseded, as history); a content it received before is
a no-op, so re-importing an old release changes nothing. Other organisations' holdings keep what
they received. Each organisation's holdings of an id are its own chain: revocation and `modified`
order count within it, so nothing another organisation imports stops the owner versioning.

Nothing in a write's answer depends on what the caller may not see: a content stored only for
others counts as new, exactly as one never stored.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import ARRAY, Connection, String, bindparam, func, select, update

from liaison import clock
from liaison.access.predicate import visible
from liaison.access.principal import Principal
from liaison.db.bulk import insert_rows
from liaison.db.tables import edge, holding, name_key, object_label, object_version, posting, posting_exposure
from liaison.errors import InvalidInput
from liaison.stix import tlp
from liaison.stix.validate import ENDPOINTS
from liaison.store import events, exposure
from liaison.store.chunks import chunks
from liaison.store.search import index_documents
from liaison.store.stamps import date_added_stamps, take_write_lock
from liaison.store.tenancy import audience_kinds

_VERSION_COLUMNS = (
    "stix_id",
    "modified",
    "type",
    "spec_version",
    "created",
    "revoked",
    "tlp",
    "name",
    "created_by_ref",
    "raw",
    "digest",
    "owner_org_id",
)
_HOLDING_COLUMNS = ("version_pk", "org_id", "audience_id", "added_at", "added_by", "superseded_at")

V = object_version


def digest_of(raw: str) -> str:
    """The SHA-256 of a canonical JSON content, which tells its corrections apart."""
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(slots=True)
class PreparedVersion:
    """A validated STIX object version with its canonical JSON and derived index columns."""

    index: int
    stix_id: str
    modified: str
    type: str
    spec_version: str | None
    created: str | None
    revoked: bool
    tlp: str | None
    name: str | None
    created_by_ref: str | None
    raw: str
    labels: list[str]
    refs: list[tuple[str, str]]
    relationship_type: str | None = None
    digest: str = ""
    #: (names, body) for the text index (store.search.document).
    document: tuple[str, str] = ("", "")
    #: The correlation postings, (kind, key) each once (stix.values.postings).
    postings: tuple[tuple[str, str], ...] = ()
    #: The names as search keys, (key, position, skeleton) (stix.names.name_keys).
    name_keys: tuple[tuple[str, int, str], ...] = ()

    def __post_init__(self) -> None:
        self.digest = self.digest or digest_of(self.raw)

    def row(self, owner_org_id: int | None) -> tuple:
        """The object_version row, in _VERSION_COLUMNS order."""
        return (
            self.stix_id,
            self.modified,
            self.type,
            self.spec_version,
            self.created,
            self.revoked,
            self.tlp,
            self.name,
            self.created_by_ref,
            self.raw,
            self.digest,
            owner_org_id,
        )


@dataclass(slots=True)
class WriteResult:
    """What a batch changed, as the caller may know it: contents it could not see before, holdings
    added (a new audience for what the organisation holds counts here), corrections (its holding
    moved to a new content of the same version), contents it already held with that audience, and
    contents it had received before and since corrected (left as they are)."""

    new_versions: int = 0
    new_holdings: int = 0
    corrections: int = 0
    already_held: int = 0
    already_received: int = 0


def version_pks(conn: Connection, keys: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], int]:
    """The primary keys of the stored contents among `keys` ((stix_id, modified, digest))."""
    columns = [V.c.stix_id, V.c.modified, V.c.digest, V.c.pk]
    return {
        (stix_id, modified, digest): pk
        for stix_id, modified, digest, pk in _rows_for_ids(conn, columns, list({key[0] for key in keys}))
        if (stix_id, modified, digest) in keys
    }


def _rows_for_ids(conn: Connection, columns: list, stix_ids: list[str]):
    """object_version rows (the given columns) whose stix_id is one of `stix_ids`. PostgreSQL gets
    one join with the unnested array, which it plans as index probes even while the table's
    statistics are stale during a large import; SQLite gets IN lists within its parameter limit."""
    if conn.dialect.name == "postgresql":
        wanted = (
            func.unnest(bindparam("ids", stix_ids, type_=ARRAY(String)))
            .table_valued("id")
            .render_derived(name="wanted")
        )
        yield from conn.execute(select(*columns).select_from(wanted.join(V, V.c.stix_id == wanted.c.id)))
        return
    for part in chunks(stix_ids):
        yield from conn.execute(select(*columns).where(V.c.stix_id.in_(part)))


class _Content(NamedTuple):
    pk: int
    seen: bool  # visible to the principal
    revoked: bool


class _Chain(NamedTuple):
    """An organisation's holdings of one (stix_id, modified)."""

    live_pk: int | None
    live_digest: str | None
    revoked: bool
    audiences: frozenset[int]
    received: frozenset[str]  # digests of every content it held there, live or superseded


def _stored(conn: Connection, principal: Principal, stix_ids: list[str]):
    """What is stored of these ids: {(id, modified, digest): _Content} and {id: owner org id}.
    Existence keeps the key unique and the owner fixed; only visibility informs the caller."""
    columns = [
        V.c.stix_id,
        V.c.modified,
        V.c.digest,
        V.c.pk,
        V.c.owner_org_id,
        V.c.revoked,
        visible(principal, V.c.pk).label("seen"),
    ]
    contents, owners = {}, {}
    for stix_id, modified, digest, pk, owner, revoked, seen in _rows_for_ids(conn, columns, stix_ids):
        contents[(stix_id, modified, digest)] = _Content(pk, bool(seen), bool(revoked))
        owners[stix_id] = owner
    return contents, owners


def _chains(
    conn: Connection, org_id: int, contents: dict[tuple[str, str, str], _Content]
) -> dict[tuple[str, str], _Chain]:
    """(stix_id, modified) -> organisation `org_id`'s holdings there, among the stored `contents`.
    Holdings are looked up by version key in chunks: a join would be planned on statistics that
    go stale while one large import grows the tables, and walk every holding for each row."""
    by_pk = {content.pk: (key, content.revoked) for key, content in contents.items()}
    rows: dict[tuple[str, str], list] = defaultdict(list)
    for part in chunks(sorted(by_pk)):
        for pk, audience_id, superseded in conn.execute(
            select(holding.c.version_pk, holding.c.audience_id, holding.c.superseded_at).where(
                holding.c.org_id == org_id, holding.c.version_pk.in_(part)
            )
        ):
            (stix_id, modified, digest), revoked = by_pk[pk]
            rows[(stix_id, modified)].append((digest, pk, revoked, audience_id, superseded))
    chains = {}
    for key, found in rows.items():
        live = [
            (digest, pk, revoked, audience_id)
            for digest, pk, revoked, audience_id, superseded in found
            if superseded is None
        ]
        chains[key] = _Chain(
            live[0][1] if live else None,
            live[0][0] if live else None,
            bool(live and live[0][2]),
            frozenset(a for *_, a in live),
            frozenset(digest for digest, *_ in found),
        )
    return chains


def _check_revocation(versions: list[PreparedVersion], chains: dict[tuple[str, str], _Chain]) -> None:
    """A revoked object gets no later versions (STIX 2.1 §3.6), within the organisation's chain,
    except later revoked ones: producers re-issue revocations (ATT&CK does in nearly every
    release), and those bring nothing back."""
    revoked_at: dict[str, str] = {}
    for (stix_id, modified), chain in chains.items():
        if chain.revoked and modified < revoked_at.get(stix_id, "~"):
            revoked_at[stix_id] = modified
    for v in versions:
        if v.revoked and v.modified < revoked_at.get(v.stix_id, "~"):
            revoked_at[v.stix_id] = v.modified
    for v in versions:
        cut = revoked_at.get(v.stix_id)
        if cut is not None and v.modified > cut and not v.revoked:
            raise InvalidInput(
                f"object #{v.index} ({v.stix_id}): it was revoked at {cut}; revoked objects get no later versions",
                index=v.index,
                object_id=v.stix_id,
            )


@dataclass(slots=True)
class _Move:
    """A content the organisation now holds at a key, with its audiences; `superseded` when a
    later content of the same batch corrected it in turn."""

    version: PreparedVersion
    audiences: frozenset[int]
    superseded: bool = False
    #: The audiences that held another content of the same version, live, before it: to them it is
    #: a correction; to an audience that never held the replaced content, it is a version.
    corrects: frozenset[int] = frozenset()


@dataclass(slots=True)
class _Key:
    """Where the organisation's chain stands at one (stix_id, modified) while the batch is applied."""

    live_digest: str | None
    audiences: frozenset[int]
    received: set[str]
    stored_live: int | None  # the live content held before the batch
    move: _Move | None = None


def write_batch(
    conn: Connection,
    principal: Principal,
    versions: list[PreparedVersion],
    *,
    org_id: int,
    audience_id: int,
    owner_of_new: dict[str, int | None],
) -> WriteResult:
    """Store `versions` for organisation `org_id` and share them with `audience_id`; contents of
    one (stix_id, modified) apply in their order, each correcting the one before. A correction is
    held for the audiences of the content it replaces that its TLP allows (and `audience_id`).
    `owner_of_new` names the owner of ids stored for the first time: the local organisation their
    created_by_ref names. Ids no local organisation created have none (each holder its own chain):
    an owner taken from whoever stored an id first could be claimed in advance for ids anyone can
    compute (SCOs, public data), and would tell later importers that the id exists."""
    result = WriteResult()
    # Whole batches are serialised: what is read below decides what is written, so two imports of
    # one version at once could otherwise both hold it live.
    take_write_lock(conn)
    stix_ids = list({v.stix_id for v in versions})
    contents, owners = _stored(conn, principal, stix_ids)
    chains = _chains(conn, org_id, contents)
    _check_revocation(versions, chains)

    kinds = audience_kinds(conn, {audience_id, *(a for chain in chains.values() for a in chain.audiences)}, org_id)
    keys: dict[tuple[str, str], _Key] = {}
    fresh: dict[tuple[str, str, str], PreparedVersion] = {}
    share: list[int] = []  # contents held before the batch, gaining the audience
    moves: list[_Move] = []
    superseded: list[int] = []
    for v in versions:
        state = keys.get((v.stix_id, v.modified))
        if state is None:
            chain = chains.get((v.stix_id, v.modified))
            state = keys[(v.stix_id, v.modified)] = (
                _Key(chain.live_digest, chain.audiences, set(chain.received), chain.live_pk)
                if chain
                else _Key(None, frozenset(), set(), None)
            )
        if state.live_digest == v.digest:
            if audience_id in state.audiences:
                result.already_held += 1
            else:
                share.append(state.stored_live)
                state.audiences |= {audience_id}
            continue
        if v.digest in state.received:
            result.already_received += 1
            continue
        stored = contents.get((v.stix_id, v.modified, v.digest))
        if stored is None:
            fresh[(v.stix_id, v.modified, v.digest)] = v
        if stored is None or not stored.seen:
            result.new_versions += 1
        if state.live_digest is not None:
            result.corrections += 1
            if state.move is not None:
                state.move.superseded = True
            else:
                superseded.append(state.stored_live)
        kept = frozenset(a for a in state.audiences if tlp.allows(v.tlp, kinds[a]))
        # Told as a correction only to audiences that held a stored content it replaces: one
        # replaced within this batch was never told to anyone.
        if state.live_digest is None:
            corrects = frozenset()
        elif state.move is not None:
            corrects = state.move.corrects & kept
        else:
            corrects = kept
        state.move = _Move(v, kept | {audience_id}, corrects=corrects)
        moves.append(state.move)
        state.live_digest, state.audiences = v.digest, state.move.audiences
        state.received.add(v.digest)

    pk_of = {key: content.pk for key, content in contents.items()}
    new_postings: list[tuple[int, str, str]] = []
    if fresh:
        insert_rows(
            conn,
            V,
            _VERSION_COLUMNS,
            [v.row(owners.setdefault(v.stix_id, owner_of_new.get(v.stix_id))) for v in fresh.values()],
        )
        new_pks = version_pks(conn, set(fresh))
        pk_of.update(new_pks)
        index_documents(conn, [(new_pks[key], v.document) for key, v in fresh.items()])
        insert_rows(
            conn,
            object_label,
            ("version_pk", "label"),
            ((new_pks[key], label) for key, v in fresh.items() for label in dict.fromkeys(v.labels)),
        )
        insert_rows(
            conn,
            edge,
            ("version_pk", "prop", "target_id", "relationship_type"),
            (
                # Relationship edges carry the relationship type; other embedded refs do not.
                (new_pks[key], prop, target, v.relationship_type if prop in ENDPOINTS else None)
                for key, v in fresh.items()
                for prop, target in v.refs
            ),
        )
        # In the secondary index's order: the new rows all go at the primary key's end anyway.
        new_postings = sorted(
            ((new_pks[key], kind, value) for key, v in fresh.items() for kind, value in v.postings),
            key=itemgetter(1, 2),
        )
        insert_rows(conn, posting, ("version_pk", "kind", "key"), new_postings)
        insert_rows(
            conn,
            name_key,
            ("key", "version_pk", "position", "skeleton"),
            ((k, new_pks[key], position, folded) for key, v in fresh.items() for k, position, folded in v.name_keys),
        )

    now = clock.now()
    for part in chunks(superseded):
        conn.execute(
            update(holding)
            .where(holding.c.org_id == org_id, holding.c.version_pk.in_(part), holding.c.superseded_at.is_(None))
            .values(superseded_at=now)
        )

    # A content shared with the audience and then corrected in the same batch is held for it as
    # history only, like the content's other holdings: never live beside its correction.
    corrected = set(superseded)
    new_holdings = [(pk, audience_id, now if pk in corrected else None) for pk in share]
    for move in moves:
        pk = pk_of[(move.version.stix_id, move.version.modified, move.version.digest)]
        new_holdings += [(pk, a, now if move.superseded else None) for a in sorted(move.audiences)]
    stamps = date_added_stamps(conn, len(new_holdings))
    insert_rows(
        conn,
        holding,
        _HOLDING_COLUMNS,
        (
            (pk, org_id, audience, stamp, principal.user_id, gone)
            for (pk, audience, gone), stamp in zip(new_holdings, stamps, strict=True)
        ),
    )
    _expose(conn, fresh, new_postings, pk_of, [pk for pk in share if pk not in corrected], moves, superseded)
    events.record(conn, _events(fresh, pk_of, [pk for pk in share if pk not in corrected], moves, audience_id), org_id)
    result.new_holdings = len(share) + len(moves)
    return result


def _events(
    fresh: dict, pk_of: dict, share: list[int], moves: list[_Move], audience_id: int
) -> list[tuple[str, int, int]]:
    """The outbox's events of a batch (store.events), one per live holding made: a new version, a
    correction, or a stored content shared with one more audience."""
    found = [("shared", pk, audience_id) for pk in share]
    for move in moves:
        if move.superseded:
            continue
        key = (move.version.stix_id, move.version.modified, move.version.digest)
        first = "version" if key in fresh else "shared"
        found += [("corrected" if a in move.corrects else first, pk_of[key], a) for a in sorted(move.audiences)]
    return found


def _expose(
    conn: Connection,
    fresh: dict,
    new_postings: list[tuple[int, str, str]],
    pk_of: dict,
    share: list[int],
    moves: list[_Move],
    superseded: list[int],
):
    """Keep posting_exposure in step with the batch's holdings: rows of new contents written as
    they are (no other holding can share them yet), those of stored contents that gained a live
    audience added from their postings, and those of contents whose live holding a correction
    superseded made again from what stays live. New contents' rows come from their postings
    (`new_postings`, (pk, kind, key) in (kind, key) order) audience by audience, so each
    audience's rows are already in the table's key order."""
    live: dict[int, set[int]] = {}
    stored_pks = set(share)
    for move in moves:
        if move.superseded:
            continue
        key = (move.version.stix_id, move.version.modified, move.version.digest)
        if key in fresh:
            live.setdefault(pk_of[key], set()).update(move.audiences)
        else:
            stored_pks.add(pk_of[key])
    audiences = sorted(set().union(*live.values()))
    insert_rows(
        conn,
        posting_exposure,
        ("kind", "audience_id", "key", "version_pk"),
        [(kind, a, key, pk) for a in audiences for pk, kind, key in new_postings if a in live.get(pk, ())],
    )
    exposure.expose(conn, stored_pks)
    exposure.refresh(conn, superseded)
