"""The signed-provenance property extension (defined in `stix/extensions.py`) and the Ed25519
instance keys that sign it. No database here: the TAXII server, which signs what partners read,
and federation, which signs what it pushes and verifies what it pulls, both use this module.

An object leaving an instance carries, in the extension, the originating instance's detached
signature over the object's canonical JSON without that extension — which is exactly the form
Liaison stores (`raw`), so a version is signed and verified the same way whichever path it took,
and relaying instances pass the origin's signature on untouched.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from liaison import clock
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
        return {
            "extension_type": "property-extension",
            "origin": self.origin,
            "key_id": self.key_id,
            "signature": self.signature,
            "signed_at": self.signed_at,
        }


@dataclass(frozen=True)
class InstanceKey:
    private: Ed25519PrivateKey
    public_key: str

    @classmethod
    def generate(cls) -> InstanceKey:
        private = Ed25519PrivateKey.generate()
        return cls(private, base64.b64encode(private.public_key().public_bytes_raw()).decode())

    @classmethod
    def from_stored(cls, private_key: str, public_key: str) -> InstanceKey:
        """The key from its stored form: both halves as base64 of the raw bytes."""
        return cls(Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key)), public_key)

    @property
    def private_key(self) -> str:
        """The private half as stored: base64 of the raw bytes."""
        return base64.b64encode(self.private.private_bytes_raw()).decode()

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
        provenance = Provenance(
            str(body["origin"]), str(body["key_id"]), str(body["signature"]), str(body["signed_at"])
        )
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
