"""The Review page (county reviewers): the queue of what townships sent, one record with its
version history, and Accept / Return-with-comment for one record or a selection.

Works over HTTPS against the county server the workspace is enrolled with (as a reviewer device);
every request runs on the task helper, and the page says clearly when the server cannot be
reached. Other roles see a short explanation instead of the queue.

Sensitive values (ID numbers, phones) come masked from the county. A reviewer device holding the
county's ``unmask`` permission gets a "Show personal values" button for the record shown: it asks
the county again with ``unmask`` (logged there, as is a refusal); selecting another record, a
refresh or locking goes back to masked values.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.link import state as link_state
from desktop.ui import operations
from desktop.ui.pages.base import Page
from desktop.ui.shortcuts import set_access_key
from desktop.ui.sync_text import error_text
from sync.client import SyncError

if TYPE_CHECKING:
    from desktop.store import Workspace

STATUSES = ("pending", "returned", "accepted", "")


class ReviewPage(Page):
    """Queue, record with history, decision buttons."""

    nav_icon_name = "sync"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        #: the record shown in the detail (``None``: none) and its document (masked or not)
        self.shown_uuid: str | None = None
        self._shown: dict[str, Any] | None = None
        #: a ``sync.retry.RetryPolicy`` for the review client (tests make it short)
        self.retry: Any = None
        self._build()
        self.retranslate()
        self.clear()

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.status_combo = QComboBox()
        self.township_combo = QComboBox()
        self.form_combo = QComboBox()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        for combo in (self.status_combo, self.township_combo, self.form_combo):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        filters = QHBoxLayout()
        for w in (self.status_combo, self.township_combo, self.form_combo):
            filters.addWidget(w)
        filters.addStretch(1)
        filters.addWidget(self.refresh_button)

        self.table = QTableWidget(0, 6)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.detail = QTextBrowser()
        self.masked_label = QLabel()
        self.masked_label.setWordWrap(True)
        self.unmask_button = QPushButton()
        self.unmask_button.clicked.connect(self.unmask)
        masked_row = QHBoxLayout()
        masked_row.addWidget(self.masked_label, 1)
        masked_row.addWidget(self.unmask_button)
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setMaximumHeight(80)
        self.accept_button = QPushButton()
        self.return_button = QPushButton()
        self.accept_button.clicked.connect(lambda: self.decide("accepted"))
        self.return_button.clicked.connect(lambda: self.decide("returned"))
        self.comment_label = QLabel()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.accept_button)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addLayout(masked_row)
        rl.addWidget(self.detail, 1)
        rl.addWidget(self.comment_label)
        rl.addWidget(self.comment_edit)
        rl.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message_label)
        layout.addLayout(filters)
        layout.addWidget(split, 1)

    def nav_title(self) -> str:
        return self.tr("Review")

    def retranslate(self) -> None:
        current = self.status_combo.currentIndex()
        self.status_combo.blockSignals(True)
        self.status_combo.clear()
        words = {**self._status_words(), "": self.tr("All")}
        for status in STATUSES:
            self.status_combo.addItem(words[status], status)
        self.status_combo.setCurrentIndex(max(0, current))
        self.status_combo.blockSignals(False)
        set_access_key(self.refresh_button, self.tr("Refresh"), "R")
        set_access_key(self.accept_button, self.tr("Accept"), "C")
        set_access_key(self.return_button, self.tr("Return with comment"), "T")
        self.unmask_button.setText(self.tr("&Show personal values"))
        self.unmask_button.setToolTip(
            self.tr(
                "Shows the ID numbers and phone numbers in this record; the county server logs "
                "every viewing."
            )
        )
        self._update_masking()
        self.comment_label.setText(self.tr("Comment to the township (needed to return):"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Township"),
                self.tr("Form"),
                self.tr("Record"),
                self.tr("Version"),
                self.tr("Received"),
                self.tr("Status"),
            ]
        )

    def _status_words(self) -> dict[str, str]:
        return {
            "pending": self.tr("Waiting for review"),
            "returned": self.tr("Returned"),
            "accepted": self.tr("Accepted"),
        }

    # -- state ----------------------------------------------------------------------------
    def _allowed(self) -> bool:
        ws = self.workspace
        if ws is None:
            return False
        if not ws.user.can("review"):
            self.message_label.setText(
                self.tr("Review is for county reviewers. Sign in with a reviewer account.")
            )
            return False
        if link_state.load_enrollment(ws.settings) is None:
            self.message_label.setText(
                self.tr(
                    "This workspace is not enrolled with the county server yet. Enroll it on the "
                    "Sync page with a reviewer code from the county."
                )
            )
            return False
        return True

    def _set_enabled(self, on: bool) -> None:
        for w in (self.table, self.accept_button, self.return_button, self.comment_edit):
            w.setEnabled(on)

    def clear(self) -> None:
        self.rows = []
        self.table.setRowCount(0)
        self._clear_record()
        self._set_enabled(False)

    def _clear_record(self) -> None:
        """No record in the detail (and no plain personal values left on screen)."""
        self.shown_uuid = None
        self._shown = None
        self.detail.clear()
        self._update_masking()

    def _update_masking(self) -> None:
        """The masked-values note and the unmask button, for the record shown."""
        doc = self._shown
        masked = bool(doc and doc.get("masked"))
        if doc is None:
            note = ""
        elif masked:
            note = self.tr("Sensitive values are masked (ID numbers, phones).")
        else:
            note = self.tr("Personal values shown in full; the county server logged this viewing.")
        self.masked_label.setText(note)
        self.masked_label.setVisible(bool(note))
        allowed = masked and bool(doc and doc.get("may_unmask"))
        self.unmask_button.setVisible(allowed)
        self.unmask_button.setEnabled(allowed)

    def _error(self, exc: BaseException) -> None:
        code = getattr(exc, "code", None)
        if code == "unreachable":
            text = self.tr(
                "The county server cannot be reached. Check the network and press Refresh; "
                "no decision was lost."
            )
        elif code == "not_a_reviewer":
            text = self.tr("The county does not know this computer as a reviewer device.")
        elif code == "comment_required":
            text = self.tr("Write a comment for the township before returning a record.")
        elif code == "review.unmask_forbidden":
            text = self.tr(
                "This computer may not see unmasked personal values. Ask the county's "
                "administrator for the permission."
            )
        else:
            text = error_text(exc)
        self.message_label.setText(text)

    def _request(
        self,
        op: operations.WorkspaceOp[Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Run a review operation with the county server on the page's task helper."""
        op.success(on_done).failure(on_error).with_runner(self.tasks).run()

    # -- queue ----------------------------------------------------------------------------
    def refresh(self) -> None:
        if not self._allowed():
            self.clear()
            return
        ws = self.workspace
        if ws is None:
            return
        filters = {
            "status": self.status_combo.currentData() or None,
            "org_unit": self.township_combo.currentData() or None,
            "form_id": self.form_combo.currentData() or None,
        }
        self.message_label.setText(self.tr("Loading the queue from the county server…"))
        self._request(
            operations.review_queue(ws, retry=self.retry, **filters),
            self._show_queue,
            self._queue_failed,
        )

    def _queue_failed(self, exc: BaseException) -> None:
        self.clear()
        self._error(exc)

    def _show_queue(self, result: dict[str, Any]) -> None:
        self.rows = list(result.get("records", []))
        counts = result.get("counts", {})
        self.message_label.setText(
            self.tr("Waiting: {0}   Returned: {1}   Accepted: {2}").format(
                counts.get("pending", 0), counts.get("returned", 0), counts.get("accepted", 0)
            )
        )
        self._fill_filters()
        self.table.setRowCount(len(self.rows))
        words = self._status_words()
        for i, r in enumerate(self.rows):
            cells = [
                r.get("org_unit_name") or r.get("org_unit", ""),
                r.get("form_id", ""),
                r.get("title", ""),
                str(r.get("version", "")),
                r.get("received_at", ""),
                words.get(r.get("status", ""), r.get("status", "")),
            ]
            for col, text in enumerate(cells):
                self.table.setItem(i, col, QTableWidgetItem(text))
        self._set_enabled(True)
        self._clear_record()

    def _fill_filters(self) -> None:
        """Townships from the org-unit tree received at enrollment; forms seen in the queue."""
        ws = self.workspace
        units = ws.settings.get(link_state.ORG_UNITS_KEY, []) if ws is not None else []
        townships = [(u.get("code"), u.get("name")) for u in units if u.get("kind") == "township"]
        forms = sorted(
            cast(
                "set[str]",
                {r.get("form_id") for r in self.rows}
                | {self.form_combo.currentData()} - {None, ""},
            )
        )
        for combo, items, all_text in (
            (self.township_combo, townships, self.tr("All townships")),
            (self.form_combo, [(f, f) for f in forms], self.tr("All forms")),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(all_text, "")
            for code, name in items:
                combo.addItem(str(name), code)
            index = combo.findData(chosen)
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    # -- one record -----------------------------------------------------------------------
    def selected(self) -> list[dict[str, Any]]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.rows[r] for r in rows if r < len(self.rows)]

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self._clear_record()  # back to masked values: the next record is asked for masked
        if len(chosen) != 1:
            self.detail.setPlainText(
                self.tr("{0} records selected").format(len(chosen)) if chosen else ""
            )
            return
        ws = self.workspace
        if ws is None:
            return
        uuid_ = chosen[0]["record_uuid"]
        self.shown_uuid = uuid_
        self._request(
            operations.review_record(ws, uuid_, retry=self.retry), self._show_record, self._error
        )

    def unmask(self) -> None:
        """Ask the county again for the record shown, with its plain personal values."""
        doc = self._shown
        if doc is None or not doc.get("masked") or not doc.get("may_unmask"):
            return
        ws = self.workspace
        if ws is None:
            return
        uuid_ = str(doc.get("record_uuid") or self.shown_uuid)
        self.unmask_button.setEnabled(False)
        self._request(
            operations.review_record(ws, uuid_, unmask=True, retry=self.retry),
            self._show_record,
            self._unmask_failed,
        )

    def _unmask_failed(self, exc: BaseException) -> None:
        self._error(exc)
        if getattr(exc, "code", None) == "review.unmask_forbidden" and self._shown is not None:
            self._shown = {**self._shown, "may_unmask": False}  # the permission is gone
        self._update_masking()

    def _show_record(self, doc: dict[str, Any]) -> None:
        if doc.get("record_uuid", self.shown_uuid) != self.shown_uuid:
            return  # an answer for a record no longer selected
        self._shown = doc
        self._update_masking()
        parts = []
        for v in reversed(doc.get("versions", [])):
            decision = v.get("decision")
            head = self.tr("Version {0} — received {1}").format(v["version"], v["received_at"])
            state = (
                self.tr("{0} by {1} at {2}: {3}").format(
                    decision["decision"],
                    decision["reviewer"],
                    decision["decided_at"],
                    decision.get("comment") or "",
                )  # fmt: skip
                if decision
                else self.tr("not decided")
            )
            rows = "".join(
                f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(val))}</td></tr>"
                for k, val in sorted(v.get("data", {}).items())
            )
            audit = self.tr("Township audit-chain head: {0}").format(v.get("audit_head") or "-")
            parts.append(
                f"<h3>{html.escape(head)}</h3><p>{html.escape(state)}<br>"
                f"<small>{html.escape(audit)}</small></p><table>{rows}</table>"
            )
        self.detail.setHtml("".join(parts))

    # -- decisions ------------------------------------------------------------------------
    def decide(self, decision: str) -> None:
        chosen = self.selected()
        if not chosen:
            self.message_label.setText(self.tr("Select one or more records first."))
            return
        comment = self.comment_edit.toPlainText().strip()
        if decision == "returned" and not comment:
            self.message_label.setText(
                self.tr("Write a comment for the township before returning a record.")
            )
            return
        ws = self.workspace
        if ws is None:
            return
        reviewer = ws.user.name
        decisions = [
            {
                "record_uuid": r["record_uuid"],
                "version": r["version"],
                "decision": decision,
                "comment": comment,
            }
            for r in chosen
        ]
        self._request(
            operations.review_decide(ws, reviewer, decisions, retry=self.retry),
            self._decided,
            self._error,
        )

    def _decided(self, results: list[dict[str, Any]]) -> None:
        done = sum(r.get("result") in ("ok", "already_decided") for r in results)
        self.comment_edit.clear()
        self.refresh()
        text = self.tr("{0} of {1} decisions recorded.").format(done, len(results))
        if done < len(results):
            text += " " + self.tr("The others changed meanwhile (a newer version or decision).")
        self.message_label.setText(text)


__all__ = ["ReviewPage", "SyncError"]


def add_to_window(window: Any, ws: Workspace) -> ReviewPage | None:
    """Give a main window the Review page when a county reviewer signs in (once)."""
    existing = next((p for p in window.pages if isinstance(p, ReviewPage)), None)
    if existing is not None or getattr(ws.user, "role", None) != "reviewer":
        return existing
    from PySide6.QtWidgets import QListWidgetItem

    from desktop.ui.icons import icon

    page = ReviewPage()
    window.pages.append(page)
    window.nav.addItem(QListWidgetItem(icon(page.nav_icon_name, "#d9e2ec"), page.nav_title()))
    window.stack.addWidget(page)
    page.status_changed.connect(window.update_status)
    page.status_message.connect(lambda text: window.statusBar().showMessage(text, 5000))
    return page
