"""This instance's signing key, and the origin's signature kept beside each received version.

Principal-free by design: the key is the instance's own, and signatures are read only for versions
the caller already read through the visibility predicates (by their primary keys)."""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, insert, select, update

from liaison import clock
from liaison.db.tables import instance_key as key_table
from liaison.db.tables import provenance
from liaison.stix.provenance import InstanceKey, Provenance
from liaison.store.chunks import chunks
from liaison.store.ingest import version_pks


def _first_key(conn: Connection):
    return conn.execute(select(key_table).order_by(key_table.c.id).limit(1)).first()


def stored_key(conn: Connection) -> InstanceKey | None:
    """This instance's key pair if it has been made, without making it: for pages that show it
    after their transaction wrote (making it then would wait on SQLite for the lock that
    transaction holds)."""
    row = _first_key(conn)
    return InstanceKey.from_stored(row.private_key, row.public_key) if row else None


def instance_key(conn: Connection) -> InstanceKey:
    """This instance's key pair. The first call makes it in a transaction of its own, committed at
    once (apart from the caller's), so a caller that only reads, or rolls back, never signs with a
    key that is then lost. Ask for it before the caller's transaction writes: on SQLite, that
    transaction would hold the one writer lock the key's own transaction waits for."""
    row = _first_key(conn)
    if row is None:
        with conn.engine.begin() as own:
            if _first_key(own) is None:
                made = InstanceKey.generate()
                own.execute(
                    insert(key_table).values(
                        private_key=made.private_key, public_key=made.public_key, created_at=clock.now()
                    )
                )
            row = _first_key(own)  # the first key wins should two processes race
    return InstanceKey.from_stored(row.private_key, row.public_key)


def signatures(conn: Connection, pks: list[int]) -> dict[int, Provenance]:
    """Version pk -> the origin's signature kept for it, for those of the versions `pks` that have one."""
    found = {}
    for part in chunks(pks):
        for r in conn.execute(select(provenance).where(provenance.c.version_pk.in_(part))):
            found[r.version_pk] = Provenance(r.origin, r.key_id, r.signature, r.signed_at)
    return found


def keep_signatures(conn: Connection, signed: dict[tuple[str, str, str], Provenance]) -> None:
    """Keep the origin's signature beside each stored content (by (stix_id, modified, digest))
    that has none yet."""
    if not signed:
        return
    pks = version_pks(conn, set(signed))
    have = set(signatures(conn, list(pks.values())))
    new = [
        {
            "version_pk": pks[key],
            "origin": p.origin,
            "key_id": p.key_id,
            "signature": p.signature,
            "signed_at": p.signed_at,
        }
        for key, p in signed.items()
        if key in pks and pks[key] not in have
    ]
    if new:
        conn.execute(provenance.insert(), new)


def signatures_for(conn: Connection, versions: list, origin: str) -> dict[int, Provenance]:
    """Version pk -> the provenance each outgoing version (with `.pk` and its stored `.raw`) carries:
    the origin's kept signature for what came from elsewhere, ours (`origin`), made now, for the rest.
    Used by the TAXII server for what partners read and by federation for what it pushes."""
    if not versions:
        return {}
    stored = signatures(conn, [v.pk for v in versions])
    key = instance_key(conn)
    return {v.pk: stored.get(v.pk) or key.sign(origin, v.raw) for v in versions}


def psi_key(conn: Connection) -> bytes:
    """The secret (32 bytes) of this instance's oblivious PRF for partners' hit queries, made once
    like the instance key (in a transaction of its own, before the caller's writes) and kept, so
    that the encrypted sets partners match against can be cached between queries."""
    row = _first_key(conn)
    if row is None or row.psi_key is None:
        instance_key(conn)
        with conn.engine.begin() as own:
            own.execute(update(key_table).where(key_table.c.psi_key.is_(None)).values(psi_key=secrets.token_hex(32)))
            row = _first_key(own)  # the first secret wins should two processes race
    return bytes.fromhex(row.psi_key)
