"""A server's data directory: config.json, keys, TLS files, database and log.

Layout::

    DATA/config.json         level, name, server id, own org unit, limits, database URL
    DATA/keys/keyring.json   data keys, index key, PEM password - wrapped by the master key,
                             which is kept outside DATA (keyring.py)
    DATA/keys/signing.key    Ed25519 (encrypted PEM) - signs receipts and inbox messages
    DATA/keys/hpke.key       X25519 (encrypted PEM) - batches are sealed to it
    DATA/keys/nonce.key      32 random bytes - makes request nonces unforgeable
    DATA/tls/ca.pem ca.key (encrypted) server.pem server.key
    DATA/server.db           SQLite (default database)
    DATA/logs/server.log
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from sync import crypto
from sync.server import keyring, tls
from sync.server.errors import ServerSetupError as ServerSetupError  # re-exported
from sync.server.permissions import make_private
from sync.server.sensitive import SUITES, FieldCipher

LEVELS = ("county", "province")
DEFAULT_SUITE = "gm"  # the crypto suite of a new server (``init --crypto-suite``; issue 16)


@dataclass
class ServerConfig:
    level: str
    name: str
    server_id: str
    org_unit_code: str
    db_url: str = ""  # empty: SQLite file DATA/server.db
    max_batch_records: int = 1000
    max_batch_bytes: int = 8 * 1024 * 1024
    enroll_code_ttl_hours: float = 72.0
    nonce_ttl_seconds: int = 300
    hosts: list[str] = field(default_factory=lambda: ["127.0.0.1", "localhost"])
    # the server's cryptography suite (sensitive.SUITES): its signing and sealing keys (gm: SM2,
    # SM3), field encryption and keyring wrapping (gm: SM4-GCM, HMAC-SM3). A data directory
    # from before suites has none in its config.json: intl. New servers: DEFAULT_SUITE.
    crypto_suite: str = "intl"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


@dataclass
class DataDir:
    """Paths and loaded secrets of one server data directory."""

    path: Path
    config: ServerConfig
    signing_key: crypto.SigningKey  # Ed25519 (intl) or SM2 (gm)
    hpke_key: crypto.SealingKey  # X25519 (intl) or SM2 (gm)
    nonce_secret: bytes
    keys: keyring.Keyring
    # keys this server signed and was sealed to before ``rotate-key --crypto-suite`` moved it
    # to another suite (``keys/retired/``): what it signed stays verifiable, what townships
    # sealed to the old key before they were re-keyed still opens
    retired_signing: list[crypto.SigningKey] = field(default_factory=list)
    retired_hpke: list[crypto.SealingKey] = field(default_factory=list)

    @property
    def signing_suite(self) -> str:
        """The suite of the server's signing key: what its receipts, messages and acceptances
        are signed with and what its new devices' keys must be."""
        return crypto.suite_of_key(self.signing_key)

    @property
    def cipher(self) -> FieldCipher:
        """Field encryption under this server's data keys (``sync/server/sensitive.py``)."""
        return self.keys.cipher

    @property
    def ca_path(self) -> Path:
        return self.path / "tls" / "ca.pem"

    @property
    def cert_path(self) -> Path:
        return self.path / "tls" / "server.pem"

    @property
    def key_path(self) -> Path:
        return self.path / "tls" / "server.key"

    @property
    def log_path(self) -> Path:
        return self.path / "logs" / "server.log"

    @property
    def db_url(self) -> str:
        return self.config.db_url or f"sqlite:///{self.path / 'server.db'}"

    def ca_pem(self) -> str:
        return self.ca_path.read_text(encoding="ascii")

    def save_config(self) -> None:
        (self.path / "config.json").write_text(self.config.to_json(), encoding="utf-8")


def init_data_dir(
    path: Path,
    *,
    level: str,
    name: str,
    org_unit_code: str,
    hosts: list[str] | None = None,
    db_url: str = "",
    source: keyring.KeySource | None = None,
    crypto_suite: str = DEFAULT_SUITE,
) -> DataDir:
    """Create a new data directory (refuses an already initialised one) and its keyring, whose
    master key comes from ``source`` (default: the current key source)."""
    if level not in LEVELS:
        raise ServerSetupError(f"--level must be one of {', '.join(LEVELS)}, not {level!r}")
    if crypto_suite not in SUITES:
        raise ServerSetupError(f"--crypto-suite must be one of {', '.join(SUITES)}")
    if (path / "config.json").exists():
        raise ServerSetupError(f"{path} is already initialised (config.json exists)")
    if path.exists() and not path.is_dir():
        raise ServerSetupError(f"{path} exists and is not a directory")
    for sub in ("keys", "tls", "logs"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(path / "keys", 0o700)
    config = ServerConfig(
        level=level,
        name=name,
        server_id=str(uuid.uuid4()),
        org_unit_code=org_unit_code,
        db_url=db_url,
        hosts=hosts or ["127.0.0.1", "localhost"],
        crypto_suite=crypto_suite,
    )
    ring = keyring.create(path, source, crypto_suite)
    password = ring.pem_password
    signing, sealing = crypto.new_signing_key(crypto_suite), crypto.new_hpke_key(crypto_suite)
    crypto.write_private_pem(path / "keys" / "signing.key", signing, password)
    crypto.write_private_pem(path / "keys" / "hpke.key", sealing, password)
    fd = os.open(path / "keys" / "nonce.key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(os.urandom(32))
    tls.write_pki(path / "tls", name, config.hosts, ca_password=password)
    (path / "config.json").write_text(config.to_json(), encoding="utf-8")
    make_private(path)  # directories 0700, files 0600
    return load_data_dir(path, source=source)


def ensure_keyring(path: Path, source: keyring.KeySource | None = None) -> bool:
    """Give a data directory from before field encryption its keyring, and encrypt its private
    key files with the keyring's PEM password (``uniondesk-server upgrade``). True when made."""
    if keyring.exists(path):
        return False
    if not (path / "config.json").is_file():
        raise ServerSetupError(f"{path} is not a UnionDesk server data directory (no config.json)")
    ring = keyring.create(path, source)
    for key_file in (
        path / "keys" / "signing.key",
        path / "keys" / "hpke.key",
        path / "tls" / "ca.key",
    ):
        tls.encrypt_key_file(key_file, ring.pem_password)
    make_private(path)
    return True


def load_data_dir(
    path: Path, *, expect_level: str | None = None, source: keyring.KeySource | None = None
) -> DataDir:
    """Load a data directory, with a clear error for each thing that is missing or wrong; the
    master key comes from ``source`` (default: the current key source, see keyring.py)."""
    if not path.exists():
        raise ServerSetupError(
            f"data directory {path} does not exist; create it with "
            f"'uniondesk-server init --level county --name NAME --data {path}'"
        )
    cfg_path = path / "config.json"
    if not cfg_path.is_file():
        raise ServerSetupError(
            f"{path} is not a UnionDesk server data directory (no config.json); "
            f"run 'uniondesk-server init' first"
        )
    try:
        raw = json.loads(cfg_path.read_text(encoding="utf-8"))
        config = ServerConfig(**raw)
    except (ValueError, TypeError) as exc:
        raise ServerSetupError(f"{cfg_path} is damaged: {exc}") from exc
    if config.level not in LEVELS:
        raise ServerSetupError(f"{cfg_path}: unknown level {config.level!r}")
    if expect_level and config.level != expect_level:
        raise ServerSetupError(f"{path} holds a {config.level} server, not a {expect_level} server")
    ring = keyring.load(path, source)
    try:
        password = ring.pem_password
        signing = crypto.load_private_pem((path / "keys" / "signing.key").read_bytes(), password)
        hpke_key = crypto.load_private_pem((path / "keys" / "hpke.key").read_bytes(), password)
        nonce_secret = (path / "keys" / "nonce.key").read_bytes()
    except (OSError, ValueError, TypeError) as exc:
        raise ServerSetupError(f"cannot read the server keys in {path / 'keys'}: {exc}") from exc
    if not isinstance(signing, Ed25519PrivateKey | crypto.Sm2PrivateKey) or not isinstance(
        hpke_key, X25519PrivateKey | crypto.Sm2PrivateKey
    ):
        raise ServerSetupError(f"the key files in {path / 'keys'} have the wrong type")
    for name in ("ca.pem", "server.pem", "server.key"):
        if not (path / "tls" / name).is_file():
            raise ServerSetupError(f"TLS file {path / 'tls' / name} is missing")
    (path / "logs").mkdir(exist_ok=True)
    retired: dict[str, list[Any]] = {"signing": [], "hpke": []}
    for key_file in sorted((path / "keys" / "retired").glob("*.key")):
        kind = key_file.name.split("-", 1)[0]
        try:
            retired[kind].append(crypto.load_private_pem(key_file.read_bytes(), password))
        except (KeyError, OSError, ValueError, TypeError) as exc:
            raise ServerSetupError(f"cannot read the retired key {key_file}: {exc}") from exc
    return DataDir(
        path, config, signing, hpke_key, nonce_secret, ring, retired["signing"], retired["hpke"]
    )


PENDING = Path("keys") / "pending"  # the next signing and sealing keys of a suite move
StepHook = Callable[[str], None]


def _write_key(path: Path, key: crypto.PrivateKey, password: bytes) -> None:
    """Write an encrypted key file whole or not at all (a temporary file, fsync, rename)."""
    tmp = path.with_name(path.name + ".tmp")
    crypto.write_private_pem(tmp, key, password)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def prepare_server_keys(data: DataDir, suite: str) -> crypto.SigningKey | None:
    """The first step of moving the server's keys to ``suite`` (``rotate-key --crypto-suite``):
    new signing and sealing keys of that suite in ``keys/pending/``. Keys already there are
    kept (a move cut short and run again: the province may have registered the signing key).
    Returns the pending signing key, or None when the signing key is of ``suite`` already."""
    pending = data.path / PENDING
    pending.mkdir(mode=0o700, exist_ok=True)
    password = data.keys.pem_password
    made: dict[str, crypto.PrivateKey] = {}
    for kind, current, new in (("signing", data.signing_key, crypto.new_signing_key),
                               ("hpke", data.hpke_key, crypto.new_hpke_key)):  # fmt: skip
        if crypto.suite_of_key(current) == suite:
            continue
        path = pending / f"{kind}.key"
        if path.is_file():
            key = crypto.load_private_pem(path.read_bytes(), password)
            if crypto.suite_of_key(key) == suite:
                made[kind] = key
                continue
        made[kind] = new(suite)
        _write_key(path, made[kind], password)
    signing = made.get("signing")
    assert signing is None or isinstance(signing, Ed25519PrivateKey | crypto.Sm2PrivateKey)
    return signing


def pending_server_keys(path: Path) -> bool:
    """Whether a suite move left keys in ``keys/pending/`` (not switched yet)."""
    return any((path / PENDING).glob("*.key"))


def switch_server_keys(data: DataDir, suite: str, step: StepHook | None = None) -> bool:
    """Make the pending keys the server's (each old one kept in ``keys/retired/``, named by key
    id, so earlier signatures stay verifiable and batches sealed to it still open). Each key
    file is replaced whole; run again after a crash, it finishes what is left. False when there
    was nothing pending."""
    pending = data.path / PENDING
    password = data.keys.pem_password
    retired = data.path / "keys" / "retired"
    retired.mkdir(mode=0o700, exist_ok=True)
    switched = False
    for kind in ("signing", "hpke"):
        new_path, path = pending / f"{kind}.key", data.path / "keys" / f"{kind}.key"
        if not new_path.is_file():
            continue
        old = crypto.load_private_pem(path.read_bytes(), password)
        if crypto.suite_of_key(old) != suite:
            kept = retired / f"{kind}-{crypto.key_id(crypto.public_bytes(old))}.key"
            if not kept.is_file():
                _write_key(kept, old, password)
            os.replace(new_path, path)
            switched = True
            if step is not None:
                step(f"switched-{kind}")
        else:
            new_path.unlink()
    for leftover in pending.glob("*.tmp"):
        leftover.unlink()
    if pending.is_dir():
        pending.rmdir()
    make_private(data.path)
    return switched
