"""The server's key hierarchy: a master key outside the data directory wraps the data keys.

``DATA/keys/keyring.json`` holds, each wrapped (AES-256-GCM) by the master key:

- the **data keys** (one per id; new values are sealed with ``current``, older ids stay until
  ``rotate-key --reencrypt`` has re-sealed everything made with them);
- the **index key** of the blind indexes (kept across rotations: digests stay comparable);
- the **PEM password** that encrypts the server's private key files (signing, HPKE, TLS CA).

The master key itself is never written to the data directory, the database or a backup. It
comes from a :class:`KeyProvider`:

- :class:`KeyFileProvider`: 32 random bytes in a file on another path (default
  ``DATA.parent/DATA.name.master.key``; ``--master-key-file`` or
  ``UNIONDESK_SERVER_MASTER_KEY_FILE``), for unattended servers whose key sits on other storage;
- :class:`PassphraseProvider`: Argon2id of a passphrase (prompt, ``--passphrase-file`` or
  ``UNIONDESK_SERVER_PASSPHRASE``); the salt and cost are in ``keyring.json``.

A hardware security module plugs in as one more provider (``wrap`` / ``unwrap`` / ``describe``).
"""

from __future__ import annotations

import base64
import getpass
import json
import os
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sync.server.errors import ServerSetupError
from sync.server.sensitive import SUITES, Aead, FieldCipher, Sm4Gcm, new_data_key

PASSPHRASE_ENV = "UNIONDESK_SERVER_PASSPHRASE"
KEY_FILE_ENV = "UNIONDESK_SERVER_MASTER_KEY_FILE"
KEYRING = Path("keys") / "keyring.json"
FORMAT = 1
# Argon2id cost: RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes).
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_ITERATIONS = 3
ARGON2_LANES = 4
MIN_PASSPHRASE = 12


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


class KeyProvider(Protocol):
    """Where the master key lives. ``wrap``/``unwrap`` protect one named secret."""

    def wrap(self, name: str, secret: bytes) -> str: ...

    def unwrap(self, name: str, wrapped: str) -> bytes: ...

    def describe(self) -> dict[str, Any]:
        """What ``keyring.json`` records about this provider (never a secret)."""
        ...


WRAPS = ("aes-256-gcm", "sm4-gcm")  # keyring wrapping of the intl and gm suites


def wrap_of(suite: str) -> str:
    return "sm4-gcm" if suite == "gm" else "aes-256-gcm"


class _AeadKek:
    """Wrapping under a 32-byte key-encryption key, the secret's name as associated data:
    AES-256-GCM, or SM4-GCM under a 16-byte key derived from it with HKDF-SM3 (gm suite)."""

    def __init__(self, kek: bytes, where: str, wrap: str = "aes-256-gcm") -> None:
        if wrap not in WRAPS:
            raise ServerSetupError(f"unknown keyring wrapping {wrap!r}")
        self.wrap_name = wrap
        if wrap == "sm4-gcm":
            sm4_kek = HKDF(algorithm=hashes.SM3(), length=16, salt=None,
                           info=b"uniondesk keyring kek sm4").derive(kek)  # fmt: skip
            self._aead: Aead = Sm4Gcm(sm4_kek)
        else:
            self._aead = AESGCM(kek)
        self.where = where

    def wrap(self, name: str, secret: bytes) -> str:
        nonce = os.urandom(12)
        return _b64(
            nonce + self._aead.encrypt(nonce, secret, b"uniondesk keyring|" + name.encode())
        )

    def unwrap(self, name: str, wrapped: str) -> bytes:
        raw = _unb64(wrapped)
        try:
            return self._aead.decrypt(raw[:12], raw[12:], b"uniondesk keyring|" + name.encode())
        except InvalidTag as exc:
            raise ServerSetupError(
                f"the master key ({self.where}) does not open this server's keyring: "
                "wrong passphrase or key file"
            ) from exc


class KeyFileProvider(_AeadKek):
    """The master key is a 32-byte file kept outside the data directory."""

    def __init__(self, path: Path, wrap: str = "aes-256-gcm") -> None:
        try:
            kek = path.read_bytes()
        except OSError as exc:
            raise ServerSetupError(
                f"the master key file {path} cannot be read ({exc.strerror}); give its path with "
                f"--master-key-file or {KEY_FILE_ENV}"
            ) from exc
        if len(kek) != 32:
            raise ServerSetupError(f"{path} is not a master key file (expected 32 bytes)")
        super().__init__(kek, f"key file {path}", wrap)
        self.path = path

    @classmethod
    def create(cls, path: Path, wrap: str = "aes-256-gcm") -> KeyFileProvider:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
        return cls(path, wrap)

    def describe(self) -> dict[str, Any]:
        return {"kind": "key-file", "wrap": self.wrap_name}


class PassphraseProvider(_AeadKek):
    """The master key is Argon2id of a passphrase (salt and cost recorded in the keyring)."""

    def __init__(self, passphrase: str, params: dict[str, Any]) -> None:
        self.params = params
        kdf = Argon2id(
            salt=_unb64(params["salt"]),
            length=32,
            iterations=int(params["iterations"]),
            lanes=int(params["lanes"]),
            memory_cost=int(params["memory_kib"]),
        )
        wrap = str(params.get("wrap", "aes-256-gcm"))
        super().__init__(kdf.derive(passphrase.encode("utf-8")), "passphrase", wrap)

    @classmethod
    def create(cls, passphrase: str, wrap: str = "aes-256-gcm") -> PassphraseProvider:
        if len(passphrase) < MIN_PASSPHRASE:
            raise ServerSetupError(f"the passphrase must have at least {MIN_PASSPHRASE} characters")
        params = {
            "salt": _b64(secrets.token_bytes(16)),
            "iterations": ARGON2_ITERATIONS,
            "lanes": ARGON2_LANES,
            "memory_kib": ARGON2_MEMORY_KIB,
            "wrap": wrap,
        }
        return cls(passphrase, params)

    def describe(self) -> dict[str, Any]:
        return {"kind": "passphrase", "kdf": "argon2id", **self.params}


# ------------------------------------------------------------------------ where the key comes from


@dataclass(frozen=True)
class KeySource:
    """What the operator gave: a key file, a passphrase file, or nothing (environment, default
    key file next to the data directory, or a prompt)."""

    key_file: Path | None = None
    passphrase_file: Path | None = None

    def passphrase(self, required: bool) -> str | None:
        if self.passphrase_file is not None:
            try:
                text = self.passphrase_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise ServerSetupError(
                    f"the passphrase file {self.passphrase_file} cannot be read ({exc.strerror})"
                ) from exc
            return text.rstrip("\r\n")
        env = os.environ.get(PASSPHRASE_ENV)
        if env:
            return env
        if required and sys.stdin.isatty():
            return getpass.getpass("server passphrase: ")
        return None

    def key_file_for(self, data: Path) -> Path:
        if self.key_file is not None:
            return self.key_file
        env = os.environ.get(KEY_FILE_ENV)
        return Path(env) if env else default_key_file(data)


def default_key_file(data: Path) -> Path:
    """``DATA.parent/DATA.name.master.key``: beside, never inside, the data directory."""
    data = data.resolve()
    return data.parent / f"{data.name}.master.key"


_current = KeySource()


@contextmanager
def use_source(source: KeySource) -> Iterator[None]:
    """Make ``source`` the key source of the data directories loaded inside (the CLI's flags)."""
    global _current
    before, _current = _current, source
    try:
        yield
    finally:
        _current = before


def current_source() -> KeySource:
    return _current


def new_provider(data: Path, source: KeySource, wrap: str = "aes-256-gcm") -> KeyProvider:
    """The provider for a new keyring: a passphrase when one is given, else a key file."""
    passphrase = source.passphrase(required=False)
    if passphrase is not None:
        return PassphraseProvider.create(passphrase, wrap)
    path = source.key_file_for(data).resolve()
    if path.is_relative_to(data.resolve()):
        raise ServerSetupError(
            f"the master key file {path} must not be inside the data directory {data}"
        )
    return KeyFileProvider.create(path, wrap)


def provider_for(data: Path, described: dict[str, Any], source: KeySource) -> KeyProvider:
    """The provider that opens an existing keyring."""
    kind = described.get("kind")
    if kind == "passphrase":
        passphrase = source.passphrase(required=True)
        if passphrase is None:
            raise ServerSetupError(
                f"the server in {data} is locked by a passphrase: give --passphrase-file FILE "
                f"or set {PASSPHRASE_ENV}"
            )
        params = {k: v for k, v in described.items() if k not in ("kind", "kdf")}
        return PassphraseProvider(passphrase, params)
    if kind == "key-file":
        return KeyFileProvider(source.key_file_for(data), str(described.get("wrap", WRAPS[0])))
    raise ServerSetupError(f"{data / KEYRING}: unknown master key kind {kind!r}")


# ------------------------------------------------------------------------ the keyring


@dataclass
class Keyring:
    """The opened keyring of one data directory."""

    path: Path
    provider: KeyProvider
    current: str
    data_keys: dict[str, bytes]
    index_key: bytes
    pem_password: bytes
    suite: str = "intl"  # the index's and new keys' suite (sensitive.SUITES)
    key_suites: dict[str, str] = field(default_factory=dict)  # per data key, when not ``suite``

    @property
    def cipher(self) -> FieldCipher:
        return FieldCipher(
            self.data_keys, self.current, self.index_key, self.suite, self.key_suites
        )

    def document(self, provider: KeyProvider) -> dict[str, Any]:
        """The ``keyring.json`` document with every key wrapped by ``provider``."""
        return {
            "format": FORMAT,
            "master": provider.describe(),
            "current": self.current,
            "suite": self.suite,
            "key_suites": dict(self.key_suites),
            "data_keys": {
                kid: provider.wrap(f"data:{kid}", k) for kid, k in self.data_keys.items()
            },
            "index_key": provider.wrap("index", self.index_key),
            "pem_password": provider.wrap("pem", self.pem_password),
        }

    def save(self, provider: KeyProvider | None = None) -> None:
        """Write the keyring wrapped by ``provider`` (default: the one it was opened with)."""
        provider = provider or self.provider
        doc = self.document(provider)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(doc, indent=2) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        self.provider = provider

    def add_data_key(self, suite: str | None = None) -> str:
        """A new current data key of ``suite`` (default the keyring's; older keys are kept for
        what they sealed)."""
        suite = suite or self.suite
        n = 1 + max(int(k[1:]) for k in self.data_keys if k[1:].isdigit())
        kid = f"k{n}"
        self.data_keys[kid] = new_data_key(suite)
        if suite != self.suite:
            self.key_suites[kid] = suite
        self.current = kid
        return kid

    def drop_data_keys(self, keep: set[str]) -> list[str]:
        """Forget the data keys not in ``keep`` (nothing sealed with them any more)."""
        gone = [k for k in self.data_keys if k not in keep and k != self.current]
        for k in gone:
            del self.data_keys[k]
            self.key_suites.pop(k, None)
        return gone


class KeyringWatcher:
    """The current :class:`FieldCipher` of a running server: ``keyring.json`` is looked at
    (its modification time) at most once a second, and read again when ``rotate-key`` changed
    it, so values sealed with a new data key open, and new values use it, without a restart.
    If the changed keyring does not open with this process's master key (a new master key), the
    keys already loaded stay in use; the next start needs the new key."""

    def __init__(self, data: Path, ring: Keyring, source: KeySource | None = None) -> None:
        self._data, self._ring, self._source = data, ring, source or current_source()
        self._cipher = ring.cipher
        self._mtime = self._stat()
        self._checked = time.monotonic()

    def _stat(self) -> int:
        try:
            return (self._data / KEYRING).stat().st_mtime_ns
        except OSError:
            return 0

    def __call__(self) -> FieldCipher:
        now = time.monotonic()
        if now - self._checked >= 1.0:
            self._checked = now
            mtime = self._stat()
            if mtime != self._mtime:
                self._mtime = mtime
                try:
                    self._ring = load(self._data, self._source)
                    self._cipher = self._ring.cipher
                except ServerSetupError:
                    pass  # keep the loaded keys (see the class doc)
        return self._cipher


def exists(data: Path) -> bool:
    return (data / KEYRING).is_file()


def create(data: Path, source: KeySource | None = None, suite: str = "intl") -> Keyring:
    """A new keyring for ``data`` (a new data key, index key and PEM password) of ``suite``."""
    if suite not in SUITES:
        raise ServerSetupError(f"unknown crypto suite {suite!r}; known: {', '.join(SUITES)}")
    source = source or current_source()
    path = data / KEYRING
    if path.exists():
        raise ServerSetupError(f"{path} exists already")
    path.parent.mkdir(parents=True, exist_ok=True)
    ring = Keyring(
        path=path,
        provider=new_provider(data, source, wrap_of(suite)),
        current="k1",
        data_keys={"k1": new_data_key(suite)},
        index_key=secrets.token_bytes(32),
        pem_password=secrets.token_urlsafe(32).encode("ascii"),
        suite=suite,
    )
    ring.save()
    return ring


def load(data: Path, source: KeySource | None = None) -> Keyring:
    """Open the keyring of ``data`` with the master key from ``source``."""
    source = source or current_source()
    path = data / KEYRING
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        described = dict(doc["master"])
        wrapped = dict(doc["data_keys"])
        current = str(doc["current"])
    except FileNotFoundError as exc:
        raise ServerSetupError(
            f"{data} was made by the release before field encryption (no {KEYRING}): stop the "
            f"server, back up the data directory, then run 'uniondesk-server upgrade --data {data}'"
        ) from exc
    except OSError as exc:
        raise ServerSetupError(f"the keyring {path} cannot be read ({exc.strerror})") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ServerSetupError(f"the keyring {path} is damaged") from exc
    provider = provider_for(data, described, source)
    return Keyring(
        path=path,
        provider=provider,
        current=current,
        data_keys={kid: provider.unwrap(f"data:{kid}", w) for kid, w in wrapped.items()},
        index_key=provider.unwrap("index", doc["index_key"]),
        pem_password=provider.unwrap("pem", doc["pem_password"]),
        suite=str(doc.get("suite", "intl")),
        key_suites=dict(doc.get("key_suites") or {}),
    )


def describe_master(data: Path, ring: Keyring) -> str:
    """Where this server's master key comes from, for a person."""
    if isinstance(ring.provider, KeyFileProvider):
        return f"master key file {ring.provider.path} (keep it off this disk's backups)"
    return f"passphrase (Argon2id); give it with --passphrase-file or {PASSPHRASE_ENV}"
