"""One editor per widget kind of the forms type table (``Field.widget``).

Every editor gives raw values the way ``forms.validate`` accepts them (strings are fine; the
forms package parses and normalises), takes stored values back, and reports edits through
``on_change``. Keyboard first: line edits everywhere a clerk types, a calendar only as a helper.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from desktop.ui.i18n import pick
from desktop.ui.icons import icon

ChangeFn = Callable[[], None]
# item data of a combo's empty entry ("not chosen"); ``value()`` turns it into None
NO_CHOICE = ""
RefProvider = Callable[[str], list[tuple[str, str]]]


class FieldEditor:
    """The editor of one field: ``widget`` goes in the layout, ``focus_widget`` takes focus."""

    def __init__(self, field: Any, on_change: ChangeFn) -> None:
        self.field = field
        self.on_change = on_change
        self.widget: QWidget = QWidget()
        self.focus_widget: QWidget = self.widget

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def is_empty(self) -> bool:
        value = self.value()
        return value is None or value == "" or value == []

    def set_error(self, error: bool) -> None:
        if bool(self.focus_widget.property("error")) == error:
            return  # re-polishing is costly: only when the look changes
        self.focus_widget.setProperty("error", error)
        style = self.focus_widget.style()
        style.unpolish(self.focus_widget)
        style.polish(self.focus_widget)

    def set_readonly(self, readonly: bool) -> None:
        self.focus_widget.setEnabled(not readonly)

    def retranslate(self) -> None:
        """Labels inside the editor (choice labels) in the current language."""


class LineEditor(FieldEditor):
    """text, code, phone, ID number, numbers, money (yuan), dates (typed)."""

    def __init__(self, field: Any, on_change: ChangeFn) -> None:
        super().__init__(field, on_change)
        self.edit = QLineEdit()
        self.widget = self.focus_widget = self.edit
        kind = field.widget
        if kind in ("spin_box", "decimal_edit", "money_edit", "year_edit"):
            self.edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        limits = {"id_edit": 18, "phone_edit": 20, "code_edit": 18, "year_edit": 5}
        self.edit.setMaxLength(limits.get(kind, max(int(field.max_length or 200), 1)))
        if kind in ("id_edit", "code_edit", "phone_edit", "spin_box", "year_edit", "money_edit"):
            self.edit.setMaximumWidth(260)
        else:
            self.edit.setMaximumWidth(560)
        self.edit.setPlaceholderText(pick(field.placeholder) if field.placeholder else "")
        self.edit.textEdited.connect(lambda _t: self.on_change())

    def value(self) -> Any:
        text = self.edit.text().strip()
        return text or None

    def set_value(self, value: Any) -> None:
        if value is None:
            text = ""
        elif (
            self.field.widget == "money_edit"
            and isinstance(value, int)
            and not isinstance(value, bool)
        ):
            text = f"{value / 100:.2f}"
        else:
            text = str(value)
        if text != self.edit.text():
            self.edit.setText(text)

    def set_readonly(self, readonly: bool) -> None:
        self.edit.setReadOnly(readonly)
        self.edit.setFocusPolicy(
            Qt.FocusPolicy.ClickFocus if readonly else Qt.FocusPolicy.StrongFocus
        )


class DateEditor(LineEditor):
    """A typed date (2024-01-05, 2024/1/5, 20240105 …) with a calendar button beside it."""

    def __init__(self, field: Any, on_change: ChangeFn) -> None:
        super().__init__(field, on_change)
        self.edit.setMaximumWidth(200)
        if not self.edit.placeholderText():
            self.edit.setPlaceholderText("YYYY-MM-DD")
        self.button = QToolButton()
        self.button.setIcon(icon("calendar"))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.button)
        self.calendar = QCalendarWidget()
        self.calendar.clicked.connect(self._picked)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        self.button.setMenu(menu)
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.button)
        row.addStretch(1)
        self.widget = box
        self.focus_widget = self.edit

    def _picked(self, date: QDate) -> None:
        self.edit.setText(date.toString("yyyy-MM-dd"))
        self.button.menu().hide()
        self.on_change()

    def set_readonly(self, readonly: bool) -> None:
        super().set_readonly(readonly)
        self.button.setEnabled(not readonly)


class TextEditor(FieldEditor):
    def __init__(self, field: Any, on_change: ChangeFn) -> None:
        super().__init__(field, on_change)
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(72)
        self.widget = self.focus_widget = self.edit
        self.edit.textChanged.connect(self.on_change)

    def value(self) -> Any:
        return self.edit.toPlainText().strip() or None

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if text != self.edit.toPlainText():
            self.edit.setPlainText(text)

    def set_readonly(self, readonly: bool) -> None:
        self.edit.setReadOnly(readonly)


class CheckEditor(FieldEditor):
    def __init__(self, field: Any, on_change: ChangeFn) -> None:
        super().__init__(field, on_change)
        self.box = QCheckBox()
        self.widget = self.focus_widget = self.box
        self.box.toggled.connect(lambda _c: self.on_change())

    def value(self) -> Any:
        return self.box.isChecked()

    def is_empty(self) -> bool:
        return False

    def set_value(self, value: Any) -> None:
        checked = value is True or str(value).lower() in ("true", "1", "yes", "是")
        if checked != self.box.isChecked():
            self.box.blockSignals(True)
            self.box.setChecked(checked)
            self.box.blockSignals(False)


class ComboEditor(FieldEditor):
    """Single choice; the empty first entry means "not chosen"."""

    def __init__(self, field: Any, on_change: ChangeFn) -> None:
        super().__init__(field, on_change)
        self.combo = QComboBox()
        self.combo.setMinimumWidth(180)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMaxVisibleItems(20)
        self.widget = self.focus_widget = self.combo
        self._fill()
        self.combo.currentIndexChanged.connect(lambda _i: self.on_change())

    def _options(self) -> list[tuple[str, str]]:
        return [(c.value, pick(c.label)) for c in self.field.choices]

    def _fill(self) -> None:
        current = self.value() if self.combo.count() else None
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("", NO_CHOICE)
        for value, label in self._options():
            self.combo.addItem(label, value)
        self.combo.blockSignals(False)
        if current is not None:
            self.set_value(current)

    def value(self) -> Any:
        return self.combo.currentData() or None

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value) if value not in (None, "") else 0
        if index < 0 and value is not None:  # a label or alias typed elsewhere
            index = self.combo.findText(str(value))
        index = max(index, 0)
        if index != self.combo.currentIndex():
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(index)
            self.combo.blockSignals(False)

    def retranslate(self) -> None:
        self._fill()


class ReferenceEditor(ComboEditor):
    """A record of another form (e.g. a member's union), offered by the ``provider``."""

    def __init__(self, field: Any, on_change: ChangeFn, provider: RefProvider | None) -> None:
        self.provider = provider
        super().__init__(field, on_change)
        self.combo.setMinimumWidth(280)

    def _options(self) -> list[tuple[str, str]]:
        if self.provider is None or not self.field.ref_form:
            return []
        return self.provider(self.field.ref_form)

    def reload(self) -> None:
        self._fill()

    def set_value(self, value: Any) -> None:
        if value is not None and self.combo.findData(value) < 0:
            self._fill()
        super().set_value(value)


class MultiEditor(FieldEditor):
    """Multiple choice: a grid of check boxes."""

    def __init__(self, field: Any, on_change: ChangeFn) -> None:
        super().__init__(field, on_change)
        self.widget = QWidget()
        grid = QGridLayout(self.widget)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[tuple[str, QCheckBox]] = []
        for i, choice in enumerate(field.choices):
            box = QCheckBox(pick(choice.label))
            box.toggled.connect(lambda _c: self.on_change())
            grid.addWidget(box, i // 3, i % 3)
            self.boxes.append((choice.value, box))
        self.focus_widget = self.boxes[0][1] if self.boxes else self.widget

    def value(self) -> Any:
        return [v for v, box in self.boxes if box.isChecked()]

    def set_value(self, value: Any) -> None:
        chosen = set(value or [])
        for v, box in self.boxes:
            box.blockSignals(True)
            box.setChecked(v in chosen)
            box.blockSignals(False)

    def set_readonly(self, readonly: bool) -> None:
        for _v, box in self.boxes:
            box.setEnabled(not readonly)

    def retranslate(self) -> None:
        labels = {c.value: pick(c.label) for c in self.field.choices}
        for v, box in self.boxes:
            box.setText(labels.get(v, v))
