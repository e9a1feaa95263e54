"""性别 / 出生日期 that contradict the row's ID number: listed, then taken from the ID or left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli import main
from desktop.domain import member_import as ei
from desktop.store import Workspace
from tests.rosters.conftest import HEADERS, member_row, resident_id, write_xlsx

SHEET_HEADERS = [*HEADERS, "出生日期"]


def _sheet(tmp_path: Path) -> Path:
    rows = [[*member_row(i), None] for i in range(1, 5)]
    rows[0][2] = resident_id(1, birth="19850612")  # odd sequence: a man, born 1985-06-12
    rows[0][1] = "女"
    rows[1][2] = resident_id(3, birth="19900101")
    rows[1][1] = "男"
    rows[1][8] = "1990-01-02"
    return write_xlsx(tmp_path / "c.xlsx", SHEET_HEADERS, rows)


def test_contradictions_are_listed_with_the_typed_and_the_id_value(
    tmp_path: Path, ws: Workspace, union: str
) -> None:
    plan = ei.preview_import(ws, ei.open_member_sheet(_sheet(tmp_path), ws), union)
    assert plan.error_count == 0 and plan.good_count == 4
    listed = {
        row: [(c.letter, c.column, c.typed, c.from_id) for c in cs]
        for row, cs in plan.contradictions.items()
    }
    assert listed == {
        2: [("B", "性别", "女", "男")],
        3: [("I", "出生日期", "1990-01-02", "1990-01-01")],
    }


def test_taking_the_id_values_is_the_default(tmp_path: Path, ws: Workspace, union: str) -> None:
    plan = ei.preview_import(ws, ei.open_member_sheet(_sheet(tmp_path), ws), union)
    outcome = ei.commit_import(ws, plan)
    assert outcome.created == 4
    stored = {r.data["name"]: r.data for r in ws.records.query("member")}
    assert stored["会员00001"]["gender"] == "male"
    assert stored["会员00002"]["birth_date"] == "1990-01-01"


def test_or_the_contradicting_rows_are_kept_out(tmp_path: Path, ws: Workspace, union: str) -> None:
    plan = ei.preview_import(ws, ei.open_member_sheet(_sheet(tmp_path), ws), union)
    outcome = ei.commit_import(ws, plan, contradictions="exclude")
    assert outcome.created == 2
    assert sorted((r, c) for r, c, _ in outcome.skipped) == [
        (2, "import.contradicts_id"),
        (3, "import.contradicts_id"),
    ]
    assert {r.data["name"] for r in ws.records.query("member")} == {"会员00003", "会员00004"}
    with pytest.raises(ValueError):
        ei.commit_import(ws, plan, contradictions="typed")  # never stored silently as typed


def test_command_line_lists_them_and_takes_the_choice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.rosters.conftest import ADMIN_PW, FAST_KDF, union_data

    ws, _ = Workspace.create(
        tmp_path / "ws", org_unit_code="330106001", admin_password=ADMIN_PW, kdf=FAST_KDF
    )
    union = ws.records.save("union", union_data("某工会")).uuid
    ws.close(backup=False)
    monkeypatch.setenv("UNIONDESK_PASSWORD", ADMIN_PW)
    args = ["import", "members", str(_sheet(tmp_path)), "--union", union]
    code = main([*args, "--workspace", str(tmp_path / "ws"), "--on-contradiction", "exclude"])
    out = capsys.readouterr().out
    assert code == 4
    assert "2 行的性别或出生日期与身份证号不一致" in out
    assert "第 2 行：性别填的是“女”，与身份证号（“男”）不一致" in out
    assert "新增 2，" in out
