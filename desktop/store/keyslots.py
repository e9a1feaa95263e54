"""The key-slot file: the random SQLCipher data key, wrapped once per user and once for recovery.

Each slot has an X25519 key pair. Its private key is sealed with AES-256-GCM under a
key-encryption key (KEK) derived from the user's password by Argon2id (parameters and salt
stored in the slot, so they can be raised later); the recovery slot's private key is derived
from the 128-bit recovery key by HKDF-SHA256. The 256-bit data key is wrapped with AES-256-GCM to
the slot's public key (ephemeral X25519 + HKDF), so ``rotate-key`` re-wraps every remaining slot
without anyone's password, and a password change rewrites one slot. The associated data binds
workspace id, slot id, kind, user name, KDF parameters and key generation, so a slot cannot be
moved to another user or workspace. A SHA-256 checksum over the whole file
tells a damaged file (:class:`DamagedKeySlots`) apart from a wrong password.

**Suites.** Each slot names its suite (no ``suite``: ``intl``, as above). A ``gm`` slot (the
slots of a ``gm`` workspace) uses SM2 instead of X25519 and SM4-GCM instead of AES-GCM: its SM2
private key is sealed with SM4-GCM under a 128-bit KEK (Argon2id of the password, or HKDF-SM3 of
the recovery key — the recovery slot of a gm workspace has a sealed private key too), and each
data key is sealed to the slot's SM2 public key with ``sync.crypto_gm.sm2_seal`` (SM2
encryption of an SM4 key, SM4-GCM of the data key), the same associated data as the ``info``
binding. A file holding a gm slot is format 2 with an SM3 checksum. Slots also hold the
workspace's *field key* (generation 0, :mod:`desktop.store.field_cipher`) once the workspace
is on ``gm``.

During ``rotate-key`` a slot briefly holds two wraps (old and new key generation) so that a crash
between re-keying the database and rewriting this file never locks anyone out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop.store import errors
from sync import crypto_gm

FILE_FORMAT = "uniondesk-keyslots"
FILE_VERSION = 2  # 2: the file holds gm slots (SM3 checksum); 1: intl slots only
INTL, GM = "intl", "gm"
SM2_PUBLIC_BYTES = 64
DATA_KEY_BYTES = 32
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I L O U
RECOVERY_RANDOM_BYTES = 16  # 128 bits
RECOVERY_CHECK_BYTES = 4


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters for password slots (defaults: 64 MiB, t=3, 4 lanes)."""

    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 4


Private = X25519PrivateKey | bytes  # an intl slot's X25519 key, or a gm slot's SM2 scalar


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# --- recovery key -----------------------------------------------------------------------------


def new_recovery_key() -> str:
    """A fresh recovery key: 128 random bits + 32 check bits, as 8 groups of 4 characters."""
    raw = secrets.token_bytes(RECOVERY_RANDOM_BYTES)
    check = hashlib.sha256(raw).digest()[:RECOVERY_CHECK_BYTES]
    text = _base32(raw + check)
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _base32(data: bytes) -> str:
    bits = int.from_bytes(data, "big")
    n = len(data) * 8 // 5
    return "".join(RECOVERY_ALPHABET[(bits >> (5 * (n - 1 - i))) & 31] for i in range(n))


def _clean_recovery_key(text: str) -> str:
    cleaned = (
        text.strip().upper().replace("-", "").replace(" ", "").replace("O", "0").replace("I", "1")
    )
    return cleaned.replace("L", "1")


def looks_like_recovery_key(text: str) -> bool:
    """True when ``text`` has the recovery key's shape (32 letters and digits, maybe grouped),
    whether or not its check characters match."""
    cleaned = _clean_recovery_key(text)
    total = RECOVERY_RANDOM_BYTES + RECOVERY_CHECK_BYTES
    return len(cleaned) == total * 8 // 5 and all(c in RECOVERY_ALPHABET for c in cleaned)


def parse_recovery_key(text: str) -> bytes:
    """The 16 secret bytes of a typed recovery key (case, spaces and dashes ignored; O→0, I/L→1)."""
    cleaned = _clean_recovery_key(text)
    total = RECOVERY_RANDOM_BYTES + RECOVERY_CHECK_BYTES
    if not looks_like_recovery_key(text):
        raise errors.InvalidRecoveryKey(
            "The recovery key must be 32 characters (8 groups of 4, letters and digits)."
        )
    bits = 0
    for c in cleaned:
        bits = (bits << 5) | RECOVERY_ALPHABET.index(c)
    data = bits.to_bytes(total, "big")
    raw, check = data[:RECOVERY_RANDOM_BYTES], data[RECOVERY_RANDOM_BYTES:]
    if hashlib.sha256(raw).digest()[:RECOVERY_CHECK_BYTES] != check:
        raise errors.InvalidRecoveryKey("The recovery key is mistyped: its check does not match.")
    return raw


# --- slots ------------------------------------------------------------------------------------


@dataclass
class Slot:
    """One key slot as stored (JSON-able).

    ``public`` is the slot's X25519 public key; its private key is wrapped under the KEK
    (``private``, password slots) or derived from the recovery key (recovery slot). ``wraps``
    hold the data key (one per key generation) encrypted to ``public``, so ``rotate-key`` can
    re-wrap every slot without knowing anyone's password.
    """

    id: str
    kind: str  # "password" | "recovery"
    user: str | None
    kdf: dict[str, Any]
    public: str
    private: dict[str, str] | None = None
    wraps: list[dict[str, Any]] = field(default_factory=list)
    suite: str = INTL

    def to_json(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "kind": self.kind,
            "user": self.user,
            "kdf": self.kdf,
            "public": self.public,
            "private": self.private,
            "wraps": self.wraps,
        }
        if self.suite != INTL:
            out["suite"] = self.suite
        return out

    @classmethod
    def from_json(cls, s: dict[str, Any]) -> Slot:
        slot = cls(
            id=str(s["id"]),
            kind=str(s["kind"]),
            user=s["user"],
            kdf=dict(s["kdf"]),
            public=str(s["public"]),
            private=dict(s["private"]) if s.get("private") is not None else None,
            wraps=[dict(w) for w in s["wraps"]],
            suite=str(s.get("suite", INTL)),
        )
        if slot.suite == GM:
            if slot.kind not in ("password", "recovery") or not slot.private:
                raise ValueError("slot kind")
            if len(_unb64(slot.public)) != SM2_PUBLIC_BYTES:
                raise ValueError("sm2 public key")
            _unb64(slot.kdf["salt"])
            for w in slot.wraps:
                _unb64(w["ct"]), int(w["gen"])
            _unb64(slot.private["nonce"]), _unb64(slot.private["ct"])
            return slot
        if slot.suite != INTL:
            raise ValueError("suite")
        if slot.kind not in ("password", "recovery") or (slot.kind == "password") != bool(
            slot.private
        ):
            raise ValueError("slot kind")
        X25519PublicKey.from_public_bytes(_unb64(slot.public))
        _unb64(slot.kdf["salt"])
        for w in slot.wraps:
            _unb64(w["nonce"]), _unb64(w["ct"]), _unb64(w["epk"]), int(w["gen"])
        if slot.private:
            _unb64(slot.private["nonce"]), _unb64(slot.private["ct"])
        return slot


def _derive_kek(kdf: dict[str, Any], secret: bytes, length: int = 32) -> bytes:
    salt = _unb64(kdf["salt"])
    if kdf["name"] == "argon2id":
        return Argon2id(
            salt=salt,
            length=length,
            iterations=int(kdf["iterations"]),
            lanes=int(kdf["lanes"]),
            memory_cost=int(kdf["memory_kib"]),
        ).derive(secret)
    if kdf["name"] == "hkdf-sha256":
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=salt, info=b"uniondesk recovery slot"
        ).derive(secret)
    if kdf["name"] == "hkdf-sm3":
        return HKDF(
            algorithm=hashes.SM3(), length=length, salt=salt, info=b"uniondesk recovery slot"
        ).derive(secret)
    raise errors.NewerWorkspaceVersion(f"Key slot uses an unknown key derivation {kdf['name']!r}.")


def _ad(workspace_id: str, slot: Slot, purpose: str, gen: int = 0) -> bytes:
    return _canonical(
        {
            "workspace": workspace_id,
            "slot": slot.id,
            "kind": slot.kind,
            "user": slot.user,
            "kdf": slot.kdf,
            "public": slot.public,
            "purpose": purpose,
            "gen": gen,
        }
    )


def _wrap_key(workspace_id: str, slot: Slot, data_key: bytes, gen: int) -> dict[str, Any]:
    if slot.suite == GM:
        ad = _ad(workspace_id, slot, "data-key", gen)
        return {"gen": gen, "ct": _b64(crypto_gm.sm2_seal(_unb64(slot.public), data_key, ad))}
    eph = X25519PrivateKey.generate()
    epk = eph.public_key().public_bytes_raw()
    shared = eph.exchange(X25519PublicKey.from_public_bytes(_unb64(slot.public)))
    ad = _ad(workspace_id, slot, "data-key", gen)
    wk = HKDF(algorithm=hashes.SHA256(), length=32, salt=epk, info=ad).derive(shared)
    nonce = secrets.token_bytes(12)
    return {
        "gen": gen,
        "epk": _b64(epk),
        "nonce": _b64(nonce),
        "ct": _b64(AESGCM(wk).encrypt(nonce, data_key, ad)),
    }


def _unwrap_key(workspace_id: str, slot: Slot, priv: Private, w: dict[str, Any]) -> bytes:
    if isinstance(priv, bytes):
        ad = _ad(workspace_id, slot, "data-key", int(w["gen"]))
        return crypto_gm.sm2_open(priv, _unb64(w["ct"]), ad)
    epk = _unb64(w["epk"])
    shared = priv.exchange(X25519PublicKey.from_public_bytes(epk))
    ad = _ad(workspace_id, slot, "data-key", int(w["gen"]))
    wk = HKDF(algorithm=hashes.SHA256(), length=32, salt=epk, info=ad).derive(shared)
    return AESGCM(wk).decrypt(_unb64(w["nonce"]), _unb64(w["ct"]), ad)


def _recovery_private(slot_kdf: dict[str, Any], recovery_key: str) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(
        _derive_kek(slot_kdf, parse_recovery_key(recovery_key))
    )


def _seal_private(workspace_id: str, slot: Slot, kek: bytes, priv: Private) -> None:
    nonce = secrets.token_bytes(12)
    ad = _ad(workspace_id, slot, "private")
    if isinstance(priv, bytes):  # gm: the SM2 scalar under SM4-GCM
        ct = crypto_gm.sm4_gcm_encrypt(kek, nonce, priv, ad)
    else:
        ct = AESGCM(kek).encrypt(nonce, priv.private_bytes_raw(), ad)
    slot.private = {"nonce": _b64(nonce), "ct": _b64(ct)}


def _new_pair(suite: str) -> tuple[Private, str]:
    """A fresh slot key pair of ``suite``: (private, base64 public)."""
    if suite == GM:
        private, public = crypto_gm.sm2_new_key()
        return private, _b64(public)
    if suite != INTL:
        raise ValueError(f"Unknown crypto suite {suite!r}.")
    priv = X25519PrivateKey.generate()
    return priv, _b64(priv.public_key().public_bytes_raw())


def _kek_bytes(slot: Slot) -> int:
    return crypto_gm.SM4_KEY_BYTES if slot.suite == GM else 32


def _argon_kdf(kdf: KdfParams) -> dict[str, Any]:
    return {
        "name": "argon2id",
        "salt": _b64(secrets.token_bytes(16)),
        "memory_kib": kdf.memory_kib,
        "iterations": kdf.iterations,
        "lanes": kdf.lanes,
    }


def make_password_slot(
    workspace_id: str,
    user: str,
    password: str,
    keys: dict[int, bytes],
    kdf: KdfParams,
    suite: str = INTL,
) -> Slot:
    """A new slot for ``user`` wrapping every key generation in ``keys``."""
    priv, public = _new_pair(suite)
    slot = Slot(
        id=str(uuid.uuid4()),
        kind="password",
        user=user,
        kdf=_argon_kdf(kdf),
        public=public,
        suite=suite,
    )
    kek = _derive_kek(slot.kdf, password.encode("utf-8"), _kek_bytes(slot))
    _seal_private(workspace_id, slot, kek, priv)
    slot.wraps = [_wrap_key(workspace_id, slot, k, g) for g, k in sorted(keys.items())]
    return slot


def change_password(
    workspace_id: str,
    slot: Slot,
    new_password: str,
    keys: dict[int, bytes],
    kdf: KdfParams,
    suite: str | None = None,
) -> Slot:
    """A fresh slot (same id and user) for ``new_password``: new salt, key pair and wraps
    (of ``suite``, by default the slot's own)."""
    suite = suite or slot.suite
    priv, public = _new_pair(suite)
    new = Slot(slot.id, "password", slot.user, _argon_kdf(kdf), public, suite=suite)
    kek = _derive_kek(new.kdf, new_password.encode("utf-8"), _kek_bytes(new))
    _seal_private(workspace_id, new, kek, priv)
    new.wraps = [_wrap_key(workspace_id, new, k, g) for g, k in sorted(keys.items())]
    return new


def make_recovery_slot(
    workspace_id: str, recovery_key: str, keys: dict[int, bytes], suite: str = INTL
) -> Slot:
    """A new recovery slot for the typed form of ``recovery_key``."""
    if suite == GM:
        priv, public = _new_pair(GM)
        gm_kdf = {"name": "hkdf-sm3", "salt": _b64(secrets.token_bytes(16))}
        slot = Slot(str(uuid.uuid4()), "recovery", None, gm_kdf, public, suite=GM)
        kek = _derive_kek(gm_kdf, parse_recovery_key(recovery_key), crypto_gm.SM4_KEY_BYTES)
        _seal_private(workspace_id, slot, kek, priv)
        slot.wraps = [_wrap_key(workspace_id, slot, k, g) for g, k in sorted(keys.items())]
        return slot
    kdf = {"name": "hkdf-sha256", "salt": _b64(secrets.token_bytes(16))}
    priv = _recovery_private(kdf, recovery_key)
    slot = Slot(
        id=str(uuid.uuid4()),
        kind="recovery",
        user=None,
        kdf=kdf,
        public=_b64(priv.public_key().public_bytes_raw()),
    )
    slot.wraps = [_wrap_key(workspace_id, slot, k, g) for g, k in sorted(keys.items())]
    return slot


def open_private(workspace_id: str, slot: Slot, secret: str) -> Private:
    """The slot's private key from a password (or the recovery key); WrongPassword otherwise."""
    if slot.suite == GM:
        assert slot.private is not None
        raw = parse_recovery_key(secret) if slot.kind == "recovery" else secret.encode("utf-8")
        kek = _derive_kek(slot.kdf, raw, crypto_gm.SM4_KEY_BYTES)
        try:
            return crypto_gm.sm4_gcm_decrypt(
                kek,
                _unb64(slot.private["nonce"]),
                _unb64(slot.private["ct"]),
                _ad(workspace_id, slot, "private"),
            )
        except crypto_gm.GmCryptoError:
            what = "recovery key" if slot.kind == "recovery" else "password"
            raise errors.WrongPassword(f"The {what} does not unlock this workspace.") from None
    if slot.kind == "recovery":
        priv = _recovery_private(slot.kdf, secret)
        if priv.public_key().public_bytes_raw() != _unb64(slot.public):
            raise errors.WrongPassword("The recovery key does not unlock this workspace.")
        return priv
    assert slot.private is not None
    kek = _derive_kek(slot.kdf, secret.encode("utf-8"))
    try:
        raw = AESGCM(kek).decrypt(
            _unb64(slot.private["nonce"]),
            _unb64(slot.private["ct"]),
            _ad(workspace_id, slot, "private"),
        )
    except InvalidTag:
        raise errors.WrongPassword("The password does not unlock this workspace.") from None
    priv = X25519PrivateKey.from_private_bytes(raw)
    if priv.public_key().public_bytes_raw() != _unb64(slot.public):
        raise errors.DamagedKeySlots("A key slot is inconsistent (its keys do not match).")
    return priv


def unwrap(workspace_id: str, slot: Slot, priv: Private) -> dict[int, bytes]:
    """Every key generation the slot holds; DamagedKeySlots when none decrypts."""
    out: dict[int, bytes] = {}
    for w in slot.wraps:
        try:
            out[int(w["gen"])] = _unwrap_key(workspace_id, slot, priv, w)
        except (InvalidTag, crypto_gm.GmCryptoError):
            continue
    if not out:
        raise errors.DamagedKeySlots("The key slot opens but holds no readable data key.")
    return out


def rewrap(workspace_id: str, slot: Slot, keys: dict[int, bytes]) -> Slot:
    """``slot`` with its wraps replaced by wraps of ``keys`` (no password needed)."""
    new = Slot(slot.id, slot.kind, slot.user, slot.kdf, slot.public, slot.private, [], slot.suite)
    new.wraps = [_wrap_key(workspace_id, new, k, g) for g, k in sorted(keys.items())]
    return new


# --- the file ---------------------------------------------------------------------------------


@dataclass
class SlotFile:
    """The parsed key-slot file of one workspace."""

    workspace_id: str
    slots: list[Slot]

    def password_slot(self, user: str) -> Slot | None:
        return next((s for s in self.slots if s.kind == "password" and s.user == user), None)

    def recovery_slot(self) -> Slot | None:
        return next((s for s in self.slots if s.kind == "recovery"), None)

    def users(self) -> list[str]:
        return [s.user for s in self.slots if s.kind == "password" and s.user]

    def body(self) -> dict[str, Any]:
        gm = any(s.suite == GM for s in self.slots)
        return {
            "format": FILE_FORMAT,
            "version": 2 if gm else 1,
            "workspace_id": self.workspace_id,
            "slots": [s.to_json() for s in self.slots],
        }

    def save(self, path: Path) -> None:
        """Write the file atomically (temporary file, fsync, rename)."""
        body = self.body()
        doc = dict(body, checksum=_checksum(body))
        data = json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8")
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)

    @classmethod
    def load(cls, path: Path) -> SlotFile:
        """Parse and check the file; DamagedKeySlots / NewerWorkspaceVersion when it is wrong."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise errors.DamagedKeySlots(f"The key-slot file {path.name} is missing.") from None
        except OSError as exc:
            raise errors.DamagedKeySlots(
                f"The key-slot file {path.name} cannot be read ({exc.strerror})."
            ) from None
        return cls.parse(raw, path.name)

    @classmethod
    def parse(cls, raw: bytes, name: str) -> SlotFile:
        """Parse and check the bytes of a key-slot file (``name`` only for messages)."""
        try:
            doc = json.loads(raw.decode("utf-8"))
            if not isinstance(doc, dict) or doc.get("format") != FILE_FORMAT:
                raise ValueError("format")
            version = doc.get("version")
            if isinstance(version, int) and version > FILE_VERSION:
                raise errors.NewerWorkspaceVersion(
                    f"The key-slot file was written by a newer UnionDesk (format {version})."
                )
            checksum = doc.pop("checksum")
            if _checksum(doc) != checksum:
                raise ValueError("checksum")
            slots = [Slot.from_json(s) for s in doc["slots"]]
            return cls(workspace_id=str(doc["workspace_id"]), slots=slots)
        except errors.NewerWorkspaceVersion:
            raise
        except Exception:
            raise errors.DamagedKeySlots(
                f"The key-slot file {name} is damaged or was altered (it fails its check)."
            ) from None


def _checksum(body: dict[str, Any]) -> str:
    """SHA-256 of a format-1 file's body; SM3 of a format-2 (gm) one."""
    if body.get("version") == 2:
        return crypto_gm.sm3_hex(_canonical(body))
    return hashlib.sha256(_canonical(body)).hexdigest()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def new_data_key() -> bytes:
    """A fresh random 256-bit SQLCipher raw key."""
    return secrets.token_bytes(DATA_KEY_BYTES)
