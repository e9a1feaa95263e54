"""The Review page in the desktop (real Qt widgets offscreen, a real county server over HTTPS, a
real reviewer workspace enrolled as a reviewer device): queue, record with history, return with a
comment, accept a selection, a clear message when the county cannot be reached, the page
appears only for reviewers, and personal values are masked unless the reviewer device holds the
county's ``unmask`` permission and asks (logged at the county; a refusal too).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop import link
from desktop.link import state
from desktop.store import KdfParams, Workspace
from desktop.ui.pages.review_page import ReviewPage
from forms.masking import mask
from sync.retry import RetryPolicy
from sync.server.domain import access, audit_log
from sync.server.runner import free_port
from sync.server.tables import relay_items, reviews
from tests.rosters.conftest import resident_id

PASSWORD = "pw-Review-2026!"
LIGHT = KdfParams(memory_kib=8192, iterations=1, lanes=1)


@pytest.fixture
def setup(tmp_path: Path, county_server_factory: Any, raw_device: Any) -> Iterator[Any]:
    county = county_server_factory()
    township = raw_device(county)
    recs = [township.record(full_name=f"审核测试公司{i}工会") for i in range(3)]
    assert township.post_batch(township.seal(recs)).status_code == 200
    ws, _ = Workspace.create(
        tmp_path / "reviewer-ws",
        org_unit_code="330106",
        org_unit_name="西湖区总工会",
        admin_user="admin",
        admin_password=PASSWORD,
        kdf=LIGHT,
    )
    ws.users.add("shen", PASSWORD, "reviewer")
    ws.users.add("li", PASSWORD, "clerk")
    # the admin enrolls the county PC as a reviewer device; the reviewer then signs in
    link.enroll(ws, county.url, county.make_code("330106", role="reviewer"))
    path = ws.path
    ws.close()
    ws = Workspace.open(path, user="shen", password=PASSWORD, kdf=LIGHT)
    township.session.close()
    yield county, recs, ws
    ws.close()


def test_reviewer_returns_one_with_a_comment_and_accepts_a_selection(
    qtbot: Any, runner: None, setup: Any
) -> None:
    county, recs, ws = setup
    page = ReviewPage()
    qtbot.addWidget(page)
    page.set_workspace(ws)
    assert page.table.rowCount() == 3
    assert "3" in page.message_label.text()
    assert {page.table.item(r, 2).text() for r in range(3)} == {
        r["data"]["full_name"] for r in recs
    }

    page.table.selectRow(0)
    assert "Version 1" in page.detail.toPlainText()
    assert "audit-chain head" in page.detail.toPlainText()
    returned_uuid = page.rows[0]["record_uuid"]
    qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)  # no comment yet
    assert "comment" in page.message_label.text()
    page.comment_edit.setPlainText("请补充主席联系电话")
    qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)
    assert "1 of 1" in page.message_label.text()
    assert page.table.rowCount() == 2  # the queue shows what still waits

    page.table.selectAll()
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    assert "2 of 2" in page.message_label.text()
    assert page.table.rowCount() == 0
    with county.server.store.read() as conn:
        decided = {
            r.record_uuid: (r.decision, r.comment, r.reviewer)
            for r in conn.execute(select(reviews))
        }
        queued = {r.record_uuid for r in conn.execute(select(relay_items))}
    assert decided[returned_uuid] == ("returned", "请补充主席联系电话", "shen")
    assert queued == {r["uuid"] for r in recs} - {returned_uuid}


def test_page_says_when_the_county_cannot_be_reached(qtbot: Any, runner: None, setup: Any) -> None:
    _county, _recs, ws = setup
    e = state.load_enrollment(ws.settings)
    ws.settings.set(
        state.ENROLLMENT_KEY, {**e.to_json(), "server_url": f"https://127.0.0.1:{free_port()}"}
    )
    page = ReviewPage()
    page.retry = RetryPolicy(attempts=1, connect_timeout=2)
    qtbot.addWidget(page)
    page.set_workspace(ws)
    assert "cannot be reached" in page.message_label.text()
    assert page.table.rowCount() == 0 and not page.accept_button.isEnabled()


def test_review_page_only_for_reviewers(qtbot: Any, runner: None, setup: Any) -> None:
    from desktop.ui.main_window import MainWindow

    _county, _recs, ws = setup
    window = MainWindow(ws.path)
    qtbot.addWidget(window)
    window.set_workspace(ws)
    assert isinstance(window.pages[-1], ReviewPage)
    assert window.nav.count() == len(window.pages)
    window.nav.setCurrentRow(window.nav.count() - 1)
    assert window.current_page() is window.pages[-1]

    clerk_page = ReviewPage()
    qtbot.addWidget(clerk_page)
    clerk = Workspace.open(ws.path, user="li", password=PASSWORD, kdf=LIGHT)
    try:
        clerk_page.set_workspace(clerk)
        assert "reviewer" in clerk_page.message_label.text()
        assert clerk_page.table.rowCount() == 0
    finally:
        clerk_page.set_workspace(None)
        clerk.close()


# -- masked values and unmask -----------------------------------------------------------------
ID_NUMBER = resident_id(17)
MOBILE = "13900001234"


@pytest.fixture
def member_page(qtbot: Any, runner: None, setup: Any, raw_device: Any) -> Iterator[Any]:
    """The page with a member record (ID number, mobile) selected; and the reviewer device id."""
    county, _recs, ws = setup
    township = raw_device(county)
    member = township.record()
    member["form_id"] = "member"
    member["data"] = {
        "union": _recs[0]["uuid"],
        "name": "张三",
        "id_type": "resident_id",
        "id_number": ID_NUMBER,
        "gender": "male",
        "mobile": MOBILE,
        "join_date": "2020-01-01",
        "member_type": "regular",
    }
    assert township.post_batch(township.seal([member])).status_code == 200
    township.session.close()
    page = ReviewPage()
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.set_workspace(ws)
    yield county, page, member["uuid"], state.load_enrollment(ws.settings).device_id
    page.set_workspace(None)


def _select(page: ReviewPage, record_uuid: str) -> None:
    page.table.clearSelection()
    page.table.selectRow(
        next(i for i, r in enumerate(page.rows) if r["record_uuid"] == record_uuid)
    )


def _unmask_log(county: Any, record_uuid: str) -> list[tuple[str, str]]:
    with county.server.store.read() as conn:
        return [
            (e.action, e.actor)
            for e in audit_log.entries(conn)
            if e.action.startswith("unmask") and e.target == record_uuid
        ]


def test_member_record_is_masked_without_an_unmask_button(member_page: Any) -> None:
    county, page, member_uuid, _device = member_page
    _select(page, member_uuid)
    shown = page.detail.toPlainText()
    assert ID_NUMBER not in shown and MOBILE not in shown
    assert mask(ID_NUMBER) in shown and mask(MOBILE) in shown
    assert page.masked_label.isVisible() and "masked" in page.masked_label.text()
    assert not page.unmask_button.isVisible()
    page.unmask()  # nothing is asked without the permission
    assert _unmask_log(county, member_uuid) == []


def test_reviewer_with_the_permission_unmasks_and_it_is_logged(
    qtbot: Any, member_page: Any
) -> None:
    county, page, member_uuid, device = member_page
    access.set_permission(county.server.store, device, "unmask", True)
    _select(page, member_uuid)
    assert ID_NUMBER not in page.detail.toPlainText()
    assert page.unmask_button.isVisible() and page.unmask_button.isEnabled()
    assert page.unmask_button.text().startswith("&")
    assert "logs" in page.unmask_button.toolTip()

    qtbot.mouseClick(page.unmask_button, Qt.MouseButton.LeftButton)
    shown = page.detail.toPlainText()
    assert ID_NUMBER in shown and MOBILE in shown
    assert not page.unmask_button.isVisible()
    assert "in full" in page.masked_label.text()
    assert _unmask_log(county, member_uuid) == [("unmask", device)]

    # another record and back: masked again (and nothing more logged)
    _select(page, next(r["record_uuid"] for r in page.rows if r["record_uuid"] != member_uuid))
    assert "masked" in page.masked_label.text()
    _select(page, member_uuid)
    assert ID_NUMBER not in page.detail.toPlainText()
    assert mask(ID_NUMBER) in page.detail.toPlainText()
    assert page.unmask_button.isVisible()
    assert _unmask_log(county, member_uuid) == [("unmask", device)]


def test_permission_revoked_after_showing_gives_a_clear_message(
    qtbot: Any, member_page: Any
) -> None:
    county, page, member_uuid, device = member_page
    access.set_permission(county.server.store, device, "unmask", True)
    _select(page, member_uuid)
    assert page.unmask_button.isVisible()
    access.set_permission(county.server.store, device, "unmask", False)

    qtbot.mouseClick(page.unmask_button, Qt.MouseButton.LeftButton)
    assert "may not see unmasked personal values" in page.message_label.text()
    assert ID_NUMBER not in page.detail.toPlainText()
    assert mask(ID_NUMBER) in page.detail.toPlainText()
    assert not page.unmask_button.isVisible()
    assert _unmask_log(county, member_uuid) == [("unmask_refused", device)]


def test_every_button_has_its_own_access_key_and_alt_returns(qtbot: Any, member_page: Any) -> None:
    from tests.ui.test_access_keys import access_key, keyed_controls, problems_of
    from tests.ui.test_shortcuts import press

    county, page, member_uuid, device = member_page
    access.set_permission(county.server.store, device, "unmask", True)
    _select(page, member_uuid)
    controls = keyed_controls(page)
    assert not problems_of("review", controls)
    assert {access_key(text) for _w, text in controls} >= {"R", "C", "T", "S"}
    assert page.return_button.toolTip().endswith("(Alt+T)")
    press(qtbot, page.table, "Alt+T")  # Return with comment, none typed: the page asks for one
    qtbot.waitUntil(lambda: "comment" in page.message_label.text(), timeout=2000)
