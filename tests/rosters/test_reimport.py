"""Re-importing a sheet: rows classed new / unchanged / changed / conflicting, honest counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.domain import member_import as ei
from desktop.store import Workspace
from tests.rosters.conftest import HEADERS, member_row, write_xlsx


def _outbox(ws: Workspace) -> list[tuple[str, int]]:
    return [(i.record_uuid, i.version) for i in ws.outbox.pending(10_000)]


def _versions(ws: Workspace) -> dict[str, int]:
    return {r.data["name"]: r.version for r in ws.records.query("member")}


@pytest.fixture
def first_import(tmp_path: Path, ws: Workspace, union: str) -> list[list]:
    rows = [member_row(i) for i in range(1, 7)]
    plan = ei.preview_import(
        ws, ei.open_member_sheet(write_xlsx(tmp_path / "a.xlsx", HEADERS, rows), ws), union
    )
    assert plan.class_counts()["new"] == 6
    assert ei.commit_import(ws, plan).created == 6
    return rows


@pytest.mark.parametrize("policy", ["skip", "update"])
def test_second_import_of_the_same_sheet_changes_and_uploads_nothing(
    tmp_path: Path, ws: Workspace, union: str, first_import: list[list], policy: str
) -> None:
    before_outbox, before_versions = _outbox(ws), _versions(ws)
    path = write_xlsx(tmp_path / "again.xlsx", HEADERS, first_import)
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    assert plan.class_counts() == {
        "new": 0,
        "unchanged": 6,
        "changed": 0,
        "conflicting": 0,
        "repeat": 0,
    }
    outcome = ei.commit_import(ws, plan, policy)
    assert outcome.counts() == {
        "created": 0,
        "updated": 0,
        "unchanged": 6,
        "skipped": 0,
        "refused": 0,
        "not_reached": 0,
    }
    assert _versions(ws) == before_versions  # no new version
    assert _outbox(ws) == before_outbox  # and nothing more to upload


def test_a_corrected_sheet_updates_exactly_the_changed_rows(
    tmp_path: Path, ws: Workspace, union: str, first_import: list[list]
) -> None:
    rows = [list(r) for r in first_import]
    rows[1][4] = "13999990001"  # 手机号码 corrected
    rows[3][5] = "西溪物流有限公司"  # 工作单位
    rows[3][6] = "2019-05"  # 入会时间
    rows[4][0] = "别人"  # same ID number, another name: a conflict
    rows.append(member_row(40))  # a new member
    path = write_xlsx(tmp_path / "fixed.xlsx", HEADERS, rows)
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    assert plan.class_counts() == {
        "new": 1,
        "unchanged": 3,
        "changed": 2,
        "conflicting": 1,
        "repeat": 0,
    }
    assert plan.matches[3].kind == "changed" and plan.matches[3].columns == ("手机号码",)
    assert plan.matches[5].columns == ("工作单位", "入会时间")
    assert plan.matches[6].kind == "conflicting" and plan.matches[6].existing_name == "会员00005"

    skipped = ei.commit_import(ws, plan, "skip")  # the default reports changed rows as such
    assert skipped.counts() == {
        "created": 1,
        "updated": 0,
        "unchanged": 3,
        "skipped": 3,
        "refused": 0,
        "not_reached": 0,
    }
    reasons = {row: code for row, code, _ in skipped.skipped}
    assert reasons == {
        3: "import.changed_not_updated",
        5: "import.changed_not_updated",
        6: "import.conflicting_name",
    }
    words = [ei.row_message(c, "zh_CN", **p) for r, c, p in skipped.skipped if r == 5]
    assert "工作单位、入会时间" in words[0]

    before = _outbox(ws)
    plan = ei.preview_import(ws, ei.open_member_sheet(path, ws), union)
    updated = ei.commit_import(ws, plan, "update")
    assert updated.counts() == {
        "created": 0,
        "updated": 2,
        "unchanged": 4,
        "skipped": 1,
        "refused": 0,
        "not_reached": 0,
    }
    versions = _versions(ws)
    assert versions["会员00002"] == 2 and versions["会员00004"] == 2
    assert {n for n, v in versions.items() if v > 1} == {"会员00002", "会员00004"}
    assert "别人" not in versions  # the conflicting row was not written over 会员00005
    new_items = [item for item in _outbox(ws) if item not in before]
    assert sorted(v for _, v in new_items) == [2, 2]  # exactly the two updates go upward
    by_name = {r.data["name"]: r.data for r in ws.records.query("member", unmask=True)}
    assert by_name["会员00002"]["mobile"] == "13999990001"
    assert by_name["会员00004"]["join_date"] == "2019-05"
