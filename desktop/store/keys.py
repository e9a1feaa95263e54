"""Key management and health checks of an open workspace: the full check (pages, integrity,
audit chain, key slots), replacing the recovery key, and crash-safe key rotation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.store import db, errors, keyslots
from desktop.store.audit import VerifyResult
from desktop.store.constants import DB_NAME, SLOTS_NAME
from desktop.store.keyslots import SlotFile
from desktop.store.roles import require

if TYPE_CHECKING:
    from desktop.store.workspace import Workspace


@dataclass(frozen=True)
class CheckReport:
    """Outcome of :meth:`Workspace.check`."""

    ok: bool
    problems: list[str]
    audit: VerifyResult


def check(ws: Workspace) -> CheckReport:
    """Database page authentication and integrity, the kept member counts and facts, the audit chain, and
    the key slots."""
    from desktop.store import facts, tally

    conn = ws._connection()
    problems = db.integrity_problems(conn)
    if not problems:
        problems.extend(tally.drift(conn))
        problems.extend(facts.member_drift(conn, ws.forms.latest("member"), ws._cipher))
    try:
        result = ws._audit.verify()
    except errors.StoreError as exc:
        result = VerifyResult(False, 0, None, f"The audit chain cannot be read: {exc}")
    if not result.ok:
        problems.append(result.message)
    try:
        on_disk = SlotFile.load(ws.path / SLOTS_NAME)
        if on_disk.workspace_id != ws.workspace_id:
            problems.append("The key-slot file belongs to another workspace.")
        names = {u.name for u in ws.users.list()}
        slot_users = set(on_disk.users())
        for missing in sorted(names - slot_users):
            problems.append(f"User {missing!r} has no key slot.")
        for extra in sorted(slot_users - names):
            problems.append(f"Key slot for {extra!r}, who is not a user.")
        if on_disk.recovery_slot() is None:
            problems.append("The key-slot file has no recovery slot.")
        for s in on_disk.slots:
            keyslots.Slot.from_json(s.to_json())
            gens = {int(w["gen"]) for w in s.wraps}
            if ws._key_gen not in gens:
                problems.append(f"A key slot ({s.kind}) does not hold the current key.")
    except errors.StoreError as exc:
        problems.append(str(exc))
    return CheckReport(not problems, problems, result)


def new_recovery_key(ws: Workspace) -> str:
    """Replace the recovery slot; returns the new key (shown once). Admin only."""
    require(ws.user, "manage_keys", "replace the recovery key")
    key = keyslots.new_recovery_key()
    slot = keyslots.make_recovery_slot(ws.workspace_id, key, ws._keys(), ws.crypto_suite)
    ws._slots.slots = [s for s in ws._slots.slots if s.kind != "recovery"] + [slot]
    conn = ws._connection()
    with db.transaction(conn, "replacing the recovery key"):
        ws._audit.append(ws.user.name, "key.recovery", ws.workspace_id, {})
        ws._save_slots()
    return key


def rotate_key(ws: Workspace) -> None:
    """Re-key the database with a fresh data key and re-wrap every remaining slot.

    Crash-safe: the slot file first holds both keys, then the database is re-keyed, then the
    old key is dropped from the slot file (``open`` finishes an interrupted rotation).
    """

    require(ws.user, "manage_keys", "rotate the database key")
    conn = ws._connection()
    new_gen, new_key = ws._key_gen + 1, keyslots.new_data_key()
    both = {**ws._keys(), new_gen: new_key}
    ws._slots.slots = [keyslots.rewrap(ws.workspace_id, s, both) for s in ws._slots.slots]
    ws._save_slots()
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f"PRAGMA rekey = {db.key_pragma_value(new_key)}")
    except db.DB_ERRORS as exc:
        raise db.translate(exc, "re-keying the database") from None
    ws._key_gen, ws._data_key = new_gen, new_key
    # a fresh connection: SQLCipher's page checks in the old one still use the old HMAC key
    conn.close()
    ws._conn = None
    conn = db.connect(ws.path / DB_NAME, new_key)
    db.tune(conn)
    ws._bind(conn)
    with db.transaction(conn, "recording the key rotation"):
        ws._audit.append(ws.user.name, "key.rotate", ws.workspace_id, {"generation": new_gen})
    finish_rotation(ws)
    ws._dirty = True


def finish_rotation(ws: Workspace) -> None:
    ws._slots.slots = [keyslots.rewrap(ws.workspace_id, s, ws._keys()) for s in ws._slots.slots]
    ws._save_slots()
