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
from liaison.db.tables import instance_key
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


def load_or_create(conn: Connection) -> InstanceKey:
    """This instance's key pair, made on first use."""
    row = conn.execute(select(instance_key).order_by(instance_key.c.id).limit(1)).first()
    if row is None:
        private = Ed25519PrivateKey.generate()
        seed = private.private_bytes_raw()
        public = base64.b64encode(private.public_key().public_bytes_raw()).decode()
        conn.execute(insert(instance_key).values(private_key=base64.b64encode(seed).decode(), public_key=public,
                                                 created_at=clock.now()))
        return InstanceKey(private, public)
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(row.private_key))
    return InstanceKey(private, row.public_key)


def canonical(obj: dict) -> str:
    """The canonical JSON Liaison stores and signs: keys sorted, compact, UTF-8."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()


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
