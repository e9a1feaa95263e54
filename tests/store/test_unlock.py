"""Opening a workspace: passwords, recovery key, distinct errors, nothing modified on failure."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import apsw
import pytest

from desktop.store import Workspace, errors, keyslots, lockout
from desktop.store.workspace import DB_NAME, SLOTS_NAME
from tests.store.conftest import ADMIN_PW, FAST_KDF, reopen


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_recovery_key_is_grouped_and_long_enough(created):
    _, rk = created
    groups = rk.split("-")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert len(keyslots.parse_recovery_key(rk)) * 8 >= 128
    # typed loosely: lower case, spaces instead of dashes
    assert keyslots.parse_recovery_key(rk.lower().replace("-", " ")) == keyslots.parse_recovery_key(
        rk
    )


def test_every_password_and_recovery_key_open_removed_user_cannot(created, ws_path):
    ws, rk = created
    ws.users.add("clerk1", "clerk-pass-1", "clerk")
    ws.users.add("aud1", "audit-pass-1", "auditor")
    ws.users.add("gone", "Left-pass-1", "clerk")
    old_slots = (ws_path / SLOTS_NAME).read_bytes()
    ws.users.remove("gone")
    ws.close(backup=False)
    for user, pw, role in [
        ("admin", ADMIN_PW, "admin"),
        ("clerk1", "clerk-pass-1", "clerk"),
        ("aud1", "audit-pass-1", "auditor"),
    ]:
        w = reopen(ws_path, user, pw)
        assert w.user.role == role
        w.close(backup=False)
    w = Workspace.open_with_recovery_key(ws_path, rk)
    assert w.user.role == "admin"
    w.close(backup=False)
    with pytest.raises(errors.UnknownUser):
        reopen(ws_path, "gone", "Left-pass-1")
    # an old copy of the slot file still unlocks "gone" until the key is rotated...
    w = reopen(ws_path)
    w.rotate_key()
    w.close(backup=False)
    current = (ws_path / SLOTS_NAME).read_bytes()
    (ws_path / SLOTS_NAME).write_bytes(old_slots)
    with pytest.raises((errors.TamperedDatabase, errors.UnknownUser)):
        reopen(ws_path, "gone", "Left-pass-1")
    (ws_path / SLOTS_NAME).write_bytes(current)
    # ...and after rotation everyone remaining still opens
    for user, pw in [("admin", ADMIN_PW), ("clerk1", "clerk-pass-1")]:
        reopen(ws_path, user, pw).close(backup=False)
    Workspace.open_with_recovery_key(ws_path, rk).close(backup=False)


def test_wrong_password_and_unknown_user_are_distinct_and_modify_nothing(created, ws_path):
    ws, _ = created
    ws.close(backup=False)
    before = (digest(ws_path / DB_NAME), digest(ws_path / SLOTS_NAME))
    with pytest.raises(errors.WrongPassword) as wrong:
        reopen(ws_path, "admin", "not-the-password")
    assert "not-the-password" not in str(wrong.value)
    with pytest.raises(errors.UnknownUser) as unknown:
        reopen(ws_path, "nobody", ADMIN_PW)
    assert "nobody" in str(unknown.value)
    assert (digest(ws_path / DB_NAME), digest(ws_path / SLOTS_NAME)) == before


def test_growing_delay_after_five_failures_is_persisted(created, ws_path, monkeypatch):
    ws, _ = created
    ws.close(backup=False)
    now = [1000.0]
    monkeypatch.setattr(lockout.time, "time", lambda: now[0])
    monkeypatch.setattr(lockout.Lockout.__init__, "__defaults__", (lambda: now[0],))
    delays = []
    for _ in range(5):
        now[0] += 10
        with pytest.raises(errors.WrongPassword) as exc:
            reopen(ws_path, "admin", "bad-password")
        delays.append(exc.value.delay_seconds)
    assert delays[:4] == [0, 0, 0, 0] and delays[4] > 0
    # the right password is refused while the delay runs (persisted: a new process sees it)
    state = json.loads((ws_path / lockout.FILE_NAME).read_text())
    assert state["admin"]["count"] == 5
    with pytest.raises(errors.TooManyAttempts) as wait:
        reopen(ws_path)
    assert wait.value.retry_after > 0
    now[0] += delays[4] + 0.1
    with pytest.raises(errors.WrongPassword) as exc:
        reopen(ws_path, "admin", "bad-password")
    assert exc.value.delay_seconds > delays[4]
    now[0] += exc.value.delay_seconds + 0.1
    reopen(ws_path).close(backup=False)
    assert "admin" not in json.loads((ws_path / lockout.FILE_NAME).read_text())


def test_password_change_rewrites_one_slot_not_the_database(created, ws_path):
    ws, _ = created
    ws.users.add("clerk1", "clerk-pass-1", "clerk")
    ws.close(backup=False)
    slots_before = json.loads((ws_path / SLOTS_NAME).read_text())
    w = reopen(ws_path, "clerk1", "clerk-pass-1")
    w.users.change_password("clerk1", "clerk-pass-2")
    with pytest.raises(errors.PermissionDenied):
        w.users.change_password("admin", "hijack-pass")
    w._conn.close()
    w._conn = None
    slots_after = json.loads((ws_path / SLOTS_NAME).read_text())
    changed = [
        a["user"]
        for a, b in zip(slots_before["slots"], slots_after["slots"], strict=True)
        if a != b
    ]
    assert changed == ["clerk1"]
    with pytest.raises(errors.WrongPassword):
        reopen(ws_path, "clerk1", "clerk-pass-1")
    reopen(ws_path, "clerk1", "clerk-pass-2").close(backup=False)
    reopen(ws_path).close(backup=False)


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("where", ["header", "middle", "end"])
def test_one_byte_flip_in_database_is_tampering(created, ws_path, where):
    ws, _ = created
    for i in range(30):
        ws.settings.set(f"k{i}", "x" * 500)
    ws.close(backup=False)
    size = (ws_path / DB_NAME).stat().st_size
    offset = {"header": 5, "middle": size // 2, "end": size - 3}[where]
    _flip(ws_path / DB_NAME, offset)
    flipped = digest(ws_path / DB_NAME)
    with pytest.raises(errors.TamperedDatabase) as exc:
        reopen(ws_path)
    assert "altered" in str(exc.value) or "damaged" in str(exc.value)
    assert digest(ws_path / DB_NAME) == flipped


def test_every_single_byte_flip_of_the_slot_file_is_reported(created, ws_path):
    ws, _ = created
    ws.close(backup=False)
    original = (ws_path / SLOTS_NAME).read_bytes()
    step = max(1, len(original) // 60)
    for offset in range(0, len(original), step):
        data = bytearray(original)
        data[offset] ^= 0x04
        (ws_path / SLOTS_NAME).write_bytes(bytes(data))
        with pytest.raises((errors.DamagedKeySlots, errors.UnknownUser)):
            reopen(ws_path)
    (ws_path / SLOTS_NAME).write_bytes(original)
    reopen(ws_path).close(backup=False)


def test_newer_workspace_version_is_refused_untouched(created, ws_path):
    ws, _ = created
    ws._conn.execute("INSERT INTO migrations (id, name, applied_at) VALUES (9999, 'future', 'x')")
    ws.close(backup=False)
    before = digest(ws_path / DB_NAME)
    with pytest.raises(errors.NewerWorkspaceVersion):
        reopen(ws_path)
    assert digest(ws_path / DB_NAME) == before
    doc = json.loads((ws_path / SLOTS_NAME).read_text())
    doc["version"] = 99
    (ws_path / SLOTS_NAME).write_text(json.dumps(doc))
    with pytest.raises(errors.NewerWorkspaceVersion):
        reopen(ws_path)


def test_independent_sqlcipher4_reader_opens_it_and_plain_sqlite_cannot(created, ws_path):
    ws, rk = created
    ws.settings.set("probe", "独立读取")
    ws.close(backup=False)
    # unwrap the raw data key with the recovery key, as a third party would
    slots = keyslots.SlotFile.load(ws_path / SLOTS_NAME)
    slot = slots.recovery_slot()
    keys = keyslots.unwrap(
        slots.workspace_id, slot, keyslots.open_private(slots.workspace_id, slot, rk)
    )
    raw = keys[max(keys)]
    conn = apsw.Connection(str(ws_path / DB_NAME))
    conn.pragma("cipher", "sqlcipher")
    conn.pragma("legacy", 4)
    conn.pragma("key", f"x'{raw.hex()}'")
    rows = list(conn.execute("SELECT value FROM settings WHERE key = 'probe'"))
    assert rows == [('"独立读取"',)]
    conn.close()
    plain = sqlite3.connect(str(ws_path / DB_NAME))
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    plain.close()


def test_wrong_recovery_key_and_mistyped_one(created, ws_path):
    ws, rk = created
    ws.close(backup=False)
    with pytest.raises(errors.InvalidRecoveryKey):
        Workspace.open_with_recovery_key(ws_path, rk[:-1] + ("0" if rk[-1] != "0" else "1"))
    with pytest.raises(errors.WrongPassword):
        Workspace.open_with_recovery_key(ws_path, keyslots.new_recovery_key())


def test_create_refuses_existing_workspace(created, ws_path):
    with pytest.raises(errors.WorkspaceExists):
        Workspace.create(ws_path, org_unit_code="1", admin_password=ADMIN_PW, kdf=FAST_KDF)


def test_default_kdf_is_strong_and_stored_in_slot(tmp_path):
    assert keyslots.KdfParams().memory_kib >= 65536 and keyslots.KdfParams().iterations >= 3
    ws, _ = Workspace.create(
        tmp_path / "w", org_unit_code="1", admin_password=ADMIN_PW, kdf=FAST_KDF
    )
    ws.close(backup=False)
    slot = keyslots.SlotFile.load(tmp_path / "w" / SLOTS_NAME).password_slot("admin")
    assert slot.kdf["name"] == "argon2id" and slot.kdf["memory_kib"] == FAST_KDF.memory_kib


def test_damage_found_after_opening_is_reported_as_tampering(created, ws_path):
    created[0].close(backup=False)  # planner statistics are written now, not after the data
    ws = reopen(ws_path)
    for i in range(200):
        ws.settings.set(f"k{i}", "x" * 800)
    ws.close(backup=False)
    size = (ws_path / DB_NAME).stat().st_size
    _flip(ws_path / DB_NAME, size - 100)  # inside the last page (a settings leaf)
    w = Workspace.open(ws_path, user="admin", password=ADMIN_PW, kdf=FAST_KDF, verify=False)
    try:
        with pytest.raises(errors.TamperedDatabase):
            for i in range(200):
                w.settings.get(f"k{i}")
            w._conn.execute("SELECT count(*), sum(length(value)) FROM settings").fetchall()
        assert not w.check().ok
    finally:
        w.close(backup=False)


@pytest.mark.parametrize("crash", ["before_rekey", "after_rekey"])
def test_interrupted_key_rotation_never_locks_anyone_out(created, ws_path, monkeypatch, crash):
    from desktop.store import keys

    ws, rk = created
    ws.users.add("clerk1", "clerk-pass-1", "clerk")
    ws.settings.set("probe", 1)

    def boom(*a, **k):
        raise RuntimeError("power cut")

    if crash == "before_rekey":
        real_save = ws._save_slots
        calls = []

        def save_then_die():
            real_save()  # the slot file now holds the old and the new key
            calls.append(1)
            raise RuntimeError("power cut")

        monkeypatch.setattr(ws, "_save_slots", save_then_die)
    else:
        monkeypatch.setattr(keys, "finish_rotation", boom)
    with pytest.raises(RuntimeError):
        ws.rotate_key()
    monkeypatch.undo()
    if ws._conn is not None:
        ws._conn.close()
    ws._conn = None
    gens = {
        int(w["gen"]) for s in keyslots.SlotFile.load(ws_path / SLOTS_NAME).slots for w in s.wraps
    }
    # both keys on disk at the moment of the crash (0: the field key of a gm workspace)
    assert gens - {0} == {1, 2}
    for user, pw in [("admin", ADMIN_PW), ("clerk1", "clerk-pass-1")]:
        w = reopen(ws_path, user, pw)
        assert w.settings.get("probe") == 1
        w.close(backup=False)
    Workspace.open_with_recovery_key(ws_path, rk).close(backup=False)
    slots = keyslots.SlotFile.load(ws_path / SLOTS_NAME)
    assert len({int(w["gen"]) for s in slots.slots for w in s.wraps} - {0}) == 1  # finished
    w = reopen(ws_path)
    assert w.check().ok
    w.close(backup=False)
