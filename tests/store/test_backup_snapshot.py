"""Backups are exact, consistent snapshots: restored byte for byte in every table, taken while
another connection writes, never half-written when killed, and old backups still restore."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from desktop.store import Workspace, db, errors
from desktop.store.backup import FORMAT, MANIFEST, STALE_PART_S, rolling_backup
from desktop.store.workspace import BACKUP_DIR, DB_NAME, SLOTS_NAME
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, FAST_KDF, reopen


def tables(ws: Workspace) -> dict[str, list[str]]:
    """Every row of every table (full-text index tables included), in a stable order."""
    conn = ws._connection()
    names = ws.db.table_names()
    return {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}


def fill(ws: Workspace, n: int) -> str:
    union = ws.records.save("union", h.union()).uuid
    ws.records.save_many("member", [h.member(i, union) for i in range(n)])
    return union


def restore(bak: Path, target: Path, **kwargs: Any) -> Workspace:
    if not kwargs:
        kwargs = {"user": "admin", "password": ADMIN_PW}
    return Workspace.restore(bak, target, kdf=FAST_KDF, **kwargs)


def old_style_backup(ws: Workspace, dest: Path) -> Path:
    """A backup file as UnionDesk wrote them before: ``sqlcipher_export`` into an attached
    database (rollback journal, indexes rebuilt), zipped with the manifest and key slots."""
    conn = ws._connection()
    tmp = dest.with_name("old-export.db")
    key = db.key_pragma_value(ws._data_key)
    conn.execute(f"ATTACH DATABASE ? AS backup KEY {key}", (str(tmp),))
    try:
        conn.execute("SELECT sqlcipher_export('backup')")
    finally:
        conn.execute("DETACH DATABASE backup")
    manifest = {"format": FORMAT, "version": 1, "workspace_id": ws.workspace_id}
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest))
        zf.write(tmp, DB_NAME)
        zf.write(ws.path / SLOTS_NAME, SLOTS_NAME)
    tmp.unlink()
    return dest


def test_backup_restores_every_table_exactly_with_password_or_recovery_key(created, tmp_path):
    ws, rk = created
    union = fill(ws, 30)
    first = ws.records.query("member", order_by="created_at", limit=3)
    ws.records.save("member", h.member(900, union, name="改名"), record_uuid=first[0].uuid)
    ws.records.set_status(first[1].uuid, "ready")
    ws.users.add("clerk1", "clerk-pass-1", "clerk")
    before = tables(ws)
    bak = ws.backup(tmp_path / "usb")
    for target, kwargs in [
        (tmp_path / "pc2", {"user": "clerk1", "password": "clerk-pass-1"}),
        (tmp_path / "pc3", {"recovery_key": rk}),
    ]:
        w = restore(bak, target, **kwargs)
        try:
            assert tables(w) == before
            assert w.records.count("member", search=h.name(7)) == 1  # the search index works
            assert w.check().ok
        finally:
            w.close(backup=False)


def test_a_backup_written_the_old_way_still_restores(created, tmp_path):
    ws, rk = created
    fill(ws, 20)
    before = tables(ws)
    bak = old_style_backup(ws, tmp_path / "old.udbak")
    for target, kwargs in [(tmp_path / "a", {}), (tmp_path / "b", {"recovery_key": rk})]:
        w = restore(bak, target, **kwargs)
        try:
            assert tables(w) == before and w.check().ok
        finally:
            w.close(backup=False)


def test_backup_while_another_connection_writes_is_one_commit(created, ws_path, tmp_path):
    """A second connection (as another program on the same workspace would be) saves members
    all the time. Each backup holds whole saves only: counts, audit chain and search index agree,
    and the number of members is one the writer actually had."""
    ws, _ = created
    union = fill(ws, 200)
    other = reopen(ws_path)
    stop, counts = threading.Event(), [200]

    def writer() -> None:
        i = 10_000
        while not stop.is_set():
            other.records.save("member", h.member(i, union))
            counts.append(counts[-1] + 1)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(counts) < 5:
            time.sleep(0.01)
        baks = [ws.backup(tmp_path / "usb" / f"{k}.udbak") for k in range(4)]
    finally:
        stop.set()
        thread.join()
        other.close(backup=False)
    assert counts[-1] > 204  # the writer kept going during the backups
    seen = []
    for k, bak in enumerate(baks):
        w = restore(bak, tmp_path / f"r{k}")
        try:
            report = w.check()
            assert report.ok, report.problems
            seen.append(w.records.count("member"))
        finally:
            w.close(backup=False)
    assert all(n in counts for n in seen) and seen == sorted(seen)


def test_backup_while_another_program_reads_takes_the_page_copy(created, ws_path, tmp_path, caplog):
    """When another connection holds a read open (the WAL cannot be emptied), the backup copies
    page by page instead; it restores the same."""
    ws, _ = created
    fill(ws, 50)
    other = reopen(ws_path)
    conn = other._connection()
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM records").fetchone()
    try:
        ws.records.save("union", h.union(1))  # a commit the reader does not see: WAL in use
        before = tables(ws)
        with caplog.at_level(logging.INFO, logger="desktop.store.backup"):
            bak = ws.backup(tmp_path / "usb")
    finally:
        conn.execute("ROLLBACK")
        other.close(backup=False)
    assert "page copy" in caplog.text
    assert not list(bak.parent.glob("*.part"))
    w = restore(bak, tmp_path / "r")
    try:
        assert tables(w) == before and w.check().ok
    finally:
        w.close(backup=False)


def test_backup_of_an_altered_database_is_refused_and_older_backups_stay(created, ws_path):
    ws, _ = created
    fill(ws, 50)
    ws.close()  # a good rolling backup
    good = sorted((ws_path / BACKUP_DIR).glob("*.udbak"))
    assert len(good) == 1
    pristine = (ws_path / DB_NAME).read_bytes()
    for page in range(len(pristine) // 4096 // 2, len(pristine) // 4096):
        data = bytearray(pristine)
        data[page * 4096 + 100] ^= 0x01  # a page the program does not read when opening
        (ws_path / DB_NAME).write_bytes(bytes(data))
        try:
            w = Workspace.open(ws_path, user="admin", password=ADMIN_PW, kdf=FAST_KDF, verify=False)
            break
        except errors.TamperedDatabase:
            continue
    try:
        with pytest.raises(errors.TamperedDatabase):
            w.backup(ws_path / BACKUP_DIR)
    finally:
        w.close(backup=False)
    assert sorted((ws_path / BACKUP_DIR).glob("*")) == good  # no new file, no leftover


def _backup_forever(path: Path, folder: Path) -> None:
    """Runs in the forked child: back up again and again until killed."""
    try:
        w = reopen(path)
        while True:
            w.backup(folder)
    finally:
        os._exit(0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
def test_killed_during_backup_leaves_nothing_restore_accepts(created, ws_path, tmp_path):
    ws, rk = created
    fill(ws, 1500)
    ws.close(backup=False)
    folder = ws_path / BACKUP_DIR
    folder.mkdir()
    for _round in range(3):
        pid = os.fork()
        if pid == 0:
            _backup_forever(ws_path, folder)
        deadline = time.monotonic() + 60
        while not (list(folder.glob("*.udbak")) and list(folder.glob("*.part*"))):
            assert time.monotonic() < deadline, "the child never got to a second backup"
            time.sleep(0.001)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    parts = list(folder.glob("*.part*"))
    assert parts and all(p.name.endswith((".udbak.part", ".udbak.db.part")) for p in parts)
    for k, part in enumerate(parts):  # an unfinished file is never taken for a backup
        with pytest.raises((errors.DamagedBackup, errors.NotABackup)):
            restore(part, tmp_path / f"p{k}", recovery_key=rk)
        assert not (tmp_path / f"p{k}").exists()
    whole = sorted(folder.glob("*.udbak"))
    w = restore(whole[-1], tmp_path / "ok", recovery_key=rk)
    assert w.records.count("member") == 1500 and w.check().ok
    w.close(backup=False)
    # the next rolling backup clears what killed backups left (once old enough)
    old = time.time() - STALE_PART_S - 5
    for part in parts:
        os.utime(part, (old, old))
    w = reopen(ws_path)
    try:
        rolling_backup(w, keep=2)
    finally:
        w.close(backup=False)
    assert not list(folder.glob("*.part*"))
    assert len(list(folder.glob("*.udbak"))) == 2
