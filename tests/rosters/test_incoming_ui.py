"""Incoming transfers offscreen: the Members toolbar shows how many wait, the dialog lists the
offer, a refusal without a note is refused clearly, Accept takes the member into the chosen union.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.domain import transfer_offers
from desktop.reports.roster_pdf import union_members
from desktop.store import Workspace
from desktop.ui.incoming_transfers import IncomingTransfersDialog
from tests.rosters.conftest import offer_body, request_to_b, union_data


@pytest.fixture(autouse=True)
def english(qapp: Any) -> Iterator[None]:
    from desktop.ui import i18n

    before = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def offered(ws: Workspace, ws_b: Workspace, member: str) -> str:
    """Township A's transfer of 钱七, arrived at township B; returns B's union for it."""
    transfer_offers.receive_offer(ws_b, offer_body(ws, request_to_b(ws, member)))
    ws_b.records.save("union", union_data("北山另一公司工会"))
    return ws_b.records.save("union", union_data("北山某工会")).uuid


def test_incoming_list_shows_the_offer_and_accept_works(
    qtbot: Any, ws_b: Workspace, offered: str
) -> None:
    from desktop.ui.pages.members import MembersPage

    page = MembersPage()
    qtbot.addWidget(page)
    page.set_workspace(ws_b)
    action = page.roster_actions["incoming"]
    assert action.text() == "In&coming transfers… (1)"

    dialog = IncomingTransfersDialog(ws_b)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1 and not dialog.empty.isVisibleTo(dialog)
    cells = [dialog.table.item(0, c).text() for c in range(5)]
    assert cells[0] == "钱七" and "西溪街道总工会" in cells[1]
    assert cells[2:] == ["北山某工会", "2026-11-01", "调动"]
    # refusing needs a note: said so, the offer stays
    assert not dialog.refuse_selected()
    assert "why" in dialog.message.text() and dialog.table.rowCount() == 1
    assert dialog.union_combo.currentData() == offered  # the union the sender named
    dialog.union_combo.setCurrentIndex(0)
    dialog.union_combo.setCurrentIndex(dialog.union_combo.findData(offered))
    assert dialog.accept_selected()
    assert "钱七 joined 北山某工会" in dialog.message.text()
    assert dialog.table.rowCount() == 0 and dialog.empty.isVisibleTo(dialog) and dialog.changed
    assert not dialog.accept_button.isEnabled()
    assert [r.data["name"] for r in union_members(ws_b, offered)] == ["钱七"]
    page.refresh_filters()
    assert action.text() == "In&coming transfers…"


def test_refuse_with_a_note(qtbot: Any, ws_b: Workspace, offered: str) -> None:
    dialog = IncomingTransfersDialog(ws_b)
    qtbot.addWidget(dialog)
    dialog.note_edit.setText("本单位无此岗位")
    assert dialog.refuse_selected()
    assert dialog.table.rowCount() == 0 and ws_b.records.count("member") == 0
    [offer] = transfer_offers.incoming_offers(ws_b, state=None)
    assert offer.state == "refused" and offer.note == "本单位无此岗位"


def test_dialog_speaks_chinese(
    qtbot: Any, ws_b: Workspace, offered: str, artefact_dir: Path
) -> None:
    from desktop.ui import i18n

    i18n.set_language("zh_CN")
    dialog = IncomingTransfersDialog(ws_b)
    qtbot.addWidget(dialog)
    dialog.resize(900, 420)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.grab().save(str(artefact_dir / "incoming-transfers-zh.png"))
    assert dialog.windowTitle() == "转入申请"
    assert (dialog.accept_button.text(), dialog.refuse_button.text()) == ("接收(&A)", "拒收(&R)")
    assert not dialog.refuse_selected()
    assert dialog.message.text() == "请在“说明”中写明拒收原因。"


def test_county_refusals_of_transfers_in_words() -> None:
    from desktop.ui import i18n
    from desktop.ui.sync_text import reason_text

    error = {"code": "sync.transfer_unknown_org_unit", "field": None, "params": {}}
    assert "does not know the receiving township" in reason_text(error)
    i18n.set_language("zh_CN")
    assert reason_text(error).startswith("县（区）总工会不认识转入乡镇（街道）代码")
    assert reason_text({"code": "sync.transfer_answered"}) == "此转会已被答复或已撤回"
