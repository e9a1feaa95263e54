"""Who may read a server's data directory: the server's own user only.

``init`` creates the directory 0700 and every file 0600 (``make_private``); ``serve`` refuses to
start while the directory, a sub-directory or a secret file (keys, TLS private keys, the SQLite
database and its WAL, logs) can be read or written by the group or other users
(``exposure_message``),
naming the path and the ``chmod`` that fixes it. The log files are created 0600 by the umask
``serve`` sets.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
_SECRET_FILES = (
    "config.json",
    "keys/keyring.json",
    "keys/signing.key",
    "keys/hpke.key",
    "keys/nonce.key",
    "tls/ca.key",
    "tls/server.key",
    "server.db",
    "server.db-wal",
    "server.db-shm",
)
_DIRS = (".", "keys", "tls", "logs")


def make_private(path: Path) -> None:
    """Make ``path`` and everything in it private to the owner (directories 0700, files 0600)."""
    os.chmod(path, 0o700)
    for root, dirs, files in os.walk(path):
        for name in dirs:
            os.chmod(Path(root) / name, 0o700)
        for name in files:
            target = Path(root) / name
            if not target.is_symlink():
                os.chmod(target, 0o600)


def exposed(path: Path) -> list[tuple[Path, str]]:
    """Each (path, fix) in the data directory that other users can reach."""
    found: list[tuple[Path, str]] = []
    for rel in _DIRS:
        target = path / rel
        if target.is_dir() and stat.S_IMODE(target.stat().st_mode) & 0o077:
            found.append((target.resolve(), f"chmod 700 {target.resolve()}"))
    for rel in (*_SECRET_FILES, *(f"logs/{p.name}" for p in sorted((path / "logs").glob("*")))):
        target = path / rel
        if target.is_file() and stat.S_IMODE(target.stat().st_mode) & 0o077:
            found.append((target.resolve(), f"chmod 600 {target.resolve()}"))
    return found


def exposure_message(path: Path) -> str | None:
    """What ``serve`` says while any part of the data directory is exposed (else ``None``)."""
    problems = exposed(path)
    if not problems:
        return None
    first, fix = problems[0]
    more = (
        f" (and {len(problems) - 1} more; 'chmod -R go= {path.resolve()}' fixes all)"
        if len(problems) > 1
        else ""
    )
    return (
        f"{first} can be read by other users of this machine; the data directory holds keys "
        f"and personal data: run '{fix}'{more}"
    )
