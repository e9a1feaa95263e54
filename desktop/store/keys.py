"""Key management and health checks of an open workspace: the full check (pages, integrity,
audit chain, key slots), replacing the recovery key, and crash-safe key rotation.

They get the workspace as a :class:`desktop.store.context.KeyringContext` (its public names
only), like the other managers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.store import db, errors, keyslots
from desktop.store.audit import VerifyResult
from desktop.store.constants import SLOTS_NAME
from desktop.store.keyslots import SlotFile
from desktop.store.roles import require

if TYPE_CHECKING:
    from desktop.store.context import KeyringContext


@dataclass(frozen=True)
class CheckReport:
    """Outcome of :meth:`Workspace.check`."""

    ok: bool
    problems: list[str]
    audit: VerifyResult


def check(ctx: KeyringContext) -> CheckReport:
    """Database page authentication and integrity, the kept member counts and facts, the audit chain, and
    the key slots."""
    from desktop.store import facts, tally

    conn = ctx.connection()
    problems = db.integrity_problems(conn)
    if not problems:
        problems.extend(tally.drift(conn))
        problems.extend(facts.member_drift(conn, ctx.forms.latest("member"), ctx.cipher))
    try:
        result = ctx.audit.verify()
    except errors.StoreError as exc:
        result = VerifyResult(False, 0, None, f"The audit chain cannot be read: {exc}")
    if not result.ok:
        problems.append(result.message)
    try:
        on_disk = SlotFile.load(ctx.path / SLOTS_NAME)
        if on_disk.workspace_id != ctx.workspace_id:
            problems.append("The key-slot file belongs to another workspace.")
        names = ctx.user_names()
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
            if ctx.key_gen not in gens:
                problems.append(f"A key slot ({s.kind}) does not hold the current key.")
    except errors.StoreError as exc:
        problems.append(str(exc))
    return CheckReport(not problems, problems, result)


def new_recovery_key(ctx: KeyringContext) -> str:
    """Replace the recovery slot; returns the new key (shown once). Admin only."""
    require(ctx.user, "manage_keys", "replace the recovery key")
    key = keyslots.new_recovery_key()
    slot = keyslots.make_recovery_slot(ctx.workspace_id, key, ctx.keys(), ctx.crypto_suite)
    ctx.slots.slots = [s for s in ctx.slots.slots if s.kind != "recovery"] + [slot]
    conn = ctx.connection()
    with db.transaction(conn, "replacing the recovery key"):
        ctx.audit.append(ctx.user.name, "key.recovery", ctx.workspace_id, {})
        ctx.save_slots()
    return key


def rotate_key(ctx: KeyringContext) -> None:
    """Re-key the database with a fresh data key and re-wrap every remaining slot.

    Crash-safe: the slot file first holds both keys, then the database is re-keyed, then the
    old key is dropped from the slot file (``open`` finishes an interrupted rotation).
    """

    require(ctx.user, "manage_keys", "rotate the database key")
    conn = ctx.connection()
    new_gen, new_key = ctx.key_gen + 1, keyslots.new_data_key()
    both = {**ctx.keys(), new_gen: new_key}
    ctx.slots.slots = [keyslots.rewrap(ctx.workspace_id, s, both) for s in ctx.slots.slots]
    ctx.save_slots()
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f"PRAGMA rekey = {db.key_pragma_value(new_key)}")
    except db.DB_ERRORS as exc:
        raise db.translate(exc, "re-keying the database") from None
    ctx.rekeyed(new_gen, new_key)  # a fresh connection, opened with the new key
    with db.transaction(ctx.connection(), "recording the key rotation"):
        ctx.audit.append(ctx.user.name, "key.rotate", ctx.workspace_id, {"generation": new_gen})
    finish_rotation(ctx)
    ctx.mark_changed()


def finish_rotation(ctx: KeyringContext) -> None:
    """Drop the keys no longer in use from every slot (the last step of a rotation)."""
    ctx.slots.slots = [keyslots.rewrap(ctx.workspace_id, s, ctx.keys()) for s in ctx.slots.slots]
    ctx.save_slots()
