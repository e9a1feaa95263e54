"""A list page over one form's records with the entry screen beside it (Unions, Members).

The list is a :class:`RecordTableModel` (paged row cache): search as you type (debounced),
filters by status (and by union on the Members page), sortable columns, masked personal data
with an audited "show" for permitted roles, status icons with tooltips, returned records
highlighted with the county's comment. ``self.toolbar`` takes more actions (import, export,
print roster) from other work with a one-line ``addAction``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import operations
from desktop.ui.errors_text import STATUSES, status_text, store_error_text
from desktop.ui.field_widgets import NO_CHOICE
from desktop.ui.icons import icon
from desktop.ui.pages.base import Page
from desktop.ui.record_editor import RecordEditor
from desktop.ui.record_model import Column, RecordRole, RecordTableModel, columns_for
from desktop.ui.shortcuts import set_access_key

if TYPE_CHECKING:
    from desktop.store import Workspace

SEARCH_DELAY_MS = 250


class RecordsPage(Page):
    """Subclasses set ``form_id``, ``list_fields`` and the titles."""

    form_id = ""
    list_fields: list[str] = []
    # starting widths of list columns by field id (people can drag them)
    column_widths: dict[str, int] = {}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form: Any = None
        self.model: RecordTableModel | None = None
        self.editor: RecordEditor | None = None
        self._ref_cache: dict[str, list[tuple[str, str]]] = {}
        self._ref_names: dict[str, str] | None = None
        # called after a language switch: actions others add to ``toolbar`` set their texts here
        self.retranslate_hooks: list[Callable[[], None]] = []

        self.title = QLabel(objectName="PageTitle")
        self.count_label = QLabel(objectName="Hint")
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.new_action = QAction(icon("add"), "", self)
        self.new_action.triggered.connect(self.new_record)
        self.open_action = QAction(icon("edit"), "", self)
        self.open_action.triggered.connect(self.open_selected)
        self.unmask_action = QAction(icon("eye"), "", self)
        self.unmask_action.triggered.connect(self.unmask_selected)
        self.refresh_action = QAction(icon("refresh"), "", self)
        self.refresh_action.triggered.connect(self.refresh)
        for action in (self.new_action, self.open_action, self.unmask_action, self.refresh_action):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()

        self.search_edit = QLineEdit(objectName="SearchBox")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_edit.setMinimumWidth(260)
        self.search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.apply_query)
        self.search_edit.textChanged.connect(lambda _t: self.search_timer.start())
        self.search_edit.returnPressed.connect(self.apply_query)
        self.status_filter = QComboBox(objectName="StatusFilter")
        self.status_filter.currentIndexChanged.connect(lambda _i: self.apply_query())

        self.table = QTableView(objectName="RecordTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionsClickable(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.table.activated.connect(lambda _i: self.open_selected())
        self.empty_label = QLabel(objectName="Hint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()

        self.filters_row = QHBoxLayout()
        self.filters_row.addWidget(self.search_edit, 2)
        self.filters_row.addWidget(self.status_filter)
        self.filters_row.addStretch(1)

        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.count_label)
        head.addStretch(1)
        list_layout.addLayout(head)
        list_layout.addWidget(self.toolbar)
        list_layout.addLayout(self.filters_row)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.empty_label)

        new_shortcut = QShortcut(QKeySequence("Ctrl+N"), list_page)
        new_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new_shortcut.activated.connect(self.new_record)
        self.list_page = list_page
        self.stack = QStackedWidget()
        self.stack.addWidget(list_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._fill_status_filter()
        self.retranslate()

    # -- set-up once the workspace (and so the form definition) is known ----------------------
    def _ensure_form(self) -> None:
        if self.form is not None or self.workspace is None:
            return
        self.form = self.workspace.forms.latest(self.form_id)
        self.model = RecordTableModel(self.form, self.columns(), self, ref_name=self.ref_name)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 150)
        for c, col in enumerate(self.model.columns[1:], start=1):
            header.resizeSection(c, self.column_widths.get(col.key, 140))
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_actions())

    def _ensure_editor(self) -> None:
        """The entry screen is built the first time it is needed (it has many widgets)."""
        self._ensure_form()
        if self.editor is not None or self.form is None:
            return
        self.editor = RecordEditor(
            self.form, reference_provider=self.references, title_of=self.title_of
        )
        self.editor.closed.connect(self.show_list)
        self.editor.saved.connect(self._saved)
        self.editor.message.connect(self.status_message.emit)
        self.stack.addWidget(self.editor)

    def columns(self) -> list[Column]:
        return columns_for(self.form, self.list_fields)

    def title_of(self, data: dict[str, Any]) -> str:
        """A short name of the record for the editor's title."""
        return str(data.get(self.list_fields[0]) or "") if self.list_fields else ""

    # -- references (e.g. a member's union) ------------------------------------------------------
    def references(self, form_id: str) -> list[tuple[str, str]]:
        """``(uuid, name)`` of the records a reference field may point at (cached per refresh)."""
        if self.workspace is None:
            return self._ref_cache.get(form_id, [])
        if form_id not in self._ref_cache:
            recs = self.workspace.records.query(form_id, order_by="created_at", limit=5000)
            self._ref_cache[form_id] = [(r.uuid, self.reference_label(r)) for r in recs]
        return self._ref_cache[form_id]

    def reference_label(self, rec: Any) -> str:
        data = rec.data
        return str(
            data.get("short_name") or data.get("full_name") or data.get("name") or rec.uuid[:8]
        )

    def _forget_references(self) -> None:
        self._ref_cache.clear()
        self._ref_names = None

    def ref_name(self, uuid: str) -> str:
        """The name of a referenced record (e.g. a member's union) for a list cell."""
        names = self._ref_names
        if names is None:
            names = {}
            ref_forms = {getattr(f, "ref_form", None) for f in getattr(self.form, "fields", [])}
            for form_id in sorted(f for f in ref_forms if f):
                names.update(self.references(form_id))
            self._ref_names = names
        return names.get(uuid, "")

    # -- the list --------------------------------------------------------------------------
    def set_workspace(self, ws: Workspace | None) -> None:
        self._forget_references()
        super().set_workspace(ws)
        if self.editor is not None:
            self.editor.set_workspace(ws)

    def refresh(self) -> None:
        if self.workspace is None:
            return
        self._ensure_form()
        self._forget_references()
        self.refresh_filters()
        self.apply_query()

    def refresh_filters(self) -> None:
        """Subclasses refill their filter combos (e.g. the union list)."""

    def clear(self) -> None:
        if self.model is not None:
            self.model.set_workspace(None)
        self._forget_references()
        self.count_label.clear()

    def query_filters(self) -> dict[str, Any]:
        return {}

    def apply_query(self) -> None:
        """Run the search / filters now (the search box calls this after a short pause)."""
        self.search_timer.stop()
        if self.model is None or self.workspace is None:
            return
        self.model.ws = self.workspace
        search = self.search_edit.text().strip() or None
        filters = self.query_filters()
        status = self.status_filter.currentData() or None
        note = ""
        try:
            self.model.set_query(search=search, filters=filters, status=status)
            fallback = self.search_fallback(search, filters) if search else None
            if fallback is not None and self.model.rowCount() == 0:
                more_filters, note = fallback
                self.model.set_query(
                    search=None, filters={**filters, **more_filters}, status=status
                )
        except Exception as exc:  # noqa: BLE001 - a bad search never breaks the page
            self.status_message.emit(store_error_text(exc))
            return
        total = self.model.rowCount()
        text = self.tr("%1 record(s)").replace("%1", f"{total:,}")
        short = (
            operations.search_too_short(self.workspace, self.form_id, search).now() if search else 0
        )
        if short:  # gm: too few digits to reach the sealed ID-number / phone prefixes
            hint = self.tr("type at least %1 digits of an ID number or phone")
            hint = hint.replace("%1", str(short))
            note = f"{note} · {hint}" if note else hint
        self.count_label.setText(f"{text} · {note}" if note else text)
        self.empty_label.setVisible(total == 0)
        self._update_actions()

    def search_fallback(
        self, search: str, filters: dict[str, Any]
    ) -> tuple[dict[str, Any], str] | None:
        """When nothing matches ``search`` itself: other filters it may mean, and a note."""
        return None

    def _sort(self, column: int, order: Qt.SortOrder) -> None:
        if self.model is not None and self.workspace is not None:
            self.model.sort(column, order)

    def records_changed(self, form_ids: set[str]) -> None:
        refs_changed = bool(self._ref_cache.keys() & form_ids) or "" in form_ids
        if self.form_id in form_ids or refs_changed:
            self._forget_references()
            if refs_changed and self.workspace is not None:
                self.refresh_filters()
            if self.workspace is not None and self.model is not None:
                self.apply_query()

    def selected_record(self) -> Any:
        if self.model is None:
            return None
        index = self.table.currentIndex()
        return self.model.data(index, RecordRole) if index.isValid() else None

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _update_actions(self) -> None:
        ws = self.workspace
        has = self.selected_record() is not None
        self.new_action.setEnabled(ws is not None and ws.user.can_write_form(self.form_id))
        self.open_action.setEnabled(has)
        self.unmask_action.setEnabled(has and ws is not None and ws.user.can("unmask"))

    def unmask_selected(self) -> None:
        """Show the personal data of the selected row (audited by the store)."""
        if self.model is None:
            return
        row = self.table.currentIndex().row()
        try:
            for column, col in enumerate(self.model.columns):
                if col.sensitive:
                    self.model.unmask(row, column)
        except Exception as exc:  # noqa: BLE001 - permission denied etc.
            self.status_message.emit(store_error_text(exc))

    # -- editing ---------------------------------------------------------------------------
    def new_record(self) -> None:
        self._ensure_editor()
        if self.editor is None:
            return
        self._forget_references()
        if self.stack.currentWidget() is not self.editor or self.editor.uuid is not None:
            self.editor.set_workspace(self.workspace)
            if self.editor.uuid is not None or not self.editor.view.is_dirty():
                self.editor.new_record()
        self.stack.setCurrentWidget(self.editor)
        self.editor.view.focus_field(self.form.fields[0].id)

    def open_selected(self) -> None:
        rec = self.selected_record()
        if rec is not None:
            self.open_record(rec.uuid)

    def open_record(self, uuid: str) -> None:
        self._ensure_editor()
        if self.editor is None:
            return
        if self.editor.view.is_dirty() and not self.editor.view.confirm_discard():
            self.stack.setCurrentWidget(self.editor)
            return
        self._forget_references()
        self.editor.set_workspace(self.workspace)
        try:
            self.editor.open_record(uuid)
        except Exception as exc:  # noqa: BLE001
            self.status_message.emit(store_error_text(exc))
            return
        self.stack.setCurrentWidget(self.editor)
        if self.form.fields:  # the cursor goes with it (Enter on a row, then type)
            self.editor.view.focus_field(self.form.fields[0].id)

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        self.table.setFocus()

    def _saved(self, rec: Any) -> None:
        self.status_changed.emit()
        self.apply_query()

    def has_unsaved_changes(self) -> bool:
        return self.editor is not None and self.editor.has_unsaved_changes()

    # -- language --------------------------------------------------------------------------
    def _fill_status_filter(self) -> None:
        current = self.status_filter.currentData() or NO_CHOICE
        self.status_filter.blockSignals(True)
        self.status_filter.clear()
        self.status_filter.addItem(self.tr("All statuses"), NO_CHOICE)
        for status in STATUSES:
            self.status_filter.addItem(status_text(status), status)
        index = self.status_filter.findData(current)
        self.status_filter.setCurrentIndex(max(index, 0))
        self.status_filter.blockSignals(False)

    def retranslate(self) -> None:
        self.title.setText(self.nav_title())
        set_access_key(self.new_action, self.tr("New"), "N", self.tr("New record"), "Ctrl+N")
        set_access_key(self.open_action, self.tr("Open"), "O", keys="Enter")
        set_access_key(
            self.unmask_action,
            self.tr("Show personal data"),
            "S",
            self.tr(
                "Show the ID number and phone of the selected record (recorded in the audit log)"
            ),
        )
        set_access_key(self.refresh_action, self.tr("Refresh"), "R")
        self.search_edit.setPlaceholderText(self.search_hint())
        self._fill_status_filter()
        self.empty_label.setText(self.tr("No records match."))
        for hook in getattr(self, "retranslate_hooks", []):
            hook()
        self._fit_toolbar()
        if self.model is not None:
            self.model.headerDataChanged.emit(
                Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1
            )
            self.model.layoutChanged.emit()
            if self.workspace is not None:
                self.apply_query()

    def search_hint(self) -> str:
        return self.tr("Search")

    # -- small screens ---------------------------------------------------------------------
    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_toolbar()

    def _fit_toolbar(self) -> None:
        """Text beside icons when the toolbar fits; icons only (text in tooltips) when not."""
        bar = self.toolbar
        room = self.list_page.width() or self.width()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.layout().invalidate()
        if bar.sizeHint().width() > room:
            bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)

    def focus_search(self) -> bool:
        """Ctrl+F: back to the list (when no typed text would be lost) and into its search box."""
        if self.stack.currentWidget() is not self.list_page:
            if self.has_unsaved_changes():
                return True  # the entry screen keeps the cursor; Esc first
            self.show_list()
        self.search_edit.setFocus()
        self.search_edit.selectAll()
        return True
