"""The backup's fast page check agrees with SQLCipher's own ``cipher_integrity_check``."""

from __future__ import annotations

from desktop.store import pageauth
from desktop.store.workspace import DB_NAME
from tests.store import helpers as h


def sqlcipher_failures(ws) -> int:
    return len(ws._connection().execute("PRAGMA cipher_integrity_check").fetchall())


def test_fast_page_check_agrees_with_sqlcipher(ws, ws_path):
    union = ws.records.save("union", h.union()).uuid
    ws.records.save_many("member", [h.member(i, union) for i in range(300)])
    ws._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = ws_path / DB_NAME
    pristine = path.read_bytes()
    pages = len(pristine) // pageauth.PAGE
    assert pages > 20
    assert pageauth.failing_pages(path, ws._data_key) == 0 == sqlcipher_failures(ws)
    assert pageauth.failing_pages(path, bytes(32)) == pages  # another key confirms nothing
    for offset in (5, 20, 4096 * 3 + 7, 4096 * 4 - 70, 4096 * 5 - 1, len(pristine) - 100):
        data = bytearray(pristine)
        data[offset] ^= 0x04  # salt, page 1 data, page data, IV, MAC, the last page
        path.write_bytes(bytes(data))
        fast = pageauth.failing_pages(path, ws._data_key)
        assert fast >= 1
        if offset >= 16:  # a changed salt changes every page's key in both
            assert fast == 1 == sqlcipher_failures(ws)
    path.write_bytes(pristine[:-10])  # cut short
    assert pageauth.failing_pages(path, ws._data_key) == 1
    path.write_bytes(pristine)
    assert pageauth.failing_pages(path, ws._data_key) == 0 == sqlcipher_failures(ws)
