"""FormView: an entry screen generated from a form definition.

One editor per field (the widget kind comes from the forms type table), one group per section,
repeat groups as editable tables. Every edit runs ``forms.validate`` (it is fast), which drives
``relevant`` (rows appear and disappear), ``calculate`` (read-only values update) and ``fill``
(e.g. the ID number fills birth date and gender while those are empty or still auto-filled).
Errors show at a field once the clerk leaves it, and all of them are listed on save.

Keys: Enter / Tab next field, Ctrl+S ``save_requested``, Ctrl+N ``new_requested``, Esc asks
before discarding typed text, then ``discard_requested``. FormView does no I/O: its host saves.
Other pages reuse it (``sections=`` shows a subset, e.g. a record header).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

import forms
from desktop.ui.editors import make_editor
from desktop.ui.field_widgets import FieldEditor, RefProvider
from desktop.ui.i18n import current_language, pick

LABEL_MAX_WIDTH = 210
_PATH = re.compile(r"^([^\[.]+)(?:\[(\d+)\])?(?:\.(.+))?$")


def split_path(path: str) -> tuple[str, int | None, str | None]:
    """``"changes[0].date"`` -> ``("changes", 0, "date")``; ``"name"`` -> ``("name", None, None)``."""
    m = _PATH.match(path or "")
    if not m:
        return path, None, None
    return m[1], (int(m[2]) if m[2] is not None else None), m[3]


class _Row:
    """One field's place in the layout: label, editor, error line."""

    def __init__(self, field: Any, editor: FieldEditor, layout: QFormLayout) -> None:
        self.field = field
        self.editor = editor
        self.layout = layout
        self.label = QLabel()
        self.label.setObjectName(f"label_{field.id}")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.error = QLabel(objectName="FieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.box = QWidget()
        inner = QVBoxLayout(self.box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(2)
        inner.addWidget(editor.widget)
        inner.addWidget(self.error)
        layout.addRow(self.label, self.box)
        self.auto_value: Any = None  # what ``fill`` put there last (replaced while unchanged)

    def set_visible(self, visible: bool) -> None:
        if self.box.isHidden() == visible:
            self.label.setVisible(visible)
            self.box.setVisible(visible)

    def is_visible(self) -> bool:
        return not self.box.isHidden()


class FormView(QWidget):
    """An entry screen for one form definition (see the module docstring)."""

    changed = Signal()
    save_requested = Signal()
    new_requested = Signal()
    discard_requested = Signal()

    def __init__(
        self,
        form: Any,
        parent: QWidget | None = None,
        *,
        reference_provider: RefProvider | None = None,
        sections: list[str] | None = None,
        scroll: bool = True,
    ) -> None:
        super().__init__(parent)
        self.form = form
        self.reference_provider = reference_provider
        self.rows: dict[str, _Row] = {}
        self.groups: list[tuple[Any, QGroupBox]] = []
        self.touched: set[str] = set()
        self.show_all_errors = False
        self.result: Any = None
        self.external_errors: list[Any] = []  # e.g. "unique" from the store, until edited
        self._clean: dict[str, Any] = {}
        self._external_at: dict[str, Any] = {}
        self._updating = False
        # asked before discarding typed text; returns True to discard (tests may replace it)
        self.confirm_discard: Callable[[], bool] = self._ask_discard

        self.error_list = QLabel(objectName="ErrorBanner")
        self.error_list.setWordWrap(True)
        self.error_list.setTextFormat(Qt.TextFormat.RichText)
        self.error_list.linkActivated.connect(self.focus_field)
        self.error_list.hide()

        body = QWidget()
        body.setObjectName("FormBody")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 8, 0)
        for section in form.sections:
            if sections is not None and section.id not in sections:
                continue
            group = QGroupBox()
            group.setObjectName(f"section_{section.id}")
            layout = QFormLayout(group)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            layout.setHorizontalSpacing(14)
            layout.setVerticalSpacing(8)
            for field in section.fields:
                editor = make_editor(field, self._edited, reference_provider)
                editor.focus_widget.setObjectName(f"field_{field.id}")
                editor.focus_widget.installEventFilter(self)
                row = _Row(field, editor, layout)
                if field.readonly or field.calculate is not None:
                    editor.set_readonly(True)
                self.rows[field.id] = row
            self.groups.append((section, group))
            body_layout.addWidget(group)
        body_layout.addStretch(1)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.error_list)
        if scroll:
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setWidget(body)
            outer.addWidget(area, 1)
            self.scroll_area: QScrollArea | None = area
        else:
            outer.addWidget(body, 1)
            self.scroll_area = None

        for keys, signal in (("Ctrl+S", self.save_requested), ("Ctrl+N", self.new_requested)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(signal.emit)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.request_discard)

        self.retranslate()
        self.clear()

    # -- values ----------------------------------------------------------------------------
    def editor(self, field_id: str) -> FieldEditor:
        return self.rows[field_id].editor

    def values(self) -> dict[str, Any]:
        """The raw values typed so far (what ``forms.validate`` and ``ws.records.save`` take)."""
        return {fid: row.editor.value() for fid, row in self.rows.items()}

    def set_values(self, data: dict[str, Any] | None, *, clean: bool = True) -> None:
        """Show a record's data (stored values); ``clean`` makes it the unchanged state."""
        data = data or {}
        self._updating = True
        try:
            for fid, row in self.rows.items():
                row.editor.set_value(data.get(fid))
                row.auto_value = None
        finally:
            self._updating = False
        self.touched.clear()
        self.external_errors = []
        self.show_all_errors = False
        self.error_list.hide()
        self.revalidate()
        if clean:
            self.mark_clean()

    def reload_references(self) -> None:
        """Offer the current records in reference pickers (e.g. a union added a moment ago)."""
        for row in self.rows.values():
            reload = getattr(row.editor, "reload", None)
            if reload is not None:
                reload()

    def clear(self) -> None:
        """An empty record with the definition's defaults."""
        self.set_values({fid: row.field.default for fid, row in self.rows.items()})

    def mark_clean(self) -> None:
        self._clean = self.values()

    def is_dirty(self) -> bool:
        return self.values() != self._clean

    def set_readonly(self, readonly: bool) -> None:
        for row in self.rows.values():
            computed = row.field.readonly or row.field.calculate is not None
            row.editor.set_readonly(readonly or computed)

    # -- live validation -------------------------------------------------------------------
    def _edited(self) -> None:
        if self._updating:
            return
        if self.external_errors:
            now = self.values()
            self.external_errors = [
                e
                for e in self.external_errors
                if now.get(split_path(e.field)[0]) == self._external_at.get(split_path(e.field)[0])
            ]
        self.revalidate()
        self.changed.emit()

    def _data_for_validation(self) -> dict[str, Any]:
        data = self.values()
        for fid, row in self.rows.items():
            if (
                row.field.fill is not None
                and row.auto_value is not None
                and data.get(fid) == row.auto_value
            ):
                data[fid] = None  # still auto-filled: let ``fill`` compute it again
        return data

    def revalidate(self) -> Any:
        """Validate what is typed; update hidden rows, calculated and filled values, errors."""
        result = forms.validate(self.form, self._data_for_validation())
        self.result = result
        self._updating = True
        try:
            for fid, row in self.rows.items():
                visible = fid not in result.hidden
                row.set_visible(visible)
                if not visible:
                    continue
                field = row.field
                if field.calculate is not None:
                    row.editor.set_value(result.values.get(fid))
                elif field.fill is not None:
                    filled = result.values.get(fid)
                    current = row.editor.value()
                    if (current is None or current == row.auto_value) and filled is not None:
                        row.editor.set_value(filled)
                        row.auto_value = row.editor.value()
                    elif current is None:
                        row.auto_value = None
        finally:
            self._updating = False
        self._show_errors()
        return result

    def set_external_errors(self, errors: list[Any]) -> None:
        """Errors found outside the form (the store: duplicate ID number); shown until edited."""
        self.external_errors = list(errors)
        self._external_at = self.values()
        self.show_all_errors = True
        self._show_errors()
        if errors:
            self.focus_field(split_path(errors[0].field)[0])

    def all_errors(self) -> list[Any]:
        return list(self.result.errors if self.result is not None else []) + self.external_errors

    def errors_by_field(self) -> dict[str, list[Any]]:
        """The current errors grouped by top-level field id."""
        grouped: dict[str, list[Any]] = {}
        for err in self.all_errors():
            grouped.setdefault(split_path(err.field)[0], []).append(err)
        return grouped

    def message(self, err: Any) -> str:
        """The words for one FieldError in the current language (row number for repeats)."""
        text = forms.message(err.code, current_language(), **(err.params or {}))
        top, index, sub = split_path(err.field)
        row = self.rows.get(top)
        if index is not None and row is not None:
            label = ""
            for f in row.field.fields:
                if f.id == sub:
                    label = pick(f.label)
            where = self.tr("row %1").replace("%1", str(index + 1))
            text = f"{where} {label}: {text}" if label else f"{where}: {text}"
        return text

    def _show_errors(self) -> None:
        grouped = self.errors_by_field()
        warnings: dict[str, list[Any]] = {}
        for warn in self.result.warnings if self.result is not None else []:
            warnings.setdefault(split_path(warn.field)[0], []).append(warn)
        for fid, row in self.rows.items():
            shown = self.show_all_errors or fid in self.touched
            errs = grouped.get(fid, []) if shown else []
            warns = warnings.get(fid, []) if shown and not errs else []
            row.editor.set_error(bool(errs))
            if hasattr(row.editor, "set_cell_errors"):
                cells = set()
                for err in errs:
                    _top, index, sub = split_path(err.field)
                    if index is not None and sub:
                        cells.add((index, sub))
                row.editor.set_cell_errors(cells)
            lines = [self.message(e) for e in errs or warns]
            kind = "FieldError" if errs else "FieldWarning"
            if lines and row.error.objectName() != kind:
                row.error.setObjectName(kind)
                row.error.style().unpolish(row.error)
                row.error.style().polish(row.error)
            text = "\n".join(lines)
            if row.error.text() != text:
                row.error.setText(text)
            if row.error.isHidden() == bool(lines):
                row.error.setVisible(bool(lines))
        if self.show_all_errors:
            self._fill_error_list(grouped)

    def _fill_error_list(self, grouped: dict[str, list[Any]]) -> None:
        if not grouped:
            self.error_list.hide()
            return
        items = []
        for fid, errs in grouped.items():
            row = self.rows.get(fid)
            label = pick(row.field.label) if row else fid
            words = "; ".join(self.message(err) for err in errs)
            items.append(
                f'<a href="{html.escape(fid)}" style="color:#9b1c1c">{html.escape(label)}</a>'
                f" ({html.escape(words)})"
            )
        title = html.escape(self.tr("Please correct these fields before saving:"))
        self.error_list.setText(f"<b>{title}</b> " + " · ".join(items))
        self.error_list.show()

    def check_all(self) -> Any:
        """Before saving: show every error (at the fields and as a list); focus the first."""
        self.show_all_errors = True
        result = self.revalidate()
        if result.errors:
            self.focus_field(split_path(result.errors[0].field)[0])
        else:
            self.error_list.hide()
        return result

    def focus_field(self, field_id: str) -> None:
        row = self.rows.get(field_id)
        if row is None:
            return
        row.editor.focus_widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.scroll_area is not None:
            self.scroll_area.ensureWidgetVisible(row.box)

    # -- keys ------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind == QEvent.Type.FocusOut:
            fid = watched.objectName().removeprefix("field_")
            if fid in self.rows:
                self.touched.add(fid)
                self._show_errors()
        elif (
            kind == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers()
            and (
                isinstance(watched, QLineEdit | QAbstractButton)
                or (isinstance(watched, QComboBox) and not watched.view().isVisible())
            )
        ):
            self.focusNextChild()
            return True
        return super().eventFilter(watched, event)

    def request_discard(self) -> None:
        """Esc: ask before losing typed text, then ``discard_requested``."""
        if self.is_dirty() and not self.confirm_discard():
            return
        self.discard_requested.emit()

    def _ask_discard(self) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Discard changes?"),
            self.tr("The typed text is not saved. Discard it?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    # -- language --------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        for section, group in self.groups:
            group.setTitle(pick(section.title))
        for row in self.rows.values():
            text = pick(row.field.label)
            row.label.setText(f"{text} *" if row.field.required else text)
            row.label.setToolTip(pick(row.field.help) if row.field.help else "")
            row.editor.focus_widget.setToolTip(pick(row.field.help) if row.field.help else "")
            row.editor.retranslate()
        # one label column width for every section, so the fields line up down the screen
        width = max((row.label.sizeHint().width() for row in self.rows.values()), default=0)
        for row in self.rows.values():
            row.label.setFixedWidth(min(width, LABEL_MAX_WIDTH))
        if self.result is not None:
            self._show_errors()
