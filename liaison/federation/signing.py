"""Ed25519 instance keys and the signed-provenance property extension.

An object leaving this instance carries, in the `signed-provenance` extension, the originating
instance's detached signature over the object's canonical JSON without that extension — which is
exactly the form Liaison stores (`raw`), so a version is signed and verified the same way
whichever path it took, and relaying instances pass the origin's signature on untouched.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, insert, select

from liaison import clock
from liaison.db.tables import instance_key, provenance
from liaison.errors import InvalidInput
from liaison.stix.extensions import EXT_IDS

EXTENSION_ID = EXT_IDS["signed-provenance"]


@dataclass(frozen=True)
class Provenance:
    """The extension body: who signed this version, with which key, and the signature."""

    origin: str
    key_id: str
    signature: str
    signed_at: str

    def body(self) -> dict:
        return {"extension_type": "property-extension", "origin": self.origin, "key_id": self.key_id,
                "signature": self.signature, "signed_at": self.signed_at}


@dataclass(frozen=True)
class InstanceKey:
    private: Ed25519PrivateKey
    public_key: str

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    def sign(self, origin: str, canonical: str) -> Provenance:
        signature = base64.b64encode(self.private.sign(canonical.encode())).decode()
        return Provenance(origin, self.key_id, signature, clock.now())


def key_id_of(public_key: str) -> str:
    """The id of a base64 raw Ed25519 public key: the first 16 bytes of its SHA-256, in hex."""
    return hashlib.sha256(decode_public_key(public_key)).hexdigest()[:32]


def decode_public_key(public_key: str) -> bytes:
    try:
        raw = base64.b64decode(public_key, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise InvalidInput("a public key is the base64 of 32 raw Ed25519 bytes (as `liaison keys` prints it)")
    return raw


def _first_key(conn: Connection):
    return conn.execute(select(instance_key).order_by(instance_key.c.id).limit(1)).first()


def load_or_create(conn: Connection) -> InstanceKey:
    """This instance's key pair. The first call makes it in a transaction of its own, committed at
    once, so a caller that only reads (or rolls back) never signs with a key that is then lost."""
    row = _first_key(conn)
    if row is None:
        with conn.engine.begin() as own:
            if _first_key(own) is None:
                private = Ed25519PrivateKey.generate()
                own.execute(insert(instance_key).values(
                    private_key=base64.b64encode(private.private_bytes_raw()).decode(),
                    public_key=base64.b64encode(private.public_key().public_bytes_raw()).decode(),
                    created_at=clock.now()))
            row = _first_key(own)  # the first key wins should two processes race
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(row.private_key))
    return InstanceKey(private, row.public_key)


def signatures_for(conn: Connection, versions: list, origin: str) -> dict[int, Provenance]:
    """Version pk -> provenance for outgoing `versions` (each with `.pk` and its stored `.raw`):
    the origin's stored signature for what came from elsewhere, ours, made now, for the rest."""
    if not versions:
        return {}
    rows = conn.execute(select(provenance).where(provenance.c.version_pk.in_([v.pk for v in versions])))
    stored = {r.version_pk: Provenance(r.origin, r.key_id, r.signature, r.signed_at) for r in rows}
    key = load_or_create(conn)
    return {v.pk: stored.get(v.pk) or key.sign(origin, v.raw) for v in versions}




def split(obj: dict) -> tuple[dict, Provenance | None]:
    """The object without the provenance extension, and the provenance it carried (if any)."""
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict) or EXTENSION_ID not in extensions:
        return obj, None
    body = extensions[EXTENSION_ID]
    rest = {k: v for k, v in extensions.items() if k != EXTENSION_ID}
    stripped = {k: v for k, v in obj.items() if k != "extensions"}
    if rest:
        stripped["extensions"] = rest
    try:
        provenance = Provenance(str(body["origin"]), str(body["key_id"]), str(body["signature"]),
                                str(body["signed_at"]))
    except (KeyError, TypeError):
        raise InvalidInput("malformed signed-provenance extension") from None
    return stripped, provenance


def attach(raw: str, provenance: Provenance) -> bytes:
    """The stored JSON `raw` with the provenance extension added, as bytes."""
    obj = orjson.loads(raw)
    obj.setdefault("extensions", {})[EXTENSION_ID] = provenance.body()
    return orjson.dumps(obj)


def verify(public_key: str, canonical_json: str, provenance: Provenance) -> bool:
    """Whether `provenance` is a valid signature by `public_key` over `canonical_json`."""
    try:
        signature = base64.b64decode(provenance.signature, validate=True)
        Ed25519PublicKey.from_public_bytes(decode_public_key(public_key)).verify(signature, canonical_json.encode())
    except (InvalidSignature, ValueError, InvalidInput):
        return False
    return True
