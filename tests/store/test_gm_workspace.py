"""A township workspace on the ``gm`` suite: ID numbers and phones SM4-GCM-sealed inside the
SQLCipher file, HMAC-SM3 tokens for exact and prefix search, SM2 / SM4-GCM key slots; and an
old ``intl`` workspace (written by the program before suites) moved forward and then to gm."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop.store import Workspace, errors, migrations
from desktop.store.constants import SLOTS_NAME
from desktop.store.field_cipher import MIN_PREFIX
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, FAST_KDF, reopen
from tests.store.gm_support import plaintext_hits, table_bytes

OLD = Path(__file__).with_name("old_workspace") / "intl_step5"


def _gm(path: Path) -> tuple[Workspace, str]:
    return Workspace.create(
        path, org_unit_code="330106001", admin_password=ADMIN_PW, kdf=FAST_KDF, crypto_suite="gm"
    )


def _secrets(n: int) -> list[str]:
    return [v for i in range(1, n + 1) for v in (h.resident_id(i), h.mobile(i))]


def test_gm_workspace_keeps_no_id_number_or_phone_in_plain_and_still_finds_them(tmp_path):
    ws, _ = _gm(tmp_path / "ws")
    try:
        u = ws.records.save("union", h.union()).uuid
        ws.records.save_many("member", [h.member(i, u) for i in range(1, 31)])
        one = ws.records.find_by_field("member", "id_number", h.resident_id(7))[0]
        ws.records.save(
            "member",
            {**ws.records.get(one.uuid, unmask=True).data, "mobile": h.mobile(77)},
            record_uuid=one.uuid,
        )  # the old mobile moves to record_versions
        assert ws.crypto_suite == "gm"

        def names(text: str) -> set[str]:
            return {r.data["name"] for r in ws.records.query("member", search=text)}

        idn = h.resident_id(13)
        assert names(idn) == {h.name(13)}  # the whole number: exact
        assert h.name(13) in names(idn[:14]) and len(names(idn[:14])) < 30  # birth-date prefix
        assert names(idn[:MIN_PREFIX]) >= {h.name(13)}
        assert names(h.mobile(14)) == {h.name(14)}
        assert names(h.mobile(14)[:10]) == {h.name(i) for i in range(10, 20)}
        assert names(h.mobile(7)) == set() and names(h.mobile(77)) == {h.name(7)}
        assert ws.records.count("member", search=idn[:6] + "x") == 0
        # uniqueness through the exact token, one by one and in bulk
        with pytest.raises(errors.ValidationFailed):
            ws.records.save("member", h.member(13, u))
        assert len(ws.records.save_many("member", [h.member(13, u)]).failed) == 1
        # unmask and history open the sealed values
        assert ws.records.unmask(one.uuid, "mobile") == h.mobile(77)
        assert [r.version for r in ws.records.history(one.uuid)] == [1, 2]
        assert ws.audit.entries(limit=1)[0]["action"] == "record.unmask"
        # the outbox hands the sync engine plain values (sealed to the county there)
        pending = {i.record_uuid: i.record for i in ws.outbox.pending(100)}
        assert pending[one.uuid]["data"]["mobile"] == h.mobile(77)
        # the ID column sorts by what the Members page shows (the masked value)
        shown = [r.data["id_number"] for r in ws.records.query("member", order_by="id_number")]
        assert shown == sorted(shown) and len(shown) == 30
        desc = [
            r.data["mobile"]
            for r in ws.records.query(
                "member", order_by="mobile", descending=True, status="ready", limit=5
            )
        ]
        assert desc == sorted(desc, reverse=True) and len(desc) == 5
        hits = ws.records.query("member", search=h.mobile(1)[:10], order_by="mobile")
        assert [r.data["mobile"] for r in hits] == sorted(r.data["mobile"] for r in hits)
        assert ws.check().ok
    finally:
        ws.close(backup=False)
    tables = table_bytes(tmp_path / "ws", "admin", ADMIN_PW)
    assert {"records", "record_versions", "record_keys"} <= set(tables)
    assert plaintext_hits(tables, [*_secrets(30), h.mobile(77)]) == []
    slots = json.loads((tmp_path / "ws" / SLOTS_NAME).read_text())
    assert slots["version"] == 2 and {s["suite"] for s in slots["slots"]} == {"gm"}
    assert all("epk" not in w for s in slots["slots"] for w in s["wraps"])  # no X25519


def test_gm_key_slots_unlock_by_password_recovery_key_new_user_and_rotation(tmp_path):
    ws, rk = _gm(tmp_path / "ws")
    u = ws.records.save("union", h.union()).uuid
    m = ws.records.save("member", h.member(1, u)).uuid
    ws.users.add("clerk1", "clerk-pass-1", "clerk")
    ws.rotate_key()
    ws.close(backup=False)
    with pytest.raises(errors.WrongPassword):
        Workspace.open(tmp_path / "ws", user="admin", password="wrong-pass-9", kdf=FAST_KDF)
    for w in (
        Workspace.open(tmp_path / "ws", user="clerk1", password="clerk-pass-1", kdf=FAST_KDF),
        Workspace.open_with_recovery_key(tmp_path / "ws", rk, kdf=FAST_KDF),
    ):
        try:
            assert w.records.count("member", search=h.resident_id(1)) == 1
            if w.user.can("unmask"):
                assert w.records.unmask(m, "id_number") == h.resident_id(1)
            assert w.check().ok
        finally:
            w.close(backup=False)
    bak_ws = reopen(tmp_path / "ws")
    bak = bak_ws.backup(tmp_path / "usb")
    bak_ws.close(backup=False)
    restored = Workspace.restore(
        bak, tmp_path / "pc2", user="admin", password=ADMIN_PW, kdf=FAST_KDF
    )
    try:
        assert restored.crypto_suite == "gm"
        assert restored.records.get(m, unmask=True).data["mobile"] == h.mobile(1)
    finally:
        restored.close(backup=False)


def test_a_slot_with_another_field_key_is_refused(tmp_path):
    a, _ = _gm(tmp_path / "a")
    a.close(backup=False)
    b, _ = _gm(tmp_path / "b")
    b.close(backup=False)
    doc_a = json.loads((tmp_path / "a" / SLOTS_NAME).read_text())
    assert doc_a["slots"][0]["wraps"][0]["gen"] == 0
    with pytest.raises(errors.StoreError):
        # b's slot file beside a's database: another workspace, refused before anything opens
        shutil.copy(tmp_path / "b" / SLOTS_NAME, tmp_path / "a" / SLOTS_NAME)
        reopen(tmp_path / "a")


def test_an_old_intl_workspace_opens_unchanged_then_moves_to_gm_in_one_step(tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(OLD, folder)
    recovery_key = (folder / "recovery_key.txt").read_text().strip()
    before = table_bytes(folder, "admin", ADMIN_PW)
    assert b"crypto_suite" not in before["meta"]  # written before suites existed
    old_secrets = [h.resident_id(i) for i in range(1, 6)] + [h.mobile(i) for i in range(1, 6)]
    assert plaintext_hits(before, [h.mobile(1)]) == [("record_versions", h.mobile(1))]

    ws = reopen(folder)
    try:
        assert migrations.applied(ws._connection())[-1] >= 6
        assert ws.crypto_suite == "intl"  # opens unchanged
        assert ws.records.count("member", search=h.resident_id(3)[:10]) >= 1
        m1 = ws.records.find_by_field("member", "id_number", h.resident_id(1))[0]
        ws.users.add("clerk1", "clerk-pass-1", "clerk")
        assert ws.adopt_crypto_suite("gm") is True
        assert ws.adopt_crypto_suite("gm") is False
        with pytest.raises(errors.PermissionDenied):
            ws.adopt_crypto_suite("intl")
        # everything reads as before, now through the tokens and the field cipher
        assert ws.records.count("member", search=h.resident_id(3)) == 1
        assert ws.records.count("member", search=h.mobile(4)[:8]) == 5  # 1390000000x
        assert ws.records.get(m1.uuid, unmask=True).data["mobile"] == h.mobile(99)
        assert [r.version for r in ws.records.history(m1.uuid)] == [1, 2]
        with pytest.raises(errors.ValidationFailed):
            ws.records.save("member", h.member(2, m1.data["union"]))
        moved = [e for e in ws.audit.entries(limit=50) if e["action"] == "workspace.crypto_suite"]
        assert len(moved) == 1 and moved[0]["detail"]["to"] == "gm"
        assert ws.verify_audit_chain().ok and ws.check().ok
    finally:
        ws.close(backup=False)
    after = table_bytes(folder, "admin", ADMIN_PW)
    assert plaintext_hits(after, [*old_secrets, h.mobile(99)]) == []
    # the slots made before the move still open and become gm slots when next used
    suites = {s.get("user"): s.get("suite", "intl") for s in _slots(folder)}
    assert suites == {"admin": "intl", "clerk1": "intl", None: "intl"}
    reopen(folder).close(backup=False)
    Workspace.open_with_recovery_key(folder, recovery_key, kdf=FAST_KDF).close(backup=False)
    suites = {s.get("user"): s.get("suite", "intl") for s in _slots(folder)}
    assert suites == {"admin": "gm", "clerk1": "intl", None: "gm"}
    clerk = Workspace.open(folder, user="clerk1", password="clerk-pass-1", kdf=FAST_KDF)
    try:
        assert clerk.records.count("member", search=h.resident_id(5)) == 1
    finally:
        clerk.close(backup=False)
    assert {s.get("suite") for s in _slots(folder)} == {"gm"}


def test_a_failing_move_leaves_the_workspace_intl(created, monkeypatch):
    ws, _ = created
    if ws.crypto_suite != "intl":
        pytest.skip("the workspace of this run is already gm")
    u = ws.records.save("union", h.union()).uuid
    ws.records.save("member", h.member(1, u))
    from desktop.store import suite

    def boom(*a: object, **k: object) -> dict[str, int]:
        raise RuntimeError("power cut")

    monkeypatch.setattr(suite, "_seal_all", boom)
    with pytest.raises(RuntimeError):
        ws.adopt_crypto_suite("gm")
    monkeypatch.undo()
    assert ws.crypto_suite == "intl"
    assert ws.records.count("member", search=h.resident_id(1)) == 1
    assert ws.adopt_crypto_suite("gm") and ws.records.count("member", search=h.mobile(1)) == 1


def _slots(folder: Path) -> list[dict[str, object]]:
    return list(json.loads((folder / SLOTS_NAME).read_text())["slots"])


def test_a_search_of_fewer_than_4_id_or_phone_digits_says_so_on_gm_and_matches_on_intl(
    tmp_path, monkeypatch, capsys
):
    """gm keeps ID-number / phone prefix tokens from MIN_PREFIX characters on only (shorter
    ones would show how members group by their first digits, docs/CRYPTO.md): a search of 1-3
    digits finds no member by them there, and the result says how many digits to type (the
    Members page, tests/ui/test_gm_short_search.py; the CLI, here). On intl it matches."""
    from desktop.cli import main as cli_main

    intl, _ = Workspace.create(
        tmp_path / "intl", org_unit_code="330106001", admin_password=ADMIN_PW, kdf=FAST_KDF
    )
    gm, _ = _gm(tmp_path / "gm")
    for ws in (intl, gm):
        u = ws.records.save("union", h.union()).uuid
        ws.records.save_many("member", [h.member(i, u) for i in range(1, 11)])
    try:
        assert intl.crypto_suite == "intl" and gm.crypto_suite == "gm"
        for short in ("3", "33", "330", "139", " 330 "):
            assert intl.records.count("member", search=short) == 10
            assert intl.records.search_too_short("member", short) == 0
            assert gm.records.count("member", search=short) == 0
            assert gm.records.search_too_short("member", short) == MIN_PREFIX == 4
        for enough in ("3301", h.mobile(3)[:4], h.resident_id(3)[:17]):
            assert gm.records.search_too_short("member", enough) == 0
            assert gm.records.count("member", search=enough) >= 1
        # a name, a whole ID number, or no search: nothing to say
        for other in (h.name(2)[:2], h.resident_id(2), "", None):
            assert gm.records.search_too_short("member", other) == 0
        # the union form's chair mobile is sealed too; on intl nothing is
        assert gm.records.search_too_short("union", "139") == 4
        assert intl.records.search_too_short("union", "139") == 0
    finally:
        intl.close()
        gm.close()

    monkeypatch.setenv("UNIONDESK_PASSWORD", ADMIN_PW)
    for folder, said in (("gm", True), ("intl", False)):
        capsys.readouterr()
        argv = ["records", "list", "member", "--search", "330", "--workspace",
                str(tmp_path / folder), "--user", "admin"]  # fmt: skip
        assert cli_main(argv) == 0
        out, err = capsys.readouterr()
        assert ("note: type at least 4 digits of an ID number or phone" in err) is said, err
        assert len(out.splitlines()) == (1 if said else 11)  # the header, then the rows
        assert not any(h.resident_id(i) in out + err for i in range(1, 11))
