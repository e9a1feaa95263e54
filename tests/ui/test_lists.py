"""The record lists: search as you type, filters, sorting, masked personal data with an audited
unmask, status icons and returned records standing out with the county's comment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.ui.pages.dashboard import DashboardPage
from desktop.ui.pages.members import MembersPage
from desktop.ui.record_model import RETURNED_BRUSH, RecordRole
from tests.ui.helpers import make_window, type_text


def record_at(page: Any, row: int) -> Any:
    """The Record a view gets for ``row`` (through RecordRole, as the views ask for it)."""
    return page.model.data(page.model.index(row, 0), RecordRole)


def row_of(page: Any, status: str) -> int:
    for row in range(page.model.rowCount()):
        if record_at(page, row).status == status:
            return row
    raise AssertionError(status)


def test_returned_record_stands_out_with_the_county_comment(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(MembersPage)
    row = row_of(page, "returned")
    index = page.model.index(row, 0)
    assert index.data() == "县总工会已退回"
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    assert page.model.index(row, 1).data(Qt.ItemDataRole.BackgroundRole) == RETURNED_BRUSH
    assert "身份证号码与户籍信息不符" in page.model.index(row, 2).data(Qt.ItemDataRole.ToolTipRole)
    other = row_of(page, "ready")
    assert page.model.index(other, 1).data(Qt.ItemDataRole.BackgroundRole) is None
    # opening it shows the comment above the entry screen
    page.select_row(row)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.stack.currentWidget() is page.editor
    assert page.editor.comment_banner.isVisible()
    assert "身份证号码与户籍信息不符" in page.editor.comment_banner.text()
    window.close_workspace()


def test_personal_data_is_masked_and_unmasking_is_audited(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(MembersPage)
    page.select_row(0)
    rec = page.selected_record()
    shown = page.model.index(0, 3).data()
    assert "*" in shown
    before = len(demo_ws.audit.entries(target=rec.uuid))
    page.toolbar.widgetForAction(page.unmask_action).click()
    clear = page.model.index(0, 3).data()
    assert "*" not in clear and len(clear) == 18 and clear[-4:] == shown[-4:]
    actions = [e["action"] for e in demo_ws.audit.entries(target=rec.uuid)]
    assert len(actions) > before and "record.unmask" in actions
    page.refresh()  # a refresh masks again
    assert "*" in page.model.index(0, 3).data()
    window.close_workspace()


def test_search_filters_and_sorting(qtbot: Any, demo_ws: Any, workspace_dir: Path) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(MembersPage)
    total = page.model.rowCount()
    # typing waits for a pause before searching (debounced), then narrows the list
    page.search_edit.setFocus()
    name = record_at(page, 5).data["name"]
    type_text(qtbot, page.search_edit, name[-2:])
    assert page.search_timer.isActive() and page.model.rowCount() == total
    qtbot.waitUntil(lambda: page.model.rowCount() < total, timeout=3000)
    names = [record_at(page, r).data["name"] for r in range(page.model.rowCount())]
    assert names and all(name[-2:] in n for n in names)
    page.search_edit.clear()
    page.apply_query()
    assert page.model.rowCount() == total
    # union filter
    page.union_filter.setCurrentIndex(1)
    union_uuid = page.selected_union()
    assert 0 < page.model.rowCount() < total
    assert all(record_at(page, r).data["union"] == union_uuid for r in range(page.model.rowCount()))
    page.union_filter.setCurrentIndex(0)
    # status filter
    page.status_filter.setCurrentIndex(page.status_filter.findText("县总工会已退回"))
    assert page.model.rowCount() == 1
    page.status_filter.setCurrentIndex(0)
    # sorting by clicking the name header
    header = page.table.horizontalHeader()
    header.setSortIndicator(1, Qt.SortOrder.AscendingOrder)
    first = [record_at(page, r).data["name"] for r in range(10)]
    header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)
    last = [record_at(page, r).data["name"] for r in range(10)]
    assert first == sorted(first) and last == sorted(last, reverse=True) and first[0] != last[0]
    window.close_workspace()


def test_dashboard_counts_and_members_by_union_chart(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(DashboardPage)
    QApplication.processEvents()
    count = demo_ws.records.count
    assert page.cards["unions"].value.text() == "6"
    assert page.cards["members"].value.text() == "60"
    assert page.cards["female"].value.text() == str(count("member", filters={"gender": "female"}))
    assert page.cards["returned"].value.text() == "1"
    assert page.cards["unsynced"].value.text() == str(demo_ws.outbox.pending_count())
    bars = page.chart.series()[0].barSets()[0]
    values = [int(bars.at(i)) for i in range(bars.count())]
    assert sum(values) == 60 and values == sorted(values)  # largest at the top
    # a new member shows on the dashboard
    union = demo_ws.records.query("union", limit=1)[0].uuid
    from desktop.demo import member_rows

    row = next(iter(member_rows([union], 1, seed=99)))
    from forms.ids import resident_id_check_char

    row["id_number"] = "11010519491231002" + resident_id_check_char("11010519491231002")
    row["birth_date"], row["gender"] = "1949-12-31", "female"
    demo_ws.records.save("member", row)
    qtbot.waitUntil(lambda: page.cards["members"].value.text() == "61", timeout=3000)
    window.close_workspace()


def test_searching_a_union_name_lists_its_members(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(MembersPage)
    page.search_edit.setFocus()
    type_text(qtbot, page.search_edit, "骑手之家")
    page.apply_query()
    union = next(u for u, name in page.references("union") if name.startswith("骑手之家"))
    expected = demo_ws.records.count("member", filters={"union": union})
    assert expected > 0 and page.model.rowCount() == expected
    assert "骑手之家" in page.count_label.text()
    window.close_workspace()


def test_a_record_the_county_server_refused_shows_why_in_the_list(
    qtbot: Any, demo_ws: Any, workspace_dir: Path
) -> None:
    from sync.outbox import RecordReceipt

    items = demo_ws.outbox.pending(1000)
    refused = next(i for i in items if i.form_id == "member")
    demo_ws.outbox.seal(
        "33333333-3333-4333-8333-333333333333",
        demo_ws.outbox.next_device_seq(),
        b"{}",
        [i.seq for i in items],
    )
    demo_ws.outbox.acknowledge(
        "33333333-3333-4333-8333-333333333333",
        b"{}",
        [
            RecordReceipt(
                i.record_uuid, i.version, "rejected", ({"code": "sync.version_conflict"},)
            )
            if i.seq == refused.seq
            else RecordReceipt(i.record_uuid, i.version, "received")
            for i in items
        ],
    )
    window = make_window(qtbot, workspace_dir, demo_ws)
    page = window.show_page(MembersPage)
    row = next(
        r for r in range(page.model.rowCount()) if record_at(page, r).uuid == refused.record_uuid
    )
    tip = page.model.index(row, 2).data(Qt.ItemDataRole.ToolTipRole)
    assert "县级服务器拒收" in tip and "未覆盖任何数据" in tip
    other = row_of(page, "delivered")
    assert "拒收" not in page.model.index(other, 2).data(Qt.ItemDataRole.ToolTipRole)
