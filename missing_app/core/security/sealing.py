"""How each user's copy of the database key is kept: sealed to their own key pair.

Every user has an X25519 key pair. The private half is encrypted (AES-256-GCM) with a key
derived from their password (argon2id, then HKDF); the database key is sealed to the public
half (X25519 with a fresh ephemeral key, HKDF, AES-256-GCM). So an administrator who holds
the database key can seal a NEW key to every remaining user without knowing their
passwords: that is how the key is changed when a user is removed (rekey.py).

Everything is bound to its user: the user name, the format, the KDF parameters and the
public key are the associated data of both encryptions, and a binding (HMAC under a key
derived from the database key) ties the public key to the user name, so an entry copied
under another name, a swapped public key or a flipped bit is refused, never a wrong key.
Each key is derived for one purpose only (HKDF with its own label).

The first format (XOR with the argon2id output, an HMAC check value) is still read, so that
an existing keyring opens once more and is converted at that user's next sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from missing_app.core.security import passwords
from missing_app.core.security.passwords import KdfCost

FORMAT = 2
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
LEGACY_CHECK_LABEL = b"homeward-key-check"


@dataclass(frozen=True)
class SealedKey:
    """One user's entry: their private key under their password, the data key sealed."""

    username: str
    cost: KdfCost
    salt: bytes  # argon2id salt
    nonce: bytes  # of the private key's encryption
    private: bytes  # X25519 private key, AES-GCM (32 + 16 bytes)
    public: bytes  # X25519 public key
    ephemeral: bytes  # the sealer's one-time public key
    key_nonce: bytes  # of the data key's encryption
    sealed: bytes  # the data key, AES-GCM (32 + 16 bytes)
    binding: bytes  # HMAC of the user name and public key under the data key's binding key


@dataclass(frozen=True)
class LegacyKey:
    """An entry of the first format, read once to convert it (never written)."""

    username: str
    cost: KdfCost
    salt: bytes
    wrapped: bytes
    check: bytes


WrappedKey = SealedKey | LegacyKey


def _hkdf(secret: bytes, purpose: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=b"homeward/2/" + purpose).derive(secret)


def _aead(key: bytes):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _private_ad(username: str, cost: KdfCost, public: bytes) -> bytes:
    kdf = f"argon2id t={cost.time_cost} m={cost.memory_kib} p={cost.parallelism}"
    return b"\0".join([b"homeward private key", str(FORMAT).encode(), username.encode(),
                       kdf.encode(), public])  # fmt: skip


def _sealed_ad(username: str, public: bytes, ephemeral: bytes) -> bytes:
    return b"\0".join([b"homeward data key", str(FORMAT).encode(), username.encode(), public,
                       ephemeral])  # fmt: skip


def binding(username: str, public: bytes, data_key: bytes) -> bytes:
    """What ties a public key to its user, made (and checked) only with the data key."""
    return hmac.new(
        _hkdf(data_key, b"binding"), username.encode() + b"\0" + public, hashlib.sha256
    ).digest()


def seal(username: str, data_key: bytes, password: str) -> SealedKey:
    """A new entry for `username`: a new key pair under `password`, the data key sealed."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    private = X25519PrivateKey.generate()
    raw_private = private.private_bytes_raw()
    public = private.public_key().public_bytes_raw()
    salt, nonce, cost = (
        secrets.token_bytes(SALT_BYTES),
        secrets.token_bytes(NONCE_BYTES),
        passwords.COST,
    )
    wrap_key = _hkdf(passwords.derive_key(password, salt, cost), b"password wrap")
    encrypted = _aead(wrap_key).encrypt(nonce, raw_private, _private_ad(username, cost, public))
    half = SealedKey(username, cost, salt, nonce, encrypted, public, b"", b"", b"", b"")
    return reseal(half, data_key)


def reseal(entry: SealedKey, data_key: bytes) -> SealedKey:
    """The same user and key pair with `data_key` sealed to it (no password needed)."""
    from dataclasses import replace

    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )

    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(entry.public))
    seal_key = _hkdf(shared, b"seal")
    nonce = secrets.token_bytes(NONCE_BYTES)
    ad = _sealed_ad(entry.username, entry.public, ephemeral_public)
    return replace(
        entry,
        ephemeral=ephemeral_public,
        key_nonce=nonce,
        sealed=_aead(seal_key).encrypt(nonce, data_key, ad),
        binding=binding(entry.username, entry.public, data_key),
    )


def open_entry(entry: WrappedKey, password: str) -> bytes | None:
    """The data key, or None when the password is not this entry's (or the entry was
    altered: the two cannot be told apart, and neither gives a key)."""
    if isinstance(entry, LegacyKey):
        return _open_legacy(entry, password)
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )

    wrap_key = _hkdf(passwords.derive_key(password, entry.salt, entry.cost), b"password wrap")
    ad = _private_ad(entry.username, entry.cost, entry.public)
    try:
        raw_private = _aead(wrap_key).decrypt(entry.nonce, entry.private, ad)
        private = X25519PrivateKey.from_private_bytes(raw_private)
        if private.public_key().public_bytes_raw() != entry.public:
            return None
        shared = private.exchange(X25519PublicKey.from_public_bytes(entry.ephemeral))
        sealed_ad = _sealed_ad(entry.username, entry.public, entry.ephemeral)
        data_key = _aead(_hkdf(shared, b"seal")).decrypt(entry.key_nonce, entry.sealed, sealed_ad)
    except (InvalidTag, ValueError):
        return None
    if not hmac.compare_digest(binding(entry.username, entry.public, data_key), entry.binding):
        return None
    return bytes(data_key)


def bound(entry: SealedKey, data_key: bytes) -> bool:
    """Whether the entry's public key was bound to its user by a holder of `data_key`."""
    return hmac.compare_digest(binding(entry.username, entry.public, data_key), entry.binding)


def _open_legacy(entry: LegacyKey, password: str) -> bytes | None:
    kek = passwords.derive_key(password, entry.salt, entry.cost)
    check = hmac.new(kek, LEGACY_CHECK_LABEL, hashlib.sha256).digest()
    if not hmac.compare_digest(check, entry.check):
        return None
    return bytes(a ^ b for a, b in zip(entry.wrapped, kek, strict=True))


def new_data_key() -> bytes:
    """A fresh random key for an encrypted database."""
    return secrets.token_bytes(KEY_BYTES)
