"""Backups (manual and rolling), restore elsewhere, migrations (atomic, recorded)."""

from __future__ import annotations

import zipfile

import pytest

from desktop.store import Workspace, errors, migrations
from desktop.store.workspace import BACKUP_DIR
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, FAST_KDF, reopen


def test_backup_restores_elsewhere_with_password_or_recovery_key(created, tmp_path):
    ws, rk = created
    u = ws.records.save("union", h.union()).uuid
    m = ws.records.save("member", h.member(1, u)).uuid
    ws.users.add("clerk1", "clerk-pass-1", "clerk")
    bak = ws.backup(tmp_path / "usb")
    assert bak.suffix == ".udbak" and bak.parent == tmp_path / "usb"
    ws.records.save("member", h.member(2, u))  # after the backup: not in it
    for target, kwargs in [
        (tmp_path / "pc2", {"user": "clerk1", "password": "clerk-pass-1"}),
        (tmp_path / "pc3", {"recovery_key": rk}),
    ]:
        w = Workspace.restore(bak, target, kdf=FAST_KDF, **kwargs)
        try:
            assert w.records.count("member") == 1
            assert w.records.get(m).data["name"] == h.name(1)
            assert w.check().ok
        finally:
            w.close(backup=False)
    with pytest.raises(errors.WorkspaceExists):
        Workspace.restore(bak, tmp_path / "pc2", recovery_key=rk)
    with pytest.raises(errors.WrongPassword):
        Workspace.restore(
            bak, tmp_path / "pc4", user="admin", password="wrong-password", kdf=FAST_KDF
        )
    assert not (tmp_path / "pc4" / "workspace.db").exists()


def test_damaged_backup_is_a_clear_error(created, tmp_path):
    ws, rk = created
    bad = tmp_path / "bad.udbak"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(errors.NotABackup):
        Workspace.restore(bad, tmp_path / "x", recovery_key=rk)
    bak = ws.backup(tmp_path / "b.udbak")
    with zipfile.ZipFile(bak) as zf:
        names = zf.namelist()
        db = bytearray(zf.read("workspace.db"))
        slots = zf.read("keyslots.json")
        manifest = zf.read("manifest.json")
    db[len(db) // 2] ^= 0x10
    flipped = tmp_path / "flipped.udbak"
    with zipfile.ZipFile(flipped, "w") as zf:
        zf.writestr("manifest.json", manifest)
        zf.writestr("workspace.db", bytes(db))
        zf.writestr("keyslots.json", slots)
    assert set(names) == {"manifest.json", "workspace.db", "keyslots.json"}
    with pytest.raises(errors.DamagedBackup):
        Workspace.restore(flipped, tmp_path / "y", recovery_key=rk)
    assert not (tmp_path / "y").exists()  # the folder it made is gone again
    cut = tmp_path / "cut.udbak"
    cut.write_bytes(bak.read_bytes()[:-100])
    with pytest.raises(errors.DamagedBackup):
        Workspace.restore(cut, tmp_path / "z", recovery_key=rk)


def test_failed_restore_removes_only_what_it_wrote(created, tmp_path):
    """A wrong password is refused before anything is written; the target's other contents
    (here the backups folder holding the very backup being restored) are never touched."""
    ws, rk = created
    target = tmp_path / "lost"
    bak = ws.backup(target / BACKUP_DIR)
    (target / "notes.txt").write_text("keep me", "utf-8")
    before = sorted(p.relative_to(target) for p in target.rglob("*"))
    with pytest.raises(errors.WrongPassword):
        Workspace.restore(bak, target, user="admin", password="wrong-password", kdf=FAST_KDF)
    with pytest.raises(errors.UnknownUser):
        Workspace.restore(bak, target, user="nobody", password=ADMIN_PW, kdf=FAST_KDF)
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == before
    w = Workspace.restore(bak, target, recovery_key=rk, kdf=FAST_KDF)
    assert w.check().ok and bak.exists() and (target / "notes.txt").exists()
    w.close(backup=False)


def test_rolling_backups_on_close_keep_the_last_n(created, ws_path):
    ws, _ = created
    ws.settings.set("backup.keep", 2)
    ws.close()
    for i in range(3):
        w = reopen(ws_path)
        w.settings.set("x", i)
        w.close()
    w = reopen(ws_path)
    w.close()  # no change: no new backup
    files = sorted((ws_path / BACKUP_DIR).glob("*.udbak"))
    assert len(files) == 2
    w = Workspace.restore(
        files[-1], ws_path.parent / "restored", user="admin", password=ADMIN_PW, kdf=FAST_KDF
    )
    assert w.settings.get("x") == 2
    w.close(backup=False)


def test_migrations_are_recorded_and_a_failing_step_changes_nothing(created, ws_path, monkeypatch):
    ws, _ = created
    done = [r[0] for r in ws._conn.execute("SELECT id FROM migrations")]
    assert done == sorted(migrations.STEPS)
    ws.close(backup=False)

    def good(conn):
        """Test step: adds a table."""
        conn.execute("CREATE TABLE extra_ok (x)")

    def bad(conn):
        """Test step: half-done then fails."""
        conn.execute("CREATE TABLE extra_bad (x)")
        conn.execute("INSERT INTO settings (key, value) VALUES ('half', '1')")
        raise RuntimeError("migration failed")

    monkeypatch.setitem(migrations.STEPS, 900, good)
    monkeypatch.setitem(migrations.STEPS, 901, bad)
    with pytest.raises(RuntimeError):
        reopen(ws_path)
    monkeypatch.delitem(migrations.STEPS, 901)
    w = reopen(ws_path)
    tables = set(w.db.table_names())
    assert "extra_ok" in tables and "extra_bad" not in tables
    assert w.settings.get("half") is None
    assert [r[0] for r in w._conn.execute("SELECT id FROM migrations")][-1] == 900
    w.close(backup=False)


def test_an_older_workspace_is_migrated_on_open(tmp_path, monkeypatch):
    later = {n: f for n, f in migrations.STEPS.items() if n > 1}
    for n in later:
        monkeypatch.delitem(migrations.STEPS, n)
    ws, _ = Workspace.create(
        tmp_path / "old", org_unit_code="1", admin_password=ADMIN_PW, kdf=FAST_KDF
    )
    u = ws.records.save("union", h.union()).uuid
    ws.records.save("member", h.member(1, u))
    ws.close(backup=False)
    monkeypatch.undo()
    w = reopen(tmp_path / "old")
    try:
        assert [r[0] for r in w._conn.execute("SELECT id FROM migrations")] == sorted(
            migrations.STEPS
        )
        assert [r.data["name"] for r in w.records.query("member", search=h.name(1)[:2])] == [
            h.name(1)
        ]
        assert w.records.query("member", order_by="name")[0].data["name"] == h.name(1)
        assert w.check().ok
    finally:
        w.close(backup=False)
