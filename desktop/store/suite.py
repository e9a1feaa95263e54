"""Moving a workspace to the ``gm`` crypto suite (``Workspace.adopt_crypto_suite``).

``adopt`` makes the field key, has every key slot wrap it (first, so a crash before the
database commits leaves an unused key in the slots and an ``intl`` workspace), then in ONE
transaction seals every sensitive value of ``records`` and ``record_versions``, replaces their
keyed-index rows by HMAC-SM3 tokens and masked sort keys, and records the suite in ``meta``
with an audit entry. A slot still of the ``intl`` kind keeps working (it wraps the field key
too) and becomes a gm slot (SM2 / SM4-GCM) the next time its password or the recovery key is
typed (:func:`move_slot`), the first moment that secret is at hand.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any

from desktop.store import audit, db, errors, facts, keyslots, search
from desktop.store import field_cipher as fc
from desktop.store.formdefs import StorageSpec
from desktop.store.roles import require

if TYPE_CHECKING:
    from desktop.store.workspace import Workspace

BATCH = 5000


def adopt(ws: Workspace, suite: str, *, following_county: bool = False) -> bool:
    """Move ``ws`` to ``suite``; False when it is already there. Only ``intl`` → ``gm``.

    An administrator's choice; or (``following_county``) done by whoever syncs, because the
    county the workspace is enrolled with is on that suite."""
    fc.check_suite(suite)
    if suite == ws.crypto_suite:
        return False
    if suite == fc.INTL:
        raise errors.PermissionDenied(
            "A workspace on the gm suite does not move back to intl (its personal data stays"
            " encrypted with SM4)."
        )
    if following_county:
        require(ws.user, "sync", "follow the county's crypto suite")
    else:
        require(ws.user, "manage_keys", "change the workspace's crypto suite")
    conn = ws._connection()
    field_key = fc.new_field_key()
    cipher = fc.FieldCipher(fc.GM, field_key)
    keys = {**ws._keys(), fc.FIELD_KEY_GEN: field_key}
    ws._slots.slots = [keyslots.rewrap(ws.workspace_id, s, keys) for s in ws._slots.slots]
    ws._save_slots()
    # the plain values' old cells are zeroed as they are replaced, and the WAL's copies dropped
    conn.execute("PRAGMA secure_delete = ON")
    try:
        _move(ws, cipher, following_county)
    finally:
        conn.execute("PRAGMA secure_delete = OFF")
    with contextlib.suppress(*db.DB_ERRORS):
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ws._field_key = field_key
    ws._cipher = cipher
    ws._dirty = True
    ws._changed(None, None)
    return True


def _move(ws: Workspace, cipher: fc.FieldCipher, following_county: bool) -> None:
    conn = ws._connection()
    with db.transaction(conn, "moving the workspace to the gm crypto suite"):
        counts = _seal_all(ws, cipher)
        # the statistics facts' ID digests become HMAC-SM3 like every other keyed index
        facts.fill_members(conn, ws.forms.latest("member"), cipher=cipher)
        conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [("crypto_suite", fc.GM), ("field_key_check", cipher.check_value())],
        )
        ws._audit.append(
            ws.user.name,
            "workspace.crypto_suite",
            ws.workspace_id,
            {"from": fc.INTL, "to": fc.GM, "following_county": following_county, **counts},
        )


def _specs(ws: Workspace, form_id: str, versions: list[int]) -> dict[int, StorageSpec]:
    out: dict[int, StorageSpec] = {}
    for v in versions:
        try:
            out[v] = ws.forms.spec(ws.forms.get(form_id, v))
        except errors.UnknownForm:
            continue
    return out


def _seal_all(ws: Workspace, cipher: fc.FieldCipher) -> dict[str, Any]:
    """Seal the sensitive values of every record and kept version; rebuild their index rows."""
    conn = ws._connection()
    pairs = conn.execute(
        "SELECT DISTINCT form_id, form_version FROM records"
        " UNION SELECT DISTINCT form_id, form_version FROM record_versions"
    ).fetchall()
    by_form: dict[str, list[int]] = {}
    for form_id, version in pairs:
        by_form.setdefault(form_id, []).append(int(version))
    sealed = 0
    for form_id, versions in sorted(by_form.items()):
        specs = _specs(ws, form_id, versions)
        hidden = sorted({f for s in specs.values() for f in s.sensitive})
        if not hidden:
            continue
        marks = ",".join("?" * len(hidden))
        conn.execute(
            f"DELETE FROM record_keys WHERE form_id = ? AND field_id IN ({marks})",
            (form_id, *hidden),
        )
        for version, spec in specs.items():
            if not spec.sensitive:
                continue
            sealed += _seal_table(conn, cipher, spec, form_id, version, current=True)
            sealed += _seal_table(conn, cipher, spec, form_id, version, current=False)
    return {"values_sealed": sealed}


def _seal_table(
    conn: Any,
    cipher: fc.FieldCipher,
    spec: StorageSpec,
    form_id: str,
    version: int,
    *,
    current: bool,
) -> int:
    table = "records" if current else "record_versions"
    cur = conn.execute(
        f"SELECT {'id' if current else 'version'}, uuid, data FROM {table}"
        " WHERE form_id = ? AND form_version = ?",
        (form_id, version),
    )
    n = 0
    fts_text = bool(set(spec.contains) & spec.sensitive)
    while batch := cur.fetchmany(BATCH):
        updates, keys, texts = [], [], []
        for ident, ruuid, text in batch:
            data = json.loads(text)
            n += sum(1 for f in spec.sensitive if data.get(f) not in (None, ""))
            stored = cipher.seal_data(ruuid, spec.sensitive, data)
            updates.append((audit.canonical(stored).decode(), ident, ruuid))
            if current:
                for f in sorted(spec.sensitive):
                    if f in spec.keyed:
                        keys.extend(cipher.sensitive_key_rows(int(ident), form_id, f, data.get(f)))
                if fts_text:
                    texts.append((int(ident), search.text_of(spec, data, cipher)))
        if current:
            conn.executemany("UPDATE records SET data = ? WHERE id = ? AND uuid = ?", updates)
            conn.executemany(
                "INSERT OR IGNORE INTO record_keys (form_id, field_id, value, rec)"
                " VALUES (?, ?, ?, ?)",
                keys,
            )
            if texts and search.has_fts(conn, form_id):
                tri, gram = search.fts_names(form_id)
                conn.executemany(f"DELETE FROM {tri} WHERE rowid = ?", [(r,) for r, _ in texts])
                conn.executemany(f"DELETE FROM {gram} WHERE rowid = ?", [(r,) for r, _ in texts])
                live = [(r, t) for r, t in texts if t]
                conn.executemany(f"INSERT INTO {tri} (rowid, text) VALUES (?, ?)", live)
                conn.executemany(
                    f"INSERT INTO {gram} (rowid, grams) VALUES (?, ?)",
                    [(r, search.grams_of(t)) for r, t in live],
                )
        else:
            conn.executemany(
                "UPDATE record_versions SET data = ? WHERE version = ? AND uuid = ?", updates
            )
    return n


def move_slot(ws: Workspace, slot: keyslots.Slot | None, secret: str) -> None:
    """Remake an ``intl`` slot of a gm workspace as a gm slot, with the secret just typed."""
    if slot is None or ws.crypto_suite != fc.GM or slot.suite == fc.GM:
        return
    if slot.kind == "recovery":
        new = keyslots.make_recovery_slot(ws.workspace_id, secret, ws._keys(), fc.GM)
        new.id = slot.id
        new = keyslots.rewrap(ws.workspace_id, new, ws._keys())
    else:
        new = keyslots.change_password(
            ws.workspace_id, slot, secret, ws._keys(), ws._kdf, suite=fc.GM
        )
    ws._slots.slots = [new if s is slot else s for s in ws._slots.slots]
    ws._save_slots()
