"""A township batch carrying an assessment session whose stored result was altered after it was
computed (a hand edit of the workspace database, or an older or defective client): the real
county server over HTTPS recomputes the result from the session's own counts and refuses that
record with a code naming the numbers, receives the others of the batch, and the township's
Sync page shows the reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, Qt

from desktop.domain import assessments
from desktop.link import service, state
from desktop.store import db
from desktop.ui.pages.sync_page import SyncPage
from tests.sync.client_support import County, create_township, union_data

TOWN = "330106001"


@pytest.fixture
def chinese() -> Iterator[None]:
    """The clerk's default: a Chinese desktop (the refusal reasons read in zh_CN)."""
    before = QLocale()
    QLocale.setDefault(QLocale("zh_CN"))
    yield
    QLocale.setDefault(before)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Any]:
    w = create_township(tmp_path, TOWN)
    yield w
    w.close()


def _totals_session(ws: Any, union: str, satisfied: int, unsatisfied: int) -> assessments.Session:
    """A session typed as totals, saved the way the Assessment page saves it."""
    session = assessments.new_session(ws, union, 2026, meeting_date="2026-03-12")
    template = assessments.template_for(session, ws)
    valid = satisfied + unsatisfied
    session.eligible, session.attendees, session.issued = valid + 2, valid + 1, valid + 1
    tally = {
        i.id: {"satisfied": satisfied, "basic": 0, "unsatisfied": unsatisfied}
        for i in template.items
    }
    session.use_totals(tally, returned=valid + 1, invalid=1)
    saved = assessments.save_session(ws, session)
    assert saved.status == "ready" and saved.result is not None
    return saved


def _ballot_session(ws: Any, union: str) -> assessments.Session:
    """A session keyed ballot by ballot, then a repeat session of the same union and year."""
    session = assessments.new_session(ws, union, 2026, meeting_date="2026-03-13")
    template = assessments.template_for(session, ws)
    session.eligible, session.attendees, session.issued = 12, 10, 10
    session.use_ballots(template, ["111111", "121212", "X", "112233", "333333"] * 2)
    first = assessments.save_session(ws, session)
    repeat = assessments.new_session(
        ws, union, 2026, meeting_date="2026-04-02", repeat_reason="首次会议到会人数不足"
    )
    repeat.eligible, repeat.attendees, repeat.issued = 12, 9, 9
    repeat.use_ballots(template, ["111111"] * 8 + ["X"])
    repeat.rectifications = [
        assessments.Rectification(
            "每季度公开经费收支", "经审委员", "2026-06-30", "2026-06-20", "已张榜"
        )
    ]
    assert assessments.save_session(ws, repeat).status == "ready"
    return first


def _tamper_result(ws: Any, uuid: str, percent: str, fraction: str) -> None:
    """Rewrite the stored result of a saved session directly in the workspace database."""
    rec = ws.records.get(uuid)
    data = dict(rec.data)
    result = json.loads(data["result"])
    result["overall_rate"] = {"fraction": fraction, "percent": percent}
    result["model_home_eligible"] = True
    data["result"] = json.dumps(result, ensure_ascii=False, sort_keys=True)
    conn = ws._connection()
    with db.transaction(conn, "altering a stored result"):
        conn.execute(
            "UPDATE records SET data = ? WHERE uuid = ?",
            (json.dumps(data, ensure_ascii=False), uuid),
        )


def _rows(table: Any) -> list[list[str]]:
    return [
        [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_a_tampered_assessment_result_is_refused_and_the_rest_received(
    qtbot: Any, runner: None, chinese: None, county: County, ws: Any
) -> None:
    page = SyncPage(auto_interval_ms=3_600_000)
    qtbot.addWidget(page)
    page.set_workspace(ws)
    service.enroll(ws, county.url, county.enroll_code(TOWN))
    unions = [ws.records.save("union", union_data(TOWN)) for _ in range(3)]
    good = _totals_session(ws, unions[0].uuid, satisfied=5, unsatisfied=1)
    keyed = _ballot_session(ws, unions[1].uuid)
    # corrected: the clerk fixes a typed count and saves again (a new version, recomputed)
    good.tally = {
        item: {**row, "satisfied": 4, "unsatisfied": 2} for item, row in good.tally.items()
    }
    good = assessments.save_session(ws, good)
    bad = _totals_session(ws, unions[2].uuid, satisfied=3, unsatisfied=2)  # 60.0 %
    _tamper_result(ws, bad.uuid or "", "95.0%", "19/20")

    assert ws.outbox.pending_count() == 7  # 3 unions, 4 sessions (one after a correction)
    page.refresh()
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)

    assert "1 refused" in page.message_label.text()
    [refused] = _rows(page.rejected_table)
    assert refused[0] == (bad.uuid or "")[:8]
    assert "存储的总体满意率为 95.0%，但按票数计算为 60.0%" in refused[3]
    [entry] = state.rejected(ws.settings)
    codes = [e["code"] for e in entry["errors"]]
    assert codes == ["derived.satisfaction_mismatch", "derived.result_mismatch"]
    assert entry["errors"][0]["params"] == {"stored": "95.0%", "computed": "60.0%"}
    assert entry["errors"][1]["params"]["figure"] == "model_home_eligible"
    assert ws.records.get(bad.uuid).status == "rejected"

    stored = {r.record_uuid for r in county.record_rows_of(TOWN)}
    assert bad.uuid not in stored
    assert {u.uuid for u in unions} | {good.uuid, keyed.uuid} <= stored
    # the corrected session went up once, as its newest version; the repeat session too
    assert len([r for r in county.record_rows_of(TOWN) if r.form_id == "assessment"]) == 3

    # the clerk opens the session and saves it again: the result is recomputed and accepted
    again = assessments.save_session(ws, assessments.get_session(ws, bad.uuid or ""))
    assert again.result is not None and again.result["overall_rate"]["percent"] == "60.0%"
    summary = service.sync_now(ws)
    assert (summary.received, summary.rejected) == (1, 0)
    assert state.rejected(ws.settings) == []
    assert (bad.uuid, again.version) in county.record_keys()
