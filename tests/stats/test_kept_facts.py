"""The township's statistics count members from facts the workspace keeps per member record
(``member_facts``, schema step 7): after any mix of saves, edits, imports, membership changes,
transfers (internal, external, confirmed, cancelled) and status changes, every cell of every
table equals the same report counted by a pass over the records, at several as-of dates; an
older workspace gets the facts filled in when opened; ``ws.check`` finds facts that drifted."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.stats_facts import township_report
from desktop.store import Workspace, db, errors, migrations
from forms import stats
from tests.store import helpers as h
from tests.store.conftest import ADMIN_PW, FAST_KDF, reopen
from tests.store.test_member_tally import OPS, apply, new_member

DATES = (("2020-06-30", 2020), ("2023-12-31", 2023), ("2024-03-15", 2024), ("2026-06-30", 2026))


def cells(ws: Workspace, as_of: str, period: int, *, from_records: bool) -> list[object]:
    report = township_report(ws, as_of, period, from_records=from_records)
    doc = stats.report_to_doc(report)
    return [t["rows"] for t in doc["tables"]]


def assert_same(ws: Workspace) -> None:
    for as_of, period in DATES:
        kept = cells(ws, as_of, period, from_records=False)
        assert kept == cells(ws, as_of, period, from_records=True), (as_of, period)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(OPS, min_size=1, max_size=12), twins=st.booleans())
def test_kept_facts_give_every_cell_of_a_pass_over_the_records(
    tmp_path: Path, ops: list, twins: bool
) -> None:
    folder = tmp_path / f"ws{len(list(tmp_path.iterdir()))}"
    ws, _ = Workspace.create(
        folder, org_unit_code="330106001", admin_password=ADMIN_PW, kdf=FAST_KDF
    )
    try:
        unions = [ws.records.save("union", h.union(i)).uuid for i in range(3)]
        members: list[str] = []
        if twins:  # one ID number twice (as in data from before the store checked it)
            first = new_member(900, unions[0], True, False, False)
            ws.records.save("member", first)
            with db.transaction(ws._connection(), "forgetting the number's key"):
                ws._connection().execute("DELETE FROM record_keys WHERE field_id = 'id_number'")
            members.append(ws.records.save("member", first).uuid)
        seq = [0]
        for op in ops:
            with contextlib.suppress(errors.StoreError, ValueError):
                apply(ws, unions, members, op, seq)
        assert_same(ws)
        assert ws.check().ok
    finally:
        ws.close(backup=False)


def new_workspace(folder: Path) -> Workspace:
    ws, _ = Workspace.create(folder, org_unit_code="330106001", admin_password=ADMIN_PW,
                             kdf=FAST_KDF)  # fmt: skip
    return ws


def test_an_older_workspace_gets_the_facts_filled_in_when_opened(tmp_path: Path) -> None:
    ws_path = tmp_path / "ws"
    ws = new_workspace(ws_path)
    union = ws.records.save("union", h.union()).uuid
    for i in range(1, 8):
        ws.records.save("member", new_member(i, union, i % 2 == 0, i % 3 == 0, i % 4 == 0))
    rec = ws.records.query("member", limit=1)[0]
    full = ws.records.get(rec.uuid, unmask=True).data
    changes = [*full["changes"], {"kind": "expel", "date": "2024-01-01"}]
    ws.records.save("member", {**full, "changes": changes}, record_uuid=rec.uuid)
    expected = cells(ws, "2026-06-30", 2026, from_records=True)
    conn = ws._connection()
    with db.transaction(conn, "making an old workspace"):  # as one from before schema step 7
        conn.execute("DROP TABLE member_facts")
        conn.execute("DELETE FROM settings WHERE key = 'stat_facts.key'")
        conn.execute("DELETE FROM migrations WHERE id = 7")
    ws.close(backup=False)
    again = reopen(ws_path)
    try:
        assert 7 in migrations.applied(again._connection())
        n = again._connection().execute("SELECT count(*) FROM member_facts").fetchone()[0]
        assert n == 7
        assert cells(again, "2026-06-30", 2026, from_records=False) == expected
        assert again.check().ok
    finally:
        again.close(backup=False)


def test_the_workspace_check_finds_facts_that_drifted(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "ws")
    union = ws.records.save("union", h.union()).uuid
    ws.records.save("member", new_member(1, union, True, False, False))
    assert ws.check().ok
    with db.transaction(ws._connection(), "spoiling the facts"):
        ws._connection().execute("UPDATE member_facts SET female = 1 - female")
    report = ws.check()
    assert not report.ok and any("member facts" in p for p in report.problems)
    ws.close(backup=False)


def test_no_id_number_in_the_kept_facts(tmp_path: Path) -> None:
    ws = new_workspace(tmp_path / "ws")
    union = ws.records.save("union", h.union()).uuid
    data = new_member(5, union, False, True, False)
    ws.records.save("member", data)
    number = str(data["id_number"])
    rows = ws._connection().execute("SELECT * FROM member_facts").fetchall()
    assert rows and not any(number in str(v) or number[-6:] in str(v) for r in rows for v in r)
    ws.close(backup=False)
