"""The editor around a FormView for one record: header, Save / New / Close, draft autosave.

Saves go through the task helper (``ws.records.save``), so typing never waits for the disk.
A new record autosaves as a draft a moment after the last edit (the store accepts drafts with
only required fields missing); other unsaved text stays in memory, also across an auto-lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.ui import operations
from desktop.ui.errors_text import status_text, store_error_text
from desktop.ui.field_widgets import RefProvider
from desktop.ui.form_view import FormView
from desktop.ui.i18n import pick
from desktop.ui.icons import icon, status_icon
from desktop.ui.shortcuts import set_access_key

if TYPE_CHECKING:
    from desktop.store import Workspace

AUTOSAVE_MS = 2000


class RecordEditor(QWidget):
    """Edit one record of ``form``; ``closed`` when the clerk leaves, ``saved(record)``."""

    closed = Signal()
    saved = Signal(object)
    message = Signal(str)

    def __init__(
        self,
        form: Any,
        parent: QWidget | None = None,
        *,
        reference_provider: RefProvider | None = None,
        title_of: Callable[[dict[str, Any]], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.form = form
        self.title_of = title_of
        self.ws: Workspace | None = None
        self.uuid: str | None = None
        self.status: str | None = None
        self.comment: str | None = None
        self.saving = False
        self.readonly = False

        self.title = QLabel(objectName="PageTitle")
        self.status_icon = QLabel()
        self.status_label = QLabel(objectName="Hint")
        self.comment_banner = QLabel(objectName="InfoBanner")
        self.comment_banner.setWordWrap(True)
        self.comment_banner.hide()
        self.error_banner = QLabel(objectName="ErrorBanner")
        self.error_banner.setWordWrap(True)
        self.error_banner.hide()
        self.save_button = QPushButton(icon("save"), "")
        self.save_button.setObjectName("SaveRecord")
        self.save_button.setProperty("primary", True)
        self.draft_button = QPushButton()
        self.draft_button.setObjectName("SaveDraft")
        self.new_button = QPushButton(icon("add"), "")
        self.new_button.setObjectName("NewRecord")
        self.close_button = QPushButton()
        self.close_button.setObjectName("CloseRecord")
        self.save_button.clicked.connect(self.save)
        self.draft_button.clicked.connect(lambda: self.save(draft=True))
        self.new_button.clicked.connect(self.new_record)
        self.close_button.clicked.connect(self.view_request_close)

        self.view = FormView(form, reference_provider=reference_provider)
        self.view.save_requested.connect(self.save)
        self.view.new_requested.connect(self.new_record)
        self.view.discard_requested.connect(self._discard)
        self.view.changed.connect(self._changed)

        self.autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self.autosave.timeout.connect(self.autosave_draft)

        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.status_icon)
        head.addWidget(self.status_label)
        head.addStretch(1)
        for button in (self.new_button, self.draft_button, self.save_button, self.close_button):
            head.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.comment_banner)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.view, 1)
        self.retranslate()

    # -- workspace -------------------------------------------------------------------------
    def set_workspace(self, ws: Workspace | None) -> None:
        """``None`` on lock: the typed text stays in the widgets, nothing is written."""
        self.ws = ws
        if ws is None:
            self.autosave.stop()
        else:
            self._apply_permissions()
            if self.view.is_dirty() and self._may_autosave():
                self.autosave.start()

    def _apply_permissions(self) -> None:
        can_write = self.ws is not None and self.ws.user.can_write_form(self.form.id)
        locked = self.status in ("queued", "delivered", "forwarded", "confirmed")
        self.readonly = not can_write or locked
        self.view.set_readonly(self.readonly)
        for button in (self.save_button, self.draft_button, self.new_button):
            button.setEnabled(not self.readonly or button is self.new_button and can_write)

    # -- records ---------------------------------------------------------------------------
    def new_record(self) -> None:
        """Ctrl+N: start an empty record (asks first when typed text would be lost)."""
        if self.view.is_dirty() and not self.view.confirm_discard():
            return
        self.uuid, self.status, self.comment = None, None, None
        self.view.reload_references()
        self.view.clear()
        self.error_banner.hide()
        self._apply_permissions()
        self._update_header()
        self.view.focus_field(self.form.fields[0].id)

    def open_record(self, uuid: str) -> None:
        """Load a saved record (personal data in clear for roles that may see it; audited)."""
        ws = self.ws
        unmask = ws.user.can("unmask") and ws.user.can_write_form(self.form.id)
        rec = ws.records.get(uuid, unmask=unmask)
        self.uuid, self.status, self.comment = rec.uuid, rec.status, rec.comment
        self.view.reload_references()
        self.view.set_values(rec.data)
        self.error_banner.hide()
        self._apply_permissions()
        self._update_header()

    def _update_header(self) -> None:
        data = self.view.values()
        if self.uuid is None:
            self.title.setText(self.tr("New: %1").replace("%1", pick(self.form.title)))
        else:
            name = self.title_of(data) if self.title_of else ""
            self.title.setText(
                f"{pick(self.form.title)} · {name}" if name else pick(self.form.title)
            )
        if self.status:
            self.status_icon.setPixmap(status_icon(self.status).pixmap(18, 18))
            self.status_label.setText(status_text(self.status))
        else:
            self.status_icon.clear()
            self.status_label.setText(self.tr("Not saved yet"))
        if self.status in ("returned", "rejected"):
            text = self.tr("Returned by the county. Comment: %1").replace("%1", self.comment or "—")
            self.comment_banner.setText(text)
            self.comment_banner.show()
        else:
            self.comment_banner.hide()

    def _changed(self) -> None:
        if self._may_autosave():
            self.autosave.start()

    def _may_autosave(self) -> bool:
        return self.ws is not None and not self.readonly and self.status in (None, "draft")

    def autosave_draft(self) -> None:
        if self._may_autosave() and self.view.is_dirty() and not self.saving:
            self.save(draft=True, quiet=True)

    def save(self, draft: bool = False, quiet: bool = False) -> None:
        """Ctrl+S: validate, show every error at its field and as a list, else save."""
        if self.ws is None or self.readonly or self.saving:
            return
        if not draft:
            result = self.view.check_all()
            if result.errors or self.view.external_errors:
                self.message.emit(self.tr("Not saved: some fields need attention."))
                return
        self.autosave.stop()
        ws, values, uuid = self.ws, self.view.values(), self.uuid
        status = "draft" if draft else "ready"
        self.saving = True

        def done(rec: Any) -> None:
            self.saving = False
            self.uuid, self.status, self.comment = rec.uuid, rec.status, rec.comment
            if self.view.values() == values:
                self.view.mark_clean()
            self.error_banner.hide()
            self._update_header()
            self._apply_permissions()
            if not quiet:
                self.message.emit(self.tr("Saved."))
            self.saved.emit(rec)

        def failed(exc: BaseException) -> None:
            self.saving = False
            if quiet:  # a draft the store refuses (e.g. a wrong ID number) stays in memory
                return
            result = getattr(exc, "result", None)
            if result is not None and getattr(result, "errors", None):
                self.view.set_external_errors(
                    [
                        e
                        for e in result.errors
                        if e not in (self.view.result.errors if self.view.result else [])
                    ]
                    or list(result.errors)
                )
            self.error_banner.setText(store_error_text(exc))
            self.error_banner.show()
            self.message.emit(store_error_text(exc))

        operations.save_record(ws, self.form.id, values, record_uuid=uuid, status=status).success(
            done
        ).failure(failed).run()

    def view_request_close(self) -> None:
        self.view.request_discard()

    def _discard(self) -> None:
        self.autosave.stop()
        self.view.clear()
        self.uuid, self.status, self.comment = None, None, None
        self.closed.emit()

    def has_unsaved_changes(self) -> bool:
        return self.view.is_dirty()

    # -- language --------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "view"):
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        set_access_key(self.save_button, self.tr("Save"), "S", keys="Ctrl+S")
        set_access_key(self.draft_button, self.tr("Save as draft"), "D")
        set_access_key(self.new_button, self.tr("New"), "N", self.tr("New record"), "Ctrl+N")
        set_access_key(self.close_button, self.tr("Close"), "C", self.tr("Back to the list"), "Esc")
        self._update_header()
