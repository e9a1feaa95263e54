"""A fixed township data set in a real SQLCipher workspace for the statistics tables, as of
2026-06-30 for 2026. The answers are worked out by hand in the tests (see each table's
comments): four unions (one founded after the as-of date), members joining, transferring and
leaving, incomplete drafts, two assessment sessions and one
signed-off funds-review checklist."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.domain import assessments, checklists
from desktop.store import Workspace
from tests.rosters.conftest import ADMIN_PW, FAST_KDF, resident_id

AS_OF, PERIOD = "2026-06-30", 2026
TOWNSHIP = ("330106001", "西溪街道总工会")
NAMES = {"A": "甲机械有限公司工会", "B": "乙联合工会", "C": "丙科技公司工会", "D": "丁中学工会"}
#: personal values that must never reach a table
PERSONAL = ("赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七", "王八", "冯九")


def _union(name: str, **kw: Any) -> dict[str, Any]:
    base = {
        "full_name": name,
        "union_type": "independent",
        "status": "active",
        "founded_date": "2010-05-01",
        "employer_name": name.removesuffix("工会"),
        "employer_nature": "enterprise_domestic",
        "division_code": "330106",
        "employees": 0,
        "members": 0,
    }
    return {**base, **kw}


def _member(union: str, name: str, seq: int, join: str, **kw: Any) -> dict[str, Any]:
    base = {
        "union": union,
        "name": name,
        "id_number": resident_id(seq),
        "ethnicity": "han",
        "employment_form": "standard",
        "member_type": "regular",
        "join_date": join,
        "changes": [],
    }
    return {**base, **kw}


def build(ws: Workspace) -> dict[str, str]:
    u = {
        "A": ws.records.save("union", _union(NAMES["A"], employees=20, female_employees=8,
                             has_workers_congress=True, has_funds_committee=True,
                             workers_home_level="county")).uuid,
        "B": ws.records.save("union", _union(NAMES["B"], union_type="joint", status="preparing",
                             founded_date="2026-02-01", employer_nature="social_org",
                             employees=8, female_employees=5, has_collective_contract=True,
                             contract_signed_date="2026-03-01")).uuid,
        # founded after the as-of date: not in any table
        "C": ws.records.save("union", _union(NAMES["C"], founded_date="2026-09-01",
                             employees=50)).uuid,
        "D": ws.records.save("union", _union(NAMES["D"], employer_nature="institution",
                             employees=5, female_employees=2, has_women_committee=True,
                             has_factory_affairs_open=True)).uuid,
    }  # fmt: skip
    save = ws.records.save
    # A: 赵一 (f, since 2015), 钱二 (m, migrant courier, joined 2026-03), 孙三 (f, left 2026-05),
    #    李四 (m, transferred in 2026-04), 周五 (joins after the as-of date),
    #    吴六 (f, a draft without join date and ethnicity)
    save("member", _member(u["A"], "赵一", 2, "2015-01-01"))
    save("member", _member(u["A"], "钱二", 3, "2026-03-01", migrant_worker=True,
         employment_form="new_form", new_form_kind="courier",
         changes=[{"kind": "join", "date": "2026-03-01"}]))  # fmt: skip
    save("member", _member(u["A"], "孙三", 4, "2018-01-01", changes=[
        {"kind": "join", "date": "2018-01-01"}, {"kind": "withdraw", "date": "2026-05-01"}]))  # fmt: skip
    save("member", _member(u["A"], "李四", 5, "2020-01-01",
         changes=[{"kind": "transfer_in", "date": "2026-04-01", "from_union": "外镇某工会"}]))  # fmt: skip
    save("member", _member(u["A"], "周五", 7, "2026-08-01"))
    save("member", _member(u["A"], "吴六", 6, "", ethnicity=None), status="draft")
    # B: 郑七 (f, migrant rider), 王八 (a draft without ethnicity),
    #    冯九 (transferred out 2026-06)
    save("member", _member(u["B"], "郑七", 8, "2024-01-01", migrant_worker=True,
         employment_form="new_form", new_form_kind="delivery_rider"))  # fmt: skip
    save("member", _member(u["B"], "王八", 9, "2022-01-01", ethnicity=None),
         status="draft")  # fmt: skip
    save("member", _member(u["B"], "冯九", 11, "2019-01-01",
         changes=[{"kind": "transfer_out", "date": "2026-06-01", "to_union": "外镇某工会"}]))  # fmt: skip
    # C's member is outside the tables with its union
    save("member", _member(u["C"], "陈十", 13, "2026-09-02"))

    template = assessments.current_template(ws)
    n_items = len(template.items)
    # A: 20 satisfied ballots (band >= 90 %); also a 2025 session (another year)
    good = assessments.new_session(ws, u["A"], 2026, meeting_date="2026-03-12")
    good.eligible, good.attendees, good.issued = 24, 20, 20
    good.use_ballots(template, ["1" * n_items] * 20)
    assessments.save_session(ws, good)
    old = assessments.new_session(ws, u["A"], 2025, meeting_date="2025-03-12")
    old.eligible, old.attendees, old.issued = 24, 20, 20
    old.use_ballots(template, ["3" * n_items] * 20)
    assessments.save_session(ws, old)
    # B: 10 unsatisfied of 18 (band < 67 %, rectification), one of two items still open
    poor = assessments.new_session(ws, u["B"], 2026, meeting_date="2026-05-10")
    poor.eligible, poor.attendees, poor.issued = 20, 18, 18
    poor.use_ballots(template, ["3" * n_items] * 10 + ["1" * n_items] * 8)
    poor.rectifications = [
        assessments.Rectification("活动室延长开放", "副主席", "2026-06-30"),
        assessments.Rectification("公开经费收支", "经审委员", "2026-06-30", "2026-06-20", "已张榜"),
    ]
    assessments.save_session(ws, poor)

    # A's funds review, signed off: income, spending and assets findings (500 + 3,600 yuan);
    # the income item is past its deadline, the spending one was put right
    checklist = checklists.create_checklist(ws, {
        "union": u["A"], "union_name": NAMES["A"], "period_start": "2025-01-01",
        "period_end": "2025-12-31", "auditors": "审查员", "audit_date": "2026-04-15"})  # fmt: skip
    data = dict(checklist.data)
    rows = [dict(r, result="compliant") for r in data["items"]]
    findings = {
        "income_dues": dict(amount="500.00", rectify=True, owner="财务", deadline="2026-05-31"),
        "spending_holiday_gifts": dict(amount="3600.00", rectify=True, owner="经审会",
                                       deadline="2026-06-15"),
        "assets_register": {},
    }  # fmt: skip
    for row in rows:
        if row["item_id"] in findings:
            row.update(result="noncompliant", finding="不合规", **findings[row["item_id"]])
    data["items"] = rows
    checklists.save_checklist(ws, checklist.uuid, data)
    checklists.sign_off(ws, checklist.uuid)
    checklists.record_outcome(ws, checklist.uuid, "spending_holiday_gifts", "done", "2026-06-10")
    return u


@pytest.fixture(scope="module")
def township(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """(workspace folder, union uuids) of the fixed data set; closed, admin / ADMIN_PW."""
    folder = tmp_path_factory.mktemp("stats") / "ws"
    ws, _ = Workspace.create(folder, org_unit_code=TOWNSHIP[0], org_unit_name=TOWNSHIP[1],
                             admin_password=ADMIN_PW, kdf=FAST_KDF)  # fmt: skip
    try:
        unions = build(ws)
    finally:
        ws.close(backup=False)
    yield folder, unions


def open_township(folder: Path) -> Workspace:
    return Workspace.open(folder, user="admin", password=ADMIN_PW)
