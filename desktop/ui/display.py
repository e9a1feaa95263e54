"""Turning stored values into what a list cell shows: choice labels, yes/no, money (yuan)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from desktop.ui.i18n import pick

translate = QCoreApplication.translate


def display_value(
    field: Any,
    value: Any,
    ref_name: Callable[[str], str] | None = None,
) -> str:
    """A stored value as text for a list or a read-only view (current language)."""
    if value is None or value == "" or value == []:
        return ""
    kind = getattr(field, "type", "")
    if kind == "boolean":
        return translate("Display", "Yes") if value else translate("Display", "No")
    if kind in ("choice", "multi_choice"):
        labels: Mapping[str, Any] = {c.value: c.label for c in getattr(field, "choices", [])}
        values = value if isinstance(value, list) else [value]
        return "、".join(pick(labels.get(v)) or str(v) for v in values)
    if kind == "money":
        try:
            return f"{int(value) / 100:,.2f}"
        except (TypeError, ValueError):
            return str(value)
    if kind == "reference" and ref_name is not None:
        return ref_name(str(value))
    if kind == "repeat":
        return translate("Display", "%1 row(s)").replace("%1", str(len(value)))
    return str(value)
