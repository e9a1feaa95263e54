"""Sessions over a real encrypted workspace: create, both entry modes, result, duplicates,
rectification tracking and the dashboard figures."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import pytest

from desktop.domain import assessments as ops
from desktop.domain.assessments import Rectification
from forms import assessment as a

TEMPLATE = a.load_template()


def test_keyed_ballots_are_kept_and_the_result_is_stored_with_its_rule(ws, unions) -> None:
    session = ops.create_session(ws, unions["yunqi"], 2026, meeting_date="2026-03-12")
    assert session.uuid and session.status == "draft" and session.result is None
    session.eligible, session.attendees, session.issued = 40, 30, 30
    ballots = ["111111"] * 25 + ["333333"] * 3 + ["X", "121212"]
    session.use_ballots(TEMPLATE, ballots)
    stored = ops.save_session(ws, session)

    record = ws.records.get(stored.uuid)
    assert record.status == "ready" and record.version == 2
    assert record.data["ballots"].split() == ballots  # re-checkable, ballot by ballot
    assert record.data["returned"] == 30 and record.data["invalid"] == 1
    result = json.loads(record.data["result"])
    assert result["valid"] == 29 and result["quorum_met"] is True
    assert result["rule"]["quorum_fraction"] == "2/3"
    assert result["rule"]["rectification_above"] == "1/3"
    assert result["rule"]["model_home_at_least"] == "9/10"
    assert result["overall_rate"] == {"fraction": "26/29", "percent": "89.6%"}
    assert (
        result["model_home_eligible"] is False
    )  # 89.66 % < 90 %: shown as 89.6%, never 89.7 -> 90

    # the same paper ballots as typed totals give the identical stored result
    typed = ops.new_session(ws, unions["xixi"], 2026, meeting_date="2026-03-12")
    typed.eligible, typed.attendees, typed.issued = 40, 30, 30
    typed.use_totals(stored.tally, returned=30, invalid=1)
    typed = ops.save_session(ws, typed)
    assert typed.result == stored.result
    assert ws.records.get(typed.uuid).data.get("ballots") is None


def test_inconsistent_numbers_stay_a_draft_without_a_result(ws, unions) -> None:
    session = ops.new_session(ws, unions["yunqi"], 2026)
    session.eligible, session.attendees, session.issued = 20, 25, 25
    session.use_totals(TEMPLATE.empty_tally(), returned=0, invalid=0)
    stored = ops.save_session(ws, session)
    assert stored.status == "draft" and stored.result is None
    errors = stored.compute(TEMPLATE).errors
    assert errors[0].code == "assessment.attendees_exceed_eligible"
    assert errors[0].params == {"attendees": 25, "eligible": 20}


def test_one_session_per_union_per_year_unless_a_repeat_is_justified(ws, unions) -> None:
    first = ops.create_session(ws, unions["yunqi"], 2026)
    with pytest.raises(ops.DuplicateSession) as caught:
        ops.create_session(ws, unions["yunqi"], 2026)
    assert caught.value.existing == first.uuid
    assert caught.value.problem.params == {"union": "杭州云栖科技有限公司工会", "year": 2026}
    assert "杭州云栖科技有限公司工会 在 2026 年已有测评记录" in a.message(
        caught.value.problem.code, **caught.value.problem.params
    )
    ops.create_session(ws, unions["yunqi"], 2025)  # another year is fine
    repeat = ops.create_session(
        ws, unions["yunqi"], 2026, repeat_reason="首次测评到会人数不足，重新组织"
    )
    assert repeat.repeat_reason.startswith("首次测评")
    assert len(ops.sessions(ws, union=unions["yunqi"], year=2026)) == 2
    # saving the first one again is not a duplicate of itself
    ops.save_session(ws, first)


def test_dashboard_figures(ws, unions) -> None:
    good = ops.new_session(ws, unions["yunqi"], 2026, meeting_date="2026-03-01")
    good.eligible = good.attendees = good.issued = 20
    good.use_ballots(TEMPLATE, ["111111"] * 19 + ["333333"])
    good = ops.save_session(ws, good)

    bad = ops.new_session(ws, unions["jiangnan"], 2026, meeting_date="2026-03-05")
    bad.eligible = bad.attendees = bad.issued = 9
    bad.use_ballots(TEMPLATE, ["111113"] * 4 + ["111111"] * 5)
    bad.rectifications = [
        Rectification("职工小家设施更新", owner="王强", deadline="2026-05-31"),
        Rectification("经费公开", owner="李红", deadline="2026-04-30", done_date="2026-04-20"),
        Rectification("活动室开放", owner="赵敏", deadline="2026-12-31"),
    ]
    bad = ops.save_session(ws, bad)
    assert bad.result["rectification_required"] is True

    board = ops.dashboard(ws, 2026, today=date(2026, 6, 15))
    rates = {f.name: f for f in board.satisfaction}
    assert rates["杭州云栖科技有限公司工会"].rate == "95.0%"
    assert rates["杭州云栖科技有限公司工会"].model_home_eligible
    assert rates["江南纺织厂工会"].rectification_required
    assert board.missing == [(unions["xixi"], "西溪湿地景区联合工会")]
    # only the open item past its deadline (not the done one, not the future one)
    assert [(o.name, o.item.what) for o in board.overdue] == [
        ("江南纺织厂工会", "职工小家设施更新")
    ]

    # recording the outcome closes it
    bad.rectifications[0].done_date = "2026-06-20"
    bad.rectifications[0].outcome = "已更新健身器材"
    ops.save_session(ws, bad)
    assert ops.dashboard(ws, 2026, today=date(2026, 6, 25)).overdue == []
    stored = ops.get_session(ws, bad.uuid)
    assert stored.rectifications[0].outcome == "已更新健身器材"


def test_a_new_template_version_received_by_sync_is_used_for_new_sessions(ws, unions) -> None:
    raw = json.loads(
        (resources.files("forms") / "definitions" / "assessment.json").read_text("utf-8")
    )
    raw["version"] = 2
    standard = raw["meta"]["assessment_templates"][0]
    standard["items"] = [{"id": "overall", "label": {"zh_CN": "总体评价", "en": "Overall"}}]
    standard["rules"]["overall"] = "item:overall"
    standard["rules"]["model_home_at_least"] = "19/20"
    old = ops.create_session(ws, unions["xixi"], 2025)
    ws.forms.add(raw)
    new = ops.new_session(ws, unions["yunqi"], 2026)
    assert new.template_version == 2
    template = ops.template_for(new, ws)
    assert template.item_ids() == ["overall"]
    new.eligible = new.attendees = new.issued = 20
    new.use_ballots(template, ["1"] * 18 + ["3"] * 2)  # 90 %: enough under v1, not under v2
    stored = ops.save_session(ws, new)
    assert stored.result["overall_rate"]["percent"] == "90.0%"
    assert stored.result["model_home_eligible"] is False
    assert stored.result["template"] == {"id": "assessment", "version": 2, "variant": "standard"}
    # a session entered with version 1 keeps its six items
    assert len(ops.template_for(old, ws).items) == 6


def test_demo_sessions_show_every_kind_of_figure(ws, unions) -> None:
    made = ops.add_demo_sessions(ws, [unions["yunqi"], unions["jiangnan"], unions["xixi"]], 2026)
    assert len(made) == 2 and all(s.result for s in made)
    board = ops.dashboard(ws, 2026, today=date(2026, 5, 10))
    flags = {f.name: f for f in board.satisfaction}
    assert flags["杭州云栖科技有限公司工会"].model_home_eligible
    assert flags["江南纺织厂工会"].rectification_required
    assert [name for _u, name in board.missing] == ["西溪湿地景区联合工会"]
    assert [o.item.what for o in board.overdue] == ["职工小家活动室延长开放时间"]
