"""The Sync page: enroll with the county, Sync now (progress, cancel), state and history.

Shows online/offline state (from the auto-sync probe), records waiting to go up, the batches
sent with their receipts, and records the county refused with the reasons in words. All network
work runs on the task helper; the page only ever reads the workspace on the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.link import LinkError, link_status
from desktop.link import state as link_state
from desktop.ui import operations
from desktop.ui.pages.base import Page
from desktop.ui.shortcuts import set_access_key
from desktop.ui.sync_auto import AutoSyncDriver
from desktop.ui.sync_text import error_text, local_time, reason_text
from desktop.ui.tasks import TaskHandle

if TYPE_CHECKING:
    from desktop.store import Workspace


class SyncPage(Page):
    """Enrollment, manual and automatic sync, history of batches, refused records."""

    nav_icon_name = "sync"

    def __init__(self, parent: QWidget | None = None, *, auto_interval_ms: int = 60_000) -> None:
        super().__init__(parent)
        self._handle: TaskHandle | None = None
        self._ctx: Any = None
        #: extra keyword arguments for ``desktop.link.sync_now`` (batch limits, retry policy)
        self.sync_options: dict[str, Any] = {}
        self._online: bool | None = None
        self.auto = AutoSyncDriver(interval_ms=auto_interval_ms, parent=self)
        self.auto.online_changed.connect(self._set_online)
        self.auto.synced.connect(lambda _summary: self._after_sync())
        self.auto.failed.connect(lambda exc: self.message_label.setText(error_text(exc)))
        self._build()
        self.retranslate()
        self.clear()

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.state_label = QLabel()
        self.online_label = QLabel()
        self.pending_label = QLabel()
        self.last_label = QLabel()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)

        self.status_box = QGroupBox()
        self.status_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        status_form = QFormLayout(self.status_box)
        self._status_captions = [QLabel() for _ in range(4)]
        for caption, value in zip(
            self._status_captions,
            (self.state_label, self.online_label, self.pending_label, self.last_label),
            strict=True,
        ):
            status_form.addRow(caption, value)

        self.enroll_box = QGroupBox()
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("https://")
        self.code_edit = QLineEdit()
        self.enroll_button = QPushButton()
        self.enroll_button.clicked.connect(self.start_enroll)
        self.code_edit.returnPressed.connect(self.start_enroll)
        enroll_form = QFormLayout(self.enroll_box)
        self._server_caption, self._code_caption = QLabel(), QLabel()
        self.enroll_hint = QLabel(objectName="Hint", wordWrap=True)
        enroll_form.addRow(self.enroll_hint)
        enroll_form.addRow(self._server_caption, self.server_edit)
        enroll_form.addRow(self._code_caption, self.code_edit)
        enroll_form.addRow("", self.enroll_button)

        self.sync_button = QPushButton()
        self.sync_button.clicked.connect(self.start_sync)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel_sync)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.auto_check = QCheckBox()
        self.auto_check.toggled.connect(self._auto_toggled)
        actions = QHBoxLayout()
        for w in (self.sync_button, self.cancel_button):
            actions.addWidget(w)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.auto_check)

        self.history_table = self._table(6)
        self.rejected_table = self._table(4)
        self._history_caption, self._rejected_caption = QLabel(), QLabel()
        # inbox messages that cannot apply here (desktop.link.inbox): shown only when there are
        self.set_aside_table = self._table(3)
        self._set_aside_caption = QLabel()

        self.title = QLabel(objectName="PageTitle")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status_box)
        layout.addWidget(self.enroll_box)
        layout.addLayout(actions)
        layout.addWidget(self.message_label)
        layout.addWidget(self._history_caption)
        layout.addWidget(self.history_table, 2)
        layout.addWidget(self._rejected_caption)
        layout.addWidget(self.rejected_table, 1)
        layout.addWidget(self._set_aside_caption)
        layout.addWidget(self.set_aside_table, 1)
        self._set_aside_caption.setVisible(False)
        self.set_aside_table.setVisible(False)

    @staticmethod
    def _table(columns: int) -> QTableWidget:
        table = QTableWidget(0, columns)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # -- Page -----------------------------------------------------------------------------
    def nav_title(self) -> str:
        return self.tr("Sync")

    def retranslate(self) -> None:
        self.title.setText(self.tr("Sync with the county"))
        self.enroll_hint.setText(
            self.tr(
                "The county federation gives you the server address and a one-time enrollment "
                "code (ask the county's system administrator; F1 explains how)."
            )
        )
        self.enroll_button.setToolTip(self.tr("Enroll (Alt+R)"))
        self.status_box.setTitle(self.tr("County server"))
        for caption, text in zip(
            self._status_captions,
            (
                self.tr("Enrollment"),
                self.tr("Connection"),
                self.tr("Waiting to send"),
                self.tr("Last sync"),
            ),
            strict=True,
        ):
            caption.setText(text)
        self.enroll_box.setTitle(self.tr("Enroll this workspace"))
        self._server_caption.setText(self.tr("Server address"))
        self._code_caption.setText(self.tr("Enrollment code"))
        self.enroll_button.setText(self.tr("En&roll"))
        set_access_key(self.sync_button, self.tr("Sync now"), "S", keys="F5")
        set_access_key(self.cancel_button, self.tr("Cancel"), "C")
        self.auto_check.setText(self.tr("Sync automatically when online"))
        self._history_caption.setText(self.tr("Batches sent"))
        self._rejected_caption.setText(self.tr("Records refused by the county"))
        self.history_table.setHorizontalHeaderLabels(
            [
                self.tr("Batch"),
                self.tr("Records"),
                self.tr("Received"),
                self.tr("Duplicates"),
                self.tr("Refused"),
                self.tr("Receipt time"),
            ]
        )
        self.rejected_table.setHorizontalHeaderLabels(
            [self.tr("Record"), self.tr("Version"), self.tr("Batch"), self.tr("Reasons")]
        )
        self._set_aside_caption.setText(self.tr("Messages from the county that could not apply"))
        self.set_aside_table.setHorizontalHeaderLabels(
            [self.tr("Message"), self.tr("Reasons"), self.tr("Receipt time")]
        )
        if self.workspace is not None:
            self.refresh()

    def set_workspace(self, ws: Workspace | None) -> None:
        super().set_workspace(ws)
        self.auto.set_workspace(ws)

    def clear(self) -> None:
        for label in (self.state_label, self.online_label, self.pending_label, self.last_label):
            label.setText("—")
        self.history_table.setRowCount(0)
        self.rejected_table.setRowCount(0)
        self._fill_set_aside([])
        self.enroll_box.setVisible(False)
        self.sync_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.auto_check.setEnabled(False)

    def refresh(self) -> None:
        ws = self.workspace
        if ws is None or getattr(ws, "closed", False):
            return
        status = link_status(ws)
        running = self.running()
        if status.enrolled:
            self.state_label.setText(
                self.tr("Enrolled with %1 as %2")
                .replace("%1", status.server_name or status.server_url or "")
                .replace("%2", status.org_unit or "")
            )
        else:
            self.state_label.setText(self.tr("Not enrolled"))
        self._show_online()
        waiting = status.pending + sum(len(b.item_seqs) for b in ws.outbox.unacknowledged())
        self.pending_label.setText(self.tr("%n record(s)", "", waiting))
        self.pending_count = waiting
        self.last_label.setText(local_time(status.last_success) or self.tr("never"))
        self.enroll_box.setVisible(not status.enrolled)
        self.enroll_button.setEnabled(not running)
        self.sync_button.setEnabled(status.enrolled and not running)
        self.cancel_button.setEnabled(running)
        self.auto_check.setEnabled(status.enrolled)
        self.auto_check.blockSignals(True)
        self.auto_check.setChecked(status.auto)
        self.auto_check.blockSignals(False)
        self._fill_history(link_state.history(ws))
        self._fill_rejected(link_state.rejected(ws))
        self._fill_set_aside(link_state.set_aside(ws))

    def _fill_history(self, entries: list[dict[str, Any]]) -> None:
        self.history_table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            values = [
                f"#{e.get('device_seq')}",
                e.get("records"),
                e.get("received"),
                e.get("duplicates"),
                e.get("rejected"),
                local_time(e.get("receipt_at")),
            ]
            for col, value in enumerate(values):
                item = QTableWidgetItem("" if value is None else str(value))
                if col == 0:
                    item.setToolTip(str(e.get("batch_id", "")))
                self.history_table.setItem(row, col, item)

    def _fill_rejected(self, entries: list[dict[str, Any]]) -> None:
        self.rejected_table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            reasons = "; ".join(reason_text(err) for err in e.get("errors", [])) or self.tr(
                "refused"
            )
            values = [
                str(e.get("record_uuid", ""))[:8],
                str(e.get("version", "")),
                str(e.get("batch_id", ""))[:8],
                reasons,
            ]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setToolTip(str(e.get("record_uuid", "")))
                self.rejected_table.setItem(row, col, item)

    def _fill_set_aside(self, entries: list[dict[str, Any]]) -> None:
        self.set_aside_table.setRowCount(len(entries))
        self._set_aside_caption.setVisible(bool(entries))
        self.set_aside_table.setVisible(bool(entries))
        for row, e in enumerate(entries):
            record = str(e.get("record_uuid") or "")  # one record of a review_decisions
            values = [
                str(e.get("kind", "")) + (f" ({record[:8]})" if record else ""),
                str(e.get("code") or e.get("reason") or ""),
                local_time(e.get("at")) or "",
            ]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setToolTip(" ".join(filter(None, (str(e.get("msg_id", "")), record))))
                self.set_aside_table.setItem(row, col, item)

    # -- online state ---------------------------------------------------------------------
    def _set_online(self, online: object) -> None:
        self._online = online if isinstance(online, bool) else None
        self._show_online()

    def _show_online(self) -> None:
        if self._online is True:
            self.online_label.setText(self.tr("Online"))
        elif self._online is False:
            self.online_label.setText(self.tr("Offline"))
        else:
            self.online_label.setText(self.tr("Unknown"))

    def _auto_toggled(self, checked: bool) -> None:
        if self.workspace is not None:
            operations.set_auto_sync(self.workspace, checked).now()

    # -- actions --------------------------------------------------------------------------
    def running(self) -> bool:
        return self._ctx is not None or (self._handle is not None and not self._handle.finished)

    def start_enroll(self) -> None:
        ws = self.workspace
        url, code = self.server_edit.text().strip(), self.code_edit.text().strip()
        if ws is None or self.running():
            return
        if not url or not code:
            self._message(self.tr("Enter the server address and the enrollment code."))
            return
        self._message(self.tr("Enrolling…"))
        self._start(operations.enroll(ws, url, code), self._enrolled)

    def _enrolled(self, enrollment: Any) -> None:
        self._ctx = None
        self.code_edit.clear()
        self._message(self.tr("Enrolled as device %1.").replace("%1", enrollment.device_id))
        self.refresh()
        self.auto.tick()

    def start_sync(self) -> None:
        ws = self.workspace
        if ws is None or self.running():
            return
        if self.auto.busy():  # an automatic sync is on its way; never two at once
            self._message(self.tr("A sync is already running."))
            return
        self.auto.paused = True
        self._message(self.tr("Sending…"))
        self.progress.setRange(0, 0)

        self._start(operations.sync_with_county(ws, **self.sync_options), self._synced)

    def cancel_sync(self) -> None:
        ctx = self._ctx
        if ctx is not None:
            ctx.cancel()
            self.cancel_button.setEnabled(False)
            self._message(self.tr("Cancelling…"))

    def _start(self, op: operations.WorkspaceOp[Any], on_done: Any) -> None:
        self.sync_button.setEnabled(False)
        self.enroll_button.setEnabled(False)
        self.cancel_button.setEnabled(True)

        def started(ctx: Any) -> None:
            self._ctx = ctx  # so Cancel reaches the task even before run() returned its handle

        self._handle = (
            op.started(started)
            .success(on_done)
            .failure(self._failed)
            .progress(self._progress)
            .with_runner(self.tasks)
            .run()
        )
        if self._handle.finished:
            self._ctx = None
        self.refresh()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _synced(self, summary: Any) -> None:
        self._ctx = None
        self.auto.paused = False
        self._online = True
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        if summary.cancelled:
            text = self.tr("Cancelled. %1 record(s) were delivered before that.")
        else:
            text = self.tr(
                "Done: %1 record(s) delivered, %2 refused, %3 message(s) from the county."
            )
        text = (
            text.replace("%1", str(summary.received + summary.duplicates))
            .replace("%2", str(summary.rejected))
            .replace("%3", str(summary.inbox_applied))
        )
        if getattr(summary, "resequenced_batches", 0):
            text += " " + self.tr(
                "The county already had later batches from this computer (was an older backup "
                "restored?); %1 record(s) it never received were sent again under new numbers."
            ).replace("%1", str(summary.resequenced_records))
        self._message(text)
        self._after_sync()

    def _after_sync(self) -> None:
        self.refresh()
        self.status_changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self._ctx = None
        self.auto.paused = False
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        if isinstance(exc, LinkError) and exc.code == "unreachable":
            self._online = False
        self._message(error_text(exc))
        self.refresh()

    def _message(self, text: str) -> None:
        self.message_label.setText(text)
        self.status_message.emit(text)
