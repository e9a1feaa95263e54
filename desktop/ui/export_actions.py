"""The roster actions on the Members page toolbar: Import, Export, Print roster, Transfer,
Incoming transfers (from other townships, with the number waiting).

:func:`install_roster_actions` adds them to a page with a ``toolbar`` (the Members page). Export
and Print run in the background through the task runner; file names come from a save dialog and
full (unmasked) ID numbers only when the role may unmask and the user said yes — the store audits
every record so revealed. ``ask_save_path`` / ``ask_unmask`` / ``ask_union`` are module functions
so tests can answer them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox, QToolButton, QWidget

from desktop.ui import operations
from desktop.ui.shortcuts import set_access_key

if TYPE_CHECKING:
    from desktop.store import Workspace

CONTEXT = "RosterActions"


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def ask_save_path(parent: QWidget, title: str, suggested: str, filters: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return path


def ask_unmask(parent: QWidget) -> bool:
    answer = QMessageBox.question(
        parent,
        tr("Full ID numbers?"),
        tr(
            "Write ID numbers and phone numbers in full? Each member shown in full is recorded "
            "in the audit log. Choose No for masked numbers (3301**********1234)."
        ),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_union(parent: QWidget, ws: Workspace) -> str | None:
    unions = ws.records.query("union", order_by="created_at", limit=5000)
    if not unions:
        return None
    names = [str(u.data.get("full_name") or u.uuid[:8]) for u in unions]
    name, ok = QInputDialog.getItem(parent, tr("Print roster"), tr("Union"), names, 0, False)
    return unions[names.index(name)].uuid if ok and name in names else None


def _unmask_wanted(page: Any) -> bool:
    ws = page.workspace
    return ws is not None and ws.user.can("unmask") and ask_unmask(page)


def _report(page: Any, text: str) -> None:
    page.status_message.emit(text)


def _failed(page: Any):
    def failed(exc: BaseException) -> None:
        from desktop.ui.errors_text import store_error_text

        _report(page, store_error_text(exc))

    return failed


def export_records_action(page: Any, form_id: str) -> None:
    """Ask for a file, then export every member (of the filtered union) or union."""
    ws = page.workspace
    if ws is None:
        return
    what = tr("members") if form_id == "member" else tr("unions")
    path = ask_save_path(
        page,
        tr("Export %1").replace("%1", what),
        f"{what}.xlsx",
        tr("Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)"),
    )
    if not path:
        return
    if Path(path).suffix.lower() not in (".xlsx", ".csv"):
        path += ".xlsx"
    unmask = _unmask_wanted(page)
    union = None
    if form_id == "member" and hasattr(page, "union_filter"):
        union = page.union_filter.currentData()

    def done(result: Any) -> None:
        text = tr("%1 records written to %2").replace("%1", str(result.rows))
        text = text.replace("%2", str(result.path))
        if result.masked:
            text += tr(" (ID and phone numbers masked)")
        _report(page, text)

    operations.export_records(ws, form_id, path, union_uuid=union, unmask=unmask).success(
        done
    ).failure(_failed(page)).run()


def print_roster_action(page: Any) -> None:
    """The roster PDF of the filtered union (or of a union the user picks)."""
    ws = page.workspace
    if ws is None:
        return
    union = page.union_filter.currentData() if hasattr(page, "union_filter") else None
    if union is None:
        rec = page.selected_record() if hasattr(page, "selected_record") else None
        union = rec.data.get("union") if rec is not None else None
    if union is None:
        union = ask_union(page, ws)
    if union is None:
        return
    path = ask_save_path(page, tr("Print roster"), tr("member roster") + ".pdf", "PDF (*.pdf)")
    if not path:
        return
    unmask = _unmask_wanted(page)

    operations.write_roster(ws, union, path, unmask=unmask).success(
        lambda p: _report(page, tr("Roster saved: %1").replace("%1", str(p)))
    ).failure(_failed(page)).run()


def _member_writer(page: Any) -> Any:
    """The page's workspace when its user may change member records; otherwise None (and the
    user is told why when it is their role)."""
    ws = page.workspace
    if ws is not None and not ws.user.can_write_form("member"):
        _report(page, tr("Your role may not change member records."))
        return None
    return ws


def import_action(page: Any) -> None:
    from desktop.ui.import_dialog import ImportDialog

    ws = _member_writer(page)
    if ws is None:
        return
    union = page.union_filter.currentData() if hasattr(page, "union_filter") else None
    dialog = ImportDialog(ws, page, union_uuid=union)
    dialog.exec()
    page.refresh()


def transfer_action(page: Any) -> None:
    from desktop.ui.transfer_dialog import TransferDialog

    ws = _member_writer(page)
    rec = page.selected_record() if hasattr(page, "selected_record") else None
    if ws is None:
        return
    dialog = TransferDialog(ws, rec.uuid if rec is not None else None, page)
    if dialog.exec():
        page.refresh()


def incoming_action(page: Any) -> None:
    from desktop.ui.incoming_transfers import IncomingTransfersDialog

    ws = _member_writer(page)
    if ws is None:
        return
    dialog = IncomingTransfersDialog(ws, page)
    dialog.exec()
    if dialog.changed:
        page.refresh()
    update_incoming_count(page)


def update_incoming_count(page: Any) -> int:
    """Show how many transfers from other townships wait (on the toolbar action)."""
    action = getattr(page, "_roster_actions", {}).get("incoming")
    ws = page.workspace
    try:
        count = len(operations.incoming_offers(ws).now()) if ws is not None else 0
    except Exception:  # noqa: BLE001 - a closed or locked workspace: show no number
        count = 0
    if action is not None:
        text = tr("Incoming transfers…")
        set_access_key(action, f"{text} ({count})" if count else text, "C")
    return count


def install_roster_actions(page: Any) -> dict[str, QAction]:
    """Add Import / Export / Print roster / Transfer to ``page.toolbar``; returns the actions."""
    actions: dict[str, QAction] = {}
    toolbar = page.toolbar
    toolbar.addSeparator()
    actions["import"] = QAction(tr("Import…"), page, objectName="ImportMembers")
    actions["import"].triggered.connect(lambda: import_action(page))
    actions["export_members"] = QAction(tr("Export members…"), page, objectName="ExportMembers")
    actions["export_members"].triggered.connect(lambda: export_records_action(page, "member"))
    actions["export_unions"] = QAction(tr("Export unions…"), page, objectName="ExportUnions")
    actions["export_unions"].triggered.connect(lambda: export_records_action(page, "union"))
    actions["roster"] = QAction(tr("Print roster…"), page, objectName="PrintRoster")
    actions["roster"].triggered.connect(lambda: print_roster_action(page))
    actions["transfer"] = QAction(tr("Transfer…"), page, objectName="TransferMember")
    actions["transfer"].triggered.connect(lambda: transfer_action(page))
    actions["incoming"] = QAction(tr("Incoming transfers…"), page, objectName="IncomingTransfers")
    actions["incoming"].triggered.connect(lambda: incoming_action(page))
    from desktop.ui.icons import icon

    actions["import"].setIcon(icon("import"))
    actions["roster"].setIcon(icon("print"))
    toolbar.addAction(actions["import"])
    menu = QMenu(page)
    menu.addAction(actions["export_members"])
    menu.addAction(actions["export_unions"])
    export = QToolButton(objectName="ExportButton")
    export.setText(tr("Export"))
    export.setMenu(menu)
    export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    export.setIcon(icon("export"))
    export.setToolButtonStyle(toolbar.toolButtonStyle())
    toolbar.toolButtonStyleChanged.connect(export.setToolButtonStyle)
    toolbar.addWidget(export)
    toolbar.addAction(actions["roster"])
    toolbar.addAction(actions["transfer"])
    toolbar.addAction(actions["incoming"])
    page._roster_actions = actions

    def retranslate() -> None:  # a language switch: every text again, the waiting count kept
        for key, text, letter in (
            ("import", "Import…", "I"),
            ("export_members", "Export members…", "M"),
            ("export_unions", "Export unions…", "U"),
            ("transfer", "Transfer…", "T"),
        ):
            set_access_key(actions[key], tr(text), letter)
        set_access_key(actions["roster"], tr("Print roster…"), "P", keys="Ctrl+P")
        set_access_key(export, tr("Export"), "E", keys="Ctrl+E")
        update_incoming_count(page)

    retranslate()
    if hasattr(page, "retranslate_hooks"):
        page.retranslate_hooks.append(retranslate)
    return actions
