"""The editor for one form field, by the widget kind of the forms type table: the one place
that knows every editor (the field editors and the repeat table), so neither imports the other's
module back."""

from __future__ import annotations

from typing import Any

from desktop.ui.field_widgets import (
    ChangeFn,
    CheckEditor,
    ComboEditor,
    DateEditor,
    FieldEditor,
    LineEditor,
    MultiEditor,
    ReferenceEditor,
    RefProvider,
    TextEditor,
)
from desktop.ui.repeat_table import RepeatEditor


def make_editor(
    field: Any, on_change: ChangeFn, provider: RefProvider | None = None
) -> FieldEditor:
    """The editor for ``field.widget`` (the kind from the forms type table)."""
    kind = field.widget or "line_edit"
    if kind == "table":
        return RepeatEditor(field, on_change, provider)
    if kind == "text_edit":
        return TextEditor(field, on_change)
    if kind == "check_box":
        return CheckEditor(field, on_change)
    if kind == "combo_box":
        return ComboEditor(field, on_change)
    if kind == "check_list":
        return MultiEditor(field, on_change)
    if kind == "reference_picker":
        return ReferenceEditor(field, on_change, provider)
    if kind == "date_edit":
        return DateEditor(field, on_change)
    return LineEditor(field, on_change)
