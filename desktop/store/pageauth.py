"""SQLCipher 4 page authentication read straight from a database file, without decrypting.

Each page ends in a reserve of 80 bytes: a 16-byte IV, then HMAC-SHA512 over the page's
encrypted bytes and IV followed by the page number (4 bytes, little-endian); page 1 leaves out
its first 16 bytes, the file's salt. The HMAC key is PBKDF2-HMAC-SHA512 of the raw data key
over the salt XOR 0x3a, 2 iterations, 32 bytes. This is the backup's fast check; when it finds
any page it cannot confirm, ``PRAGMA cipher_integrity_check`` decides (see
:func:`desktop.store.backup.database_snapshot`), so a change in SQLCipher's layout could only
cost time, never let a damaged page through.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

PAGE = 4096  # cipher_page_size of every workspace (db.create)
SALT = 16
IV = 16
MAC = 64
RESERVE = 80  # IV + MAC, rounded up to the AES block
LOCK_PAGE = 0x40000000 // PAGE + 1  # SQLite never writes the page holding the lock byte
CHUNK_PAGES = 256


def failing_pages(path: Path, data_key: bytes) -> int:
    """How many pages of ``path`` do not carry a valid authentication code under ``data_key``
    (a truncated last page counts as one)."""
    with open(path, "rb") as fh:
        salt = fh.read(SALT)
        if len(salt) < SALT:
            return 1
        mac_key = hashlib.pbkdf2_hmac("sha512", data_key, bytes(b ^ 0x3A for b in salt), 2, 32)
        base = hmac.new(mac_key, digestmod=hashlib.sha512)
        fh.seek(0)
        bad, pgno = 0, 0
        while chunk := fh.read(PAGE * CHUNK_PAGES):
            view = memoryview(chunk)
            whole = len(chunk) - len(chunk) % PAGE
            bad += whole != len(chunk)
            for off in range(0, whole, PAGE):
                pgno += 1
                if pgno == LOCK_PAGE:
                    continue
                end = off + PAGE - RESERVE + IV
                mac = base.copy()
                mac.update(view[off + (SALT if pgno == 1 else 0) : end])
                mac.update(pgno.to_bytes(4, "little"))
                bad += not hmac.compare_digest(mac.digest(), view[end : end + MAC])
    return bad
